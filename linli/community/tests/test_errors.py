"""The error codes are a contract (the API returns them, the volunteer page branches on one)."""

from linli.community import errors
from linli.core.errors import DomainError

CODES = {
    "CommunityError": "community",
    "PhoneInvalid": "phone",
    "NameInvalid": "name",
    "Closed": "closed",
    "Cancelled": "cancelled",
    "Duplicate": "duplicate",
    "UnknownRecord": "unknown",
    "NotNow": "not_now",
    "AlreadyDone": "already",
    "NotConfirmed": "not_confirmed",
    "NotAllowed": "denied",
    "WrongState": "state",
    "DoubleBooked": "double_booked",
    "NoHours": "no_hours",
    "NotSchool": "not_school",
    "NotMember": "not_member",
    "CorrectionOpen": "open",
    "VolunteerAccessDenied": "volunteer_access",
    "VolunteerLocked": "locked",
}


def test_every_error_keeps_its_code_and_is_a_community_error() -> None:
    found = {
        name: cls.code
        for name, cls in vars(errors).items()
        if isinstance(cls, type) and issubclass(cls, DomainError) and cls is not DomainError
    }
    assert found == CODES
    assert all(issubclass(getattr(errors, name), errors.CommunityError) for name in CODES)


def test_a_field_error_names_its_field_and_keeps_the_class_code() -> None:
    exc = errors.Duplicate("x", field="phone")
    assert (exc.code, exc.field) == ("duplicate", "phone")
