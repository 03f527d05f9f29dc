"""What the participation list filters share."""

from __future__ import annotations

from django import forms


class PlaceFilterForm(forms.Form):
    """The place (a 12-digit code) and the unit a public list is narrowed to; carried as
    hidden fields so that a filter keeps them (participation.views.common.filters_or_404)."""

    region = forms.CharField(widget=forms.HiddenInput, required=False)
    unit = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
