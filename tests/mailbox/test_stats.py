"""Mailbox statistics: the definitions, working days across the National Day holiday,
child places and units, the home-page counters and the public statistics page."""

import random
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache

from mailbox import stats
from mailbox.models import Letter
from mailbox.selectors import LetterFilter
from portal import urls as portal_urls
from portal.workdays import count_working_days
from tests.mailbox.helpers import (
    at,
    queries_of,
    rate,
    reject,
    reply,
    submit,
    with_mailbox_urls,
)

urlpatterns = with_mailbox_urls(portal_urls.urlpatterns)
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def _fresh_figures(settings):
    # Each test has its own letters under the same place codes: no cached figures.
    settings.MAILBOX_STATS_CACHE_SECONDS = 0


NOW = at(2026, 11, 20, 12)  # a Friday
STATS = "/letters/public/stats/"


@dataclass
class Scenario:
    national_day_on_time: Letter  # 3 working days across the holiday
    national_day_late: Letter  # 7 working days
    same_day: Letter  # 0 working days
    overdue: Letter
    not_yet_due: Letter
    rejected: Letter
    other_county: Letter


@pytest.fixture
def scenario(geo, personas, calendar_2026) -> Scenario:
    """Six letters in 新津区 and one in 锦江区; see the comments for each one's figures."""
    admin = personas.platform_admin
    # Received Tue 29 Sep, due Mon 12 Oct (30 Sep, 8, 9, Sat 10 Oct worked, 12 Oct);
    # answered Fri 9 Oct: 30 Sep, 8 and 9 Oct = 3 working days, on time; 满意.
    a = submit(geo.village_committee, when=at(2026, 9, 29))
    reply(a, personas.village_official, at(2026, 10, 9, 15))
    rate(a, "satisfied", at(2026, 10, 10))
    # Received Mon 28 Sep, due Sat 10 Oct; answered Tue 13 Oct: 29, 30 Sep, 8, 9, 10,
    # 12, 13 Oct = 7 working days, late; 不满意 (closed without reopening).
    b = submit(geo.village_committee, when=at(2026, 9, 28, 9))
    reply(b, personas.village_official, at(2026, 10, 13, 16))
    rate(b, "unsatisfied", at(2026, 10, 14))
    # Answered on the day of receipt: 0 working days; 基本满意.
    c = submit(geo.township_office, when=at(2026, 11, 2, 9))
    reply(c, admin, at(2026, 11, 2, 17))
    rate(c, "basic", at(2026, 11, 3))
    # Received Tue 3 Nov, due Tue 10 Nov, still open on 20 Nov: overdue.
    d = submit(geo.county_bureau, when=at(2026, 11, 3))
    # Received Wed 18 Nov, due Wed 25 Nov: not counted in the on-time rate yet.
    e = submit(geo.county_bureau, when=at(2026, 11, 18))
    f = reject(submit(geo.village_committee, when=at(2026, 11, 4)), admin, at(2026, 11, 4, 11))
    g = submit(geo.other_county_bureau, when=at(2026, 11, 3))
    return Scenario(a, b, c, d, e, f, g)


def test_the_figures_of_a_county(scenario, geo):
    total = stats.place_stats(LetterFilter(region=geo.county.code), now=NOW)
    assert total.received == 6  # the rejected letter was received too; 锦江区 is not here
    assert total.replied == 3
    assert total.on_time == 2
    assert total.open == 2 and total.overdue == 1
    # on time ÷ (replied + overdue): 2 ÷ 4; the letter not yet due is not counted.
    assert total.counted == 4 and total.late == 2
    assert total.on_time_rate == Decimal("50.0")
    # (3 + 7 + 0) ÷ 3 working days.
    assert total.reply_days == 10
    assert total.average_reply_days == Decimal("3.3")
    # (满意 + 基本满意) ÷ rated = 2 ÷ 3.
    assert total.rated == 3 and total.satisfied == 2
    assert total.satisfaction_rate == Decimal("66.7")
    assert total.provisional is False


def test_the_sql_working_days_agree_with_the_calendar_module(scenario, geo):
    replied = Letter.objects.filter(status__in=["replied", "closed"], region__gte="510118")
    expected = sum(count_working_days(x.received_at, x.replied_at).days for x in replied)
    assert expected == 10
    assert stats.place_stats(LetterFilter(region=geo.county.code), now=NOW).reply_days == 10


