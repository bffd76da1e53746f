"""The committee white paper (安全风险白皮书): one context, rendered as a web page or a PDF.

The outline follows docs/domain/risk-method.md: cover, profile, basis and method (generated from the
method version), conclusion, one chapter per unit, hazard register, priority actions, public
notice sheet, annexes. The PDF uses Linli's own font files by path: nothing is fetched.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as L

from linli.core import pdf as pdfkit
from linli.core import policy
from linli.core.models import User
from linli.geo.models import Building, Estate, Household, Resident

from . import queries
from .extensions import white_paper_sections
from .models import Check, Round, Sample

FONTS = pdfkit.FONTS

# Improvement suggestions per unit (the white paper's "suggestions"), street practice.
# fmt: off
SUGGESTIONS = {
    "WY": L("明确消防安全管理人和楼组长职责，台账按月更新；物业合同写明消防职责；每年至少一次疏散演练，微型消防站 3 分钟到场。"),  # noqa: E501
    "ZA": L("修复门禁和照明暗点，监控覆盖出入口和非机动车库并保存录像；排查群租，落实出租房屋登记。"),  # noqa: E501
    "XF": L("清理楼道堆物，保持消防车道和安全出口畅通；灭火器按月检查；加装简易喷淋和独立式烟感；设置电动自行车集中充电点，严禁入户充电。"),  # noqa: E501
    "DQ": L("更换老化线路和铝芯线，线路穿管敷设；配电箱加锁并清除可燃物；插座回路加装 30 mA 漏电保护并定期试跳。"),  # noqa: E501
    "DX": L("清退地下空间违规居住，登记用途，清除可燃物；保证通风照明和疏散标志；汛前检查挡水板和排水泵。"),  # noqa: E501
    "RQ": L("更换橡胶软管为金属波纹管，老人独居户加装燃气报警器和自闭阀；淘汰无熄火保护和直排式燃具；高层和地下严禁瓶装液化气。"),  # noqa: E501
    "SB": L("电梯按期检验、15 日一次维保；排查外墙空鼓和空调支架锈蚀，防止高坠；修复楼梯扶手和木构件。"),  # noqa: E501
    "HJ": L("拆除违章搭建，特别是可燃和占用通道的；汛期前修剪枯树、固定悬挂物；垃圾箱房和废品堆放防火。"),  # noqa: E501
}
# Items that need a street project rather than a household or committee fix.
STREET_PROJECTS = {
    "XF04": L("简易喷淋改造"),
    "XF06": L("独立式烟感报警器加装"),
    "XF07": L("电动自行车集中充电柜"),
    "RQ02": L("燃气软管更换"),
    "RQ03": L("燃气报警器与自闭阀加装"),
    "DQ01": L("老旧线路改造"),
    "DQ04": L("漏电保护器加装"),
}
DOS_AND_DONTS = {
    "WY": L("知道本楼楼组长和微型消防站电话。"),
    "ZA": L("随手关好单元门，发现群租及时报告居委。"),
    "XF": L("楼道不堆物；电动自行车不进楼、不入户充电；不锁安全出口。"),
    "DQ": L("不私拉电线，不串接插线板，取暖器远离可燃物。"),
    "DX": L("不在地下室居住或存放液化气。"),
    "RQ": L("用金属软管，离家关阀；闻到燃气味开窗、不开关电器、到户外报警。"),
    "SB": L("发现外墙空鼓、空调架锈蚀及时报告。"),
    "HJ": L("不搭建、不堆废品；台风前收好阳台物品。"),
}
INTERIM_DEFAULT = {"A": L("24 小时内设置警示、停用或隔离"), "B": L("24 小时内落实临时管控")}
# fmt: on


def without_name(text: str, name: str) -> str:
    """``text`` without a leading ``name：`` (inspectors often start with the sub-unit's name)."""
    for sep in ("：", ":", " "):
        if text.startswith(name + sep):
            return text[len(name) + len(sep) :].lstrip() or text
    return text


def context(user: Any, rnd: Round, committee: Any) -> dict[str, Any]:
    data = queries.committee_detail(user, rnd, committee)
    method = data["method"]
    profile = _profile(committee)
    cases = {f.pk: getattr(f, "case", None) for f in data["findings"]}
    chapters = []
    for r in data["unit_rows"]:
        problems = []
        for f in r["findings"]:
            case = cases.get(f.pk)
            subunit = method.subunit(f.check_item.code)
            problems.append(
                {
                    "f": f,
                    "case": case,
                    "subunit": subunit,
                    # the sub-unit is named before the text: not twice when the text starts with it
                    "text": without_name(f.description, subunit.name_zh),
                    "responsible": (
                        case.responsible if case and case.responsible else _("居委会/物业")
                    ),
                    "deadline": case.due_on if case else None,
                    "interim": (
                        case.interim_measure
                        if case and case.interim_measure
                        else INTERIM_DEFAULT.get(f.grade, _("按期整改"))
                    ),
                }
            )
        chapters.append(
            {**r, "problems": problems, "suggestion": SUGGESTIONS.get(r["unit"].code, "")}
        )
    priority = [f for f in data["findings"] if f.grade in ("A", "B")]
    projects: dict[str, int] = {}
    for f in data["findings"]:
        project = STREET_PROJECTS.get(f.check_item.code)
        if project:
            name = str(project)
            projects[name] = projects.get(name, 0) + 1
    worst_units = sorted(
        (r for r in data["unit_rows"] if r["score"] is not None),
        key=lambda r: -r["score"].value,
    )[:3]
    notice = [
        {"unit": r["unit"], "score": r["score"], "tip": DOS_AND_DONTS.get(r["unit"].code, "")}
        for r in worst_units
    ]
    annex = _annex(rnd, committee, method)
    draw = data["samples"][0].draw_record if data["samples"] else None
    return {
        **data,
        "round": rnd,
        "committee": committee,
        "profile": profile,
        "chapters": chapters,
        "priority": priority,
        "projects": sorted(projects.items(), key=lambda kv: -kv[1]),
        "extra_sections": white_paper_sections(user, rnd, committee),
        "notice": notice,
        "annex": annex,
        "draw": draw,
        "issued_on": timezone.localdate(),
        "grade_info": method.grade_info(data["overall"].grade) if data["overall"] else None,
        "issuer": issuer(committee.subdistrict),
    }


def issuer(street: Any) -> str:
    """The office that publishes a street's white papers: its 平安办 (safety office)."""
    return _("%(street)s平安办") % {"street": street.name if street is not None else ""}


def _profile(committee: Any) -> dict[str, Any]:
    households = Household.objects.filter(committee=committee).count()
    residents = Resident.objects.filter(committee=committee).count()
    elderly = Resident.objects.filter(
        committee=committee, birth_year__lte=timezone.localdate().year - 60
    ).count()
    buildings = Building.objects.filter(committee=committee)
    types = list(buildings.values("housing_type").annotate(n=Count("id")).order_by("-n"))
    structures = list(buildings.values("structure").annotate(n=Count("id")).order_by("-n"))
    labels_h = dict(Building._meta.get_field("housing_type").choices or [])
    labels_s = dict(Building._meta.get_field("structure").choices or [])
    managements = list(
        Estate.objects.filter(committee=committee).values("management").annotate(n=Count("id"))
    )
    labels_m = dict(Estate.Management.choices)
    return {
        "households": households,
        "residents": residents,
        "elderly": elderly,
        "elderly_share": round(100 * elderly / residents, 1) if residents else None,
        "buildings": buildings.count(),
        "heritage": buildings.filter(heritage_protected=True).count(),
        "types": [(labels_h.get(t["housing_type"], t["housing_type"]), t["n"]) for t in types],
        "structures": [(labels_s.get(t["structure"], t["structure"]), t["n"]) for t in structures],
        "managements": [
            (labels_m.get(m["management"], m["management"]), m["n"]) for m in managements
        ],
    }


def _annex(rnd: Round, committee: Any, method: Any) -> list[dict[str, Any]]:
    """Checklists per sample: each sub-unit's result."""
    samples = list(Sample.objects.filter(round=rnd, committee=committee).order_by("label"))
    status: dict[tuple[int, str], str] = {}
    for sample_id, code, st, n in (
        Check.objects.filter(sample__in=samples)
        .annotate(n=Count("findings"))
        .values_list("sample_id", "code", "status", "n")
    ):
        status[(sample_id, code)] = (
            _("%(n)s 项问题") % {"n": n} if n else str(dict(Check.Status.choices)[st])
        )
    return [
        {"sub": s, "cells": [status.get((smp.pk, s.code), "—") for smp in samples]}
        for s in method.subunits
    ]


# The print HTML carries this mark where the issue date goes; the render puts in the day it
# renders. So the stored PDF's fingerprint does not change at midnight: a paper is re-rendered
# when what it shows changes, and is dated the day that version was issued.
ISSUED_MARK = "\u2063issued-on\u2063"
PHOTO_MAX_PX = 800  # longest side of a photo in the PDF (45 mm at ~450 dpi)
PAPERS_PREFIX = "papers"  # rendered white papers in default_storage
STREET = "street"  # the street paper's name there (a committee's paper: the committee code)
PAPER_FORMAT = 1  # raise when the PDF changes in a way its print HTML does not show
_PRINTER: dict[str, Any] = {}


def _media() -> Path:
    return Path(settings.MEDIA_ROOT).resolve()


def _fetcher() -> Any:
    """Only local files under the fonts, font cache and media folders; nothing from a network."""
    return pdfkit.local_fetcher(_media())


def _print_css_text() -> str:
    """The print style sheet's text (with the font paths), rendered once per process."""
    if "css_text" not in _PRINTER:
        _PRINTER["css_text"] = render_to_string(
            "risk/paper_print.css", {"fonts": pdfkit.font_uris()}
        )
    text: str = _PRINTER["css_text"]
    return text


def _printer() -> tuple[Any, Any]:
    """One FontConfiguration and one parsed print stylesheet per process. WeasyPrint registers
    an @font-face once per FontConfiguration, so reusing it skips reading and registering the
    CJK fonts on every render; the stylesheet is parsed once too."""
    if "css" not in _PRINTER:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        config = FontConfiguration()
        css = CSS(
            string=_print_css_text(),
            font_config=config,
            url_fetcher=_fetcher(),
            base_url=FONTS.as_uri(),
        )
        _PRINTER.update(config=config, css=css, images={})
        # Drop them before interpreter shutdown, while FontConfiguration.__del__ can still
        # remove its temporary folder.
        atexit.register(_PRINTER.clear)
    return _PRINTER["config"], _PRINTER["css"]


def _print_image(name: str) -> str:
    """A photo as the PDF embeds it: scaled down once (longest side PHOTO_MAX_PX, JPEG) into
    ``MEDIA_ROOT/risk/print/``; small photos are used as they are."""
    from PIL import Image, UnidentifiedImageError

    media = _media()
    src = (media / name).resolve()
    if not src.is_relative_to(media) or not src.exists():
        return src.as_uri()
    st = src.stat()
    out = media / "risk" / "print" / f"{src.stem}-{st.st_size}-{int(st.st_mtime)}.jpg"
    if out.exists():
        return out.as_uri()
    try:
        with Image.open(src) as img:
            if max(img.size) <= PHOTO_MAX_PX and st.st_size <= 300_000:
                return src.as_uri()
            img.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX))
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_suffix(f".{os.getpid()}.tmp")
            img.convert("RGB").save(tmp, format="JPEG", quality=82)
            tmp.replace(out)
    except (OSError, UnidentifiedImageError):
        return src.as_uri()
    return out.as_uri()


