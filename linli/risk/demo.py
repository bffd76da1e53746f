"""Demo data: a finished 2026 round over the 16 demo committees, graded 2 A, 8 B, 6 C.

Findings are generated with a fixed ``random.Random`` and checked with the pure engine before
anything is written: for each committee the generator draws until the committee grade is the
target, so the distribution is exact and the data deterministic. Everything else goes through
the services (audited), as the inspector and the safety office would do it.
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from linli.core.context import Actor
from linli.core.models import Organisation, User
from linli.geo.models import Committee

from . import queries, rules, services
from .models import Check, HazardCase, MethodVersion, Round, Sample

SEED = 2026
ROUND_NAME = "2026 年度"
# Committees are inspected 2–14 days before the day the demo is built (timezone.localdate()),
# one date per committee in code order, so that relative to "today" most open cases are still
# within their deadline (C 15 days, A plan 30 days) and some are overdue and escalated (B 7 days
# for committees inspected more than a week ago; A interim). Deterministic for a given date.
INSPECTED_DAYS_AGO = (2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 10, 10, 11, 12, 13, 14)


def inspected_on(index: int, today: date) -> date:
    """The inspection date of the committee at ``index`` (code order) for a demo built today."""
    return today - timedelta(days=INSPECTED_DAYS_AGO[index % len(INSPECTED_DAYS_AGO)])


# Committee code -> target grade: 2 A, 8 B, 6 C.
TARGETS = {
    "HN01": "B",
    "HN02": "C",
    "HN03": "B",
    "HN04": "A",
    "HN05": "C",
    "HN06": "B",
    "HN07": "B",
    "HN08": "C",
    "HN09": "A",
    "HN10": "B",
    "HN11": "C",
    "HN12": "B",
    "HN13": "C",
    "HN14": "B",
    "HN15": "C",
    "HN16": "B",
}
# (probability a sub-unit has a finding, L range) per target grade.
INTENSITY = {"A": (0.75, (4, 5)), "B": (0.45, (3, 4)), "C": (0.3, (2, 3))}
DESCRIPTIONS = {
    "WY": "消防安全管理人未明确，楼组长职责未落实",
    "ZA": "单元门禁损坏，夜间无人值守",
    "XF": "楼道堆放纸箱和旧家具，占用疏散通道",
    "DQ": "楼道私拉电线，插线板串接使用",
    "DX": "地下室堆放可燃杂物",
    "RQ": "燃气灶使用橡胶软管且已老化",
    "SB": "空调外机支架锈蚀，存在高坠风险",
    "HJ": "天井违章搭建简易棚，占用通道",
}
RULES = {"XF": "《消防法》第二十八条", "DQ": "GB 50054", "RQ": "《城镇燃气管理条例》"}


def _describe(rng: random.Random, sub: Any, fallback: str) -> str:
    """A finding text from the sub-unit's check list (one of its clauses)."""
    parts = [p for p in sub.check_zh.replace("，", "；").split("；") if p.strip()]
    clause = rng.choice(parts).split("（")[0] if parts else fallback
    return f"{clause}未落实"


def wipe() -> None:
    """Remove the risk demo data (run before the demo street is rebuilt)."""
    Round.objects.all().delete()
    MethodVersion.objects.exclude(version=rules.default_method().version).delete()


def _photo(rng: random.Random, label: str) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    img = Image.new(
        "RGB", (160, 120), (rng.randint(90, 200), rng.randint(90, 200), rng.randint(90, 200))
    )
    ImageDraw.Draw(img).rectangle((20, 20, 140, 100), outline=(30, 30, 30), width=3)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return SimpleUploadedFile(f"{label}.png", buf.getvalue(), content_type="image/png")


def _plan(rng: random.Random, method: rules.Method, sample: Sample, grade: str) -> dict[str, Any]:
    """Findings per sub-unit for one sample: code -> list of (L, reason, major) or 'NA'."""
    p, (lo, hi) = INTENSITY[grade]
    out: dict[str, Any] = {}
    building = sample.building
    for s in method.subunits:
        if s.unit == "DX" and building.housing_type in ("lane", "garden"):
            out[s.code] = "NA"
            continue
        if s.code == "SB01" and not building.has_lift:
            out[s.code] = "NA"
            continue
        if rng.random() < p:
            reason = (
                "brick_timber"
                if building.structure == "brick_timber" and rng.random() < 0.3
                else ""
            )
            major = grade == "A" and s.code in ("XF01", "XF02", "XF07") and rng.random() < 0.4
            out[s.code] = [(rng.randint(lo, hi), reason, major)]
    if not any(isinstance(v, list) for v in out.values()):
        out["XF01"] = [(lo, "", False)]
    return out