def test_working_days_are_counted_on_local_dates_around_the_holiday(geo, personas, calendar_2026):
    """Random receipt and reply instants from September to mid-October, some late at
    night (where the UTC date is the day before): the SQL sum equals the sum of
    count_working_days over the letters, one by one."""
    rng = random.Random(2026)
    official = personas.village_official
    letters = []
    for _ in range(25):
        received = at(2026, 9, 1) + (at(2026, 9, 2) - at(2026, 9, 1)) * rng.uniform(0, 40)
        answered = received + (at(2026, 9, 2) - at(2026, 9, 1)) * rng.uniform(0, 12)
        letters.append(submit(geo.village_committee, when=received))
        reply(letters[-1], official, answered)
    # Sat 10 Oct 07:00 in Chengdu is 9 Oct in UTC; answered Mon 12 Oct: only the 12th
    # counts (the 11th is a Sunday), where UTC dates would also count the 10th.
    early = submit(geo.village_committee, when=at(2026, 10, 10, 7))
    reply(early, official, at(2026, 10, 12, 10))
    assert count_working_days(early.received_at, at(2026, 10, 12, 10)).days == 1
    letters.append(early)
    expected = sum(
        count_working_days(x.received_at, Letter.objects.get(pk=x.pk).replied_at).days
        for x in letters
    )
    total = stats.place_stats(LetterFilter(region=geo.village.code), now=NOW)
    assert total.replied == len(letters)
    assert total.reply_days == expected


def test_replies_in_a_year_without_a_schedule_are_provisional(geo, personas, calendar_2026):
    letter = submit(geo.village_committee, when=at(2025, 12, 29))
    reply(letter, personas.village_official, at(2026, 1, 5))
    total = stats.place_stats(LetterFilter(region=geo.county.code), now=NOW)
    assert total.provisional is True
    assert total.average_reply_days is not None


def test_letters_answered_before_the_first_window_are_counted_too(geo, personas, calendar_2026):
    """The day index first covers the last few years; an older letter makes a second
    pass with the exact span, and still counts."""
    old = submit(geo.village_committee, when=at(2022, 6, 1))
    reply(old, personas.village_official, at(2022, 6, 13))
    recent = submit(geo.village_committee, when=at(2026, 9, 29))
    reply(recent, personas.village_official, at(2026, 10, 9))
    expected = sum(
        count_working_days(x.received_at, Letter.objects.get(pk=x.pk).replied_at).days
        for x in (old, recent)
    )
    assert expected == 8 + 3  # 2 to 13 June 2022 on weekends alone (no schedule loaded)
    total = stats.place_stats(LetterFilter(region=geo.county.code), now=NOW)
    assert total.replied == 2 and total.reply_days == expected
    assert total.provisional is True


def test_child_places_and_own_level_units(scenario, geo):
    total, rows = stats.child_stats(geo.county, LetterFilter(), now=NOW)
    assert total.received == 6
    assert [(r.name, r.is_own_level) for r in rows] == [("新津区", True), ("五津街道", False)]
    own, township = rows[0].stats, rows[1].stats
    assert (own.received, own.replied, own.overdue, own.on_time_rate) == (2, 0, 1, Decimal("0.0"))
    assert (township.received, township.replied, township.on_time) == (4, 3, 2)
    assert township.on_time_rate == Decimal("66.7")
    assert township.average_reply_days == Decimal("3.3")
    _total, rows = stats.child_stats(geo.township, LetterFilter(), now=NOW)
    assert [(r.name, r.is_own_level, r.stats.received) for r in rows] == [
        ("五津街道", True, 1),
        ("平岗社区", False, 3),
    ]
    # A village has no children: one row for its own units.
    _total, rows = stats.child_stats(geo.village, LetterFilter(), now=NOW)
    assert [(r.name, r.stats.received) for r in rows] == [("平岗社区", 3)]


def test_a_place_without_letters_has_no_rates(geo, calendar_2026):
    total, rows = stats.child_stats(geo.county, LetterFilter(), now=NOW)
    assert total.received == 0
    assert total.on_time_rate is None and total.average_reply_days is None
    assert total.satisfaction_rate is None
    assert [r.stats.received for r in rows] == [0]  # 五津街道, and no own-level row


