"""Excel sheets of the registry lists: the same columns write the export and read the import.

The machinery is ``core.sheets``; this module keeps the registers' columns and how their rows
are resolved: references in bulk (committee code, estate, building, door number through
``geo.sheets``; organisation; station), every problem collected with its row and column
before anything is written (``services.do_import_registry`` runs it in one transaction).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import excel
from linli.core.errors import RowError
from linli.core.excel import CellError, Column
from linli.core.models import Organisation
from linli.core.sheets import Resolution, Sheet, Written, choice_label, duplicate_keys, yes_no
from linli.geo.sheets import (
    BUILDING_NAME,
    COMMITTEE_CODE,
    ENTRANCE_NUMBER,
    ESTATE_NAME,
    buildings_by_key,
    check_committee,
    committees_by_code,
    entrances_by_key,
)

from .models import (
    ChargingKind,
    ChargingSite,
    ChargingStatus,
    DutyShift,
    Extinguisher,
    ExtinguisherType,
    Gauge,
    KitItem,
    ScrapCondition,
    Sprinkler,
    SprinklerStatus,
    Station,
    StationMember,
)

ORG = "org"


class FireSheet(Sheet):
    """A register; each record is written out with ``export_row``."""

    permission = "fire.change"

    def export_row(self, values: Any) -> list[Any]:
        raise NotImplementedError


def _organisations(rows: Iterable[excel.ParsedRow]) -> dict[str, Organisation]:
    names = {v[ORG] for _n, v in rows if v.get(ORG)}
    return {o.name: o for o in Organisation.objects.filter(name__in=names)}


def _organisation(
    res: Resolution, number: int, name: str | None, orgs: dict[str, Organisation], label: str
) -> Organisation | None:
    if not name:
        return None
    org = orgs.get(name)
    if org is None:
        res.errors.append(RowError(number, label, _("没有这个合作单位：%(n)s") % {"n": name}))
    return org


OPT_ESTATE = Column("estate", "小区/弄", excel.text(80), required=False)
OPT_BUILDING = Column("building", "楼栋", excel.text(50), required=False)
OPT_ENTRANCE = Column("entrance", "门牌号", excel.text(50), required=False)


class ExtinguisherSheet(FireSheet):
    name = "extinguishers"
    title = gettext_lazy("灭火器")
    model = Extinguisher
    columns = (
        Column("serial", "编号", excel.text(40)),
        COMMITTEE_CODE,
        OPT_ESTATE,
        OPT_BUILDING,
        OPT_ENTRANCE,
        Column("spot", "位置", excel.text(80), required=False),
        Column("type", "类型", excel.choice(ExtinguisherType)),
        Column("rating", "规格/级别", excel.text(20), required=False),
        Column("manufactured", "生产日期", excel.iso_date),
        Column("last_maintained", "上次维修", excel.iso_date, required=False),
        Column("last_inspected", "上次巡查", excel.iso_date, required=False),
        Column("gauge", "压力表", excel.choice(Gauge), required=False),
        Column("half_monthly", "半月巡查", excel.boolean, required=False),
        Column("scrap_condition", "强制报废情形", excel.choice(ScrapCondition), required=False),
        Column("placed_on", "设置日期", excel.iso_date, required=False),
        Column(ORG, "维保单位", excel.text(100), required=False),
    )
    fields = {
        "manufactured": "生产日期",
        "last_maintained": "上次维修",
        "last_inspected": "上次巡查",
        "type": "类型",
        "since": "设置日期",
        "building": "楼栋",
        "entrance": "门牌号",
    }

    def resolve(
        self, rows: Sequence[excel.ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        from .services import today

        res = Resolution()
        committees = committees_by_code(rows)
        buildings = buildings_by_key(rows, committees)
        entrances = entrances_by_key(rows, committees)
        orgs = _organisations(rows)
        duplicate_keys(res, ((n, v["serial"]) for n, v in rows), "编号")
        existing = {
            e.serial: e
            for e in Extinguisher.objects.filter(serial__in=[v["serial"] for _n, v in rows])
        }
        for number, v in rows:
            committee = check_committee(res, number, v["committee_code"], committees, scope)
            if committee is None:
                continue
            obj = existing.get(v["serial"])
            if obj is not None and scope is not None and obj.committee_id != scope:
                res.errors.append(RowError(number, "编号", _("该编号登记在其他居委")))
                continue
            obj = obj or Extinguisher(serial=v["serial"], placed_on=v["placed_on"] or today())
            obj.committee = committee
            obj.building = obj.entrance = None
            if v["building"]:
                building = buildings.get((committee.pk, v["estate"] or "", v["building"]))
                if building is None:
                    res.errors.append(RowError(number, "楼栋", _("该居委、小区下没有这个楼栋")))
                    continue
                obj.building = building
                if v["entrance"]:
                    place = (committee.pk, v["estate"] or "", v["building"], v["entrance"])
                    entrance = entrances.get(place)
                    if entrance is None:
                        res.errors.append(RowError(number, "门牌号", _("该楼栋下没有这个门牌")))
                        continue
                    obj.entrance = entrance
            elif v["entrance"]:
                res.errors.append(RowError(number, "楼栋", _("填写门牌号时请同时填写楼栋")))
                continue
            for key in ("type", "manufactured", "last_maintained", "last_inspected"):
                setattr(obj, key, v[key])
            obj.spot = v["spot"] or ""
            obj.rating = v["rating"] or ""
            obj.gauge = v["gauge"] or Gauge.GREEN
            obj.half_monthly = bool(v["half_monthly"])
            obj.scrap_condition = v["scrap_condition"] or ""
            if v["placed_on"]:
                obj.placed_on = v["placed_on"]
            obj.assigned_to = _organisation(res, number, v[ORG], orgs, "维保单位")
            res.instances.append((number, obj))
        return res

    def export_row(self, obj: Any) -> list[Any]:
        b = obj.building
        return [
            obj.serial,
            obj.committee.code,
            b.estate.name if b else "",
            b.name if b else "",
            obj.entrance.number if obj.entrance else "",
            obj.spot,
            choice_label(ExtinguisherType)(obj.type),
            obj.rating,
            obj.manufactured,
            obj.last_maintained,
            obj.last_inspected,
            choice_label(Gauge)(obj.gauge),
            yes_no(obj.half_monthly),
            choice_label(ScrapCondition)(obj.scrap_condition),
            obj.placed_on,
            obj.assigned_to.name if obj.assigned_to else "",
        ]


class SprinklerSheet(FireSheet):
    name = "sprinklers"
    title = gettext_lazy("简易喷淋")
    model = Sprinkler
    columns = (
        COMMITTEE_CODE,
        ESTATE_NAME,
        BUILDING_NAME,
        ENTRANCE_NUMBER,
        Column("status", "状态", excel.choice(SprinklerStatus)),
        Column("programme", "实施批次", excel.text(20), required=False),
        Column("heads", "喷头数", excel.integer(0, 500)),
        Column("households", "覆盖户数", excel.integer(0, 1000), required=False),
        Column("installed_on", "安装日期", excel.iso_date, required=False),
        Column(ORG, "施工/维保单位", excel.text(100), required=False),
        Column("design_pressure", "设计压力(MPa)", excel.decimal(3, Decimal(0)), required=False),
        Column("last_visual", "上次月度外观检查", excel.iso_date, required=False),
        Column("last_end_of_line", "上次末端试水", excel.iso_date, required=False),
        Column("last_pressure", "末端压力(MPa)", excel.decimal(3, Decimal(0)), required=False),
        Column("last_service", "上次年度维保", excel.iso_date, required=False),
        Column("fault", "未修复故障", excel.text(200), required=False),
    )
    fields = {
        "installed_on": "安装日期",
        "last_visual": "上次月度外观检查",
        "last_end_of_line": "上次末端试水",
        "last_service": "上次年度维保",
    }

    def resolve(
        self, rows: Sequence[excel.ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        res = Resolution()
        committees = committees_by_code(rows)
        entrances = entrances_by_key(rows, committees)
        orgs = _organisations(rows)
        duplicate_keys(
            res,
            (
                (n, (v["committee_code"], v["estate"], v["building"], v["entrance"]))
                for n, v in rows
            ),
            "门牌号",
        )
        existing = {
            s.entrance_id: s
            for s in Sprinkler.objects.filter(entrance__in=list(entrances.values()))
        }
        for number, v in rows:
            committee = check_committee(res, number, v["committee_code"], committees, scope)
            if committee is None:
                continue
            entrance = entrances.get((committee.pk, v["estate"], v["building"], v["entrance"]))
            if entrance is None:
                res.errors.append(
                    RowError(number, "门牌号", _("找不到这个门牌（请核对小区、楼栋、门牌号）"))
                )
                continue
            obj = existing.get(entrance.pk) or Sprinkler(entrance=entrance)
            obj.committee = committee
            for key in (
                "status",
                "heads",
                "installed_on",
                "design_pressure",
                "last_visual",
                "last_end_of_line",
                "last_pressure",
                "last_service",
            ):
                setattr(obj, key, v[key])
            obj.programme = v["programme"] or ""
            obj.households = v["households"] or 0
            obj.fault = v["fault"] or ""
            obj.contractor = _organisation(res, number, v[ORG], orgs, "施工/维保单位")
            res.instances.append((number, obj))
        return res

    def export_row(self, obj: Any) -> list[Any]:
        b = obj.entrance.building
        return [
            obj.committee.code,
            b.estate.name,
            b.name,
            obj.entrance.number,
            choice_label(SprinklerStatus)(obj.status),
            obj.programme,
            obj.heads,
            obj.households,
            obj.installed_on,
            obj.contractor.name if obj.contractor else "",
            float(obj.design_pressure) if obj.design_pressure is not None else None,
            obj.last_visual,
            obj.last_end_of_line,
            float(obj.last_pressure) if obj.last_pressure is not None else None,
            obj.last_service,
            obj.fault,
        ]


class ChargingSheet(FireSheet):
    name = "charging"
    title = gettext_lazy("充电场所")
    model = ChargingSite
    columns = (
        COMMITTEE_CODE,
        Column("name", "名称", excel.text(80)),
        Column("address", "地址", excel.text(100), required=False),
        Column("kind", "类别", excel.choice(ChargingKind)),
        Column("status", "状态", excel.choice(ChargingStatus)),
        Column("programme", "实施批次", excel.text(20), required=False),
        Column("bays", "充电位", excel.integer(1, 10000)),
        Column("has_sprinkler", "有喷淋", excel.boolean, required=False),
        Column("has_detector", "有烟感", excel.boolean, required=False),
        Column("has_camera", "有监控", excel.boolean, required=False),
        Column(ORG, "运维单位", excel.text(100), required=False),
    )

    def resolve(
        self, rows: Sequence[excel.ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        res = Resolution()
        committees = committees_by_code(rows)
        orgs = _organisations(rows)
        duplicate_keys(res, ((n, (v["committee_code"], v["name"])) for n, v in rows), "名称")
        existing = {
            (s.committee_id, s.name): s
            for s in ChargingSite.objects.filter(committee__in=committees.values())
        }
        for number, v in rows:
            committee = check_committee(res, number, v["committee_code"], committees, scope)
            if committee is None:
                continue
            obj = existing.get((committee.pk, v["name"])) or ChargingSite(
                committee=committee, name=v["name"]
            )
            for key in ("kind", "status", "bays"):
                setattr(obj, key, v[key])
            obj.address = v["address"] or ""
            obj.programme = v["programme"] or ""
            obj.has_sprinkler = bool(v["has_sprinkler"])
            obj.has_detector = bool(v["has_detector"])
            obj.has_camera = bool(v["has_camera"])
            obj.assigned_to = _organisation(res, number, v[ORG], orgs, "运维单位")
            res.instances.append((number, obj))
        return res

    def export_row(self, obj: Any) -> list[Any]:
        return [
            obj.committee.code,
            obj.name,
            obj.address,
            choice_label(ChargingKind)(obj.kind),
            choice_label(ChargingStatus)(obj.status),
            obj.programme,
            obj.bays,
            yes_no(obj.has_sprinkler),
            yes_no(obj.has_detector),
            yes_no(obj.has_camera),
            obj.assigned_to.name if obj.assigned_to else "",
        ]


class StationSheet(FireSheet):
    name = "stations"
    title = gettext_lazy("微型消防站")
    model = Station
    columns = (
        COMMITTEE_CODE,
        Column("name", "名称", excel.text(80)),
        Column("address", "地址", excel.text(100), required=False),
        Column("lon", "经度", excel.decimal(6, Decimal(-180)), required=False),
        Column("lat", "纬度", excel.decimal(6, Decimal(-90)), required=False),
    )

    def resolve(
        self, rows: Sequence[excel.ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        # A station's name is unique within its committee's street (``Station``): the
        # natural key is (street, name), so a district's sheet may name 一号站 once per street.
        res = Resolution()
        committees = committees_by_code(rows)

        def street_of(code: str) -> int | str:
            committee = committees.get(code)
            return committee.subdistrict_id if committee is not None else code

        keys = ((n, (street_of(v["committee_code"]), v["name"])) for n, v in rows)
        duplicate_keys(res, keys, "名称")
        existing = {
            (s.committee.subdistrict_id, s.name): s
            for s in Station.objects.select_related("committee").filter(
                name__in=[v["name"] for _n, v in rows],
                committee__subdistrict_id__in={c.subdistrict_id for c in committees.values()},
            )
        }
        for number, v in rows:
            committee = check_committee(res, number, v["committee_code"], committees, scope)
            if committee is None:
                continue
            obj = existing.get((committee.subdistrict_id, v["name"]))
            if obj is not None and scope is not None and obj.committee_id != scope:
                res.errors.append(RowError(number, "名称", _("该消防站登记在其他居委")))
                continue
            obj = obj or Station(name=v["name"])
            obj.committee = committee
            obj.address = v["address"] or ""
            obj.lon, obj.lat = v["lon"], v["lat"]
            if (obj.lon is None) != (obj.lat is None):
                res.errors.append(RowError(number, "经度", _("经度和纬度要同时填写")))
                continue
            res.instances.append((number, obj))
        return res

    def export_row(self, obj: Any) -> list[Any]:
        return [
            obj.committee.code,
            obj.name,
            obj.address,
            float(obj.lon) if obj.lon is not None else None,
            float(obj.lat) if obj.lat is not None else None,
        ]


STATION_NAME = Column("station", "微型消防站", excel.text(80))
MEMBER_SEP = "、"


def local_datetime(value: Any) -> datetime:
    """A shift boundary: an Excel date-time or text ``YYYY-MM-DD HH:MM`` in local time."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.strptime(str(value).strip(), "%Y-%m-%d %H:%M")  # noqa: DTZ007 (made aware below)
        except ValueError:
            raise CellError(_("时间格式应为 YYYY-MM-DD HH:MM")) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _stations(
    res: Resolution,
    rows: Sequence[excel.ParsedRow],
    scope: int | None,
) -> dict[int, Station]:
    """The station of every row (committee code + station name), errors for the others."""
    committees = committees_by_code(rows)
    found = {
        (s.committee_id, s.name): s
        for s in Station.objects.filter(
            committee__in=committees.values(), name__in={v["station"] for _n, v in rows}
        )
    }
    out = {}
    for number, v in rows:
        committee = check_committee(res, number, v["committee_code"], committees, scope)
        if committee is None:
            continue
        station = found.get((committee.pk, v["station"]))
        if station is None:
            res.errors.append(RowError(number, "微型消防站", _("该居委下没有这个微型消防站")))
            continue
        out[number] = station
    return out


