"""The place hierarchy: the one module that knows how division codes nest.

A 12-digit division code (GB/T 2260 + statistical code) reads
`51 01 18 001 001` = province · city · county · township · village. A place's subtree
is every code that starts with its significant prefix, so "everything inside 新津区"
is the code range 510118000000–510118999999: one indexed range scan, no walking of
parents. Every subtree, ancestor and children question in the project is answered here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, QuerySet

from portal.models.regions import Tier

if TYPE_CHECKING:
    from portal.models import Region

M = TypeVar("M", bound=Model)

CODE_LENGTH = 12
_CODE = re.compile(r"^\d{12}$")
# (tier, end of its segment in the code); a place's prefix ends where its segment ends.
_SEGMENTS: tuple[tuple[str, int], ...] = (
    (Tier.PROVINCE, 2),
    (Tier.CITY, 4),
    (Tier.COUNTY, 6),
    (Tier.TOWNSHIP, 9),
    (Tier.VILLAGE, 12),
)
PREFIX_LENGTH = dict(_SEGMENTS)
TIER_ORDER = [tier for tier, _ in _SEGMENTS]


class InvalidRegionCode(ValueError):
    """Not a 12-digit division code."""


def normalize_code(value: object) -> str:
    code = str(value or "").strip()
    if not _CODE.match(code) or code[:2] == "00":
        raise InvalidRegionCode(code)
    # A zero segment ends the code: 510118000001 (a village with no township) is not a place.
    start, seen_zero = 0, False
    for _tier, end in _SEGMENTS:
        zero = not code[start:end].strip("0")
        if seen_zero and not zero:
            raise InvalidRegionCode(code)
        seen_zero = seen_zero or zero
        start = end
    return code


def is_valid_code(value: object) -> bool:
    try:
        normalize_code(value)
    except InvalidRegionCode:
        return False
    return True


def tier_of(code: str) -> Tier:
    """The tier is the deepest segment that is not all zeros."""
    code = normalize_code(code)
    tier = Tier.PROVINCE
    start = 0
    for segment_tier, end in _SEGMENTS:
        if code[start:end].strip("0"):
            tier = Tier(segment_tier)
        start = end
    return tier


def prefix_of(code: str) -> str:
    """The significant prefix: '510118' for 新津区 510118000000."""
    code = normalize_code(code)
    return code[: PREFIX_LENGTH[tier_of(code)]]


def subtree_bounds(code: str) -> tuple[str, str]:
    prefix = prefix_of(code)
    pad = CODE_LENGTH - len(prefix)
    return prefix + "0" * pad, prefix + "9" * pad


def pad_code(prefix: str) -> str:
    return prefix + "0" * (CODE_LENGTH - len(prefix))


def parent_code(code: str) -> str | None:
    """The code of the enclosing place, or None for a province."""
    tier = tier_of(code)
    index = TIER_ORDER.index(tier)
    if index == 0:
        return None
    parent_prefix = code[: PREFIX_LENGTH[TIER_ORDER[index - 1]]]
    return pad_code(parent_prefix)


def ancestor_codes(code: str) -> list[str]:
    """Codes of every enclosing place, outermost first (the place itself excluded)."""
    code = normalize_code(code)
    chain = []
    current = parent_code(code)
    while current is not None:
        chain.append(current)
        current = parent_code(current)
    return chain[::-1]


def ancestor_at(code: str, tier: str) -> str | None:
    """The code of the place at `tier` that contains `code` (itself when it is at that
    tier), or None when `code` lies above that tier."""
    code = normalize_code(code)
    if TIER_ORDER.index(Tier(tier)) > TIER_ORDER.index(tier_of(code)):
        return None
    return pad_code(code[: PREFIX_LENGTH[Tier(tier)]])


def is_within(code: str, ancestor: str) -> bool:
    """True when `code` is `ancestor` or inside it."""
    return normalize_code(code).startswith(prefix_of(ancestor))


def child_tier(tier: str) -> Tier | None:
    index = TIER_ORDER.index(Tier(tier))
    return TIER_ORDER[index + 1] if index + 1 < len(TIER_ORDER) else None


def in_subtree(queryset: QuerySet[M], code: str, field: str = "region") -> QuerySet[M]:
    """Rows of `queryset` whose place (`field`, a Region FK or a code column) lies in the
    subtree of `code`. A range on the code: no join, served by the column's index."""
    low, high = subtree_bounds(code)
    return queryset.filter(**{f"{field}__gte": low, f"{field}__lte": high})


def in_any_subtree(queryset: QuerySet[M], codes: list[str], field: str = "region") -> QuerySet[M]:
    from django.db.models import Q

    if not codes:
        return queryset.none()
    condition = Q()
    for code in codes:
        low, high = subtree_bounds(code)
        condition |= Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return queryset.filter(condition)


def regions() -> QuerySet[Region]:
    from portal.models import Region

    return Region.objects.all()


def subtree(code: str) -> QuerySet[Region]:
    """The place and everything inside it."""
    return in_subtree(regions(), code, field="code")


def children(code: str) -> QuerySet[Region]:
    return regions().filter(parent_id=normalize_code(code))


def ancestors(code: str) -> QuerySet[Region]:
    """Enclosing places, outermost first: one query (breadcrumbs)."""
    return regions().filter(code__in=ancestor_codes(code)).order_by("code")


def breadcrumbs(region: Region) -> list[Region]:
    return [*ancestors(region.code), region]


def child_prefix_length(code: str) -> int | None:
    tier = child_tier(tier_of(code))
    return PREFIX_LENGTH[tier] if tier else None
