"""The community app's errors. Each ``code`` is stable: the API returns it and callers (the
pages, the volunteer page's throttle, integrations) branch on it, never on the message."""

from linli.core.errors import DomainError


class CommunityError(DomainError):
    """A change refused for a reason the person can act on (``field`` names the input)."""

    code = "community"


class PhoneInvalid(CommunityError):
    """Not an 11-digit mainland mobile number."""

    code = "phone"


class NameInvalid(CommunityError):
    """Name missing or too long."""

    code = "name"


class Closed(CommunityError):
    """The activity has started (sign-ups and cancellations are over) or the offer is closed."""

    code = "closed"


class Cancelled(CommunityError):
    """The activity was cancelled."""

    code = "cancelled"


class Duplicate(CommunityError):
    """The same person or name is already there (a sign-up, a position, a space …)."""

    code = "duplicate"


class UnknownRecord(CommunityError):
    """No such sign-up or check-in code, or it was cancelled."""

    code = "unknown"


class NotNow(CommunityError):
    """Outside the check-in window of the activity or shift."""

    code = "not_now"


class AlreadyDone(CommunityError):
    """Checked in or checked out already."""

    code = "already"


class NotConfirmed(CommunityError):
    """A waiting or held sign-up cannot check in."""

    code = "not_confirmed"


class NotAllowed(CommunityError):
    """The account may not see or change this (another unit's order, someone else's record)."""

    code = "denied"


class WrongState(CommunityError):
    """The record has moved on (a wish answered, an order past this step, hours decided)."""

    code = "state"


class DoubleBooked(CommunityError):
    """The space is taken at that time."""

    code = "double_booked"


class NoHours(CommunityError):
    """No approved hours to certify."""

    code = "no_hours"


class NotSchool(CommunityError):
    """Only an alliance school may order an alliance project."""

    code = "not_school"


class NotMember(CommunityError):
    """The volunteer is not in the shift's team."""

    code = "not_member"


class CorrectionOpen(CommunityError):
    """The record already has a correction waiting for the leader."""

    code = "open"


class VolunteerAccessDenied(CommunityError):
    """Wrong personal code or phone tail on the volunteer page; reveals nothing about which."""

    code = "volunteer_access"


class VolunteerLocked(VolunteerAccessDenied):
    """Too many wrong phone tails for one code from one address: locked there for a while."""

    code = "locked"
