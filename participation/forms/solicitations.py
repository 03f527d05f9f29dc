"""Forms of the public solicitation pages: the list filter and the opinion form. The
services decide what is allowed; these only carry what was typed."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from participation.forms.common import PlaceFilterForm
from participation.models import Phase
from participation.selectors.solicitations import SolicitationFilter
from portal import hierarchy


class SolicitationFilterForm(PlaceFilterForm):
    phase = forms.ChoiceField(
        label=_("征集状态"),
        required=False,
        choices=[("", _("全部")), *Phase.choices],
    )

    def clean_region(self) -> str:
        code = (self.cleaned_data.get("region") or "").strip()
        if code and not hierarchy.is_valid_code(code):
            raise ValidationError(_("区划代码应为12位数字，例如 510118000000。"))
        return code

    def criteria(self) -> SolicitationFilter:
        data = self.cleaned_data
        return SolicitationFilter(
            region=data.get("region") or None,
            unit=data.get("unit"),
            phase=data.get("phase") or None,
        )


class OpinionForm(forms.Form):
    text = forms.CharField(
        label=_("您的意见"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("请不要填写电话、身份证号等个人信息；这类内容公开时会被删去。"),
    )
    name = forms.CharField(
        label=_("署名（选填）"),
        max_length=40,
        required=False,
        help_text=_("不填则使用您注册时的姓名；公开时只显示姓氏，如“张*”。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["maxlength"] = settings.PARTICIPATION_MAX_TEXT_CHARS
