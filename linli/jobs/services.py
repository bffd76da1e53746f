"""Jobs: submit, claim, report progress, finish, cancel, retry, sweep.

A job is the record of one piece of long work. The web process creates it and enqueues its
Celery task after the transaction commits; a worker *claims* it (so a message delivered twice
runs once), reports progress (which is also its heartbeat), and finishes it. A worker that dies
stops its heartbeat: ``do_sweep_jobs`` puts such a job back in the queue, and the task picks it up
where the work left off (tasks are written to skip what is already done).
"""

from __future__ import annotations

import functools
import importlib
import logging
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, policy
from linli.core.context import Actor
from linli.core.errors import DomainError
from linli.notices import services as notices

from .errors import JobError, JobStopped
from .models import Job

log = logging.getLogger(__name__)

ACTIVE = (Job.State.QUEUED, Job.State.RUNNING)
ENDED = (Job.State.DONE, Job.State.FAILED, Job.State.CANCELLED)


def stale_after() -> timedelta:
    """How long a running job may go without a heartbeat before it counts as abandoned."""
    return timedelta(seconds=int(getattr(settings, "LINLI_JOB_STALE_SECONDS", 120)))


def max_attempts() -> int:
    return int(getattr(settings, "LINLI_JOB_MAX_ATTEMPTS", 3))


def result_days() -> int:
    return int(getattr(settings, "LINLI_JOB_RESULT_DAYS", 7))


def worker_name() -> str:
    return f"{socket.gethostname()}:{__import__('os').getpid()}"


# --------------------------------------------------------------------------- the web side


def do_submit_job(
    actor: Actor,
    kind: str,
    task: str,
    *,
    title: str,
    params: dict[str, Any] | None = None,
    total: int = 0,
) -> Job:
    """Record a job and queue its task once the caller's transaction commits."""
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            task=task,
            title=title[:200],
            params=dict(params or {}),
            total=total,
            requested_by=actor.user,
            requested_name=actor.label[:150],
            enqueued_at=timezone.now(),
        )
        audit.record(actor, "jobs.submit", job, details={"kind": kind})
        transaction.on_commit(lambda: do_enqueue_job(job.pk, task))
    return job


def do_enqueue_job(job_id: int, task: str) -> None:
    """Send the job's task to the broker (the task receives the job's id).

    The task's module is imported by name (``linli.risk.tasks.papers`` → ``linli.risk.tasks``)
    so the web process sends it with the task's own options, eager in tests included.
    """
    from linli.celery import app

    importlib.import_module(task.rpartition(".")[0])
    app.tasks[task].apply_async(args=(job_id,))


def visible_jobs(user: Any) -> QuerySet[Job]:
    """Each user sees the jobs they asked for; the street admin sees every job."""
    qs = Job.objects.select_related("requested_by")
    if policy.can(user, "jobs.view_all"):
        return qs
    return qs.filter(requested_by=user)


def _own(actor: Actor, job: Job) -> None:
    if job.requested_by_id != getattr(actor.user, "pk", None) and not policy.can(
        actor.user, "jobs.view_all"
    ):
        raise JobError(_("只能操作自己发起的任务"), code="job_not_yours")


def do_cancel_job(actor: Actor, job: Job) -> Job:
    """Stop a queued or running job: a running task notices at its next progress report."""
    _own(actor, job)
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, state__in=ACTIVE).update(
            state=Job.State.CANCELLED, finished_at=timezone.now()
        )
        if not updated:
            raise JobError(_("任务已结束，无法取消"), code="job_ended")
        audit.record(actor, "jobs.cancel", job)
    job.refresh_from_db()
    return job


def do_retry_job(actor: Actor, job: Job) -> Job:
    """Run a failed or cancelled job again; the task resumes from what is already done."""
    _own(actor, job)
    with transaction.atomic():
        updated = Job.objects.filter(
            pk=job.pk, state__in=(Job.State.FAILED, Job.State.CANCELLED)
        ).update(
            state=Job.State.QUEUED,
            error="",
            attempts=0,
            worker="",
            finished_at=None,
            enqueued_at=timezone.now(),
        )
        if not updated:
            raise JobError(_("只有失败或已取消的任务可以重试"), code="job_not_retryable")
        audit.record(actor, "jobs.retry", job)
        transaction.on_commit(lambda: do_enqueue_job(job.pk, job.task))
    job.refresh_from_db()
    return job


def do_open_result(actor: Actor, job: Job) -> IO[bytes]:
    """The result file, for the person who asked, until it expires (each download audited)."""
    if job.requested_by_id != getattr(actor.user, "pk", None):
        raise JobError(_("只有发起人可以下载任务结果"), code="job_not_yours")
    if job.state != Job.State.DONE or not job.result:
        raise JobError(_("任务没有可下载的结果"), code="job_no_result")
    if job.expires_at is not None and job.expires_at <= timezone.now():
        raise JobError(_("结果已过期，请重新发起任务"), code="job_expired")
    audit.record(actor, "jobs.download", job)
    return job.result.open("rb")


# --------------------------------------------------------------------------- the worker side


