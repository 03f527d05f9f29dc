"""The clock of requests for information on the portal's calendar (2026: National Day
1–7 October, Sunday 20 September and Saturday 10 October worked)."""

import datetime as dt
from dataclasses import dataclass

import pytest

from disclosure.requests import deadlines

pytestmark = pytest.mark.django_db
D = dt.date


@dataclass
class Wait:
    asked_on: dt.date
    answered_on: dt.date | None = None


def test_reply_due_twenty_working_days_after_receipt(calendar_2026):
    # Counting starts the next working day; the National Day week is skipped and the
    # make-up Saturday counts.
    assert deadlines.due_date(received_on=D(2026, 9, 14), extension_days=0, paused_days=0) == (
        D(2026, 10, 16),
        False,
    )
    assert deadlines.due_date(received_on=D(2026, 9, 2), extension_days=3, paused_days=0) == (
        D(2026, 10, 10),
        False,
    )
    assert deadlines.due_date(received_on=D(2026, 9, 14), extension_days=20, paused_days=15)[
        0
    ] == D(2026, 12, 4)


def test_a_due_date_in_a_year_without_schedule_is_provisional(calendar_2026):
    due, provisional = deadlines.due_date(
        received_on=D(2026, 12, 10), extension_days=0, paused_days=0
    )
    assert provisional is True and due.year == 2027


def test_limits_of_the_clock_are_refused():
    with pytest.raises(ValueError):
        deadlines.due_date(received_on=D(2026, 9, 14), extension_days=21, paused_days=0)
    with pytest.raises(ValueError):
        deadlines.due_date(received_on=D(2026, 9, 14), extension_days=0, paused_days=16)


def test_paused_days_count_working_days_after_the_ask_up_to_the_answer(calendar_2026):
    # (Mon 12 Oct, Fri 16 Oct]: 13, 14, 15, 16.
    assert (
        deadlines.paused_working_days([Wait(D(2026, 10, 12), D(2026, 10, 16))], D(2026, 11, 1)) == 4
    )
    # Still open: up to today. Over the holiday only the worked days count (8, 9, 10 Oct).
    assert deadlines.paused_working_days([Wait(D(2026, 9, 30))], D(2026, 10, 11)) == 3
    # Answered the day it was asked: nothing to add.
    assert (
        deadlines.paused_working_days([Wait(D(2026, 10, 12), D(2026, 10, 12))], D(2026, 11, 1)) == 0
    )


def test_paused_days_are_capped_at_fifteen_in_all(calendar_2026):
    long = Wait(D(2026, 10, 12), D(2026, 11, 20))
    assert deadlines.paused_working_days([long], D(2026, 12, 1)) == 15
    two = [Wait(D(2026, 10, 12), D(2026, 10, 23)), Wait(D(2026, 11, 2), D(2026, 11, 13))]
    assert deadlines.paused_working_days(two, D(2026, 12, 1)) == 15


def test_overlapping_waits_count_each_day_once(calendar_2026):
    both = [Wait(D(2026, 10, 12), D(2026, 10, 16)), Wait(D(2026, 10, 14), D(2026, 10, 19))]
    # 13, 14, 15, 16 and 19 October.
    assert deadlines.paused_working_days(both, D(2026, 11, 1)) == 5


def test_waits_before_the_clock_restarted_are_left_out(calendar_2026):
    wait = Wait(D(2026, 10, 12), D(2026, 10, 16))
    assert deadlines.paused_working_days([wait], D(2026, 11, 1), since=D(2026, 10, 14)) == 2


def test_correction_dates(calendar_2026, settings):
    assert deadlines.correction_notice_allowed_until(D(2026, 9, 14)) == (D(2026, 9, 22), False)
    # Across the holidays: 22–24 and 28–30 September (the 25th is the Mid-Autumn
    # Festival) and 8 October.
    assert deadlines.correction_notice_allowed_until(D(2026, 9, 21))[0] == D(2026, 10, 8)
    assert deadlines.correction_due(D(2026, 9, 22)) == (D(2026, 10, 20), False)
    settings.OGI_CORRECTION_DAYS = 5
    assert deadlines.correction_due(D(2026, 9, 22))[0] == D(2026, 9, 30)
