"""Service guides (办事指南): what a resident needs to know to get a matter done, where,
by when, at what cost, and the lowest tier that can do it ("小事不出村、大事不出镇")."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class GuideCategory(models.TextChoices):
    """The thirteen categories a resident recognises, in the order the portal lists them."""

    LABOUR = "labour", _("就业创业和社会保险")
    CERTIFICATES = "certificates", _("证件证明")
    HOUSEHOLD = "household", _("户籍办理")
    ASSISTANCE = "assistance", _("社会救助")
    MEDICAL = "medical", _("医疗保障和卫生健康")
    EDUCATION = "education", _("教育入学")
    FAMILY = "family", _("婚姻登记和生育服务")
    HOUSING = "housing", _("住房保障")
    AGRICULTURE = "agriculture", _("农业农村")
    CIVIL = "civil", _("民政服务")
    DISABILITY = "disability", _("残疾人服务")
    VETERANS = "veterans", _("退役军人服务")
    BUSINESS = "business", _("企业和个体经营")


class ServiceTier(models.TextChoices):
    """The lowest tier where a matter can be done; values are portal.models.Tier's."""

    VILLAGE = "village", _("村（社区）")
    TOWNSHIP = "township", _("乡镇（街道）")
    COUNTY = "county", _("区（市）县")
    CITY = "city", _("市")


class GuideStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class ServiceGuide(models.Model):
    """A guide of one unit, applying in `region` and every place inside it (a city-wide
    guide names the city)."""

    unit = models.ForeignKey(
        "portal.Unit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="service_guides",
    )
    region = models.ForeignKey(
        "portal.Region",
        verbose_name=_("适用地区"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("本地区及其下辖各地适用；全市通用的选成都市。"),
    )
    name = models.CharField(_("事项名称"), max_length=200)
    category = models.CharField(_("服务类别"), max_length=16, choices=GuideCategory.choices)
    lowest_tier = models.CharField(
        _("最低可办层级"),
        max_length=16,
        choices=ServiceTier.choices,
        help_text=_("小事不出村、大事不出镇：能在村（社区）办的选村（社区）。"),
    )
    applicants = models.TextField(_("申请对象"))
    conditions = models.TextField(_("办理条件"), blank=True)
    legal_limit_days = models.PositiveSmallIntegerField(
        _("法定办结时限（工作日）"), null=True, blank=True
    )
    promised_limit_days = models.PositiveSmallIntegerField(
        _("承诺办结时限（工作日）"), null=True, blank=True
    )
    fees = models.CharField(_("收费标准"), max_length=200, default="不收费")
    office_address = models.CharField(_("办理地点"), max_length=200)
    office_hours = models.CharField(_("办理时间"), max_length=200)
    phone = models.CharField(_("咨询电话"), max_length=40)
    online_url = models.URLField(_("网上办理"), blank=True)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    verified_on = models.DateField(_("最近核验日期"))
    # Set by the daily scan when the guide has not been verified for a year, so its
    # unit sees it; cleared when the unit verifies it again.
    stale_since = models.DateTimeField(_("待核验提示时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=GuideStatus.choices, default=GuideStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("办事指南")
        verbose_name_plural = _("办事指南")
        ordering = ["category", "name", "id"]
        indexes = [
            models.Index(fields=["status", "category"], name="guide_status_category"),
            models.Index(fields=["region", "status"], name="guide_region_status"),
            GinIndex(fields=["search_vector"], name="guide_search"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(promised_limit_days__isnull=True)
                | Q(legal_limit_days__isnull=True)
                | Q(promised_limit_days__lte=F("legal_limit_days")),
                name="guide_promise_within_legal_limit",
            ),
            models.CheckConstraint(
                condition=~Q(status=GuideStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="guide_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    BOTH = "both", _("原件和复印件")
    ELECTRONIC = "electronic", _("电子材料")


class GuideMaterial(models.Model):
    """A document the applicant brings: which form, how many."""

    guide = models.ForeignKey(ServiceGuide, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    name = models.CharField(_("材料名称"), max_length=200)
    form = models.CharField(
        _("材料形式"), max_length=16, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL
    )
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["guide", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(copies__gte=1), name="material_copies_positive")
        ]

    def __str__(self) -> str:
        return self.name


class GuideStep(models.Model):
    """One step of the process, in order."""

    guide = models.ForeignKey(ServiceGuide, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("步骤"), default=1)
    title = models.CharField(_("环节"), max_length=100)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("办理流程")
        verbose_name_plural = _("办理流程")
        ordering = ["guide", "position", "id"]

    def __str__(self) -> str:
        return self.title