def _fmt(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class MemberSheet(FireSheet):
    name = "members"
    title = gettext_lazy("微型消防站队员")
    model = StationMember
    columns = (
        COMMITTEE_CODE,
        STATION_NAME,
        Column("name", "姓名", excel.text(50)),
        Column("role", "职务", excel.choice(StationMember.Role)),
        Column("trained", "已培训", excel.boolean, required=False),
    )

    def resolve(
        self, rows: Sequence[excel.ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        res = Resolution()
        duplicate_keys(
            res, ((n, (v["committee_code"], v["station"], v["name"])) for n, v in rows), "姓名"
        )
        stations = _stations(res, rows, scope)
        existing = {
            (m.station_id, m.name): m
            for m in StationMember.objects.filter(station__in=list(stations.values()))
        }
        for number, v in rows:
            station = stations.get(number)
            if station is None:
                continue
            obj = existing.get((station.pk, v["name"])) or StationMember(
                station=station, name=v["name"]
            )
            obj.role = v["role"]
            obj.trained = bool(v["trained"])
            res.instances.append((number, obj))
        return res

    def export_row(self, obj: Any) -> list[Any]:
        return [
            obj.station.committee.code,
            obj.station.name,
            obj.name,
            choice_label(StationMember.Role)(obj.role),
            yes_no(obj.trained),
        ]


class ShiftSheet(FireSheet):
    """值班: one shift per row; members named as in the station's member list, 、-separated."""

    name = "shifts"
    title = gettext_lazy("微型消防站值班")
    model = DutyShift
    columns = (
        COMMITTEE_CODE,
        STATION_NAME,
        Column("start", "开始", local_datetime),
        Column("end", "结束", local_datetime),
        Column("members", "值班队员", excel.text(500), required=False),
    )

    def resolve(
        self, rows: Sequence[excel.ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        res = Resolution()
        duplicate_keys(
            res, ((n, (v["committee_code"], v["station"], v["start"])) for n, v in rows), "开始"
        )
        stations = _stations(res, rows, scope)
        chosen = list(stations.values())
        existing = {
            (s.station_id, s.start): s for s in DutyShift.objects.filter(station__in=chosen)
        }
        members: dict[tuple[int, str], StationMember] = {
            (m.station_id, m.name): m for m in StationMember.objects.filter(station__in=chosen)
        }
        m2m: dict[int, list[StationMember]] = {}
        for number, v in rows:
            station = stations.get(number)
            if station is None:
                continue
            if v["end"] <= v["start"]:
                res.errors.append(RowError(number, "结束", _("结束时间必须晚于开始时间")))
                continue
            names = [
                n.strip() for n in (v["members"] or "").replace(",", MEMBER_SEP).split(MEMBER_SEP)
            ]
            missing = [n for n in names if n and (station.pk, n) not in members]
            if missing:
                res.errors.append(
                    RowError(
                        number,
                        "值班队员",
                        _("该站没有这些队员：%(n)s") % {"n": MEMBER_SEP.join(missing)},
                    )
                )
                continue
            chosen_members = [members[(station.pk, n)] for n in names if n]
            obj = existing.get((station.pk, v["start"])) or DutyShift(
                station=station, start=v["start"]
            )
            obj.end = v["end"]
            m2m[number] = chosen_members
            res.instances.append((number, obj))
        res.extra["m2m"] = m2m
        return res

    def write(self, resolution: Resolution, progress: Callable[[int], None]) -> Written:
        """Shifts carry their members (a many-to-many): saved one by one (a station's rota
        is small), inside the import's transaction."""
        m2m: dict[int, list[StationMember]] = resolution.extra["m2m"]
        created = updated = 0
        errors: list[RowError] = []
        for index, (number, obj) in enumerate(resolution.instances, start=1):
            if obj.pk is None:
                created += 1
            else:
                updated += 1
            try:
                with transaction.atomic():
                    obj.save()
                    assert isinstance(obj, DutyShift)
                    obj.members.set(m2m[number])
            except IntegrityError:
                errors.append(RowError(number, "-", _("与已有数据冲突（重复）")))
            if index % 200 == 0:
                progress(index)
        progress(len(resolution.instances))
        return created, updated, errors

    def export_row(self, obj: Any) -> list[Any]:
        return [
            obj.station.committee.code,
            obj.station.name,
            _fmt(obj.start),
            _fmt(obj.end),
            MEMBER_SEP.join(m.name for m in obj.members.all()),
        ]


class KitSheet(FireSheet):
    name = "kit"
    title = gettext_lazy("微型消防站器材")
    model = KitItem
    columns = (
        COMMITTEE_CODE,
        STATION_NAME,
        Column("name", "器材", excel.text(50)),
        Column("quantity", "数量", excel.integer(0, 10000)),
        Column("interval_days", "检查周期(天)", excel.integer(1, 3660)),
        Column("last_checked", "上次检查", excel.iso_date, required=False),
    )
    fields = {"last_checked": "上次检查"}

    def resolve(
        self, rows: Sequence[excel.ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        from .services import today

        res = Resolution()
        duplicate_keys(
            res, ((n, (v["committee_code"], v["station"], v["name"])) for n, v in rows), "器材"
        )
        stations = _stations(res, rows, scope)
        existing = {
            (k.station_id, k.name): k
            for k in KitItem.objects.filter(station__in=list(stations.values()))
        }
        on = today()
        for number, v in rows:
            station = stations.get(number)
            if station is None:
                continue
            if v["last_checked"] and v["last_checked"] > on:
                res.errors.append(RowError(number, "上次检查", _("检查日期不能晚于今天")))
                continue
            obj = existing.get((station.pk, v["name"])) or KitItem(station=station, name=v["name"])
            obj.quantity = v["quantity"]
            obj.interval_days = v["interval_days"]
            obj.last_checked = v["last_checked"]
            res.instances.append((number, obj))
        return res

    def export_row(self, obj: Any) -> list[Any]:
        return [
            obj.station.committee.code,
            obj.station.name,
            obj.name,
            obj.quantity,
            obj.interval_days,
            obj.last_checked,
        ]


SHEETS: dict[str, Sheet] = {
    s.name: s
    for s in (
        ExtinguisherSheet(),
        SprinklerSheet(),
        ChargingSheet(),
        StationSheet(),
        MemberSheet(),
        ShiftSheet(),
        KitSheet(),
    )
}
STATION_SHEETS = ("members", "shifts", "kit")
