"""Standard catalogs: loading the YAML templates and telling which one a unit follows.

The templates live in disclosure/catalogs/*.yaml. Loading compares a digest of the
file with the current version: an unchanged file is a no-op, a changed one becomes a
new version (the old version's items stay, with every record published under them).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from disclosure.models import CatalogItem, CatalogTemplate, Channel, ScheduleKind, Scope
from portal.models import AuditAction, Unit, UnitKind
from portal.services.audit import audit_record

CATALOG_DIR = Path(__file__).resolve().parent / "catalogs"
EXPECTED_COUNTS = {
    "city_department": 15,
    "county_department": 14,
    "township": 61,
    "village": 76,
    "education_bureau": 63,
    "school": 35,
}
# The most specific template wins: an education bureau is also a department.
MATCH_ORDER = [
    "education_bureau",
    "school",
    "village",
    "township",
    "county_department",
    "city_department",
]
ITEM_KEYS = {
    "level1",
    "level2",
    "elements",
    "basis",
    "time_limit",
    "responsible",
    "channels",
    "audience",
    "scope",
    "mode",
    "level",
    "schedule",
}
LEVELS = {"市级", "县级", "乡级", "村级"}


def _schedule_fields(schedule: dict[str, Any], where: str) -> dict[str, Any]:
    kind = schedule.get("kind")
    if kind not in ScheduleKind.values:
        raise ValidationError(f"{where}: schedule.kind {kind!r}")
    if kind == ScheduleKind.YEARLY:
        month, day = schedule.get("month"), schedule.get("day")
        if not (
            isinstance(month, int) and 1 <= month <= 12 and isinstance(day, int) and 1 <= day <= 31
        ):
            raise ValidationError(f"{where}: yearly schedule needs month and day")
        return {"schedule_kind": kind, "schedule_month": month, "schedule_day": day}
    days = schedule.get("days")
    if not (isinstance(days, int) and 1 <= days <= 60):
        raise ValidationError(f"{where}: schedule.days must be 1–60 working days")
    return {"schedule_kind": kind, "schedule_days": days}


def parse_template(path: Path) -> dict[str, Any]:
    """Read and validate one template file; every problem names the item it is in."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    key = data.get("key")
    if key != path.stem:
        raise ValidationError(f"{path.name}: key {key!r} must match the file name")
    applies = data.get("applies_to") or {}
    items = []
    seen = set()
    for seq, raw in enumerate(data.get("items") or [], start=1):
        where = f"{path.name} item {seq}"
        missing = ITEM_KEYS - set(raw)
        if missing:
            raise ValidationError(f"{where}: missing {sorted(missing)}")
        if (raw["level1"], raw["level2"]) in seen:
            raise ValidationError(f"{where}: duplicate {raw['level1']} / {raw['level2']}")
        seen.add((raw["level1"], raw["level2"]))
        bad_channels = set(raw["channels"]) - set(Channel.values)
        if bad_channels or not raw["channels"]:
            raise ValidationError(
                f"{where}: channels {sorted(bad_channels)} not in the national list"
            )
        if raw["audience"] not in ("全社会", "特定群体") or raw["mode"] not in ("主动", "依申请"):
            raise ValidationError(f"{where}: audience or mode")
        if raw["scope"] not in Scope.values or (raw["audience"] == "全社会") != (
            raw["scope"] == Scope.PUBLIC
        ):
            raise ValidationError(f"{where}: scope {raw['scope']!r} does not fit audience")
        if raw["level"] not in LEVELS:
            raise ValidationError(f"{where}: level {raw['level']!r}")
        items.append(
            {
                "seq": seq,
                **{
                    k: str(raw[k]).strip()
                    for k in (
                        "level1",
                        "level2",
                        "elements",
                        "basis",
                        "time_limit",
                        "responsible",
                        "audience",
                        "scope",
                        "mode",
                        "level",
                    )
                },
                "channels": list(raw["channels"]),
                **_schedule_fields(raw["schedule"], where),
            }
        )
    expected = EXPECTED_COUNTS.get(key)
    if expected is not None and len(items) != expected:
        raise ValidationError(f"{path.name}: {len(items)} items, the standard has {expected}")
    return {
        "key": key,
        "name": data["name"],
        "description": data.get("description", ""),
        "unit_kinds": list(applies.get("unit_kinds") or []),
        "region_tiers": list(applies.get("region_tiers") or []),
        "sector": applies.get("sector") or "",
        "items": items,
    }


def _digest(template: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(template, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()


@transaction.atomic
def catalog_load(*, path: Path, actor: Any = None) -> tuple[CatalogTemplate, bool]:
    """Load one template file; returns (current template, whether a new version was made)."""
    parsed = parse_template(path)
    digest = _digest(parsed)
    current = (
        CatalogTemplate.objects.select_for_update()
        .filter(key=parsed["key"], is_current=True)
        .first()
    )
    if current and current.source_digest == digest:
        return current, False
    version = (current.version + 1) if current else 1
    if current:
        current.is_current = False
        current.save(update_fields=["is_current"])
    template = CatalogTemplate.objects.create(
        key=parsed["key"],
        version=version,
        name=parsed["name"],
        description=parsed["description"],
        unit_kinds=parsed["unit_kinds"],
        region_tiers=parsed["region_tiers"],
        sector=parsed["sector"],
        source_digest=digest,
    )
    CatalogItem.objects.bulk_create(
        CatalogItem(template=template, **item) for item in parsed["items"]
    )
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=template,
        changes={
            "version": [current.version if current else None, version],
            "items": [None, len(parsed["items"])],
        },
        note=_("载入标准目录 %(file)s") % {"file": path.name},
    )
    return template, True


def catalog_load_all(*, actor: Any = None) -> list[tuple[CatalogTemplate, bool]]:
    return [catalog_load(path=path, actor=actor) for path in sorted(CATALOG_DIR.glob("*.yaml"))]


def template_for(
    unit_kind: str, sector: str, tier: str, templates: list[CatalogTemplate]
) -> CatalogTemplate | None:
    by_key = {t.key: t for t in templates}
    # A people's government publishes under its tier's department catalog.
    if unit_kind == UnitKind.GOVERNMENT:
        unit_kind = UnitKind.DEPARTMENT
    for key in MATCH_ORDER:
        template = by_key.get(key)
        if template is None:
            continue
        if (
            unit_kind in template.unit_kinds
            and tier in template.region_tiers
            and (not template.sector or template.sector == sector)
        ):
            return template
    return None


def current_templates() -> list[CatalogTemplate]:
    return list(CatalogTemplate.objects.filter(is_current=True))


def catalog_for_unit(
    unit: Unit, templates: list[CatalogTemplate] | None = None
) -> CatalogTemplate | None:
    """The current template a unit publishes under, from its kind, sector and tier."""
    return template_for(
        unit.kind,
        unit.sector,
        unit.region.tier,
        templates if templates is not None else current_templates(),
    )


def items_for_unit(unit: Unit):
    template = catalog_for_unit(unit)
    if template is None:
        return CatalogItem.objects.none()
    return template.items.order_by("seq")


# Units with no catalog publish through other modules (funds, participation).
UNIT_KINDS_WITHOUT_CATALOG = {UnitKind.ACCOUNTING_CENTRE, UnitKind.SUPERVISORY_COMMITTEE}
