from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from disclosure.models.catalog import Scope


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("待审核")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class RecordKind(models.TextChoices):
    ORDINARY = "ordinary", _("公开信息")
    POLICY = "policy", _("政策文件")
    INTERPRETATION = "interpretation", _("政策解读")
    RESPONSE = "response", _("回应关切")


class InterpretationForm(models.TextChoices):
    TEXT = "text", _("文字解读")
    GRAPHIC = "graphic", _("图解")
    VIDEO = "video", _("视频解读")


class PublishingSetting(models.Model):
    """Per unit: must a second person approve before a record goes out?"""

    unit = models.OneToOneField(
        "portal.Unit", on_delete=models.CASCADE, related_name="publishing", primary_key=True
    )
    requires_review = models.BooleanField(
        _("发布前须经审核"),
        default=True,
        help_text=_("开启后，信息员提交的内容须由本单位另一名审核员审核后才能发布。"),
    )

    class Meta:
        verbose_name = _("发布设置")
        verbose_name_plural = _("发布设置")

    def __str__(self) -> str:
        return str(self.unit)


class Record(models.Model):
    """A piece of published information (公开信息) under one catalog item of one unit."""

    unit = models.ForeignKey(
        "portal.Unit", on_delete=models.PROTECT, related_name="records", verbose_name=_("发布单位")
    )
    # Copies of the unit's place and kind, so that "everything inside 新津区" and the kind
    # filters are ranges and equalities on this table alone.
    region = models.ForeignKey(
        "portal.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    unit_kind = models.CharField(_("单位类型"), max_length=32)
    item = models.ForeignKey(
        "disclosure.CatalogItem",
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("目录事项"),
    )
    kind = models.CharField(
        _("类别"), max_length=16, choices=RecordKind.choices, default=RecordKind.ORDINARY
    )
    policy = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chain",
        verbose_name=_("所属政策文件"),
        help_text=_("解读或回应所针对的政策文件。"),
    )
    interpretation_form = models.CharField(
        _("解读形式"), max_length=16, choices=InterpretationForm.choices, blank=True
    )
    video_url = models.URLField(_("视频链接"), blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    info_date = models.DateField(_("信息形成日期"))
    period_start = models.DateField(_("所属期间起"), null=True, blank=True)
    period_end = models.DateField(_("所属期间止"), null=True, blank=True)
    scope = models.CharField(
        _("可见范围"), max_length=16, choices=Scope.choices, default=Scope.PUBLIC
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=RecordStatus.choices, default=RecordStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("起草人"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # CJK bigrams of title (A), body (B) and attachment text (C); see disclosure/search.py.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("公开信息")
        verbose_name_plural = _("公开信息")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["region", "-published_at"], name="record_region_published"),
            models.Index(fields=["item", "-published_at"], name="record_item_published"),
            models.Index(fields=["unit", "-published_at"], name="record_unit_published"),
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(status="published"),
                name="record_published_recent",
            ),
            GinIndex(fields=["search_vector"], name="record_search"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdraw_reason=""),
                name="record_withdrawal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["published", "withdrawn"]) | Q(published_at__isnull=False),
                name="record_published_has_time",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="record_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["interpretation", "response"], policy__isnull=False)
                | (~Q(kind__in=["interpretation", "response"]) & Q(policy__isnull=True)),
                name="record_chain_points_at_policy",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RecordVersion(models.Model):
    """The text of a record as it stood before an edit made after publication."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    info_date = models.DateField(_("信息形成日期"))
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True)
    replaced_at = models.DateTimeField(_("被修订时间"), auto_now_add=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    change_note = models.CharField(_("修订说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("历史版本")
        verbose_name_plural = _("历史版本")
        ordering = ["record", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["record", "version"], name="record_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Private storage, random name: never guessable, never served directly.
    return f"private/records/{instance.record_id}/{instance.sha256[:16]}-{instance.token}"


class Attachment(models.Model):
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    token = models.CharField(max_length=32, editable=False)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    text = models.TextField(_("提取的文字"), blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["record", "id"]

    def __str__(self) -> str:
        return self.original_name
