"""The demo's showcase county (disclosure/demo/coverage.py): 新津区's village committees,
township offices and schools publish every monthly and quarterly item of their catalogs
for every period of 2026 that the supervisors' dashboard counts, most on time.

The whole demo city (places, units, calendar from the real generators, loaded once for
the module inside a transaction that is rolled back), its 40,000 records planned but not
written (seed_demo's job: tests/portal/test_demo.py); then a few of its units written
and scored by compliance_refresh as the supervisors' dashboard reads them.
"""

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.test.utils import override_settings

from disclosure import catalogs, demo
from disclosure.compliance import Deadlines, classify_period, compliance_refresh, periods_between
from disclosure.demo.coverage import ROUTINE, SHOWCASE_KINDS
from disclosure.models import CatalogItem, PeriodOutcome, Record, ScheduleKind, UnitCompliance
from portal import hierarchy
from portal.demo import loader
from portal.demo.geography import DEFAULT_SEED, PINGGANG_CODE, WUJIN_CODE, XINJIN_CODE
from portal.models import Unit, UnitKind

# The day the demo's dashboards are read: its records run to LAST_DAY (2026-11-20).
TODAY = dt.date(2026, 11, 27)
YEAR_START = dt.date(2026, 1, 1)
XINJIN = XINJIN_CODE[:6]


class Obligations:
    """What a unit owes in 2026 as disclosure.compliance counts it: every monthly and
    quarterly period of its catalog that ended and fell due before TODAY."""

    def __init__(self):
        self.deadlines = Deadlines()
        self.templates = catalogs.current_templates()
        self.by_template = {}

    def of(self, unit):
        template = catalogs.template_for(unit.kind, unit.sector, unit.region.tier, self.templates)
        if template.pk not in self.by_template:
            due = {}
            for item in CatalogItem.objects.filter(
                template=template,
                schedule_kind__in=(ScheduleKind.MONTHLY, ScheduleKind.QUARTERLY),
            ):
                for start, end in periods_between(item.schedule_kind, YEAR_START, TODAY):
                    deadline, _provisional = self.deadlines.periodic(item, end)
                    if deadline < TODAY:
                        due[item.pk, start] = deadline
            self.by_template[template.pk] = due
        return self.by_template[template.pk]

    def outcomes(self, unit, plans):
        """(item, period) → on time, late or missing, from the unit's plans."""
        due = self.of(unit)
        published = {}
        for plan in plans:
            if plan.period_start is not None and plan.period_start >= YEAR_START:
                key = (plan.item.pk, plan.period_start)
                assert key in due, plan.title  # nothing but the catalog's periods
                assert key not in published, plan.title  # one record per period
                published[key] = plan.published_at
        return {
            key: classify_period(deadline, published.get(key), TODAY)
            for key, deadline in due.items()
        }


# --- the whole demo city, planned once --------------------------------------------------


