"""Demo lift projects: one passed and under construction, one in consultation at 乌中.

Deterministic (fixed seed), idempotent (deletes this app's data first). Runs after the geo
demo. 乌中 gets a demo estate "乌中小区" with one multi-storey block and three high-rise
blocks (about six high-rise owners to one multi-storey owner), because the lift there uses
the estate's shared ground and the estate-scope vote needs the high-rise owners too.
One owner of the 乌中 roll gets the fixed personal code ``DEMO_CODE`` (see docs/elevator.md).
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from linli.core import crypto
from linli.core.context import Actor
from linli.core.identity import check_character, mask_id_number, mask_phone
from linli.core.models import User
from linli.core.roles import Department, Role
from linli.geo import demo as geo_demo
from linli.geo.demo import DEMO_PASSWORD
from linli.geo.labels import join_place
from linli.geo.models import (
    Building,
    Committee,
    Entrance,
    Estate,
    Household,
    Resident,
    Subdistrict,
)
from linli.geo.services import ID_PURPOSE, identity_hash

from . import services, stages
from .models import (
    Ballot,
    Consultation,
    Document,
    Objection,
    OwnedUnit,
    Owner,
    Project,
    StageChange,
    Vote,
)

SEED = 20260601
TODAY = date(2026, 11, 25)
DEMO_CODE = "DEMA-2345-WZHQ"
WUZHONG_ESTATE = "乌中小区"
TZ = ZoneInfo("Asia/Shanghai")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国玉凤文红梅志海燕德宝珍美玲雪爱春"


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=TZ)


def wipe() -> None:
    """Remove the elevator demo data (run before the demo street is rebuilt)."""
    Project.objects.all().delete()
    Consultation.objects.all().delete()
    estate = Estate.objects.filter(name=WUZHONG_ESTATE, committee__code="HN07").first()
    if estate is not None:
        Resident.objects.filter(household__entrance__building__estate=estate).delete()
        Household.objects.filter(entrance__building__estate=estate).delete()
        Entrance.objects.filter(building__estate=estate).delete()
        Building.objects.filter(estate=estate).delete()
        estate.delete()


_USED: set[str] = set()


def _person(rng: random.Random, household: Household) -> Resident:
    """A fictitious owner; address code 310105 keeps the numbers apart from the geo demo's."""
    while True:
        born = date(rng.randint(1940, 1990), rng.randint(1, 12), rng.randint(1, 28))
        first17 = f"310105{born:%Y%m%d}{rng.randrange(0, 999):03d}"
        if first17 not in _USED:
            _USED.add(first17)
            break
    number = first17 + check_character(first17)
    phone = f"139{rng.randint(10_000_000, 99_999_999)}"
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
    return Resident(
        household=household,
        committee_id=household.committee_id,
        name=name,
        relation=Resident.Relation.HEAD,
        birth_year=born.year,
        id_hash=identity_hash(number),
        id_cipher=crypto.encrypt(number, ID_PURPOSE),
        id_masked=mask_id_number(number),
        phone_masked=mask_phone(phone),
        is_demo=True,
    )


def _wuzhong_estate(rng: random.Random, committee: Committee) -> tuple[Building, int]:
    """One six-storey block (24 flats) and three high-rise blocks (144 flats)."""
    estate = Estate.objects.create(
        committee=committee,
        name=WUZHONG_ESTATE,
        kind=Estate.Kind.ESTATE,
        address="乌鲁木齐中路 1 弄",
        management=Estate.Management.PROPERTY_COMPANY,
    )
    low = None
    made = 0
    specs = [("5号楼", 6, 2, 2, "brick_concrete", 1986)] + [
        (f"{n}号楼", 18, 1, 4, "reinforced_concrete", 2004) for n in (1, 2, 3)
    ]
    for name, floors, entrances, per_floor, structure, year in specs:
        building = Building.objects.create(
            estate=estate,
            committee=committee,
            name=name,
            address=f"乌鲁木齐中路 1 弄 {name}",
            housing_type="public" if floors < 10 else "commercial",
            structure=structure,
            year_built=year,
            floors=floors,
            has_lift=floors >= 10,
        )
        low = low or building
        top = floors if floors < 10 else 12  # the demo keeps the high-rise roll to 144 flats
        for e in range(1, entrances + 1):
            entrance = Entrance.objects.create(
                building=building, number=f"{e}号", address=f"{building.address} {e}号"
            )
            for floor in range(1, top + 1):
                for k in range(1, per_floor + 1):
                    hh = Household.objects.create(
                        entrance=entrance,
                        committee=committee,
                        room=f"{floor}{k:02d}",
                        floor=floor,
                        exclusive_area=Decimal(rng.randint(4200, 9800)) / 100,
                    )
                    _person(rng, hh).save()
                    made += 1
    assert low is not None
    return low, made


