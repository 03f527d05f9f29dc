"""Forms of the monitoring dashboards: the alert list's filters and an official's note."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from funds.models import Alert, AlertKind
from funds.selectors.monitoring import ALL, CLEARED, OPEN, AlertFilter
from portal.forms import DateRangeMixin
from portal.models import Region

MAX_NOTE = Alert._meta.get_field("handling_note").max_length
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AlertFilterForm(DateRangeMixin, forms.Form):
    region = forms.CharField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("预警类型"),
        required=False,
        choices=[("", gettext_lazy("全部类型")), *AlertKind.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[
            (OPEN, gettext_lazy("未消除")),
            (CLEARED, gettext_lazy("已消除")),
            (ALL, gettext_lazy("全部")),
        ],
    )
    child = forms.ChoiceField(label=gettext_lazy("下辖地区"), required=False)
    since = forms.DateField(label=gettext_lazy("发现日期自"), required=False, widget=DATE_INPUT)
    until = forms.DateField(label=gettext_lazy("发现日期至"), required=False, widget=DATE_INPUT)

    def __init__(self, data: Any, *, children: list[Region]) -> None:
        super().__init__(data)
        if children:
            self.fields["child"].choices = [
                ("", gettext_lazy("全部地区")),
                *((child.code, child.name) for child in children),
            ]
        else:
            # A village has no place below it to choose.
            del self.fields["child"]

    def criteria(self, region: Region) -> AlertFilter:
        """The valid part of the filter: a wrong field is reported and left out."""
        data = getattr(self, "cleaned_data", {})
        return AlertFilter(
            region=region.code,
            kind=data.get("kind") or None,
            status=data.get("status") or OPEN,
            child=data.get("child") or None,
            since=data.get("since"),
            until=data.get("until"),
        )


class AlertHandleForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("处理情况"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "写明做了什么、何时做的，例如：已约谈村（社区）报账员，要求 3 日内补交原始凭证。"
            "预警在原因消除后由系统自动消除。"
        ),
    )
