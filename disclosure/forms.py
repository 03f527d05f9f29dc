from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from disclosure.selectors import RecordFilter
from portal import hierarchy
from portal.models import Tier, UnitKind

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})
DATE_ERRORS = {"invalid": _("请输入有效日期，格式为 2026-09-28。")}


class RecordFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), max_length=50, required=False)
    region = forms.CharField(label=_("区划代码"), max_length=12, required=False)
    tier = forms.ChoiceField(
        label=_("层级"), choices=[("", _("全部层级")), *Tier.choices[1:]], required=False
    )
    kind = forms.ChoiceField(
        label=_("单位类型"), choices=[("", _("全部类型")), *UnitKind.choices], required=False
    )
    unit = forms.IntegerField(
        label=_("单位编号"), required=False, min_value=1, widget=forms.HiddenInput
    )
    item = forms.IntegerField(
        label=_("目录事项"), required=False, min_value=1, widget=forms.HiddenInput
    )
    order = forms.ChoiceField(
        label=_("排序"),
        choices=[("recent", _("最新发布在前")), ("relevance", _("相关度高在前"))],
        required=False,
    )
    since = forms.DateField(
        label=_("发布日期自"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    until = forms.DateField(
        label=_("至"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )

    def clean_region(self) -> str:
        code = self.cleaned_data["region"].strip()
        if code and not hierarchy.is_valid_code(code):
            raise ValidationError(_("区划代码应为12位数字，例如 510118000000。"))
        return code

    def clean(self) -> dict:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("结束日期不能早于开始日期。"))
        return data

    def criteria(self) -> RecordFilter:
        data = self.cleaned_data
        return RecordFilter(
            region=data.get("region") or None,
            tier=data.get("tier") or None,
            unit_kind=data.get("kind") or None,
            unit=data.get("unit"),
            item=data.get("item"),
            since=data.get("since"),
            until=data.get("until"),
            query=(data.get("q") or "").strip() or None,
            order=data.get("order") or "recent",
        )
