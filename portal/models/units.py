from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    GOVERNMENT = "government", _("人民政府")
    DEPARTMENT = "department", _("政府工作部门")
    TOWNSHIP_OFFICE = "township_office", _("乡镇人民政府（街道办事处）")
    VILLAGE_COMMITTEE = "village_committee", _("村（居）民委员会")
    SCHOOL = "school", _("学校")
    ACCOUNTING_CENTRE = "accounting_centre", _("代理记账中心")
    SUPERVISORY_COMMITTEE = "supervisory_committee", _("村务监督委员会")


class Sector(models.TextChoices):
    """What a department (政府工作部门) does; its standard catalog depends on it."""

    DEVELOPMENT = "development", _("发展和改革")
    EDUCATION = "education", _("教育")
    SCIENCE = "science", _("科学技术")
    ECONOMY = "economy", _("经济和信息化")
    PUBLIC_SECURITY = "public_security", _("公安")
    CIVIL_AFFAIRS = "civil_affairs", _("民政")
    JUSTICE = "justice", _("司法")
    FINANCE = "finance", _("财政")
    HUMAN_RESOURCES = "human_resources", _("人力资源和社会保障")
    NATURAL_RESOURCES = "natural_resources", _("规划和自然资源")
    ECOLOGY = "ecology", _("生态环境")
    HOUSING = "housing", _("住房和城乡建设")
    TRANSPORT = "transport", _("交通运输")
    WATER = "water", _("水务")
    AGRICULTURE = "agriculture", _("农业农村")
    COMMERCE = "commerce", _("商务")
    CULTURE = "culture", _("文化广电旅游")
    HEALTH = "health", _("卫生健康")
    VETERANS = "veterans", _("退役军人事务")
    EMERGENCY = "emergency", _("应急管理")
    AUDIT = "audit", _("审计")
    MARKET = "market", _("市场监督管理")
    STATISTICS = "statistics", _("统计")
    MEDICAL_INSURANCE = "medical_insurance", _("医疗保障")
    URBAN_MANAGEMENT = "urban_management", _("城市管理")
    APPROVAL = "approval", _("行政审批")


class Unit(models.Model):
    """A publishing body (公开主体): it owns what is published under its name."""

    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("单位类型"), max_length=32, choices=UnitKind.choices)
    sector = models.CharField(
        _("部门职能"), max_length=32, choices=Sector.choices, blank=True, default=""
    )
    region = models.ForeignKey(
        "portal.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="units"
    )
    parent_unit = models.ForeignKey(
        "self",
        verbose_name=_("主管单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subordinate_units",
    )
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    phone = models.CharField(_("办公电话"), max_length=40, blank=True)
    office_hours = models.CharField(_("办公时间"), max_length=100, blank=True)
    introduction = models.TextField(_("单位简介"), blank=True)
    is_active = models.BooleanField(
        _("在用"), default=True, help_text=_("撤销的单位不删除，只停用；已公开的内容继续可查。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("公开主体")
        verbose_name_plural = _("公开主体")
        ordering = ["region_id", "kind", "name"]
        permissions = [
            ("edit_unit_content", _("编辑本单位公开内容")),
            ("review_unit_content", _("审核本单位公开内容")),
            ("manage_unit", _("管理本单位信息和人员")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unit_name_unique_in_region"),
            models.CheckConstraint(
                condition=Q(kind=UnitKind.DEPARTMENT, sector__gt="")
                | (~Q(kind=UnitKind.DEPARTMENT) & Q(sector="")),
                name="unit_sector_only_for_departments",
            ),
        ]
        indexes = [models.Index(fields=["kind", "region"], name="unit_kind_region")]

    def __str__(self) -> str:
        return self.name