# Whitespace before a block-level tag is not rendered but becomes anonymous boxes in layout.
_BLOCK_GAP = re.compile(
    r">\s+<(?=/?(?:p|div|h[1-6]|table|thead|tbody|tr|td|th|ul|li|section|svg|g|text)\b)"
)


def _render_pdf(html: str) -> bytes:
    html = _BLOCK_GAP.sub("><", html).replace(ISSUED_MARK, timezone.localdate().isoformat())
    with pdfkit.RENDER_LOCK:  # Pango font maps are not thread-safe: one render at a time
        config, css = _printer()
        doc = pdfkit.document(string=html, url_fetcher=_fetcher(), base_url=FONTS.as_uri())
        # The layout allocates some hundred thousand short-lived objects; the cyclic garbage
        # collector running over them cost ~15 % of a render. Collect once afterwards instead.
        enabled = gc.isenabled()
        gc.disable()
        try:
            data: bytes = doc.write_pdf(
                stylesheets=[css], font_config=config, cache=_PRINTER["images"]
            )
        finally:
            if enabled:
                gc.enable()
    return data


def paper_html(user: Any, rnd: Round, committee: Any) -> str:
    """The print HTML of a committee's white paper (what the PDF shows, nothing else)."""
    ctx = context(user, rnd, committee)
    for ch in ctx["chapters"]:
        for p in ch["problems"]:
            for ph in p["f"].photos.all():
                ph.print_src = _print_image(ph.image.name)
    return render_to_string(
        "risk/paper.html",
        {**ctx, "web": False, "base": "risk/paper_print.html", "issued_text": ISSUED_MARK},
    )


