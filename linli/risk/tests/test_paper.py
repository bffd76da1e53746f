"""White-paper PDFs: stored per round, method version and committee; re-rendered only when
what they show changes; the PDF machinery can be warmed before the first render."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage

from linli.core.context import Actor
from linli.risk import paper, services
from linli.risk.models import HazardCase, Round, Sample

from .conftest import fill

pytestmark = pytest.mark.django_db


def _submit(rnd: Round, users: Any, code: str) -> None:
    sample = Sample.objects.filter(round=rnd, committee__code=code).order_by("label").first()
    assert sample is not None
    fill(sample, users["inspector"], {"XF01": [4], "RQ02": [4]})
    services.submit_sample(Actor(users["inspector"]), sample)


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
