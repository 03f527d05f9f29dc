"""Public pages of service guides (办事指南): the list of the guides that apply in a place,
by category tiles, by the places inside and by search; one guide in full; and its A4
print page for notice boards, with a QR code back to the online version.

Everything is read through services.selectors.guides, the same answers the API gives.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from disclosure import search
from portal import hierarchy
from portal import selectors as places
from portal.pages import query_without_page, region_or_404
from services.forms.guides import GuideFilterForm
from services.models import ServiceGuide
from services.selectors import guides as selectors

PAGE_SIZE = 20


def _query(**values: str | None) -> str:
    return urlencode({name: value for name, value in values.items() if value})


def guide_list(request: HttpRequest) -> HttpResponse:
    """Guides that apply in a place (or anywhere), by category and search. A filter that
    does not validate, or a place that does not exist, is a 404 like a wrong address."""
    form = GuideFilterForm(request.GET)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    region = region_or_404(data["region"])
    code = region.code if region else None
    category = data["category"] or None
    query = data["q"]
    page = Paginator(selectors.guides_found(code, category, query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if query:
        for guide in page.object_list:
            guide.name_marked = search.highlight(guide.name, query, length=200)
            guide.excerpt = search.highlight(
                search.joined([guide.applicants, guide.conditions]), query
            )
    tiles = [
        {
            "value": value,
            "label": label,
            "count": count,
            "query": _query(region=code, category=value, q=query),
            "current": value == category,
        }
        for value, label, count in selectors.category_counts(code, query)
    ]
    children_of = code or settings.PORTAL_ROOT_REGION
    return render(
        request,
        "services/guides/list.html",
        {
            "form": form,
            "page": page,
            "region": region,
            "category": category,
            "category_label": dict(ServiceGuide._meta.get_field("category").choices).get(
                category, ""
            ),
            "query": query,
            "tiles": tiles,
            "all_query": _query(region=code, q=query),
            "clear_query": _query(region=code, category=category),
            "total": sum(tile["count"] for tile in tiles),
            "breadcrumbs": hierarchy.breadcrumbs(region) if region else None,
            "breadcrumbs_link_last": True,
            "children": list(places.region_children(children_of)),
            "child_query": _query(category=category, q=query),
            "query_string": query_without_page(request),
        },
    )


def _guide_context(guide: ServiceGuide) -> dict:
    return {
        "guide": guide,
        "materials": list(guide.materials.all()),
        "steps": list(guide.steps.all()),
        "tier_phrase": selectors.tier_phrase(guide.lowest_tier),
        "applies_where": selectors.applies_where(guide),
        "overdue": selectors.verification_overdue(guide),
        "breadcrumbs": hierarchy.breadcrumbs(guide.region),
        "breadcrumbs_link_last": True,
    }


def _public_guide_or_404(pk: int) -> ServiceGuide:
    guide = selectors.guide_public(pk)
    if guide is None:
        raise Http404
    return guide


def guide_detail(request: HttpRequest, pk: int) -> HttpResponse:
    guide = _public_guide_or_404(pk)
    return render(request, "services/guides/detail.html", _guide_context(guide))


def qr_svg(url: str, title: str) -> SafeString:
    """An inline SVG QR code of `url` (error correction M, 4 modules of quiet zone),
    scalable by CSS: drawn with presentation attributes, no inline style."""
    code = segno.make(url, error="m")
    return mark_safe(  # noqa: S308 - segno escapes the title; the rest is its own markup  # nosec B308, B703
        code.svg_inline(
            scale=1,
            border=4,
            omitsize=True,
            dark="#000",
            light="#fff",
            title=title,
            svgclass="guide-qr",
            lineclass="guide-qr-line",
        )
    )


def guide_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The guide on one A4 page (or few) for a notice board, with a QR code of the
    online version's absolute address."""
    guide = _public_guide_or_404(pk)
    online = request.build_absolute_uri(reverse("service-guide", args=[guide.pk]))
    context = _guide_context(guide)
    context.update(
        {
            "online_url": online,
            "qr": qr_svg(online, _("扫码查看网上最新版本：%(url)s") % {"url": online}),
        }
    )
    return render(request, "services/guides/print.html", context)