def _score(method: rules.Method, plans: list[dict[str, Any]]) -> str:
    samples = []
    for i, plan in enumerate(plans):
        subunits: dict[str, Any] = {}
        for code, v in plan.items():
            if v == "NA":
                subunits[code] = rules.NA
            else:
                subunits[code] = [
                    rules.Finding(L, rules.adjusted_severity(method, code, [r] if r else []), m)
                    for L, r, m in v
                ]
        samples.append(rules.SampleInput(f"S{i + 1}", subunits))
    return rules.score_committee(method, samples).grade


def build() -> dict[str, int]:
    rng = random.Random(SEED)
    today = timezone.localdate()
    with transaction.atomic():
        wipe()
        mv = services.default_version()
        method = queries.method_of(mv)
        safety = User.objects.get(username="safety")
        inspector = User.objects.get(username="inspector")
        office = Actor(safety, "demo")
        field = Actor(inspector, "demo")
        committees = list(Committee.objects.filter(code__in=TARGETS).order_by("code"))
        rnd = services.do_create_round(
            office,
            name=ROUND_NAME,
            method=mv,
            committees=committees,
            seed="linli-demo-2026",
            assessor="申安安全评估",
        )
        samples = services.do_draw_round(office, rnd)
        for sample in samples:
            services.do_assign_inspector(office, sample, inspector)
        for index, committee in enumerate(committees):
            Sample.objects.filter(round=rnd, committee=committee).update(
                inspected_on=inspected_on(index, today)
            )
        by_committee: dict[int, list[Sample]] = {}
        for s in (
            Sample.objects.filter(round=rnd)
            .select_related("building", "committee", "round__method")
            .order_by("label")
        ):
            by_committee.setdefault(s.committee_id, []).append(s)
        findings = 0
        for index, committee in enumerate(committees):
            target = TARGETS[committee.code]
            group = by_committee[committee.pk]
            for _attempt in range(500):
                plans = [_plan(rng, method, s, target) for s in group]
                if _score(method, plans) == target:
                    break
            else:  # pragma: no cover - the seed is fixed; a test asserts the outcome
                raise RuntimeError(f"demo: could not reach grade {target} for {committee.code}")
            for sample, plan in zip(group, plans, strict=True):
                statuses = {}
                for item in method.subunits:
                    v = plan.get(item.code)
                    statuses[item.code] = (
                        Check.Status.NA if v == "NA" else Check.Status.CLEAN if v is None else ""
                    )
                services.do_save_check_statuses(
                    field, sample, {k: v for k, v in statuses.items() if v}
                )
                for code, v in plan.items():
                    if v == "NA":
                        continue
                    sub = method.subunit(code)
                    unit = sub.unit
                    for L, reason, major in v:  # noqa: N806 (the method's L)
                        with_photo = findings % 7 == 0
                        services.do_add_finding(
                            field,
                            sample,
                            code,
                            likelihood=L,
                            severity_reason=reason,
                            description=_describe(rng, sub, DESCRIPTIONS[unit]),
                            location=f"{sample.building.name} {rng.randint(1, 6)}号门洞",
                            rule_breached=RULES.get(unit, ""),
                            major_fire_hazard=major,
                            photos=[_photo(rng, f"{committee.code}-{sample.label}-{code}")]
                            if with_photo
                            else [],
                        )
                        findings += 1
                services.do_submit_sample(field, sample, today=inspected_on(index, today))
        closed = _progress_cases(rng, rnd, today)
        services.do_refresh_escalation(office, today=today)
        responses = _survey(rng, rnd, office)
    return {
        "rounds": 1,
        "samples": len(samples),
        "findings": findings,
        "cases": HazardCase.objects.filter(round=rnd).count(),
        "closed": closed,
        "survey_responses": responses,
    }


def _survey(rng: random.Random, rnd: Round, office: Actor) -> int:
    """Paper questionnaires: 12–20 per committee, safer answers where the grade is better."""
    from . import survey

    sv = survey.do_create_survey(office, rnd)
    n = 0
    lean = {"A": 2, "B": 3, "C": 4}
    for committee in rnd.committees.order_by("code"):
        base = lean[TARGETS[committee.code]]
        for _i in range(rng.randint(12, 20)):
            answers = [min(5, max(1, base + rng.choice((-1, 0, 0, 1)))) for _q in sv.questions]
            survey.do_enter_survey_response(office, sv, committee, answers)
            n += 1
    return n


