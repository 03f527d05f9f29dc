"""Forms of the mutual-aid pages. They collect input; the services decide (the limits here
only shape the widgets, the services give the messages)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.models import AidCategory, AidKind, AidScope, AidStatus
from participation.services.mutual_aid import MAX_EXPIRY_DAYS, REASON_MAX_CHARS, TITLE_MAX_CHARS
from portal import hierarchy
from portal.models import Region, Tier

# The plain word for "this place" by how the place's name ends: 平岗社区 → 本社区.
_PLACE_WORDS = (
    ("社区", _("本社区")),
    ("街道", _("本街道")),
    ("村", _("本村")),
    ("镇", _("本镇")),
    ("乡", _("本乡")),
    ("区", _("本区")),
    ("县", _("本县")),
    ("市", _("本市")),
)
DEFAULT_EXPIRY_DAYS = 14


def _place_word(place: Region) -> str:
    if place.tier == Tier.CITY:
        return str(_("全市"))
    for suffix, word in _PLACE_WORDS:
        if place.name.endswith(suffix):
            return str(word)
    return str(AidScope(place.tier).label)


def scope_choices(village: Region | None) -> list[tuple[str, str]]:
    """The scope radio: with one village, each choice names its place (本社区（平岗社区）);
    otherwise the general labels."""
    if village is None:
        return list(AidScope.choices)
    places = {place.tier: place for place in hierarchy.breadcrumbs(village)}
    choices = []
    for value, label in AidScope.choices:
        place = places.get(value)
        if place is None:
            choices.append((value, label))
        else:
            label = _("%(word)s（%(place)s）") % {"word": _place_word(place), "place": place.name}
            choices.append((value, label))
    return choices


class AidPostForm(forms.Form):
    region = forms.ChoiceField(label=_("所在村（社区）"))
    kind = forms.ChoiceField(label=_("类型"), choices=AidKind.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(label=_("类别"), choices=[("", _("请选择")), *AidCategory.choices])
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX_CHARS)
    text = forms.CharField(
        label=_("内容"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "写清需要什么帮助或能提供什么帮助、时间和大致地点。请勿填写电话号码，"
            "有意者可在下方回复，电话号码、身份证号等会被自动隐去。"
        ),
    )
    scope = forms.ChoiceField(
        label=_("谁能看到"),
        widget=forms.RadioSelect,
        help_text=_("选择的范围越大，看到的人越多。"),
    )
    expires_on = forms.DateField(
        label=_("有效期至"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, villages: list[Region], **kwargs):
        today = timezone.localdate()
        kwargs.setdefault(
            "initial",
            {
                "scope": AidScope.VILLAGE,
                "expires_on": today + dt.timedelta(days=DEFAULT_EXPIRY_DAYS),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["text"].max_length = settings.PARTICIPATION_MAX_TEXT_CHARS
        self.fields["text"].widget.attrs["maxlength"] = settings.PARTICIPATION_MAX_TEXT_CHARS
        self.fields["region"].choices = [(place.code, place.name) for place in villages]
        self.fields["expires_on"].help_text = _("到期后不再显示在列表中，最长%(n)d天。") % {
            "n": MAX_EXPIRY_DAYS
        }
        self.fields["expires_on"].widget.attrs.update(
            min=(today + dt.timedelta(days=1)).isoformat(),
            max=(today + dt.timedelta(days=MAX_EXPIRY_DAYS)).isoformat(),
        )
        if len(villages) == 1:
            self.fields["region"].initial = villages[0].code
            self.fields["region"].widget = forms.HiddenInput()
            self.fields["scope"].choices = scope_choices(villages[0])
        else:
            self.fields["scope"].choices = scope_choices(None)


class AidFilterForm(forms.Form):
    region = forms.CharField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部")), *AidKind.choices]
    )
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部类别")), *AidCategory.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("", _("全部")),
            (AidStatus.OPEN, _("进行中")),
            (AidStatus.RESOLVED, _("已解决")),
        ],
    )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("回复内容"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("回复公开显示，电话号码等联系方式会被自动隐去。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].max_length = settings.PARTICIPATION_MAX_TEXT_CHARS
        self.fields["text"].widget.attrs["maxlength"] = settings.PARTICIPATION_MAX_TEXT_CHARS


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("举报理由"),
        max_length=REASON_MAX_CHARS,
        help_text=_("例如：虚假信息、广告、骗钱、辱骂他人。多人举报后该信息会暂时隐藏，等待审核。"),
    )


class ModerationForm(forms.Form):
    note = forms.CharField(
        label=_("审核说明"),
        max_length=REASON_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("屏蔽时必填，发布人会看到该说明。"),
    )


class ReplyHideForm(forms.Form):
    reason = forms.CharField(label=_("屏蔽理由"), max_length=REASON_MAX_CHARS)
