"""Requests for information (依申请公开) under the OGI Regulations (2019), and the
reconsiderations and lawsuits about them that the annual report counts (table 4).

The clock: a request is received on a date fixed by its channel (Art. 31); the reply is
due 20 working days later; one extension of at most 20 working days; a correction notice
(补正) restarts the clock from the day the corrected application is received; working days
spent waiting for a third party's opinion (at most 15) do not count. All on the portal's
calendar (portal.workdays), recomputed by disclosure.requests.deadlines.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The three kinds of reminder are the letters' (one engine: portal.reminders).
from mailbox.models.reminders import ReminderKind


class ApplicantType(models.TextChoices):
    """The six applicant columns of table 3 of the annual report (2021 format)."""

    NATURAL_PERSON = "natural_person", _("自然人")
    COMMERCIAL = "commercial", _("商业企业")
    RESEARCH = "research", _("科研机构")
    PUBLIC_INTEREST = "public_interest", _("社会公益组织")
    LEGAL_SERVICE = "legal_service", _("法律服务机构")
    OTHER = "other", _("其他")


class RequestChannel(models.TextChoices):
    """How the application arrived; it fixes the receipt date (Art. 31)."""

    ONLINE = "online", _("网上申请")
    POST = "post", _("信函")
    IN_PERSON = "in_person", _("当面提交")
    FAX = "fax", _("传真")


class Delivery(models.TextChoices):
    PAPER = "paper", _("纸质（邮寄）")
    EMAIL = "email", _("电子邮件")
    ONLINE = "online", _("网上查看")
    READING = "reading", _("现场查阅")


class InfoRequestStatus(models.TextChoices):
    PENDING = "pending", _("待登记")  # arrived by post/fax/in person, receipt date not set yet
    PROCESSING = "processing", _("办理中")
    CORRECTION = "correction", _("待补正")
    THIRD_PARTY = "third_party", _("征求第三方意见")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已终止")  # not corrected in time, or withdrawn by the applicant


class Outcome(models.TextChoices):
    """The reply, as the rows of table 3 count it (each a leaf of the seven groups of the
    2021 format); the reply letter's type (Art. 36) follows from it."""

    # （一）予以公开 — including "already public: here is where" (Art. 36 (1))
    PUBLIC = "public", _("予以公开")
    ALREADY_PUBLIC = "already_public", _("予以公开（已主动公开，告知获取方式）")
    # （二）部分公开
    PARTIAL = "partial", _("部分公开")
    # （三）不予公开
    REFUSED_STATE_SECRET = "refused_state_secret", _("不予公开：属于国家秘密")
    REFUSED_LAW = "refused_law", _("不予公开：其他法律行政法规禁止公开")
    REFUSED_SAFETY = "refused_safety", _("不予公开：危及“三安全一稳定”")
    REFUSED_THIRD_PARTY = "refused_third_party", _("不予公开：保护第三方合法权益")
    REFUSED_INTERNAL = "refused_internal", _("不予公开：属于三类内部事务信息")
    REFUSED_PROCESS = "refused_process", _("不予公开：属于四类过程性信息")
    REFUSED_ENFORCEMENT = "refused_enforcement", _("不予公开：属于行政执法案卷")
    REFUSED_QUERY = "refused_query", _("不予公开：属于行政查询事项")
    # （四）无法提供
    UNABLE_NOT_HELD = "unable_not_held", _("无法提供：本机关不掌握相关政府信息")
    UNABLE_NEEDS_CREATION = "unable_needs_creation", _("无法提供：没有现成信息需要另行制作")
    UNABLE_UNCLEAR = "unable_unclear", _("无法提供：补正后申请内容仍不明确")
    # （五）不予处理
    NOT_PROCESSED_COMPLAINT = "not_processed_complaint", _("不予处理：信访举报投诉类申请")
    NOT_PROCESSED_REPEAT = "not_processed_repeat", _("不予处理：重复申请")
    NOT_PROCESSED_PUBLICATION = "not_processed_publication", _("不予处理：要求提供公开出版物")
    NOT_PROCESSED_MASS = "not_processed_mass", _("不予处理：无正当理由大量反复申请")
    NOT_PROCESSED_CONFIRM = (
        "not_processed_confirm",
        _("不予处理：要求行政机关确认或重新出具已获取信息"),
    )
    # （六）其他处理
    OTHER_UNCORRECTED = "other_uncorrected", _("其他处理：申请人逾期不补正，不再处理")
    OTHER_UNPAID = "other_unpaid", _("其他处理：申请人逾期未缴纳费用，不再处理")
    OTHER = "other", _("其他处理：其他")


