"""A project's clocks: statutory periods on the street's working-day calendar."""

from __future__ import annotations

from datetime import date

from linli.core import workcalendar
from linli.core.workdays import WorkCalendar

from .. import stages
from ..models import Project


def work_calendar() -> WorkCalendar:
    """The street's working-day calendar (core: State Council notices and street overrides)."""
    return workcalendar.work_calendar()


def project_clocks(
    project: Project, today: date, calendar: WorkCalendar | None = None
) -> list[stages.Clock]:
    """The project's clocks, statutory periods rolled off days off by the street calendar
    (``calendar``: the street's, read once by a caller that lists many projects)."""
    dates = project_dates(project, getattr(project, "last_maintenance", None))
    return stages.clocks(dates, today, calendar=calendar or workcalendar.work_calendar())


def project_dates(project: Project, last_maintenance: date | None) -> stages.ProjectDates:
    return stages.ProjectDates(
        planning_notice_start=project.planning_notice_start,
        entered_service=project.entered_service,
        use_registered=project.use_registered,
        last_maintenance=last_maintenance,
        last_inspection=project.last_inspection,
        inspection_due=project.inspection_due,
        inspection_requested=project.inspection_requested,
    )
