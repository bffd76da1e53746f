"""The inspector's decisions on registry facts (the risk ↔ fire link lives in this top layer)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.risk.models import Finding, Sample


class FactDecision(models.Model):
    """One registry fact accepted (it became ``finding``) or dismissed for one sample.

    ``key`` identifies the fact by sub-unit and evidence, so a fact with new evidence (more
    overdue extinguishers, say) is a new suggestion while a decided one is not offered again.
    """

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("已采纳")
        DISMISSED = "dismissed", _("已忽略")

    sample = models.ForeignKey(
        Sample, verbose_name=_("样本"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("事实标识"), max_length=40)
    subunit = models.CharField(_("子单元"), max_length=10)
    description = models.CharField(_("事实描述"), max_length=300)
    evidence = models.JSONField(_("证据"), default=list)
    decision = models.CharField(_("决定"), max_length=10, choices=Decision.choices)
    finding = models.ForeignKey(
        Finding,
        verbose_name=_("问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("登记册事实决定")
        verbose_name_plural = _("登记册事实决定")
        ordering = ["sample_id", "subunit", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "key"], name="dashboard_fact_once"),
        ]

    def __str__(self) -> str:
        return f"{self.sample_id} {self.subunit} {self.decision}"
