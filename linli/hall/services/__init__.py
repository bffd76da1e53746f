"""Service-centre use cases, one module per use case, one ``do_<verb>_<noun>`` function per
change: permission check, transaction and audit record inside. Reads are in ``queries``.

The names are re-exported here so every caller writes ``services.<name>``; ``kiosk_clock`` is
replaced here, on the package, when a test pins the kiosk's clock.
"""

from __future__ import annotations

from ..errors import HallError, StaleConfig
from .appointments import (
    APPOINTMENT_PREFIX,
    do_book_appointment,
    do_cancel_appointment,
    do_check_in_appointment,
    do_create_slots,
)
from .board import do_mark_board_seen
from .cases import do_open_case, do_set_case_status
from .catalogue import (
    EXPORT_JOB,
    EXPORT_TASK,
    IMPORT_JOB,
    IMPORT_TASK,
    do_import_items,
    do_run_item_export,
    do_run_item_import,
    do_save_item,
    do_start_item_import,
    export_items,
    format_materials,
    parse_materials,
)
from .common import (
    FOLLOW_UP_WORKING_DAYS,
    PHONE_PURPOSE,
    id_hash,
    local_day,
    pinyin_initials,
    protect_phone,
    resident_phone,
    work_calendar,
)
from .escalation import do_escalate_ticket, do_finish_ticket_in_backoffice, do_return_ticket
from .kiosk import (
    KioskConfig,
    closed_message,
    config_changed,
    do_issue_kiosk_ticket,
    forget_kiosk_config,
    is_open,
    kiosk_clock,
    kiosk_config,
    next_opening,
    require_open,
)
from .lockers import (
    HOLD_DAYS,
    REMIND_AFTER_DAYS,
    do_collect_pickup,
    do_deposit_pickup,
    do_sweep_lockers,
)
from .ratings import do_close_follow_up, do_rate_case, do_rate_ticket
from .reminders import do_send_appointment_reminders, do_send_case_reminders
from .retention import do_purge_personal_data
from .setup import (
    do_configure_window,
    do_save_hall,
    do_save_locker,
    do_save_queue,
    do_set_hall_hours,
)
from .tickets import do_issue_ticket
from .window import (
    do_call_next_ticket,
    do_call_ticket_by_number,
    do_finish_ticket,
    do_mark_no_show,
    do_recall_ticket,
    do_requeue_ticket,
    do_start_ticket,
    do_take_window,
    do_transfer_ticket,
)

__all__ = [
    "APPOINTMENT_PREFIX", "EXPORT_JOB", "EXPORT_TASK", "FOLLOW_UP_WORKING_DAYS", "HOLD_DAYS",
    "IMPORT_JOB", "IMPORT_TASK", "PHONE_PURPOSE",
    "REMIND_AFTER_DAYS", "HallError", "KioskConfig", "StaleConfig",
    "closed_message", "config_changed", "do_book_appointment", "do_call_next_ticket",
    "do_call_ticket_by_number", "do_cancel_appointment", "do_check_in_appointment",
    "do_close_follow_up", "do_collect_pickup", "do_configure_window", "do_create_slots",
    "do_deposit_pickup", "do_escalate_ticket", "do_finish_ticket",
    "do_finish_ticket_in_backoffice", "do_import_items", "do_issue_kiosk_ticket",
    "do_issue_ticket", "do_mark_board_seen", "do_mark_no_show", "do_open_case",
    "do_purge_personal_data", "do_rate_case", "do_rate_ticket", "do_recall_ticket",
    "do_requeue_ticket", "do_return_ticket", "do_run_item_export", "do_run_item_import",
    "do_save_hall", "do_save_item", "do_save_locker",
    "do_save_queue", "do_send_appointment_reminders", "do_send_case_reminders",
    "do_set_case_status", "do_set_hall_hours", "do_start_item_import", "do_start_ticket",
    "do_sweep_lockers",
    "do_take_window", "do_transfer_ticket", "export_items", "forget_kiosk_config",
    "format_materials",
    "id_hash", "is_open", "kiosk_clock", "kiosk_config", "local_day",
    "next_opening", "parse_materials", "pinyin_initials", "protect_phone",
    "require_open", "resident_phone",
    "work_calendar",
]  # fmt: skip
