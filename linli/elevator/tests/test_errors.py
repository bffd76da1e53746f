"""The error codes are a contract (the API returns them, the owner page branches on one)."""

from linli.core.errors import DomainError
from linli.elevator import errors

CODES = {
    "ElevatorError": "elevator",
    "StageBlocked": "stage_blocked",
    "RollInUse": "roll_in_use",
    "VoteClosed": "vote_closed",
    "NoBallot": "no_ballot",
    "DocumentNotFound": "not_found",
    "OwnerAccessDenied": "owner_access",
    "OwnerLocked": "locked",
}


def test_every_error_keeps_its_code_and_is_an_elevator_error() -> None:
    found = {
        name: cls.code
        for name, cls in vars(errors).items()
        if isinstance(cls, type) and issubclass(cls, DomainError) and cls is not DomainError
    }
    assert found == CODES
    assert all(issubclass(getattr(errors, name), errors.ElevatorError) for name in CODES)


def test_a_locked_owner_is_still_an_access_refusal() -> None:
    exc = errors.OwnerLocked("x")
    assert isinstance(exc, errors.OwnerAccessDenied)
    assert exc.code == "locked"