def test_units_at_the_place_itself(scenario, geo):
    rows = stats.unit_stats(geo.village, LetterFilter(region=geo.village.code), now=NOW)
    assert [(r.unit.name, r.stats.received, r.stats.replied) for r in rows] == [
        ("平岗社区居民委员会", 3, 2)
    ]


def test_filters_narrow_the_statistics(scenario, geo):
    by_tier = stats.place_stats(LetterFilter(region=geo.county.code, tier="county"), now=NOW)
    assert by_tier.received == 2
    by_unit = stats.place_stats(
        LetterFilter(region=geo.county.code, unit=geo.township_office.pk), now=NOW
    )
    assert by_unit.received == 1 and by_unit.average_reply_days == Decimal("0.0")
    by_date = stats.place_stats(
        LetterFilter(region=geo.county.code, since=at(2026, 11, 1).date()), now=NOW
    )
    assert by_date.received == 4


def test_home_counters(scenario, geo):
    counters = stats.home_counters(geo.county.code, now=NOW)
    assert (counters.received, counters.replied, counters.on_time_rate) == (6, 3, Decimal("50.0"))
    city = stats.home_counters(geo.city.code, now=NOW)
    assert city.received == 7  # with 锦江区's letter, open and overdue
    assert city.on_time_rate == Decimal("40.0")  # 2 ÷ (3 replied + 2 overdue)


def test_home_counters_cost_one_query(scenario, geo, django_assert_num_queries):
    with django_assert_num_queries(1):
        stats.home_counters(geo.city.code)


def test_the_public_statistics_page(client, scenario, geo, monkeypatch):
    monkeypatch.setattr("mailbox.views_public.stats.child_stats", _at_now(stats.child_stats))
    html = client.get(STATS, {"region": geo.county.code}).content.decode()
    assert "新津区信箱统计" in html
    assert "50.0%" in html and "3.3" in html and "66.7%" in html
    # A row per child place that drills down, and the own-level units.
    assert f'href="/letters/public/stats/?region={geo.township.code}"' in html
    assert "新津区教育局" in html
    assert "<script" not in html and "style=" not in html
    # Nothing personal: no name, no phone.
    assert "张三丰" not in html and not re.search(r"1[3-9]\d{9}", html)


def test_the_public_statistics_page_defaults_to_the_city(client, scenario, geo):
    response = client.get(STATS)
    assert response.status_code == 200
    assert "成都市信箱统计" in response.content.decode()


def test_the_public_statistics_page_for_an_unknown_place_is_404(client, geo):
    assert client.get(STATS, {"region": "510118999000"}).status_code == 404
    assert client.get(STATS, {"region": "nonsense"}).status_code == 404


def test_the_public_statistics_page_costs_the_same_for_more_letters(
    client, scenario, geo, personas
):
    def load():
        count, response = queries_of(lambda: client.get(STATS, {"region": geo.county.code}))
        assert response.status_code == 200
        return count

    before = load()
    for day in range(2, 12):
        letter = submit(geo.village_committee, when=at(2026, 11, day))
        reply(letter, personas.village_official, at(2026, 11, day, 16))
    assert load() == before <= 14


def test_public_figures_are_kept_a_few_minutes(client, scenario, geo, personas, settings):
    settings.MAILBOX_STATS_CACHE_SECONDS = 300
    key = f"mailbox:stats:{geo.county.code}"
    cache.delete(key)
    try:
        first, response = queries_of(lambda: client.get(STATS, {"region": geo.county.code}))
        assert "<dt>收到来信</dt><dd>6</dd>" in response.content.decode()
        submit(geo.village_committee, when=at(2026, 11, 19))
        second, response = queries_of(lambda: client.get(STATS, {"region": geo.county.code}))
        assert "<dt>收到来信</dt><dd>6</dd>" in response.content.decode()
        assert second < first
    finally:
        cache.delete(key)


def test_home_counters_may_be_kept_a_few_minutes(scenario, geo):
    key = f"mailbox:home:{geo.county.code}"
    cache.delete(key)
    try:
        assert stats.home_counters(geo.county.code, cache_seconds=60).received == 6
        submit(geo.village_committee, when=at(2026, 11, 19))
        assert stats.home_counters(geo.county.code, cache_seconds=60).received == 6
        assert stats.home_counters(geo.county.code).received == 7
    finally:
        cache.delete(key)


def _at_now(function):
    def wrapped(*args, **kwargs):
        return function(*args, **{**kwargs, "now": NOW})

    return wrapped
