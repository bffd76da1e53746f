"""Lift-retrofit projects, owner rolls, votes and ballots, mediation, upkeep, guidance.

Totals are never stored: every tally is computed from the current ballots through
``rules.tally``. Foreign keys to places cascade so the demo street can be rebuilt; in
production places are never deleted while a project refers to them (geo services refuse).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from linli.geo.labels import join_place
from linli.geo.models import Building, Committee, Entrance, Household

from .stages import DOCUMENT_LABELS, STAGE_LABELS, Stage

# The labels are marked in the pure stages module and translated here, when shown.
STAGE_CHOICES = [(int(s), format_lazy("{} {}", int(s), _(STAGE_LABELS[s]))) for s in Stage]
DOCUMENT_CHOICES = [
    *((k, _(v)) for k, v in sorted(DOCUMENT_LABELS.items())),
    ("other", _("其他材料")),
]


class Project(models.Model):
    """One lift: a building, or one stairwell (门牌) of it."""

    committee = models.ForeignKey(
        Committee, verbose_name=_("居委"), on_delete=models.CASCADE, related_name="+"
    )
    building = models.ForeignKey(
        Building, verbose_name=_("楼栋"), on_delete=models.CASCADE, related_name="+"
    )
    entrance = models.ForeignKey(
        Entrance,
        verbose_name=_("门牌（单元）"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    name = models.CharField(_("项目名称"), max_length=100)
    stage = models.PositiveSmallIntegerField(_("阶段"), choices=STAGE_CHOICES, default=0)
    applicant_group = models.TextField(_("申请人（三人小组）"), blank=True)
    party_branch = models.CharField(_("临时党支部"), max_length=100, blank=True)
    uses_shared_ground = models.BooleanField(_("占用小区共有部分"), default=False)
    lift_position = models.CharField(
        _("加装位置"), max_length=200, blank=True, help_text=_("如：北侧楼梯间外，紧贴外墙")
    )
    stops = models.CharField(
        _("停靠方式"), max_length=200, blank=True, help_text=_("如：平层入户，停靠 1–6 层")
    )
    # The cost-sharing plan published to the owners: the cost calculator's settings as text
    # (views.COST_FIELDS); each owner's share is computed from it when the owner page is shown.
    cost_plan = models.JSONField(_("公示的费用分摊方案"), default=dict, blank=True, editable=False)
    cost_plan_published = models.DateTimeField(null=True, blank=True, editable=False)
    works_cost_fen = models.BigIntegerField(_("工程造价（分）"), null=True, blank=True)
    planning_notice_start = models.DateField(_("规划公示开始"), null=True, blank=True)
    entered_service = models.DateField(_("投入使用"), null=True, blank=True)
    use_registered = models.DateField(_("使用登记日期"), null=True, blank=True)
    last_inspection = models.DateField(_("上次定期检验"), null=True, blank=True)
    inspection_due = models.DateField(_("下次检验到期"), null=True, blank=True)
    inspection_requested = models.DateField(_("已申请检验"), null=True, blank=True)
    use_management_unit = models.CharField(_("使用管理单位"), max_length=100, blank=True)
    maintenance_company = models.CharField(_("维保单位"), max_length=100, blank=True)
    maintenance_contract_until = models.DateField(_("维保合同到期"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("加梯项目")
        verbose_name_plural = _("加梯项目")
        ordering = ["committee_id", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(stage__lte=11), name="elevator_stage_range")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stage_enum(self) -> Stage:
        return Stage(self.stage)

    @property
    def place(self) -> str:
        """Estate, building and door without repeating a number (a garden house's door is the
        house itself: "34号", not "34号 34号"). Needs building__estate and entrance loaded."""
        return join_place(
            self.building.estate.name,
            self.building.name,
            self.entrance.number if self.entrance is not None else "",
        )


class Member(models.Model):
    """A working-group member (工作组), possibly also in the temporary party branch."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("身份"), max_length=50)  # 业主代表、居委、业委会、物业、党员…
    party_branch = models.BooleanField(_("临时党支部成员"), default=False)

    class Meta:
        ordering = ["project_id", "id"]

    def __str__(self) -> str:
        return self.name


