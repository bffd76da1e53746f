"""Jobs: claiming once, heartbeats, the sweeper, cancel and retry, results for their owner."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from django.utils import timezone

from linli.core.context import Actor
from linli.core.models import AuditRecord
from linli.jobs import services as jobs
from linli.jobs.errors import JobError, JobStopped
from linli.jobs.models import Job

pytestmark = pytest.mark.django_db

TASK = "linli.jobs.tests.tasks_for_tests.count_to"


def _job(user: Any = None, **kw: Any) -> Job:
    return Job.objects.create(
        kind="test.count", task=TASK, title="数到十", requested_by=user, total=10, **kw
    )


def test_submit_records_and_audits_then_enqueues_after_commit(
    users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    actor = Actor(users["street_staff"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = jobs.do_submit_job(
            actor, "test.count", TASK, title="数到十", params={"to": 3}, total=3
        )
    assert len(callbacks) == 1
    job.refresh_from_db()
    # The eager test task counted to 3 through the job's progress.
    assert (job.state, job.done, job.total, job.attempts) == ("done", 3, 3, 1)
    assert job.requested_by == users["street_staff"]
    assert AuditRecord.objects.filter(action="jobs.submit", object_id=str(job.pk)).exists()


def test_a_job_is_claimed_once_while_its_worker_is_alive(users: Any) -> None:
    job = _job()
    first = jobs.do_claim_job(job.pk, "w1")
    assert first is not None and first.state == "running" and first.worker == "w1"
    assert jobs.do_claim_job(job.pk, "w2") is None  # a duplicate delivery does nothing
    Job.objects.filter(pk=job.pk).update(state="done")
    assert jobs.do_claim_job(job.pk, "w2") is None  # ended jobs are never run again


def test_an_abandoned_job_is_taken_over_and_the_old_worker_stops(settings: Any) -> None:
    settings.LINLI_JOB_STALE_SECONDS = 60
    job = _job()
    old = jobs.do_claim_job(job.pk, "w1")
    assert old is not None
    jobs.do_report_progress(old, 4)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    new = jobs.do_claim_job(job.pk, "w2")
    assert new is not None and new.attempts == 2 and new.done == 4
    with pytest.raises(JobStopped):
        jobs.do_report_progress(old, 5)  # the first worker woke up: it must not write any more
    jobs.do_report_progress(new, 5)
    assert Job.objects.get(pk=job.pk).done == 5


def test_a_job_that_keeps_killing_its_worker_fails_with_a_reason(settings: Any) -> None:
    settings.LINLI_JOB_MAX_ATTEMPTS = 2
    job = _job(attempts=2, state="running", heartbeat_at=timezone.now() - timedelta(hours=1))
    assert jobs.do_claim_job(job.pk, "w3") is None
    job.refresh_from_db()
    assert job.state == "failed" and "多次中断" in job.error


def test_sweep_requeues_silent_running_and_lost_queued_jobs(
    settings: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    settings.LINLI_JOB_STALE_SECONDS = 60
    sent: list[int] = []
    monkeypatch.setattr(jobs, "do_enqueue_job", lambda job_id, task: sent.append(job_id))
    now = timezone.now()
    old = now - timedelta(seconds=120)
    silent = _job(state="running", worker="w1", heartbeat_at=old)
    alive = _job(state="running", worker="w2", heartbeat_at=now)
    lost = _job(state="queued", enqueued_at=old)
    waiting = _job(state="queued", enqueued_at=now)
    finished = _job(state="done", heartbeat_at=old)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.do_sweep_jobs(now) == 2
    assert sorted(sent) == sorted([silent.pk, lost.pk])
    states = dict(Job.objects.values_list("pk", "state"))
    assert states[silent.pk] == "queued" and states[alive.pk] == "running"
    assert states[waiting.pk] == "queued" and states[finished.pk] == "done"
    assert Job.objects.get(pk=silent.pk).worker == ""


def test_cancel_stops_a_running_job_at_its_next_report(users: Any) -> None:
    job = _job(users["street_staff"])
    running = jobs.do_claim_job(job.pk, "w1")
    assert running is not None
    jobs.do_cancel_job(Actor(users["street_staff"]), job)
    with pytest.raises(JobStopped):
        jobs.do_report_progress(running, 2)
    assert Job.objects.get(pk=job.pk).state == "cancelled"
    with pytest.raises(JobError) as err:
        jobs.do_cancel_job(Actor(users["street_staff"]), job)
    assert err.value.code == "job_ended"


def test_only_the_owner_or_the_street_admin_may_cancel_or_retry(
    users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = _job(users["street_staff"], state="failed", error="x")
    with pytest.raises(JobError) as err:
        jobs.do_retry_job(Actor(users["committee_staff"]), job)
    assert err.value.code == "job_not_yours"
    with django_capture_on_commit_callbacks(execute=True):
        jobs.do_retry_job(Actor(users["street_admin"]), job)
    job.refresh_from_db()
    assert (job.state, job.error, job.attempts) == ("done", "", 1)  # the eager task ran it


def test_retry_refuses_a_job_that_is_running_or_done(users: Any) -> None:
    job = _job(users["street_staff"], state="done")
    with pytest.raises(JobError) as err:
        jobs.do_retry_job(Actor(users["street_staff"]), job)
    assert err.value.code == "job_not_retryable"


def test_a_result_is_for_the_person_who_asked_until_it_expires(users: Any) -> None:
    owner = users["street_staff"]
    job = _job(owner)
    running = jobs.do_claim_job(job.pk, "w1")
    assert running is not None
    jobs.do_attach_result(running, "清单.xlsx", BytesIO(b"PK-data"))
    jobs.do_finish_job(running)
    job.refresh_from_db()
    with jobs.do_open_result(Actor(owner), job) as handle:
        assert handle.read() == b"PK-data"
    assert AuditRecord.objects.filter(action="jobs.download", object_id=str(job.pk)).exists()
    with pytest.raises(JobError) as err:
        jobs.do_open_result(Actor(users["street_admin"]), job)  # may see the job, not the file
    assert err.value.code == "job_not_yours"
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    job.refresh_from_db()
    with pytest.raises(JobError) as err:
        jobs.do_open_result(Actor(owner), job)
    assert err.value.code == "job_expired"
    assert jobs.do_purge_results() == 1
    job.refresh_from_db()
    assert not job.result


def test_a_domain_error_becomes_the_jobs_error_in_words() -> None:
    from linli.core.errors import DomainError

    job = _job()

    def body(j: Job) -> None:
        raise DomainError("第 3 行 [门牌]：不存在")

    jobs.do_run_job(job.pk, body)
    job.refresh_from_db()
    assert (job.state, job.error) == ("failed", "第 3 行 [门牌]：不存在")


def test_an_unexpected_error_is_recorded_without_a_traceback() -> None:
    job = _job()

    def body(j: Job) -> None:
        raise ZeroDivisionError("division by zero")

    jobs.do_run_job(job.pk, body)
    job.refresh_from_db()
    assert job.state == "failed"
    assert "内部错误" in job.error and "division" not in job.error


def test_the_person_who_asked_hears_of_the_outcome(users: Any) -> None:
    from linli.notices.models import Notice

    owner = users["street_staff"]
    done = Job.objects.create(kind="k", task=TASK, title="导出居民", requested_by=owner)
    jobs.do_run_job(done.pk, lambda j: None)
    failed = Job.objects.create(kind="k", task=TASK, title="导入门牌", requested_by=owner)

    def body(j: Job) -> None:
        from linli.core.errors import DomainError

        raise DomainError("第 3 行 [门牌]：不存在")

    jobs.do_run_job(failed.pk, body)
    texts = sorted(Notice.objects.filter(user=owner).values_list("text", flat=True))
    assert texts == ["后台任务“导入门牌”失败：第 3 行 [门牌]：不存在", "后台任务“导出居民”已完成。"]
    system = Job.objects.create(kind="k", task=TASK, title="白皮书")
    jobs.do_run_job(system.pk, lambda j: None)  # nobody asked: nobody to tell
    assert Notice.objects.count() == 2
