"""The fire-safety registry: extinguishers, simple sprinklers, charging sites, micro stations.

Lifecycle dates (next maintenance, scrap date, next due date and kind, next inspection) are
stored on each row and recomputed by ``services.refresh_*`` through ``rules`` whenever the
facts change, so due lists are indexed date queries at city scale. ``committee`` is repeated
on every row (set by the services) so committee-scoped lists filter on one indexed column.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import Organisation
from linli.geo.models import Building, Committee, CommitteeLinked, Entrance, optional_place


class ExtinguisherType(models.TextChoices):
    WATER = "water", _("水基型")
    POWDER = "powder", _("干粉")
    CLEAN_AGENT = "clean_agent", _("洁净气体")
    CO2 = "co2", _("二氧化碳")


class Gauge(models.TextChoices):
    GREEN = "green", _("绿区（正常）")
    RED = "red", _("红区（欠压）")
    YELLOW = "yellow", _("黄区（超压）")
    NONE = "none", _("无压力表")


class ScrapCondition(models.TextChoices):
    NONE = "", _("无")
    HYDRAULIC = "hydraulic_test_failed", _("水压试验不合格")
    CORROSION = "corrosion_over_third", _("锈蚀超过三分之一")
    DEFORMED = "deformed_or_patched", _("筒体变形或补焊")
    NAMEPLATE = "nameplate_unreadable", _("铭牌或日期不清")
    FIRE = "was_in_fire", _("经历过火灾")


class DueKind(models.TextChoices):
    MAINTAIN = "maintain", _("送修")
    REPLACE = "replace", _("报废更换")


class Extinguisher(CommitteeLinked):
    """灭火器: one unit placed at a spot (committee → building → door number → spot)."""

    building = optional_place(Building, _("楼栋"))
    entrance = optional_place(Entrance, _("门牌"))
    spot = models.CharField(_("位置"), max_length=80, blank=True)
    serial = models.CharField(_("编号"), max_length=40)
    type = models.CharField(_("类型"), max_length=12, choices=ExtinguisherType.choices)
    rating = models.CharField(_("规格/级别"), max_length=20, blank=True)
    manufactured = models.DateField(_("生产日期"))
    last_maintained = models.DateField(_("上次维修"), null=True, blank=True)
    last_inspected = models.DateField(_("上次巡查"), null=True, blank=True)
    gauge = models.CharField(_("压力表"), max_length=8, choices=Gauge.choices, default=Gauge.GREEN)
    half_monthly = models.BooleanField(_("人员密集/地下（半月巡查）"), default=False)
    scrap_condition = models.CharField(
        _("强制报废情形"), max_length=24, choices=ScrapCondition.choices, blank=True, default=""
    )
    placed_on = models.DateField(_("设置日期"))
    assigned_to = models.ForeignKey(
        Organisation,
        verbose_name=_("维保单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Stored lifecycle (services.refresh_extinguisher through rules.lifecycle).
    scrap_date = models.DateField(_("报废日期"), editable=False)
    next_maintenance = models.DateField(_("下次维修"), null=True, editable=False)
    next_due = models.DateField(_("下次到期"), editable=False)
    next_due_kind = models.CharField(
        _("到期事项"), max_length=8, choices=DueKind.choices, editable=False
    )
    next_inspection = models.DateField(_("下次巡查"), editable=False)

    class Meta:
        verbose_name = _("灭火器")
        verbose_name_plural = _("灭火器")
        ordering = ["committee_id", "next_due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["serial"], name="fire_extinguisher_unique_serial"),
            models.CheckConstraint(
                condition=models.Q(last_maintained__isnull=True)
                | models.Q(last_maintained__gte=models.F("manufactured")),
                name="fire_extinguisher_maintained_after_made",
            ),
        ]
        indexes = [
            models.Index(fields=["committee", "next_due"], name="fire_ext_committee_due"),
            models.Index(fields=["next_due", "committee"], name="fire_ext_due_committee"),
            models.Index(fields=["committee", "next_inspection"], name="fire_ext_committee_insp"),
            models.Index(fields=["assigned_to", "next_due"], name="fire_ext_org_due"),
            models.Index(fields=["building", "next_due"], name="fire_ext_building_due"),
        ]

    def __str__(self) -> str:
        return f"{self.serial} {self.spot}".strip()


class SprinklerStatus(models.TextChoices):
    PLANNED = "planned", _("计划安装")
    INSTALLED = "installed", _("已安装")


class Sprinkler(CommitteeLinked):
    """简易喷淋: the installation of one door number (门牌)."""

    entrance = models.OneToOneField(
        Entrance, verbose_name=_("门牌"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=SprinklerStatus.choices, default=SprinklerStatus.PLANNED
    )
    programme = models.CharField(_("实施批次"), max_length=20, blank=True)
    heads = models.PositiveSmallIntegerField(_("喷头数"), validators=[MaxValueValidator(500)])
    households = models.PositiveSmallIntegerField(_("覆盖户数"), default=0)
    installed_on = models.DateField(_("安装日期"), null=True, blank=True)
    contractor = models.ForeignKey(
        Organisation,
        verbose_name=_("施工/维保单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    design_pressure = models.DecimalField(
        _("设计压力(MPa)"), max_digits=5, decimal_places=3, null=True, blank=True
    )
    last_visual = models.DateField(_("上次月度外观检查"), null=True, blank=True)
    last_end_of_line = models.DateField(_("上次末端试水"), null=True, blank=True)
    last_pressure = models.DecimalField(
        _("末端压力(MPa)"), max_digits=5, decimal_places=3, null=True, blank=True
    )
    last_service = models.DateField(_("上次年度维保"), null=True, blank=True)
    fault = models.CharField(_("未修复故障"), max_length=200, blank=True)
    # Stored schedule (services.refresh_sprinkler through rules.sprinkler_schedule).
    next_check = models.DateField(_("下次检查"), null=True, editable=False)

    class Meta:
        verbose_name = _("简易喷淋")
        verbose_name_plural = _("简易喷淋")
        ordering = ["committee_id", "entrance_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="planned") | models.Q(installed_on__isnull=False),
                name="fire_sprinkler_installed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["committee", "next_check"], name="fire_spr_committee_check"),
            models.Index(fields=["contractor", "next_check"], name="fire_spr_org_check"),
            models.Index(fields=["programme", "committee", "status"], name="fire_spr_programme"),
        ]

    def __str__(self) -> str:
        return str(self.entrance)


class ChargingKind(models.TextChoices):
    CABINET = "cabinet", _("智能充电柜")
    CENTRAL = "central", _("集中充电场所")


class ChargingStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    BUILDING = "building", _("建设中")
    IN_SERVICE = "in_service", _("已投用")
    CLOSED = "closed", _("停用")


class ChargingSite(CommitteeLinked):
    """电动自行车充电场所: a smart charging cabinet site or a central charging site."""

    name = models.CharField(_("名称"), max_length=80)
    address = models.CharField(_("地址"), max_length=100, blank=True)
    kind = models.CharField(_("类别"), max_length=10, choices=ChargingKind.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=ChargingStatus.choices, default=ChargingStatus.PLANNED
    )
    programme = models.CharField(_("实施批次"), max_length=20, blank=True)
    bays = models.PositiveSmallIntegerField(_("充电位"), validators=[MinValueValidator(1)])
    has_sprinkler = models.BooleanField(_("有喷淋"), default=False)
    has_detector = models.BooleanField(_("有烟感"), default=False)
    has_camera = models.BooleanField(_("有监控"), default=False)
    assigned_to = models.ForeignKey(
        Organisation,
        verbose_name=_("运维单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("充电场所")
        verbose_name_plural = _("充电场所")
        ordering = ["committee_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="fire_charging_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class EbikeEstimate(models.Model):
    """Estimated e-bikes kept in a committee (the basis of the charging-capacity gap)."""

    committee = models.OneToOneField(
        Committee, verbose_name=_("居委"), on_delete=models.CASCADE, related_name="+"
    )
    ebikes = models.PositiveIntegerField(_("电动自行车估计数"))
    as_of = models.DateField(_("估计日期"))

    class Meta:
        verbose_name = _("电动自行车估计")
        verbose_name_plural = _("电动自行车估计")
        ordering = ["committee_id"]

    def __str__(self) -> str:
        return f"{self.committee} {self.ebikes}"


class Station(CommitteeLinked):
    """微型消防站: a community micro fire station.

    The name is unique within a street, not across the installation: a street may keep
    several stations over its committees, and names such as 湖南路街道微型消防站 or 一号站
    recur from street to street. The street is the committee's, one join away, so no database
    key can say "unique per street" without copying the street onto the station; the database
    keeps the name unique per committee, and ``services.do_save_item`` and the station sheet
    refuse a name another committee of the same street already uses.
    """

    name = models.CharField(_("名称"), max_length=80)
    address = models.CharField(_("地址"), max_length=100, blank=True)
    lon = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("微型消防站")
        verbose_name_plural = _("微型消防站")
        ordering = ["committee_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="fire_station_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class StationMember(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("站长")
        MEMBER = "member", _("队员")

    station = models.ForeignKey(
        Station, verbose_name=_("微型消防站"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("职务"), max_length=8, choices=Role.choices, default=Role.MEMBER)
    trained = models.BooleanField(_("已培训"), default=True)

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        ordering = ["station_id", "role", "id"]

    def __str__(self) -> str:
        return self.name


class DutyShift(models.Model):
    station = models.ForeignKey(
        Station, verbose_name=_("微型消防站"), on_delete=models.CASCADE, related_name="shifts"
    )
    start = models.DateTimeField(_("开始"))
    end = models.DateTimeField(_("结束"))
    members = models.ManyToManyField(StationMember, verbose_name=_("值班队员"), blank=True)

    class Meta:
        verbose_name = _("值班")
        verbose_name_plural = _("值班")
        ordering = ["station_id", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="fire_shift_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.start:%Y-%m-%d %H:%M}"


class KitItem(models.Model):
    station = models.ForeignKey(
        Station, verbose_name=_("微型消防站"), on_delete=models.CASCADE, related_name="kit"
    )
    name = models.CharField(_("器材"), max_length=50)
    quantity = models.PositiveSmallIntegerField(_("数量"), default=1)
    interval_days = models.PositiveSmallIntegerField(
        _("检查周期(天)"), validators=[MinValueValidator(1)]
    )
    last_checked = models.DateField(_("上次检查"), null=True, blank=True)

    class Meta:
        verbose_name = _("器材")
        verbose_name_plural = _("器材")
        ordering = ["station_id", "name"]

    def __str__(self) -> str:
        return self.name


class CheckKind(models.TextChoices):
    INSPECTION = "inspection", _("月度巡查")
    MAINTENANCE = "maintenance", _("送修维修")
    REPLACEMENT = "replacement", _("报废更换")
    VISUAL = "visual", _("喷淋月度外观检查")
    END_OF_LINE = "end_of_line", _("喷淋末端试水")
    SERVICE = "service", _("喷淋年度维保")


class CheckRecord(CommitteeLinked):
    """An inspection or maintenance record (巡查/维保记录), entered on a phone."""

    extinguisher = models.ForeignKey(
        Extinguisher,
        verbose_name=_("灭火器"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="records",
    )
    sprinkler = models.ForeignKey(
        Sprinkler,
        verbose_name=_("简易喷淋"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="records",
    )
    kind = models.CharField(_("类别"), max_length=12, choices=CheckKind.choices)
    done_on = models.DateField(_("日期"))
    passed = models.BooleanField(_("合格"), default=True)
    gauge = models.CharField(_("压力表"), max_length=8, choices=Gauge.choices, blank=True)
    pressure = models.DecimalField(
        _("末端压力(MPa)"), max_digits=5, decimal_places=3, null=True, blank=True
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    photo = models.FileField(_("照片"), upload_to="fire/checks/%Y/%m/", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("巡查维保记录")
        verbose_name_plural = _("巡查维保记录")
        ordering = ["-done_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extinguisher__isnull=False, sprinkler__isnull=True)
                | models.Q(extinguisher__isnull=True, sprinkler__isnull=False),
                name="fire_record_one_target",
            )
        ]
        indexes = [models.Index(fields=["committee", "done_on"], name="fire_record_committee")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.done_on}"


class PlanState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已下发")


class WorkPlan(models.Model):
    """分批送修更换计划: a saved batch plan, issued to a maintenance partner and tracked.

    Issuing gives the partner reach over the plan's extinguishers (it sees them and records
    on them as on its assigned units); an item is done when a maintenance or replacement
    record of its extinguisher is saved on or after the plan was issued.
    """

    name = models.CharField(_("计划名称"), max_length=80)
    # Declared here, not inherited from CommitteeLinked: it follows ``name`` in the table.
    committee = models.ForeignKey(
        Committee, verbose_name=_("居委"), on_delete=models.CASCADE, related_name="+"
    )
    within_days = models.PositiveSmallIntegerField(
        _("到期范围（天）"), default=30, validators=[MaxValueValidator(365)]
    )
    state = models.CharField(
        _("状态"), max_length=8, choices=PlanState.choices, default=PlanState.DRAFT
    )
    partner = models.ForeignKey(
        Organisation,
        verbose_name=_("维保单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编制人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("编制时间"), auto_now_add=True)
    issued_at = models.DateTimeField(_("下发时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("分批送修更换计划")
        verbose_name_plural = _("分批送修更换计划")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "state"], name="fire_plan_partner"),
            models.Index(fields=["committee", "created_at"], name="fire_plan_committee"),
        ]

    def __str__(self) -> str:
        return self.name


class WorkPlanItem(models.Model):
    """One extinguisher of a saved plan: its batch, what is due and by when, and when done."""

    plan = models.ForeignKey(
        WorkPlan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="items"
    )
    extinguisher = models.ForeignKey(
        Extinguisher, verbose_name=_("灭火器"), on_delete=models.CASCADE, related_name="plan_items"
    )
    site = models.CharField(_("场所"), max_length=120)
    batch = models.PositiveSmallIntegerField(_("批次"))
    kind = models.CharField(_("事项"), max_length=8, choices=DueKind.choices)
    due_on = models.DateField(_("到期日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    record = models.ForeignKey(
        CheckRecord,
        verbose_name=_("完成记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("计划条目")
        verbose_name_plural = _("计划条目")
        ordering = ["plan_id", "batch", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "extinguisher"], name="fire_plan_item_unique")
        ]
        indexes = [
            models.Index(fields=["extinguisher", "done_on"], name="fire_plan_item_open"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.extinguisher_id}"
