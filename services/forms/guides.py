"""Forms of the public guide pages: the list's filter and search. They only parse input;
services.selectors.guides decides what is shown."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from disclosure.search import MAX_QUERY_LENGTH
from services.models import GuideCategory


class GuideFilterForm(forms.Form):
    """The place (a 12-digit code, kept as a hidden field), the category (chosen by its
    tile, kept as a hidden field) and the words searched for."""

    region = forms.CharField(widget=forms.HiddenInput, required=False)
    category = forms.ChoiceField(
        choices=[("", _("全部")), *GuideCategory.choices],
        required=False,
        widget=forms.HiddenInput,
    )
    q = forms.CharField(
        label=_("搜索办事指南"),
        required=False,
        help_text=_("输入事项名称或关键词，例如：低保、准生证、社保卡。"),
        widget=forms.TextInput(attrs={"type": "search", "enterkeyhint": "search"}),
    )

    def clean_q(self) -> str:
        # Longer queries are cut, as the site search does, rather than refused.
        return " ".join(self.cleaned_data["q"].split())[:MAX_QUERY_LENGTH]
