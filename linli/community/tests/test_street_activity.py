"""The district comparison's activity figures (``queries.street_activity``): read in three
index-driven parts, they must equal what one ``OR`` over every event of the period gave."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.community import queries
from linli.community.models import Event, Position, Signup, Space
from linli.core.context import Actor
from linli.core.models import User
from linli.core.roles import Role

pytestmark = pytest.mark.django_db

HUNAN, TIANPING, HUAYANG = "310104004", "310104003", "310105001"


def _with_one_or(streets: list[int], start: Any, end: Any) -> dict[int, dict[str, int]]:
    """The figures as the single query of before computed them: the three hosts in one ``OR``,
    the street by the first host that has one."""
    rows = (
        Event.objects.filter(
            Q(committee__subdistrict_id__in=streets)
            | Q(committee__isnull=True, subdistrict_id__in=streets)
            | Q(
                committee__isnull=True,
                subdistrict__isnull=True,
                space__position__committee__subdistrict_id__in=streets,
            ),
            starts_at__gte=start,
            starts_at__lt=end,
            status=Event.Status.OPEN,
        )
        .annotate(
            street=Coalesce(
                "committee__subdistrict_id",
                "subdistrict_id",
                "space__position__committee__subdistrict_id",
            )
        )
        .values_list("street")
        .annotate(
            n_events=Count("id", distinct=True),
            n_signups=Count("signups", filter=Q(signups__state="confirmed")),
            n_attended=Count("signups", filter=Q(signups__checked_in_at__isnull=False)),
        )
        .order_by()
    )
    return {
        street: {"events": events, "signups": signups, "attended": attended}
        for street, events, signups, attended in rows
    }


@pytest.fixture
def mixed() -> dict[str, Any]:
    """Two streets of 徐汇区 and one of 长宁区, two committees each; per street a centre (the
    street's own), a station per committee and a room lent by a committee; events hosted by a
    committee, by the street alone, by nobody at a committee's room, by nobody at the street's
    centre, some cancelled, some outside the period; sign-ups of every state, some checked in."""
    from linli.geo import divisions
    from linli.geo.models import Committee, Subdistrict

    divisions.load(Actor.system("street activity test"))
    rng = random.Random(20261203)
    now = timezone.now()
    streets = {code: Subdistrict.objects.get(code=code) for code in (HUNAN, TIANPING, HUAYANG)}
    token = iter(range(1, 10**6))
    for code, street in streets.items():
        committees = [
            Committee.objects.create(
                subdistrict=street, code=f"A{code[-3:]}{n}", name=f"{street.name}{n}居委"
            )
            for n in range(2)
        ]
        centre = Position.objects.create(
            kind="centre", name=f"{street.name}中心", address="1号", subdistrict=street
        )
        rooms = [Space.objects.create(position=centre, name="大厅", capacity=40)]
        for c in committees:
            station = Position.objects.create(
                kind="residential_station", name=f"{c.name}站", address="2号", committee=c,
                parent=centre,
            )  # fmt: skip
            rooms.append(Space.objects.create(position=station, name="活动室", capacity=12))
        hosts: list[tuple[Any, Any, Any]] = [
            (rooms[1], committees[0], None),  # a committee's, at its station
            (rooms[0], committees[1], None),  # a committee's, at the street's centre
            (rooms[0], None, street),  # the street's own
            (rooms[2], None, street),  # the street's own, at a committee's room
            (rooms[2], None, None),  # nobody's, at a committee's room: that committee's street
            (rooms[0], None, None),  # nobody's, at the street's centre: no street
        ]
        for k in range(40):
            space, committee, subdistrict = hosts[k % len(hosts)]
            starts = now + timedelta(days=rng.randint(-400, 30), hours=rng.randint(-12, 12))
            status = Event.Status.CANCELLED if k % 11 == 0 else Event.Status.OPEN
            event = Event.objects.create(
                title=f"活动{k}", space=space, starts_at=starts, ends_at=starts + timedelta(hours=2),
                capacity=8, committee=committee, subdistrict=subdistrict, status=status,
            )  # fmt: skip
            for n in range(rng.randint(0, 10)):
                state = rng.choice(["confirmed", "confirmed", "waitlisted", "cancelled"])
                checked = state == "confirmed" and starts < now and rng.random() < 0.7
                Signup.objects.create(
                    event=event, person_key=f"p{n}", name="居民", phone_cipher="x",
                    phone_masked="138****0000", channel="online", state=state,
                    seat="general" if state == "confirmed" else "", rank=n + 1,
                    token=f"{next(token):032d}", created=starts - timedelta(days=1),
                    checked_in_at=starts if checked else None,
                )  # fmt: skip
    office = User.objects.create(
        username="xuhui_civil_a", role=Role.DISTRICT_CIVIL, district=streets[HUNAN].district
    )
    return {"streets": streets, "now": now, "user": office}


def test_street_activity_equals_the_single_or_query(mixed: dict[str, Any]) -> None:
    ids = [s.pk for s in mixed["streets"].values()]
    now = mixed["now"]
    for start, end in ((now - timedelta(days=365), now), (now - timedelta(days=30), now)):
        expected = _with_one_or(ids, start, end)
        with CaptureQueriesContext(connection) as ctx:
            got = queries.street_activity(mixed["user"], ids, start, end)
        assert got == expected
        assert len(ctx.captured_queries) == 1
    hunan = mixed["streets"][HUNAN].pk
    assert queries.street_activity(mixed["user"], [hunan], now - timedelta(days=365), now) == {
        hunan: _with_one_or(ids, now - timedelta(days=365), now)[hunan]
    }
    assert queries.street_activity(mixed["user"], [], now - timedelta(days=365), now) == {}