def _ballots(
    actor: Actor,
    rng: random.Random,
    vote: Vote,
    owners: list[Owner],
    weights: tuple[float, float, float],
    start: date,
) -> int:
    """Cast deterministic ballots; weights are agree / against / abstain, the rest none."""
    channels = ["paper", "paper", "door", "assisted", "proxy"]
    n = 0
    for i, owner in enumerate(owners):
        r = rng.random()
        if r < weights[0]:
            choice = "agree"
        elif r < weights[0] + weights[1]:
            choice = "against"
        elif r < sum(weights):
            choice = "abstain"
        else:
            continue
        if i % 4 == 0:
            ballot = services.do_cast_owner_ballot(
                Actor(None, "demo", "owner"), vote, owner, choice
            )
        else:
            channel = channels[i % len(channels)]
            note = "授权委托书：业主委托其子女代为表决" if channel == "proxy" else ""
            ballot = services.do_enter_ballot(actor, vote, owner, choice, channel, note)
            if i % 3 == 0:
                services.do_confirm_owner_ballot(actor, vote, owner)
        cast = _at(start + timedelta(days=i % 10), 9 + i % 8)
        Ballot.objects.filter(pk=ballot.pk).update(cast=cast, confirmed=ballot.confirmed and cast)
        n += 1
    return n


def _passed_project(actor: Actor, rng: random.Random) -> tuple[Project, int]:
    entrance = (
        Entrance.objects.filter(building__committee__code="HN01", building__housing_type="public")
        .select_related("building__estate")
        .order_by("building__name", "number")
        .first()
    )
    if entrance is None:  # the geo demo always has one; keep the demo robust anyway
        entrance = Entrance.objects.filter(building__housing_type="public").first()
    assert entrance is not None
    building = entrance.building
    project = services.do_save_project(
        actor,
        Project(
            building=building,
            entrance=entrance,
            name=f"{join_place(building.estate.name, building.name, entrance.number, sep='')}加装电梯",
            applicant_group="陈国强（6楼）\n吴秀英（5楼）\n许建华（4楼）",
            party_branch="长乐路加梯临时党支部",
            works_cost_fen=58_000_000,
            planning_notice_start=date(2026, 5, 11),
        ),
    )
    for name, role, party in (
        ("陈国强", "业主代表", True),
        ("吴秀英", "业主代表", False),
        ("居委 周敏华", "居委", True),
        ("徐房物业 朱强", "物业", False),
        ("业委会 沈德华", "业委会", True),
    ):
        services.do_add_member(actor, project, name, role, party)
    services.do_build_roll(actor, project)
    owners = list(project.owners.order_by("pk"))
    vote = services.do_open_vote(actor, project, "building", "SH-801-building", date(2026, 3, 2))
    n = 0
    for i, owner in enumerate(owners):  # all but one agree, one abstains: passes
        choice = "abstain" if i == 1 else "agree"
        channel = "door" if i % 3 == 0 else "paper"
        b = services.do_enter_ballot(actor, vote, owner, choice, channel)
        if i % 2 == 0:
            services.do_confirm_owner_ballot(actor, vote, owner)
        Ballot.objects.filter(pk=b.pk).update(cast=_at(date(2026, 3, 2) + timedelta(days=i)))
        n += 1
    services.do_close_vote(actor, vote)
    Vote.objects.filter(pk=vote.pk).update(closes=date(2026, 3, 20))
    services.do_add_round_table(
        actor,
        project,
        date(2026, 1, 16),
        "介绍加梯政策与补贴；初步设计方案；费用分摊方法（一楼不出资）",
        "业主 9 户\n居委 周敏华\n设计单位 申城建筑设计\n施工单位 沪梯安装",
        "多数业主赞成；二楼住户关心采光和噪声，设计单位调整井道位置。约定采用楼层系数法分摊。",
    )
    docs = {
        0: ["working_group_record"],
        1: ["intent_survey_result", "preliminary_design", "cost_estimate", "round_table_minutes"],
        2: ["consultation_ballots", "retrofit_agreement", "cost_sharing_table"],
        3: ["result_notice"],
        4: ["planning_notice", "objection_replies"],
        5: ["safety_review_opinion", "construction_drawings"],
        6: ["works_filing"],
    }
    dates = [
        date(2025, 12, 20),
        date(2026, 2, 25),
        date(2026, 3, 25),
        date(2026, 5, 10),
        date(2026, 6, 5),
        date(2026, 7, 20),
        date(2026, 9, 1),
    ]
    for stage, kinds in docs.items():
        for kind in kinds:
            services.do_add_document(actor, project, kind, None, "纸质存档", stage=stage)
        services.do_move_stage(actor, project, stage + 1, "材料齐全")
        StageChange.objects.filter(project=project, to_stage=stage + 1).update(on=dates[stage])
    project.refresh_from_db()
    return project, n


