from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LetterType(models.TextChoices):
    CONSULT = "consult", _("咨询")
    SUGGEST = "suggest", _("建议")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")


class LetterStatus(models.TextChoices):
    RECEIVED = "received", _("已收到")
    ACCEPTED = "accepted", _("已受理")
    TRANSFERRED = "transferred", _("已转办")
    REJECTED = "rejected", _("不予受理")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")


# Letters an office still owes an answer on.
OPEN_STATUSES = (LetterStatus.RECEIVED, LetterStatus.ACCEPTED, LetterStatus.TRANSFERRED)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Letter(models.Model):
    """A citizen's letter to a unit (四级信箱), with its reply clock.

    The writer's ID number is kept only as a keyed hash and a mask. The phone number is
    kept so the handling office can call back; everywhere else it is shown masked.
    """

    tracking_code = models.CharField(_("查询编号"), max_length=16, unique=True)
    query_code = models.CharField(_("查询码"), max_length=8)
    unit = models.ForeignKey(
        "portal.Unit", on_delete=models.PROTECT, related_name="letters", verbose_name=_("办理单位")
    )
    first_unit = models.ForeignKey(
        "portal.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("收信单位")
    )
    # The handling unit's place, copied so subtree dashboards are a range on this table.
    region = models.ForeignKey("portal.Region", on_delete=models.PROTECT, related_name="+")
    type = models.CharField(_("类型"), max_length=16, choices=LetterType.choices)
    subject = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"))
    writer_name = models.CharField(_("姓名"), max_length=40)
    phone = models.CharField(_("手机号码"), max_length=11)
    phone_hash = models.CharField(max_length=64, db_index=True, editable=False)
    email = models.EmailField(_("电子邮箱"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("身份证号码"), max_length=18, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, editable=False)
    publish_consent = models.BooleanField(_("同意公开"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="letters",
        verbose_name=_("注册用户"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=LetterStatus.choices, default=LetterStatus.RECEIVED
    )
    received_at = models.DateTimeField(_("收信时间"))
    due_at = models.DateTimeField(_("答复期限"))
    due_is_provisional = models.BooleanField(_("期限暂定"), default=False)
    extended = models.BooleanField(_("已延期"), default=False)
    reopened = models.BooleanField(_("已重新办理"), default=False)
    reject_reason = models.CharField(_("不予受理理由"), max_length=300, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    reply_unit = models.ForeignKey(
        "portal.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("答复单位"),
    )
    rating = models.CharField(_("评价"), max_length=16, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("来信")
        verbose_name_plural = _("来信")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["region", "due_at"], name="letter_region_due"),
            models.Index(fields=["unit", "status", "due_at"], name="letter_unit_queue"),
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=["received", "accepted", "transferred"]),
                name="letter_open_due",
            ),
            models.Index(
                fields=["phone_hash", "content_hash", "received_at"], name="letter_dedupe"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""),
                name="letter_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["replied", "closed"]) | Q(replied_at__isnull=False),
                name="letter_reply_has_time",
            ),
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("received_at")), name="letter_due_after_receipt"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.subject}"


class EventKind(models.TextChoices):
    RECEIVED = "received", _("收到来信")
    ACCEPTED = "accepted", _("受理")
    REJECTED = "rejected", _("不予受理")
    TRANSFERRED = "transferred", _("转办")
    REPLIED = "replied", _("答复")
    RATED = "rated", _("评价")
    REOPENED = "reopened", _("重新办理")
    EXTENDED = "extended", _("延期")
    CLOSED = "closed", _("办结")
    REMINDED = "reminded", _("催办提醒")


class LetterEvent(models.Model):
    """One step of a letter's handling. Append-only: events are never edited."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("环节"), max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "portal.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("单位"),
    )
    to_unit = models.ForeignKey(
        "portal.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("转至单位"),
    )
    note = models.TextField(_("说明"), blank=True)
    due_at = models.DateTimeField(_("此后期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["letter", "at", "id"]

    def __str__(self) -> str:
        return f"{self.letter_id} {self.get_kind_display()}"


def letter_attachment_path(instance: "LetterAttachment", filename: str) -> str:
    return f"private/letters/{instance.letter_id}/{instance.token}"


class LetterAttachment(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=letter_attachment_path, max_length=200)
    token = models.CharField(max_length=32, editable=False)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))

    class Meta:
        verbose_name = _("来信附件")
        verbose_name_plural = _("来信附件")

    def __str__(self) -> str:
        return self.original_name
