"""Filters of the public pages of decisions and meeting records (the back office's
forms are in participation/admin/decisions.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from participation.forms.common import PlaceFilterForm
from participation.models import DecisionStatus, MeetingKind


class DecisionFilterForm(PlaceFilterForm):
    status = forms.ChoiceField(
        label=_("办理进度"),
        required=False,
        choices=[("", _("全部")), *DecisionStatus.choices],
    )


class MeetingFilterForm(PlaceFilterForm):
    kind = forms.ChoiceField(
        label=_("会议类型"),
        required=False,
        choices=[("", _("全部类型")), *MeetingKind.choices],
    )