def pdf(user: Any, rnd: Round, committee: Any) -> bytes:
    """A committee's white paper as PDF bytes, from storage when it has not changed.

    The rendered PDF is kept in ``default_storage`` under ``papers/<round>/<method version>/``,
    named by the committee and a fingerprint of everything the PDF is made of (its print HTML
    — every figure, finding, case, photo and the issue date — plus the print style sheet and
    fonts): any change to what it shows gives a new name, so a stale file is never served.
    """
    policy.require(user, "risk.view")
    html = paper_html(user, rnd, committee)
    return _cached_pdf(rnd, str(committee.code), html)


def _fingerprint(html: str) -> str:
    digest = hashlib.sha256(f"linli-paper-{PAPER_FORMAT}\0".encode())
    for name in pdfkit.FONT_FILES.values():
        st = (FONTS / name).stat()
        digest.update(f"{name}:{st.st_size}:{int(st.st_mtime)}\0".encode())
    digest.update(_print_css_text().encode())
    digest.update(html.encode())
    return digest.hexdigest()[:24]


def paper_folder(rnd: Round) -> str:
    """``papers/<round id>/<method version>/`` in ``default_storage``."""
    return f"{PAPERS_PREFIX}/{rnd.pk}/{get_valid_filename(rnd.method.version)}"


