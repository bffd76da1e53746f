"""Service centre (社区事务受理服务中心): catalogue, halls, queues, windows, tickets, cases.

Tickets never hold an identity number or a name: an ID swipe leaves a keyed hash (to find the
resident's cases again) and a ten-year age band (for the green lane and statistics).
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .rules import CaseStatus, TicketState

# A hall's code is letters and digits only: its key joins the street's code and the hall's
# code with a hyphen, which therefore names one hall whatever the codes.
HALL_CODE = RegexValidator(r"^[A-Z0-9]{1,4}$", _("大厅代码为 1–4 个大写英文字母或数字。"))
KEY_SEPARATOR = "-"


def hall_key(street_code: str | None, code: str) -> str:
    """A hall's name in public addresses: ``<street code>-<hall code>``, or the code alone for a
    hall without a street (``Hall.key``; statistics build it from two selected columns)."""
    return f"{street_code}{KEY_SEPARATOR}{code}" if street_code else code


def split_hall_key(key: str) -> tuple[str, str]:
    """``"310104004-A"`` → ``("310104004", "A")``; a bare code → ``("", code)``."""
    street, _separator, code = key.rpartition(KEY_SEPARATOR)
    return street, code


class Hall(models.Model):
    """A hall of the centre (A 综合业务受理, B 专业服务) with its business hours.

    Codes repeat from street to street (every centre has its hall A): a hall is named across
    the installation by its ``key``, the street's code and its own (``310104012-A``)."""

    code = models.CharField(_("代码"), max_length=4, validators=[HALL_CODE])
    name = models.CharField(_("名称"), max_length=60)
    # The street whose service centre this is: its cases, tickets and figures are read by that
    # street's accounts (empty: a hall of the one street of an installation).
    subdistrict = models.ForeignKey(
        "geo.Subdistrict",
        verbose_name=_("街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opens_at = models.TimeField(_("开门时间"), default=time(9, 0))
    closes_at = models.TimeField(_("关门时间"), default=time(17, 0))
    # Last refresh of the hall's display board: a board that stops polling is flagged.
    board_seen_at = models.DateTimeField(_("叫号屏最近刷新"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("大厅")
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "code"], name="hall_code_per_street"),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(subdistrict__isnull=True),
                name="hall_code_without_street",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def key(self) -> str:
        """The hall's name in public addresses (kiosk, board): ``<street code>-<hall code>``,
        or the code alone for a hall without a street. Load ``subdistrict`` with the hall."""
        street = self.subdistrict if self.subdistrict_id is not None else None
        return hall_key(street.code if street is not None else None, self.code)


class Queue(models.Model):
    """A line with its own numbers (prefix + 3 digits per day); also the routing skill."""

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="queues")
    name = models.CharField(_("名称"), max_length=60)
    prefix = models.CharField(_("字头"), max_length=3)
    is_backoffice = models.BooleanField(_("中台"), default=False)
    mean_service_minutes = models.FloatField(_("平均办理分钟"), default=10.0)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort", "prefix"]
        verbose_name = _("队列")
        # Per hall in the database; the set-up also keeps a prefix to one hall of a street
        # (``services.do_save_queue``), so one centre's ticket numbers never look alike.
        constraints = [
            models.UniqueConstraint(fields=["hall", "prefix"], name="hall_queue_prefix_once")
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"


class Item(models.Model):
    """A catalogue item (事项) with its guide (办事指南)."""

    # The standard catalogue's code: every street's centre lists the same codes.
    code = models.CharField(_("事项编码"), max_length=40)
    name = models.CharField(_("事项名称"), max_length=120)
    aliases = models.CharField(_("别名"), max_length=200, blank=True)
    pinyin = models.CharField(_("拼音首字母"), max_length=200, blank=True, db_index=True)
    category = models.CharField(_("类别"), max_length=40)
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="items")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="items")
    channel_window = models.BooleanField(_("窗口办理"), default=True)
    channel_self_service = models.BooleanField(_("自助办理"), default=False)
    channel_online = models.BooleanField(_("一网通办"), default=False)
    channel_citywide = models.BooleanField(_("全市通办"), default=False)
    # [{"situation": "本人办理", "materials": ["居民身份证", "户口簿"]}, ...]
    materials = models.JSONField(_("申请材料"), default=list, blank=True)
    fee = models.CharField(_("收费"), max_length=60, default="不收费")
    promised_days = models.PositiveSmallIntegerField(_("承诺时限(工作日)"), default=0)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("事项")
        constraints = [models.UniqueConstraint(fields=["hall", "code"], name="hall_item_code_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Window(models.Model):
    """A counter: its skills (queues it takes) and the clerk on duty."""

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="windows")
    number = models.PositiveSmallIntegerField(_("窗口号"))
    skills = models.ManyToManyField(Queue, related_name="windows", verbose_name=_("受理队列"))
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hall_windows",
        verbose_name=_("当班人员"),
    )
    active = models.BooleanField(_("开放"), default=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("窗口")
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="hall_window_number_once")
        ]

    def __str__(self) -> str:
        return str(_("%(number)s号窗口") % {"number": self.number})


