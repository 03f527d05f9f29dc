"""Neighbourhood mutual aid (邻里互助): residents post a need or an offer, visible at the
scope they choose; others reply; the author closes it when resolved. Three reports from
different people hide a post until a moderator decides."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AidKind(models.TextChoices):
    NEED = "need", _("求助")
    OFFER = "offer", _("帮忙")


class AidCategory(models.TextChoices):
    ELDERLY = "elderly", _("助老助残")
    CHILDREN = "children", _("看护儿童")
    ERRANDS = "errands", _("跑腿代办")
    FARMING = "farming", _("农忙帮工")
    REPAIRS = "repairs", _("家电维修")
    TRANSPORT = "transport", _("出行搭车")
    LENDING = "lending", _("物品借用")
    JOBS = "jobs", _("就业信息")
    LEARNING = "learning", _("学习辅导")
    OTHER = "other", _("其他")


class AidScope(models.TextChoices):
    """How far a post is seen: the place at this tier that contains the author's village."""

    VILLAGE = "village", _("本村（社区）")
    TOWNSHIP = "township", _("本乡镇（街道）")
    COUNTY = "county", _("本区（市）县")
    CITY = "city", _("全市")


class AidStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    RESOLVED = "resolved", _("已解决")
    HIDDEN = "hidden", _("被举报，待审核")
    REMOVED = "removed", _("已屏蔽")


class AidPost(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发布人"),
    )
    author_name = models.CharField(_("署名"), max_length=40)
    kind = models.CharField(_("类型"), max_length=8, choices=AidKind.choices)
    category = models.CharField(_("类别"), max_length=16, choices=AidCategory.choices)
    title = models.CharField(_("标题"), max_length=100)
    text = models.TextField(_("内容"))
    # The author's village or community, and the code of the place the post is seen in.
    region = models.ForeignKey(
        "portal.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在村（社区）"),
    )
    scope = models.CharField(_("可见范围"), max_length=16, choices=AidScope.choices)
    scope_code = models.CharField(max_length=12, editable=False)
    expires_on = models.DateField(_("有效期至"))
    status = models.CharField(
        _("状态"), max_length=16, choices=AidStatus.choices, default=AidStatus.OPEN
    )
    # Reports not yet reviewed: a moderator's decision marks them reviewed and resets this,
    # so the next hiding needs THRESHOLD new reporters. Whether a hidden post had been
    # resolved is told by resolved_at (only the author's close sets it).
    report_count = models.PositiveIntegerField(_("待审核举报数"), default=0)
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    moderation_note = models.CharField(_("审核意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("邻里互助")
        verbose_name_plural = _("邻里互助")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["scope_code", "-created_at"], name="aid_scope_created"),
            models.Index(fields=["region", "-created_at"], name="aid_region_created"),
            # The moderators' queue: hidden posts and posts with reports awaiting review.
            models.Index(
                fields=["region"],
                condition=Q(status="hidden") | Q(report_count__gt=0),
                name="aid_moderation_queue",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="removed") | ~Q(moderation_note=""),
                name="aid_removal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_at__isnull=False),
                name="aid_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AidReply(models.Model):
    post = models.ForeignKey(AidPost, on_delete=models.PROTECT, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("回复人"),
    )
    author_name = models.CharField(_("署名"), max_length=40)
    text = models.TextField(_("回复内容"))
    created_at = models.DateTimeField(_("回复时间"), auto_now_add=True)
    hidden_at = models.DateTimeField(_("屏蔽时间"), null=True, blank=True)
    hidden_reason = models.CharField(_("屏蔽原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("互助回复")
        verbose_name_plural = _("互助回复")
        ordering = ["post", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="aid_reply_hidden_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]


class AidReport(models.Model):
    """A user's report of a post; one per person per post."""

    post = models.ForeignKey(AidPost, on_delete=models.PROTECT, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("举报人"),
    )
    reason = models.CharField(_("举报理由"), max_length=300)
    created_at = models.DateTimeField(_("举报时间"), auto_now_add=True)
    # Set when a moderator restores or removes the post; the report itself is kept.
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("互助举报")
        verbose_name_plural = _("互助举报")
        ordering = ["post", "created_at"]
        constraints = [models.UniqueConstraint(fields=["post", "reporter"], name="aid_report_once")]

    def __str__(self) -> str:
        return self.reason[:40]
