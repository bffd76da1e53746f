"""The party-mass service network and community life.

Positions (阵地) in a hierarchy with spaces and menus; service orders; events with sign-ups
decided by ``rules.Roster``; volunteers and their hours; the aesthetic-education alliance;
practical projects. Residents have no accounts: a sign-up carries a name and a phone, the
phone kept as a keyed hash (one place per person), an encrypted copy and a masked copy.

Rooms cannot be double-booked: every booking and every event occupies half-hour
``SpaceSlot`` rows, unique per space and start, so the database refuses an overlap on
SQLite and PostgreSQL alike.

Every row that may belong to the street itself rather than to one committee (positions, events,
orders, wishes, volunteers, teams, projects, alliance members) carries its ``subdistrict``: a
committee's row its committee's street, a street-level row (no committee) the street it was
made for. Reads narrow street-level rows by that street (``policy.scoped_street``), so one
street never sees another's; the services set it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import Organisation
from linli.geo.models import Area, Committee, Subdistrict


def unique_per_street(field: str, prefix: str) -> list[models.UniqueConstraint]:
    """``field`` unique within a street (``subdistrict``), and among the rows of no street.

    Every street has a 社区党群服务中心 and a 平安志愿者队, so such names are unique per street,
    not across the installation. A row without a street (made before streets were recorded)
    would escape a plain (subdistrict, name) key, as NULLs differ from each other in SQL; the
    second, partial key keeps those unique among themselves.
    """
    return [
        models.UniqueConstraint(fields=["subdistrict", field], name=f"{prefix}_{field}_per_street"),
        models.UniqueConstraint(
            fields=[field],
            condition=Q(subdistrict__isnull=True),
            name=f"{prefix}_{field}_without_street",
        ),
    ]


# --- the network -------------------------------------------------------------------------------


class Position(models.Model):
    """A service position: an anchor site, a station or a point.

    The name is unique within a street: every street has its 社区党群服务中心.
    """

    class Kind(models.TextChoices):
        CENTRE = "centre", _("社区党群服务中心")
        CULTURE = "culture", _("文化活动中心")
        PARTY_SCHOOL = "party_school", _("社区党校")
        BUILDING_STATION = "building_station", _("楼宇党群服务站")
        RESIDENTIAL_STATION = "residential_station", _("居民区党群服务站")
        POINT = "point", _("区域单位党群服务点")

    ANCHORS = (Kind.CENTRE, Kind.CULTURE, Kind.PARTY_SCHOOL)

    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级阵地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=100)
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("所在居委"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subdistrict = models.ForeignKey(
        Subdistrict, verbose_name=_("街道"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    # Position on the street diagram, the same 0–100 grid as committees (west→east, north→south).
    map_x = models.PositiveSmallIntegerField(
        _("示意图横坐标"), default=50, validators=[MaxValueValidator(100)]
    )
    map_y = models.PositiveSmallIntegerField(
        _("示意图纵坐标"), default=50, validators=[MaxValueValidator(100)]
    )
    hours = models.CharField(_("开放时间"), max_length=100, blank=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话（办公）"), max_length=30, blank=True)
    description = models.TextField(_("简介"), blank=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("服务阵地")
        verbose_name_plural = _("服务阵地")
        ordering = ["sort", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["centre", "culture", "party_school"], parent__isnull=True)
                | (~Q(kind__in=["centre", "culture", "party_school"]) & Q(parent__isnull=False)),
                name="community_position_anchor_has_no_parent",
            ),
            models.CheckConstraint(
                condition=Q(map_x__lte=100) & Q(map_y__lte=100),
                name="community_position_on_map",
            ),
            *unique_per_street("name", "community_position"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_anchor(self) -> bool:
        return self.kind in self.ANCHORS


class PositionStaff(models.Model):
    """全岗通: one person at a position with several duties."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("姓名"), max_length=50)
    duties = models.CharField(_("岗位职责（顿号分隔）"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("阵地人员")
        verbose_name_plural = _("阵地人员")
        ordering = ["position_id", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def duty_list(self) -> list[str]:
        return [d for d in self.duties.replace(",", "、").split("、") if d.strip()]


class Space(models.Model):
    """A room or area of a position, with its capacity and equipment."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="spaces")
    name = models.CharField(_("名称"), max_length=50)
    capacity = models.PositiveIntegerField(_("容纳人数"), validators=[MinValueValidator(1)])
    equipment = models.CharField(_("设备"), max_length=200, blank=True)
    bookable = models.BooleanField(_("可预约"), default=True)

    class Meta:
        verbose_name = _("空间")
        verbose_name_plural = _("空间")
        ordering = ["position_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["position", "name"], name="community_space_name"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="community_space_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.position.name} · {self.name}"


# --- menus, the wish box and orders -----------------------------------------------------------


class Family(models.TextChoices):
    PARTY_MASS = "party_mass", _("党群服务")
    CIVILISATION = "civilisation", _("文明实践")
    CULTURE = "culture", _("文化服务")


class MenuItem(models.Model):
    """One service on a position's menu (服务清单)."""

    class Mode(models.TextChoices):
        WALK_IN = "walk_in", _("随到随享")
        APPOINTMENT = "appointment", _("预约")
        ORDER = "order", _("点单（组织/居委下单）")

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="menu")
    family = models.CharField(_("类别"), max_length=20, choices=Family.choices)
    title = models.CharField(_("服务项目"), max_length=100)
    description = models.TextField(_("内容"), blank=True)
    audience = models.CharField(_("服务对象"), max_length=100)
    capacity = models.PositiveIntegerField(_("人数上限"), validators=[MinValueValidator(1)])
    duration_minutes = models.PositiveIntegerField(
        _("时长（分钟）"), validators=[MinValueValidator(15)]
    )
    mode = models.CharField(_("预约方式"), max_length=20, choices=Mode.choices)
    provider = models.CharField(_("提供方"), max_length=100, blank=True)
    lead_days = models.PositiveSmallIntegerField(_("受理时限（天）"), default=3)
    active = models.BooleanField(_("上架"), default=True)

    class Meta:
        verbose_name = _("服务清单项目")
        verbose_name_plural = _("服务清单项目")
        ordering = ["position__sort", "family", "title"]
        constraints = [
            models.UniqueConstraint(fields=["position", "title"], name="community_menu_title"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="community_menu_capacity"),
        ]

    def __str__(self) -> str:
        return self.title


class Wish(models.Model):
    """百姓心愿箱: a request from a resident that staff may turn into a menu item."""

    class Status(models.TextChoices):
        NEW = "new", _("待处理")
        ADOPTED = "adopted", _("已转为服务项目")
        DECLINED = "declined", _("暂不采纳")

    text = models.TextField(_("心愿"))
    name = models.CharField(_("称呼"), max_length=50, blank=True)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=11, blank=True, editable=False)
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("居委"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subdistrict = models.ForeignKey(
        Subdistrict, verbose_name=_("街道"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="new")
    answer = models.TextField(_("答复"), blank=True)
    menu_item = models.ForeignKey(
        MenuItem,
        verbose_name=_("转成的服务项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wishes",
    )
    created = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("心愿")
        verbose_name_plural = _("心愿")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.text[:30]


class VolunteerTeam(models.Model):
    """A volunteer team (衡复音乐阅读者, 建筑可阅读, …); the name is unique within its street
    (every street may have its 平安志愿者队)."""

    name = models.CharField(_("队伍名称"), max_length=100)
    position = models.ForeignKey(
        Position,
        verbose_name=_("所属阵地"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams",
    )
    subdistrict = models.ForeignKey(
        Subdistrict, verbose_name=_("街道"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    description = models.TextField(_("简介"), blank=True)
    leader = models.ForeignKey(
        "Volunteer",
        verbose_name=_("队长"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Blank: the team's position (its street's 党群服务中心) issues its certificates.
    issuer = models.CharField(_("记录证明单位"), max_length=100, blank=True)
    issuer_contact = models.CharField(_("证明单位联系方式"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("志愿者队伍")
        verbose_name_plural = _("志愿者队伍")
        ordering = ["name"]
        constraints = [*unique_per_street("name", "community_team")]

    def __str__(self) -> str:
        return self.name

    @property
    def issuing_unit(self) -> str:
        """Who signs the team's certificates: the named issuer, else the team's position."""
        if self.issuer:
            return self.issuer
        return self.position.name if self.position is not None else ""


class ServiceOrder(models.Model):
    """One order on the loop 清单 → 下单 → 派单 → 服务 → 评价 (or a room booking)."""

    class Status(models.TextChoices):
        ORDERED = "ordered", _("已下单")
        ACCEPTED = "accepted", _("已受理")
        DISPATCHED = "dispatched", _("已派单")
        DELIVERED = "delivered", _("已服务")
        RATED = "rated", _("已评价")
        DECLINED = "declined", _("不予受理")
        CANCELLED = "cancelled", _("已取消")

    OPEN = (Status.ORDERED, Status.ACCEPTED, Status.DISPATCHED)

    class Requester(models.TextChoices):
        RESIDENT = "resident", _("居民")
        ORGANISATION = "organisation", _("组织/单位")
        COMMITTEE = "committee", _("居委")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上")
        PHONE = "phone", _("电话（工作人员代录）")
        COUNTER = "counter", _("现场")

    number = models.CharField(_("单号"), max_length=20, unique=True)
    menu_item = models.ForeignKey(
        MenuItem,
        verbose_name=_("服务项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    position = models.ForeignKey(
        Position, verbose_name=_("受理阵地"), on_delete=models.PROTECT, related_name="orders"
    )
    space = models.ForeignKey(
        Space,
        verbose_name=_("预订空间"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    starts_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    requester_kind = models.CharField(_("下单方"), max_length=14, choices=Requester.choices)
    requester_name = models.CharField(_("下单人/单位"), max_length=100)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=11, blank=True, editable=False)
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("居委"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subdistrict = models.ForeignKey(
        Subdistrict, verbose_name=_("街道"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    people = models.PositiveIntegerField(_("人数"), default=1)
    note = models.TextField(_("需求说明"), blank=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default="ordered")
    due_by = models.DateField(_("办结时限"))
    dispatched_position = models.ForeignKey(
        Position,
        verbose_name=_("派至阵地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispatched_orders",
    )
    dispatched_team = models.ForeignKey(
        VolunteerTeam,
        verbose_name=_("派至志愿者队伍"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    rating = models.PositiveSmallIntegerField(
        _("评价（1–5）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    feedback = models.TextField(_("评价意见"), blank=True)
    created = models.DateTimeField(_("下单时间"))
    delivered_on = models.DateField(_("服务日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("服务订单")
        verbose_name_plural = _("服务订单")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["status", "due_by"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="community_order_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(space__isnull=True)
                | (Q(starts_at__isnull=False) & Q(ends_at__isnull=False)),
                name="community_order_booking_has_times",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="community_order_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.number


# --- activities ------------------------------------------------------------------------------


class Series(models.Model):
    """A recurring series, e.g. 晚间一小时: every weekday 18:30–19:30.

    The title is unique within the street of its space's position. The street is two joins
    away (space → position), so no database key can say it without copying the street onto
    the series; ``services.do_save_series`` checks it with the street's row locked instead.
    """

    title = models.CharField(_("系列名称"), max_length=100)
    space = models.ForeignKey(Space, verbose_name=_("空间"), on_delete=models.PROTECT)
    weekdays = models.CharField(_("星期（1–7，逗号分隔）"), max_length=20, default="1,2,3,4,5")
    start_time = models.TimeField(_("开始"))
    end_time = models.TimeField(_("结束"))
    capacity = models.PositiveIntegerField(_("每场人数"), validators=[MinValueValidator(1)])
    reserved_offline = models.PositiveIntegerField(_("为现场/电话报名保留"), default=0)
    release_hours = models.PositiveSmallIntegerField(_("保留座位提前释放（小时）"), default=4)
    partners = models.CharField(_("合作单位（顿号分隔）"), max_length=200, blank=True)
    audience = models.CharField(_("对象"), max_length=100, default="居民、游客")

    class Meta:
        verbose_name = _("活动系列")
        verbose_name_plural = _("活动系列")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="community_series_times"
            ),
            models.CheckConstraint(
                condition=Q(reserved_offline__lte=models.F("capacity")),
                name="community_series_reserved_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def partner_list(self) -> list[str]:
        return [p for p in self.partners.split("、") if p]

    @property
    def weekday_numbers(self) -> list[int]:
        return [int(x) for x in self.weekdays.split(",") if x.strip().isdigit()]


class Event(models.Model):
    """One activity at one space; every seat is decided by ``rules.Roster``."""

    class Status(models.TextChoices):
        OPEN = "open", _("报名中")
        CANCELLED = "cancelled", _("已取消")

    series = models.ForeignKey(
        Series,
        verbose_name=_("系列"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    title = models.CharField(_("活动名称"), max_length=100)
    description = models.TextField(_("内容"), blank=True)
    family = models.CharField(_("类别"), max_length=20, choices=Family.choices, default="culture")
    space = models.ForeignKey(
        Space, verbose_name=_("地点"), on_delete=models.PROTECT, related_name="events"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"), validators=[MinValueValidator(1)])
    reserved_offline = models.PositiveIntegerField(_("为现场/电话报名保留"), default=0)
    release_at = models.DateTimeField(_("保留名额释放时间"), null=True, blank=True)
    released = models.BooleanField(_("保留名额已释放"), default=False)
    audience = models.CharField(_("对象"), max_length=100, blank=True)
    partner = models.CharField(_("合作单位"), max_length=100, blank=True)
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("主办居委"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subdistrict = models.ForeignKey(
        Subdistrict, verbose_name=_("街道"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="open")
    # Bumped under the event's row lock; orders seats and the wait-list like the engine's lists.
    seq = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["starts_at"]),
            # A street's or a district's activities of a period (``queries.street_activity``):
            # its committees' events, and the street's own (no host committee).
            models.Index(fields=["committee", "starts_at"], name="community_event_host_time"),
            models.Index(
                fields=["subdistrict", "starts_at"],
                condition=Q(committee__isnull=True),
                name="community_event_street_time",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="community_event_times"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="community_event_capacity"),
            models.CheckConstraint(
                condition=Q(reserved_offline__lte=models.F("capacity")),
                name="community_event_reserved_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SpaceSlot(models.Model):
    """Half an hour of a space taken by an event or a booking: unique, so never double-booked."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField()
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="slots"
    )
    order = models.ForeignKey(
        ServiceOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="slots"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "start"], name="community_slot_once"),
            models.CheckConstraint(
                condition=Q(event__isnull=False, order__isnull=True)
                | Q(event__isnull=True, order__isnull=False),
                name="community_slot_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.space_id}@{self.start:%Y-%m-%d %H:%M}"


class Signup(models.Model):
    """One person's place at an event. ``person_key`` is the phone's keyed hash."""

    class State(models.TextChoices):
        CONFIRMED = "confirmed", _("已报名")
        WAITLISTED = "waitlisted", _("候补")
        CANCELLED = "cancelled", _("已取消")
        LEFT = "left_waitlist", _("已退出候补")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上报名")
        STAFF = "staff", _("工作人员代报")

    class Seat(models.TextChoices):
        HELD = "held", _("保留名额")
        GENERAL = "general", _("普通名额")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="signups")
    person_key = models.CharField(max_length=64, editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    phone_cipher = models.TextField(editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=11, editable=False)
    channel = models.CharField(_("方式"), max_length=10, choices=Channel.choices)
    state = models.CharField(_("状态"), max_length=14, choices=State.choices)
    seat = models.CharField(_("名额"), max_length=10, choices=Seat.choices, blank=True)
    rank = models.PositiveIntegerField(editable=False)  # order seats were taken / joined the list
    token = models.CharField(max_length=32, unique=True, editable=False)  # the ticket's QR
    created = models.DateTimeField(_("报名时间"))
    promoted_at = models.DateTimeField(_("候补转正时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["event_id", "rank"]
        indexes = [
            models.Index(fields=["event", "state", "rank"]),
            # Sign-ups and check-ins counted per event from the index alone (PostgreSQL;
            # SQLite ignores ``include``): the district comparison counts a year of them.
            models.Index(
                fields=["event"], include=["state", "checked_in_at"], name="community_signup_counts"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person_key"],
                condition=Q(state__in=["confirmed", "waitlisted"]),
                name="community_signup_one_place_per_person",
            ),
            models.CheckConstraint(
                condition=(Q(state="confirmed") & ~Q(seat=""))
                | (~Q(state="confirmed") & Q(seat="")),
                name="community_signup_seat_iff_confirmed",
            ),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(state="confirmed"),
                name="community_signup_checkin_only_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.event_id}"


# --- volunteers ------------------------------------------------------------------------------


class Volunteer(models.Model):
    """A volunteer: personal data as for residents (hashed, encrypted, masked)."""

    name = models.CharField(_("姓名"), max_length=50)
    phone_hash = models.CharField(max_length=64, unique=True, editable=False)
    phone_cipher = models.TextField(editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=11, editable=False)
    id_cipher = models.TextField(blank=True, editable=False)
    id_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("居委"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subdistrict = models.ForeignKey(
        Subdistrict, verbose_name=_("街道"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    joined = models.DateField(_("加入日期"))
    # The volunteer's own phone page: keyed hash of the personal code the leader hands out
    # (shown once); with the phone's last four digits it opens ``/community/me/``.
    code_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(VolunteerTeam, on_delete=models.CASCADE, related_name="members")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="teams")
    since = models.DateField(_("入队日期"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "volunteer"], name="community_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id}@{self.team_id}"


class Shift(models.Model):
    """A volunteer shift, linked to an event or an order when it serves one."""

    team = models.ForeignKey(VolunteerTeam, on_delete=models.CASCADE, related_name="shifts")
    title = models.CharField(_("服务内容"), max_length=100)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts"
    )
    order = models.ForeignKey(
        ServiceOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts"
    )
    token = models.CharField(max_length=32, unique=True, editable=False)  # QR check-in/out

    class Meta:
        verbose_name = _("志愿服务班次")
        verbose_name_plural = _("志愿服务班次")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="community_shift_times"
            )
        ]

    def __str__(self) -> str:
        return self.title


class HourRecord(models.Model):
    """Recorded service time, with where it came from and who approved it."""

    class Source(models.TextChoices):
        QR = "qr", _("扫码签到签退")
        SELF = "self", _("本人申报")
        LEADER = "leader", _("队长录入")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已认定")
        REJECTED = "rejected", _("未认定")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="hours")
    team = models.ForeignKey(VolunteerTeam, on_delete=models.CASCADE, related_name="hours")
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="hours"
    )
    on = models.DateField(_("服务日期"))
    content = models.CharField(_("服务内容"), max_length=100)
    minutes = models.PositiveIntegerField(_("时长（分钟）"))
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="pending")
    check_in = models.DateTimeField(null=True, blank=True)
    check_out = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("服务时长记录")
        verbose_name_plural = _("服务时长记录")
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0, minutes__lte=24 * 60), name="community_hours_range"
            ),
            models.UniqueConstraint(
                fields=["volunteer", "shift"],
                condition=Q(shift__isnull=False),
                name="community_hours_once_per_shift",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.on} {self.minutes}min"


class Correction(models.Model):
    """A volunteer's request to correct a record (民政部令第67号)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待核实")
        FIXED = "fixed", _("已更正")
        REFUSED = "refused", _("不予更正")

    record = models.ForeignKey(HourRecord, on_delete=models.CASCADE, related_name="corrections")
    minutes = models.PositiveIntegerField(_("应为（分钟）"))
    reason = models.CharField(_("理由"), max_length=200)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default="open")
    created = models.DateTimeField()

    class Meta:
        verbose_name = _("更正申请")
        verbose_name_plural = _("更正申请")

    def __str__(self) -> str:
        return f"correction {self.pk}"


class Certificate(models.Model):
    """A certificate issued from approved hours; the number is unique and never reused."""

    number = models.CharField(_("证明编号"), max_length=30, unique=True)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    team = models.ForeignKey(VolunteerTeam, on_delete=models.PROTECT, related_name="+")
    minutes = models.PositiveIntegerField(_("累计时长（分钟）"))
    content = models.TextField(_("服务内容"))
    issued_on = models.DateField(_("出具日期"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("志愿服务记录证明")
        verbose_name_plural = _("志愿服务记录证明")

    def __str__(self) -> str:
        return self.number


# --- the aesthetic-education alliance (梧桐汇艺) ------------------------------------------------


class Category(models.TextChoices):
    READING = "reading", _("读书品画")
    LISTENING = "listening", _("赏音观影")
    STAGE_TALK = "stage_talk", _("对话舞台")
    CHILD_PLAY = "child_play", _("体验儿戏")
    THEATRE_VISIT = "theatre_visit", _("走进剧院")
    DRAMA = "drama", _("穿越戏剧")
    MASTER = "master", _("大师说乐")


class AllianceMember(models.Model):
    """A member of the alliance: a cultural unit or a school (a partner organisation)."""

    class Kind(models.TextChoices):
        UNIT = "unit", _("文化单位")
        SCHOOL = "school", _("学校")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="alliance_member"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    subdistrict = models.ForeignKey(
        Subdistrict, verbose_name=_("街道"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    joined = models.DateField(_("加入日期"))

    class Meta:
        verbose_name = _("美育联盟成员")
        verbose_name_plural = _("美育联盟成员")
        ordering = ["kind", "organisation__name"]

    def __str__(self) -> str:
        return self.organisation.name


class AllianceProject(models.Model):
    """A project on the alliance menu, offered by a cultural unit."""

    unit = models.ForeignKey(
        AllianceMember,
        verbose_name=_("提供单位"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    title = models.CharField(_("项目名称"), max_length=100)
    description = models.TextField(_("内容"), blank=True)
    term = models.CharField(_("学期"), max_length=20)  # e.g. 2026秋
    grades = models.CharField(_("适合年级"), max_length=50)
    capacity = models.PositiveIntegerField(_("每场人数"), validators=[MinValueValidator(1)])
    batch = models.PositiveSmallIntegerField(_("批次"), default=1)

    class Meta:
        verbose_name = _("美育项目")
        verbose_name_plural = _("美育项目")
        ordering = ["category", "title"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "title", "term"], name="community_project_once")
        ]

    def __str__(self) -> str:
        return self.title


class AllianceOrder(models.Model):
    """A school's order of a project: 下单 → 接单 → 排期 → 实施 → 反馈."""

    class Status(models.TextChoices):
        ORDERED = "ordered", _("已下单")
        ACCEPTED = "accepted", _("已接单")
        SCHEDULED = "scheduled", _("已排期")
        DELIVERED = "delivered", _("已实施")
        CLOSED = "closed", _("已反馈")
        DECLINED = "declined", _("已婉拒")

    project = models.ForeignKey(AllianceProject, on_delete=models.PROTECT, related_name="orders")
    school = models.ForeignKey(
        AllianceMember, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="orders"
    )
    students = models.PositiveIntegerField(_("学生人数"), validators=[MinValueValidator(1)])
    grade = models.CharField(_("年级"), max_length=20)
    wish = models.CharField(_("希望时间/说明"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="ordered")
    scheduled_at = models.DateTimeField(_("排期"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    delivered_on = models.DateField(_("实施日期"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评价（1–5）"), null=True, blank=True)
    feedback = models.TextField(_("学校反馈"), blank=True)
    created = models.DateTimeField(_("下单时间"))

    class Meta:
        verbose_name = _("美育订单")
        verbose_name_plural = _("美育订单")
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="community_alliance_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} / {self.school}"


# --- practical projects (实事项目) and area governance ----------------------------------------


class PracticalProject(models.Model):
    class Kind(models.TextChoices):
        PROPERTY = "property", _("物业管理一体化")
        DINING = "dining", _("老年助餐点")
        GATES = "gates", _("门禁")
        RENEWAL = "renewal", _("微更新（弄堂、车棚、景观）")
        CHARGING = "charging", _("充电设施")
        LIFT = "lift", _("加装电梯")
        SPACE = "space", _("公共空间")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        PLANNED = "planned", _("谋划中")
        DECIDED = "decided", _("已议定")
        BUILDING = "building", _("实施中")
        DONE = "done", _("已完成")

    title = models.CharField(_("项目名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    area = models.ForeignKey(
        Area, verbose_name=_("片区"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    committee = models.ForeignKey(
        Committee, verbose_name=_("居委"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    subdistrict = models.ForeignKey(
        Subdistrict, verbose_name=_("街道"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    place = models.CharField(_("地点"), max_length=100)
    owner = models.CharField(_("责任主体"), max_length=100)
    pain_point = models.TextField(_("群众痛点"), blank=True)
    resident_fen = models.BigIntegerField(_("居民筹资（分）"), default=0)
    subsidy_fen = models.BigIntegerField(_("政府补贴（分）"), default=0)
    other_fen = models.BigIntegerField(_("其他来源（分）"), default=0)
    budget_fen = models.BigIntegerField(_("预算总额（分）"))
    beneficiaries = models.PositiveIntegerField(_("受益户数"), default=0)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="planned")
    public = models.BooleanField(_("公开进度"), default=True)

    class Meta:
        verbose_name = _("实事项目")
        verbose_name_plural = _("实事项目")
        ordering = ["place", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    budget_fen=models.F("resident_fen")
                    + models.F("subsidy_fen")
                    + models.F("other_fen")
                ),
                name="community_project_budget_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(resident_fen__gte=0, subsidy_fen__gte=0, other_fen__gte=0),
                name="community_project_budget_not_negative",
            ),
            *unique_per_street("title", "community_practical_project"),
        ]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    project = models.ForeignKey(
        PracticalProject, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("节点"), max_length=100)
    due = models.DateField(_("计划日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    photo = models.ImageField(_("照片"), upload_to="community/milestones/", blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["project_id", "due", "id"]

    def __str__(self) -> str:
        return self.title


class Contribution(models.Model):
    """A household's contribution to a co-funded project, with its receipt number."""

    project = models.ForeignKey(
        PracticalProject, on_delete=models.PROTECT, related_name="contributions"
    )
    household = models.CharField(_("门牌/户"), max_length=50)
    amount_fen = models.BigIntegerField(_("金额（分）"))
    receipt = models.CharField(_("收据号"), max_length=30, unique=True)
    paid_on = models.DateField(_("缴纳日期"))

    class Meta:
        verbose_name = _("居民筹资")
        verbose_name_plural = _("居民筹资")
        ordering = ["project_id", "paid_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0), name="community_contribution_positive"
            ),
            models.UniqueConstraint(
                fields=["project", "household"], name="community_contribution_once"
            ),
        ]

    def __str__(self) -> str:
        return self.receipt


class LaneDecision(models.Model):
    """A decision of the lane committee (弄管会) with its vote."""

    project = models.ForeignKey(
        PracticalProject, on_delete=models.CASCADE, related_name="decisions"
    )
    on = models.DateField(_("日期"))
    motion = models.CharField(_("议题"), max_length=200)
    members = models.PositiveSmallIntegerField(_("应到人数"))
    agree = models.PositiveSmallIntegerField(_("同意"))
    against = models.PositiveSmallIntegerField(_("反对"))
    abstain = models.PositiveSmallIntegerField(_("弃权"))
    passed = models.BooleanField(_("通过"))

    class Meta:
        verbose_name = _("弄管会决议")
        verbose_name_plural = _("弄管会决议")
        ordering = ["project_id", "on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    members__gte=models.F("agree") + models.F("against") + models.F("abstain")
                ),
                name="community_decision_votes_within_members",
            )
        ]

    def __str__(self) -> str:
        return self.motion
