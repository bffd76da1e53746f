"""The demo street (湖南街道, 徐汇区): places, synthetic residents and one account per role.

Deterministic: the same seed builds the same street every time. Residents carry
valid-checksum but fictitious identity numbers and are marked ``is_demo``.
Later modules add their own demo data through their own ``demo`` functions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from linli.core import audit, crypto, policy
from linli.core.accountrules import requires_two_factor
from linli.core.accounts import enrol_demo
from linli.core.context import Actor
from linli.core.identity import check_character, mask_id_number, mask_phone
from linli.core.models import Organisation, User
from linli.core.roles import Department, Level, Role, reach_of

from . import divisions
from .labels import join_place
from .models import Area, Building, Committee, Entrance, Estate, Household, Resident, Subdistrict
from .services import ID_PURPOSE, PHONE_PURPOSE, identity_hash

SEED = 20211125
DEMO_PASSWORD = "linli-demo-2026"
TODAY = date(2026, 11, 25)

# name, area, diagram x, y, mix of housing (lane, garden, public, commercial)
COMMITTEES: list[tuple[str, str | None, int, int, tuple[int, int, int, int]]] = [
    ("陕新", "新路片区", 2, 8, (8, 2, 2, 0)),
    ("新乐", "新路片区", 2, 22, (7, 3, 1, 1)),
    ("长乐", None, 24, 8, (9, 1, 1, 0)),
    ("延庆", None, 24, 22, (6, 2, 2, 1)),
    ("东湖", None, 24, 36, (5, 3, 2, 1)),
    ("复中", None, 24, 50, (7, 1, 2, 1)),
    ("乌中", "乌鲁木齐片区", 46, 8, (3, 1, 4, 4)),
    ("五原", "乌鲁木齐片区", 46, 22, (6, 2, 2, 1)),
    ("安福", "乌鲁木齐片区", 46, 36, (8, 2, 1, 0)),
    ("永福", "乌鲁木齐片区", 46, 50, (5, 4, 1, 0)),
    ("武康", "衡复风貌片区", 70, 8, (4, 6, 1, 0)),
    ("湖南", "衡复风貌片区", 70, 22, (3, 7, 1, 0)),
    ("兴国", "衡复风貌片区", 70, 36, (2, 6, 2, 1)),
    ("高邮", None, 94, 8, (6, 3, 2, 0)),
    ("泰安", None, 94, 22, (7, 2, 2, 0)),
    ("余庆", None, 94, 36, (6, 2, 2, 1)),
]

ROADS = ["长乐路", "延庆路", "东湖路", "复兴中路", "乌鲁木齐中路", "五原路", "安福路", "永福路",
         "武康路", "湖南路", "兴国路", "高邮路", "泰安路", "余庆路", "陕西南路", "新乐路"]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰凤英文红梅志明海燕德华宝珍美玲雪梅爱华春花国强金凤荣根阿毛小妹家豪思远梓涵雨桐一鸣子轩欣怡浩然佳琪"


HOME_STREET = "310104004"  # 湖南路街道 (国家统计局 统计用区划代码)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    display_name: str
    committee: str | None = None
    department: Department | None = None
    organisation: str | None = None


ACCOUNTS = [
    DemoAccount("admin", Role.STREET_ADMIN, "街道管理员"),
    DemoAccount("safety", Role.STREET_STAFF, "平安办 周敏", department=Department.SAFETY),
    DemoAccount("housing", Role.STREET_STAFF, "房管办 陆建国", department=Department.HOUSING),
    DemoAccount("shanxin", Role.COMMITTEE_STAFF, "陕新居委 王芳", committee="陕新"),
    DemoAccount("xinle", Role.COMMITTEE_STAFF, "新乐居委 李静", committee="新乐"),
    DemoAccount("inspector", Role.INSPECTOR, "检查员 张磊", organisation="申安安全评估"),
    DemoAccount("window", Role.WINDOW_CLERK, "窗口 陈洁", department=Department.SERVICE_CENTRE),
    DemoAccount(
        "backoffice", Role.BACKOFFICE_CLERK, "中台 吴涛", department=Department.SERVICE_CENTRE
    ),
    DemoAccount("partner", Role.PARTNER, "徐房物业 朱强", organisation="徐房物业"),
    DemoAccount("auditor", Role.AUDITOR, "审计员 沈红"),
    # 三员分立: the system administrator (accounts), the security administrator (roles and
    # grants) and the auditor above; none of them reads personal data.
    DemoAccount("sysadmin", Role.SYSTEM_ADMIN, "系统管理员 何伟"),
    DemoAccount("secadmin", Role.SECURITY_ADMIN, "安全管理员 孙莉"),
]
ORGANISATIONS = {"申安安全评估": Organisation.Kind.ASSESSOR, "徐房物业": Organisation.Kind.PROPERTY}


def _id_number(rng: random.Random, born: date, male: bool) -> str:
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    first17 = f"310104{born:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


def _name(rng: random.Random) -> str:
    given = GIVEN[rng.randrange(len(GIVEN))]
    if rng.random() < 0.6:
        given += GIVEN[rng.randrange(len(GIVEN))]
    return SURNAMES[rng.randrange(len(SURNAMES))] + given


def _wipe() -> None:
    """Remove the previous demo street so a rerun rebuilds exactly the same data."""
    User.objects.filter(role=Role.COMMITTEE_STAFF).update(role="", committee=None)
    User.objects.exclude(committee=None).update(committee=None)
    User.objects.exclude(subdistrict=None).update(subdistrict=None)
    for model in (Resident, Household, Entrance, Building, Estate, Committee, Area, Subdistrict):
        model.objects.all().delete()


def _buildings_for(
    rng: random.Random,
    committee: Committee,
    road: str,
    mix: tuple[int, int, int, int],
    counter: list[int],
) -> list[tuple[Estate, list[Building]]]:
    lane_n, garden_n, public_n, commercial_n = mix
    result: list[tuple[Estate, list[Building]]] = []
    base_lane = 100 + rng.randrange(0, 40) * 10
    if lane_n:
        estates = max(1, lane_n // 4)
        per = -(-lane_n // estates)
        made = 0
        for i in range(estates):
            lane_no = base_lane + i * 22 + rng.randrange(1, 9)
            estate = Estate(committee=committee, name=f"{road}{lane_no}弄", kind=Estate.Kind.LANE,
                            address=f"{road}{lane_no}弄", management=Estate.Management.HOUSING_AUTHORITY)  # fmt: skip
            blds = []
            for j in range(min(per, lane_n - made)):
                made += 1
                blds.append(Building(
                    estate=estate, committee=committee, name=f"{j + 1}支弄",
                    address=f"{road}{lane_no}弄{j + 1}支弄", housing_type="lane",
                    structure="brick_timber", year_built=rng.choice([1925, 1930, 1932, 1936, 1941, 1948]),
                    floors=rng.choice([2, 3, 3]), heritage_protected=rng.random() < 0.5, has_lift=False,
                ))  # fmt: skip
            result.append((estate, blds))
    if garden_n:
        estate = Estate(committee=committee, name=f"{road}花园住宅", kind=Estate.Kind.LANE,
                        address=road, management=Estate.Management.HOUSING_AUTHORITY)  # fmt: skip
        blds = []
        for j in range(garden_n):
            no = 30 + j * 4 + rng.randrange(0, 3)
            blds.append(Building(
                estate=estate, committee=committee, name=f"{no}号", address=f"{road}{no}号",
                housing_type="garden", structure=rng.choice(["brick_timber", "brick_concrete"]),
                year_built=rng.choice([1920, 1924, 1928, 1934]), floors=rng.choice([2, 3]),
                heritage_protected=True, has_lift=False,
            ))  # fmt: skip
        result.append((estate, blds))
    if public_n:
        estate = Estate(committee=committee, name=f"{committee.name}新村", kind=Estate.Kind.ESTATE,
                        address=f"{road}{200 + rng.randrange(0, 50)}弄", management=Estate.Management.PROPERTY_COMPANY)  # fmt: skip
        blds = [
            Building(
                estate=estate,
                committee=committee,
                name=f"{j + 1}号楼",
                address=f"{estate.address}{j + 1}号",
                housing_type="public",
                structure="brick_concrete",
                year_built=rng.choice([1978, 1983, 1987, 1992]),
                floors=rng.choice([5, 6, 6, 7]),
                has_lift=False,
            )
            for j in range(public_n)
        ]
        result.append((estate, blds))
    if commercial_n:
        estate = Estate(committee=committee, name=f"{road}公寓", kind=Estate.Kind.ESTATE,
                        address=f"{road}{300 + rng.randrange(0, 50)}号", management=Estate.Management.PROPERTY_COMPANY)  # fmt: skip
        blds = [
            Building(
                estate=estate,
                committee=committee,
                name=f"{j + 1}号楼",
                address=f"{estate.address}{j + 1}号楼",
                housing_type="commercial",
                structure="reinforced_concrete",
                year_built=rng.choice([1998, 2003, 2008]),
                floors=rng.choice([12, 18, 24]),
                has_lift=True,
            )
            for j in range(commercial_n)
        ]
        result.append((estate, blds))
    counter[0] += sum(len(b) for _e, b in result)
    return result


def _save_places(
    rng: random.Random, estates: list[Estate], buildings: list[Building]
) -> list[Household]:
    """Insert estates and buildings, then each building's entrances and households, in bulk;
    returns the households (with their keys)."""
    Estate.objects.bulk_create(estates)
    for b in buildings:
        b.estate_id = b.estate.pk
    Building.objects.bulk_create(buildings)
    entrance_rows: list[Entrance] = []
    groups: list[tuple[Entrance, list[Household]]] = []
    for b in buildings:
        entrances, per_entrance = _entrances_households(rng, b)
        entrance_rows.extend(entrances)
        groups.extend(zip(entrances, per_entrance, strict=True))
    for e in entrance_rows:
        e.building_id = e.building.pk
    Entrance.objects.bulk_create(entrance_rows)
    households: list[Household] = []
    for entrance, flats in groups:
        for h in flats:
            h.entrance_id = entrance.pk
            households.append(h)
    Household.objects.bulk_create(households, batch_size=2000)
    return households


def _entrances_households(
    rng: random.Random, building: Building
) -> tuple[list[Entrance], list[list[Household]]]:
    entrances: list[Entrance] = []
    households: list[list[Household]] = []
    kind = building.housing_type
    n_entrances = {
        "lane": rng.randint(3, 6),
        "garden": 1,
        "public": rng.randint(2, 3),
        "commercial": rng.randint(1, 2),
    }[kind]
    for i in range(n_entrances):
        number = f"{i + 1}号" if kind != "garden" else building.name
        entrance = Entrance(
            building=building,
            number=number,
            address=join_place(building.address, number),
        )
        entrances.append(entrance)
        rows: list[Household] = []
        if kind in ("lane", "garden"):
            for floor in range(1, building.floors + 1):
                for room in ("前楼", "后楼", "亭子间")[
                    : rng.randint(1, 3) if kind == "lane" else 2
                ]:
                    rows.append(Household(entrance=entrance, committee=building.committee, room=f"{floor}楼{room}", floor=floor,
                                          exclusive_area=Decimal(rng.randint(900, 3800)) / 100))  # fmt: skip
        else:
            per_floor = 2 if kind == "public" else 4
            top = building.floors if kind == "public" else min(building.floors, 8)
            for floor in range(1, top + 1):
                for k in range(1, per_floor + 1):
                    area = Decimal(rng.randint(3800, 6200 if kind == "public" else 12000)) / 100
                    rows.append(Household(entrance=entrance, committee=building.committee, room=f"{floor}{k:02d}", floor=floor, exclusive_area=area))  # fmt: skip
        households.append(rows)
    return entrances, households


def build(actor: Actor | None = None, *, with_residents: bool = True) -> dict[str, Any]:
    """Rebuild the demo street; returns counts. Runs in one transaction."""
    rng = random.Random(SEED)
    with transaction.atomic():
        _wipe()
        street = Subdistrict.objects.create(
            code=HOME_STREET, name="湖南路街道", district=divisions.district("310104")
        )
        areas: dict[str, Area] = {}
        counter = [0]
        all_estates: list[Estate] = []
        all_buildings: list[Building] = []
        committees: dict[str, Committee] = {}
        for index, (name, area_name, x, y, mix) in enumerate(COMMITTEES):
            area = None
            if area_name:
                area = areas.get(area_name) or Area.objects.create(
                    subdistrict=street, name=area_name
                )
                areas[area_name] = area
            committee = Committee.objects.create(
                subdistrict=street,
                area=area,
                code=f"HN{index + 1:02d}",
                name=f"{name}居委",
                address=f"{ROADS[index]}{rng.randint(10, 400)}号",
                map_x=x,
                map_y=y,
            )
            committees[name] = committee
            for estate, blds in _buildings_for(rng, committee, ROADS[index], mix, counter):
                all_estates.append(estate)
                all_buildings.extend(blds)
        households = _save_places(rng, all_estates, all_buildings)
        residents: list[Resident] = []
        if with_residents:
            seen: set[str] = set()
            for h in households:
                for k in range(rng.choice([1, 1, 2, 2, 3])):
                    elderly = rng.random() < 0.45  # the article's area: many elderly residents
                    age = rng.randint(60, 95) if elderly else rng.randint(18, 59)
                    born = TODAY - timedelta(days=age * 365 + rng.randint(0, 364))
                    male = rng.random() < 0.48
                    number = _id_number(rng, born, male)
                    if number in seen:
                        continue
                    seen.add(number)
                    phone = f"139{rng.randint(10_000_000, 99_999_999)}"
                    residents.append(Resident(
                        household=h, committee_id=h.committee_id, name=_name(rng),
                        relation=Resident.Relation.HEAD if k == 0 else rng.choice(["spouse", "child", "parent", "tenant"]),
                        sex="male" if male else "female", birth_year=born.year,
                        id_hash=identity_hash(number), id_cipher=crypto.encrypt(number, ID_PURPOSE),
                        id_masked=mask_id_number(number), phone_cipher=crypto.encrypt(phone, PHONE_PURPOSE),
                        phone_masked=mask_phone(phone), lives_alone=elderly and k == 0 and rng.random() < 0.2,
                        is_demo=True,
                    ))  # fmt: skip
            Resident.objects.bulk_create(residents, batch_size=2000)
        _accounts(committees, street)
        counts = {
            "committees": len(committees),
            "areas": len(areas),
            "estates": len(all_estates),
            "buildings": len(all_buildings),
            "entrances": Entrance.objects.filter(building__in=all_buildings).count(),
            "households": len(households),
            "residents": len(residents),
        }
        audit.record(actor or Actor.system("linli demo"), "demo.build", object_type="geo.subdistrict",
                     object_id=str(street.pk), object_repr=str(street), details=counts)  # fmt: skip
    return counts


def home_street() -> Subdistrict | None:
    """The demo's street (湖南路街道), which the other modules' demo accounts work for."""
    return Subdistrict.objects.filter(code=HOME_STREET).first()


def assign_street(user: User, street: Subdistrict | None) -> None:
    """Give a street-level account its street (other levels keep their own place)."""
    user.subdistrict = street if reach_of(user.role) == Level.STREET else None


def _accounts(committees: dict[str, Committee], street: Subdistrict) -> None:
    orgs = {}
    for name, kind in ORGANISATIONS.items():
        orgs[name], _created = Organisation.objects.update_or_create(
            name=name, defaults={"kind": kind}
        )
    for account in ACCOUNTS:
        user = User.objects.filter(username=account.username).first() or User(
            username=account.username
        )
        user.role = account.role
        user.display_name = account.display_name
        user.department = account.department or ""
        user.committee = committees[account.committee] if account.committee else None
        user.organisation = orgs.get(account.organisation or "")
        assign_street(user, street)
        user.is_active = True
        # The Django admin (accounts and grants) is open to the system and security
        # administrators only; nobody is a superuser (三员分立, docs/permissions.md).
        user.is_staff = policy.administers_accounts(user)
        user.is_superuser = False
        user.set_password(DEMO_PASSWORD)
        user.password_change_reason = ""  # demo accounts keep the published password
        user.save()
        if requires_two_factor(user.role, is_superuser=user.is_superuser):
            # The published demo authenticator secret (README.md), marked as demo only.
            enrol_demo(user)


# --- The district (``linli demo --district``) -----------------------------------------------

DISTRICT_COMMITTEES = 3  # per other street: enough to compare streets, quick to build
DISTRICT_ACCOUNTS = [
    # username, role, display name, place ("district": 徐汇区, "city": 上海市, else a street code)
    ("xuhui_safety", Role.DISTRICT_SAFETY, "徐汇区应急管理局 钱进", "district"),
    ("xuhui_civil", Role.DISTRICT_CIVIL, "徐汇区民政局 严华", "district"),
    ("xuhui_housing", Role.DISTRICT_HOUSING, "徐汇区房管局 金涛", "district"),
    ("city_viewer", Role.CITY_VIEWER, "市级查看 邵明", "city"),
    ("tianping_admin", Role.STREET_ADMIN, "天平路街道管理员 杜娟", "310104003"),
]


def build_district(actor: Actor | None = None) -> dict[str, int]:
    """Add the other streets and towns of 徐汇区 (from the shipped division table) to the demo
    street, each with a few committees of generated estates, buildings and households, and the
    district's and the city's accounts. Deterministic; run after ``build``."""
    rng = random.Random(SEED + 1)
    actor = actor or Actor.system("linli demo --district")
    with transaction.atomic():
        divisions.load(actor)
        xuhui = divisions.district("310104")
        streets = list(xuhui.subdistricts.exclude(code=HOME_STREET).order_by("code"))
        estates: list[Estate] = []
        buildings: list[Building] = []
        n_committees = 0
        for s_index, street in enumerate(streets):
            short = street.name.removesuffix("街道").removesuffix("镇")
            for k in range(DISTRICT_COMMITTEES):
                _name, _area, x, y, mix = COMMITTEES[(s_index + k) % len(COMMITTEES)]
                committee = Committee.objects.create(
                    subdistrict=street, code=f"{street.code}{k + 1:03d}",
                    name=f"{short}第{k + 1}居委", address=f"{short}路{rng.randint(10, 400)}号",
                    map_x=x, map_y=y,
                )  # fmt: skip
                n_committees += 1
                small = (mix[0] // 3 + 1, mix[1] // 3, mix[2] // 3 + 1, mix[3] // 3)
                for estate, blds in _buildings_for(rng, committee, f"{short}路", small, [0]):
                    estates.append(estate)
                    buildings.extend(blds)
        households = _save_places(rng, estates, buildings)
        places: dict[str, Any] = {"district": xuhui, "city": xuhui.city}
        for username, role, display, place in DISTRICT_ACCOUNTS:
            user = User.objects.filter(username=username).first() or User(username=username)
            user.role, user.display_name, user.department = role, display, ""
            user.committee = user.organisation = None
            user.district = places["district"] if place == "district" else None
            user.city = places["city"] if place == "city" else None
            user.subdistrict = Subdistrict.objects.get(code=place) if place.isdigit() else None
            user.is_active, user.is_staff, user.is_superuser = True, False, False
            user.set_password(DEMO_PASSWORD)
            user.password_change_reason = ""
            user.save()
            if requires_two_factor(user.role, is_superuser=False):
                enrol_demo(user)
        counts = {
            "streets": len(streets), "committees": n_committees, "estates": len(estates),
            "buildings": len(buildings), "households": len(households),
            "accounts": len(DISTRICT_ACCOUNTS),
        }  # fmt: skip
        audit.record(actor, "demo.build_district", object_type="geo.district",
                     object_id=str(xuhui.pk), object_repr=str(xuhui), details=counts)  # fmt: skip
    return counts