class ConfigVersion(models.Model):
    """One row (id 1) whose ``n`` grows whenever halls, queues or the calendar change.

    Each process caches what the kiosk checks (halls and hours, queues, holidays) with the
    ``n`` it read; the kiosk's numbering statement only runs while ``n`` is still that value,
    so a change made by staff in any process is seen on the next ticket, at no extra query.
    """

    n = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"hall configuration v{self.n}"


class QueueCounter(models.Model):
    """The last number handed out in a queue on a day: one atomic UPDATE per ticket."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="counters")
    day = models.DateField()
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["queue", "day"], name="hall_counter_once")]

    def __str__(self) -> str:
        return f"{self.queue_id}@{self.day}: {self.n}"


class Ticket(models.Model):
    """A queue ticket (叫号单). No name and no identity number, ever."""

    class State(models.TextChoices):
        WAITING = TicketState.WAITING.value, _("等候")
        CALLED = TicketState.CALLED.value, _("已叫号")
        SERVING = TicketState.SERVING.value, _("办理中")
        DONE = TicketState.DONE.value, _("办结")
        NO_SHOW = TicketState.NO_SHOW.value, _("过号")
        TRANSFERRED = TicketState.TRANSFERRED.value, _("已转窗")
        ESCALATED = TicketState.ESCALATED.value, _("中台处理中")
        RETURNED = TicketState.RETURNED.value, _("中台已退回")
        CANCELLED = TicketState.CANCELLED.value, _("已取消")

    class Source(models.TextChoices):
        ID_CARD = "id_card", _("刷身份证")
        ANONYMOUS = "anonymous", _("无证取号")
        APPOINTMENT = "appointment", _("预约签到")

    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="tickets")
    # No index of its own: (day, state) and the unique (queue, day, seq) lead with it, and every
    # index is one more page written per ticket issued.
    day = models.DateField(_("日期"))
    seq = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("号码"), max_length=8)
    token = models.CharField(max_length=32, unique=True)  # the public status page's address
    # parent, item, window, clerk and state are indexed only where a new ticket does not reach
    # (see Meta.indexes): a ticket is issued with none of them set and in the state "waiting".
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        db_index=False,
    )
    item = models.ForeignKey(Item, on_delete=models.SET_NULL, null=True, blank=True, db_index=False)
    source = models.CharField(_("取号方式"), max_length=12, choices=Source.choices)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices)
    priority = models.CharField(_("优先级"), max_length=6, default="normal")
    # Copied to the case a window opens, never looked up on the ticket: no index.
    id_hash = models.CharField(max_length=64, blank=True)
    age_band = models.CharField(_("年龄段"), max_length=8, blank=True)
    issued_at = models.DateTimeField(_("取号时间"))
    first_called_at = models.DateTimeField(_("首次叫号"), null=True, blank=True)
    called_at = models.DateTimeField(_("最近叫号"), null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(_("重呼次数"), default=0)
    started_at = models.DateTimeField(_("开始办理"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束"), null=True, blank=True)
    requeue_rank = models.FloatField(null=True, blank=True)
    appointment_at = models.DateTimeField(_("预约时间"), null=True, blank=True)
    window = models.ForeignKey(
        Window,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        db_index=False,
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hall_tickets",
        db_index=False,
    )
    escalation_reason = models.CharField(_("转中台原因"), max_length=200, blank=True)
    backoffice_note = models.CharField(_("中台处理意见"), max_length=200, blank=True)

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = _("排队号")
        constraints = [
            # Numbers restart per queue and day; transferred copies keep their parent's number.
            models.UniqueConstraint(
                fields=["queue", "day", "seq"],
                condition=Q(parent__isnull=True),
                name="hall_ticket_number_once",
            )
        ]
        # Every index a new ticket enters is one more page its commit writes (on SQLite the
        # issuers queue on that commit), so the kiosk's INSERT enters only the primary key, the
        # token, the number constraint and (day, state). The lookups by parent, item, window
        # and clerk only ever ask for a set value, and the one lookup by state across days is
        # the back office's list of escalated tickets: partial indexes serve them, and stay
        # untouched until a window calls, transfers or escalates the ticket.
        indexes = [
            models.Index(fields=["day", "state"]),
            models.Index(
                fields=["state"],
                condition=Q(state=TicketState.ESCALATED.value),
                name="hall_ticket_escalated",
            ),
            models.Index(
                fields=["parent"], condition=Q(parent__isnull=False), name="hall_ticket_parent"
            ),
            models.Index(fields=["item"], condition=Q(item__isnull=False), name="hall_ticket_item"),
            models.Index(
                fields=["window"], condition=Q(window__isnull=False), name="hall_ticket_window"
            ),
            models.Index(
                fields=["clerk"], condition=Q(clerk__isnull=False), name="hall_ticket_clerk"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def wait_minutes(self) -> float | None:
        if self.first_called_at is None:
            return None
        return (self.first_called_at - self.issued_at).total_seconds() / 60

    @property
    def service_minutes(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds() / 60


class TicketEvent(models.Model):
    """Every step of a ticket: each call and recall, start, end, transfer, escalation, return."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"))
    action = models.CharField(_("动作"), max_length=30)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    window = models.ForeignKey(Window, on_delete=models.SET_NULL, null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%H:%M:%S}"


