"""The demo's published records (disclosure/demo/).

Two cities: the small test geography with a handful of units, for the generator's
invariants and its determinism; and 新津区 built by the real demo generators (places,
units, calendar, catalogs), loaded once for the module inside a transaction that is
rolled back, for the demo's guarantees. The whole city is loaded by tests/portal/
test_demo.py through seed_demo.
"""

import datetime as dt
import re
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from disclosure import catalogs, demo, services
from disclosure.models import Record, RecordKind, RecordStatus, ScheduleKind, Scope
from disclosure.models.catalog import PERIODIC
from portal import hierarchy
from portal.demo.geography import (
    DEFAULT_SEED,
    PINGGANG_CODE,
    XINJIN_CODE,
    build_geography,
)
from portal.demo.units import plan_units
from portal.models import CalendarDay, DayKind, Sector, Unit, UnitKind
from portal.richtext import sanitize
from portal.services.calendar import calendar_load_year
from portal.services.regions import divisions_import
from tests.factories import UnitFactory, UserFactory

ID_NUMBER = re.compile(r"\d{17}[\dXx]")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def assert_invariants(records, *, holidays=frozenset(), workdays=frozenset()):
    """What the services would have enforced, row by row."""
    templates = catalogs.current_templates()
    for record in records:
        unit, item = record.unit, record.item
        where = f"{record.pk} {record.title}"
        assert record.region_id == unit.region_id, where
        assert record.unit_kind == unit.kind, where
        assert (
            item.template_id
            == catalogs.template_for(unit.kind, unit.sector, unit.region.tier, templates).pk
        ), where
        if item.schedule_kind in PERIODIC:
            start, end = services.period_bounds(item.schedule_kind, record.period_start)
            assert (record.period_start, record.period_end) == (start, end), where
            assert start.day == 1, where
            if item.schedule_kind == ScheduleKind.QUARTERLY:
                assert start.month in (1, 4, 7, 10), where
            if item.schedule_kind == ScheduleKind.YEARLY:
                assert start.month == 1, where
        else:
            assert record.period_start is None and record.period_end is None, where
        assert record.scope == item.scope, where
        assert record.scope in services.SCOPES_BY_UNIT_KIND.get(unit.kind, {Scope.PUBLIC}), where
        assert record.search_vector, where
        assert record.version == 1, where

        assert record.status in (RecordStatus.PUBLISHED, RecordStatus.WITHDRAWN), where
        published = timezone.localtime(record.published_at)
        assert str(published.tzinfo) == "Asia/Shanghai", where
        day = published.date()
        assert demo.FIRST_DAY <= day <= demo.LAST_DAY, where
        assert record.info_date <= day, where
        assert 9 <= published.hour < 18 and not 12 <= published.hour < 14, where
        assert (day.weekday() < 5 and day not in holidays) or day in workdays, where
        if record.status == RecordStatus.WITHDRAWN:
            assert record.withdraw_reason and record.withdrawn_at > record.published_at, where
        else:
            assert record.withdrawn_at is None and not record.withdraw_reason, where

        if record.kind in (RecordKind.INTERPRETATION, RecordKind.RESPONSE):
            policy = record.policy
            assert policy.kind == RecordKind.POLICY and policy.unit_id == unit.pk, where
            assert policy.status == RecordStatus.PUBLISHED, where
            assert policy.published_at <= record.published_at, where
        else:
            assert record.policy_id is None, where
        if record.kind == RecordKind.INTERPRETATION:
            assert record.interpretation_form in ("text", "graphic"), where
        if record.kind == RecordKind.POLICY:
            assert re.fullmatch(r".+〔20\d\d〕\d+号", record.document_number), where

        assert not ID_NUMBER.search(record.body) and not MOBILE.search(record.body), where
        assert sanitize(record.body) == record.body, where


def assert_same_as_the_services(records, actor):
    """The services would accept each row, and index it exactly as it is indexed."""
    for record in records:
        assert services.creation_errors(record, actor) == {}, record.title
        before = Record.objects.values_list("search_vector", flat=True).get(pk=record.pk)
        services.refresh_search(record)
        after = Record.objects.values_list("search_vector", flat=True).get(pk=record.pk)
        assert after == before, record.title


def all_records():
    return Record.objects.select_related("unit__region", "item", "policy").order_by("pk")


# --- the test geography ---------------------------------------------------------------


@pytest.fixture
def units(catalog, geo):
    UnitFactory(
        name="新津区卫生健康局", kind=UnitKind.DEPARTMENT, sector=Sector.HEALTH, region=geo.county
    )
    UnitFactory(
        name="新津区五津小学",
        kind=UnitKind.SCHOOL,
        region=geo.township,
        parent_unit=geo.county_bureau,
    )
    UnitFactory(
        name="成都市民政局", kind=UnitKind.DEPARTMENT, sector=Sector.CIVIL_AFFAIRS, region=geo.city
    )
    return Unit.objects.all()


