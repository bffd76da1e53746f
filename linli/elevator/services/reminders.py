"""The daily reminders (celery beat): stage clocks, vote deadlines, vote notices."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from linli.core import workcalendar
from linli.notices import services as notices

from .. import stages
from .base import _today
from .clocks import project_dates
from .votes import do_notify_owners, vote_state


def do_send_stage_reminders(today: date | None = None) -> dict[str, int]:
    """Daily: each project's committee is reminded of clocks due soon or overdue (planning
    notice, registration, maintenance, inspection), of an open vote's deadline 3 days ahead
    with the number of owners yet to vote; owners get the notice of a vote that opens today.
    Each is keyed by project or vote and date, so a re-run sends nothing twice."""
    from .. import queries

    today = today or _today()
    counts = {"clocks": 0, "vote_deadlines": 0, "vote_notices": 0}
    calendar = workcalendar.work_calendar()
    with transaction.atomic():
        for project in queries.projects_for_reminders():
            last: date | None = getattr(project, "last_maintenance", None)
            dates = project_dates(project, last)
            for clock in stages.clock_reminders(stages.clocks(dates, today, calendar=calendar)):
                params = {
                    "project": project.name, "stage": clock.label, "due": clock.due.isoformat(),
                    "url": f"/elevator/projects/{project.pk}/",
                }  # fmt: skip
                notices.do_send_to_unit(
                    "elevator.stage_clock", params,
                    key=f"elevator.stage_clock:{project.pk}:{clock.name}:{clock.due.isoformat()}",
                    committee=project.committee_id,
                )  # fmt: skip
                counts["clocks"] += 1
        for vote in queries.open_votes():
            if stages.vote_notice_due(vote.opens, vote.closes, today):
                counts["vote_notices"] += do_notify_owners(vote)
            if vote.closes is None or not stages.vote_deadline_due(vote.closes, today):
                continue
            state = vote_state(vote)
            owners = {u.owner_id for u in state.units}
            params = {
                "project": vote.project.name, "deadline": vote.closes.isoformat(),
                "missing": str(len(owners - set(state.ballots))),
                "url": f"/elevator/votes/{vote.pk}/",
            }  # fmt: skip
            notices.do_send_to_unit(
                "elevator.vote_deadline", params,
                key=f"elevator.vote_deadline:{vote.pk}:{vote.closes.isoformat()}",
                committee=vote.project.committee_id,
            )  # fmt: skip
            counts["vote_deadlines"] += 1
    return counts
