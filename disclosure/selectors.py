"""Reads of disclosure for every public door, always starting from visible_records()."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from disclosure import search
from disclosure.models import CatalogItem, Record, RecordKind, RecordStatus
from disclosure.permissions import visible_records
from portal import hierarchy


@dataclass
class RecordFilter:
    region: str | None = None
    tier: str | None = None
    unit_kind: str | None = None
    unit: int | None = None
    item: int | None = None
    item_family: tuple[str, str, str] | None = None  # (template key, level1, level2)
    since: dt.date | None = None
    until: dt.date | None = None
    period_start: dt.date | None = None
    query: str | None = None
    order: str = "recent"  # with a query: "recent" or "relevance"


def records_public(user: Any, criteria: RecordFilter) -> QuerySet[Record]:
    """Published records a person may read, filtered; newest first (best first when
    searching). Tier and unit kind are filters on the record's own columns."""
    records = visible_records(user)
    if criteria.region:
        records = hierarchy.in_subtree(records, criteria.region)
    if criteria.tier:
        records = records.filter(region__tier=criteria.tier)
    if criteria.unit_kind:
        records = records.filter(unit_kind=criteria.unit_kind)
    if criteria.unit:
        records = records.filter(unit_id=criteria.unit)
    if criteria.item:
        records = records.filter(item_id=criteria.item)
    if criteria.item_family:
        key, level1, level2 = criteria.item_family
        records = records.filter(item__template__key=key, item__level1=level1, item__level2=level2)
    if criteria.period_start:
        records = records.filter(period_start=criteria.period_start)
    if criteria.since:
        records = records.filter(published_at__date__gte=criteria.since)
    if criteria.until:
        records = records.filter(published_at__date__lte=criteria.until)
    records = records.select_related("unit", "region", "item")
    if criteria.query:
        return search.search(records, criteria.query, criteria.order)
    return records.order_by("-published_at", "-id")


def record_detail(user: Any, pk: int) -> Record | None:
    """A record the person may read, withdrawn ones included (they show their reason)."""
    return (
        visible_records(user, include_withdrawn=True)
        .select_related("unit", "unit__region", "item", "item__template", "policy", "region")
        .filter(pk=pk)
        .first()
    )


def policy_chain(user: Any, record: Record) -> dict[str, Any]:
    """发布、解读、回应: the policy and what hangs off it, as far as this person may see."""
    policy = (
        record.policy if record.kind in (RecordKind.INTERPRETATION, RecordKind.RESPONSE) else record
    )
    if policy is None or policy.kind != RecordKind.POLICY:
        return {}
    linked = list(
        visible_records(user).filter(policy=policy).select_related("unit").order_by("published_at")
    )
    return {
        "policy": policy,
        "interpretations": [r for r in linked if r.kind == RecordKind.INTERPRETATION],
        "responses": [r for r in linked if r.kind == RecordKind.RESPONSE],
    }


def item_family(item: CatalogItem) -> tuple[str, str, str]:
    return (item.template.key, item.level1, item.level2)


def latest_in_subtree(user: Any, code: str, limit: int = 10) -> list[Record]:
    return list(records_public(user, RecordFilter(region=code))[:limit])


def published_count() -> int:
    return Record.objects.filter(status=RecordStatus.PUBLISHED).count()
