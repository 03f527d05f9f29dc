"""Writes the demo into the database: places, units, logins and the working-day calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from portal.demo.geography import CITY_CODE, DEFAULT_SEED, Geography, build_geography
from portal.demo.people import demo_logins_create
from portal.demo.units import UnitPlan, plan_units
from portal.models import AuditAction, Region, Unit, User
from portal.services.audit import audit_record
from portal.services.calendar import CalendarLoad, calendar_load_year, package_years
from portal.services.regions import divisions_import

# The reference platform had 10,000+ units; fewer means the demo is not (fully) there.
DEMO_UNIT_COUNT = 10_000
BATCH_SIZE = 2000
PLATFORM_OPENED = dt.datetime(2025, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))


@dataclass
class DemoLoad:
    regions_created: int = 0
    regions_unchanged: int = 0
    units_created: int = 0
    calendar: list[CalendarLoad] = field(default_factory=list)


def _app_loaders() -> list[str]:
    """Dotted paths of the apps' demo loaders (settings.PORTAL_DEMO_LOADERS), such as
    "disclosure.demo.demo_load"; each module also has a cheap `demo_is_loaded`."""
    return list(getattr(settings, "PORTAL_DEMO_LOADERS", []))


def demo_is_loaded() -> bool:
    """Cheap enough to run on every start of the demo: three small queries, and one
    per app loader."""
    return (
        Region.objects.filter(code=CITY_CODE).exists()
        and User.objects.filter(username="admin").exists()
        and Unit.objects.count() >= DEMO_UNIT_COUNT
        and all(
            import_string(path.rsplit(".", 1)[0] + ".demo_is_loaded")() for path in _app_loaders()
        )
    )


def _units_create(plans: list[UnitPlan]) -> int:
    """Bulk-create the planned units that are not there yet; (region, name) identifies a
    unit, as the database's unique constraint does."""
    ids = {
        (region_id, name): pk
        for pk, region_id, name in Unit.objects.values_list("pk", "region_id", "name")
    }
    created = 0
    # Supervising units first, so the second pass can point at their ids.
    for with_parent in (False, True):
        batch = [
            Unit(
                name=plan.name,
                kind=plan.kind,
                sector=plan.sector,
                region_id=plan.region_code,
                parent_unit_id=ids[plan.parent] if plan.parent else None,
                address=plan.address,
                phone=plan.phone,
                office_hours=plan.office_hours,
            )
            for plan in plans
            if (plan.parent is not None) == with_parent and plan.key not in ids
        ]
        for unit in Unit.objects.bulk_create(batch, batch_size=BATCH_SIZE):
            ids[(unit.region_id, unit.name)] = unit.pk
        created += len(batch)
    # The demo's units have been on the platform since it opened, so completeness counts
    # their periods from then (auto_now_add stamped them with today).
    Unit.objects.filter(pk__in=ids.values(), created_at__gt=PLATFORM_OPENED).update(
        created_at=PLATFORM_OPENED
    )
    return created


@transaction.atomic
def demo_load(*, seed: int = DEFAULT_SEED) -> DemoLoad:
    """Build the whole demo. What is already present is kept, so a half-loaded demo is
    completed rather than duplicated."""
    result = demo_base_load(build_geography(seed), seed=seed)
    # The apps' demo content (catalogs, published records …) builds on the places,
    # units, logins and calendar of the base.
    for path in _app_loaders():
        import_string(path)(seed=seed)
    return result


@transaction.atomic
def demo_base_load(
    geography: Geography, *, seed: int = DEFAULT_SEED, units: list[UnitPlan] | None = None
) -> DemoLoad:
    """Places, units, the demo logins and the working-day calendar: what every app's
    demo (and portal.scale) builds on. `geography` may be a slice of the city that keeps
    平岗社区 and 五津街道, where the logins work, with `units` the slice's units."""
    report = divisions_import(rows=geography.rows(), actor=None, source="演示数据")
    result = DemoLoad(regions_created=report.created, regions_unchanged=report.unchanged)

    result.units_created = _units_create(plan_units(geography, seed) if units is None else units)
    if result.units_created:
        # One audit row for the batch: a row per unit would say nothing more.
        audit_record(
            actor=None,
            action=AuditAction.IMPORT,
            obj=Unit.objects.get(region_id=CITY_CODE, name="成都市人民政府"),
            changes={"units": [0, result.units_created]},
            note="演示数据：批量创建公开主体",
        )

    demo_logins_create(seed=seed)
    # Years already loaded are left alone by the service (officials may have edited them).
    result.calendar = [calendar_load_year(year=year, actor=None) for year in package_years()]
    return result