def _operating_project(actor: Actor) -> Project:
    """A lift in service since 2025: upkeep records, a yearly inspection falling due."""
    entrance = (
        Entrance.objects.filter(building__committee__code="HN01", building__housing_type="public")
        .select_related("building__estate")
        .order_by("building__name", "number")[1:2]
        .first()
    )
    if entrance is None:
        entrance = Entrance.objects.filter(building__housing_type="public").order_by("pk").last()
    assert entrance is not None
    building = entrance.building
    project = services.do_save_project(
        actor,
        Project(
            building=building,
            entrance=entrance,
            name=f"{join_place(building.estate.name, building.name, entrance.number, sep='')}加装电梯",
            applicant_group="黄德华（5楼）\n马秀兰（4楼）\n曹建国（3楼）",
            works_cost_fen=54_000_000,
            planning_notice_start=date(2024, 9, 2),
            entered_service=date(2025, 10, 20),
            use_registered=date(2025, 11, 6),
            last_inspection=date(2025, 11, 28),
            inspection_due=date(2026, 11, 27),
            use_management_unit="徐房物业（业主委托）",
            maintenance_company="沪梯维保有限公司",
            maintenance_contract_until=date(2026, 12, 31),
        ),
    )
    services.do_build_roll(actor, project)
    vote = services.do_open_vote(actor, project, "building", "SH-801-building", date(2024, 6, 3))
    for owner in project.owners.order_by("pk"):
        services.do_enter_ballot(actor, vote, owner, "agree", "paper")
    services.do_close_vote(actor, vote)
    Vote.objects.filter(pk=vote.pk).update(closes=date(2024, 6, 20))
    Ballot.objects.filter(vote=vote).update(cast=_at(date(2024, 6, 10)))
    for stage in range(11):
        for kind in stages.required_documents(
            stages.Stage(stage), works_cost_fen=project.works_cost_fen
        ):
            services.do_add_document(actor, project, kind, None, "纸质存档", stage=stage)
        services.do_move_stage(actor, project, stage + 1, "材料齐全")
        StageChange.objects.filter(project=project, to_stage=stage + 1).update(
            on=date(2024, 3, 1) + timedelta(days=60 * stage)
        )
    for kind in stages.required_documents(stages.Stage.OPERATION):
        services.do_add_document(actor, project, kind, None, "纸质存档", stage=11)
    day = date(2025, 10, 24)
    while day <= TODAY - timedelta(days=19):  # the latest visit is overdue: a reminder shows
        services.do_add_maintenance(
            actor, project, day, "沪梯维保 王师傅", "例行保养：曳引机、门机、安全回路"
        )
        day += timedelta(days=14)
    project.refresh_from_db()
    return project


