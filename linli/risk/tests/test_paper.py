"""White-paper PDFs: stored per round, method version and committee; re-rendered only when
what they show changes; the PDF machinery can be warmed before the first render."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import translation

from linli.core.context import Actor
from linli.risk import paper, services
from linli.risk.models import HazardCase, Round, Sample

from .conftest import fill

pytestmark = pytest.mark.django_db


def _commit() -> None:
    """As if the test's transaction committed here: run what waits for the commit (the fixtures'
    and the services' on_commit callbacks) and start afresh."""
    from django.db import connection

    waiting = [callback for _sids, callback, _robust in connection.run_on_commit]
    connection.run_on_commit.clear()
    for callback in waiting:
        callback()


def _submit(rnd: Round, users: Any, code: str) -> None:
    sample = Sample.objects.filter(round=rnd, committee__code=code).order_by("label").first()
    assert sample is not None
    fill(sample, users["inspector"], {"XF01": [4], "RQ02": [4]})
    services.do_submit_sample(Actor(users["inspector"]), sample)
    _commit()  # the refresh it scheduled is sent (no paper is stored yet: nothing rendered)


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the real PDF renders (the storage hits do not render)."""
    calls: list[int] = []
    real = paper._render_pdf

    def counting(html: str) -> bytes:
        calls.append(1)
        return real(html)

    monkeypatch.setattr(paper, "_render_pdf", counting)
    return calls


def _stored(rnd: Round, code: str) -> list[str]:
    folder = paper.paper_folder(rnd)
    try:
        files = default_storage.listdir(folder)[1]
    except FileNotFoundError:
        return []
    return sorted(f for f in files if f.startswith(f"{code}-"))


def test_download_is_served_from_storage_until_the_paper_changes(
    drawn: Round, users: Any, login: Any, street: Any, renders: list[int]
) -> None:
    _submit(drawn, users, "HN01")
    client = login("street_admin")
    url = f"/risk/rounds/{drawn.pk}/committees/{street['c1'].pk}/paper.pdf"
    first = client.get(url)
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    assert len(renders) == 1
    stored = _stored(drawn, "HN01")
    assert len(stored) == 1
    assert paper.paper_folder(drawn) == f"papers/{drawn.pk}/{drawn.method.version}"
    again = client.get(url)
    assert again.content == first.content and len(renders) == 1  # from storage
    # Something the paper shows changes (a case gets its responsible party): a new render,
    # under a new name, and the outdated file is removed.
    case = HazardCase.objects.filter(committee=street["c1"]).first()
    assert case is not None
    HazardCase.objects.filter(pk=case.pk).update(responsible="物业公司甲")
    changed = client.get(url)
    assert changed.content.startswith(b"%PDF") and len(renders) == 2
    now = _stored(drawn, "HN01")
    assert len(now) == 1 and now != stored
    # The other committee's paper is stored separately and leaves this one alone.
    client.get(f"/risk/rounds/{drawn.pk}/committees/{street['c2'].pk}/paper.pdf")
    assert len(renders) == 3 and _stored(drawn, "HN01") == now


def test_a_reader_without_the_right_gets_nothing_from_storage(
    drawn: Round, users: Any, login: Any, street: Any
) -> None:
    _submit(drawn, users, "HN01")
    login("street_admin").get(f"/risk/rounds/{drawn.pk}/committees/{street['c1'].pk}/paper.pdf")
    assert _stored(drawn, "HN01")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        paper.pdf(users["window_clerk"], drawn, street["c1"])


def test_warm_pdf_prepares_fonts_and_style_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paper, "_PRINTER", {})
    paper.warm_pdf()
    assert {"config", "css", "css_text"} <= set(paper._PRINTER)
    from linli.core import pdf as pdfkit

    for name in pdfkit.FONT_FILES.values():
        unpacked = pdfkit.font_file(name)  # once per machine, reused by every render
        assert unpacked.suffix == ".otf" and unpacked.parent == pdfkit.FONT_CACHE


@pytest.mark.parametrize("installed", [True, False])
def test_a_process_without_the_font_subsetter_says_so_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, installed: bool
) -> None:
    """Without libharfbuzz-subset0 every white paper renders about 4x slower: the log names the
    package, once per process, and not when the library is there."""
    from weasyprint.text import ffi

    from linli.core import pdf as pdfkit

    monkeypatch.setattr(ffi, "harfbuzz_subset", ffi.harfbuzz_subset if installed else None)
    pdfkit._document_class.cache_clear()
    try:
        with caplog.at_level("WARNING", logger="linli.core.pdf"):
            pdfkit.document(string="<p>一</p>")
            pdfkit.document(string="<p>二</p>")
        warnings = [r.getMessage() for r in caplog.records if r.name == "linli.core.pdf"]
        if installed:
            assert warnings == []
        else:
            (warning,) = warnings
            assert "apt-get install libharfbuzz-subset0" in warning
    finally:
        pdfkit._document_class.cache_clear()


def _text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _stored_pdf(rnd: Round, code: str) -> bytes:
    (name,) = _stored(rnd, code)
    with default_storage.open(f"{paper.paper_folder(rnd)}/{name}", "rb") as f:
        data: bytes = f.read()
    return data


def test_a_rectification_change_re_renders_the_stored_paper_in_the_background(
    drawn: Round,
    users: Any,
    login: Any,
    street: Any,
    renders: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    _submit(drawn, users, "HN01")
    client = login("street_admin")
    url = f"/risk/rounds/{drawn.pk}/committees/{street['c1'].pk}/paper.pdf"
    client.get(url)
    assert len(renders) == 1
    case = HazardCase.objects.get(committee=street["c1"], subunit="RQ02")  # B
    actor = Actor(users["street_admin"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.do_assign_case(actor, case, responsible="物业公司乙", interim_measure="设置警示带")
        services.do_start_rectification(actor, case)
    assert len(callbacks) == 1  # one task per transaction, however many changes
    assert len(renders) == 2  # rendered by the task, not by a reader
    stored = _stored_pdf(drawn, "HN01")
    assert stored.startswith(b"%PDF") and "物业公司乙" in _text(stored)
    download = client.get(url)
    assert download.content == stored and len(renders) == 2  # served from storage


def test_a_rescore_re_renders_the_paper_with_the_new_score(
    drawn: Round,
    users: Any,
    login: Any,
    street: Any,
    renders: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from linli.risk.models import Finding, Score

    _submit(drawn, users, "HN01")
    login("street_admin").get(f"/risk/rounds/{drawn.pk}/committees/{street['c1'].pk}/paper.pdf")
    before = Score.objects.get(round=drawn, committee=street["c1"], sample=None, unit="")
    # A bulk correction of the findings (schedules nothing) and the committee rescored.
    Finding.objects.filter(check_item__sample__committee=street["c1"]).update(severity=5)
    with django_capture_on_commit_callbacks(execute=True):
        services.do_rescore(Actor(users["street_admin"]), drawn, street["c1"])
    after = Score.objects.get(round=drawn, committee=street["c1"], sample=None, unit="")
    assert after.value != before.value
    assert len(renders) == 2
    text = _text(_stored_pdf(drawn, "HN01"))
    assert str(after.value) in text and str(before.value) not in text


def test_a_direct_write_schedules_nothing_and_a_rolled_back_service_sends_nothing(
    drawn: Round,
    users: Any,
    login: Any,
    street: Any,
    renders: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """No signals: only the services schedule a re-render. A change made any other way is
    still never served stale: the next download renders it (its fingerprint changed)."""
    from django.db import transaction

    from linli.risk.models import Finding

    _submit(drawn, users, "HN01")
    client = login("street_admin")
    url = f"/risk/rounds/{drawn.pk}/committees/{street['c1'].pk}/paper.pdf"
    client.get(url)
    case = HazardCase.objects.get(committee=street["c1"], subunit="RQ02")  # B
    assert case is not None
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.do_assign_case(
                    Actor(users["street_admin"]), case, responsible="物业", interim_measure="关阀"
                )
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == [] and len(renders) == 1
    finding = Finding.objects.filter(check_item__sample__committee=street["c1"]).first()
    assert finding is not None
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        finding.description = "楼道堆放纸箱和旧家具"
        finding.save()
    assert callbacks == [] and len(renders) == 1
    fresh = client.get(url).content
    assert len(renders) == 2 and "楼道堆放纸箱和旧家具" in _text(fresh)


def test_papers_nobody_downloaded_are_not_rendered_on_a_change(
    drawn: Round,
    users: Any,
    street: Any,
    renders: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from unittest import mock

    from linli.risk import tasks

    _commit()
    with mock.patch.object(tasks.refresh_papers, "delay", wraps=tasks.refresh_papers.delay) as sent:
        _submit(drawn, users, "HN01")
    assert sent.call_count == 1 and renders == [] and _stored(drawn, "HN01") == []


def test_a_stored_paper_keeps_the_day_it_was_issued(
    drawn: Round,
    users: Any,
    login: Any,
    street: Any,
    renders: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    # Other modules' sections may count as of today (the fire registry's does): a paper with
    # one changes with the day, and is rendered again. Without them, the date alone does not.
    monkeypatch.setattr(paper, "white_paper_sections", lambda *args: [])
    _submit(drawn, users, "HN01")
    client = login("street_admin")
    url = f"/risk/rounds/{drawn.pk}/committees/{street['c1'].pk}/paper.pdf"
    today = timezone.localdate()
    first = client.get(url).content
    assert today.isoformat() in _text(first)
    later = today + timedelta(days=1)
    if later.year != today.year:  # the elders are counted by year: stay in it
        later = today - timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    assert client.get(url).content == first and len(renders) == 1


def test_an_unreachable_broker_does_not_fail_the_change(
    drawn: Round,
    users: Any,
    street: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from linli.risk import tasks

    _submit(drawn, users, "HN01")

    def unreachable(*args: Any) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.refresh_papers, "delay", unreachable)
    case = HazardCase.objects.get(committee=street["c1"], subunit="RQ02")  # B
    assert case is not None
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.do_assign_case(
            Actor(users["street_admin"]), case, responsible="物业公司丙", interim_measure="关阀"
        )
    assert len(callbacks) == 1  # it ran, failed, and was logged
    case.refresh_from_db()
    assert case.responsible == "物业公司丙"


def test_a_paper_is_issued_by_its_own_streets_safety_office() -> None:
    from linli.geo.models import Subdistrict
    from linli.risk import paper

    assert paper.issuer(Subdistrict(name="天平路街道")) == "天平路街道平安办"
    with translation.override("en"):
        assert paper.issuer(Subdistrict(name="Tianping Road")) == "Tianping Road safety office"


# ------------------------------------------------ each service that changes a paper refreshes it


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Renders without the PDF engine (the stored bytes carry the print HTML); each render's
    HTML is kept, so a test sees how many renders there were and what they showed."""
    rendered: list[str] = []

    def fake(html: str) -> bytes:
        rendered.append(html)
        return b"%PDF-" + html.encode()

    monkeypatch.setattr(paper, "_render_pdf", fake)
    return rendered


