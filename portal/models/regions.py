from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县（区、市）")
    TOWNSHIP = "township", _("乡镇（街道）")
    VILLAGE = "village", _("村（社区）")


# The shape of a code at each tier (see portal.hierarchy): the tier's own segment is not
# all zeros and every segment after it is.
_TIER_SHAPES = {
    Tier.PROVINCE: r"^[1-9][0-9]0{10}$",
    Tier.CITY: r"^[0-9]{2}([0-9][1-9]|[1-9][0-9])0{8}$",
    Tier.COUNTY: r"^[0-9]{4}([0-9][1-9]|[1-9][0-9])0{6}$",
    Tier.TOWNSHIP: r"^[0-9]{6}([0-9]{2}[1-9]|[0-9][1-9][0-9]|[1-9][0-9]{2})000$",
    Tier.VILLAGE: r"^[0-9]{9}([0-9]{2}[1-9]|[0-9][1-9][0-9]|[1-9][0-9]{2})$",
}


class Region(models.Model):
    """An administrative place, keyed by its 12-digit division code."""

    code = models.CharField(_("区划代码"), primary_key=True, max_length=12)
    name = models.CharField(_("名称"), max_length=64)
    tier = models.CharField(_("层级"), max_length=16, choices=Tier.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(
        _("现行区划"), default=True, help_text=_("撤并的区划保留历史，不再显示在导航中。")
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tier=Tier.PROVINCE, code__regex=_TIER_SHAPES[Tier.PROVINCE])
                | Q(tier=Tier.CITY, code__regex=_TIER_SHAPES[Tier.CITY])
                | Q(tier=Tier.COUNTY, code__regex=_TIER_SHAPES[Tier.COUNTY])
                | Q(tier=Tier.TOWNSHIP, code__regex=_TIER_SHAPES[Tier.TOWNSHIP])
                | Q(tier=Tier.VILLAGE, code__regex=_TIER_SHAPES[Tier.VILLAGE]),
                name="region_code_matches_tier",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=models.F("code")),
                name="region_not_own_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name
