"""Forms of requests for information. The public forms only shape the input: the
services validate it and say what is wrong (services.validate_request)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from disclosure.models import ApplicantType, Delivery
from disclosure.requests.services import max_attachment_bytes, max_attachments


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input; the service checks each by its content."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(FilesField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def files_help() -> str:
    limits = {"n": max_attachments(), "mb": max_attachment_bytes() // (1024 * 1024)}
    return _("PDF、图片或 Office 文档，最多%(n)d个，每个不超过%(mb)d MB。") % limits


def _text(label, *, required=False, help_text="", **attrs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs) if attrs else None,
    )


class InfoRequestForm(forms.Form):
    applicant_type = forms.ChoiceField(
        label=_("申请人类型"),
        choices=ApplicantType.choices,
        initial=ApplicantType.NATURAL_PERSON,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择申请人类型。")},
    )
    applicant_name = forms.CharField(
        label=_("申请人姓名或单位名称"),
        max_length=100,
        error_messages={"required": _("请填写申请人姓名或单位名称。")},
    )
    id_number = _text(
        _("身份证号码（自然人填写）"),
        help_text=_("只保存加密摘要和遮挡后的号码。"),
        autocomplete="off",
    )
    org_code = _text(
        _("统一社会信用代码（法人或其他组织填写）"),
        help_text=_("18位，例如 91510100MA61R6T76K。"),
        autocomplete="off",
    )
    contact_person = _text(_("联系人（法人或其他组织必填）"), maxlength="40")
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        help_text=_("仅用于受理机关与您联系，不会公开。"),
        error_messages={"required": _("请填写手机号码。")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = _text(_("电子邮箱"), inputmode="email", autocomplete="email")
    address = _text(
        _("通信地址"),
        help_text=_("选择邮寄纸质材料的必填。"),
        maxlength="200",
        autocomplete="street-address",
    )
    description = forms.CharField(
        label=_("所需政府信息的名称、文号或者便于查询的其他特征性描述"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("请写明所需政府信息的名称、文号或者便于查询的其他特征。")},
    )
    delivery = forms.ChoiceField(
        label=_("获取信息的方式"),
        choices=Delivery.choices,
        initial=Delivery.ONLINE,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择获取信息的方式。")},
    )
    attachments = FilesField(label=_("附件（选填）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = files_help()


class TrackForm(forms.Form):
    tracking_code = forms.CharField(label=_("申请编号"), max_length=16)
    query_code = forms.CharField(
        label=_("查询码"), max_length=8, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )


class CorrectionForm(forms.Form):
    corrected_description = forms.CharField(
        label=_("补正后的申请内容"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请按补正告知的要求，完整写明所需政府信息。"),
        error_messages={"required": _("请填写补正后的申请内容。")},
    )
    attachments = FilesField(label=_("补充材料（选填）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = files_help()


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("我确认撤回本申请（撤回后不再处理）"),
        error_messages={"required": _("请勾选确认后再撤回。")},
    )
    reason = forms.CharField(label=_("撤回理由（选填）"), max_length=200, required=False)