def _design_drawing(floors: int) -> bytes:
    """A schematic elevation for the demo: the block's storeys and the lift shaft beside them,
    a stop at every floor (flat entry)."""
    width, storey = 640, 60
    height = 80 + floors * storey
    image = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(image)
    ground = height - 40
    pen.line([(20, ground), (width - 20, ground)], fill="#1c2430", width=3)
    pen.rectangle([80, ground - floors * storey, 420, ground], outline="#1c2430", width=3)
    for floor in range(floors):
        y = ground - (floor + 1) * storey
        pen.line([(80, y), (420, y)], fill="#5a6473", width=1)
        for x in (120, 220, 320):
            pen.rectangle([x, y + 18, x + 50, y + 44], outline="#5a6473", width=2)
        pen.rectangle([420, y + 14, 440, y + storey - 4], fill="#1d4f91")  # landing
    pen.rectangle([440, ground - floors * storey - 30, 540, ground], outline="#9b1c1c", width=4)
    pen.rectangle([455, ground - 50, 525, ground - 4], fill="#fbe3e3", outline="#9b1c1c")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _consultation_project(actor: Actor, rng: random.Random) -> tuple[Project, int, int]:
    committee = Committee.objects.get(code="HN07")
    low, _made = _wuzhong_estate(rng, committee)
    project = services.do_save_project(
        actor,
        Project(
            building=low,
            name=f"{WUZHONG_ESTATE}{low.name}加装电梯",
            applicant_group="林海燕（6楼）\n郑志明（5楼）\n罗美玲（4楼）",
            party_branch="乌中小区加梯临时党支部",
            uses_shared_ground=True,
            works_cost_fen=62_000_000,
            lift_position="北侧楼梯间外，井道外移 0.6 米，玻璃幕墙",
            stops=f"平层入户，停靠 1–{low.floors} 层",
        ),
    )
    services.do_add_member(actor, project, "林海燕", "业主代表", True)
    services.do_add_member(actor, project, "乌中居委 何丽", "居委", True)
    services.do_add_member(actor, project, "业委会 唐建国", "业委会", False)
    services.do_build_roll(actor, project)
    # One owner holds two flats of the block; six unsold high-rise flats are the developer's.
    block = list(project.units.filter(in_building=True).order_by("pk"))
    services.do_merge_owners(actor, project, [block[-1].owner_id, block[-2].owner_id])
    unsold = list(
        project.units.filter(in_building=False, floor__gte=11)
        .order_by("pk")[:6]
        .values_list("pk", flat=True)
    )
    services.do_mark_developer_units(actor, project, unsold)
    for kind in ("working_group_record",):
        services.do_add_document(actor, project, kind, None, "纸质存档", stage=0)
    services.do_move_stage(actor, project, 1, "三人小组成立")
    StageChange.objects.filter(project=project, to_stage=1).update(on=date(2026, 7, 3))
    for kind in (
        "intent_survey_result",
        "preliminary_design",
        "cost_estimate",
        "round_table_minutes",
    ):
        services.do_add_document(actor, project, kind, None, "纸质存档", stage=1)
    services.do_add_document(
        actor, project, "preliminary_design",
        SimpleUploadedFile("design.png", _design_drawing(low.floors)), "初步设计：立面与平面示意",
        stage=1,
    )  # fmt: skip
    services.do_publish_cost_plan(
        actor,
        project,
        {"cost": "620000", "subsidy": "市级补贴,2/5,280000", "method": "coefficients",
         "coefficients": "", "fixed_share": "", "exempt_ground_floor": "on",
         "maintenance": "6000", "inspection": "800", "electricity": "1200", "insurance": "500",
         "reserve": "1000"},
    )  # fmt: skip
    services.do_move_stage(actor, project, 2, "意向征询通过，进入正式征询")
    StageChange.objects.filter(project=project, to_stage=2).update(on=date(2026, 10, 12))
    services.do_add_round_table(
        actor,
        project,
        date(2026, 9, 18),
        "电梯占用小区绿地：向高层业主说明方案、绿地补种和噪声控制",
        "多层业主 14 户\n高层业主代表 9 人\n居委 何丽\n业委会 唐建国\n物业",
        "高层业主关心绿地减少和施工期间通行；约定另行补种、施工避开早晚高峰。",
    )
    b_vote = services.do_open_vote(
        actor, project, "building", "SH-801-building", date(2026, 10, 15)
    )
    e_vote = services.do_open_vote(actor, project, "estate", "SH-801-estate", date(2026, 10, 15))
    block_owners = list(project.owners.filter(units__in_building=True).distinct().order_by("pk"))
    all_owners = list(project.owners.order_by("pk"))
    n = _ballots(actor, rng, b_vote, block_owners, (0.72, 0.08, 0.04), date(2026, 10, 15))
    block_ids = {o.pk for o in block_owners}
    for owner in block_owners:  # the block's owners give the same view in the estate vote
        ballot = Ballot.objects.filter(vote=b_vote, owner=owner, current=True).first()
        if ballot is not None:
            services.do_enter_ballot(actor, e_vote, owner, ballot.choice, "paper")
            n += 1
    others = [o for o in all_owners if o.pk not in block_ids]
    n += _ballots(actor, rng, e_vote, others, (0.36, 0.12, 0.05), date(2026, 10, 20))
    # Objections: a second-floor owner worried about light, mediated by three owners.
    second = [o for o in block_owners if o.units.filter(floor=2).exists()]
    mediators = [o for o in block_owners if o.units.filter(floor__gte=4).exists()][:3]
    first = services.do_add_objection(
        actor,
        project,
        objector=second[0] if second else None,
        objector_label="" if second else "二楼住户",
        reason="电梯井道紧贴二楼北侧窗户，担心采光、通风和噪声。",
        raised=date(2026, 10, 18),
        mediators=mediators,
    )
    services.do_add_mediation_session(
        actor, first, date(2026, 10, 22), "三位老娘舅上门听取意见，设计单位到场说明井道位置。"
    )
    services.do_add_mediation_session(
        actor,
        first,
        date(2026, 11, 3),
        "设计单位将井道外移 0.6 米并改用玻璃幕墙；业主表示接受，另约定施工期间噪声时段。",
    )
    services.do_settle_objection(
        actor,
        first,
        "agreed",
        "井道外移 0.6 米，采用玻璃幕墙；施工时间 8:00-18:00；二楼不分摊建设费用。",
    )
    services.do_add_objection(
        actor,
        project,
        objector=None,
        objector_label="3号楼高层业主",
        reason="电梯占用小区绿地，担心绿化减少、停车更难。",
        raised=date(2026, 11, 10),
        mediators=mediators,
    )
    # A known personal code for trying the owner's page (docs/elevator.md).
    demo_owner = block_owners[2]
    demo_owner.code_hash = crypto.keyed_hash(DEMO_CODE, services.CODE_PURPOSE)
    demo_owner.save(update_fields=["code_hash"])
    return project, n, len(all_owners)