class InfoRequest(models.Model):
    """One application to one unit. The applicant's ID number is kept only as a keyed
    hash and a mask; phone, email and address are kept for delivering the reply and
    shown masked to everyone but the unit's officials."""

    tracking_code = models.CharField(_("申请编号"), max_length=16, unique=True)
    query_code = models.CharField(_("查询码"), max_length=8)
    unit = models.ForeignKey(
        "portal.Unit",
        verbose_name=_("受理机关"),
        on_delete=models.PROTECT,
        related_name="info_requests",
    )
    region = models.ForeignKey(
        "portal.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="info_requests",
    )
    applicant_type = models.CharField(_("申请人类型"), max_length=16, choices=ApplicantType.choices)
    applicant_name = models.CharField(_("申请人姓名或名称"), max_length=100)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("身份证号码"), max_length=18, blank=True, editable=False)
    org_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=40, blank=True)
    phone = models.CharField(_("联系电话"), max_length=11)
    phone_hash = models.CharField(max_length=64, db_index=True, editable=False)
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("通信地址"), max_length=200, blank=True)
    description = models.TextField(_("所需信息的名称、文号或者便于查询的其他特征性描述"))
    delivery = models.CharField(_("获取方式"), max_length=16, choices=Delivery.choices)
    channel = models.CharField(_("申请渠道"), max_length=16, choices=RequestChannel.choices)
    submitted_at = models.DateTimeField(_("提交时间"))
    # The receipt date per channel (Art. 31); the date the corrected application arrived
    # after a correction notice. The clock counts from the next working day.
    received_on = models.DateField(_("收到申请日期"), null=True, blank=True)
    due_on = models.DateField(_("答复期限"), null=True, blank=True)
    due_is_provisional = models.BooleanField(default=False)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=InfoRequestStatus.choices,
        default=InfoRequestStatus.PROCESSING,
    )
    # One extension (Art. 33): at most 20 working days, approved, with a reason told to
    # the applicant.
    extension_days = models.PositiveSmallIntegerField(_("延期工作日数"), default=0)
    extension_reason = models.CharField(_("延期理由"), max_length=300, blank=True)
    extended_at = models.DateTimeField(_("延期时间"), null=True, blank=True)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("延期批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # One consolidated correction notice (Art. 30), within 7 working days of receipt.
    correction_notice = models.TextField(_("补正告知内容"), blank=True)
    correction_sent_at = models.DateTimeField(_("补正告知时间"), null=True, blank=True)
    correction_due_on = models.DateField(_("补正期限"), null=True, blank=True)
    corrected_at = models.DateTimeField(_("补正时间"), null=True, blank=True)
    corrected_description = models.TextField(_("补正后的申请内容"), blank=True)
    outcome = models.CharField(
        _("答复类型"), max_length=32, choices=Outcome.choices, blank=True, default=""
    )
    reply_text = models.TextField(_("答复内容"), blank=True)
    # For "not ours": the body that holds the information (Art. 36 (5)).
    competent_body = models.CharField(_("负责公开的机关"), max_length=100, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Fees (2020 measures: per request or per volume above the free allowance); free
    # unless set.
    fee_amount = models.DecimalField(
        _("信息处理费（元）"), max_digits=10, decimal_places=2, default=0
    )
    fee_basis = models.CharField(_("收费依据"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    close_reason = models.CharField(_("终止原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("依申请公开")
        verbose_name_plural = _("依申请公开")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status", "due_on"], name="inforequest_queue"),
            models.Index(fields=["region", "submitted_at"], name="inforequest_region"),
            models.Index(fields=["unit", "received_on"], name="inforequest_unit_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(extension_days__lte=20), name="inforequest_one_extension_max_20"
            ),
            models.CheckConstraint(
                condition=~Q(status=InfoRequestStatus.REPLIED)
                | (Q(replied_at__isnull=False) & ~Q(outcome="")),
                name="inforequest_replied_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(extension_days=0) | ~Q(extension_reason=""),
                name="inforequest_extension_has_reason",
            ),
            models.CheckConstraint(condition=Q(fee_amount__gte=0), name="inforequest_fee"),
        ]

    def __str__(self) -> str:
        return self.tracking_code


class InfoRequestEventKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交申请")
    RECEIVED = "received", _("登记收到")
    CORRECTION_SENT = "correction_sent", _("告知补正")
    CORRECTED = "corrected", _("申请人补正")
    CORRECTION_LAPSED = "correction_lapsed", _("逾期未补正")
    EXTENDED = "extended", _("延长答复期限")
    THIRD_PARTY_ASKED = "third_party_asked", _("征求第三方意见")
    THIRD_PARTY_ANSWERED = "third_party_answered", _("第三方意见返回")
    REPLIED = "replied", _("作出答复")
    REMINDED = "reminded", _("催办提醒")
    WITHDRAWN = "withdrawn", _("申请人撤回")


class InfoRequestEvent(models.Model):
    """What happened, in order; the applicant sees these (notes of officials only where
    they are meant for the applicant)."""

    request = models.ForeignKey(InfoRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=24, choices=InfoRequestEventKind.choices)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["request", "at", "id"]

    def __str__(self) -> str:
        # Shown above each row of the admin's event list: what, and when.
        return f"{self.get_kind_display()} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


class ThirdPartyConsultation(models.Model):
    """Waiting for a third party's opinion (Art. 32): the working days from `asked_on`
    (exclusive) to `answered_on` (inclusive, or today while open), at most 15, are not
    counted in the reply time."""

    request = models.ForeignKey(InfoRequest, on_delete=models.CASCADE, related_name="consultations")
    third_party = models.CharField(_("第三方"), max_length=100)
    asked_on = models.DateField(_("征求意见日期"))
    answered_on = models.DateField(_("意见返回日期"), null=True, blank=True)
    opinion = models.TextField(_("第三方意见"), blank=True)

    class Meta:
        verbose_name = _("征求第三方意见")
        verbose_name_plural = _("征求第三方意见")
        ordering = ["request", "asked_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=models.F("asked_on")),
                name="consultation_answered_after_asked",
            )
        ]

    def __str__(self) -> str:
        return self.third_party


class InfoRequestAttachment(models.Model):
    """A file of the applicant (proof of identity is not asked for online) or of the reply;
    stored privately, served through the request's access check."""

    request = models.ForeignKey(InfoRequest, on_delete=models.CASCADE, related_name="attachments")
    from_applicant = models.BooleanField(_("申请人提交"), default=True)
    file = models.FileField(upload_to="private/inforequests/%Y/%m/", max_length=200)
    token = models.CharField(max_length=32, editable=False)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["request", "id"]

    def __str__(self) -> str:
        return self.original_name


class ChallengeKind(models.TextChoices):
    RECONSIDERATION = "reconsideration", _("行政复议")
    LITIGATION = "litigation", _("行政诉讼（未经复议直接起诉）")
    LITIGATION_AFTER_RECONSIDERATION = "litigation_after", _("行政诉讼（复议后起诉）")


class ChallengeResult(models.TextChoices):
    UPHELD = "upheld", _("结果维持")
    CORRECTED = "corrected", _("结果纠正")
    OTHER = "other", _("其他结果")
    PENDING = "pending", _("尚未审结")


class Challenge(models.Model):
    """An administrative reconsideration or lawsuit about a unit's openness work (table 4),
    recorded by the unit's officials."""

    unit = models.ForeignKey(
        "portal.Unit", verbose_name=_("被申请机关"), on_delete=models.PROTECT, related_name="+"
    )
    request = models.ForeignKey(
        InfoRequest,
        verbose_name=_("相关申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="challenges",
    )
    kind = models.CharField(_("类型"), max_length=24, choices=ChallengeKind.choices)
    filed_on = models.DateField(_("立案日期"))
    result = models.CharField(
        _("结果"), max_length=16, choices=ChallengeResult.choices, default=ChallengeResult.PENDING
    )
    decided_on = models.DateField(_("审结日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("行政复议和行政诉讼")
        verbose_name_plural = _("行政复议和行政诉讼")
        ordering = ["-filed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result=ChallengeResult.PENDING) | Q(decided_on__isnull=False),
                name="challenge_decided_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filed_on}"


class InfoRequestReminder(models.Model):
    """The claim on one reminder of one request: (request, deadline, kind, tier) at most
    once, written and committed before the notification goes out (the protocol of
    portal.reminders, shared with the letters' LetterReminder). The deadline is part of
    the key: an extension, a correction or a third party's pause moves due_on and the
    reminders start again for the new date."""

    request = models.ForeignKey(
        InfoRequest,
        on_delete=models.CASCADE,
        related_name="reminders",
        db_index=False,  # served by the unique (request, due_on, kind, tier) index
    )
    due_on = models.DateField(_("答复期限"))
    kind = models.CharField(_("提醒类型"), max_length=16, choices=ReminderKind.choices)
    # 0 for the unit itself; k >= 1 for the supervisors of the k-th enclosing place that
    # has any, nearest first.
    tier = models.PositiveSmallIntegerField(_("督办层级"), default=0)
    region = models.ForeignKey(
        "portal.Region",
        verbose_name=_("督办地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipients = models.PositiveIntegerField(_("接收人数"), default=0)
    claimed_at = models.DateTimeField(_("认领时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("依申请公开提醒")
        verbose_name_plural = _("依申请公开提醒")
        ordering = ["request", "due_on", "tier", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "due_on", "kind", "tier"], name="inforequest_reminder_once"
            ),
            models.CheckConstraint(
                condition=Q(kind="overdue", tier__gte=1) | (~Q(kind="overdue") & Q(tier=0)),
                name="inforequest_reminder_tier_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.tier}"
