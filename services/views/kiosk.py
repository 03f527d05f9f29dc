"""Kiosk mode (集中式服务：社区便民服务中心的触摸屏): a community's service guides, its
and its township's published records, and its figures, browsed by touch alone.

Started by `/kiosk/<12-digit code>/` for a village or community; every page keeps the
kiosk frame (返回首页, 上一页) and static/services/kiosk.js sends an idle screen back
to the start page after SERVICES_KIOSK_IDLE_SECONDS. The screen is shared by everyone
who walks up to it, so it reads as an anonymous visitor whoever is logged in on the
browser, and no page may be served from the browser's cache.

Everything is read through the apps' public selectors, as their own pages do.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from disclosure import selectors as records
from funds.selectors import projects as fund_projects
from mailbox.stats import home_counters
from participation.stats import COUNTERS, METRICS, cached_counters
from portal import hierarchy
from portal import selectors as places
from portal.models import Region, Tier, Unit, UnitKind
from services.models import GuideCategory, ProxyRequest, ProxyStatus, ServiceGuide
from services.selectors import guides as guides_selectors
from services.views.guides import qr_svg

GUIDES_PER_PAGE = 8
RECORDS_PER_PAGE = 8
# The village's latest special-fund projects on the figures page.
FUND_PROJECTS_SHOWN = 6

# Which records the kiosk lists: both places, or one of them.
RECORD_SOURCES = ("all", "village", "township")


def idle_seconds() -> int:
    """SERVICES_KIOSK_IDLE_SECONDS (validated at start-up), at least one second."""
    return max(1, settings.SERVICES_KIOSK_IDLE_SECONDS)


def _community_or_404(code: str) -> Region:
    """The active village or community the kiosk belongs to; any other tier, or a code
    that names no place, is a 404."""
    region = places.region_public(code)
    if region is None or region.tier != Tier.VILLAGE:
        raise Http404
    return region


def _township(region: Region) -> Region | None:
    return Region.objects.filter(code=region.parent_id).first() if region.parent_id else None


def _page_number(request: HttpRequest) -> str | None:
    return request.GET.get("page")


def _render(
    request: HttpRequest,
    template: str,
    region: Region,
    context: dict[str, Any],
    *,
    back: str | None = None,
) -> HttpResponse:
    """A page in the kiosk frame: the community, the way back, the idle timer's data."""
    home = reverse("kiosk", args=[region.code])
    return render(
        request,
        template,
        {
            "region": region,
            "kiosk_home": home,
            "kiosk_back": back,
            "idle_seconds": idle_seconds(),
            "today": timezone.localdate(),
            **context,
        },
    )


def _applies_in(guide: ServiceGuide, code: str) -> bool:
    """A guide applies in a place when the place is inside the guide's region (the
    guide's own place or one above), or the guide is local to a place inside it."""
    return hierarchy.is_within(code, guide.region_id) or hierarchy.is_within(guide.region_id, code)


@never_cache
def kiosk_start(request: HttpRequest, code: str) -> HttpResponse:
    """The start page: three big tiles, and where the community's office is."""
    region = _community_or_404(code)
    office = (
        Unit.objects.filter(region=region, kind=UnitKind.VILLAGE_COMMITTEE, is_active=True)
        .order_by("id")
        .first()
    )
    return _render(
        request, "services/kiosk/start.html", region, {"office": office, "is_start": True}
    )


@never_cache
def kiosk_categories(request: HttpRequest, code: str) -> HttpResponse:
    """The thirteen categories as tiles, each with how many guides apply here."""
    region = _community_or_404(code)
    counts = guides_selectors.category_counts(region.code)
    return _render(
        request,
        "services/kiosk/categories.html",
        region,
        {"categories": counts, "total": sum(n for _value, _label, n in counts)},
        back=reverse("kiosk", args=[region.code]),
    )


