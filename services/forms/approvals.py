"""Forms of the public approval pages: the catalog's filter and the projects' stage
filter. They only parse input; services.selectors.approvals decides what is shown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from services.models import CommitmentStage, MatterType
from services.selectors.approvals import BureauSummary

MAX_QUERY = 50


class MatterFilterForm(forms.Form):
    """The place (kept as a hidden field), the original department, the type of matter
    and words of its name. The departments offered are those of the catalog shown."""

    region = forms.CharField(widget=forms.HiddenInput, required=False)
    department = forms.TypedChoiceField(
        label=_("原职能部门"), required=False, coerce=int, empty_value=None
    )
    type = forms.ChoiceField(
        label=_("事项类型"), required=False, choices=[("", _("全部")), *MatterType.choices]
    )
    q = forms.CharField(
        label=_("事项名称"),
        required=False,
        max_length=MAX_QUERY,
        widget=forms.TextInput(attrs={"type": "search", "enterkeyhint": "search"}),
        error_messages={"max_length": _("查询词不能超过%(limit_value)d个字。")},
    )

    def __init__(self, *args: Any, summaries: list[BureauSummary], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        several = len(summaries) > 1
        choices: list[tuple[Any, str]] = [("", _("全部部门"))]
        for summary in summaries:
            for department in summary.departments:
                label = f"{department.name}（{department.matters}）"
                if several:
                    label = f"{summary.region_name} · {label}"
                choices.append((department.id, label))
        self.fields["department"].choices = choices
        self.fields["department"].error_messages["invalid_choice"] = _(
            "所选部门在本地区的审批事项目录中没有事项，请重新选择。"
        )
        self.fields["type"].error_messages["invalid_choice"] = _("请从列表中选择事项类型。")


class ProjectFilterForm(forms.Form):
    region = forms.CharField(widget=forms.HiddenInput, required=False)
    stage = forms.ChoiceField(
        label=_("项目进度"),
        required=False,
        choices=[("", _("全部")), *CommitmentStage.choices],
        error_messages={"invalid_choice": _("请从列表中选择项目进度。")},
    )
