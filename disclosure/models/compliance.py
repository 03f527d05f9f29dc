"""Completeness and timeliness (公开及时率), precomputed for the supervisors' dashboards.

These tables are derived: disclosure.compliance.compliance_refresh rebuilds them from the
published records, so a row here is never edited by hand and may be recomputed at any
time. ReminderSent is the exception: it is the claim that a reminder went out.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodOutcome(models.TextChoices):
    ON_TIME = "on_time", _("按时公开")
    LATE = "late", _("逾期公开")
    MISSING = "missing", _("逾期未公开")
    PENDING = "pending", _("未到期")


class UnitCompliance(models.Model):
    """One unit's counts and score as of the last refresh (see disclosure.compliance)."""

    unit = models.OneToOneField(
        "portal.Unit",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="compliance",
        verbose_name=_("公开主体"),
    )
    # A copy of the unit's place: "every unit inside 新津区" is a range on this column,
    # served by the compliance_lagging index, which starts with it.
    region_code = models.CharField(_("所在区划"), max_length=12)
    as_of = models.DateField(_("统计日期"))
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)
    on_time = models.PositiveIntegerField(_("按时公开"), default=0)
    late = models.PositiveIntegerField(_("逾期公开"), default=0)
    missing = models.PositiveIntegerField(_("逾期未公开"), default=0)
    pending = models.PositiveIntegerField(_("未到期"), default=0)
    score = models.DecimalField(
        _("公开及时率（%）"), max_digits=4, decimal_places=1, null=True, blank=True
    )

    class Meta:
        verbose_name = _("公开及时率")
        verbose_name_plural = _("公开及时率")
        ordering = ["region_code", "unit_id"]
        indexes = [
            models.Index(fields=["region_code", "score", "-missing"], name="compliance_lagging"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__range=(0, 100)),
                name="compliance_score_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.score}"

    @property
    def counted(self) -> int:
        return self.on_time + self.late + self.missing


class PeriodStatus(models.Model):
    """One period (month, quarter, year) of one periodic catalog item of one unit."""

    # About a million rows for a city, rewritten every night: only the indexes that
    # reads need. The unique (unit, item, period_start) index serves every unit lookup;
    # catalog items are never deleted (records protect them), so item_id has none.
    unit = models.ForeignKey(
        "portal.Unit",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("公开主体"),
        db_index=False,
    )
    item = models.ForeignKey(
        "disclosure.CatalogItem",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("目录事项"),
        db_index=False,
    )
    region_code = models.CharField(_("所在区划"), max_length=12)
    period_start = models.DateField(_("所属期间起"))
    period_end = models.DateField(_("所属期间止"))
    deadline = models.DateField(_("公开期限"))
    # The deadline was counted in a year whose holiday schedule is not loaded yet.
    deadline_provisional = models.BooleanField(_("期限暂定"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=PeriodOutcome.choices)
    record = models.ForeignKey(
        "disclosure.Record",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("公开信息"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("定期公开期间")
        verbose_name_plural = _("定期公开期间")
        ordering = ["unit", "deadline", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "item", "period_start"], name="period_status_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.item_id} · {self.period_start}"


class LateRecord(models.Model):
    """A record of an on-change or immediate item published after its time limit."""

    record = models.OneToOneField(
        "disclosure.Record",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("公开信息"),
    )
    unit = models.ForeignKey(
        "portal.Unit",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("公开主体"),
        db_index=False,  # served by the (unit, deadline) index
    )
    item = models.ForeignKey(
        "disclosure.CatalogItem",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("目录事项"),
    )
    info_date = models.DateField(_("信息形成日期"))
    deadline = models.DateField(_("公开期限"))
    deadline_provisional = models.BooleanField(_("期限暂定"), default=False)
    published_at = models.DateTimeField(_("发布时间"))

    class Meta:
        verbose_name = _("逾期公开的信息")
        verbose_name_plural = _("逾期公开的信息")
        ordering = ["unit", "deadline"]
        indexes = [models.Index(fields=["unit", "deadline"], name="late_record_unit")]

    def __str__(self) -> str:
        return str(self.record_id)


class ReminderSent(models.Model):
    """The claim that a unit was reminded of one period of one item: at most once."""

    unit = models.ForeignKey(
        "portal.Unit",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("公开主体"),
        db_index=False,  # served by the unique (unit, item, period_start) index
    )
    item = models.ForeignKey(
        "disclosure.CatalogItem",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("目录事项"),
    )
    period_start = models.DateField(_("所属期间起"))
    deadline = models.DateField(_("公开期限"))
    sent_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("到期提醒")
        verbose_name_plural = _("到期提醒")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "item", "period_start"], name="reminder_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.item_id} · {self.period_start}"