@never_cache
def kiosk_category(request: HttpRequest, code: str, category: str) -> HttpResponse:
    """The guides of one category that apply in the community, a screenful at a time."""
    region = _community_or_404(code)
    if category not in GuideCategory.values:
        raise Http404
    guides = guides_selectors.guides_public(region.code, category)
    page = Paginator(guides, GUIDES_PER_PAGE).get_page(_page_number(request))
    return _render(
        request,
        "services/kiosk/category.html",
        region,
        {"category": category, "label": GuideCategory(category).label, "page": page},
        back=reverse("kiosk-guides", args=[region.code]),
    )


@never_cache
def kiosk_guide(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """One guide, in big type: who, what to bring, the steps, where, when, how long."""
    region = _community_or_404(code)
    guide = guides_selectors.guide_public(pk)
    # A guide of another place is not this kiosk's, whatever its number.
    if guide is None or not _applies_in(guide, region.code):
        raise Http404
    # The guide's page on the portal, to take away on a phone.
    online = request.build_absolute_uri(reverse("service-guide", args=[guide.pk]))
    return _render(
        request,
        "services/kiosk/guide.html",
        region,
        {
            "guide": guide,
            "materials": list(guide.materials.all()),
            "steps": list(guide.steps.all()),
            "qr": qr_svg(online, guide.name),
        },
        back=reverse("kiosk-category", args=[region.code, guide.category]),
    )


def _record_condition(region: Region, township: Region | None, source: str) -> Q:
    """The community's own records (its committees'), and its township government's or
    street office's: not the schools or centres that sit in the township's place."""
    village = Q(region_id=region.code)
    if township is None or source == "village":
        return village
    office = Q(region_id=township.code, unit_kind=UnitKind.TOWNSHIP_OFFICE)
    return office if source == "township" else village | office


@never_cache
def kiosk_records(request: HttpRequest, code: str) -> HttpResponse:
    """The latest records published by the community's own units and by its township
    office (not the township's other villages), newest first."""
    region = _community_or_404(code)
    township = _township(region)
    source = request.GET.get("from", "all")
    if source not in RECORD_SOURCES:
        raise Http404
    # Anonymous on purpose: a shared screen shows only what everyone may read.
    latest = records.records_public(
        AnonymousUser(), records.RecordFilter(region=township.code if township else region.code)
    ).filter(_record_condition(region, township, source))
    page = Paginator(latest, RECORDS_PER_PAGE).get_page(_page_number(request))
    return _render(
        request,
        "services/kiosk/records.html",
        region,
        {"township": township, "source": source, "page": page},
        back=reverse("kiosk", args=[region.code]),
    )


@never_cache
def kiosk_record(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """One record of the community or its township, in kiosk type."""
    region = _community_or_404(code)
    record = records.record_detail(AnonymousUser(), pk)
    if record is None or not (
        record.region_id == region.code
        or (record.region_id == region.parent_id and record.unit_kind == UnitKind.TOWNSHIP_OFFICE)
    ):
        raise Http404
    return _render(
        request,
        "services/kiosk/record.html",
        region,
        {"record": record, "withdrawn": record.status == "withdrawn"},
        back=reverse("kiosk-records", args=[region.code]),
    )


def _proxy_figures(code: str) -> list[tuple[str, int]]:
    counted = dict(
        ProxyRequest.objects.filter(region_id=code)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return [(str(label), counted.get(value, 0)) for value, label in ProxyStatus.choices]


@never_cache
def kiosk_stats(request: HttpRequest, code: str) -> HttpResponse:
    """The community's figures: participation, letters, its special-fund projects and
    the proxy service, each from the app that owns it."""
    region = _community_or_404(code)
    participation = cached_counters(region.code)
    labels = dict(METRICS)
    projects = list(
        fund_projects.projects_public(fund_projects.ProjectFilter(region=region.code))[
            :FUND_PROJECTS_SHOWN
        ]
    )
    for project in projects:
        project.money = fund_projects.money_of(project)
    return _render(
        request,
        "services/kiosk/stats.html",
        region,
        {
            "participation": [(str(labels[key]), participation[key]) for key in COUNTERS],
            "letters": home_counters(region.code, cache_seconds=60),
            "projects": projects,
            "proxy": _proxy_figures(region.code),
        },
        back=reverse("kiosk", args=[region.code]),
    )