def _progress_cases(rng: random.Random, rnd: Round, today: date) -> int:
    """Move some cases along their lifecycle: some closed, some in progress, some overdue.
    Each step is dated a few days after the finding, never after ``today``."""
    safety = Actor(User.objects.get(username="safety"), "demo")
    partner_org = Organisation.objects.filter(name="徐房物业").first()
    committee_staff = {
        u.committee_id: Actor(u, "demo") for u in User.objects.filter(role="committee_staff")
    }
    closed = 0

    def after(case: HazardCase, days: int) -> date:
        return min(today, case.found_on + timedelta(days=days))

    cases = list(
        HazardCase.objects.filter(round=rnd)
        .select_related("committee", "round__method")
        .order_by("pk")
    )
    for i, case in enumerate(cases):
        roll = rng.random()
        if roll < 0.25:
            continue  # left graded: waiting to be assigned (many now overdue)
        org = partner_org if i % 3 == 0 else None
        day = after(case, 1)
        services.do_assign_case(
            safety,
            case,
            today=day,
            responsible="" if org else f"{case.committee.name}",
            organisation=org,
            interim_measure="设置警示标识，专人看护" if case.grade in "AB" else "",
        )
        if roll < 0.4:
            continue
        plan = None
        if case.grade == "A":
            plan = {
                "measures": "拆除并改造",
                "funding": "街道专项资金",
                "deadline": (case.found_on + timedelta(days=30)).isoformat(),
                "responsible": "平安办",
                "emergency_plan": "夜间巡查，配置灭火器",
            }
        services.do_start_rectification(safety, case, today=day, plan=plan)
        if roll < 0.6:
            continue
        services.do_request_reinspection(
            safety,
            case,
            today=after(case, 4),
            photos=[_photo(rng, f"fix-{case.pk}")],
        )
        if case.grade in "AB":
            staff = committee_staff.get(case.committee_id)
            if staff is None:
                continue  # waits for the committee's sign-off
            services.do_sign_case(staff, case, today=after(case, 5))
            services.do_sign_case(safety, case, today=after(case, 5))
        services.do_approve_case(safety, case, today=after(case, 6))
        closed += 1
    return closed


def generate_papers() -> dict[str, int]:
    """Queue the demo round's white-paper batch, as the safety office does (run by ``linli
    demo`` after all modules are built, so the papers include the other modules' sections).
    The worker renders them; with eager tasks (tests) they are rendered at once."""
    from linli.core.context import Actor

    from .paper import do_start_paper_batch

    rnd = Round.objects.order_by("-pk").first()
    if rnd is None:
        return {"papers": 0}
    batch = do_start_paper_batch(Actor.system("linli demo"), rnd)
    return {"papers queued": batch.job.total, "job": batch.job_id}


# --- The district (``linli demo --district``) -----------------------------------------------

# Each street of the district gets a finished round of this year and one of the year before
# (its scores make the trend, its survey the rank over the years); the demo street gets the
# year before's round too. One sample per committee and a few findings keep the build quick.
DISTRICT_SEED = 2027
# Per street, how heavy its findings are this year: (chance of a finding, L range).
DISTRICT_INTENSITY = ((0.16, (3, 5)), (0.12, (3, 4)), (0.09, (2, 4)), (0.06, (2, 3)))


def _street_office(street: Any, password: str) -> Actor:
    """The street's safety office (平安办) account ``safety_<street code>``: the round's maker
    (the demo street's own is ``safety``)."""
    from linli.core.roles import Department, Role
    from linli.geo import demo as geo_demo

    if street.code == geo_demo.HOME_STREET:
        return Actor(User.objects.get(username="safety"), "demo")
    user = User.objects.filter(username=f"safety_{street.code}").first() or User(
        username=f"safety_{street.code}"
    )
    user.role, user.department, user.subdistrict = Role.STREET_STAFF, Department.SAFETY, street
    user.display_name = f"{street.name}平安办"
    user.is_active = True
    user.password = password  # the demo password, hashed once for all the streets
    user.password_change_reason = ""
    user.save()
    return Actor(user, "demo")


