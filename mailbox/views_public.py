"""The public's pages of the mailbox: published letters with their replies (来信选登),
per place subtree and per unit, and the channel's statistics (信箱统计).

A letter is shown only once published (selectors.published_letters); anything else,
and any letter that does not exist, is a 404. Templates receive PublicLetter, which
holds the writer's masked name and nothing else about them.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from mailbox import selectors, stats
from mailbox.models import LetterType
from mailbox.selectors import LetterFilter, PublicLetter
from portal import cachesafe, hierarchy
from portal import selectors as places
from portal.models import Region, Unit
from portal.pages import public_trail, query_without_page, region_or_404

PAGE_SIZE = 20


class PublicFilterForm(forms.Form):
    region = forms.CharField(widget=forms.HiddenInput, required=False)
    unit = forms.IntegerField(widget=forms.HiddenInput, required=False)
    type = forms.ChoiceField(
        label=gettext_lazy("来信类型"),
        required=False,
        choices=[("", gettext_lazy("全部类型")), *LetterType.choices],
    )


def letter_list(request: HttpRequest) -> HttpResponse:
    """Published letters inside a place (or the whole platform), of a unit, of a type;
    the newest reply first."""
    form = PublicFilterForm(request.GET)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    region = region_or_404(data["region"])
    unit = None
    if data["unit"] is not None:
        # Letters stay published after their unit is wound up, so inactive units too.
        unit = Unit.objects.select_related("region").filter(pk=data["unit"]).first()
        if unit is None:
            raise Http404
    criteria = LetterFilter(
        region=region.code if region else None,
        unit=unit.pk if unit else None,
        type=data["type"] or None,
    )
    page = Paginator(selectors.letters_public(criteria), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = [PublicLetter.of(letter) for letter in page.object_list]
    return render(
        request,
        "mailbox/public_list.html",
        {
            "form": form,
            "page": page,
            "region": region,
            "unit": unit,
            "breadcrumbs": hierarchy.breadcrumbs(region) if region else None,
            "breadcrumbs_link_last": False,
            "children": list(places.region_children(region.code)) if region and not unit else [],
            "type_filter": data["type"],
            "query_string": query_without_page(request),
        },
    )


def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = selectors.letter_public(pk)
    if letter is None:
        raise Http404
    region = Region.objects.filter(code=letter.region_code).first()
    return render(
        request,
        "mailbox/public_detail.html",
        {
            "letter": letter,
            "region": region,
            "breadcrumbs": hierarchy.breadcrumbs(region) if region else None,
            "breadcrumbs_link_last": True,
        },
    )


def letter_stats(request: HttpRequest) -> HttpResponse:
    """The channel's statistics for a place: the total, a row per child place and a row
    per unit at the place itself."""
    region = region_or_404(request.GET.get("region") or settings.PORTAL_ROOT_REGION)

    def figures() -> dict:
        criteria = LetterFilter(region=region.code)
        total, rows = stats.child_stats(region, criteria)
        return {"total": total, "places": rows, "units": stats.unit_stats(region, criteria)}

    # The city's figures read every letter (~0.2 s at 100,000, bench/letters.py): anyone
    # may ask for them, so they are computed once per place every few minutes.
    context = cachesafe.get_or_compute(
        f"mailbox:stats:{region.code}", figures, stats.cache_seconds()
    )
    return render(
        request,
        "mailbox/stats.html",
        {
            "region": region,
            "trail": public_trail(region),
            "child_tier": hierarchy.child_tier(region.tier),
            **context,
        },
    )
