"""Completeness and timeliness: periods on time, late, missing and pending; on-change
lateness; unit scores and place roll-ups."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from disclosure import catalogs, compliance, services
from disclosure.compliance import (
    Deadlines,
    child_rollups,
    classify_period,
    compliance_refresh,
    periods_between,
    place_rollup,
    score_of,
)
from disclosure.models import (
    CatalogItem,
    CatalogTemplate,
    LateRecord,
    PeriodOutcome,
    PeriodStatus,
    UnitCompliance,
)
from portal.models import Unit, UnitKind
from portal.services import people
from portal.workdays import add_working_days, count_working_days, end_of_day
from tests.disclosure import at, item_fields, make_village_catalog, publish, without_review
from tests.factories import RegionFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 10)  # Tuesday; October's monthly deadline (13 Nov) is still ahead


@pytest.fixture
def village_catalog(db):
    return make_village_catalog()


@pytest.fixture
def village(geo, personas, village_catalog, calendar_2026, settings):
    settings.DISCLOSURE_COMPLIANCE_START = "2026-01-01"
    unit = geo.village_committee
    Unit.objects.filter(pk=unit.pk).update(created_at=at(2025, 6, 1))
    without_review(unit)
    return unit


def _status(unit, item, period_start):
    return PeriodStatus.objects.get(unit=unit, item=item, period_start=period_start)


# --- Pure pieces ---------------------------------------------------------------------


def test_score_is_on_time_over_counted_with_one_decimal():
    assert score_of(2, 3) == Decimal("66.7")
    assert score_of(1, 8) == Decimal("12.5")
    assert score_of(5, 5) == Decimal("100.0")
    assert score_of(0, 4) == Decimal("0.0")
    assert score_of(0, 0) is None


def test_periods_that_ended_before_today():
    months = list(periods_between("monthly", dt.date(2026, 9, 15), TODAY))
    assert months == [
        (dt.date(2026, 9, 1), dt.date(2026, 9, 30)),
        (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
    ]
    quarters = list(periods_between("quarterly", dt.date(2026, 2, 3), TODAY))
    assert [q[0] for q in quarters] == [
        dt.date(2026, 1, 1),
        dt.date(2026, 4, 1),
        dt.date(2026, 7, 1),
    ]
    years = list(periods_between("yearly", dt.date(2025, 1, 1), TODAY))
    assert years == [(dt.date(2025, 1, 1), dt.date(2025, 12, 31))]


def test_quarter_deadline_crosses_the_national_day_holiday(calendar_2026, village_catalog):
    deadline, provisional = Deadlines().periodic(village_catalog.quarterly, dt.date(2026, 9, 30))
    # 8, 9, 10 (make-up Saturday), 12–16, 19, 20 October: the holiday 1–7 does not count.
    assert deadline == dt.date(2026, 10, 20) and provisional is False
    assert deadline == add_working_days(dt.date(2026, 9, 30), 10).date


def test_yearly_deadline_is_a_date_of_the_next_year(village_catalog):
    assert Deadlines().periodic(village_catalog.yearly, dt.date(2025, 12, 31)) == (
        dt.date(2026, 1, 31),
        False,
    )
    assert compliance.yearly_deadline(2027, 2, 30) == dt.date(2027, 2, 28)


def test_a_deadline_in_a_year_without_a_schedule_is_provisional(calendar_2026, village_catalog):
    _deadline, provisional = Deadlines().periodic(village_catalog.monthly, dt.date(2026, 12, 31))
    assert provisional is True


def test_classify_period_at_the_edge_of_the_deadline():
    deadline = dt.date(2026, 10, 20)
    assert classify_period(deadline, end_of_day(deadline), TODAY) == PeriodOutcome.ON_TIME
    assert classify_period(deadline, at(2026, 10, 21, 0, 0, 1), TODAY) == PeriodOutcome.LATE
    assert classify_period(deadline, None, dt.date(2026, 10, 21)) == PeriodOutcome.MISSING
    assert classify_period(deadline, None, dt.date(2026, 10, 20)) == PeriodOutcome.PENDING


@pytest.mark.parametrize(
    "info_date, published_at",
    [
        (dt.date(2026, 9, 28), at(2026, 10, 9)),  # 29, 30, 8, 9 October: 4 working days
        (dt.date(2026, 9, 28), at(2026, 10, 10)),  # the make-up Saturday is the 5th
        (dt.date(2026, 9, 28), at(2026, 10, 11)),  # Sunday: still 5
        (dt.date(2026, 9, 28), at(2026, 10, 12)),  # 6
        (dt.date(2026, 10, 30), at(2026, 11, 6, 23, 59)),
        (dt.date(2026, 10, 30), at(2026, 10, 29)),  # before the information date
    ],
)
def test_on_change_lateness_agrees_with_count_working_days(
    calendar_2026, village_catalog, info_date, published_at
):
    item = village_catalog.on_change
    walked = Deadlines(origin=dt.date(2026, 8, 31))  # walks the working days once
    for days in (1, 4, 5, 6, 20):
        item.schedule_days = days
        expected = count_working_days(info_date, published_at).days > days
        assert Deadlines().on_change_late(item, info_date, published_at) is expected
        assert walked.on_change_late(item, info_date, published_at) is expected
        deadline = add_working_days(info_date, days)
        assert walked.on_change(item, info_date) == (deadline.date, deadline.provisional)


def test_counting_starts_on_jan_1_of_this_year_unless_configured(settings):
    settings.DISCLOSURE_COMPLIANCE_START = None
    assert compliance.compliance_start(TODAY) == dt.date(2026, 1, 1)
    settings.DISCLOSURE_COMPLIANCE_START = "2026-03-01"
    assert compliance.compliance_start(TODAY) == dt.date(2026, 3, 1)
    settings.DISCLOSURE_COMPLIANCE_START = "March"
    with pytest.raises(ImproperlyConfigured):
        compliance.compliance_start(TODAY)


# --- The refresh ---------------------------------------------------------------------


def test_periods_on_time_late_missing_and_pending(village, village_catalog, personas):
    official = personas.village_official
    quarterly, monthly = village_catalog.quarterly, village_catalog.monthly
    # Q1 on time, Q2 late, Q3 published on the last day of its holiday-stretched deadline.
    publish(
        village, quarterly, official, period_start=dt.date(2026, 1, 1), published_at=at(2026, 4, 3)
    )
    publish(
        village, quarterly, official, period_start=dt.date(2026, 4, 1), published_at=at(2026, 8, 1)
    )
    publish(
        village,
        quarterly,
        official,
        period_start=dt.date(2026, 7, 1),
        published_at=at(2026, 10, 20, 23, 30),
    )
    # Months: September on time, August late, October published early; the rest missing.
    publish(
        village, monthly, official, period_start=dt.date(2026, 9, 1), published_at=at(2026, 10, 9)
    )
    publish(
        village, monthly, official, period_start=dt.date(2026, 8, 1), published_at=at(2026, 10, 9)
    )
    publish(
        village, monthly, official, period_start=dt.date(2026, 10, 1), published_at=at(2026, 11, 2)
    )

    result = compliance_refresh(units=[village], today=TODAY)

    assert result.units == 1
    assert _status(village, quarterly, dt.date(2026, 1, 1)).status == PeriodOutcome.ON_TIME
    assert _status(village, quarterly, dt.date(2026, 4, 1)).status == PeriodOutcome.LATE
    q3 = _status(village, quarterly, dt.date(2026, 7, 1))
    assert (q3.status, q3.deadline, q3.period_end) == (
        PeriodOutcome.ON_TIME,
        dt.date(2026, 10, 20),
        dt.date(2026, 9, 30),
    )
    assert _status(village, monthly, dt.date(2026, 9, 1)).status == PeriodOutcome.ON_TIME
    assert _status(village, monthly, dt.date(2026, 8, 1)).status == PeriodOutcome.LATE
    assert _status(village, monthly, dt.date(2026, 10, 1)).status == PeriodOutcome.ON_TIME
    missing = PeriodStatus.objects.filter(unit=village, status=PeriodOutcome.MISSING)
    assert sorted(missing.values_list("period_start__month", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    # The yearly report of 2026 is not due yet; 2025 began before the counting start.
    assert not PeriodStatus.objects.filter(item=village_catalog.yearly).exists()

    row = UnitCompliance.objects.get(unit=village)
    assert (row.on_time, row.late, row.missing, row.pending) == (4, 2, 7, 0)
    assert row.score == Decimal("30.8")  # 4 / 13
    assert row.region_code == "510118001001" and row.as_of == TODAY


def test_an_unpublished_period_before_its_deadline_is_pending(village, village_catalog):
    compliance_refresh(units=[village], today=TODAY)
    october = _status(village, village_catalog.monthly, dt.date(2026, 10, 1))
    assert october.status == PeriodOutcome.PENDING
    assert october.deadline == dt.date(2026, 11, 13)
    row = UnitCompliance.objects.get(unit=village)
    assert (row.on_time, row.late, row.missing, row.pending) == (0, 0, 12, 1)
    assert row.score == Decimal("0.0")


def test_withdrawn_after_publication_still_counts_and_drafts_do_not(
    village, village_catalog, personas
):
    official = personas.village_official
    record = publish(
        village,
        village_catalog.quarterly,
        official,
        period_start=dt.date(2026, 1, 1),
        published_at=at(2026, 4, 2),
    )
    services.record_withdraw(record=record, actor=official, reason="数据有误，更正后重新发布")
    draft = services.record_create(
        unit=village,
        item=village_catalog.quarterly,
        title="第二季度（草稿）",
        info_date=dt.date(2026, 7, 1),
        period_start=dt.date(2026, 4, 1),
        actor=official,
    )
    assert draft.status == "draft"
    compliance_refresh(units=[village], today=TODAY)
    assert _status(village, village_catalog.quarterly, dt.date(2026, 1, 1)).status == "on_time"
    assert _status(village, village_catalog.quarterly, dt.date(2026, 4, 1)).status == "missing"


def test_the_first_publication_of_a_period_decides(village, village_catalog, personas):
    official = personas.village_official
    first = publish(
        village,
        village_catalog.quarterly,
        official,
        period_start=dt.date(2026, 1, 1),
        published_at=at(2026, 4, 3),
    )
    publish(
        village,
        village_catalog.quarterly,
        official,
        period_start=dt.date(2026, 1, 1),
        published_at=at(2026, 6, 1),
        title="第一季度（补充）",
    )
    compliance_refresh(units=[village], today=TODAY)
    q1 = _status(village, village_catalog.quarterly, dt.date(2026, 1, 1))
    assert q1.status == "on_time" and q1.record_id == first.pk


def test_a_record_published_after_today_is_not_seen_yet(village, village_catalog, personas):
    publish(
        village,
        village_catalog.monthly,
        personas.village_official,
        period_start=dt.date(2026, 9, 1),
        published_at=at(2026, 10, 9),
    )
    compliance_refresh(units=[village], today=dt.date(2026, 10, 5))
    assert _status(village, village_catalog.monthly, dt.date(2026, 9, 1)).status == "pending"


def test_on_change_and_immediate_records(village, village_catalog, personas):
    official = personas.village_official
    on_time = publish(
        village,
        village_catalog.on_change,
        official,
        info_date=dt.date(2026, 9, 28),
        published_at=at(2026, 10, 30),  # the 20th working day after 28 September
    )
    late = publish(
        village,
        village_catalog.on_change,
        official,
        info_date=dt.date(2026, 9, 28),
        published_at=at(2026, 11, 2),
    )
    quick = publish(
        village,
        village_catalog.immediate,
        official,
        info_date=dt.date(2026, 9, 28),
        published_at=at(2026, 10, 8),  # 29 and 30 September, then 8 October: the 3rd
    )
    assert count_working_days(dt.date(2026, 9, 28), on_time.published_at).days == 20
    assert count_working_days(dt.date(2026, 9, 28), quick.published_at).days > 2

    compliance_refresh(units=[village], today=TODAY)

    late_rows = LateRecord.objects.filter(unit=village)
    assert {row.record_id for row in late_rows} == {late.pk, quick.pk}
    entry = late_rows.get(record=late)
    assert entry.deadline == dt.date(2026, 10, 30) and entry.info_date == dt.date(2026, 9, 28)
    assert not late_rows.filter(record=on_time).exists()
    row = UnitCompliance.objects.get(unit=village)
    # 12 missing periods, 1 pending month; one on-change record on time, two late.
    assert (row.on_time, row.late, row.missing, row.pending) == (1, 2, 12, 1)
    assert row.score == Decimal("6.7")


def test_periods_before_the_unit_existed_are_not_owed(village, village_catalog):
    Unit.objects.filter(pk=village.pk).update(created_at=at(2026, 8, 15))
    compliance_refresh(units=[village], today=TODAY)
    months = PeriodStatus.objects.filter(unit=village, item=village_catalog.monthly)
    assert sorted(months.values_list("period_start__month", flat=True)) == [8, 9, 10]
    quarters = PeriodStatus.objects.filter(unit=village, item=village_catalog.quarterly)
    assert list(quarters.values_list("period_start", flat=True)) == [dt.date(2026, 7, 1)]


def test_a_longer_window_counts_last_years_annual_report(village, village_catalog, settings):
    settings.DISCLOSURE_COMPLIANCE_START = None
    compliance_refresh(units=[village], today=TODAY)
    # By default only this year's periods count.
    assert not PeriodStatus.objects.filter(unit=village, period_start__year=2025).exists()
    settings.DISCLOSURE_COMPLIANCE_START = "2025-01-01"
    compliance_refresh(units=[village], today=TODAY)
    report = _status(village, village_catalog.yearly, dt.date(2025, 1, 1))
    assert report.status == "missing" and report.deadline == dt.date(2026, 1, 31)
    # 2025 has no loaded schedule here: its monthly deadlines are flagged, not guessed.
    assert _status(village, village_catalog.monthly, dt.date(2025, 6, 1)).deadline_provisional


def test_a_record_under_an_earlier_version_of_the_template_still_counts(
    village, village_catalog, personas
):
    record = publish(
        village,
        village_catalog.quarterly,
        personas.village_official,
        period_start=dt.date(2026, 7, 1),
        published_at=at(2026, 10, 12),
    )
    # The template is revised: version 2 has the same item under a new id.
    CatalogTemplate.objects.filter(pk=village_catalog.template.pk).update(is_current=False)
    revised = CatalogTemplate.objects.create(
        key="village",
        version=2,
        name="村（社区）标准目录（第2版）",
        unit_kinds=["village_committee"],
        region_tiers=["village"],
        source_digest="test-2",
    )
    new_item = CatalogItem.objects.create(
        template=revised,
        **item_fields(1, "村务", "村民代表会议决议", schedule_kind="quarterly", schedule_days=10),
    )
    compliance_refresh(units=[village], today=TODAY)
    q3 = _status(village, new_item, dt.date(2026, 7, 1))
    assert q3.status == "on_time" and q3.record_id == record.pk
    assert not PeriodStatus.objects.filter(item=village_catalog.quarterly).exists()


def test_units_without_a_catalog_have_no_score(geo, village_catalog, calendar_2026):
    centre = UnitFactory(
        name="五津街道代理记账中心", kind=UnitKind.ACCOUNTING_CENTRE, region=geo.township
    )
    compliance_refresh(units=[centre], today=TODAY)
    row = UnitCompliance.objects.get(unit=centre)
    assert row.score is None and row.counted == 0


def test_refresh_replaces_rows_and_drops_deactivated_units(village, village_catalog, personas):
    compliance_refresh(today=TODAY)
    assert UnitCompliance.objects.get(unit=village).missing == 12
    publish(
        village,
        village_catalog.quarterly,
        personas.village_official,
        period_start=dt.date(2026, 7, 1),
        published_at=at(2026, 10, 12),
    )
    compliance_refresh(units=[village.pk], today=TODAY)
    assert UnitCompliance.objects.get(unit=village).missing == 11
    assert PeriodStatus.objects.filter(unit=village).count() == 13

    Unit.objects.filter(pk=village.pk).update(is_active=False)
    compliance_refresh(units=[village.pk], today=TODAY)
    assert not UnitCompliance.objects.filter(unit=village).exists()
    assert not PeriodStatus.objects.filter(unit=village).exists()


def test_whole_refresh_with_few_queries(
    village, village_catalog, geo, django_assert_max_num_queries
):
    township = geo.township
    for n in range(30):
        region = RegionFactory(code=f"510118001{n + 2:03d}", name=f"测试村{n}")
        UnitFactory(name=f"测试村{n}村民委员会", kind=UnitKind.VILLAGE_COMMITTEE, region=region)
    assert township  # the villages sit in 五津街道
    # Catalogs, items, units, records, deadlines (2 queries each, a few distinct), writes.
    with django_assert_max_num_queries(60):
        result = compliance_refresh(today=TODAY)
    assert result.units == Unit.objects.filter(is_active=True).count()


# --- Roll-ups ------------------------------------------------------------------------


def test_place_rollup_sums_the_counts_of_its_units(geo, village_catalog, calendar_2026, settings):
    settings.DISCLOSURE_COMPLIANCE_START = "2026-01-01"
    admin = UserFactory(username="rollup_admin", is_superuser=True)
    second_village = RegionFactory(code="510118001002", name="花源社区")
    second = UnitFactory(
        name="花源社区居民委员会", kind=UnitKind.VILLAGE_COMMITTEE, region=second_village
    )
    units = [geo.village_committee, second, geo.other_village_committee]
    Unit.objects.filter(pk__in=[u.pk for u in units]).update(created_at=at(2025, 1, 1))
    for unit in units:
        without_review(unit)
    official = UserFactory(username="second_official")
    people.membership_grant(user=official, unit=second, role="admin", actor=admin)
    for month in range(1, 10):
        publish(
            second,
            village_catalog.monthly,
            official,
            period_start=dt.date(2026, month, 1),
            published_at=at(2026, month + 1, 3),
        )
    compliance_refresh(today=TODAY)

    first_row = UnitCompliance.objects.get(unit=geo.village_committee)
    second_row = UnitCompliance.objects.get(unit=second)
    assert (first_row.on_time, first_row.counted) == (0, 12)
    assert (second_row.on_time, second_row.counted) == (9, 12)

    county = place_rollup("510118000000")
    # Four units inside 新津区; the township office and the bureau have no test catalog.
    assert (county.on_time, county.late, county.missing, county.units) == (9, 0, 15, 4)
    assert county.score == Decimal("37.5")  # 9 / 24: summed counts, not averaged scores
    city = place_rollup("510100000000")
    assert city.units == 6 and city.counted == 36 and city.score == Decimal("25.0")
    assert place_rollup("510118002000").score is None

    rows = {row.code: row for row in child_rollups(geo.township)}
    assert rows["510118001001"].rollup.score == Decimal("0.0")
    assert rows["510118001002"].rollup.score == Decimal("75.0")
    by_county = {row.code: row for row in child_rollups(geo.city)}
    assert by_county["510118000000"].rollup.counted == 24
    assert by_county["510104000000"].rollup.counted == 12


def test_real_catalogs_refresh(geo, calendar_2026):
    if not list(catalogs.CATALOG_DIR.glob("*.yaml")):
        pytest.skip("the standard catalogs are not there yet")
    catalogs.catalog_load_all()
    Unit.objects.update(created_at=at(2025, 1, 1))
    result = compliance_refresh(today=TODAY)
    assert result.units == Unit.objects.filter(is_active=True).count()
    township = UnitCompliance.objects.get(unit=geo.township_office)
    template = catalogs.catalog_for_unit(geo.township_office)
    if (
        template is not None
        and template.items.filter(schedule_kind__in=compliance.PERIODIC).exists()
    ):
        assert township.missing > 0 and township.score == Decimal("0.0")


def test_an_on_change_deadline_in_a_year_without_a_schedule_is_provisional(
    calendar_2026, village_catalog
):
    expected = add_working_days(dt.date(2026, 12, 15), 20)
    walked = Deadlines(origin=dt.date(2026, 11, 30))
    assert walked.on_change(village_catalog.on_change, dt.date(2026, 12, 15)) == (
        expected.date,
        True,
    )
    assert expected.provisional