def _cached_pdf(rnd: Round, name: str, html: str) -> bytes:
    return _store(rnd, name, html)[0]


def _store(rnd: Round, name: str, html: str) -> tuple[bytes, bool]:
    """The PDF of ``html`` from storage, or rendered and stored (then True): the file's name is
    the paper's fingerprint, and the paper's earlier files are deleted."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    folder = paper_folder(rnd)
    stem = get_valid_filename(name)
    key = f"{folder}/{stem}-{_fingerprint(html)}.pdf"
    if default_storage.exists(key):
        with default_storage.open(key, "rb") as f:
            data: bytes = f.read()
        return data, False
    data = _render_pdf(html)
    if not default_storage.exists(key):  # another worker may have stored it meanwhile
        default_storage.save(key, ContentFile(data))
    # Earlier versions of the same paper show something that has since changed.
    mine = re.compile(rf"{re.escape(stem)}-[0-9a-f]{{24}}\.pdf")
    for other in _stored_files(folder):
        if mine.fullmatch(other) and f"{folder}/{other}" != key:
            default_storage.delete(f"{folder}/{other}")
    return data, True


def _stored_files(folder: str) -> list[str]:
    from django.core.files.storage import default_storage

    try:
        return list(default_storage.listdir(folder)[1])
    except (FileNotFoundError, NotImplementedError):
        return []


def warm_pdf() -> None:
    """Pre-load the PDF machinery in this process (the worker calls it on start-up).

    Imports WeasyPrint, unpacks the fonts, builds the font configuration and the print style
    sheet, compiles the white-paper templates and lays out a one-page document in the same
    fonts, so the first white paper this process renders is no slower than the next ones.
    """
    from django.template.loader import get_template

    for name in ("risk/paper.html", "risk/street_paper.html", "risk/paper_print.html"):
        get_template(name)
    _render_pdf(
        "<html><body><h1>安全风险白皮书 · 预热</h1><p><b>湖南路街道</b> 0123456789 ABC "
        "居民委员会</p><table><tr><td>A</td><td>整改</td></tr></table></body></html>"
    )


# ---------------------------------------------------------------- keeping stored papers fresh
#
# A stored paper can never be served stale: its name is the fingerprint of what it shows,
# derived from the data at read time. To spare the next reader the render, every service that
# changes something a paper shows calls ``schedule_refresh`` inside its transaction, and the
# committee's stored papers (and the street paper) are re-rendered in the background after the
# commit: the checklist services (statuses, findings, the Excel import, submitting), every step
# of a hazard case, the draw, and ``services.do_rescore`` / ``do_rescore_round``. Papers nobody has
# downloaded yet are not rendered. A change made elsewhere (a committee edited in ``geo``,
# another module's facts in ``white_paper_sections``, a direct write) schedules nothing, but
# still gives a new fingerprint: the next download renders it.

REF_KINDS = ("committee", "sample", "check", "finding", "case", "round")


class _Pending:
    """What the current transaction changed, sent to the worker once, after the commit."""

    def __init__(self) -> None:
        self.refs: dict[str, set[int]] = {}
        self.sent = False
        self.callback = self.send  # one bound method, registered once with on_commit

    def send(self) -> None:
        from .tasks import refresh_papers

        refs = {kind: sorted(ids) for kind, ids in self.refs.items() if ids}
        self.sent = True
        if refs:
            refresh_papers.delay(refs)


def schedule_refresh(**refs: Iterable[int | None]) -> None:
    """Re-render the stored papers these objects appear in, in the background after the
    transaction commits (``committee=[ids]``, ``sample=``, ``check=``, ``finding=``, ``case=``,
    ``round=``). Many calls in one transaction send one task; a rollback sends none."""
    from django.db import transaction

    conn = transaction.get_connection()
    pending: _Pending | None = getattr(conn, "_linli_paper_refresh", None)
    queued = {id(entry[1]) for entry in getattr(conn, "run_on_commit", [])}
    fresh = (
        pending is None
        or pending.sent
        or not conn.in_atomic_block
        or id(pending.callback) not in queued
    )
    if fresh:
        pending = _Pending()
    assert pending is not None
    for kind, ids in refs.items():
        if kind not in REF_KINDS:
            raise ValueError(f"unknown paper source {kind!r}")
        pending.refs.setdefault(kind, set()).update(int(i) for i in ids if i)
    if fresh:
        conn._linli_paper_refresh = pending
        # Runs at once outside a transaction; a broker that cannot be reached is logged, not
        # raised: the change is committed, and the next download renders the paper anyway.
        transaction.on_commit(pending.callback, robust=True)


def refresh(refs: dict[str, list[int]]) -> int:
    """Bring the stored papers of the committees behind ``refs`` up to date (the worker's side
    of ``schedule_refresh``): each stored paper whose content changed is rendered and stored
    again, and so is the street paper of each round concerned. Returns the number of renders.

    A plain name, not ``do_``: like ``pdf`` it only fills the store of rendered papers, which
    the next download would fill anyway; it changes nothing a reader could tell apart."""
    from django.db.models import Q

    from .models import Finding, HazardCase

    ids = set(refs.get("committee", []))
    for kind, model, path in (
        ("sample", Sample, "committee_id"),
        ("check", Check, "sample__committee_id"),
        ("finding", Finding, "check_item__sample__committee_id"),
        ("case", HazardCase, "committee_id"),
    ):
        if refs.get(kind):
            ids.update(model.objects.filter(pk__in=refs[kind]).values_list(path, flat=True))
    rounds = Round.objects.filter(pk__in=refs.get("round", []))
    if ids:
        rounds = Round.objects.filter(Q(pk__in=refs.get("round", [])) | Q(committees__in=ids))
    renders = 0
    for rnd in rounds.select_related("method").distinct().order_by("pk"):
        stored = {name.rsplit("-", 1)[0] for name in _stored_files(paper_folder(rnd))}
        if not stored:
            continue
        # Rendered as the street's own admin would see it (a round belongs to one street).
        first = rnd.committees.order_by("pk").first()
        street_id = first.subdistrict_id if first is not None else None
        reader = User(
            username="risk_papers", role="street_admin", is_active=True, subdistrict_id=street_id
        )
        members = rnd.committees.filter(code__in=stored).order_by("code")
        if rnd.pk not in refs.get("round", []):
            members = members.filter(pk__in=ids)
        for committee in members:
            if get_valid_filename(committee.code) in stored:
                renders += _store(rnd, str(committee.code), paper_html(reader, rnd, committee))[1]
        if STREET in stored:
            renders += _store(rnd, STREET, street_html(street_context(reader, rnd)))[1]
    return renders


def street_context(user: Any, rnd: Round) -> dict[str, Any]:
    """The street white paper: all committees side by side (grade map, distribution, heat
    table, common problems, trend, rectification figures)."""
    from django.db.models import Count as DCount

    from .models import Finding

    ov = queries.overview(user, rnd)
    method = ov["method"]
    committee_ids = [r.committee.pk for r in ov["rows"]]
    common_rows = list(
        Finding.objects.filter(
            check_item__sample__round=rnd, check_item__sample__committee_id__in=committee_ids
        )
        .values("check_item__code")
        .annotate(n=DCount("id"), committees=DCount("check_item__sample__committee", distinct=True))
        .order_by("-n", "check_item__code")[:10]
    )
    common = [
        {
            **c,
            "sub": method.subunit(c["check_item__code"]),
            "project": STREET_PROJECTS.get(c["check_item__code"], ""),
        }
        for c in common_rows
    ]
    heat = [
        {"row": r, "cells": [r.units.get(u.code) for u in ov["units"]]}
        for r in ov["ranked"] + [r for r in ov["rows"] if r.value is None]
    ]
    return {
        "round": rnd,
        "ov": ov,
        "method": method,
        "diagram": queries.diagram(ov["rows"]),
        "heat": heat,
        "common": common,
        "figures": queries.case_figures(user),
        "issued_on": timezone.localdate(),
        "issuer": issuer(ov["rows"][0].committee.subdistrict if ov["rows"] else None),
    }


def street_pdf(user: Any, rnd: Round) -> bytes:
    """The street white paper as PDF bytes, stored and reused like the committees' papers."""
    policy.require(user, "risk.view")
    ctx = street_context(user, rnd)
    return _cached_pdf(rnd, STREET, street_html(ctx))