class Case(models.Model):
    """A case (办件) opened from a served ticket or the self-service terminal."""

    class Status(models.TextChoices):
        ACCEPTED = CaseStatus.ACCEPTED.value, _("受理")
        IN_PROGRESS = CaseStatus.IN_PROGRESS.value, _("办理中")
        COMPLETED = CaseStatus.COMPLETED.value, _("办结")
        RETURNED = CaseStatus.RETURNED.value, _("退件")

    number = models.CharField(_("办件编号"), max_length=20, unique=True)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="cases")
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, db_index=True)
    citywide = models.BooleanField(_("全市通办"), default=False)
    accepted_on = models.DateField(_("受理日期"))
    due_on = models.DateField(_("承诺办结日期"), db_index=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    window = models.ForeignKey(Window, on_delete=models.SET_NULL, null=True, blank=True)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # The applicant's mobile number, given for notices about this case (encrypted, masked).
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=11, blank=True, editable=False)

    class Meta:
        ordering = ["-accepted_on", "-pk"]
        verbose_name = _("办件")

    def __str__(self) -> str:
        return self.number


class Rating(models.Model):
    """好差评: one per ticket or per case, bound to window, clerk and item; 1–2 stars need a
    follow-up."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="rating", null=True, blank=True
    )
    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="rating", null=True, blank=True
    )
    stars = models.PositiveSmallIntegerField(_("星级"))
    window = models.ForeignKey(Window, on_delete=models.SET_NULL, null=True, blank=True)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    item = models.ForeignKey(Item, on_delete=models.SET_NULL, null=True, blank=True)
    comment = models.CharField(_("意见"), max_length=200, blank=True)
    at = models.DateTimeField(_("评价时间"))
    follow_up_due = models.DateField(_("整改期限"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(_("整改完成"), null=True, blank=True)
    follow_up_note = models.CharField(_("整改说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("评价")
        constraints = [
            models.CheckConstraint(
                condition=Q(stars__gte=1) & Q(stars__lte=5), name="hall_rating_stars_1_5"
            ),
            models.CheckConstraint(
                condition=Q(ticket__isnull=False, case__isnull=True)
                | Q(ticket__isnull=True, case__isnull=False),
                name="hall_rating_ticket_or_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stars}★"


class Slot(models.Model):
    """预约时段: bookable places for one item at one time; part held back for walk-ins."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="slots")
    day = models.DateField(_("日期"))
    starts_at = models.TimeField(_("开始时间"))
    capacity = models.PositiveSmallIntegerField(_("可办理人数"))
    walk_in_reserve = models.PositiveSmallIntegerField(_("留给现场取号"), default=0)

    class Meta:
        ordering = ["day", "starts_at", "item"]
        verbose_name = _("预约时段")
        constraints = [
            models.UniqueConstraint(fields=["item", "day", "starts_at"], name="hall_slot_once"),
            models.CheckConstraint(
                condition=Q(walk_in_reserve__lte=models.F("capacity")),
                name="hall_slot_reserve_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.name} {self.day} {self.starts_at:%H:%M}"

    @property
    def bookable(self) -> int:
        return self.capacity - self.walk_in_reserve


class Appointment(models.Model):
    """A booking: the applicant is known by the ID hash only; checked in by an ID swipe."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("已预约")
        CANCELLED = "cancelled", _("已取消")
        CHECKED_IN = "checked_in", _("已签到")

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    code = models.CharField(_("预约码"), max_length=12, unique=True)
    id_hash = models.CharField(max_length=64, db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    booked_at = models.DateTimeField(_("预约时间"))
    ticket = models.OneToOneField(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointment"
    )
    # Given for the reminder the day before (encrypted, masked); optional.
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=11, blank=True, editable=False)

    class Meta:
        ordering = ["slot__day", "slot__starts_at", "pk"]
        verbose_name = _("预约")

    def __str__(self) -> str:
        return self.code


class Locker(models.Model):
    """A self-service pickup locker (自助取件柜) compartment."""

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="lockers")
    number = models.PositiveSmallIntegerField(_("柜号"))
    active = models.BooleanField(_("可用"), default=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("取件柜")
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="hall_locker_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.number}号柜"


class Pickup(models.Model):
    """A result deposited in a locker: pickup code plus the applicant's ID, held 7 days."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("待取件")
        COLLECTED = "collected", _("已取件")
        EXPIRED = "expired", _("已超期，退回窗口")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="pickups")
    locker = models.ForeignKey(Locker, on_delete=models.PROTECT, related_name="pickups")
    code = models.CharField(_("取件码"), max_length=6)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, db_index=True)
    deposited_at = models.DateTimeField(_("存入时间"))
    expires_at = models.DateTimeField(_("保管截止"))
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    collected_at = models.DateTimeField(_("取件时间"), null=True, blank=True)

    class Meta:
        ordering = ["-deposited_at"]
        verbose_name = _("取件")
        constraints = [
            models.UniqueConstraint(
                fields=["locker"], condition=Q(status="waiting"), name="hall_locker_one_waiting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.locker} {self.case}"
