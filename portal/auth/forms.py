from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

_CODE_ATTRS = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "spellcheck": "false",
    "autocapitalize": "off",
}


class SecondStepForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=20,
        help_text=_("打开手机上的身份验证器应用，输入显示的6位数字；手机丢失时可输入一个恢复码。"),
        widget=forms.TextInput(attrs={**_CODE_ATTRS, "autofocus": True}),
        error_messages={"required": _("请输入验证码。")},
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=6,
        help_text=_("扫描二维码或输入密钥后，填写应用显示的6位数字以确认。"),
        widget=forms.TextInput(attrs=_CODE_ATTRS),
        error_messages={"required": _("请输入验证码。")},
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("当前密码"),
        strip=False,
        help_text=_("为确认是您本人操作，请输入登录密码。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("请输入当前密码。")},
    )
