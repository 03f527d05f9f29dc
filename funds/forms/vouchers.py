"""The form a person fills in to see a collective's original vouchers."""

from django import forms
from django.utils.translation import gettext_lazy as _


class VoucherAccessForm(forms.Form):
    name = forms.CharField(
        label=_("姓名"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=24,
        help_text=_("18位，最后一位可能是 X。只用于核对身份，不会保存或显示完整号码。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
