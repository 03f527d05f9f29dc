"""Village public-service and social-management special funds (村级公共服务和社会管理专项
资金): a project's lifecycle, its money, and the rules that watch it.

proposed (with the village council's decision) → approved by the township (立项) →
implementing (disbursements) → accepted (验收) → evaluated (群众评议, a participation
round) → closed by the township. The money is a database rule: `disbursed` is raised by
a conditional UPDATE and a CHECK keeps it within the budget, whatever the concurrency.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ProjectCategory(models.TextChoices):
    """The categories of Chengdu's village special funds."""

    CULTURE = "culture", _("文化体育")
    EDUCATION = "education", _("农村教育")
    HEALTH = "health", _("医疗卫生")
    GOVERNANCE = "governance", _("社会管理")
    FARMING = "farming", _("农业生产服务")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    SANITATION = "sanitation", _("环境卫生")
    OTHER = "other", _("其他")


class FundingSource(models.TextChoices):
    CITY = "city", _("市级专项资金")
    COUNTY = "county", _("区（市）县级专项资金")
    VILLAGE = "village", _("村集体自筹")
    DONATION = "donation", _("社会捐赠")
    OTHER = "other", _("其他")


# The sources that count against the village's yearly special-fund allocation.
SPECIAL_SOURCES = (FundingSource.CITY, FundingSource.COUNTY)


class Stage(models.TextChoices):
    PROPOSED = "proposed", _("议决")
    APPROVED = "approved", _("立项")
    IMPLEMENTING = "implementing", _("实施")
    ACCEPTED = "accepted", _("验收")
    EVALUATED = "evaluated", _("群众评议")
    CLOSED = "closed", _("结项")
    CANCELLED = "cancelled", _("已撤销")


STAGE_ORDER = [
    Stage.PROPOSED,
    Stage.APPROVED,
    Stage.IMPLEMENTING,
    Stage.ACCEPTED,
    Stage.EVALUATED,
    Stage.CLOSED,
]


