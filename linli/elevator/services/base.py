"""What every writer shares: the permission check of a committee's lift work, and today."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from linli.core import policy
from linli.core.context import Actor


def _manage(actor: Actor, committee_id: int) -> None:
    policy.require(actor.user, "elevator.manage")
    policy.require_in_scope(actor.user, committee_id)


def _today() -> date:
    return timezone.localdate()
