"""The clock of a request for information (OGI Regulations 2019), the one place it is
computed. Pure functions over portal.workdays: they read the calendar, never a request.

- Receipt (Art. 31): online on the portal, the day it is submitted (local date); by post,
  the day the unit signs for it; by fax, the day both sides confirm it; in person, the day
  it is handed in. The unit's official enters the last three (services.receipt_register).
- Reply (Art. 33): within 20 working days of receipt, counted from the next working day
  (as portal.workdays.add_working_days counts); one extension of at most 20 working days.
- Correction (Art. 30): one consolidated notice within 7 working days of receipt; the
  applicant corrects within OGI_CORRECTION_DAYS working days (a local choice, default 15);
  the corrected application is a new receipt, so the clock restarts from it.
- Third party (Art. 32): the working days spent waiting for a third party's opinion, at
  most 15 in all, are not counted.

Every date comes with `provisional`: True when the span touches a year whose holiday
schedule is not loaded yet (see portal.workdays).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings

from portal.workdays import add_working_days, working_days

REPLY_WORKING_DAYS = 20  # Art. 33 (1)
MAX_EXTENSION_DAYS = 20  # Art. 33 (2)
CORRECTION_NOTICE_DAYS = 7  # Art. 30
MAX_THIRD_PARTY_DAYS = 15  # Art. 32


class Consultation(Protocol):
    """What the clock needs of a ThirdPartyConsultation."""

    asked_on: dt.date
    answered_on: dt.date | None


def correction_days() -> int:
    """Working days the applicant has to correct an application (local choice)."""
    return settings.OGI_CORRECTION_DAYS


def due_date(
    *, received_on: dt.date, extension_days: int, paused_days: int
) -> tuple[dt.date, bool]:
    """The last day for the reply: received_on + 20 + extension + paused working days,
    counting from the next working day. Returns (date, provisional)."""
    if not 0 <= extension_days <= MAX_EXTENSION_DAYS:
        raise ValueError(f"extension_days must be between 0 and {MAX_EXTENSION_DAYS}")
    if not 0 <= paused_days <= MAX_THIRD_PARTY_DAYS:
        raise ValueError(f"paused_days must be between 0 and {MAX_THIRD_PARTY_DAYS}")
    result = add_working_days(received_on, REPLY_WORKING_DAYS + extension_days + paused_days)
    return result.date, result.provisional


def paused_working_days(
    consultations: Iterable[Consultation], today: dt.date, *, since: dt.date | None = None
) -> int:
    """Working days not counted because the unit waited for a third party: for each
    consultation the working days in (asked_on, answered_on or today], at most 15 in all.

    Two consultations open at once are one wait: a day counts once however many third
    parties are asked. `since` (the receipt date) leaves out waits before the clock last
    started (a correction restarts it)."""
    days: set[dt.date] = set()
    spans = []
    for consultation in consultations:
        first = consultation.asked_on
        if since is not None and first < since:
            first = since
        last = consultation.answered_on or today
        if last > today:
            last = today
        if last > first:
            spans.append((first + dt.timedelta(days=1), last))
    if not spans:
        return 0
    calendar = working_days(min(s[0] for s in spans), max(s[1] for s in spans))
    for first, last in spans:
        days.update(day for day in calendar if first <= day <= last)
    return min(len(days), MAX_THIRD_PARTY_DAYS)


def correction_due(sent_on: dt.date) -> tuple[dt.date, bool]:
    """The last day for the applicant to correct: OGI_CORRECTION_DAYS working days after
    the notice was sent. Returns (date, provisional)."""
    result = add_working_days(sent_on, correction_days())
    return result.date, result.provisional


def correction_notice_allowed_until(received_on: dt.date) -> tuple[dt.date, bool]:
    """The last day on which the one correction notice may be sent: 7 working days after
    receipt (Art. 30). Returns (date, provisional)."""
    result = add_working_days(received_on, CORRECTION_NOTICE_DAYS)
    return result.date, result.provisional