def _consultations(actor: Actor) -> int:
    rows: list[tuple[str, str, str, str, str, bool, Any]] = [
        (
            "phone",
            "陈先生",
            "HN01",
            "一楼住户是否要出钱？",
            "按常见做法一楼不分摊建设费用，以加梯协议为准。",
            True,
            None,
        ),
        (
            "visit",
            "林女士",
            "HN07",
            "高层业主为什么也要表决？",
            "电梯占用小区绿地，须小区范围表决，过半数同意。",
            True,
            None,
        ),
        (
            "online",
            "郑先生",
            "HN07",
            "在外地工作，如何表决？",
            "可用个人码网上表决，或书面委托家人代为表决。",
            False,
            date(2026, 11, 28),
        ),
        (
            "phone",
            "王阿姨",
            "HN01",
            "老房子能不能加梯？",
            "里弄房屋结构和通道条件有限，请居委先上门查看。",
            False,
            date(2026, 12, 2),
        ),
    ]
    for i, (channel, asker, code, question, answer, done, follow) in enumerate(rows):
        entry = Consultation(
            at=_at(TODAY - timedelta(days=10 - i * 2), 9 + i),
            channel=channel,
            asker=asker,
            committee=Committee.objects.get(code=code),
            question=question,
            answer=answer,
            done=done,
            follow_up=follow,
        )
        services.do_save_consultation(actor, entry)
    return len(rows)


