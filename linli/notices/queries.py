"""Reads of notices: one's own inbox, the delivery log (street admin), opt-outs in scope."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from linli.core import policy

from .catalogue import INBOX
from .models import Notice, OptOut


def unread_count(user: Any) -> int:
    """The bell: one COUNT over the (user, channel, read_at) index."""
    return Notice.objects.filter(user=user, channel=INBOX, read_at__isnull=True).count()


def inbox(user: Any) -> QuerySet[Notice]:
    """The user's own inbox, unread first, then newest first."""
    return Notice.objects.filter(user=user, channel=INBOX).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-pk"
    )


def delivery_log(
    user: Any, *, state: str = "", kind: str = "", channel: str = ""
) -> QuerySet[Notice]:
    """Every notice, for the street admin; recipients are shown masked."""
    policy.require(user, "notices.log")
    qs = Notice.objects.select_related("user").order_by("-created_at", "-pk")
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if channel:
        qs = qs.filter(channel=channel)
    return qs


def opt_outs(user: Any) -> QuerySet[OptOut]:
    """Opt-outs the user may see: all for street-wide roles, their committee's for committees."""
    policy.require(user, "notices.optout")
    qs = OptOut.objects.select_related("recorded_by").order_by("-recorded_at", "-pk")
    if policy.committee_scope(user) is not None:
        return policy.scoped(qs, user, "recorded_by__committee_id")
    # Recorded by a committee of the user's reach, or by a street-wide account (no committee)
    # of one of its streets — never by another street's office. An account with no street
    # (a one-street installation's) counts as the street's, as ``scoped_street`` has it.
    street_wide = qs.filter(recorded_by__committee__isnull=True)
    return policy.scoped(qs, user, "recorded_by__committee_id") | policy.scoped_street(
        street_wide, user, "recorded_by__subdistrict_id", unassigned=True
    )
