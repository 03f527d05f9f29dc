"""The statutory annual report on government information disclosure (年度报告, 2021
format) of one unit for one year: the figures come from the data (disclosure.annual
computes them); officials write the narrative parts; publishing freezes the tables and
publishes the report as a disclosure record."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AnnualReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class AnnualReport(models.Model):
    unit = models.ForeignKey(
        "portal.Unit",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="annual_reports",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    # The six parts: 一 总体情况, 二–四 the tables (computed), 五 存在的主要问题及改进情况,
    # 六 其他需要报告的事项.
    overall = models.TextField(_("一、总体情况"), blank=True)
    problems = models.TextField(_("五、存在的主要问题及改进情况"), blank=True)
    other = models.TextField(_("六、其他需要报告的事项"), blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=AnnualReportStatus.choices,
        default=AnnualReportStatus.DRAFT,
    )
    # The tables as published (JSON of disclosure.annual.report_tables); empty in a draft,
    # which always shows the live figures.
    tables = models.JSONField(_("统计表"), default=dict, blank=True)
    record = models.OneToOneField(
        "disclosure.Record",
        verbose_name=_("公开信息"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="annual_report",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("政府信息公开工作年度报告")
        verbose_name_plural = _("政府信息公开工作年度报告")
        ordering = ["-year", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="annual_report_per_unit_year")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}"