def street_html(ctx: dict[str, Any]) -> str:
    return render_to_string(
        "risk/street_paper.html",
        {**ctx, "web": False, "base": "risk/paper_print.html", "issued_text": ISSUED_MARK},
    )


# --------------------------------------------------------------------------- background batches

# The batch writes rows (``PaperBatch``, ``PaperFile``) and the job's result, so its two steps
# are named like the services, ``do_<verb>_<noun>``.

PAPERS_TASK = "linli.risk.tasks.papers"


def do_start_paper_batch(actor: Any, rnd: Round) -> Any:
    """Queue a job that renders every committee's PDF white paper of the round.

    Staff need ``risk.manage``; an operator at the machine (``linli risk papers``) acts as the
    system. One batch of a round runs at a time.
    """
    from django.db import transaction

    from linli.core import audit
    from linli.jobs import services as jobs

    from .errors import RoundRejected
    from .models import PaperBatch

    if actor.user is not None or actor.terminal != "cli":
        policy.require(actor.user, "risk.manage")
    with transaction.atomic():
        Round.objects.select_for_update().filter(pk=rnd.pk).first()
        if PaperBatch.objects.filter(round=rnd, job__state__in=jobs.ACTIVE).exists():
            raise RoundRejected(_("本轮白皮书正在生成中"))
        total = rnd.committees.count()
        job = jobs.do_submit_job(
            actor,
            "risk.papers",
            PAPERS_TASK,
            title=_("%(round)s 白皮书（%(n)s 个居委）") % {"round": rnd.name, "n": total},
            params={"round": rnd.pk},
            total=total,
        )
        batch = PaperBatch.objects.create(round=rnd, job=job)
        audit.record(actor, "risk.papers.start", batch, details={"committees": total})
    return batch


