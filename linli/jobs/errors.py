"""The jobs app's errors, with stable codes."""

from __future__ import annotations

from linli.core.errors import DomainError


class JobError(DomainError):
    code = "job"


class JobStopped(Exception):
    """Raised inside a running task when its job was cancelled or taken over by another worker:
    the task stops at once and writes nothing more."""
