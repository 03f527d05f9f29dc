"""Proxy service (代办): a resident asks the village's agent (代办员) — or the
township's, when the matter cannot be done in the village — to get a guide's matter
done for them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ProxyStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("已办结")
    RETURNED = "returned", _("已退回")


class ProxyRating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class ProxyRequest(models.Model):
    """A request, followed by its tracking code and private query code (as letters are).
    The phone number is kept for the agent to call back and shown masked elsewhere."""

    tracking_code = models.CharField(_("查询编号"), max_length=16, unique=True)
    query_code = models.CharField(_("查询码"), max_length=8)
    guide = models.ForeignKey(
        "services.ServiceGuide",
        verbose_name=_("办理事项"),
        on_delete=models.PROTECT,
        related_name="proxy_requests",
    )
    # Where the resident lives (a village or community) and who acts for them there.
    region = models.ForeignKey(
        "portal.Region",
        verbose_name=_("所在村（社区）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agent_unit = models.ForeignKey(
        "portal.Unit",
        verbose_name=_("代办单位"),
        on_delete=models.PROTECT,
        related_name="proxy_requests",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proxy_assignments",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proxy_requests",
    )
    name = models.CharField(_("申请人"), max_length=40)
    phone = models.CharField(_("手机号码"), max_length=11)
    phone_hash = models.CharField(max_length=64, db_index=True, editable=False)
    detail = models.TextField(_("代办需求"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ProxyStatus.choices, default=ProxyStatus.RECEIVED
    )
    received_at = models.DateTimeField(_("受理时间"))
    due_at = models.DateTimeField(_("办结期限"))
    due_is_provisional = models.BooleanField(default=False)
    started_at = models.DateTimeField(_("开始办理时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    rating = models.CharField(
        _("评价"), max_length=16, choices=ProxyRating.choices, blank=True, default=""
    )
    rating_comment = models.CharField(_("评价意见"), max_length=300, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("代办申请")
        verbose_name_plural = _("代办申请")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["agent_unit", "status", "due_at"], name="proxy_queue"),
            models.Index(fields=["region", "status"], name="proxy_region_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ProxyStatus.RETURNED) | ~Q(return_reason=""),
                name="proxy_returned_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[ProxyStatus.RECEIVED, ProxyStatus.IN_PROGRESS])
                | Q(finished_at__isnull=False),
                name="proxy_finished_has_time",
            ),
            models.CheckConstraint(
                condition=Q(rating="") | Q(status__in=[ProxyStatus.DONE, ProxyStatus.RETURNED]),
                name="proxy_rated_when_finished",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code


class ProxyEvent(models.Model):
    """What happened to a request, in order: the applicant sees these."""

    request = models.ForeignKey(ProxyRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=16, choices=ProxyStatus.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["request", "at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.status}"
