from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """公开渠道和载体: the national list (2019)."""

    WEBSITE = "政府网站", _("政府网站")
    GAZETTE = "政府公报", _("政府公报")
    SOCIAL = "两微一端", _("两微一端")
    PRESS = "发布会/听证会", _("发布会/听证会")
    BROADCAST = "广播电视", _("广播电视")
    PRINT = "纸质媒体", _("纸质媒体")
    READING_POINT = "公开查阅点", _("公开查阅点")
    SERVICE_CENTRE = "政务服务中心", _("政务服务中心")
    SERVICE_STATION = "便民服务站", _("便民服务站")
    DOOR_TO_DOOR = "入户/现场", _("入户/现场")
    NOTICE_BOARD = "社区/村公示栏(电子屏)", _("社区/村公示栏(电子屏)")
    TARGETED = "精准推送", _("精准推送")
    HOTLINE = "12345", _("12345")
    OTHER = "其他", _("其他")


class Scope(models.TextChoices):
    """Who may read a record on the portal."""

    PUBLIC = "public", _("全社会")
    RESIDENTS = "residents", _("本村（社区）居民")
    PARENTS = "parents", _("本校学生家长")
    STAFF = "staff", _("本校教职工")


class ScheduleKind(models.TextChoices):
    ON_CHANGE = "on_change", _("信息形成或变更后")
    IMMEDIATE = "immediate", _("即时公开")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")


PERIODIC = (ScheduleKind.MONTHLY, ScheduleKind.QUARTERLY, ScheduleKind.YEARLY)


class CatalogTemplate(models.Model):
    """A standard catalog (标准目录) for one kind of unit at one tier, in versions.

    Revising a template loads a new version; records keep pointing at the items of the
    version they were published under, so nothing already published changes meaning.
    """

    key = models.SlugField(_("目录标识"), max_length=40)
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("目录名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    unit_kinds = ArrayField(models.CharField(max_length=32), verbose_name=_("适用单位类型"))
    region_tiers = ArrayField(models.CharField(max_length=16), verbose_name=_("适用层级"))
    sector = models.CharField(_("适用部门职能"), max_length=32, blank=True)
    is_current = models.BooleanField(_("现行版本"), default=True)
    source_digest = models.CharField(max_length=64, editable=False)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("标准目录")
        verbose_name_plural = _("标准目录")
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="catalog_key_version"),
            models.UniqueConstraint(
                fields=["key"], condition=Q(is_current=True), name="catalog_one_current_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"


class CatalogItem(models.Model):
    """One line of a standard catalog, with the national fields and a machine schedule."""

    template = models.ForeignKey(
        CatalogTemplate, on_delete=models.PROTECT, related_name="items", verbose_name=_("目录")
    )
    seq = models.PositiveIntegerField(_("序号"))
    level1 = models.CharField(_("一级事项"), max_length=60)
    level2 = models.CharField(_("二级事项"), max_length=100)
    elements = models.TextField(_("公开内容（要素）"))
    basis = models.TextField(_("公开依据"))
    time_limit = models.CharField(_("公开时限"), max_length=200)
    responsible = models.CharField(_("公开主体"), max_length=100)
    channels = ArrayField(
        models.CharField(max_length=20, choices=Channel.choices), verbose_name=_("公开渠道和载体")
    )
    audience = models.CharField(
        _("公开对象"), max_length=8, choices=[("全社会", _("全社会")), ("特定群体", _("特定群体"))]
    )
    scope = models.CharField(_("默认可见范围"), max_length=16, choices=Scope.choices)
    mode = models.CharField(
        _("公开方式"), max_length=4, choices=[("主动", _("主动")), ("依申请", _("依申请"))]
    )
    level = models.CharField(_("公开层级"), max_length=4)
    schedule_kind = models.CharField(_("公开周期"), max_length=16, choices=ScheduleKind.choices)
    schedule_days = models.PositiveSmallIntegerField(_("期限（工作日）"), null=True, blank=True)
    schedule_month = models.PositiveSmallIntegerField(_("年度截止月"), null=True, blank=True)
    schedule_day = models.PositiveSmallIntegerField(_("年度截止日"), null=True, blank=True)

    class Meta:
        verbose_name = _("目录事项")
        verbose_name_plural = _("目录事项")
        ordering = ["template", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["template", "seq"], name="catalog_item_seq"),
            models.CheckConstraint(
                condition=Q(
                    schedule_kind="yearly",
                    schedule_month__range=(1, 12),
                    schedule_day__range=(1, 31),
                )
                | (~Q(schedule_kind="yearly") & Q(schedule_days__gte=1)),
                name="catalog_item_schedule_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level1} · {self.level2}"

    @property
    def is_periodic(self) -> bool:
        return self.schedule_kind in PERIODIC
