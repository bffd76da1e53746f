"""The lift-retrofit app's errors. Each ``code`` is stable: the API returns it and callers
(the pages, the owner page's throttle, integrations) branch on it, never on the message."""

from linli.core.errors import DomainError


class ElevatorError(DomainError):
    """A change refused for a reason the person can act on (``field`` names the input)."""

    code = "elevator"


class StageBlocked(ElevatorError):
    """The project cannot move to the asked stage yet (documents missing, vote not passed)."""

    code = "stage_blocked"


class RollInUse(ElevatorError):
    """The owner roll already has ballots: rebuilding or merging would change cast votes."""

    code = "roll_in_use"


class VoteClosed(ElevatorError):
    """The vote's deadline has passed or staff closed it."""

    code = "vote_closed"


class NoBallot(ElevatorError):
    """The owner has no ballot entered for them to confirm."""

    code = "no_ballot"


class DocumentNotFound(ElevatorError):
    """Not a document of the owner's own project (the owner page answers 404)."""

    code = "not_found"


class OwnerAccessDenied(ElevatorError):
    """Wrong personal code or ID tail on the owner page; reveals nothing about which."""

    code = "owner_access"


class OwnerLocked(OwnerAccessDenied):
    """Too many wrong ID tails for one code from one address: locked there for a while."""

    code = "locked"
