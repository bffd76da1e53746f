"""Notices (one per recipient and channel) and residents' opt-outs from SMS."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .catalogue import EMAIL, INBOX, KINDS, SMS


class Channel(models.TextChoices):
    INBOX = INBOX, _("站内通知")
    EMAIL = EMAIL, _("电子邮件")
    SMS = SMS, _("短信")


class State(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SUPPRESSED = "suppressed", _("未发送（居民已退订）")


class Notice(models.Model):
    """One notice to one recipient on one channel, with its whole delivery history.

    The recipient is a user (inbox; e-mail to a user) or an address kept encrypted with a
    masked form for screens and a keyed hash for the idempotency constraint and opt-outs.
    """

    # Not a choices field: a new kind in the catalogue needs no migration.
    kind = models.CharField(_("类型"), max_length=60, db_index=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    address_cipher = models.TextField(blank=True)
    address_masked = models.CharField(_("接收地址"), max_length=120, blank=True)
    recipient_hash = models.CharField(max_length=64)
    key = models.CharField(_("幂等键"), max_length=200)
    params = models.JSONField(_("参数"), default=dict)
    text = models.TextField(_("内容"))
    template = models.CharField(_("短信模板"), max_length=60, blank=True)
    segments = models.PositiveSmallIntegerField(_("短信条数"), default=0)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    not_before = models.DateTimeField(_("免打扰顺延至"), null=True, blank=True)
    provider_id = models.CharField(_("服务商请求编号"), max_length=100, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "channel", "recipient_hash"], name="notices_once_per_recipient"
            ),
            models.CheckConstraint(
                condition=~Q(channel=INBOX) | Q(user__isnull=False), name="notices_inbox_has_user"
            ),
            models.CheckConstraint(
                condition=Q(channel=INBOX) | ~Q(address_cipher=""),
                name="notices_address_for_sending",
            ),
        ]
        indexes = [
            # The bell: unread inbox notices of one user.
            models.Index(fields=["user", "channel", "read_at"], name="notices_inbox"),
            # flush_due: queued notices whose time has come.
            models.Index(fields=["state", "next_attempt_at"], name="notices_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_label}"

    @property
    def recipient_label(self) -> str:
        """Who it went to, as screens may show it: a user's name or a masked address."""
        if self.channel == INBOX and self.user_id is not None:
            return str(self.user)
        return self.address_masked

    @property
    def url(self) -> str:
        link = self.params.get("url", "") if isinstance(self.params, dict) else ""
        return str(link)

    @property
    def title(self) -> str:
        found = KINDS.get(self.kind)
        return found.render_title() if found else self.kind

    @property
    def display_text(self) -> str:
        """The text in the reader's language (the stored text is what was sent)."""
        found = KINDS.get(self.kind)
        if found is None:
            return self.text
        try:
            return found.render(self.params)
        except (KeyError, TypeError, ValueError):
            return self.text


class OptOut(models.Model):
    """A resident asked to receive no SMS: kept by the phone's keyed hash only."""

    phone_hash = models.CharField(max_length=64, unique=True)
    phone_masked = models.CharField(_("手机号"), max_length=20)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("短信退订")
        verbose_name_plural = _("短信退订")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return self.phone_masked
