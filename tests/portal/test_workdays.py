import datetime as dt
import zoneinfo

import pytest

from portal.models import CalendarDay, DayKind, WorkdayYear
from portal.workdays import add_working_days, count_working_days, end_of_day

D = dt.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_the_national_day_example(calendar_2026, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        result = add_working_days(D(2026, 9, 28), 5)
    assert result.date == D(2026, 10, 10)  # Saturday, a make-up workday
    assert result.provisional is False
    assert [d.date for d in result.skipped][:1] == [D(2026, 10, 1)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Saturday 14 Feb is worked
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # Spring Festival 15–23 Feb
        (D(2026, 2, 27), 1, D(2026, 2, 28)),  # Saturday 28 Feb is worked
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # Sunday 20 Sep is worked
        (D(2026, 11, 27), 5, D(2026, 12, 4)),  # an ordinary week
        (D(2026, 11, 27), 0, D(2026, 11, 27)),
    ],
)
def test_holidays_and_make_up_days(calendar_2026, start, days, expected):
    assert add_working_days(start, days).date == expected


@pytest.mark.django_db
def test_an_unloaded_year_is_provisional_not_silent(calendar_2026):
    assert not WorkdayYear.objects.filter(year=2027).exists()
    result = add_working_days(D(2026, 12, 28), 5)
    assert result.provisional is True
    assert result.date == D(2027, 1, 4)  # weekends only: flagged, not presented as final
    inside = add_working_days(D(2026, 12, 1), 5)
    assert inside.provisional is False


@pytest.mark.django_db
def test_edits_in_the_table_take_effect(calendar_2026):
    CalendarDay.objects.create(date=D(2026, 12, 1), kind=DayKind.HOLIDAY, name="临时休假")
    assert add_working_days(D(2026, 11, 30), 1).date == D(2026, 12, 2)


@pytest.mark.django_db
def test_count_between_instants_in_shanghai_time(calendar_2026):
    # 23:30 UTC on 27 Sep is already Monday 28 Sep in Shanghai.
    start = dt.datetime(2026, 9, 27, 23, 30, tzinfo=dt.UTC)
    end = dt.datetime(2026, 10, 10, 9, 0, tzinfo=SHANGHAI)
    count = count_working_days(start, end)
    assert count.days == 5 and count.provisional is False
    assert count_working_days(end, start).days == -5
    with pytest.raises(ValueError):
        count_working_days(dt.datetime(2026, 1, 1), end)  # noqa: DTZ001 - naive on purpose


def test_deadline_ends_at_midnight_shanghai():
    moment = end_of_day(D(2026, 10, 10))
    assert moment.tzinfo is not None
    assert moment.astimezone(SHANGHAI).time() == dt.time(23, 59, 59, 999999)


@pytest.mark.django_db
def test_load_cross_checks_against_the_holidays_package(calendar_2026):
    from portal.services.calendar import calendar_load_year

    report = calendar_load_year(year=2026, actor=None, replace=True)
    assert report.holidays >= 30 and report.workdays == 6
    assert report.disagreements == []
    assert CalendarDay.objects.get(date=D(2026, 10, 10)).kind == DayKind.WORKDAY


@pytest.mark.django_db
def test_working_days_list_agrees_with_add_working_days(
    calendar_2026, django_assert_max_num_queries
):
    from portal.workdays import working_days

    with django_assert_max_num_queries(2):
        days = working_days(D(2026, 9, 25), D(2026, 10, 16))
    assert D(2026, 10, 1) not in days and D(2026, 10, 10) in days and D(2026, 9, 27) not in days
    for n, day in enumerate(days[1:], start=1):
        assert add_working_days(days[0], n).date == day