def build() -> dict[str, int]:
    rng = random.Random(SEED)
    _USED.clear()
    admin = User.objects.get(username="admin")
    actor = Actor(admin, "demo", "linli demo")
    with transaction.atomic():
        wipe()
        passed, passed_ballots = _passed_project(actor, rng)
        operating = _operating_project(actor)
        wuzhong, ballots, owners = _consultation_project(actor, rng)
        consultations = _consultations(actor)
    return {
        "projects": Project.objects.count(),
        "owners": Owner.objects.count(),
        "units": OwnedUnit.objects.count(),
        "ballots": Ballot.objects.count(),
        "objections": Objection.objects.count(),
        "documents": Document.objects.count(),
        "consultations": consultations,
        "wuzhong_owners": owners,
        "passed_ballots": passed_ballots,
        "wuzhong_ballots": ballots,
        "passed_stage": passed.stage,
        "wuzhong_stage": wuzhong.stage,
        "operating_stage": operating.stage,
    }


# --- the district's other streets (``linli demo --district``) --------------------------------

DISTRICT_SEED = SEED + 2
DISTRICT_STAGE_TARGETS = (4, 7, 11)  # the further project of every other street: planning
# notice, installation, or in service


def _street_housing_office(street: Subdistrict, password: str) -> Actor:
    """The street's housing office (房管办) account ``housing_<street code>``: it runs the
    street's lift projects (``elevator.manage`` by its department)."""
    user = User.objects.filter(username=f"housing_{street.code}").first() or User(
        username=f"housing_{street.code}"
    )
    user.role, user.department, user.subdistrict = Role.STREET_STAFF, Department.HOUSING, street
    user.committee = user.district = user.city = user.organisation = None
    user.display_name = f"{street.name}房管办"
    user.is_active = True
    user.password = password  # the demo password, hashed once for all the streets
    user.password_change_reason = ""
    user.save()
    return Actor(user, "demo", "linli demo --district")


def _street_entrances(street: Subdistrict) -> list[Entrance]:
    """Stairwells of the street's multi-storey blocks with households, in a fixed order (lower
    blocks when the street has none of four storeys or more)."""
    base = Entrance.objects.filter(
        building__committee__subdistrict=street, households__isnull=False
    ).select_related("building__estate")
    order = ("building__committee__code", "building__name", "number", "pk")
    tall = list(base.filter(building__floors__gte=4).distinct().order_by(*order))
    return tall or list(base.distinct().order_by(*order))


