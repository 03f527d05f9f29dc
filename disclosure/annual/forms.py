"""Forms of the annual report pages: the narrative, the reviewer's answer, the list filter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from disclosure.annual.services import NARRATIVE_MAX_CHARS
from disclosure.annual.tables import FIRST_YEAR, PARTS
from portal import hierarchy


class NarrativeForm(forms.Form):
    overall = forms.CharField(
        label=PARTS["overall"],
        required=False,
        max_length=NARRATIVE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "综述本单位贯彻落实《中华人民共和国政府信息公开条例》的情况：主动公开、依申请公开、"
            "政府信息管理、平台建设、监督保障等。发布前必须填写。"
        ),
    )
    problems = forms.CharField(
        label=PARTS["problems"],
        required=False,
        max_length=NARRATIVE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("本年度存在的主要问题、上年度问题的改进情况和下一步打算。发布前必须填写。"),
    )
    other = forms.CharField(
        label=PARTS["other"],
        required=False,
        max_length=NARRATIVE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "如收取信息处理费以外的行政事业性收费、人大代表建议和政协提案办理情况等；"
            "没有可不填，发布时显示“无”。"
        ),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核意见"),
        choices=[("approve", _("审核通过并发布")), ("return", _("退回修改"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择审核通过或退回修改。")},
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=300,
        help_text=_("退回时必须写明修改意见。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("note") or "").strip():
            self.add_error("note", _("退回时请写明修改意见。"))
        return data


class ReportFilterForm(forms.Form):
    region = forms.CharField(required=False, widget=forms.HiddenInput)
    unit = forms.IntegerField(
        label=_("单位编号"),
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("单位编号应为数字。")},
    )
    year = forms.IntegerField(
        label=_("年度"),
        required=False,
        min_value=FIRST_YEAR,
        max_value=9999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("年度应为四位数字，例如 2025。"),
            "min_value": _("年度不能早于 %(limit_value)s 年。"),
            "max_value": _("年度应为四位数字，例如 2025。"),
        },
    )

    def clean_region(self) -> str:
        code = (self.cleaned_data.get("region") or "").strip()
        if code and not hierarchy.is_valid_code(code):
            raise forms.ValidationError(_("应为12位行政区划代码，例如 510118000000。"))
        return code
