"""The street operations screen's reads: one street, every module the viewer may read.

Each module answers for one street in a few grouped or limited queries
(``<app>.queries.street_operations``), so the screen costs the same number of queries for a
street of ten committees as for one of a city of 6,000 (``linli/dashboard/tests/test_ops.py``). The
facts become panels in ``opsrules``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.community import queries as community
from linli.core import policy, workcalendar
from linli.core.workdays import add_working_days
from linli.elevator import queries as elevator
from linli.fire import queries as fire
from linli.geo.models import Subdistrict
from linli.hall import queries as hall
from linli.risk import queries as risk

from . import opsrules as r

# The modules of the screen and the permission that shows each (the route needs one of them).
PANEL_PERMISSIONS = {
    "hall": "hall.view",
    "hazards": "risk.view",
    "equipment": "fire.view",
    "lifts": "elevator.view",
    "activities": "community.view",
}


def streets(user: Any) -> list[Subdistrict]:
    """The streets the viewer may put on the screen (a district office: each of its own)."""
    return list(policy.streets_in_reach(user).order_by("code"))


def street(user: Any, code: str | None) -> Subdistrict | None:
    """The street named by ``code`` (its division code) if within the viewer's reach, else
    404; without a code, the viewer's only street, or None when it has several to choose."""
    reach = policy.streets_in_reach(user)
    if code:
        found: Subdistrict | None = reach.filter(code=code).first()
        if found is None:
            raise Http404(_("参数 street：不在您可查看的街道之中"))
        return found
    only: list[Subdistrict] = list(reach.order_by("code")[:2])
    return only[0] if len(only) == 1 else None


def _minutes(since: datetime | None, now: datetime) -> int:
    return max(0, int((now - since).total_seconds() // 60)) if since else 0


def facts(user: Any, street_id: int, now: datetime | None = None) -> r.ScreenFacts:
    """Everything the screen shows for one street, for what the viewer may read."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    today = local.date()
    can = {key: policy.can(user, p) for key, p in PANEL_PERMISSIONS.items()}
    hall_facts = escalations = None
    hazards = equipment = lifts = activities = None
    backoffice = cases_overdue = hazards_escalated = None
    oldest: list[r.EscalatedTicket] = []
    calendar = workcalendar.work_calendar() if can["hazards"] or can["lifts"] else None
    if can["hall"]:
        h = hall.street_operations(user, street_id, today, top=r.TOP)
        hall_facts = r.HallFacts(
            tuple(
                r.QueueFacts(
                    q["queue__prefix"], q["queue__name"], q["waiting"],
                    _minutes(q["first_issued"], now),
                )
                for q in h["queues"]
            ),
            h["windows_open"],
            h["windows_active"],
            sum(q["serving"] for q in h["queues"]),
        )  # fmt: skip
        backoffice, cases_overdue = h["backoffice"], h["cases_overdue"]
        oldest = [
            r.EscalatedTicket(
                t["number"], t["queue__name"], t["day"],
                _minutes(t["handed_at"] or t["issued_at"], now),
            )
            for t in h["oldest"]
        ]  # fmt: skip
    if can["hazards"]:
        assert calendar is not None
        horizon = add_working_days(today, 1, calendar)
        k = risk.street_operations(user, street_id, today, horizon, top=r.TOP)
        hazards = r.HazardFacts(
            k["open"], k["overdue"], k["due_today"], k["due_next"], k["grade_a"],
            tuple(
                r.HazardRow(c["committee__name"], c["subunit"], c["grade"], c["due_on"])
                for c in k["top"]
            ),
        )  # fmt: skip
        hazards_escalated = k["escalated"]
    if can["hall"] or can["hazards"]:
        escalations = r.EscalationFacts(backoffice, tuple(oldest), cases_overdue, hazards_escalated)
    if can["equipment"]:
        e = fire.street_operations(user, street_id, today, top=r.TOP)
        equipment = r.EquipmentFacts(
            e["extinguishers"], e["overdue"], e["inspection_due"], e["sprinklers_overdue"],
            e["sprinkler_faults"],
            tuple(r.CommitteeCount(c["committee__name"], c["n"]) for c in e["worst"]),
        )  # fmt: skip
    if can["lifts"]:
        assert calendar is not None
        lf = elevator.street_operations(user, street_id, today, calendar)
        lifts = r.LiftFacts(
            tuple(
                r.ClockRow(
                    c["project_id"], c["project"], c["committee"], c["label"], c["status"],
                    c["due"],
                )
                for c in lf["clocks"]
            ),
            lf["objections_open"],
            lf["votes_closing"],
        )  # fmt: skip
    if can["activities"]:
        a = community.street_operations(user, street_id, today, now, top=r.TOP)
        activities = r.ActivityFacts(
            a["events"], a["ongoing"], a["signed_up"], a["attended"],
            tuple(
                r.EventRow(
                    e["title"], f"{e['space__position__name']} {e['space__name']}",
                    timezone.localtime(e["starts_at"]), timezone.localtime(e["ends_at"]),
                    e["confirmed"], e["capacity"],
                )
                for e in a["rows"]
            ),
        )  # fmt: skip
    return r.ScreenFacts(
        today, local, hall_facts, hazards, equipment, escalations, lifts, activities
    )
