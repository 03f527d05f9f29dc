"""Forms of the public vote pages: the ballot and the list filter. They only parse input;
participation.services.votes decides what counts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from participation.forms.common import PlaceFilterForm
from participation.models import Phase, Vote

NO_CHOICE = _("请至少选择一项。")


class BallotForm(forms.Form):
    """Radio buttons for a single-choice vote, check boxes for a multiple-choice one."""

    def __init__(self, *args: Any, vote: Vote, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.vote = vote
        choices = [(option.pk, option.text) for option in vote.options.all()]
        messages = {"required": NO_CHOICE, "invalid_choice": _("所选选项不属于本次投票。")}
        if vote.multiple:
            self.fields["options"] = forms.TypedMultipleChoiceField(
                label=vote.title,
                choices=choices,
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                error_messages={
                    **messages,
                    "invalid_list": _("选项无效。"),
                },
            )
        else:
            self.fields["options"] = forms.TypedChoiceField(
                label=vote.title,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages=messages,
            )

    def option_ids(self) -> list[int]:
        chosen = self.cleaned_data["options"]
        return list(chosen) if isinstance(chosen, list) else [chosen]


class VoteFilterForm(PlaceFilterForm):
    phase = forms.ChoiceField(
        label=_("投票阶段"),
        required=False,
        choices=[("", _("全部")), *Phase.choices],
    )
