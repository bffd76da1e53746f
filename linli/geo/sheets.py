"""The Excel sheets of the place and people lists: columns, natural keys, resolution.

The machinery is ``core.sheets``; this module keeps what is geo's own: each list's columns,
how its rows are resolved (committee code → committee, …, in bulk, every problem collected
before anything is written), and the place resolvers the domains' sheets use too
(``committees_by_code``, ``check_committee``, ``buildings_by_key``, ``entrances_by_key``).
Rows whose natural key exists update that record; others create one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import excel
from linli.core.errors import RowError
from linli.core.excel import Column
from linli.core.identity import check_id_number
from linli.core.sheets import (
    Resolution,
    Sheet,
    Written,
    choice_label,
    duplicate_keys,
    validate,
    yes_no,
)

from .models import (
    Area,
    Building,
    City,
    Committee,
    District,
    Entrance,
    Estate,
    Household,
    HousingType,
    Resident,
    Structure,
    Subdistrict,
)

COMMITTEE_CODE = Column("committee_code", "居委代码", excel.text(20))
ESTATE_NAME = Column("estate", "小区/弄", excel.text(80))
BUILDING_NAME = Column("building", "楼栋", excel.text(50))
ENTRANCE_NUMBER = Column("entrance", "门牌号", excel.text(50))
ROOM = Column("room", "室号", excel.text(20))

BuildingKey = tuple[int, str, str]  # committee, estate name, building name
EntranceKey = tuple[int, str, str, str]  # … and door number


class GeoSheet(Sheet):
    """A place or people list; residents need ``people.change`` instead."""

    permission = "geo.change"


def committees_by_code(rows: Iterable[excel.ParsedRow]) -> dict[str, Committee]:
    codes = {values["committee_code"] for _n, values in rows}
    return {c.code: c for c in Committee.objects.filter(code__in=codes)}


def check_committee(
    res: Resolution, number: int, code: str, committees: dict[str, Committee], scope: int | None
) -> Committee | None:
    committee = committees.get(code)
    if committee is None:
        res.errors.append(
            RowError(number, COMMITTEE_CODE.label, _("没有这个居委代码：%(c)s") % {"c": code})
        )
        return None
    if scope is not None and committee.pk != scope:
        res.errors.append(RowError(number, COMMITTEE_CODE.label, _("无权导入其他居委的数据")))
        return None
    return committee


def buildings_by_key(
    rows: Sequence[excel.ParsedRow], committees: dict[str, Committee]
) -> dict[BuildingKey, Building]:
    """The buildings the rows name (committee, estate name, building name), in one query."""
    names = {v["building"] for _n, v in rows if v.get("building")}
    return {
        (b.committee_id, b.estate.name, b.name): b
        for b in Building.objects.filter(
            committee__in=committees.values(), name__in=names
        ).select_related("estate")
    }


def entrances_by_key(
    rows: Sequence[excel.ParsedRow], committees: dict[str, Committee]
) -> dict[EntranceKey, Entrance]:
    """The door numbers the rows name (… building name, number), in one query."""
    numbers = {v["entrance"] for _n, v in rows if v.get("entrance")}
    return {
        (e.building.committee_id, e.building.estate.name, e.building.name, e.number): e
        for e in Entrance.objects.filter(
            building__committee__in=committees.values(), number__in=numbers
        ).select_related("building__estate")
    }


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


def _text(value: Any) -> str:
    return value or ""


class CommitteeSheet(GeoSheet):
    name = "committees"
    title = gettext_lazy("居委")
    model = Committee
    export_columns = (
        ("code", None),
        ("name", None),
        ("area__name", _text),
        ("address", None),
        ("map_x", None),
        ("map_y", None),
    )
    columns = (
        Column("code", "居委代码", excel.text(20)),
        Column("name", "居委", excel.text(50)),
        Column("area", "片区", excel.text(50), required=False),
        Column("address", "地址", excel.text(100), required=False),
        Column("map_x", "示意图横坐标", excel.integer(0, 100), required=False),
        Column("map_y", "示意图纵坐标", excel.integer(0, 100), required=False),
    )

    def resolve(
        self, rows: Sequence[excel.ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        res = Resolution()
        if scope is not None:
            res.errors.append(RowError(1, _("文件"), _("只有街道工作人员可以导入居委名单")))
            return res
        # The importer's street: committees are made in it (and only its committees renamed).
        home = Subdistrict.objects.filter(pk=street).first() if street is not None else None
        if home is None:
            res.errors.append(RowError(1, _("文件"), _("请先建立街道")))
            return res
        duplicate_keys(res, ((n, v["code"]) for n, v in rows), "居委代码")
        existing = {
            c.code: c for c in Committee.objects.filter(code__in=[v["code"] for _n, v in rows])
        }
        for number, v in rows:
            if v["code"] in existing and existing[v["code"]].subdistrict_id != home.pk:
                res.errors.append(RowError(number, _("居委代码"), _("该居委属于其他街道")))
        if res.errors:
            return res
        areas = {a.name: a for a in Area.objects.filter(subdistrict=home)}
        for number, v in rows:
            obj = existing.get(v["code"]) or Committee(subdistrict=home, code=v["code"])
            obj.name = v["name"]
            obj.address = v["address"] or ""
            obj.map_x = v["map_x"] or 0
            obj.map_y = v["map_y"] or 0
            if v["area"]:
                area = areas.get(v["area"])
                if area is None:
                    area = Area(subdistrict=home, name=v["area"])
                    areas[v["area"]] = area
                obj.area = area
            else:
                obj.area = None
            res.instances.append((number, obj))
        res.extra["new_areas"] = [a for a in areas.values() if a.pk is None]
        return res

    def write(self, resolution: Resolution, progress: Callable[[int], None]) -> Written:
        for area in resolution.extra.get("new_areas", []):  # named in the file, new
            area.save()
        return super().write(resolution, progress)


class EstateSheet(GeoSheet):
    name = "estates"
    title = gettext_lazy("小区/弄")
    model = Estate
    export_columns = (
        ("committee__code", None),
        ("name", None),
        ("kind", choice_label(Estate.Kind)),
        ("address", None),
        ("management", choice_label(Estate.Management)),
    )
    columns = (
        COMMITTEE_CODE,
        ESTATE_NAME,
        Column("kind", "类别", excel.choice(Estate.Kind)),
        Column("address", "地址", excel.text(100), required=False),
        Column("management", "物业管理形式", excel.choice(Estate.Management), required=False),
    )

    def resolve(
        self, rows: Sequence[excel.ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        res = Resolution()
        committees = committees_by_code(rows)
        duplicate_keys(res, ((n, (v["committee_code"], v["estate"])) for n, v in rows), "小区/弄")
        existing = {
            (e.committee_id, e.name): e
            for e in Estate.objects.filter(committee__in=committees.values())
        }
        for number, v in rows:
            committee = check_committee(res, number, v["committee_code"], committees, scope)
            if committee is None:
                continue
            obj = existing.get((committee.pk, v["estate"])) or Estate(
                committee=committee, name=v["estate"]
            )
            obj.kind = v["kind"]
            obj.address = v["address"] or ""
            obj.management = v["management"] or Estate.Management.NONE
            res.instances.append((number, obj))
        return res


def _estates(committees: dict[str, Committee]) -> dict[tuple[int, str], Estate]:
    return {
        (e.committee_id, e.name): e
        for e in Estate.objects.filter(committee__in=committees.values())
    }


class BuildingSheet(GeoSheet):
    name = "buildings"
    title = gettext_lazy("楼栋")
    model = Building
    export_columns = (
        ("committee__code", None),
        ("estate__name", None),
        ("name", None),
        ("address", None),
        ("housing_type", choice_label(HousingType)),
        ("structure", choice_label(Structure)),
        ("year_built", None),
        ("floors", None),
        ("heritage_protected", yes_no),
        ("has_lift", yes_no),
        ("lon", _float),
        ("lat", _float),
    )
    columns = (
        COMMITTEE_CODE,
        ESTATE_NAME,
        BUILDING_NAME,
        Column("address", "地址", excel.text(100), required=False),
        Column("housing_type", "房屋类型", excel.choice(HousingType)),
        Column("structure", "结构", excel.choice(Structure)),
        Column("year_built", "建成年份", excel.integer(1800, 2100), required=False),
        Column("floors", "层数", excel.integer(1, 200)),
        Column("heritage_protected", "风貌保护", excel.boolean, required=False),
        Column("has_lift", "有电梯", excel.boolean, required=False),
        Column("lon", "经度", excel.decimal(6, Decimal(-180)), required=False),
        Column("lat", "纬度", excel.decimal(6, Decimal(-90)), required=False),
    )
    labels_by_field = {"year_built": "建成年份", "floors": "层数", "lon": "经度", "lat": "纬度"}

    def resolve(
        self, rows: Sequence[excel.ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        res = Resolution()
        committees = committees_by_code(rows)
        estates = _estates(committees)
        duplicate_keys(
            res, ((n, (v["committee_code"], v["estate"], v["building"])) for n, v in rows), "楼栋"
        )
        existing = {
            (b.estate_id, b.name): b for b in Building.objects.filter(estate__in=estates.values())
        }
        for number, v in rows:
            committee = check_committee(res, number, v["committee_code"], committees, scope)
            if committee is None:
                continue
            estate = estates.get((committee.pk, v["estate"]))
            if estate is None:
                res.errors.append(RowError(number, ESTATE_NAME.label, _("该居委下没有这个小区/弄")))
                continue
            obj = existing.get((estate.pk, v["building"])) or Building(
                estate=estate, name=v["building"]
            )
            obj.committee = committee
            for key in (
                "address",
                "housing_type",
                "structure",
                "year_built",
                "floors",
                "lon",
                "lat",
            ):
                setattr(
                    obj, key, v[key] if v[key] is not None else ("" if key == "address" else None)
                )
            obj.heritage_protected = bool(v["heritage_protected"])
            obj.has_lift = bool(v["has_lift"])
            validate(res, number, obj, self.labels_by_field, ["estate", "committee", "outline"])
            res.instances.append((number, obj))
        return res


def _find_building(
    res: Resolution,
    number: int,
    v: dict[str, Any],
    committee: Committee,
    buildings: dict[BuildingKey, Building],
) -> Building | None:
    building = buildings.get((committee.pk, v["estate"], v["building"]))
    if building is None:
        res.errors.append(RowError(number, BUILDING_NAME.label, _("该居委、小区下没有这个楼栋")))
    return building


class EntranceSheet(GeoSheet):
    name = "entrances"
    title = gettext_lazy("门牌")
    model = Entrance
    export_columns = (
        ("building__committee__code", None),
        ("building__estate__name", None),
        ("building__name", None),
        ("number", None),
        ("address", None),
    )
    columns = (
        COMMITTEE_CODE,
        ESTATE_NAME,
        BUILDING_NAME,
        ENTRANCE_NUMBER,
        Column("address", "地址", excel.text(100), required=False),
    )

    def resolve(
        self, rows: Sequence[excel.ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        res = Resolution()
        committees = committees_by_code(rows)
        buildings = buildings_by_key(rows, committees)
        duplicate_keys(
            res,
            (
                (n, (v["committee_code"], v["estate"], v["building"], v["entrance"]))
                for n, v in rows
            ),
            "门牌号",
        )
        existing = {
            (e.building_id, e.number): e
            for e in Entrance.objects.filter(building__in=buildings.values())
        }
        for number, v in rows:
            committee = check_committee(res, number, v["committee_code"], committees, scope)
            if committee is None:
                continue
            building = _find_building(res, number, v, committee, buildings)
            if building is None:
                continue
            obj = existing.get((building.pk, v["entrance"])) or Entrance(
                building=building, number=v["entrance"]
            )
            obj.address = v["address"] or ""
            res.instances.append((number, obj))
        return res


def _find_entrance(
    res: Resolution,
    number: int,
    v: dict[str, Any],
    committee: Committee,
    entrances: dict[EntranceKey, Entrance],
) -> Entrance | None:
    entrance = entrances.get((committee.pk, v["estate"], v["building"], v["entrance"]))
    if entrance is None:
        res.errors.append(
            RowError(number, ENTRANCE_NUMBER.label, _("找不到这个门牌（请核对小区、楼栋、门牌号）"))
        )
    return entrance


class HouseholdSheet(GeoSheet):
    name = "households"
    title = gettext_lazy("户")
    model = Household
    export_columns = (
        ("entrance__building__committee__code", None),
        ("entrance__building__estate__name", None),
        ("entrance__building__name", None),
        ("entrance__number", None),
        ("room", None),
        ("floor", None),
        ("exclusive_area", _float),
    )
    columns = (
        COMMITTEE_CODE,
        ESTATE_NAME,
        BUILDING_NAME,
        ENTRANCE_NUMBER,
        ROOM,
        Column("floor", "楼层", excel.integer(-5, 200)),
        Column("exclusive_area", "专有面积(㎡)", excel.decimal(2, Decimal("0.01"))),
    )

    def resolve(
        self, rows: Sequence[excel.ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        res = Resolution()
        committees = committees_by_code(rows)
        entrances = entrances_by_key(rows, committees)
        duplicate_keys(
            res,
            (
                (n, (v["committee_code"], v["estate"], v["building"], v["entrance"], v["room"]))
                for n, v in rows
            ),
            "室号",
        )
        existing = {
            (h.entrance_id, h.room): h
            for h in Household.objects.filter(entrance__in=entrances.values())
        }
        for number, v in rows:
            committee = check_committee(res, number, v["committee_code"], committees, scope)
            if committee is None:
                continue
            entrance = _find_entrance(res, number, v, committee, entrances)
            if entrance is None:
                continue
            obj = existing.get((entrance.pk, v["room"])) or Household(
                entrance=entrance, room=v["room"]
            )
            obj.committee = committee
            obj.floor = v["floor"]
            obj.exclusive_area = v["exclusive_area"]
            res.instances.append((number, obj))
        return res


class ResidentSheet(GeoSheet):
    """Residents. Exports carry masked numbers; a masked number on import means "unchanged"."""

    name = "residents"
    title = gettext_lazy("居民")
    model = Resident
    permission = "people.change"
    export_columns = (
        ("household__entrance__building__committee__code", None),
        ("household__entrance__building__estate__name", None),
        ("household__entrance__building__name", None),
        ("household__entrance__number", None),
        ("household__room", None),
        ("name", None),
        ("id_masked", None),
        ("phone_masked", None),
        ("relation", choice_label(Resident.Relation)),
        ("lives_alone", yes_no),
    )
    columns = (
        COMMITTEE_CODE,
        ESTATE_NAME,
        BUILDING_NAME,
        ENTRANCE_NUMBER,
        ROOM,
        Column("name", "姓名", excel.text(50)),
        Column("id_number", "身份证号", excel.text(18), required=False),
        Column("phone", "手机号", excel.text(11), required=False),
        Column("relation", "与户主关系", excel.choice(Resident.Relation), required=False),
        Column("lives_alone", "独居", excel.boolean, required=False),
    )

    def resolve(
        self, rows: Sequence[excel.ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        from .services import identity_hash, identity_hashes

        res = Resolution()
        committees = committees_by_code(rows)
        entrances = entrances_by_key(rows, committees)
        households = {
            (h.entrance_id, h.room): h
            for h in Household.objects.filter(entrance__in=entrances.values())
        }
        hashes: dict[int, str] = {}
        previous: dict[int, list[str]] = {}  # under the suite an installation is moving from
        for number, v in rows:
            raw = v["id_number"]
            if raw and "*" not in raw:
                checked = check_id_number(raw)
                if not checked.valid:
                    res.errors.append(
                        RowError(
                            number, "身份证号", _("身份证号无效（%(r)s）") % {"r": checked.reason}
                        )
                    )
                else:
                    assert checked.number is not None
                    hashes[number] = identity_hash(checked.number)
                    previous[number] = identity_hashes(checked.number)[1:]
                    v["id_number"] = checked.number
            phone = v["phone"]
            if phone and "*" not in phone and not (phone.isdigit() and len(phone) == 11):
                res.errors.append(RowError(number, "手机号", _("手机号应为 11 位数字")))
        duplicate_keys(res, hashes.items(), "身份证号")
        wanted = [*hashes.values(), *(h for old in previous.values() for h in old)]
        by_hash = {r.id_hash: r for r in Resident.objects.filter(id_hash__in=wanted)}
        for number, v in rows:
            committee = check_committee(res, number, v["committee_code"], committees, scope)
            if committee is None:
                continue
            entrance = _find_entrance(res, number, v, committee, entrances)
            if entrance is None:
                continue
            household = households.get((entrance.pk, v["room"]))
            if household is None:
                res.errors.append(RowError(number, ROOM.label, _("该门牌下没有这个室号")))
                continue
            obj: Resident | None = None
            if number in hashes:
                obj = next(
                    (by_hash[h] for h in (hashes[number], *previous[number]) if h in by_hash),
                    None,
                )
                if obj is not None and scope is not None and obj.committee_id != scope:
                    res.errors.append(
                        RowError(
                            number,
                            "身份证号",
                            _("该身份证号已登记。居民在居委之间迁移的，请联系街道工作人员办理。"),
                        )
                    )
                    continue
            if obj is None and v["id_number"] and "*" in v["id_number"]:
                obj = Resident.objects.filter(
                    household=household, name=v["name"], id_masked=v["id_number"]
                ).first()
                if obj is None:
                    res.errors.append(
                        RowError(
                            number, "身份证号", _("遮蔽的号码只能用于更新已有居民，请填写完整号码")
                        )
                    )
                    continue
            obj = obj or Resident()
            obj.household = household
            obj.committee = committee
            obj.name = v["name"]
            obj.relation = v["relation"] or Resident.Relation.HEAD
            obj.lives_alone = bool(v["lives_alone"])
            # The service hashes and encrypts these; they are never stored as given.
            id_number = v["id_number"] if v["id_number"] and "*" not in v["id_number"] else None
            phone = v["phone"] if v["phone"] and "*" not in v["phone"] else None
            res.extra.setdefault("protect", {})[number] = (id_number, phone)
            res.instances.append((number, obj))
        return res


SHEETS: dict[str, Sheet] = {
    s.name: s
    for s in (
        CommitteeSheet(),
        EstateSheet(),
        BuildingSheet(),
        EntranceSheet(),
        HouseholdSheet(),
        ResidentSheet(),
    )
}


# --------------------------------------------------------------------------- divisions

DIVISION_CODE = Column("code", "区划代码", excel.text(12))
PARENT_CODE = Column("parent", "上级代码", excel.text(12), required=False)
DIVISION_NAME = Column("name", "名称", excel.text(50))


class DivisionSheet(Sheet):
    """Cities, districts and streets (#11.1: beyond the shipped table of Shanghai).

    A row's level follows from its codes: 6 digits without a parent is a city (市), 6 digits
    under a city's code a district (区), 9 digits under a district's code a street (街道/镇).
    A parent may be in the database or in the same file. Rows whose code exists rename that
    division; nothing is deleted, so importing the same file again changes nothing.
    Importing divisions is platform set-up: the system administrator's (``accounts.manage``).
    """

    name = "divisions"
    title = gettext_lazy("行政区划")
    model = Subdistrict
    permission = "accounts.manage"
    columns = (
        DIVISION_CODE,
        DIVISION_NAME,
        PARENT_CODE,
        Column("kind", "类别", excel.choice(Subdistrict.Kind), required=False),
    )

    def resolve(
        self, rows: Sequence[excel.ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        res = Resolution()
        duplicate_keys(res, ((n, v["code"]) for n, v in rows), DIVISION_CODE.label)
        codes = {v["code"] for _n, v in rows} | {v["parent"] for _n, v in rows if v["parent"]}
        cities = {c.code: c for c in City.objects.filter(code__in=codes)}
        districts = {d.code: d for d in District.objects.filter(code__in=codes)}
        streets = {s.code: s for s in Subdistrict.objects.filter(code__in=codes)}
        levels = {n: _division_level(res, n, v) for n, v in rows}
        if res.errors:
            return res
        # The file's cities first, then its districts, then its streets: parents before children.
        order = {"city": 0, "district": 1, "street": 2}
        changed: list[tuple[int, Model]] = []
        for number, v in sorted(rows, key=lambda r: (order[levels[r[0]]], r[0])):
            level, code, parent = levels[number], v["code"], v["parent"]
            obj: City | District | Subdistrict
            if level == "city":
                if code in districts:
                    res.errors.append(RowError(number, DIVISION_CODE.label, _("该代码已是一个区")))
                    continue
                obj = cities.get(code) or City(code=code)
                cities[code] = obj
            elif level == "district":
                city = cities.get(parent)
                if city is None or code in cities:
                    message = _("该代码已是一个市") if code in cities else _("没有这个市的代码")
                    label = DIVISION_CODE.label if code in cities else PARENT_CODE.label
                    res.errors.append(RowError(number, label, message))
                    continue
                obj = districts.get(code) or District(code=code)
                obj.city = city
                districts[code] = obj
            else:
                found = districts.get(parent)
                if found is None:
                    res.errors.append(RowError(number, PARENT_CODE.label, _("没有这个区的代码")))
                    continue
                obj = streets.get(code) or Subdistrict(code=code)
                obj.district = found
                obj.kind = v["kind"] or obj.kind or Subdistrict.Kind.STREET
                streets[code] = obj
            obj.name = v["name"]
            changed.append((number, obj))
        _clashing_district_names(res, changed)
        res.instances = changed
        return res

    def write(self, resolution: Resolution, progress: Callable[[int], None]) -> Written:
        created = updated = 0
        for done, (_number, obj) in enumerate(resolution.instances, start=1):
            if obj.pk is None:
                obj.save()
                created += 1
            elif _differs(obj):
                obj.save()
                updated += 1
            progress(done)
        return created, updated, []


def _division_level(res: Resolution, number: int, v: dict[str, Any]) -> str:
    """ "city", "district" or "street" from the row's codes, or "" with a row error."""
    code, parent = v["code"], v["parent"] or ""
    if re.fullmatch(r"\d{9}", code):
        if not re.fullmatch(r"\d{6}", parent) or not code.startswith(parent):
            res.errors.append(
                RowError(number, PARENT_CODE.label, _("街道的上级代码应为其所在区的 6 位代码"))
            )
        return "street"
    if re.fullmatch(r"\d{6}", code):
        if not parent:
            return "city"
        if not re.fullmatch(r"\d{6}", parent) or parent[:2] != code[:2]:
            res.errors.append(
                RowError(number, PARENT_CODE.label, _("区的上级代码应为同一省市的 6 位市代码"))
            )
        return "district"
    res.errors.append(
        RowError(
            number, DIVISION_CODE.label, _("区划代码应为 6 位（市、区）或 9 位（街道、镇）数字")
        )
    )
    return ""


def _clashing_district_names(res: Resolution, rows: list[tuple[int, Model]]) -> None:
    """Two districts of one city with one name (the database refuses it): name the row."""
    mine = [(n, o) for n, o in rows if isinstance(o, District)]
    names = {o.name for _n, o in mine}
    stored = {
        (city, name): code
        for city, name, code in District.objects.filter(name__in=names).values_list(
            "city__code", "name", "code"
        )
    }
    seen: set[tuple[str, str]] = set()
    for number, district in mine:
        key = (district.city.code, district.name)
        if key in seen or stored.get(key, district.code) != district.code:
            res.errors.append(RowError(number, DIVISION_NAME.label, _("同一个市里已有这个区名")))
        seen.add(key)


def _differs(obj: Model) -> bool:
    stored = type(obj)._default_manager.filter(pk=obj.pk).values().first() or {}
    return any(stored.get(f.attname) != getattr(obj, f.attname) for f in obj._meta.concrete_fields)


DIVISIONS = DivisionSheet()
