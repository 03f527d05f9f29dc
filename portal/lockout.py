"""The one rule for locking out repeated wrong tries, shared by every check that guesses
can be made against: looking at vouchers with an ID number (funds.services.vouchers) and
signing in (portal.auth.throttle).

A counter row has `failures`, `lockouts`, `locked_until` and `last_failure_at`. At
`max_failures` wrong tries it locks for `base_minutes`, doubled at each further lockout
up to 2^MAX_DOUBLINGS times the base (64 hours at 15 minutes), and counting starts again.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Protocol

from django.utils import timezone
from django.utils.formats import date_format

MAX_DOUBLINGS = 8


class FailureCounter(Protocol):
    failures: int
    lockouts: int
    locked_until: dt.datetime | None
    last_failure_at: dt.datetime | None


def lock_duration(base_minutes: int, lockouts: int) -> dt.timedelta:
    """How long the lockout after `lockouts` earlier ones lasts."""
    return dt.timedelta(minutes=base_minutes * 2 ** min(lockouts, MAX_DOUBLINGS))


def until_text(until: dt.datetime) -> str:
    """When a lock ends, as the refusal tells the person: 2026-12-01 10:45."""
    return date_format(timezone.localtime(until), "Y-m-d H:i")


def seconds_left(until: dt.datetime, now: dt.datetime | None = None) -> int:
    """Seconds until a lock ends, at least 1, for the Retry-After header."""
    return max(1, math.ceil((until - (now or timezone.now())).total_seconds()))


def is_locked(counter: FailureCounter, now: dt.datetime) -> bool:
    return counter.locked_until is not None and counter.locked_until > now


def count_failure(
    counter: FailureCounter,
    *,
    now: dt.datetime,
    max_failures: int,
    base_minutes: int,
    window: dt.timedelta | None = None,
) -> bool:
    """Count one wrong try on `counter` (not saved); True when this try locks it.
    With a `window`, tries older than it are forgotten before this one is counted."""
    if window is not None and counter.last_failure_at and now - counter.last_failure_at > window:
        counter.failures = 0
    counter.failures += 1
    counter.last_failure_at = now
    if counter.failures < max_failures:
        return False
    counter.locked_until = now + lock_duration(base_minutes, counter.lockouts)
    counter.lockouts += 1
    counter.failures = 0
    return True
