"""Forms of the public ledger pages: the published month a reader picks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from funds.selectors import ledger as selectors


class MonthForm(forms.Form):
    """Pick one of a collective's published months (a GET form, no JavaScript)."""

    month = forms.ChoiceField(label=_("公开月份"), required=False)

    def __init__(self, *args: Any, months: Iterable[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [
            (selectors.month_key(month), selectors.month_title(month)) for month in months
        ]
