"""The risk module's Celery tasks: thin shells that run one service on a job."""

from __future__ import annotations

from celery import shared_task

from linli.jobs import services as jobs


@shared_task(name="linli.risk.tasks.papers", acks_late=True)
def papers(job_id: int) -> None:
    """Render a round's white papers (``paper.do_run_paper_batch``); resumes where a dead
    worker stopped."""
    from . import paper

    jobs.do_run_job(job_id, paper.do_run_paper_batch)


@shared_task(name="linli.risk.tasks.refresh_papers", ignore_result=True)
def refresh_papers(refs: dict[str, list[int]]) -> int:
    """After a change: re-render the stored white papers it touches (``paper.refresh``), so the
    next download is served from storage at once."""
    from . import paper

    return paper.refresh(refs)


@shared_task(name="linli.risk.tasks.hazard_deadlines")
def hazard_deadlines() -> dict[str, int]:
    """Daily: reminders 3 working days before and on a rectification deadline; escalation when
    overdue (``services.do_send_hazard_reminders``)."""
    from . import services

    return services.do_send_hazard_reminders()
