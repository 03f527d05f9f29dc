"""Forms of the proxy service. They only shape the input: the services validate it and
say what is wrong (services.services.proxy.validate_request)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Region
from services.models import ProxyRating, ProxyStatus


def village_label(region: Region) -> str:
    """平岗社区（五津街道）: names repeat across townships."""
    parent = region.parent.name if region.parent_id and region.parent else ""
    return f"{region.name}（{parent}）" if parent else region.name


class ProxyRequestForm(forms.Form):
    """The village is a select of the villages found by name (or fixed when the resident
    came from the village's page); the service checks the code whatever is posted."""

    region = forms.CharField(
        label=_("所在村（社区）"),
        error_messages={"required": _("请选择您所在的村（社区）。")},
        widget=forms.Select,
    )
    name = forms.CharField(
        label=_("姓名"),
        max_length=40,
        error_messages={"required": _("请填写姓名。")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        help_text=_("代办员会打这个电话联系您，不会公开。"),
        error_messages={"required": _("请填写手机号码。")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    detail = forms.CharField(
        label=_("需要帮您办什么"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("例如：帮我父亲办理高龄津贴，他行动不便，材料已备齐。"),
        error_messages={"required": _("请说明需要代办员帮您办什么。")},
    )

    def __init__(self, *args: Any, villages: list[Region], fixed: Region | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        if fixed is not None:
            # Chosen on the village's page: carried along, not asked again.
            field.widget = forms.HiddenInput()
            self.initial["region"] = fixed.code
        else:
            field.widget.choices = [
                ("", _("请选择")),
                *((village.code, village_label(village)) for village in villages),
            ]


class VillageSearchForm(forms.Form):
    q = forms.CharField(label=_("村（社区）名称"), max_length=40, required=False)


class TrackForm(forms.Form):
    tracking_code = forms.CharField(label=_("查询编号"), max_length=16)
    query_code = forms.CharField(
        label=_("查询码"), max_length=8, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("您对代办服务的评价"), choices=ProxyRating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("意见（选填）"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FinishForm(forms.Form):
    note = forms.CharField(
        label=_("办理结果（选填，申请人可见）"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：证明已开具，请到村委会领取。"),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回原因（必填，申请人可见）"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


QUEUE_FILTER_LABELS = {
    "open": _("未办结"),
    "overdue": _("已超期"),
    ProxyStatus.RECEIVED: ProxyStatus.RECEIVED.label,
    ProxyStatus.IN_PROGRESS: ProxyStatus.IN_PROGRESS.label,
    ProxyStatus.DONE: ProxyStatus.DONE.label,
    ProxyStatus.RETURNED: ProxyStatus.RETURNED.label,
    "all": _("全部"),
}