def do_run_paper_batch(job: Any) -> None:
    """Render each committee's PDF into storage, then a zip of them all as the job's result.

    Resumable and idempotent: committees whose PDF the batch already holds are skipped, so a
    job picked up again after its worker died goes on where it stopped, and a unique
    constraint keeps each committee's file exactly once even when two deliveries race.
    """
    import zipfile

    from django.core.files.base import ContentFile
    from django.db import IntegrityError, transaction

    from linli.core.models import User
    from linli.jobs import services as jobs

    from .models import PaperBatch, PaperFile

    batch = PaperBatch.objects.select_related("round").get(job=job)
    committees = list(batch.round.committees.order_by("code"))
    done = set(batch.files.values_list("committee_id", flat=True))
    jobs.do_report_progress(job, len(done), len(committees))
    # A street-wide reader for the batch (not a stored account).
    reader = User(username="risk_papers", role="street_admin", is_active=True)
    for committee in committees:
        if committee.pk in done:
            continue
        data = pdf(reader, batch.round, committee)
        jobs.do_report_progress(job, len(done))  # still ours? (cancelled or taken over: stop here)
        f = PaperFile(batch=batch, committee=committee, size=len(data))
        f.pdf.save(
            f"linli-risk-{batch.round_id}-{committee.code}.pdf", ContentFile(data), save=False
        )
        try:
            with transaction.atomic():
                f.save()
        except IntegrityError:  # another delivery of this job stored it first
            f.pdf.delete(save=False)
        done.add(committee.pk)
        jobs.do_report_progress(job, len(done))
    with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as buf:
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
            for f in batch.files.select_related("committee").order_by("committee__code"):
                with f.pdf.open("rb") as handle:
                    zf.writestr(f"{f.committee.code}-{f.committee.name}.pdf", handle.read())
        buf.seek(0)
        jobs.do_attach_result(job, f"linli-risk-{batch.round_id}-papers.zip", buf)
