"""Excel exports and imports as background jobs: scope, sanitised cells, all or nothing,
row errors on the import page, progress and cancel."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from linli.geo.models import Building, Estate, Household
from linli.jobs import services as jobs
from linli.jobs.models import Job

from .helpers import BUILDING_HEADER, xlsx

pytestmark = pytest.mark.django_db

N = 300  # rows per test file: enough for several progress steps, still quick


@pytest.fixture
def many_households(street: Any) -> dict[str, int]:
    """N households in each committee (plus the fixture's one each)."""
    made = {}
    for key in ("1", "2"):
        entrance = street[f"entrance{key}"]
        Household.objects.bulk_create(
            Household(
                entrance=entrance,
                committee=street[f"c{key}"],
                room=f"{i}室",
                floor=1,
                exclusive_area=Decimal("20.00"),
            )
            for i in range(N)
        )
        made[street[f"c{key}"].code] = N + 1
    return made


def _export(client: Any, kind: str, capture: Any, query: str = "") -> Job:
    with capture(execute=True):
        response = client.get(reverse("geo:export", args=[kind]) + query)
    assert response.status_code == 302 and response["Location"] == reverse("jobs:list")
    return Job.objects.filter(kind="geo.export").latest("pk")


def _rows(job: Job) -> list[tuple[Any, ...]]:
    with job.result.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def as_job(settings: Any) -> None:
    settings.LINLI_EXPORT_SYNC_ROWS = 0  # every export runs as a job


def test_export_job_writes_every_row_for_street_staff(
    as_job: None, many_households: Any, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login("street_staff")
    job = _export(client, "households", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == ("done", 2 * (N + 1), 2 * (N + 1))
    rows = _rows(job)
    assert rows[0][:5] == ("居委代码", "小区/弄", "楼栋", "门牌号", "室号")
    assert sorted({r[0] for r in rows[1:]}) == ["HN01", "HN02"]
    assert len(rows) == 1 + 2 * (N + 1)
    # The list page's export button lands on the jobs page, which says so and links the file.
    page = client.get(reverse("jobs:list")).content.decode()
    assert "已在后台生成导出文件" in page and reverse("jobs:download", args=[job.pk]) in page


def test_export_job_holds_only_the_committee_rows_for_committee_staff(
    as_job: None, many_households: Any, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Even a query string naming the other committee cannot widen the scope.
    client = login("committee_staff")
    other = Household.objects.filter(committee__code="HN02").first()
    assert other is not None
    job = _export(
        client,
        "households",
        django_capture_on_commit_callbacks,
        f"?committee={other.committee_id}",
    )
    rows = _rows(job)
    assert {r[0] for r in rows[1:]} == {"HN01"}
    assert len(rows) == 1 + N + 1


def test_export_job_reapplies_the_requesters_current_scope(
    as_job: None, many_households: Any, users: Any, login: Any, street: Any
) -> None:
    """The task trusts the user record, not what was true (or claimed) when it was queued."""
    client = login("street_staff")
    client.get(reverse("geo:export", args=["households"]))  # queued, not yet run
    job = Job.objects.get(kind="geo.export")
    user = users["street_staff"]
    user.role, user.committee = "committee_staff", street["c2"]
    user.save()
    from linli.geo import tasks

    tasks.export.apply(args=(job.pk,))
    job.refresh_from_db()
    assert job.state == "done"
    assert {r[0] for r in _rows(job)[1:]} == {"HN02"}


def test_a_small_export_downloads_at_once_with_formulas_as_text(login: Any, street: Any) -> None:
    Estate.objects.filter(pk=street["estate1"].pk).update(
        address='=HYPERLINK("http://x","点我")', name="@SUM(1)\x07弄"
    )
    response = login("street_staff").get(reverse("geo:export", args=["estates"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "HN01")
    assert row[1].value == "'@SUM(1)弄"  # control character dropped, @ neutralised
    assert row[3].value == '\'=HYPERLINK("http://x","点我")'
    assert row[3].data_type == "s"  # text, not a formula


# --------------------------------------------------------------------------- imports


def _building_rows(n: int) -> list[list[Any]]:
    return [
        ["HN01", "长乐路100弄", f"{i}号楼", "", "里弄", "砖木", 1930, 3, "否", "否", None, None]
        for i in range(n)
    ]


def _import(client: Any, capture: Any, rows: list[list[Any]]) -> Any:
    with capture(execute=True):
        response = client.post(
            reverse("geo:import", args=["buildings"]), {"file": xlsx(BUILDING_HEADER, rows)}
        )
    assert response.status_code == 302
    return client.get(response["Location"])


def test_an_import_of_a_valid_file_creates_every_row_and_reports_progress(
    login: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    seen: list[tuple[int, int | None]] = []
    real = jobs.do_report_progress

    def spy(job: Job, done: int, total: int | None = None) -> None:
        seen.append((done, total))
        real(job, done, total)

    monkeypatch.setattr(jobs, "do_report_progress", spy)
    monkeypatch.setattr("linli.core.excel.PROGRESS_EVERY", 100)
    monkeypatch.setattr("linli.core.bulk.BATCH_SIZE", 100)
    before = Building.objects.count()
    page = _import(login("street_admin"), django_capture_on_commit_callbacks, _building_rows(N))
    assert Building.objects.count() == before + N
    body = page.content.decode()
    assert "导入完成：新增 300 条，更新 0 条。" in body
    job = Job.objects.get(kind="geo.import")
    assert (job.state, job.done, job.total) == ("done", 2 * N, 2 * N)
    # Reading and then writing both move the bar, and it never goes back.
    dones = [d for d, _t in seen]
    assert dones == sorted(dones) and len(set(dones)) >= 6
    assert any(d < N for d in dones) and any(N < d < 2 * N for d in dones)
    assert not _stored(job.params["upload"])  # the upload is removed once imported


def _stored(path: str) -> bool:
    from django.core.files.storage import default_storage

    return bool(default_storage.exists(path))


def test_a_bad_row_57_writes_nothing_and_is_named_on_the_import_page(
    login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rows = _building_rows(N)
    rows[55][7] = "三"  # spreadsheet row 57: the header is row 1
    before = Building.objects.count()
    client = login("street_admin")
    page = _import(client, django_capture_on_commit_callbacks, rows)
    assert Building.objects.count() == before
    job = Job.objects.get(kind="geo.import")
    assert job.state == "failed"
    assert "第 57 行 [层数]" in job.error and "三" in job.error
    body = page.content.decode()
    assert "<td>57</td><td>层数</td>" in body and "应为整数（现为“三”）" in body
    errors = client.get(reverse("geo:import_errors", args=["buildings"]) + f"?job={job.pk}")
    sheet = load_workbook(io.BytesIO(errors.content)).active
    assert sheet is not None
    assert list(sheet.iter_rows(values_only=True))[1][:2] == (57, "层数")


def test_a_cancel_while_writing_writes_nothing(
    login: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    real = jobs.do_report_progress

    def cancel_after_first_batch(job: Job, done: int, total: int | None = None) -> None:
        if done > N:  # writing: the first batch is in the database (uncommitted)
            assert Building.objects.filter(name="0号楼").exists()
            Job.objects.filter(pk=job.pk).update(state="cancelled")
        real(job, done, total)

    monkeypatch.setattr(jobs, "do_report_progress", cancel_after_first_batch)
    monkeypatch.setattr("linli.core.bulk.BATCH_SIZE", 50)
    before = Building.objects.count()
    _import(login("street_admin"), django_capture_on_commit_callbacks, _building_rows(N))
    assert Building.objects.count() == before
    assert not Job.objects.filter(kind="geo.import", state="done").exists()


def test_someone_elses_import_job_is_not_shown(
    login: Any, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _import(login("street_admin"), django_capture_on_commit_callbacks, _building_rows(3))
    job = Job.objects.get(kind="geo.import")
    other = login("street_staff")
    url = reverse("geo:import", args=["buildings"]) + f"?job={job.pk}"
    assert other.get(url).status_code == 404


def test_the_import_template_is_the_sheets_header(login: Any) -> None:
    """The template a clerk fills in has exactly the columns the import reads, in order."""
    from linli.geo.sheets import SHEETS

    client = login("street_admin")
    response = client.get(reverse("geo:import_template", args=["buildings"]))
    assert response["Content-Disposition"] == 'attachment; filename="linli-buildings-template.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [tuple(SHEETS["buildings"].labels())]
    assert rows[0][:3] == ("居委代码", "小区/弄", "楼栋")
    assert client.get(reverse("geo:import_template", args=["nothing"])).status_code == 404
