"""Forms of the evaluation pages: the list's filter, the one-page evaluation form (a radio
group and an optional comment per subject, all sent at once) and the supervisors' note."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from participation.forms.common import PlaceFilterForm
from participation.models import EvaluationSubject, Phase, Rating
from participation.services.evaluations import MAX_COMMENT, MAX_NOTE, already_message


class EvaluationFilterForm(PlaceFilterForm):
    year = forms.TypedChoiceField(label=_("评议年度"), required=False, coerce=int, empty_value=None)
    phase = forms.ChoiceField(
        label=_("进行情况"), required=False, choices=[("", _("全部")), *Phase.choices]
    )

    def __init__(self, data: Any, *, years: list[int]) -> None:
        super().__init__(data)
        self.fields["year"].choices = [
            ("", _("全部年度")),
            *((year, _("%(year)d年度") % {"year": year}) for year in years),
        ]


class EvaluationForm(forms.Form):
    """One radio group (满意 / 基本满意 / 不满意) and one comment per subject still to rate.
    A subject left without a choice is not sent; it may be rated later in the window."""

    def __init__(
        self,
        data: Any = None,
        *,
        subjects: list[EvaluationSubject],
        repeated: list[str] | None = None,
    ) -> None:
        super().__init__(data)
        self.subjects = subjects
        # Names of subjects already rated that this submission rates again.
        self.repeated = repeated or []
        for subject in subjects:
            self.fields[f"rating_{subject.pk}"] = forms.ChoiceField(
                label=str(subject),
                choices=Rating.choices,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"comment_{subject.pk}"] = forms.CharField(
                label=_("意见（选填，不公开）"),
                max_length=MAX_COMMENT,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[EvaluationSubject, forms.BoundField, forms.BoundField]]:
        return [
            (subject, self[f"rating_{subject.pk}"], self[f"comment_{subject.pk}"])
            for subject in self.subjects
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.repeated:
            raise forms.ValidationError(already_message(self.repeated))
        chosen = False
        for subject in self.subjects:
            rating, comment = data.get(f"rating_{subject.pk}"), data.get(f"comment_{subject.pk}")
            if rating:
                chosen = True
            elif comment:
                self.add_error(f"comment_{subject.pk}", _("填写意见前，请先选择评价。"))
        if not chosen and not self.errors:
            raise forms.ValidationError(_("请至少对一个评议对象作出评价。"))
        return data

    def ratings(self) -> list[dict[str, Any]]:
        """What evaluation_submit takes: the subjects given a rating, in page order."""
        data = self.cleaned_data
        return [
            {
                "subject": subject.pk,
                "rating": data[f"rating_{subject.pk}"],
                "comment": data.get(f"comment_{subject.pk}", ""),
            }
            for subject in self.subjects
            if data.get(f"rating_{subject.pk}")
        ]


class FlagHandleForm(forms.Form):
    note = forms.CharField(
        label=_("处理情况"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：已约谈、已启动罢免程序或已责令整改，并写明日期。"),
    )
