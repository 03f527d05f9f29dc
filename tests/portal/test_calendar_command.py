import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.models import CalendarDay, DayKind, WorkdayYear

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("load_calendar", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_loads_2026_with_its_make_up_workdays():
    out = run("--year", "2026")
    assert re.search(r"2026年：放假 \d+ 天，调休上班 \d+ 天", out)
    assert WorkdayYear.objects.filter(year=2026).exists()
    # National Day 2026: 1–7 October off, Saturday 10 October worked.
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).kind == DayKind.WORKDAY
    assert CalendarDay.objects.get(date=dt.date(2026, 2, 14)).kind == DayKind.WORKDAY
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 1)).kind == DayKind.HOLIDAY
    assert not CalendarDay.objects.exclude(date__year=2026).exists()


def test_a_loaded_year_is_kept_unless_replace_is_given():
    run("--year", "2026")
    # An official's correction in the admin survives a plain reload ...
    CalendarDay.objects.filter(date=dt.date(2026, 10, 10)).update(kind=DayKind.HOLIDAY)
    assert "已载入，跳过" in run("--year", "2026")
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).kind == DayKind.HOLIDAY
    # ... and --replace goes back to the package's schedule.
    assert "调休上班" in run("--year", "2026", "--replace")
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).kind == DayKind.WORKDAY


def test_several_years_at_once():
    out = run("--year", "2025", "--year", "2026")
    assert "2025年" in out and "2026年" in out
    assert set(WorkdayYear.objects.values_list("year", flat=True)) == {2025, 2026}


def test_a_year_the_package_does_not_know_is_an_error():
    err = StringIO()
    with pytest.raises(CommandError, match="1999"):
        call_command("load_calendar", "--year", "1999", "2026", stdout=StringIO(), stderr=err)
    assert "1999" in err.getvalue()
    # The good year in the same run is still loaded.
    assert WorkdayYear.objects.filter(year=2026).exists()
    assert not WorkdayYear.objects.filter(year=1999).exists()
