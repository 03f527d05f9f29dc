import datetime as dt

import pytest

from disclosure import catalogs
from disclosure.models import CatalogItem, PublishingSetting, Record, ScheduleKind
from disclosure.services import record_create, record_submit
from portal.models import Unit, UnitKind
from tests.factories import UnitFactory


@pytest.fixture
def school(geo):
    bureau = geo.county_bureau
    return UnitFactory(
        name="新津区五津小学", kind=UnitKind.SCHOOL, region=geo.township, parent_unit=bureau
    )


def item_of(
    unit: Unit, *, kind: str | None = None, scope: str | None = None, text: str = ""
) -> CatalogItem:
    items = catalogs.items_for_unit(unit)
    if kind:
        items = items.filter(schedule_kind=kind)
    if scope:
        items = items.filter(scope=scope)
    if text:
        items = items.filter(level2__contains=text)
    return items.first()


def publish(
    unit: Unit, actor, *, title: str, body: str = "<p>内容</p>", scope=None, item=None, **extra
) -> Record:
    """Create and publish at once (the unit's review switched off)."""
    PublishingSetting.objects.update_or_create(unit=unit, defaults={"requires_review": False})
    item = item or item_of(unit, kind=ScheduleKind.ON_CHANGE) or item_of(unit)
    fields = {"info_date": dt.date(2026, 11, 2), **extra}
    if (
        item.schedule_kind in (ScheduleKind.MONTHLY, ScheduleKind.QUARTERLY, ScheduleKind.YEARLY)
        and "period_start" not in fields
    ):
        fields["period_start"] = {
            "monthly": dt.date(2026, 10, 1),
            "quarterly": dt.date(2026, 7, 1),
            "yearly": dt.date(2025, 1, 1),
        }[item.schedule_kind]
    record = record_create(
        unit=unit, item=item, title=title, body=body, actor=actor, scope=scope, **fields
    )
    return record_submit(record=record, actor=actor)
