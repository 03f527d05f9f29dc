"""Opinion solicitations (民意征集): a draft with a comment window, moderated opinions, and
afterwards a feedback report saying, group by group, what was adopted and why not."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from participation.models.common import OwnedByUnit, Window


class SolicitationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    REPORTED = "reported", _("已反馈")
    WITHDRAWN = "withdrawn", _("已撤回")


class Solicitation(OwnedByUnit, Window):
    title = models.CharField(_("征集标题"), max_length=200)
    summary = models.CharField(_("内容提要"), max_length=500, blank=True)
    body = models.TextField(_("征求意见稿"))
    status = models.CharField(
        _("状态"), max_length=16, choices=SolicitationStatus.choices, default="draft"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=300, blank=True)
    report = models.TextField(_("意见采纳情况说明"), blank=True)
    reported_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("反馈人"),
    )

    class Meta:
        verbose_name = _("民意征集")
        verbose_name_plural = _("民意征集")
        ordering = ["-opens_at", "-id"]
        indexes = [models.Index(fields=["region", "-opens_at"], name="solicitation_region_opens")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="solicitation_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdraw_reason=""),
                name="solicitation_withdraw_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="solicitation_published_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="reported") | Q(reported_at__isnull=False),
                name="solicitation_report_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("solicitation", args=[self.pk])


def solicitation_attachment_path(instance: "SolicitationAttachment", filename: str) -> str:
    # Private storage, random name; served only through the solicitation's visibility check.
    return f"private/solicitations/{instance.solicitation_id}/{instance.token}"


class SolicitationAttachment(models.Model):
    solicitation = models.ForeignKey(
        Solicitation, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=solicitation_attachment_path, max_length=200)
    token = models.CharField(max_length=32, editable=False)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("征集附件")
        verbose_name_plural = _("征集附件")
        ordering = ["solicitation", "id"]

    def __str__(self) -> str:
        return self.original_name


class Adoption(models.TextChoices):
    ADOPTED = "adopted", _("采纳")
    PARTLY = "partly", _("部分采纳")
    NOT_ADOPTED = "not_adopted", _("未采纳")


class OpinionGroup(models.Model):
    """Opinions of the same substance, answered together in the feedback report."""

    solicitation = models.ForeignKey(Solicitation, on_delete=models.CASCADE, related_name="groups")
    seq = models.PositiveSmallIntegerField(_("序号"))
    summary = models.CharField(_("意见归纳"), max_length=500)
    adoption = models.CharField(_("采纳情况"), max_length=16, choices=Adoption.choices)
    reason = models.TextField(_("理由或采纳方式"), blank=True)

    class Meta:
        verbose_name = _("意见归类")
        verbose_name_plural = _("意见归类")
        ordering = ["solicitation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["solicitation", "seq"], name="opinion_group_seq"),
            models.CheckConstraint(
                condition=Q(adoption="adopted") | ~Q(reason=""),
                name="opinion_group_refusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.summary


class OpinionStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已公开")
    HIDDEN = "hidden", _("不予公开")


class Opinion(models.Model):
    solicitation = models.ForeignKey(
        Solicitation, on_delete=models.PROTECT, related_name="opinions"
    )
    region = models.ForeignKey("portal.Region", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提交人"),
    )
    # Shown masked (张*); kept as the author gave it when they wrote.
    author_name = models.CharField(_("署名"), max_length=40)
    text = models.TextField(_("意见内容"))
    content_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=OpinionStatus.choices, default=OpinionStatus.PENDING
    )
    hidden_reason = models.CharField(_("不予公开理由"), max_length=300, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    group = models.ForeignKey(
        OpinionGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinions",
        verbose_name=_("意见归类"),
    )

    class Meta:
        verbose_name = _("征集意见")
        verbose_name_plural = _("征集意见")
        ordering = ["solicitation", "created_at", "id"]
        indexes = [models.Index(fields=["region", "created_at"], name="opinion_region_time")]
        constraints = [
            # The same text twice from one person is one opinion (double clicks, retries).
            models.UniqueConstraint(
                fields=["solicitation", "author", "content_hash"], name="opinion_once_per_text"
            ),
            models.CheckConstraint(
                condition=~Q(status="hidden") | ~Q(hidden_reason=""),
                name="opinion_hidden_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]
