"""Reads of the core beyond one-line filters. Public pages see active places and units."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr

from portal import hierarchy
from portal.models import Region, Unit


def region_public(code: str) -> Region | None:
    try:
        code = hierarchy.normalize_code(code)
    except hierarchy.InvalidRegionCode:
        return None
    return Region.objects.filter(code=code, is_active=True).first()


def region_children(code: str) -> QuerySet[Region]:
    return hierarchy.children(code).filter(is_active=True).order_by("code")


def unit_counts_by_child(region: Region) -> dict[str, int]:
    """Active units inside each child place of `region`, in one grouped query."""
    length = hierarchy.child_prefix_length(region.code)
    if length is None:
        return {}
    rows = (
        hierarchy.in_subtree(Unit.objects.filter(is_active=True), region.code)
        .annotate(prefix=Substr("region_id", 1, length))
        .values("prefix")
        .annotate(total=Count("id"))
    )
    return {hierarchy.pad_code(row["prefix"]): row["total"] for row in rows}


def units_public(
    *, region: str | None = None, kind: str | None = None, query: str | None = None
) -> QuerySet[Unit]:
    """Active units, optionally inside a place's subtree, of a kind, or matching a name."""
    units = Unit.objects.filter(is_active=True).select_related("region")
    if region:
        units = hierarchy.in_subtree(units, region)
    if kind:
        units = units.filter(kind=kind)
    if query:
        units = units.filter(name__icontains=query.strip())
    return units.order_by("region_id", "kind", "name")


def units_of_place(region: Region) -> QuerySet[Unit]:
    """The units that sit at this place itself (not inside its children)."""
    return Unit.objects.filter(region=region, is_active=True).order_by("kind", "name")
