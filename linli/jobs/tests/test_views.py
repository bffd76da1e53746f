"""The jobs page: one's own jobs, the street admin's view of all, live state, cancel, retry,
download for the person who asked."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.jobs import services as jobs
from linli.jobs.models import Job

pytestmark = pytest.mark.django_db


def _job(user: Any, title: str = "导出居民", **kw: Any) -> Job:
    return Job.objects.create(
        kind="geo.export", task="linli.jobs.tests.tasks_for_tests.count_to", title=title,
        requested_by=user, requested_name=user.username, total=10, **kw,
    )  # fmt: skip


def test_each_user_sees_their_own_jobs(users: Any, login: Any) -> None:
    _job(users["street_staff"], "平安办的导出")
    _job(users["committee_staff"], "居委的导出")
    page = login("committee_staff").get("/jobs/").content.decode()
    assert "居委的导出" in page and "平安办的导出" not in page


def test_the_street_admin_may_list_every_job(users: Any, login: Any) -> None:
    _job(users["street_staff"], "平安办的导出")
    client = login("street_admin")
    assert "平安办的导出" not in client.get("/jobs/").content.decode()
    assert "平安办的导出" in client.get("/jobs/?who=all").content.decode()


def test_someone_elses_job_cannot_be_cancelled_or_read(users: Any, login: Any) -> None:
    job = _job(users["street_staff"])
    client = login("committee_staff")
    assert client.post(f"/jobs/{job.pk}/cancel/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    assert client.get(f"/jobs/status.json?id={job.pk}").json() == {"jobs": []}
    assert Job.objects.get(pk=job.pk).state == "queued"


def test_cancel_says_what_happened(users: Any, login: Any) -> None:
    job = _job(users["street_staff"], "导出全部居民")
    client = login("street_staff")
    page = client.post(f"/jobs/{job.pk}/cancel/", follow=True).content.decode()
    assert "已取消任务“导出全部居民”" in page
    assert Job.objects.get(pk=job.pk).state == "cancelled"
    page = client.post(f"/jobs/{job.pk}/cancel/", follow=True).content.decode()
    assert "任务已结束，无法取消" in page


def test_the_live_state_of_running_jobs(users: Any, login: Any) -> None:
    job = _job(users["street_staff"], state="running", done=4)
    data = login("street_staff").get(f"/jobs/status.json?id={job.pk}&id=x").json()
    assert data["jobs"] == [
        {"id": job.pk, "kind": "geo.export", "state": "running", "done": 4, "total": 10,
         "error": "", "state_label": "进行中", "percent": 40, "has_result": False}
    ]  # fmt: skip


def test_the_owner_downloads_the_result(users: Any, login: Any) -> None:
    job = _job(users["street_staff"])
    running = jobs.do_claim_job(job.pk, "w1")
    assert running is not None
    jobs.do_attach_result(running, "居民.xlsx", BytesIO(b"xlsx-bytes"))
    jobs.do_finish_job(running)
    client = login("street_staff")
    page = client.get("/jobs/").content.decode()
    assert f"/jobs/{job.pk}/download/" in page and "下载结果" in page
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"xlsx-bytes"
    assert "attachment" in response["Content-Disposition"]
    # The street admin sees the job but gets no download link and no file.
    admin = login("street_admin")
    assert f"/jobs/{job.pk}/download/" not in admin.get("/jobs/?who=all").content.decode()
    assert admin.get(f"/jobs/{job.pk}/download/", follow=True).status_code == 200
    assert (
        "只有发起人可以下载任务结果"
        in admin.get(f"/jobs/{job.pk}/download/", follow=True).content.decode()
    )


def test_the_jobs_page_costs_the_same_queries_for_5_or_25_jobs(users: Any, login: Any) -> None:
    client = login("street_admin")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/jobs/?who=all").status_code == 200
        return len(ctx)

    for i in range(5):
        _job(users["street_staff"], f"任务{i}")
    few = count()
    for i in range(20):
        _job(users["committee_staff"], f"任务{i + 5}")
    assert count() == few


def test_the_street_admin_changes_a_schedule_and_it_is_audited(users: Any, login: Any) -> None:
    from django_celery_beat.models import PeriodicTask

    from linli.core.models import AuditRecord

    task = PeriodicTask.objects.get(name="linli.risk.hazard_deadlines")
    client = login("street_admin")
    page = client.get("/jobs/schedules/").content.decode()
    assert "隐患整改期限提醒与逾期升级" in page and "每天 08:00" in page
    assert "每周一 08:30" in page and "每 30 秒" in page and "每小时第 5 分" in page
    form = {"enabled": "", "minute": "30", "hour": "7", "day_of_week": "1-5"}
    page = client.post(f"/jobs/schedules/{task.pk}/", form, follow=True).content.decode()
    assert "已保存“隐患整改期限提醒与逾期升级”的计划" in page and "每周一至周五 07:30" in page
    task.refresh_from_db()
    assert not task.enabled
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("30", "7", "1-5")
    assert AuditRecord.objects.filter(action="jobs.schedule.change").count() == 1


def test_a_bad_schedule_names_the_field_and_changes_nothing(users: Any, login: Any) -> None:
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="linli.risk.hazard_deadlines")
    client = login("street_admin")
    form = {"enabled": "on", "minute": "0", "hour": "25", "day_of_week": "*"}
    response = client.post(f"/jobs/schedules/{task.pk}/", form)
    assert response.status_code == 200
    assert "“25”不是有效的取值" in response.content.decode()
    task.refresh_from_db()
    assert task.crontab.hour == "8" and task.enabled


def test_only_the_street_admin_sees_the_schedules(users: Any, login: Any) -> None:
    for role in ("street_staff", "committee_staff", "auditor", "window_clerk"):
        assert login(role).get("/jobs/schedules/").status_code == 403


def test_run_now_runs_the_scheduled_task(users: Any, login: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    lost = _job(users["street_staff"], enqueued_at=timezone.now() - timedelta(hours=1))
    task = PeriodicTask.objects.get(name="linli.jobs.sweep")
    page = (
        login("street_admin").post(f"/jobs/schedules/{task.pk}/run/", follow=True).content.decode()
    )
    assert "已发送“重新排队中断的后台任务”" in page
    lost.refresh_from_db()
    assert lost.enqueued_at > timezone.now() - timedelta(minutes=1)  # the sweep re-queued it


def test_every_schedule_names_a_task_that_exists() -> None:
    import importlib

    from django_celery_beat.models import PeriodicTask

    from linli.celery import app

    names = list(PeriodicTask.objects.values_list("task", flat=True))
    assert len(names) >= 12
    for name in names:
        importlib.import_module(name.rpartition(".")[0])
        assert name in app.tasks, name


def test_the_schedules_read_in_english(users: Any, login: Any) -> None:
    client = login("street_admin")
    client.post("/i18n/setlang/", {"language": "en", "next": "/jobs/schedules/"})
    page = client.get("/jobs/schedules/").content.decode()
    assert "Hazard deadline reminders and escalation when overdue" in page
    assert "Every Mon at 08:30" in page and "隐患整改期限提醒" not in page