def keys(plans):
    return [plan.key() for plan in plans]


def test_generated_records_keep_every_invariant(units, personas):
    plans = demo.records_generate(seed=7, count=None, units=units, author=personas.platform_admin)
    records = list(all_records())
    assert len(records) == len(plans) > 50
    assert_invariants(records)
    assert_same_as_the_services(records[::7], personas.platform_admin)
    kinds = Counter(record.unit_kind for record in records)
    assert set(kinds) == {"village_committee", "township_office", "department", "school"}


def test_units_with_an_official_are_authored_by_them(units, personas, geo):
    demo.records_generate(seed=7, count=None, units=units, author=personas.platform_admin)
    authors = dict(Record.objects.values_list("unit_id", "author_id").distinct())
    assert authors[geo.village_committee.pk] == personas.village_official.pk
    assert authors[geo.township_office.pk] == personas.township_official.pk
    assert authors[geo.other_county_bureau.pk] == personas.other_county_official.pk
    assert authors[geo.county_bureau.pk] == personas.platform_admin.pk


def test_the_same_seed_plans_the_same_records(units, personas):
    first = demo.records_plan(seed=7, count=None, units=units, fallback_author=1)
    again = demo.records_plan(seed=7, count=None, units=units, fallback_author=1)
    other = demo.records_plan(seed=8, count=None, units=units, fallback_author=1)
    assert keys(first) == keys(again)
    assert keys(first) != keys(other)


def test_a_unit_plans_the_same_records_whoever_else_is_planned(units, geo):
    alone = demo.records_plan(
        seed=7, count=None, units=Unit.objects.filter(pk=geo.village_committee.pk)
    )
    together = demo.records_plan(seed=7, count=None, units=units)
    mine = [plan for plan in together if plan.unit.pk == geo.village_committee.pk]
    assert keys(alone) == keys(mine)


@pytest.mark.parametrize("count", [20, 600])
def test_a_count_gives_exactly_that_many_records(units, count):
    plans = demo.records_plan(seed=7, count=count, units=units)
    assert len(plans) == count
    # The model village's 2026 Q3 村务公开 is never trimmed away.
    assert demo.MARKER_TITLE in {plan.title for plan in plans}


def test_writing_without_unnest_gives_the_same_rows(units, personas):
    ctx = demo.Context.load(
        fallback_author=personas.platform_admin.pk,
        first_day=demo.FIRST_DAY,
        last_day=demo.LAST_DAY,
    )
    fields = ("title", "body", "published_at", "period_start", "scope", "search_vector")

    def written(unnest):
        with transaction.atomic():
            plans = demo.records_plan(seed=7, count=None, units=units, ctx=ctx)
            demo.records_write(ctx, plans, unnest=unnest)
            rows = list(Record.objects.order_by("published_at", "title").values_list(*fields))
            transaction.set_rollback(True)
        return rows

    fast, slow = written(True), written(False)
    assert fast == slow and len(fast) > 50


def test_bodies_are_simple_html_with_masked_names(units, personas):
    demo.records_generate(seed=7, count=None, units=units, author=personas.platform_admin)
    lists = Record.objects.filter(title__contains="名单")
    assert lists.exists()
    for record in lists:
        assert record.body.startswith("<p>") and "<table>" in record.body
        names = re.findall(r"<tr><td>\d+</td><td>([^<]*)</td>", record.body)
        assert names and all(re.fullmatch(r"[\u4e00-\u9fff]\*", name) for name in names)
    for body in Record.objects.values_list("body", flat=True):
        assert 1 <= body.count("<p>") <= 8
        assert "元" in body or "日" in body


def test_demo_is_loaded_only_with_the_marker(units, personas):
    assert not demo.demo_is_loaded()
    demo.records_generate(seed=7, count=None, units=units, author=personas.platform_admin)
    assert demo.demo_is_loaded()


def test_records_need_an_author(units):
    with pytest.raises(LookupError):
        demo.records_generate(seed=7, count=None, units=units)


# --- 新津区 from the demo generators, loaded once -------------------------------------------


