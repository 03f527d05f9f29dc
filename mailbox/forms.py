from django import forms
from django.utils.translation import gettext_lazy as _

from mailbox.models import LetterType


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class LetterForm(forms.Form):
    type = forms.ChoiceField(
        label=_("来信类型"), choices=LetterType.choices, widget=forms.RadioSelect
    )
    subject = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(label=_("来信内容"), widget=forms.Textarea(attrs={"rows": 8}))
    # autocomplete names what a field asks for (WCAG 1.3.5): browsers fill it in, which
    # spares older writers the typing.
    name = forms.CharField(
        label=_("姓名"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        help_text=_("仅用于办理单位与您联系，不会公开。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("电子邮箱（选填）"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "email", "autocomplete": "email"}),
    )
    id_number = forms.CharField(
        label=_("身份证号码（选填）"),
        max_length=18,
        required=False,
        help_text=_("只保存加密摘要和遮挡后的号码。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    attachments = forms.FileField(
        label=_("附件（选填）"),
        required=False,
        widget=MultipleFileInput(),
        help_text=_("PDF、图片或 Office 文档，最多5个，每个不超过10 MB。"),
    )
    publish_consent = forms.BooleanField(
        label=_("同意在答复后公开本信（公开时姓名遮挡，不显示联系方式）"), required=False
    )

    def clean_attachments(self):
        return self.files.getlist("attachments")


class TrackForm(forms.Form):
    tracking_code = forms.CharField(label=_("查询编号"), max_length=16)
    query_code = forms.CharField(label=_("查询码"), max_length=8)


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("您对答复的评价"),
        choices=[("satisfied", _("满意")), ("basic", _("基本满意")), ("unsatisfied", _("不满意"))],
        widget=forms.RadioSelect,
    )
    reopen = forms.BooleanField(label=_("不满意，要求重新办理（仅限一次）"), required=False)
    comment = forms.CharField(label=_("意见（选填）"), max_length=300, required=False)