@pytest.fixture(scope="module")
def city_planned(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        # Places, units, logins and calendar: the records are planned here, not written.
        with override_settings(PORTAL_DEMO_LOADERS=[]):
            loader.demo_load(seed=DEFAULT_SEED)
        catalogs.catalog_load_all(actor=None)
        plans = demo.records_plan(seed=DEFAULT_SEED)
        xinjin_alone = demo.records_plan(
            seed=DEFAULT_SEED, count=None, units=hierarchy.in_subtree(Unit.objects, XINJIN_CODE)
        )
        yield plans, xinjin_alone
        transaction.set_rollback(True)


@pytest.fixture
def city(city_planned, db):
    plans, xinjin_alone = city_planned
    by_unit = defaultdict(list)
    for plan in plans:
        by_unit[plan.unit.pk].append(plan)
    return plans, xinjin_alone, by_unit


def showcase_units(kinds=SHOWCASE_KINDS):
    return list(
        hierarchy.in_subtree(Unit.objects, XINJIN_CODE)
        .filter(kind__in=kinds)
        .select_related("region")
        .order_by("region_id", "name")
    )


def test_the_demo_keeps_its_40000_records(city):
    plans, _alone, _by_unit = city
    assert demo.DEMO_RECORD_COUNT == 40_000
    assert len(plans) == demo.DEMO_RECORD_COUNT
    titles = {plan.title for plan in plans}
    assert demo.MARKER_TITLE in titles
    assert "五津街道2026年10月低保对象名单公示" in titles


def test_the_model_units_publish_every_periodic_item_every_period_on_time(city):
    _plans, _alone, by_unit = city
    obligations = Obligations()
    for unit in Unit.objects.filter(
        region_id__in=(PINGGANG_CODE, WUJIN_CODE),
        kind__in=(UnitKind.VILLAGE_COMMITTEE, UnitKind.TOWNSHIP_OFFICE),
    ).select_related("region"):
        outcomes = obligations.outcomes(unit, by_unit[unit.pk])
        # Village: 27 quarterly items × Q1–Q3 and the monthly accounts × January–October;
        # township office: 7 quarterly × 3 and the monthly 低保 list × 10.
        expected = 27 * 3 + 10 if unit.kind == UnitKind.VILLAGE_COMMITTEE else 7 * 3 + 10
        assert len(outcomes) == expected, unit.name
        assert set(outcomes.values()) == {PeriodOutcome.ON_TIME}, unit.name


def test_every_xinjin_unit_covers_its_catalog_most_periods_on_time(city):
    _plans, _alone, by_unit = city
    obligations = Obligations()
    units = showcase_units()
    assert Counter(unit.kind for unit in units)[UnitKind.VILLAGE_COMMITTEE] == 132
    assert Counter(unit.kind for unit in units)[UnitKind.TOWNSHIP_OFFICE] == 8
    total = Counter()
    village_scores = []
    published_by = Counter()  # (item, period) → villages that published it
    for unit in units:
        outcomes = obligations.outcomes(unit, by_unit[unit.pk])
        assert outcomes, unit.name
        counts = Counter(outcomes.values())
        total.update(counts)
        published = counts[PeriodOutcome.ON_TIME] + counts[PeriodOutcome.LATE]
        # Even the weakest unit publishes most periods, if late.
        assert published >= 0.75 * len(outcomes), unit.name
        if unit.kind == UnitKind.VILLAGE_COMMITTEE:
            village_scores.append(counts[PeriodOutcome.ON_TIME] / len(outcomes))
            published_by.update(k for k, v in outcomes.items() if v != PeriodOutcome.MISSING)

    counted = sum(total.values())
    assert 0.84 <= total[PeriodOutcome.ON_TIME] / counted <= 0.93
    assert 0.05 <= total[PeriodOutcome.LATE] / counted <= 0.11
    assert 0.02 <= total[PeriodOutcome.MISSING] / counted <= 0.06
    # A few weak villages, most doing well, and not all alike.
    weak = [score for score in village_scores if score < 0.75]
    assert 3 <= len(weak) <= 20 and min(village_scores) >= 0.55
    assert sum(score >= 0.85 for score in village_scores) >= 0.7 * len(village_scores)
    assert len({round(score, 2) for score in village_scores}) >= 15
    # Every periodic item of the village catalog, for every period, from nearly all.
    assert len(published_by) == 27 * 3 + 10
    assert min(published_by.values()) >= 0.8 * 132


def test_every_xinjin_village_has_its_2026_q3_subsistence_list(city):
    _plans, _alone, by_unit = city
    for unit in showcase_units([UnitKind.VILLAGE_COMMITTEE]):
        lists = [
            plan
            for plan in by_unit[unit.pk]
            if plan.item.level2 == "低保对象名单" and plan.period_start == dt.date(2026, 7, 1)
        ]
        assert len(lists) == 1 and lists[0].keep, unit.name
        assert lists[0].title == f"{unit.region.name}2026年第三季度低保对象名单公示"


def test_the_other_counties_make_room_and_xinjin_is_not_trimmed(city):
    plans, xinjin_alone, by_unit = city

    def xinjin(some):
        return sorted(
            (p.unit.pk, p.title, p.published_at, p.period_start, p.body)
            for p in some
            if p.unit.region_id.startswith(XINJIN)
        )

    # The same records as when 新津区 is planned alone: the trim took the others'.
    assert xinjin(plans) == xinjin(xinjin_alone)
    assert len(xinjin(plans)) > 12_000

    # The other counties stay sparse: their villages publish a small part of 2026.
    obligations = Obligations()
    owed, published = Counter(), Counter()
    for unit in Unit.objects.filter(kind=UnitKind.VILLAGE_COMMITTEE).select_related("region"):
        if unit.region_id.startswith(XINJIN):
            continue
        outcomes = obligations.outcomes(unit, by_unit[unit.pk])
        owed[unit.region_id[:6]] += len(outcomes)
        published[unit.region_id[:6]] += sum(v != PeriodOutcome.MISSING for v in outcomes.values())
    assert len(owed) == 19
    assert all(0 < published[county] < 0.15 * owed[county] for county in owed)


# --- a few of its units, written and scored --------------------------------------------


@pytest.fixture
def scored(city):
    pinggang = Unit.objects.get(region_id=PINGGANG_CODE, kind=UnitKind.VILLAGE_COMMITTEE)
    wujin = Unit.objects.get(region_id=WUJIN_CODE, kind=UnitKind.TOWNSHIP_OFFICE)
    school = Unit.objects.get(name="新津区五津小学")
    other = (
        hierarchy.in_subtree(Unit.objects, "510104000000")
        .filter(kind=UnitKind.VILLAGE_COMMITTEE)
        .order_by("region_id")
        .first()
    )
    units = Unit.objects.filter(pk__in=[pinggang.pk, wujin.pk, school.pk, other.pk])
    plans = demo.records_generate(seed=DEFAULT_SEED, count=None, units=units)
    compliance_refresh(units=units, today=TODAY)
    scores = {row.unit_id: row for row in UnitCompliance.objects.filter(unit__in=units)}
    return plans, scores, (pinggang, wujin, school, other)


def test_the_dashboard_gives_the_model_units_full_marks(scored):
    _plans, scores, (pinggang, wujin, _school, other) = scored
    for unit, periods in ((pinggang, 91), (wujin, 31)):
        row = scores[unit.pk]
        assert (row.late, row.missing, row.pending) == (0, 0, 0), unit.name
        assert row.score == 100 and row.on_time >= periods, unit.name
    # 锦江区's village keeps its sparse pattern.
    assert scores[other.pk].score < 20


def test_the_school_publishes_its_monthly_canteen_items(scored):
    _plans, scores, (_pinggang, _wujin, school, _other) = scored
    months = Counter(
        Record.objects.filter(unit=school, period_start__gte=YEAR_START).values_list(
            "item__level2", flat=True
        )
    )
    assert set(months) == {"食堂食品安全和陪餐", "伙食费收支"}
    assert all(count >= 7 for count in months.values())
    assert scores[school.pk].score >= 60


def test_routine_records_are_short(scored):
    plans, _scores, _units = scored
    routine = [plan for plan in plans if plan.genre == ROUTINE]
    assert len(routine) > 50
    for plan in routine:
        assert plan.body.count("<p>") == 3 and "<table>" not in plan.body, plan.title
        assert plan.title.startswith(("平岗社区2026年", "五津街道2026年", "新津区五津小学2026年"))
        assert len(plan.body) < 400, plan.title
    titles = {plan.title for plan in plans}
    assert "平岗社区2026年第三季度低保对象名单公示" in titles
    assert "平岗社区2026年10月财务收支情况公开" in titles
    assert "五津街道2026年第三季度特困人员救助供养名单公示" in titles
