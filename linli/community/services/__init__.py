"""Every change of community data goes through a function here: permission, transaction, audit.

One module per use case (sign-ups, events, orders, projects and wishes, volunteers, the
volunteer's own page, the alliance, the network); this package re-exports them so callers
write ``services.do_sign_up``. Seats: ``do_sign_up``, ``do_cancel_signup`` and
``do_release_held_seats`` lock the event's row, rebuild ``rules.Roster`` from the stored
sign-ups, apply one operation and store the differences, so the site decides exactly as
``linli community signups`` does and never oversells a seat.
"""

from ._common import (
    CHECKIN_EARLY,
    CHECKIN_LATE,
    ID_PURPOSE,
    PHONE_PURPOSE,
    PHONE_RE,
    clean_phone,
    person_key,
)
from .alliance import do_advance_alliance_order, do_order_alliance_project
from .events import do_cancel_event, do_create_event, do_schedule_series
from .network import (
    SeriesUpdate,
    do_remove_position_staff,
    do_save_menu_item,
    do_save_position,
    do_save_position_staff,
    do_save_series,
    do_save_space,
    do_update_series_events,
)
from .orders import do_advance_order, do_place_order, is_overdue
from .projects import (
    MAX_PHOTO_BYTES,
    PHOTO_TYPES,
    _check_photo,
    do_add_milestone,
    do_adopt_wish,
    do_complete_milestone,
    do_decline_wish,
    do_make_wish,
    do_record_contribution,
    do_record_decision,
    do_save_project,
)
from .signups import (
    Live,
    SignupResult,
    do_cancel_signup,
    do_check_in,
    do_release_due_seats,
    do_release_held_seats,
    do_reveal_phone,
    do_sign_up,
    event_roster,
    notify_promotion,
)
from .volunteer_page import (
    SELF_SCAN_NOTE,
    VOLUNTEER_CODE_ALPHABET,
    VOLUNTEER_CODE_PURPOSE,
    VOLUNTEER_LOCK_AFTER,
    VOLUNTEER_LOCK_MINUTES,
    do_issue_volunteer_code,
    do_log_in_volunteer,
    do_report_own_hours,
    do_request_own_correction,
    do_scan_own_shift,
    normalise_volunteer_code,
    volunteer_actor,
)
from .volunteers import (
    RevealedVolunteer,
    do_create_shift,
    do_decide_correction,
    do_decide_hours,
    do_issue_certificate,
    do_register_volunteer,
    do_report_hours,
    do_request_correction,
    do_reveal_volunteer,
    do_scan_shift,
)

# The names before the do_<verb>_<noun> convention, for the browser tests outside this app.
create_event = do_create_event
create_shift = do_create_shift
issue_volunteer_code = do_issue_volunteer_code
register_volunteer = do_register_volunteer
save_position_staff = do_save_position_staff

__all__ = [
    "CHECKIN_EARLY",
    "CHECKIN_LATE",
    "ID_PURPOSE",
    "MAX_PHOTO_BYTES",
    "PHONE_PURPOSE",
    "PHONE_RE",
    "PHOTO_TYPES",
    "SELF_SCAN_NOTE",
    "VOLUNTEER_CODE_ALPHABET",
    "VOLUNTEER_CODE_PURPOSE",
    "VOLUNTEER_LOCK_AFTER",
    "VOLUNTEER_LOCK_MINUTES",
    "Live",
    "RevealedVolunteer",
    "SeriesUpdate",
    "SignupResult",
    "_check_photo",
    "clean_phone",
    "create_event",
    "create_shift",
    "do_add_milestone",
    "do_adopt_wish",
    "do_advance_alliance_order",
    "do_advance_order",
    "do_cancel_event",
    "do_cancel_signup",
    "do_check_in",
    "do_complete_milestone",
    "do_create_event",
    "do_create_shift",
    "do_decide_correction",
    "do_decide_hours",
    "do_decline_wish",
    "do_issue_certificate",
    "do_issue_volunteer_code",
    "do_log_in_volunteer",
    "do_make_wish",
    "do_order_alliance_project",
    "do_place_order",
    "do_record_contribution",
    "do_record_decision",
    "do_register_volunteer",
    "do_release_due_seats",
    "do_release_held_seats",
    "do_remove_position_staff",
    "do_report_hours",
    "do_report_own_hours",
    "do_request_correction",
    "do_request_own_correction",
    "do_reveal_phone",
    "do_reveal_volunteer",
    "do_save_menu_item",
    "do_save_position",
    "do_save_position_staff",
    "do_save_project",
    "do_save_series",
    "do_save_space",
    "do_scan_own_shift",
    "do_scan_shift",
    "do_schedule_series",
    "do_sign_up",
    "do_update_series_events",
    "event_roster",
    "is_overdue",
    "issue_volunteer_code",
    "normalise_volunteer_code",
    "notify_promotion",
    "person_key",
    "register_volunteer",
    "save_position_staff",
    "volunteer_actor",
]
