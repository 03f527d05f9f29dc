"""Back office of requests for information (依申请公开), imported by disclosure.admin.

The unit's queue: overdue first, then the open requests by due date, filters by status,
overdue, channel and applicant type. On a request's page the unit's officials see the
applicant's contact details (supervisors of the place see them masked) and take one step
per save: register the receipt of a paper application, send the correction notice, grant
the extension (reviewers and admins), ask and record a third party's opinion, reply with
an outcome of table 3. Officials also type in applications that came by post, fax or in
person ("add"). Who sees and does what is disclosure.requests.permissions, as on the
pages and in the API; the services have the last word.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from disclosure.models import (
    ApplicantType,
    Delivery,
    InfoRequest,
    InfoRequestAttachment,
    InfoRequestEvent,
    InfoRequestStatus,
    Outcome,
    RequestChannel,
    ThirdPartyConsultation,
)
from disclosure.requests import deadlines, permissions, selectors, services
from disclosure.requests.forms import FilesField
from portal import identity
from portal import permissions as core
from portal.admin import (
    ActorForm,
    BackOfficeAdmin,
    ReadOnlyInline,
    ReadWithParent,
    ServiceValidated,
    dry_run,
)
from portal.permissions import Action

Status = InfoRequestStatus
# The person whose admin page is being drawn, for the display methods (admin instances
# are shared between requests and threads).
_viewer = threading.local()

ACTION_LABELS = {
    "register": _("登记收到申请（信函、传真、当面提交）"),
    "correction": _("告知补正（一次性，收到申请后7个工作日内）"),
    "extend": _("延长答复期限（审核人员或单位管理员批准）"),
    "ask": _("征求第三方意见"),
    "answer": _("登记第三方意见返回"),
    "reply": _("作出答复"),
}

# Where the services' field names are shown on the change form.
ALIASES = {
    "received_on": "act_received_on",
    "notice": "notice",
    "days": "ext_days",
    "reason": "ext_reason",
    "third_party": "tp_name",
    "asked_on": "tp_asked_on",
    "answered_on": "tp_answered_on",
    "opinion": "tp_opinion",
    "outcome": "reply_outcome",
    "reply_text": "reply_body",
    "competent_body": "reply_competent_body",
    "fee_amount": "reply_fee_amount",
    "fee_basis": "reply_fee_basis",
    "attachments": "reply_files",
}
# The fields of each step, shown under it when the step is offered.
STEP_FIELDS = {
    "register": ["act_received_on"],
    "correction": ["notice"],
    "extend": ["ext_days", "ext_reason"],
    "ask": ["tp_name", "tp_asked_on"],
    "answer": ["tp_consultation", "tp_answered_on", "tp_opinion"],
    "reply": [
        "reply_outcome",
        "reply_body",
        "reply_competent_body",
        "reply_fee_amount",
        "reply_fee_basis",
        "reply_files",
    ],
}


def outcome_choices() -> list:
    """The outcome select, grouped as the categories of table 3."""
    labels = dict(Outcome.choices)
    labels[services.NOT_OURS] = _("无法提供：不属于本机关负责公开（须告知负责公开的机关）")
    return [
        ("", _("请选择答复类型")),
        *(
            (group, [(value, labels[value]) for value in values])
            for group, values in selectors.OUTCOME_GROUPS
        ),
    ]


def actions_for(user: Any, info_request: InfoRequest) -> list[str]:
    """The steps this person may take on the request in its current status."""
    handle = permissions.can_handle(user, info_request)
    approve = permissions.can_approve_extension(user, info_request)
    status = info_request.status
    steps = []
    if handle and status == Status.PENDING:
        steps.append("register")
    if handle and status == Status.PROCESSING and not info_request.correction_sent_at:
        steps.append("correction")
    if approve and status in services.CLOCK_STATUSES and not info_request.extension_days:
        steps.append("extend")
    if handle and status in services.CLOCK_STATUSES:
        steps.append("ask")
    if handle and status == Status.THIRD_PARTY:
        steps.append("answer")
    if handle and status in services.CLOCK_STATUSES:
        steps.append("reply")
    return steps


def perform(info_request: InfoRequest, actor: Any, data: dict[str, Any]) -> InfoRequest:
    action = data.get("action")
    if action == "register":
        return services.receipt_register(
            request=info_request, received_on=data.get("act_received_on"), actor=actor
        )
    if action == "correction":
        return services.correction_notice_send(
            request=info_request, notice=data.get("notice") or "", actor=actor
        )
    if action == "extend":
        return services.extension_grant(
            request=info_request,
            days=data.get("ext_days") or 0,
            reason=data.get("ext_reason") or "",
            actor=actor,
        )
    if action == "ask":
        services.third_party_ask(
            request=info_request,
            third_party=data.get("tp_name") or "",
            asked_on=data.get("tp_asked_on"),
            actor=actor,
        )
        return info_request
    if action == "answer":
        consultation = data.get("tp_consultation")
        if consultation is None:
            raise ValidationError({"tp_consultation": [_("请选择返回意见的第三方。")]})
        services.third_party_answer(
            consultation=consultation,
            answered_on=data.get("tp_answered_on"),
            opinion=data.get("tp_opinion") or "",
            actor=actor,
        )
        return info_request
    if action == "reply":
        return services.reply(
            request=info_request,
            outcome=data.get("reply_outcome") or "",
            reply_text=data.get("reply_body") or "",
            competent_body=data.get("reply_competent_body") or "",
            fee_amount=data.get("reply_fee_amount") or 0,
            fee_basis=data.get("reply_fee_basis") or "",
            attachments=data.get("reply_files_data") or [],
            actor=actor,
        )
    if action:
        raise ValidationError({"action": [_("请选择办理操作。")]})
    return info_request


def _date(label, help_text="") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class InfoRequestActionForm(forms.ModelForm):
    """One step per save. clean() tries it in a savepoint and rolls it back, so the
    services' refusals become form errors and nothing typed is lost."""

    action = forms.ChoiceField(label=_("办理操作"), choices=[("", _("仅查看"))], required=False)
    act_received_on = _date(
        _("收到申请日期"),
        _("信函为签收之日，传真为双方确认之日，当面提交为递交之日；不能晚于今天。"),
    )
    notice = forms.CharField(
        label=_("补正告知"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("一次性写明需要补正的全部事项；申请人可以看到。"),
    )
    ext_days = forms.IntegerField(
        label=_("延长工作日数"), required=False, min_value=1, max_value=20
    )
    ext_reason = forms.CharField(
        label=_("延期理由"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("申请人可以看到理由和新的答复期限。"),
    )
    tp_name = forms.CharField(label=_("第三方"), required=False, max_length=100)
    tp_asked_on = _date(_("征求意见日期"))
    tp_consultation = forms.ModelChoiceField(
        label=_("返回意见的第三方"), queryset=ThirdPartyConsultation.objects.none(), required=False
    )
    tp_answered_on = _date(_("意见返回日期"))
    tp_opinion = forms.CharField(
        label=_("第三方意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reply_outcome = forms.ChoiceField(label=_("答复类型"), choices=(), required=False)
    reply_body = forms.CharField(
        label=_("答复内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "公开的，写明信息或获取方式；不予公开、部分公开、无法提供、不予处理的，写明理由和依据。"
        ),
    )
    reply_competent_body = forms.CharField(
        label=_("负责公开的机关"),
        required=False,
        max_length=100,
        help_text=_("不属于本机关负责公开的，告知申请人负责公开该信息的机关名称。"),
    )
    reply_fee_amount = forms.DecimalField(
        label=_("信息处理费（元）"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("一般不收费；超出规定数量或频次的，按2020年收费办法计收。"),
    )
    reply_fee_basis = forms.CharField(label=_("收费依据"), required=False, max_length=200)
    reply_files = FilesField(label=_("答复附件"), required=False)

    actor: Any = None

    class Meta:
        model = InfoRequest
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            steps = actions_for(self.actor, self.instance)
            self.fields["action"].choices = [
                ("", _("仅查看")),
                *((step, ACTION_LABELS[step]) for step in steps),
            ]
            self.fields["tp_consultation"].queryset = self.instance.consultations.filter(
                answered_on__isnull=True
            )
        self.fields["reply_outcome"].choices = outcome_choices()

    def clean(self) -> dict:
        data = super().clean()
        data["reply_files_data"] = [(f.name, f.read()) for f in data.get("reply_files") or []]
        if data.get("action") and not self.errors:
            dry_run(
                self,
                lambda: perform(InfoRequest.objects.get(pk=self.instance.pk), self.actor, data),
                fallback="action",
                refusal_field="action",
                aliases=ALIASES,
            )
        return data


class PaperRequestForm(ServiceValidated, forms.ModelForm):
    """An application that came by post, fax or in person, typed in by the unit's
    official; with the receipt date it is registered at once and its clock starts."""

    unit = forms.ModelChoiceField(label=_("受理机关"), queryset=None)
    channel = forms.ChoiceField(
        label=_("申请渠道"),
        choices=[c for c in RequestChannel.choices if c[0] != RequestChannel.ONLINE],
    )
    submitted_on = forms.DateField(
        label=_("申请日期"),
        help_text=_("信函的寄出（邮戳）日期，传真的发送日期，当面提交的递交日期。"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    received_on = _date(
        _("收到申请日期"),
        _("信函为签收之日，传真为双方确认之日，当面提交为递交之日。可以稍后登记。"),
    )
    applicant_type = forms.ChoiceField(label=_("申请人类型"), choices=ApplicantType.choices)
    applicant_name = forms.CharField(label=_("申请人姓名或单位名称"), max_length=100)
    id_number = forms.CharField(label=_("身份证号码（自然人）"), required=False, max_length=18)
    org_code = forms.CharField(
        label=_("统一社会信用代码（法人或其他组织）"), required=False, max_length=18
    )
    contact_person = forms.CharField(label=_("联系人"), required=False, max_length=40)
    phone = forms.CharField(label=_("手机号码"), max_length=20)
    email = forms.CharField(label=_("电子邮箱"), required=False, max_length=254)
    address = forms.CharField(label=_("通信地址"), required=False, max_length=200)
    description = forms.CharField(
        label=_("所需政府信息的描述"), widget=forms.Textarea(attrs={"rows": 5})
    )
    delivery = forms.ChoiceField(label=_("获取方式"), choices=Delivery.choices)
    attachments = FilesField(label=_("申请材料扫描件"), required=False)

    actor: Any = None

    class Meta:
        model = InfoRequest
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = core.units_for(self.actor, Action.EDIT).filter(is_active=True)
        field = self.fields["unit"]
        field.queryset = units.order_by("name")
        if core.is_platform_admin(self.actor):
            # Every unit of the city is too many for a select: type its number.
            field.widget = forms.NumberInput()
            field.help_text = _("填写单位编号（单位页面地址中的数字）。")

    def run(self) -> InfoRequest:
        data = self.cleaned_data
        submitted_on: dt.date = data["submitted_on"]
        if submitted_on > timezone.localdate():
            raise ValidationError({"submitted_on": [_("申请日期不能晚于今天。")]})
        # Noon of the day given: the date is what counts (Art. 31).
        submitted_at = timezone.make_aware(dt.datetime.combine(submitted_on, dt.time(12)))
        info_request = services.info_request_submit(
            unit=data["unit"],
            applicant_type=data["applicant_type"],
            applicant_name=data["applicant_name"],
            id_number=data.get("id_number") or "",
            org_code=data.get("org_code") or "",
            contact_person=data.get("contact_person") or "",
            phone=data["phone"],
            email=data.get("email") or "",
            address=data.get("address") or "",
            description=data["description"],
            delivery=data["delivery"],
            attachments=data.get("attachments_data") or [],
            channel=data["channel"],
            now=submitted_at,
            actor=self.actor,
        )
        if data.get("received_on"):
            info_request = services.receipt_register(
                request=info_request, received_on=data["received_on"], actor=self.actor
            )
        return info_request

    def clean(self) -> dict:
        data = super().clean()
        data["attachments_data"] = [(f.name, f.read()) for f in data.get("attachments") or []]
        if not self.errors:
            dry_run(self, self.run, fallback=None)
        return data


class EventInline(ReadWithParent, ReadOnlyInline):
    model = InfoRequestEvent
    fields = ["at", "kind", "actor", "note"]
    readonly_fields = fields
    verbose_name_plural = _("办理记录")


class ConsultationInline(ReadWithParent, ReadOnlyInline):
    model = ThirdPartyConsultation
    fields = ["third_party", "asked_on", "answered_on", "opinion"]
    readonly_fields = fields


class AttachmentInline(ReadWithParent, ReadOnlyInline):
    model = InfoRequestAttachment
    fields = ["download", "from_applicant", "content_type", "size", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("文件"))
    def download(self, attachment: InfoRequestAttachment):
        # The files carry the applicant's details: the unit's officials open them.
        if not permissions.can_see_contact(getattr(_viewer, "user", None), attachment.request):
            return attachment.original_name
        url = reverse(
            "info-request-file", args=[attachment.request.tracking_code, attachment.token]
        )
        return format_html('<a href="{}">{}</a>', url, attachment.original_name)


class OverdueFilter(admin.SimpleListFilter):
    title = _("期限")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("已超期")), ("open", _("未办结"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(selectors.overdue_filter(timezone.localdate()))
        if self.value() == "open":
            return queryset.filter(status__in=services.OPEN_STATUSES)
        return queryset


@admin.register(InfoRequest)
class InfoRequestAdmin(ActorForm, BackOfficeAdmin):
    form = InfoRequestActionForm
    list_display = [
        "tracking_code",
        "applicant_masked",
        "applicant_type",
        "unit",
        "channel",
        "status",
        "due_marker",
        "received_on",
    ]
    list_filter = ["status", OverdueFilter, "channel", "applicant_type"]
    search_fields = ["=tracking_code"]
    list_select_related = ["unit"]
    show_full_result_count = False
    inlines = [ConsultationInline, AttachmentInline, EventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[InfoRequest]:
        return permissions.info_requests_for(request.user).select_related(
            "unit", "unit__region", "extension_approved_by", "replied_by"
        )

    def get_ordering(self, request: HttpRequest) -> list:
        # Overdue first, then the open ones by due date, then the rest newest first.
        return [
            selectors.urgency(timezone.localdate()).asc(),
            F("due_on").asc(nulls_last=True),
            "-submitted_at",
        ]

    def get_object(self, request, object_id, from_field=None):
        # Someone else's request is missing, as on every other door (404, not the
        # admin's "does not exist" redirect).
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_view_permission(self, request: HttpRequest, obj: InfoRequest | None = None) -> bool:
        if obj is None:
            return core.is_back_office_user(request.user)
        return permissions.can_read(request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj: InfoRequest | None = None) -> bool:
        if obj is None:
            return core.is_back_office_user(request.user)
        return permissions.can_handle(request.user, obj) or permissions.can_approve_extension(
            request.user, obj
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return core.units_for(request.user, Action.EDIT).exists()

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PaperRequestForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request: HttpRequest, obj: InfoRequest | None = None):
        if obj is None:
            return []
        return [
            "tracking_code",
            "unit",
            "status",
            "channel",
            "submitted_at",
            "applicant_type",
            "applicant_shown",
            "identity_shown",
            "contact_shown",
            "delivery",
            "description_shown",
            "corrected_description_shown",
            "received_on",
            "due_shown",
            "extension_shown",
            "correction_shown",
            "outcome",
            "reply_text",
            "competent_body",
            "fee_shown",
            "replied_at",
            "replied_by",
            "closed_at",
            "close_reason",
        ]

    def get_fieldsets(self, request: HttpRequest, obj: InfoRequest | None = None):
        if obj is None:
            return [
                (
                    _("申请渠道和日期"),
                    {"fields": ["unit", "channel", "submitted_on", "received_on"]},
                ),
                (
                    _("申请人"),
                    {
                        "fields": [
                            "applicant_type",
                            "applicant_name",
                            "id_number",
                            "org_code",
                            "contact_person",
                            "phone",
                            "email",
                            "address",
                        ]
                    },
                ),
                (_("申请内容"), {"fields": ["description", "delivery", "attachments"]}),
            ]
        sets = [
            (
                _("申请"),
                {
                    "fields": [
                        "tracking_code",
                        "unit",
                        "status",
                        "channel",
                        "submitted_at",
                        "delivery",
                        "description_shown",
                        "corrected_description_shown",
                    ]
                },
            ),
            (
                _("申请人"),
                {
                    "fields": [
                        "applicant_type",
                        "applicant_shown",
                        "identity_shown",
                        "contact_shown",
                    ]
                },
            ),
            (
                _("期限"),
                {"fields": ["received_on", "due_shown", "extension_shown", "correction_shown"]},
            ),
            (
                _("答复"),
                {
                    "fields": [
                        "outcome",
                        "reply_text",
                        "competent_body",
                        "fee_shown",
                        "replied_at",
                        "replied_by",
                        "closed_at",
                        "close_reason",
                    ]
                },
            ),
        ]
        steps = actions_for(request.user, obj)
        if steps:
            sets.append(
                (
                    _("办理"),
                    {
                        "fields": ["action"],
                        "description": _(
                            "选择一项操作，填写该操作下面的栏目后保存；其他栏目留空即可。"
                        ),
                    },
                )
            )
            sets.extend((ACTION_LABELS[step], {"fields": STEP_FIELDS[step]}) for step in steps)
        return sets

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        _viewer.user = request.user
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _official(self, item: InfoRequest) -> bool:
        return permissions.can_see_contact(getattr(_viewer, "user", None), item)

    @admin.display(description=_("申请人"))
    def applicant_masked(self, item: InfoRequest) -> str:
        if item.applicant_type == ApplicantType.NATURAL_PERSON:
            return identity.mask_name(item.applicant_name)
        return item.applicant_name

    @admin.display(description=_("申请人姓名或名称"))
    def applicant_shown(self, item: InfoRequest) -> str:
        if self._official(item):
            return item.applicant_name
        return self.applicant_masked(item)

    @admin.display(description=_("证件"))
    def identity_shown(self, item: InfoRequest) -> str:
        if item.org_code:
            return _("统一社会信用代码 %(code)s") % {"code": item.org_code}
        if item.id_number_masked:
            return _("身份证号码 %(number)s") % {"number": item.id_number_masked}
        return "-"

    @admin.display(description=_("联系方式"))
    def contact_shown(self, item: InfoRequest):
        # The unit delivers the reply; supervisors see the numbers masked, no address.
        if self._official(item):
            rows = [
                (_("联系人"), item.contact_person),
                (_("手机"), item.phone),
                (_("电子邮箱"), item.email),
                (_("通信地址"), item.address),
            ]
        else:
            rows = [
                (_("联系人"), identity.mask_name(item.contact_person)),
                (_("手机"), identity.mask_phone(item.phone)),
            ]
        return format_html_join(mark_safe("<br>"), "{}：{}", [(k, v) for k, v in rows if v])  # nosec B308

    @admin.display(description=_("所需信息"))
    def description_shown(self, item: InfoRequest) -> str:
        return item.description if self._official(item) else identity.public_text(item.description)

    @admin.display(description=_("补正后的申请内容"))
    def corrected_description_shown(self, item: InfoRequest) -> str:
        text = item.corrected_description
        if not text:
            return "-"
        return text if self._official(item) else identity.public_text(text)

    @admin.display(description=_("答复期限"))
    def due_shown(self, item: InfoRequest):
        if item.due_on is None:
            if item.status == Status.CORRECTION:
                return _("补正期间暂停计算")
            if item.status == Status.PENDING:
                return _("登记收到后计算")
            return "-"
        text = date_format(item.due_on) + (str(_("（暂定）")) if item.due_is_provisional else "")
        if selectors.is_overdue(item, timezone.localdate()):
            return format_html('<strong class="overdue">{} {}</strong>', _("已超期"), text)
        return text

    @admin.display(description=_("延长答复期限"))
    def extension_shown(self, item: InfoRequest) -> str:
        if not item.extension_days:
            return "-"
        return _("%(days)d个工作日，理由：%(reason)s（%(who)s批准）") % {
            "days": item.extension_days,
            "reason": item.extension_reason,
            "who": item.extension_approved_by or "-",
        }

    @admin.display(description=_("补正"))
    def correction_shown(self, item: InfoRequest):
        if not item.correction_sent_at:
            if item.received_on and item.status == Status.PROCESSING:
                until, _p = deadlines.correction_notice_allowed_until(item.received_on)
                return _("未告知补正；最迟可在%(date)s告知") % {"date": date_format(until)}
            return "-"
        return format_html(
            "{}<br>{}：{}{}",
            item.correction_notice,
            _("补正期限"),
            date_format(item.correction_due_on),
            format_html(
                "<br>{}：{}",
                _("已补正"),
                date_format(timezone.localtime(item.corrected_at), "DATETIME_FORMAT"),
            )
            if item.corrected_at
            else "",
        )

    @admin.display(description=_("信息处理费"))
    def fee_shown(self, item: InfoRequest) -> str:
        if not item.fee_amount:
            return _("不收费")
        return f"{item.fee_amount} 元（{item.fee_basis}）"

    @admin.display(description=_("答复期限"), ordering="due_on")
    def due_marker(self, item: InfoRequest):
        if item.due_on is None:
            return "-"
        if selectors.is_overdue(item, timezone.localdate()):
            return format_html(
                '<strong class="overdue">{} {}</strong>', _("已超期"), date_format(item.due_on)
            )
        return date_format(item.due_on)

    def save_model(self, request: HttpRequest, obj: InfoRequest, form, change: bool) -> None:
        if not change:
            created = form.run()
            obj.pk, obj.tracking_code = created.pk, created.tracking_code
            return
        perform(InfoRequest.objects.get(pk=obj.pk), request.user, form.cleaned_data)
