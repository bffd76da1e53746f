"""Shared kernel models: users with a role and a scope, and the append-only audit log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Department, Role

ROLE_LABELS = {
    Role.STREET_ADMIN: _("街道管理员"),
    Role.STREET_STAFF: _("街道工作人员"),
    Role.COMMITTEE_STAFF: _("居委工作人员"),
    Role.INSPECTOR: _("检查员"),
    Role.WINDOW_CLERK: _("窗口受理员"),
    Role.BACKOFFICE_CLERK: _("中台人员"),
    Role.PARTNER: _("合作单位"),
    Role.AUDITOR: _("审计员"),
    Role.SYSTEM_ADMIN: _("系统管理员"),
    Role.SECURITY_ADMIN: _("安全管理员"),
}
DEPARTMENT_LABELS = {
    Department.SAFETY: _("平安办"),
    Department.SERVICE_CENTRE: _("受理中心"),
    Department.PARTY_MASS: _("党群办"),
    Department.HOUSING: _("房管办"),
    Department.SELF_GOVERNANCE: _("自治办"),
}


class Organisation(models.Model):
    """A partner body: school, cultural unit, property company, contractor, assessor."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("学校")
        CULTURAL = "cultural", _("文化单位")
        PROPERTY = "property", _("物业公司")
        CONTRACTOR = "contractor", _("施工/维保单位")
        ASSESSOR = "assessor", _("第三方评估机构")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("合作单位")
        verbose_name_plural = _("合作单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff or partner account. Residents are not users: they are served without accounts."""

    role = models.CharField(
        _("角色"), max_length=20, choices=[(r.value, ROLE_LABELS[r]) for r in Role], blank=True
    )
    department = models.CharField(
        _("部门"),
        max_length=20,
        choices=[(d.value, DEPARTMENT_LABELS[d]) for d in Department],
        blank=True,
    )
    # A string reference keeps core free of imports from geo (layer rule); the scope of
    # committee staff is one committee.
    committee = models.ForeignKey(
        "geo.Committee",
        verbose_name=_("所属居委"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="committee_staff") | models.Q(committee__isnull=False),
                name="committee_staff_has_committee",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username


class AuditHead(models.Model):
    """One row holding the chain's tip; updating it first serialises appends on every database."""

    seq = models.BigIntegerField(default=0)
    digest = models.CharField(max_length=64, default="0" * 64)
    # The digest the chain's tip was made with ("sha256" or "sm3"): a suite change is recorded
    # in the chain itself (``audit.SUITE_ACTION``) before the first record under the new one.
    alg = models.CharField(max_length=10, default="sha256")

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class AuditRecord(models.Model):
    """One audited event. Append-only: database triggers refuse UPDATE and DELETE."""

    class Outcome(models.TextChoices):
        OK = "ok", _("成功")
        DENIED = "denied", _("拒绝")
        FAILED = "failed", _("失败")

    seq = models.BigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150)
    action = models.CharField(_("动作"), max_length=60, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    terminal = models.CharField(_("终端"), max_length=100, blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    prev_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"