class StageChange(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.PositiveSmallIntegerField(choices=STAGE_CHOICES)
    to_stage = models.PositiveSmallIntegerField(choices=STAGE_CHOICES)
    on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["project_id", "on", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage} ({self.on})"


class Document(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    stage = models.PositiveSmallIntegerField(_("阶段"), choices=STAGE_CHOICES)
    kind = models.CharField(_("材料"), max_length=40, choices=DOCUMENT_CHOICES)
    title = models.CharField(_("标题"), max_length=100, blank=True)
    file = models.FileField(_("文件"), upload_to="elevator/%Y/%m/", blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["project_id", "stage", "kind", "id"]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class Owner(models.Model):
    """一名业主 of one project's roll: several units, one vote; developer units are one owner.

    ``code_hash`` is the keyed hash of the personal code printed on the consultation notice;
    ``id_tail_hash`` the keyed hash of the last four characters of the ID number (the second
    check). Neither can be reversed; failed attempts lock the code for a while.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="owners")
    name = models.CharField(_("业主"), max_length=50)
    id_hash = models.CharField(max_length=64, blank=True, editable=False)
    id_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=11, blank=True, editable=False)
    # The resident register's encrypted phone, copied with the roll: for the vote notice SMS.
    phone_cipher = models.TextField(blank=True, editable=False)
    developer = models.BooleanField(_("开发商未售房屋"), default=False)
    code_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001
    id_tail_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Wrong ID tails lock a code per address in the cache (services.do_log_in_owner), never here.

    class Meta:
        verbose_name = _("业主")
        verbose_name_plural = _("业主")
        ordering = ["project_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(developer=True),
                name="elevator_one_developer_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name


class OwnedUnit(models.Model):
    """One exclusive unit on a project's roll; ``in_building`` = in the lift's own scope."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="units")
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="units")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    area = models.DecimalField(_("专有面积(㎡)"), max_digits=8, decimal_places=2)
    floor = models.SmallIntegerField(_("楼层"))
    building_label = models.CharField(_("楼栋"), max_length=80)
    high_rise = models.BooleanField(_("高层"), default=False)
    in_building = models.BooleanField(_("本幢（本单元）"), default=False)

    class Meta:
        ordering = ["project_id", "building_label", "floor", "household_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "household"], name="elevator_unit_once_per_roll"
            ),
            models.CheckConstraint(condition=models.Q(area__gt=0), name="elevator_unit_area_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.building_label} {self.floor}层"


class Scope(models.TextChoices):
    BUILDING = "building", _("本幢（本单元）")
    ESTATE = "estate", _("建筑区划（小区）")


class Vote(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="votes")
    scope = models.CharField(_("表决范围"), max_length=10, choices=Scope.choices)
    rule = models.CharField(_("表决规则"), max_length=60)
    title = models.CharField(_("事项"), max_length=100)
    opens = models.DateField(_("开始"))
    closes = models.DateField(_("截止"), null=True, blank=True)
    open = models.BooleanField(_("进行中"), default=True)

    class Meta:
        verbose_name = _("表决")
        verbose_name_plural = _("表决")
        ordering = ["project_id", "scope", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "scope"], name="elevator_one_vote_per_scope")
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_scope_display()}"


class Choice(models.TextChoices):
    AGREE = "agree", _("同意")
    AGAINST = "against", _("反对")
    ABSTAIN = "abstain", _("弃权")


class Channel(models.TextChoices):
    PAPER = "paper", _("纸质票（工作人员录入）")
    ONLINE = "online", _("业主在线")
    DOOR = "door", _("上门")
    ASSISTED = "assisted", _("工作人员协助")
    PROXY = "proxy", _("委托代理")


class Ballot(models.Model):
    """One response of one owner in one vote. Changes add a ballot; the old one stays."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="ballots")
    choice = models.CharField(_("意见"), max_length=10, choices=Choice.choices)
    channel = models.CharField(_("方式"), max_length=10, choices=Channel.choices)
    proxy_note = models.CharField(_("委托说明"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cast = models.DateTimeField(_("时间"))
    current = models.BooleanField(default=True)
    confirmed = models.DateTimeField(_("业主确认"), null=True, blank=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )

    class Meta:
        ordering = ["vote_id", "owner_id", "cast", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "owner"],
                condition=models.Q(current=True),
                name="elevator_one_current_ballot",
            ),
            models.CheckConstraint(
                condition=~models.Q(channel="proxy") | ~models.Q(proxy_note=""),
                name="elevator_proxy_needs_note",
            ),
        ]

    def __str__(self) -> str:
        return f"表决票 {self.pk}"


class Objection(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("调解中")
        AGREED = "agreed", _("达成一致")
        CLOSED = "closed", _("未达成一致，已结束")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="objections")
    objector = models.ForeignKey(
        Owner,
        verbose_name=_("提出人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    objector_label = models.CharField(_("提出人（非本名册）"), max_length=50, blank=True)
    raised = models.DateField(_("提出日期"))
    reason = models.TextField(_("理由"))
    mediators = models.ManyToManyField(
        Owner, verbose_name=_("老娘舅（三人调解小组）"), blank=True, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="open")
    agreement = models.TextField(_("调解协议"), blank=True)

    class Meta:
        ordering = ["project_id", "-raised", "id"]

    def __str__(self) -> str:
        return f"异议 {self.pk}"


class MediationSession(models.Model):
    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="sessions")
    on = models.DateField(_("日期"))
    notes = models.TextField(_("记录"))

    class Meta:
        ordering = ["objection_id", "on", "id"]

    def __str__(self) -> str:
        return f"调解 {self.on}"


class RoundTable(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="round_tables")
    on = models.DateField(_("日期"))
    agenda = models.TextField(_("议程"))
    attendance = models.TextField(_("出席"), help_text=_("每行一位：姓名或单位"))
    minutes = models.TextField(_("纪要"), blank=True)

    class Meta:
        ordering = ["project_id", "-on", "id"]

    def __str__(self) -> str:
        return f"圆桌会议 {self.on}"


class MaintenanceRecord(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="maintenance")
    on = models.DateField(_("保养日期"))
    by = models.CharField(_("维保人员"), max_length=50)
    notes = models.CharField(_("内容"), max_length=200, blank=True)

    class Meta:
        ordering = ["project_id", "-on", "id"]

    def __str__(self) -> str:
        return f"维保 {self.on}"


class Consultation(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("电话")
        VISIT = "visit", _("来访")
        ONLINE = "online", _("网上")

    committee = models.ForeignKey(
        Committee,
        verbose_name=_("居委"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The street the question was put to: a question without a committee is the street's own
    # (set from the committee, else from the street of whoever logs it), never every street's.
    subdistrict = models.ForeignKey(
        "geo.Subdistrict",
        verbose_name=_("街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultations",
    )
    at = models.DateTimeField(_("时间"))
    channel = models.CharField(_("方式"), max_length=10, choices=Channel.choices)
    asker = models.CharField(_("咨询人"), max_length=50)
    question = models.TextField(_("问题"))
    answer = models.TextField(_("答复"), blank=True)
    follow_up = models.DateField(_("回访日期"), null=True, blank=True)
    done = models.BooleanField(_("已办结"), default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "id"]

    def __str__(self) -> str:
        return f"咨询 {self.pk}"
