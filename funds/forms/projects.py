"""Forms of the public project pages: the list filter. They only parse input;
funds.selectors.projects decides what is shown."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from funds.models import ProjectCategory, Stage
from funds.services.projects import YEARS


class ProjectFilterForm(forms.Form):
    """The place (a 12-digit code, kept as a hidden field), the year, the stage and the
    category a list is narrowed to."""

    region = forms.CharField(widget=forms.HiddenInput, required=False)
    year = forms.IntegerField(
        label=_("年度"),
        required=False,
        min_value=YEARS[0],
        max_value=YEARS[1],
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    stage = forms.ChoiceField(
        label=_("所处阶段"), required=False, choices=[("", _("全部")), *Stage.choices]
    )
    category = forms.ChoiceField(
        label=_("项目类别"), required=False, choices=[("", _("全部")), *ProjectCategory.choices]
    )