@pytest.fixture(scope="module")
def xinjin_loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        geography = build_geography(DEFAULT_SEED)
        rows = [
            (code, name)
            for code, name in geography.rows()
            if code.startswith(XINJIN_CODE[:6]) or code in ("510000000000", "510100000000")
        ]
        divisions_import(rows=rows, actor=None, source="测试")
        ids = {}
        for plan in plan_units(geography, DEFAULT_SEED):
            if plan.region_code.startswith(XINJIN_CODE[:6]):
                unit = Unit.objects.create(
                    name=plan.name,
                    kind=plan.kind,
                    sector=plan.sector,
                    region_id=plan.region_code,
                    parent_unit_id=ids.get(plan.parent),
                )
                ids[plan.key] = unit.pk
        UserFactory(username="admin", is_superuser=True, is_staff=True)
        for year in (2024, 2025, 2026):
            calendar_load_year(year=year, actor=None)
        first = demo.demo_load(seed=DEFAULT_SEED, count=None)
        second = demo.demo_load(seed=DEFAULT_SEED, count=None)
        yield first, second
        transaction.set_rollback(True)


@pytest.fixture
def xinjin(xinjin_loaded, db):
    return xinjin_loaded


def test_the_demo_load_keeps_every_invariant(xinjin):
    days = dict(CalendarDay.objects.values_list("date", "kind"))
    holidays = {day for day, kind in days.items() if kind == DayKind.HOLIDAY}
    workdays = {day for day, kind in days.items() if kind == DayKind.WORKDAY}
    records = list(all_records())
    assert len(records) > 500
    assert_invariants(records, holidays=frozenset(holidays), workdays=frozenset(workdays))
    admin = UserFactory(username="admin")
    assert_same_as_the_services(records[::50], admin)


def test_loading_twice_loads_once(xinjin):
    first, second = xinjin
    assert first.records_created == Record.objects.count() > 500
    assert second.records_created == 0
    assert [key for key, *_ in first.templates] == sorted(catalogs.EXPECTED_COUNTS)
    assert all(created for *_rest, created in first.templates)
    assert not any(created for *_rest, created in second.templates)
    assert [count for _key, _version, count, _created in second.templates] == [
        catalogs.EXPECTED_COUNTS[key] for key, *_ in second.templates
    ]
    assert demo.demo_is_loaded()


def test_pinggang_has_its_2026_q3_village_affairs(xinjin):
    record = Record.objects.get(region_id=PINGGANG_CODE, title="平岗社区2026年第三季度村务公开")
    assert record.status == RecordStatus.PUBLISHED
    assert record.unit.name == "平岗社区居民委员会"
    assert record.item.template.key == "village"
    assert record.item.level1 == "村务公开"
    assert record.item.schedule_kind == ScheduleKind.QUARTERLY
    assert (record.period_start, record.period_end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    # The model village keeps up every quarter since the start.
    quarters = Record.objects.filter(unit=record.unit, item=record.item)
    assert quarters.count() == 7


def test_xinjin_villages_publish_their_2026_q3_subsistence_lists(xinjin):
    lists = hierarchy.in_subtree(Record.objects, XINJIN_CODE).filter(
        item__template__key="village",
        item__level2="低保对象名单",
        period_start=dt.date(2026, 7, 1),
        title__contains="低保",
        status=RecordStatus.PUBLISHED,
    )
    # Every one of the county's 132 villages and communities.
    villages = hierarchy.in_subtree(
        Unit.objects.filter(kind=UnitKind.VILLAGE_COMMITTEE), XINJIN_CODE
    )
    assert villages.count() == 132
    assert sorted(lists.values_list("unit", flat=True)) == sorted(
        villages.values_list("pk", flat=True)
    )
    assert "低保" in lists.first().body


def test_wujin_street_publishes_its_monthly_subsistence_list(xinjin):
    assert Record.objects.filter(title="五津街道2026年10月低保对象名单公示").exists()


def test_every_tier_and_audience_is_there(xinjin):
    kinds = set(Record.objects.values_list("unit_kind", flat=True))
    assert kinds == {"village_committee", "township_office", "department", "government", "school"}
    scopes = Counter(Record.objects.values_list("scope", flat=True))
    assert set(scopes) == {Scope.PUBLIC, Scope.RESIDENTS, Scope.PARENTS, Scope.STAFF}
    assert scopes[Scope.PUBLIC] > 10 * (scopes[Scope.RESIDENTS] + scopes[Scope.PARENTS])
    chains = Counter(Record.objects.values_list("kind", flat=True))
    assert chains[RecordKind.POLICY] >= 3
    assert chains[RecordKind.POLICY] <= chains[RecordKind.INTERPRETATION] <= 2 * chains["policy"]
    assert Record.objects.filter(status=RecordStatus.WITHDRAWN).exists()


def test_villages_differ_in_how_completely_they_publish(xinjin):
    per_village = Counter(
        Record.objects.filter(
            unit_kind=UnitKind.VILLAGE_COMMITTEE, title__endswith="村务公开"
        ).values_list("unit_id", flat=True)
    )
    assert len(set(per_village.values())) >= 4
    villages = Unit.objects.filter(kind=UnitKind.VILLAGE_COMMITTEE)
    assert len(per_village) > 0.9 * villages.count()
