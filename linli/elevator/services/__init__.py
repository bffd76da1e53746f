"""Every change of lift-retrofit data goes through here: permission, transaction, audit.

One module per use case: ``projects`` (the project, its working group, its stages and cost plan),
``documents`` (checked uploads, the owner opening one), ``roll`` (the owner roll from the
households), ``owners`` (personal codes and the owner's log-in), ``votes`` (opening, notice,
closing and the tally, computed from the records, never stored), ``ballots``, ``mediation``
(objections and round tables), ``upkeep``, ``consultations``, ``clocks`` and ``reminders``. The
names are re-exported here, so callers write ``services.do_open_vote`` wherever it lives.
"""

from __future__ import annotations

from .ballots import (
    do_cast_owner_ballot,
    do_confirm_owner_ballot,
    do_enter_ballot,
)
from .clocks import (
    project_clocks,
    project_dates,
    work_calendar,
)
from .consultations import do_save_consultation
from .documents import (
    MAX_UPLOAD_BYTES,
    UPLOAD_TYPES,
    check_upload,
    do_add_document,
    do_open_owner_document,
)
from .mediation import (
    do_add_mediation_session,
    do_add_objection,
    do_add_round_table,
    do_settle_objection,
)
from .owners import (
    CODE_ALPHABET,
    CODE_LENGTH,
    CODE_PURPOSE,
    OWNER_LOCK_AFTER,
    OWNER_LOCK_MINUTES,
    TAIL_PURPOSE,
    do_issue_codes,
    do_log_in_owner,
    do_set_owner_id_tail,
    new_code,
    normalise_code,
)
from .projects import (
    consultation_passed,
    do_add_member,
    do_move_stage,
    do_publish_cost_plan,
    do_save_project,
)
from .reminders import do_send_stage_reminders
from .roll import (
    HIGH_RISE_FLOORS,
    do_build_roll,
    do_mark_developer_units,
    do_merge_owners,
)
from .upkeep import do_add_maintenance
from .votes import (
    VoteState,
    do_close_vote,
    do_notify_owners,
    do_open_vote,
    tally_vote,
    vote_state,
    vote_state_units,
)

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "CODE_PURPOSE",
    "HIGH_RISE_FLOORS",
    "MAX_UPLOAD_BYTES",
    "OWNER_LOCK_AFTER",
    "OWNER_LOCK_MINUTES",
    "TAIL_PURPOSE",
    "UPLOAD_TYPES",
    "VoteState",
    "check_upload",
    "consultation_passed",
    "do_add_document",
    "do_add_maintenance",
    "do_add_mediation_session",
    "do_add_member",
    "do_add_objection",
    "do_add_round_table",
    "do_build_roll",
    "do_cast_owner_ballot",
    "do_close_vote",
    "do_confirm_owner_ballot",
    "do_enter_ballot",
    "do_issue_codes",
    "do_log_in_owner",
    "do_mark_developer_units",
    "do_merge_owners",
    "do_move_stage",
    "do_notify_owners",
    "do_open_owner_document",
    "do_open_vote",
    "do_publish_cost_plan",
    "do_save_consultation",
    "do_save_project",
    "do_send_stage_reminders",
    "do_set_owner_id_tail",
    "do_settle_objection",
    "new_code",
    "normalise_code",
    "project_clocks",
    "project_dates",
    "tally_vote",
    "vote_state",
    "vote_state_units",
    "work_calendar",
]
