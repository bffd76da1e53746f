"""Safety risk assessment (三色预警): method versions, rounds, samples, checks, findings,
stored scores and hazard cases.

The arithmetic lives in ``rules.py`` (pure); ``services.do_rescore`` is the one writer of
``Score`` rows, so pages read stored numbers. Foreign keys to places cascade: the demo street
is rebuilt by deleting places, and an assessment of a place that no longer exists has no use.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import Organisation
from linli.geo.models import Building, Committee, Subdistrict

GRADES = [("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")]


class MethodVersion(models.Model):
    """A method version (``linli-2026`` …) as data; results keep the version they used."""

    version = models.SlugField(_("版本"), max_length=40, unique=True)
    title = models.CharField(_("名称"), max_length=120)
    data = models.JSONField(_("方法数据"))
    based_on = models.ForeignKey(
        "self", verbose_name=_("基于"), null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评估方法版本")
        verbose_name_plural = _("评估方法版本")
        ordering = ["version"]

    def __str__(self) -> str:
        return self.version


class Round(models.Model):
    """评估轮次, e.g. 2026 年度.

    Each street's safety office runs its own rounds, and every street names its yearly round
    alike, so the name is unique within a street. ``subdistrict`` is that street: the one
    street of the round's committees, set when the round is made (its committees never change
    afterwards). A round over committees of several streets (a district's) has none, and its
    name is unique among such rounds.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("待抽样")
        DRAWN = "drawn", _("检查中")
        FINISHED = "finished", _("已完成")

    name = models.CharField(_("轮次"), max_length=60)
    subdistrict = models.ForeignKey(
        Subdistrict, verbose_name=_("街道"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    method = models.ForeignKey(
        MethodVersion, verbose_name=_("方法版本"), on_delete=models.PROTECT, related_name="rounds"
    )
    committees = models.ManyToManyField(Committee, verbose_name=_("覆盖居委"), related_name="+")
    samples_per_committee = models.PositiveSmallIntegerField(
        _("每居委样本数"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    seed = models.CharField(_("抽样种子"), max_length=64)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    assessor = models.CharField(_("评估机构"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    drawn_at = models.DateTimeField(_("抽样时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评估轮次")
        verbose_name_plural = _("评估轮次")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subdistrict", "name"], name="risk_round_name_per_street"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(subdistrict__isnull=True),
                name="risk_round_name_across_streets",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Sample(models.Model):
    """One drawn building or lane group of a committee in a round."""

    class State(models.TextChoices):
        DRAFT = "draft", _("填写中")
        SUBMITTED = "submitted", _("已提交")

    round = models.ForeignKey(
        Round, verbose_name=_("轮次"), on_delete=models.CASCADE, related_name="samples"
    )
    committee = models.ForeignKey(
        Committee, verbose_name=_("居委"), on_delete=models.CASCADE, related_name="+"
    )
    building = models.ForeignKey(
        Building, verbose_name=_("样本楼栋"), on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(_("样本号"), max_length=10)  # S1, S2, S3
    stratum = models.CharField(_("层(房屋类型)"), max_length=20)
    draw_record = models.JSONField(_("抽样记录"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    inspected_on = models.DateField(_("检查日期"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("样本")
        verbose_name_plural = _("样本")
        ordering = ["round_id", "committee_id", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "committee", "label"], name="risk_sample_label"
            ),
            models.UniqueConstraint(fields=["round", "building"], name="risk_sample_building"),
        ]
        indexes = [models.Index(fields=["inspector", "state"])]

    def __str__(self) -> str:
        return f"{self.label} {self.building}"

    @property
    def locked(self) -> bool:
        return self.state == self.State.SUBMITTED


class Check(models.Model):
    """One sub-unit of one sample: not yet checked, clean, NA, or with findings."""

    class Status(models.TextChoices):
        OPEN = "open", _("未检查")
        CLEAN = "clean", _("无问题")
        NA = "na", _("不适用")
        FINDINGS = "findings", _("有问题")

    sample = models.ForeignKey(
        Sample, verbose_name=_("样本"), on_delete=models.CASCADE, related_name="checks"
    )
    code = models.CharField(_("子单元"), max_length=10)
    status = models.CharField(_("结果"), max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("子单元检查")
        verbose_name_plural = _("子单元检查")
        ordering = ["sample_id", "code"]
        constraints = [models.UniqueConstraint(fields=["sample", "code"], name="risk_check_unique")]
        # The not-applicable sub-units, which ``do_rescore_round`` reads for a whole round: a
        # small partial index (~5 % of the checks) instead of a scan of every check.
        indexes = [
            models.Index(fields=["sample", "code"], condition=Q(status="na"), name="risk_check_na")
        ]

    def __str__(self) -> str:
        return f"{self.sample} {self.code}"


class Finding(models.Model):
    """A problem found in a sub-unit: L × S = R, graded by the method."""

    check_item = models.ForeignKey(
        Check, verbose_name=_("子单元检查"), on_delete=models.CASCADE, related_name="findings"
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    likelihood = models.PositiveSmallIntegerField(
        _("可能性 L"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    severity = models.PositiveSmallIntegerField(
        _("严重性 S"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    severity_reason = models.CharField(_("严重性上调理由"), max_length=30, blank=True)
    description = models.CharField(_("问题描述"), max_length=300)
    location = models.CharField(_("位置"), max_length=100, blank=True)
    rule_breached = models.CharField(_("违反条款"), max_length=150, blank=True)
    major_fire_hazard = models.BooleanField(_("重大火灾隐患要素"), default=False)
    grade = models.CharField(_("隐患等级"), max_length=1, choices=GRADES)

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["check_item_id", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5), name="risk_finding_l"
            ),
            models.CheckConstraint(
                condition=Q(severity__gte=1, severity__lte=5), name="risk_finding_s"
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def R(self) -> int:  # noqa: N802 (the method's R = L × S)
        return self.likelihood * self.severity


class Photo(models.Model):
    """A photo of a finding, or evidence of rectification for a hazard case."""

    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    case = models.ForeignKey(
        "HazardCase", null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("照片"), upload_to="risk/%Y/%m/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finding__isnull=False) | Q(case__isnull=False), name="risk_photo_owner"
            )
        ]

    def __str__(self) -> str:
        return str(self.image.name)


class Score(models.Model):
    """A stored result: committee (sample null) or sample; whole (unit '') or one unit."""

    # No separate indexes on round and sample: the index (round, unit, committee) and the unique
    # (sample, unit) cover them, and every index is maintained for ~200,000 rows per city round.
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="scores", db_index=False
    )
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+")
    sample = models.ForeignKey(
        Sample,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scores",
        db_index=False,
    )
    unit = models.CharField(_("单元"), max_length=10, blank=True)
    value = models.DecimalField(_("风险值"), max_digits=6, decimal_places=2)
    grade = models.CharField(_("风险等级"), max_length=1, choices=GRADES)
    band_grade = models.CharField(max_length=1, choices=GRADES)

    class Meta:
        verbose_name = _("评分结果")
        verbose_name_plural = _("评分结果")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "committee", "unit"],
                condition=Q(sample__isnull=True),
                name="risk_score_committee",
            ),
            models.UniqueConstraint(
                fields=["sample", "unit"],
                condition=Q(sample__isnull=False),
                name="risk_score_sample",
            ),
        ]
        indexes = [models.Index(fields=["round", "unit", "committee"])]

    def __str__(self) -> str:
        return f"{self.unit or '*'} {self.value} {self.grade}"


class HazardCase(models.Model):
    """隐患整改: a finding followed to closure (rectification.py decides the transitions)."""

    class State(models.TextChoices):
        FOUND = "found", _("已发现")
        GRADED = "graded", _("已定级")
        ASSIGNED = "assigned", _("已交办")
        IN_PROGRESS = "in_progress", _("整改中")
        REINSPECTION = "reinspection_requested", _("待复查")
        CLOSED = "closed", _("已销号")
        DEFERRED = "deferred", _("长期管控")

    finding = models.OneToOneField(Finding, on_delete=models.CASCADE, related_name="case")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="cases")
    committee = models.ForeignKey(
        Committee, verbose_name=_("居委"), on_delete=models.CASCADE, related_name="+"
    )
    subunit = models.CharField(_("子单元"), max_length=10)
    grade = models.CharField(_("隐患等级"), max_length=1, choices=GRADES)
    state = models.CharField(_("状态"), max_length=30, choices=State.choices, default=State.GRADED)
    responsible = models.CharField(_("责任方"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    interim_measure = models.CharField(_("临时措施"), max_length=300, blank=True)
    plan = models.JSONField(_("整改方案(五落实)"), default=dict, blank=True)
    found_on = models.DateField(_("发现日期"))
    due_on = models.DateField(_("整改期限"), null=True, blank=True)
    reinspection_due = models.DateField(_("复查期限"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    signoffs = models.JSONField(_("签字"), default=dict, blank=True)
    interim_control = models.CharField(_("管控措施"), max_length=300, blank=True)
    review_on = models.DateField(_("复核日期"), null=True, blank=True)
    overdue_count = models.PositiveSmallIntegerField(_("逾期次数"), default=0)
    escalation = models.CharField(_("督办层级"), max_length=20, default="committee")

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        ordering = ["grade", "due_on", "pk"]
        indexes = [
            models.Index(fields=["committee", "state"]),
            models.Index(fields=["organisation", "state"]),
            models.Index(fields=["state", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.subunit}#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state != self.State.CLOSED


ACTION_LABELS = {
    "grade": _("定级"),
    "assign": _("交办"),
    "start": _("开始整改"),
    "request_reinspection": _("申请复查"),
    "approve": _("复查通过，销号"),
    "reject": _("复查不通过，退回"),
    "defer": _("转长期管控"),
    "resume": _("恢复整改"),
    "close_on_spot": _("当场整改销号"),
    "sign": _("签字确认"),
}


class CaseEvent(models.Model):
    """The history of a case: each transition with who, when and a note."""

    case = models.ForeignKey(HazardCase, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=30)
    state = models.CharField(_("新状态"), max_length=30)
    actor_name = models.CharField(_("操作人"), max_length=150)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["case_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} → {self.state}"

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def state_label(self) -> str:
        return str(dict(HazardCase.State.choices).get(self.state, self.state))


class Survey(models.Model):
    """Resident safety survey (居民安全感调查) of a round; questions copied at creation."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="survey")
    title = models.CharField(_("问卷"), max_length=80)
    questions = models.JSONField(_("题目"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("安全感调查")
        verbose_name_plural = _("安全感调查")

    def __str__(self) -> str:
        return self.title


class SurveyResponse(models.Model):
    """One resident's answers (1–5 per question), entered by staff from paper."""

    class Source(models.TextChoices):
        PAPER = "paper", _("纸质问卷录入")
        ONLINE = "online", _("线上填写")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    committee = models.ForeignKey(
        Committee, verbose_name=_("居委"), on_delete=models.CASCADE, related_name="+"
    )
    answers = models.JSONField(_("答案"))
    source = models.CharField(
        _("来源"), max_length=10, choices=Source.choices, default=Source.PAPER
    )
    entered_by = models.CharField(_("录入人"), max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The sum and number of the answers, kept from ``answers`` on save: a street's survey score
    # is summed in SQL from these (``survey.street_scores``), without reading the JSON.
    answer_total = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    answer_count = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        verbose_name = _("问卷答复")
        verbose_name_plural = _("问卷答复")
        indexes = [
            models.Index(fields=["survey", "committee"]),
            # The district comparison reads its committees' totals from the index alone
            # (PostgreSQL; SQLite ignores ``include``).
            models.Index(
                fields=["committee", "survey"],
                include=["answer_total", "answer_count"],
                name="risk_survey_committee_totals",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.committee_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.answer_total, self.answer_count = sum(self.answers), len(self.answers)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "answers" in update_fields:
            kwargs["update_fields"] = {*update_fields, "answer_total", "answer_count"}
        super().save(*args, **kwargs)


class PaperBatch(models.Model):
    """All of a round's committee white papers, rendered by a background job (with progress)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="paper_batches")
    job = models.OneToOneField(
        "jobs.Job", on_delete=models.PROTECT, related_name="paper_batch", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.round} {self.created_at:%Y-%m-%d %H:%M}"


class PaperFile(models.Model):
    batch = models.ForeignKey(PaperBatch, on_delete=models.CASCADE, related_name="files")
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+")
    pdf = models.FileField(upload_to="risk/papers/%Y/")
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["committee__code"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "committee"], name="paper_once_per_batch")
        ]

    def __str__(self) -> str:
        return str(self.pdf.name)
