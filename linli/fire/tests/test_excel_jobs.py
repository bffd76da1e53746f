"""Register exports as background jobs: the requester's scope, the jobs page, formulas as text."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from linli.fire.models import Extinguisher
from linli.jobs.models import Job

from .factories import due_extinguisher, extinguisher

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(street: Any, settings: Any) -> None:
    settings.LINLI_EXPORT_SYNC_ROWS = 0  # every export runs as a job
    for i in range(6):
        extinguisher(street, key="1" if i % 2 else "2", serial=f"E{i}")
        due_extinguisher(street, key="1" if i % 2 else "2", serial=f"D{i}")
    Extinguisher.objects.filter(serial="E1").update(spot="=cmd|' /C calc'!A0")


def _export(client: Any, url: str, capture: Any) -> list[tuple[Any, ...]]:
    with capture(execute=True):
        response = client.get(url)
    assert response.status_code == 302 and response["Location"] == "/jobs/"
    job = Job.objects.filter(kind="fire.export").latest("pk")
    assert job.state == "done", job.error
    with job.result.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


@pytest.mark.parametrize(
    ("role", "committees"), [("street_staff", {"HN01", "HN02"}), ("committee_staff", {"HN01"})]
)
def test_register_export_job_keeps_the_requesters_scope(
    registry: None,
    login: Any,
    role: str,
    committees: set[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    rows = _export(
        login(role), "/fire/registry/extinguishers/export/", django_capture_on_commit_callbacks
    )
    assert rows[0][:2] == ("编号", "居委代码")
    assert {r[1] for r in rows[1:]} == committees
    assert len(rows) - 1 == (12 if len(committees) == 2 else 6)
    spot = next(r for r in rows[1:] if r[0] == "E1")[5]
    assert spot == "'=cmd|' /C calc'!A0"  # text, never a live formula


def test_due_list_export_job_lists_what_falls_due(
    registry: None, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rows = _export(
        login("committee_staff"),
        "/fire/due/export/?list=overdue",
        django_capture_on_commit_callbacks,
    )
    assert sorted(r[0] for r in rows[1:]) == ["D1", "D3", "D5"]