def _street_project(
    actor: Actor, rng: random.Random, entrance: Entrance, target: int
) -> tuple[Project, int]:
    """One lift of another street: roll built, the building vote held, moved to ``target``.

    Before the consultation's end the vote is open with some ballots in; after it, everyone
    agreed and the vote is closed. Returns the project and its number of ballots."""
    building = entrance.building
    project = services.do_save_project(
        actor,
        Project(
            building=building,
            entrance=entrance,
            name=f"{join_place(building.estate.name, building.name, entrance.number, sep='')}加装电梯",
            works_cost_fen=rng.randrange(45, 61) * 1_000_000,
        ),
    )
    services.do_build_roll(actor, project)
    owners = list(project.owners.order_by("pk"))
    if target <= stages.Stage.CONSULTATION:
        opens = TODAY - timedelta(days=rng.randint(5, 20))
        vote = services.do_open_vote(
            actor, project, "building", "SH-801-building", opens, opens + timedelta(days=30)
        )
        voted = owners[: len(owners) * rng.randint(4, 7) // 10]
        for i, owner in enumerate(voted):
            choice = "against" if i % 5 == 4 else "agree"
            services.do_enter_ballot(actor, vote, owner, choice, "paper" if i % 2 else "door")
        Ballot.objects.filter(vote=vote).update(cast=_at(opens + timedelta(days=2)))
        ballots = len(voted)
    else:
        opens = TODAY - timedelta(days=60 * target)
        vote = services.do_open_vote(actor, project, "building", "SH-801-building", opens)
        for owner in owners:
            services.do_enter_ballot(actor, vote, owner, "agree", "paper")
        services.do_close_vote(actor, vote)
        Vote.objects.filter(pk=vote.pk).update(closes=opens + timedelta(days=14))
        Ballot.objects.filter(vote=vote).update(cast=_at(opens + timedelta(days=3)))
        ballots = len(owners)
    start = TODAY - timedelta(days=60 * target + 90)
    for stage in range(target):
        for kind in stages.required_documents(
            stages.Stage(stage), works_cost_fen=project.works_cost_fen
        ):
            services.do_add_document(actor, project, kind, None, "纸质存档", stage=stage)
        services.do_move_stage(actor, project, stage + 1, "材料齐全")
        StageChange.objects.filter(project=project, to_stage=stage + 1).update(
            on=start + timedelta(days=60 * stage)
        )
    if target == stages.Stage.OPERATION:
        Project.objects.filter(pk=project.pk).update(
            entered_service=start + timedelta(days=60 * 9),
            use_registered=start + timedelta(days=60 * 9 + 14),
            last_inspection=start + timedelta(days=60 * 9 + 30),
        )
    project.refresh_from_db()
    return project, ballots


def build_street(street: Subdistrict, index: int = 0, password: str = "") -> dict[str, int]:
    """A small lift presence in one street other than the demo street: one project in
    consultation (its vote open, some ballots in) and, in every other street, one further on
    (``DISTRICT_STAGE_TARGETS``), run by the street's housing office. Deterministic per street."""
    rng = random.Random(f"{DISTRICT_SEED}-{street.code}")
    actor = _street_housing_office(street, password or make_password(DEMO_PASSWORD))
    entrances = _street_entrances(street)
    targets = [int(stages.Stage.CONSULTATION)]
    if index % 2 == 0:
        targets.append(DISTRICT_STAGE_TARGETS[(index // 2) % len(DISTRICT_STAGE_TARGETS)])
    projects = ballots = 0
    chosen = rng.sample(entrances, min(len(targets), len(entrances)))
    for entrance, target in zip(chosen, targets[: len(chosen)], strict=True):
        _project, n = _street_project(actor, rng, entrance, target)
        projects += 1
        ballots += n
    return {"projects": projects, "ballots": ballots}


def build_district() -> dict[str, int]:
    """The district demo's lift projects: ``build_street`` for every other street of the demo
    street's district that has committees. Run after ``build`` and ``geo.demo.build_district``
    (``build``'s ``wipe`` removes every project, these included)."""
    home = geo_demo.home_street()
    if home is None:
        return {"streets": 0, "projects": 0, "ballots": 0}
    others = (
        Subdistrict.objects.filter(district=home.district_id, committees__isnull=False)
        .exclude(pk=home.pk)
        .distinct()
        .order_by("code")
    )
    password = make_password(DEMO_PASSWORD)
    counts = {"streets": 0, "projects": 0, "ballots": 0}
    with transaction.atomic():
        for index, street in enumerate(others):
            made = build_street(street, index, password)
            counts["streets"] += 1
            counts["projects"] += made["projects"]
            counts["ballots"] += made["ballots"]
    return counts