def _district_round(
    rng: random.Random, street: Any, year: int, office: Actor, field: Actor, today: date
) -> tuple[Round, int]:
    """One street's round of ``year``, inspected (one sample per committee), finished, with
    its survey; dated in ``year``. Every street names it alike (round names are unique per
    street). Returns the round and its number of survey answers."""
    mv = services.default_version()
    method = queries.method_of(mv)
    committees = list(Committee.objects.filter(subdistrict=street).order_by("code"))
    rnd = services.do_create_round(
        office, name=f"{year} 年度安全风险评估", method=mv, committees=committees,
        samples_per_committee=1, seed=f"linli-demo-{street.code}-{year}", assessor="申安安全评估",
    )  # fmt: skip
    p, (lo, hi) = DISTRICT_INTENSITY[rng.randrange(len(DISTRICT_INTENSITY))]
    on = today if year == today.year else date(year, 10, 15)
    for sample in services.do_draw_round(office, rnd):
        services.do_assign_inspector(office, sample, field.user)
        sample = Sample.objects.select_related("building", "committee", "round__method").get(
            pk=sample.pk
        )
        found: dict[str, str] = {}  # sub-unit → clean, n/a, or "" (a finding)
        for s in method.subunits:
            not_here = (s.unit == "DX" and sample.building.housing_type in ("lane", "garden")) or (
                s.code == "SB01" and not sample.building.has_lift
            )
            if not_here:
                found[s.code] = Check.Status.NA
            elif rng.random() < p:
                found[s.code] = ""
            else:
                found[s.code] = Check.Status.CLEAN
        if "" not in found.values():
            found["XF01"] = ""
        services.do_save_check_statuses(field, sample, {k: v for k, v in found.items() if v})
        for code in (k for k, v in found.items() if not v):
            services.do_add_finding(
                field, sample, code, likelihood=rng.randint(lo, hi),
                description=_describe(rng, method.subunit(code), DESCRIPTIONS["XF"]),
                location=f"{sample.building.name}",
            )  # fmt: skip
        Sample.objects.filter(pk=sample.pk).update(inspected_on=on - timedelta(days=5))
        services.do_submit_sample(field, sample, today=on - timedelta(days=5))
    # Close a share of the street's C hazards (A and B wait for the committee's sign-off).
    closing = rng.choice((0.3, 0.5, 0.7, 0.9))
    for case in HazardCase.objects.filter(round=rnd, grade="C").order_by("pk"):
        if rng.random() >= closing:
            continue
        day = min(today, case.found_on + timedelta(days=2))
        services.do_assign_case(office, case, today=day, responsible=case.committee.name)
        services.do_start_rectification(office, case, today=day)
        services.do_request_reinspection(
            office, case, today=day, photos=[_photo(rng, f"fix-{case.pk}")]
        )
        services.do_approve_case(office, case, today=day)
    from . import survey

    sv = survey.do_create_survey(office, rnd)
    # The article: the demo street ranked first in the district's resident safety survey two
    # years running. Its answers lean higher than every other street's, whose spread differs.
    from linli.geo import demo as geo_demo

    spread: tuple[int, ...]
    if street.code == geo_demo.HOME_STREET:
        lean, spread = 4, (-1, 0, 0, 1)
    else:
        lean, spread = 3, rng.choice(((-2, -1, 0, 0, 1), (-1, -1, 0, 0, 1), (-1, 0, 0, 0, 1)))
    answers = 0
    for committee in committees:
        for _i in range(rng.randint(4, 6)):
            row = [min(5, max(1, lean + rng.choice(spread))) for _q in sv.questions]
            survey.do_enter_survey_response(office, sv, committee, row)
            answers += 1
    if year != today.year:
        # An earlier year's round as it stood: dated in its year, so it is the previous one.
        Round.objects.filter(pk=rnd.pk).update(
            created_at=datetime(year, 10, 1, 9, 0, tzinfo=timezone.get_current_timezone())
        )
    return rnd, answers


def build_district() -> dict[str, int]:
    """The district demo's risk data: for every other street of 徐汇区 a finished round of
    this year and of the year before, each with its survey; for the demo street the year
    before's (this year's is ``build``'s). Run after ``geo.demo.build_district``."""
    from linli.geo import demo as geo_demo
    from linli.geo.models import Subdistrict

    rng = random.Random(DISTRICT_SEED)
    today = timezone.localdate()
    field = Actor(User.objects.get(username="inspector"), "demo")
    home = geo_demo.home_street()
    streets = list(
        Subdistrict.objects.filter(
            district=home.district if home else None, committees__isnull=False
        )
        .distinct()
        .order_by("code")
    )
    rounds = answers = 0
    password = make_password(geo_demo.DEMO_PASSWORD)
    with transaction.atomic():
        for street in streets:
            office = _street_office(street, password)
            for year in (today.year - 1, today.year):
                if street.code == geo_demo.HOME_STREET and year == today.year:
                    continue
                _rnd, n = _district_round(rng, street, year, office, field, today)
                rounds += 1
                answers += n
    return {"rounds": rounds, "survey_responses": answers}