class VillageAllocation(models.Model):
    """The special funds a village receives for a year (city and county together)."""

    region = models.ForeignKey(
        "portal.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("村（社区）"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("年度专项资金（元）"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("年度专项资金额度")
        verbose_name_plural = _("年度专项资金额度")
        ordering = ["region", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="allocation_once_a_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}"


class FundProject(models.Model):
    unit = models.ForeignKey(
        "portal.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("村（居）民委员会"),
    )
    region = models.ForeignKey(
        "portal.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("村（社区）"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("项目名称"), max_length=200)
    category = models.CharField(_("项目类别"), max_length=16, choices=ProjectCategory.choices)
    description = models.TextField(_("建设内容"), blank=True)
    budget = models.DecimalField(_("预算（元）"), max_digits=14, decimal_places=2)
    # Raised only by a conditional UPDATE (services.disbursement_record); never above budget.
    disbursed = models.DecimalField(
        _("已拨付（元）"), max_digits=14, decimal_places=2, default=0, editable=False
    )
    decision = models.ForeignKey(
        "participation.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("村民（代表）会议决议"),
        help_text=_("四议两公开形成的决议；没有决议的项目不能立项。"),
    )
    stage = models.CharField(
        _("所处阶段"), max_length=16, choices=Stage.choices, default=Stage.PROPOSED
    )
    stage_since = models.DateTimeField(_("进入本阶段时间"))
    cancel_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("专项资金项目")
        verbose_name_plural = _("专项资金项目")
        ordering = ["-year", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["region", "-year"], name="fund_project_region_year"),
            models.Index(fields=["stage", "stage_since"], name="fund_project_stage_since"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gt=0), name="fund_project_budget_positive"),
            # The rule of "during": money paid out never exceeds the approved budget.
            models.CheckConstraint(
                condition=Q(disbursed__gte=0) & Q(disbursed__lte=F("budget")),
                name="fund_project_disbursed_within_budget",
            ),
            models.CheckConstraint(
                condition=~Q(stage="cancelled") | ~Q(cancel_reason=""),
                name="fund_project_cancel_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=["proposed", "cancelled"]) | Q(decision__isnull=False),
                name="fund_project_approved_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def remaining(self):
        return self.budget - self.disbursed


class FundingLine(models.Model):
    """Where the money comes from; the lines add up to the budget."""

    project = models.ForeignKey(FundProject, on_delete=models.CASCADE, related_name="funding")
    source = models.CharField(_("资金来源"), max_length=16, choices=FundingSource.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="funding_line_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount}"


class ProjectStage(models.Model):
    """The moment a project reached a stage, what was said, and its publication: a record
    of the village catalog, published by the village once the stage is reached."""

    project = models.ForeignKey(FundProject, on_delete=models.PROTECT, related_name="stages")
    stage = models.CharField(_("阶段"), max_length=16, choices=Stage.choices)
    reached_at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("经办人"),
    )
    note = models.TextField(_("说明"), blank=True)
    record = models.ForeignKey(
        "disclosure.Record",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("公开信息"),
    )

    class Meta:
        verbose_name = _("项目阶段")
        verbose_name_plural = _("项目阶段")
        ordering = ["project", "reached_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "stage"], name="project_stage_once")
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_stage_display()}"


def stage_document_path(instance: "StageDocument", filename: str) -> str:
    return f"private/fund-projects/{instance.stage.project_id}/{instance.token}"


class StageDocument(models.Model):
    """A document of a stage (the decision, the approval notice, the acceptance report):
    public once the project is, served through the project's visibility check."""

    stage = models.ForeignKey(ProjectStage, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(upload_to=stage_document_path, max_length=200)
    token = models.CharField(max_length=32, editable=False)
    title = models.CharField(_("文件名称"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("阶段文件")
        verbose_name_plural = _("阶段文件")
        ordering = ["stage", "id"]

    def __str__(self) -> str:
        return self.title


class Disbursement(models.Model):
    """Money paid out of the project. The payee may be a person (shown masked)."""

    project = models.ForeignKey(FundProject, on_delete=models.PROTECT, related_name="disbursements")
    paid_on = models.DateField(_("拨付日期"))
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    payee = models.CharField(_("收款方"), max_length=100)
    payee_is_person = models.BooleanField(_("收款方为个人"), default=False)
    purpose = models.CharField(_("用途"), max_length=200)
    entry = models.OneToOneField(
        "funds.LedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disbursement",
        verbose_name=_("记账凭证"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("经办人"),
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资金拨付")
        verbose_name_plural = _("资金拨付")
        ordering = ["project", "paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_positive")
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.amount}"


class AcceptanceResult(models.TextChoices):
    PASSED = "passed", _("验收合格")
    FAILED = "failed", _("验收不合格，限期整改")


class Acceptance(models.Model):
    """验收: who inspected, the result and the final accounts. A failed acceptance stays on
    the record; the project may be inspected again."""

    project = models.ForeignKey(FundProject, on_delete=models.PROTECT, related_name="acceptances")
    inspected_on = models.DateField(_("验收日期"))
    inspectors = models.CharField(_("验收人员"), max_length=300)
    result = models.CharField(_("验收结果"), max_length=16, choices=AcceptanceResult.choices)
    final_accounts = models.DecimalField(_("决算金额（元）"), max_digits=14, decimal_places=2)
    note = models.TextField(_("验收意见"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("录入人"),
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("项目验收")
        verbose_name_plural = _("项目验收")
        ordering = ["project", "inspected_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(final_accounts__gte=0), name="acceptance_accounts_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_result_display()}"


class Rectification(models.Model):
    """After: a public evaluation with a majority unsatisfied opens an item the village
    answers and the township closes."""

    project = models.ForeignKey(
        FundProject, on_delete=models.PROTECT, related_name="rectifications"
    )
    # The evaluated subject (participation) that opened it: one item per evaluation.
    subject = models.OneToOneField(
        "participation.EvaluationSubject",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("群众评议"),
    )
    opened_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    answer = models.TextField(_("整改情况"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("答复人"),
    )
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("销号人"),
    )
    closing_note = models.CharField(_("销号意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="rectification_answer_given",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(answered_at__isnull=False),
                name="rectification_closed_after_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.opened_at:%Y-%m-%d}"
