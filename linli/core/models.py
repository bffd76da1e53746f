"""Shared kernel models: users with a role and a scope, and the append-only audit log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import SideChannelDevice, ThrottlingMixin

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
    Role.DISTRICT_SAFETY: _("区应急管理局/安全办"),
    Role.DISTRICT_CIVIL: _("区民政局"),
    Role.DISTRICT_HOUSING: _("区房管局"),
    Role.CITY_VIEWER: _("市级查看"),
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


class User(AbstractUser):  # type: ignore[django-manager-missing]
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
    # The place the account works for, at its role's reach level (``roles.REACH``): a street
    # for street roles, a district for district offices, the city for city readers.
    subdistrict = models.ForeignKey(
        "geo.Subdistrict",
        verbose_name=_("所属街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    district = models.ForeignKey(
        "geo.District",
        verbose_name=_("所属区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    city = models.ForeignKey(
        "geo.City",
        verbose_name=_("所属市"),
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
    # Password rules (accountrules): when the password was last set, and why it must be changed
    # at the next log-in ("first_login": created by an administrator; "reset": reset by one).
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    password_change_reason = models.CharField(
        _("须修改密码"),
        max_length=20,
        blank=True,
        choices=[("first_login", _("首次登录")), ("reset", _("管理员重置"))],
    )

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


class PasswordHistory(models.Model):
    """The hashes of an account's recent passwords, so none of the last few is used again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)  # a hash, as User.password
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"password of {self.user_id} at {self.created_at:%Y-%m-%d}"


class UserSession(models.Model):
    """One signed-in session of an account: listed on "my sessions" and revocable there."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(_("登录时间"))
    last_seen_at = models.DateTimeField(_("最近活动"))
    address = models.CharField(_("地址"), max_length=64, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"session of {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"


class SmsDevice(ThrottlingMixin, SideChannelDevice):  # type: ignore[misc]
    """A second factor by SMS: a six-digit code sent through the notice channel. The phone
    number is kept encrypted (and masked for display), like residents' numbers."""

    phone_cipher = models.TextField()
    phone_masked = models.CharField(_("手机号"), max_length=20)

    class Meta:
        verbose_name = _("短信验证设备")
        verbose_name_plural = _("短信验证设备")

    def get_throttle_factor(self) -> int:
        return 1


class SecurityPolicy(models.Model):
    """The street's stored security choices (one row), edited by the street admin in the
    Django admin: which roles besides the administrators log in with a second factor."""

    two_factor_roles = models.JSONField(
        _("须双因素登录的角色"), default=list, blank=True,
        help_text=_("管理员角色始终需要双因素登录；此处可为其他角色开启。"),
    )  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("安全策略")
        verbose_name_plural = _("安全策略")

    def __str__(self) -> str:
        return str(_("安全策略"))


class CalendarDay(models.Model):
    """A day off beyond weekends, or a weekend working day (调休), for every deadline of Linli.

    Seeded from the ``chinesecalendar`` package (the State Council's holiday notices since
    2004; ``source = package``) and overridden day by day by the street (``source = street``),
    whose entries a later sync leaves alone. Days not stored are plain weekdays or weekends.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("节假日")
        WORKDAY = "workday", _("调休上班")

    class Source(models.TextChoices):
        PACKAGE = "package", _("国务院通知")
        STREET = "street", _("街道调整")

    day = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=60, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)

    class Meta:
        ordering = ["day"]
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"


class CalendarVersion(models.Model):
    """One row (id 1) whose ``n`` changes whenever a calendar day is stored or removed.

    Processes cache the calendar with the ``n`` they read; the hall kiosk's numbering statement
    checks it in the same statement, so a change made in any process is seen at once.
    """

    n = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.n)
