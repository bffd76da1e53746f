"""``linli jobs list|show`` and ``linli risk papers``: the documented JSON contracts."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from linli.jobs.models import Job

pytestmark = pytest.mark.django_db


def _run(*args: str) -> Any:
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_jobs_show_and_list_newest_first() -> None:
    older = Job.objects.create(kind="a", task="t", title="一", total=3, done=1)
    newer = Job.objects.create(kind="b", task="t", title="二", state="failed", error="坏了")
    assert _run("jobs", "show", str(older.pk)) == {
        "id": older.pk, "kind": "a", "state": "queued", "done": 1, "total": 3, "error": "",
    }  # fmt: skip
    listed = _run("jobs", "list")
    assert [j["id"] for j in listed] == [newer.pk, older.pk]
    assert listed[0] == {
        "id": newer.pk, "kind": "b", "state": "failed", "done": 0, "total": 0, "error": "坏了",
    }  # fmt: skip


def test_jobs_show_of_an_unknown_id_exits_2() -> None:
    with pytest.raises(CommandError) as err:
        call_command("jobs", "show", "999999", stdout=StringIO())
    assert err.value.returncode == 2
