"""The county approval bureau's catalog (行政审批局: matters concentrated from the
departments, one window) and investment projects under the commitment system (承诺制:
standards and steps published, build first and inspect after)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class MatterType(models.TextChoices):
    LICENSING = "licensing", _("行政许可")
    CONFIRMATION = "confirmation", _("行政确认")
    FILING = "filing", _("行政备案")
    PAYMENT = "payment", _("行政给付")
    ADJUDICATION = "adjudication", _("行政裁决")
    OTHER_POWER = "other_power", _("其他行政权力")
    PUBLIC_SERVICE = "public_service", _("公共服务")


class ApprovalMatter(models.Model):
    """A matter the bureau handles for a department (its original owner)."""

    bureau = models.ForeignKey(
        "portal.Unit",
        verbose_name=_("行政审批局"),
        on_delete=models.PROTECT,
        related_name="approval_matters",
    )
    department = models.ForeignKey(
        "portal.Unit",
        verbose_name=_("原职能部门"),
        on_delete=models.PROTECT,
        related_name="concentrated_matters",
    )
    # The bureau's place, copied so a subtree is one range scan.
    region = models.ForeignKey(
        "portal.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("事项编码"), max_length=40, blank=True)
    name = models.CharField(_("事项名称"), max_length=200)
    matter_type = models.CharField(_("事项类型"), max_length=16, choices=MatterType.choices)
    legal_limit_days = models.PositiveSmallIntegerField(_("法定时限（工作日）"))
    promised_limit_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"))
    fees = models.CharField(_("收费标准"), max_length=200, default="不收费")
    materials = models.TextField(_("申请材料"), help_text=_("每行一项。"))
    guide = models.ForeignKey(
        "services.ServiceGuide",
        verbose_name=_("办事指南"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approval_matters",
    )
    is_active = models.BooleanField(_("在办"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("审批事项")
        verbose_name_plural = _("审批事项")
        ordering = ["department__name", "name", "id"]
        indexes = [models.Index(fields=["region", "is_active"], name="matter_region_active")]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "department", "name"], name="matter_unique_per_department"
            ),
            models.CheckConstraint(
                condition=Q(promised_limit_days__lte=F("legal_limit_days")),
                name="matter_promise_within_legal_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CommitmentScheme(models.Model):
    """The bureau's published standards and steps for investment projects under the
    commitment system."""

    bureau = models.OneToOneField(
        "portal.Unit",
        verbose_name=_("行政审批局"),
        on_delete=models.PROTECT,
        related_name="commitment_scheme",
    )
    title = models.CharField(_("标题"), max_length=200)
    standards = models.TextField(_("承诺标准"))
    steps = models.TextField(_("办理流程"), help_text=_("每行一步。"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("承诺制标准")
        verbose_name_plural = _("承诺制标准")

    def __str__(self) -> str:
        return self.title


class CommitmentStage(models.TextChoices):
    COMMITTED = "committed", _("已承诺")
    BUILDING = "building", _("开工建设")
    INSPECTED = "inspected", _("竣工验收")


class CommitmentProject(models.Model):
    """An investment project's public progress: committed, building, inspected."""

    bureau = models.ForeignKey(
        "portal.Unit",
        verbose_name=_("行政审批局"),
        on_delete=models.PROTECT,
        related_name="commitment_projects",
    )
    region = models.ForeignKey(
        "portal.Region", verbose_name=_("项目所在地"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("项目名称"), max_length=200)
    investor = models.CharField(_("建设单位"), max_length=200)
    investment = models.DecimalField(_("总投资（万元）"), max_digits=12, decimal_places=2)
    stage = models.CharField(_("进度"), max_length=16, choices=CommitmentStage.choices)
    committed_on = models.DateField(_("承诺日期"))
    building_on = models.DateField(_("开工日期"), null=True, blank=True)
    inspected_on = models.DateField(_("验收日期"), null=True, blank=True)
    is_public = models.BooleanField(_("公开"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("承诺制项目")
        verbose_name_plural = _("承诺制项目")
        ordering = ["-committed_on", "-id"]
        indexes = [models.Index(fields=["region", "stage"], name="commitment_region_stage")]
        constraints = [
            # The dates follow the stage: building needs a start on or after the commitment,
            # inspected an inspection on or after the start.
            models.CheckConstraint(
                condition=Q(stage=CommitmentStage.COMMITTED)
                | Q(building_on__isnull=False, building_on__gte=F("committed_on")),
                name="commitment_building_dated",
            ),
            models.CheckConstraint(
                condition=~Q(stage=CommitmentStage.INSPECTED)
                | Q(inspected_on__isnull=False, inspected_on__gte=F("building_on")),
                name="commitment_inspection_dated",
            ),
            models.CheckConstraint(condition=Q(investment__gt=0), name="commitment_investment"),
        ]

    def __str__(self) -> str:
        return self.name
