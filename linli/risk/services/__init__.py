"""Every change of risk data goes through here: permission, transaction, audit.

Each function that changes state is named ``do_<verb>_<noun>``; read-only helpers
(``check_photo``, ``sample_input``, ``default_version``, ``can_act_on``, ``signoff_party``) keep
plain names. One module per use case: ``methods`` (method versions), ``rounds`` (create, draw,
assign), ``inspection`` (the checklist and submitting a sample), ``scoring`` (``do_rescore`` is
the one writer of ``Score`` rows, ``do_rescore_round`` its bulk twin), ``cases`` (one service
per step of a hazard case), ``reminders`` (escalation and deadline notices) and ``photos``. The
names are re-exported here, so callers write ``services.do_submit_sample`` wherever it lives.
"""

from __future__ import annotations

from ..errors import RiskError
from ..queries import method_of
from .cases import (
    can_act_on,
    do_approve_case,
    do_assign_case,
    do_close_case_on_spot,
    do_defer_case,
    do_open_cases,
    do_reject_case,
    do_request_reinspection,
    do_resume_case,
    do_sign_case,
    do_start_rectification,
    signoff_party,
)
from .inspection import (
    do_add_finding,
    do_delete_finding,
    do_import_checklist,
    do_save_check_statuses,
    do_set_check_status,
    do_submit_sample,
)
from .methods import (
    default_version,
    do_copy_method,
    do_edit_method,
)
from .photos import (
    PHOTO_MAX_BYTES,
    PHOTO_TYPES,
    check_photo,
)
from .reminders import (
    do_escalate_overdue,
    do_refresh_escalation,
    do_send_hazard_reminders,
)
from .rounds import (
    do_assign_inspector,
    do_create_round,
    do_draw_round,
)
from .scoring import (
    do_rescore,
    do_rescore_round,
    sample_input,
)

__all__ = [
    "PHOTO_MAX_BYTES",
    "PHOTO_TYPES",
    "RiskError",
    "can_act_on",
    "check_photo",
    "default_version",
    "do_add_finding",
    "do_approve_case",
    "do_assign_case",
    "do_assign_inspector",
    "do_close_case_on_spot",
    "do_copy_method",
    "do_create_round",
    "do_defer_case",
    "do_delete_finding",
    "do_draw_round",
    "do_edit_method",
    "do_escalate_overdue",
    "do_import_checklist",
    "do_open_cases",
    "do_refresh_escalation",
    "do_reject_case",
    "do_request_reinspection",
    "do_rescore",
    "do_rescore_round",
    "do_resume_case",
    "do_save_check_statuses",
    "do_send_hazard_reminders",
    "do_set_check_status",
    "do_sign_case",
    "do_start_rectification",
    "do_submit_sample",
    "method_of",
    "sample_input",
    "signoff_party",
]
