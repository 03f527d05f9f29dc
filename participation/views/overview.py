"""A place's participation: what is open to take part in now, the counters so far, and the
statistics page (the last twelve months as charts and a table, each child place's
figures)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from participation import stats
from participation.models import Phase
from participation.selectors import decisions as decision_selectors
from participation.selectors import evaluations as evaluation_selectors
from participation.selectors import mutual_aid as aid_selectors
from participation.selectors import solicitations as solicitation_selectors
from participation.selectors import votes as vote_selectors
from participation.selectors.decisions import DecisionFilter
from participation.selectors.evaluations import RoundFilter
from participation.selectors.mutual_aid import PublicAidPost
from participation.selectors.solicitations import SolicitationFilter
from participation.selectors.votes import VoteFilter
from participation.views.common import place_or_root_404
from portal import hierarchy
from portal.charts import column_chart
from portal.models import Region
from portal.pages import public_trail

# How many of each kind the overview lists; each list links to the whole of it.
OVERVIEW_ITEMS = 5


def place_or_404(request: HttpRequest) -> Region:
    """The place named by ?region= (a 12-digit code), the portal's root place without it."""
    return place_or_root_404(request.GET.get("region"))


def participation_stats(request: HttpRequest) -> HttpResponse:
    region = place_or_404(request)
    figures = stats.cached_stats(region.code)
    month_labels = [date_format(month, "YEAR_MONTH_FORMAT") for month in figures.months]
    short_labels = [f"{month.month}" for month in figures.months]
    charts = [
        (
            key,
            column_chart(
                list(zip(short_labels, figures.monthly[key], strict=True)),
                title=_("%(metric)s：近12个月每月数量") % {"metric": label},
                description=_("横轴为月份（%(first)s至%(last)s），纵轴为每月数量。")
                % {"first": month_labels[0], "last": month_labels[-1]},
            ),
        )
        for key, label in stats.METRICS
    ]
    totals = stats.cached_child_totals(region.code)
    names = dict(
        Region.objects.filter(code__in=[code for code, _counts in totals]).values_list(
            "code", "name"
        )
    )
    children = [
        {
            "code": code,
            "name": names.get(code, code),
            "own": code == region.code,
            "counts": [counts[key] for key, _label in stats.METRICS],
        }
        for code, counts in totals
    ]
    months = [
        (label, [figures.monthly[key][i] for key, _label in stats.METRICS])
        for i, label in enumerate(month_labels)
    ]
    return render(
        request,
        "participation/stats.html",
        {
            "region": region,
            "trail": public_trail(region),
            "figures": figures,
            "metrics": stats.METRICS,
            "charts": charts,
            "months": months,
            "children": children,
        },
    )


def participation_overview(request: HttpRequest) -> HttpResponse:
    """Open votes, evaluations and solicitations inside the place, the latest decisions
    and mutual-aid posts, each read through its module's public selector."""
    region = place_or_404(request)
    code, now, open_ = region.code, timezone.now(), Phase.OPEN
    return render(
        request,
        "participation/overview.html",
        {
            "region": region,
            "breadcrumbs": hierarchy.breadcrumbs(region),
            "breadcrumbs_link_last": True,
            "votes": list(
                vote_selectors.votes_public(VoteFilter(region=code, phase=open_), now=now)[
                    :OVERVIEW_ITEMS
                ]
            ),
            "rounds": list(
                evaluation_selectors.rounds_public(RoundFilter(region=code, phase=open_), now=now)[
                    :OVERVIEW_ITEMS
                ]
            ),
            "solicitations": list(
                solicitation_selectors.solicitations_public(
                    SolicitationFilter(region=code, phase=open_), now=now
                )[:OVERVIEW_ITEMS]
            ),
            "decisions": list(
                decision_selectors.decisions_public(DecisionFilter(region=code))[:OVERVIEW_ITEMS]
            ),
            "aid_posts": [
                PublicAidPost.of(post)
                for post in aid_selectors.aid_posts_visible(region=code)[:OVERVIEW_ITEMS]
            ],
        },
    )
