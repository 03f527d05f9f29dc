"""Alerts of the supervision "before, during, after" and the anomalies of the three-asset
ledgers (县级监控、镇乡监管). A periodic scan raises each alert once per (kind, object,
period) and clears it when the cause is gone; the dashboards read them by place."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    STAGE_OVERDUE = "stage_overdue", _("项目阶段超时")
    STAGE_UNPUBLISHED = "stage_unpublished", _("项目阶段未公开")
    NEAR_BUDGET = "near_budget", _("拨付接近或达到预算")
    RECTIFICATION = "rectification", _("群众评议不满意，待整改")
    NO_VOUCHER = "no_voucher", _("支出无原始凭证")
    CASH_ABOVE_FLOAT = "cash_above_float", _("库存现金超过备用金限额")
    LARGE_WITHOUT_DECISION = "large_without_decision", _("大额支出无村民（代表）会议决议")
    STATEMENT_LATE = "statement_late", _("月度财务未按时公开")


class Alert(models.Model):
    kind = models.CharField(_("类型"), max_length=32, choices=AlertKind.choices)
    # What it is about: a project, a collective (and the entry or month in question).
    project = models.ForeignKey(
        "funds.FundProject",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
        verbose_name=_("项目"),
    )
    collective = models.ForeignKey(
        "funds.Collective",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
        verbose_name=_("集体经济组织"),
    )
    entry = models.ForeignKey(
        "funds.LedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记账凭证"),
    )
    region = models.ForeignKey(
        "portal.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）")
    )
    # What makes it one alert: e.g. "project:12:approved", "collective:3:2026-10".
    key = models.CharField(max_length=100, unique=True)
    detail = models.CharField(_("说明"), max_length=300)
    raised_at = models.DateTimeField(_("发现时间"))
    cleared_at = models.DateTimeField(_("消除时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("处理人"),
    )
    handling_note = models.CharField(_("处理情况"), max_length=300, blank=True)
    # When the last note was written; earlier notes are in the audit trail.
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("监管预警")
        verbose_name_plural = _("监管预警")
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["region", "-raised_at"], name="alert_region_raised"),
            models.Index(
                fields=["region"],
                condition=models.Q(cleared_at__isnull=True),
                name="alert_open_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.detail}"