def do_claim_job(job_id: int, worker: str | None = None) -> Job | None:
    """Take the job for this worker, or return None when there is nothing to do.

    A message can arrive twice (a re-delivery after a lost acknowledgement, or the sweeper's
    re-queue racing the original): only one delivery gets a queued or abandoned job.
    """
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state in ENDED:
            return None
        if (
            job.state == Job.State.RUNNING
            and job.heartbeat_at is not None
            and job.heartbeat_at > now - stale_after()
        ):
            return None  # another worker holds it and is alive
        if job.attempts >= max_attempts():
            job.state = Job.State.FAILED
            job.error = _("工作进程多次中断，任务已停止；请稍后重试")
            job.finished_at = now
            job.save(update_fields=["state", "error", "finished_at"])
            return None
        job.state = Job.State.RUNNING
        job.worker = (worker or worker_name())[:150]
        job.attempts += 1
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.save(update_fields=["state", "worker", "attempts", "started_at", "heartbeat_at"])
    return job


def _mine(job: Job) -> QuerySet[Job]:
    return Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, worker=job.worker)


def do_report_progress(job: Job, done: int, total: int | None = None) -> None:
    """Record progress (and the heartbeat); raise JobStopped when the job is no longer ours."""
    changes: dict[str, Any] = {"done": done, "heartbeat_at": timezone.now()}
    if total is not None:
        changes["total"] = total
        job.total = total
    if not _mine(job).update(**changes):
        raise JobStopped(job.pk)
    job.done = done


def do_attach_result(job: Job, name: str, content: IO[bytes] | File[Any]) -> None:
    """Store the job's result file (a PDF zip, an Excel file) for a limited time."""
    stored = content if isinstance(content, File) else File(content)
    job.result.save(f"job-{job.pk}-{name}", stored, save=False)
    job.result_name = name[:200]
    job.expires_at = timezone.now() + timedelta(days=result_days())
    if not _mine(job).update(
        result=job.result.name, result_name=job.result_name, expires_at=job.expires_at
    ):
        job.result.delete(save=False)
        raise JobStopped(job.pk)


def do_finish_job(job: Job) -> None:
    now = timezone.now()
    with transaction.atomic():
        if _mine(job).update(
            state=Job.State.DONE, done=job.done, finished_at=now, heartbeat_at=now
        ):
            _tell_owner(job, "jobs.done", {}, f"jobs.done:{job.pk}")


def do_fail_job(job: Job, message: str) -> None:
    with transaction.atomic():
        if _mine(job).update(
            state=Job.State.FAILED, error=message[:500], finished_at=timezone.now()
        ):
            params = {"error": message[:200]}
            _tell_owner(job, "jobs.failed", params, f"jobs.failed:{job.pk}:{job.attempts}")


def _tell_owner(job: Job, kind: str, params: dict[str, str], key: str) -> None:
    """The person who asked hears of the outcome in their inbox (a link to the jobs page)."""
    if job.requested_by_id is None:
        return
    owner = job.requested_by
    notices.do_send_notice(kind, {"job": job.title, "url": "/jobs/", **params}, key=key, user=owner)


def do_run_job(job_id: int, body: Callable[[Job], None]) -> Job | None:
    """Claim the job and run ``body(job)``; record the outcome. What every task calls.

    A domain error becomes the job's error in words; any other exception is logged and
    recorded as an internal error, so the page never shows a traceback.
    """
    job = do_claim_job(job_id)
    if job is None:
        return None
    try:
        body(job)
    except JobStopped:
        log.info("job %s stopped (cancelled or taken over)", job_id)
        return job
    except DomainError as exc:
        do_fail_job(job, exc.message)
    except Exception:
        log.exception("job %s failed", job_id)
        do_fail_job(job, _("内部错误，任务未完成；请重试或联系管理员"))
    else:
        do_finish_job(job)
    job.refresh_from_db()
    return job


# --------------------------------------------------------------------------- schedules


def do_sweep_jobs(now: datetime | None = None) -> int:
    """Put abandoned jobs back in the queue: running without a heartbeat, or queued for long
    without being picked up (a message lost with a killed worker). Returns how many."""
    now = now or timezone.now()
    before = now - stale_after()
    abandoned = Job.objects.filter(
        Q(state=Job.State.RUNNING, heartbeat_at__lt=before)
        | Q(state=Job.State.QUEUED, enqueued_at__lt=before)
    )
    requeued = 0
    for job_id, task in abandoned.values_list("pk", "task"):
        with transaction.atomic():
            n = (
                Job.objects.filter(pk=job_id)
                .filter(
                    Q(state=Job.State.RUNNING, heartbeat_at__lt=before)
                    | Q(state=Job.State.QUEUED, enqueued_at__lt=before)
                )
                .update(state=Job.State.QUEUED, worker="", enqueued_at=now)
            )
            if n:
                requeued += 1
                transaction.on_commit(functools.partial(do_enqueue_job, job_id, task))
    return requeued


def do_purge_results(now: datetime | None = None) -> int:
    """Delete result files whose download time is over (the job record stays)."""
    now = now or timezone.now()
    purged = 0
    for job in Job.objects.filter(expires_at__lte=now).exclude(result=""):
        job.result.delete(save=False)
        Job.objects.filter(pk=job.pk).update(result="")
        purged += 1
    return purged