def _second(rnd: Round) -> Sample:
    return Sample.objects.get(round=rnd, committee__code="HN01", label="S2")


def _reinspection(rnd: Round, users: Any) -> HazardCase:
    from .conftest import png

    case = HazardCase.objects.get(round=rnd, committee__code="HN01", subunit="RQ02")
    actor = Actor(users["street_admin"])
    services.do_assign_case(actor, case, responsible="物业", interim_measure="关阀")
    services.do_start_rectification(actor, case)
    services.do_request_reinspection(actor, case, photos=[png()])
    return case


def _finding(rnd: Round, users: Any) -> Any:
    return services.do_add_finding(
        Actor(users["inspector"]), _second(rnd), "DQ01", likelihood=3, description="线路老化"
    )


def _import(rnd: Round, users: Any, prep: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from linli.core.excel import write_workbook
    from linli.risk.sheets import COLUMNS

    row = ["XF01", "", "", 4, "不适用", None, None, None, None, None, None]
    data = write_workbook("检查表", [c.label for c in COLUMNS], [row])
    upload = SimpleUploadedFile("c.xlsx", data)
    return services.do_import_checklist(Actor(users["inspector"]), _second(rnd), upload)


# (what is prepared before the paper is downloaded, the change through one service)
CHANGES: dict[str, tuple[Any, Any]] = {
    "do_save_check_statuses": (
        None,
        lambda rnd, users, prep: services.do_save_check_statuses(
            Actor(users["inspector"]), _second(rnd), {"XF01": "na"}
        ),
    ),
    "do_set_check_status": (
        None,
        lambda rnd, users, prep: services.do_set_check_status(
            Actor(users["inspector"]), _second(rnd), "XF01", "clean"
        ),
    ),
    "do_add_finding": (None, lambda rnd, users, prep: _finding(rnd, users)),
    "do_import_checklist": (None, _import),
    "do_delete_finding": (
        _finding,
        lambda rnd, users, prep: services.do_delete_finding(Actor(users["inspector"]), prep),
    ),
    "do_submit_sample": (
        lambda rnd, users: fill(_second(rnd), users["inspector"], {"HJ02": [2]}),
        lambda rnd, users, prep: services.do_submit_sample(Actor(users["inspector"]), _second(rnd)),
    ),
    "do_assign_case": (
        None,
        lambda rnd, users, prep: services.do_assign_case(
            Actor(users["street_admin"]),
            HazardCase.objects.get(round=rnd, committee__code="HN01", subunit="RQ02"),
            responsible="物业公司丁",
            interim_measure="关阀",
        ),
    ),
    "do_reject_case": (
        _reinspection,
        lambda rnd, users, prep: services.do_reject_case(
            Actor(users["street_admin"]), prep, reason="照片不清楚"
        ),
    ),
}


@pytest.mark.parametrize("service", sorted(CHANGES))
def test_a_change_through_each_service_refreshes_the_stored_paper(
    service: str,
    drawn: Round,
    users: Any,
    login: Any,
    street: Any,
    quick: list[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    prepare, change = CHANGES[service]
    _submit(drawn, users, "HN01")
    prepared = prepare(drawn, users) if prepare else None
    _commit()
    client = login("street_admin")
    url = f"/risk/rounds/{drawn.pk}/committees/{street['c1'].pk}/paper.pdf"
    before = client.get(url).content
    assert len(quick) == 1 and client.get(url).content == before  # stored
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        change(drawn, users, prepared)
    assert len(callbacks) == 1 and len(quick) == 2  # rendered afresh in the background
    after = client.get(url).content
    assert after != before and after == _stored_pdf(drawn, "HN01") and len(quick) == 2


def test_a_change_the_paper_does_not_show_renders_nothing(
    drawn: Round,
    users: Any,
    login: Any,
    street: Any,
    quick: list[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from linli.core.roles import Role

    _submit(drawn, users, "HN01")
    client = login("street_admin")
    url = f"/risk/rounds/{drawn.pk}/committees/{street['c1'].pk}/paper.pdf"
    case = _reinspection(drawn, users)
    _commit()
    before = client.get(url).content
    other = type(users["inspector"]).objects.create(username="inspector2", role=Role.INSPECTOR)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.do_assign_inspector(Actor(users["street_admin"]), _second(drawn), other)
        # A save that changes nothing: nothing to refresh either.
        services.do_save_check_statuses(Actor(other), _second(drawn), {})
        # A sign-off: the paper shows the case's state, not who has signed so far.
        services.do_sign_case(Actor(users["street_admin"]), case)
    assert callbacks == [] and len(quick) == 1
    assert client.get(url).content == before and len(quick) == 1
