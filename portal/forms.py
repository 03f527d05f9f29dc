from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal import hierarchy, identity
from portal.models import Region, Tier, UnitKind
from portal.workdays import MAX_DAYS


class DateRangeMixin:
    """For a filter form with `since` and `until` dates: a reversed range is reported on
    `until` and neither end is used, as half of it would filter on a guess."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("结束日期不能早于开始日期。"))
            data.pop("since", None)
        return data


class WorkdayForm(forms.Form):
    date = forms.DateField(
        label=_("起算日期"),
        help_text=_("收到申请或来信的日期；从次日起计算。"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入有效日期，格式为 2026-09-28。")},
    )
    days = forms.IntegerField(
        label=_("工作日天数"),
        min_value=0,
        max_value=MAX_DAYS,
        initial=5,
        error_messages={
            "invalid": _("请输入整数天数。"),
            "min_value": _("天数不能为负数。"),
            "max_value": _("天数不能超过%(limit_value)s天。"),
        },
    )


class UnitSearchForm(forms.Form):
    q = forms.CharField(label=_("单位名称"), max_length=50, required=False)
    region = forms.CharField(label=_("区划代码"), max_length=12, required=False)
    kind = forms.ChoiceField(
        label=_("单位类型"), choices=[("", _("全部类型")), *UnitKind.choices], required=False
    )

    def clean_region(self) -> str:
        code = self.cleaned_data["region"].strip()
        if code and not hierarchy.is_valid_code(code):
            raise ValidationError(_("区划代码应为12位数字，例如 510118000000。"))
        return code


class RegisterForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=30,
        help_text=_("字母、数字或 @ . + - _，登录时使用。"),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    full_name = forms.CharField(
        label=_("姓名"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    password = forms.CharField(
        label=_("密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    password_again = forms.CharField(
        label=_("再次输入密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def clean_username(self) -> str:
        value = self.cleaned_data["username"].strip()
        UnicodeUsernameValidator(message=_("用户名只能包含字母、数字和 @ . + - _。"))(value)
        return value

    def clean_phone(self) -> str:
        return identity.validate_phone(self.cleaned_data["phone"])

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("两次输入的密码不一致。"))
        return data


class ResidencyForm(forms.Form):
    region = forms.CharField(
        label=_("所在村（社区）区划代码"),
        max_length=12,
        help_text=_("可在“按地区浏览”中找到本村（社区）页面，页面上标有12位代码。"),
    )
    real_name = forms.CharField(
        label=_("姓名"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    group_name = forms.CharField(label=_("村民小组"), max_length=40, required=False)
    is_household_head = forms.BooleanField(label=_("我是户代表"), required=False)

    def clean_region(self) -> Region:
        code = self.cleaned_data["region"].strip()
        region = (
            Region.objects.filter(code=code, is_active=True).first()
            if hierarchy.is_valid_code(code)
            else None
        )
        if region is None or region.tier != Tier.VILLAGE:
            raise ValidationError(_("请填写本村（社区）的12位区划代码。"))
        return region

    def clean_id_number(self) -> str:
        return identity.validate_id_number(self.cleaned_data["id_number"])
