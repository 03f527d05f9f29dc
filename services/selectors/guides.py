"""Reads of service guides: what the public sees, by place, category and search, and
what a unit's officials see in the back office (the guides of their units, and those
overdue for verification)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosure import search
from portal import hierarchy
from portal.models import Tier
from portal.permissions import Action, scope_queryset, units_for
from services.models import GuideCategory, GuideStatus, ServiceGuide, ServiceTier

# A guide not verified for this many days is overdue ("超过一年未核验").
STALE_AFTER_DAYS = 365

# What the lowest tier means to a resident, shown prominently on a guide.
TIER_PHRASES = {
    ServiceTier.VILLAGE: _("在村（社区）即可办理"),
    ServiceTier.TOWNSHIP: _("在乡镇（街道）即可办理"),
    ServiceTier.COUNTY: _("需到区（市）县办理"),
    ServiceTier.CITY: _("需到市级部门办理"),
}


def stale_cutoff(today: dt.date | None = None) -> dt.date:
    """Guides verified before this day are overdue for verification."""
    return (today or timezone.localdate()) - dt.timedelta(days=STALE_AFTER_DAYS)


def verification_overdue(guide: ServiceGuide, today: dt.date | None = None) -> bool:
    return guide.verified_on < stale_cutoff(today)


def tier_phrase(tier: str) -> str:
    return str(TIER_PHRASES.get(tier, ""))


def applies_where(guide: ServiceGuide) -> str:
    """Where the guide applies, in words: 全市通用, 新津区及下辖各地, 平岗社区."""
    region = guide.region
    if region.tier in (Tier.PROVINCE, Tier.CITY):
        return str(_("%(place)s全域通用") % {"place": region.name})
    if region.tier == Tier.VILLAGE:
        return region.name
    return str(_("%(place)s及下辖各地") % {"place": region.name})


def applying_in(queryset: QuerySet[ServiceGuide], code: str) -> QuerySet[ServiceGuide]:
    """Guides that apply to somebody in place `code`: those of the place or any place
    above it (a city-wide guide applies everywhere), and the local ones of the places
    inside it."""
    above = [*hierarchy.ancestor_codes(code), code]
    low, high = hierarchy.subtree_bounds(code)
    return queryset.filter(Q(region_id__in=above) | Q(region_id__gte=low, region_id__lte=high))


def guides_public(
    region_code: str | None = None, category: str | None = None
) -> QuerySet[ServiceGuide]:
    """Published guides, optionally those applying in a place and of one category."""
    guides = ServiceGuide.objects.filter(status=GuideStatus.PUBLISHED).select_related(
        "unit", "region"
    )
    if region_code:
        guides = applying_in(guides, region_code)
    if category:
        guides = guides.filter(category=category)
    return guides.order_by("category", "name", "id")


def matching(guides: QuerySet[ServiceGuide], query: str | None) -> QuerySet[ServiceGuide]:
    """`guides` containing every term of `query` (disclosure.search: exact substrings,
    Chinese bigrams), best match first (a match in the name before one in the body).
    No query leaves them as they are; a query with nothing to search finds nothing."""
    if not query or not query.strip():
        return guides
    raw = search.tsquery(query)
    if raw is None:
        return guides.none()
    search_query = SearchQuery(raw, search_type="raw", config="simple")
    return (
        guides.filter(search_vector=search_query)
        .annotate(rank=SearchRank(F("search_vector"), search_query))
        .order_by("-rank", "category", "name", "id")
    )


def guides_found(
    region_code: str | None = None, category: str | None = None, query: str | None = None
) -> QuerySet[ServiceGuide]:
    """The public list: published guides applying in a place, of a category, matching a
    search."""
    return matching(guides_public(region_code, category), query)


def guide_public(pk: Any) -> ServiceGuide | None:
    """One published guide with its materials and steps, or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return guides_public().prefetch_related("materials", "steps").filter(pk=pk).first()


def category_counts(
    region_code: str | None = None, query: str | None = None
) -> list[tuple[str, str, int]]:
    """(category, label, published guides) for all thirteen categories, in order; one
    query. With `query`, the guides matching that search."""
    guides = matching(guides_public(region_code), query)
    counted = dict(guides.order_by().values_list("category").annotate(n=Count("id")))
    return [(value, str(label), counted.get(value, 0)) for value, label in GuideCategory.choices]


# --- Back office ---------------------------------------------------------------------


def guides_back_office(user: Any) -> QuerySet[ServiceGuide]:
    """Every guide (draft, published, withdrawn) of the units this person may read:
    their own units' and, for a supervisor, those inside their places."""
    guides = ServiceGuide.objects.select_related("unit", "region")
    return scope_queryset(guides, user, Action.VIEW)


def overdue(guides: QuerySet[ServiceGuide], today: dt.date | None = None) -> QuerySet[ServiceGuide]:
    """Published guides of `guides` not verified for a year."""
    return guides.filter(status=GuideStatus.PUBLISHED, verified_on__lt=stale_cutoff(today))


def guides_to_verify(user: Any, today: dt.date | None = None) -> QuerySet[ServiceGuide]:
    """Published guides of the units this person edits that are overdue for
    verification: the unit's to-do."""
    units = units_for(user, Action.EDIT).values("pk")
    return overdue(ServiceGuide.objects.filter(unit__in=units), today)
