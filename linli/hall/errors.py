"""The service centre's errors: one ``HallError`` whose ``code`` is stable for the API, the
kiosk's JSON answer and the tests; the message is for people (Chinese, translated)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from linli.core.errors import DomainError

from .rules import HallRuleError


class HallError(DomainError):
    code = "hall"


class StaleConfig(Exception):
    """The hall configuration changed since the kiosk's cached copy was read."""


# Every code a ``HallError`` carries. Clients (ticket machines, the kiosk's JSON form) branch
# on them, so a code is never renamed; ``linli/hall/tests/test_errors.py`` keeps this list complete.
CODES = frozenset(
    {
        "hall",
        # the kiosk and tickets
        "bad_id", "id_required", "backoffice_queue", "unknown_queue", "hall_closed",
        # the window
        "not_on_duty", "not_yours", "busy", "taken", "bad_number", "unknown_ticket",
        "forbidden_transition", "recall_limit", "reason_required", "note_required",
        # cases, ratings, lockers
        "not_self_service", "ticket_state", "bad_phone", "bad_stars", "not_done",
        "already_rated", "case_open", "no_id", "locker_busy", "no_match", "expired",
        # appointments
        "bad_capacity", "bad_range", "slot_past", "slot_full", "already_booked", "unknown",
        "no_appointment_queue", "no_booking",
        # set-up
        "other_hall", "no_skills", "bad_hours", "code_taken", "prefix_taken", "number_taken",
    }
)  # fmt: skip

RULE_MESSAGES = {
    "forbidden_transition": "该号码当前状态不允许此操作。",
    "recall_limit": "已达到重呼次数上限，请按过号处理。",
}


def rule_error(exc: HallRuleError) -> HallError:
    """A refusal of the pure rules as the error the pages and the API show (same code)."""
    return HallError(_(RULE_MESSAGES.get(exc.code, "操作不符合叫号规则。")), code=exc.code)
