"""Letters at chosen instants for the public, statistics and supervision tests.

Every letter goes through mailbox.services. The services that take no `now` (reply,
accept, rate) run with django.utils.timezone.now pinned to the instant wanted.
"""

from __future__ import annotations

import datetime as dt
import itertools
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

from django.urls import include, path

from mailbox import services
from mailbox.models import Letter

TZ = ZoneInfo("Asia/Shanghai")
# Each letter has its own phone: the hourly rate limit counts per phone.
_phones = itertools.count(1)
_bodies = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


@contextmanager
def frozen(instant: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=instant):
        yield


def next_phone() -> str:
    return f"1370{next(_phones) % 10**7:07d}"


def submit(unit, *, when: dt.datetime, publish: bool = True, **fields) -> Letter:
    values = {
        "type": "help",
        "subject": "路灯不亮",
        "name": "张三丰",
        "phone": next_phone(),
        **fields,
    }
    values["body"] = f"{fields.get('body', '平岗路88号路灯坏了一周。')}（第{next(_bodies)}封）"
    letter, created = services.letter_submit(
        unit=unit, publish_consent=publish, now=when, **{k: v for k, v in values.items()}
    )
    assert created
    return letter


def accept(letter: Letter, actor, when: dt.datetime) -> Letter:
    with frozen(when):
        return services.letter_accept(letter=letter, actor=actor)


def reply(letter: Letter, actor, when: dt.datetime, text: str = "已安排维修，现已修复。") -> Letter:
    with frozen(when):
        return services.letter_reply(letter=letter, actor=actor, text=text)


def rate(letter: Letter, rating: str, when: dt.datetime, reopen: bool = False) -> Letter:
    with frozen(when):
        return services.letter_rate(letter=letter, rating=rating, reopen=reopen)


def transfer(letter: Letter, actor, to_unit, when: dt.datetime) -> Letter:
    with frozen(when):
        return services.letter_transfer(letter=letter, actor=actor, to_unit=to_unit)


def reject(letter: Letter, actor, when: dt.datetime) -> Letter:
    with frozen(when):
        return services.letter_reject(letter=letter, actor=actor, reason="不属于本单位职责")


def with_mailbox_urls(patterns):
    """The project's URLs with the public and supervision letter pages mounted where
    portal/urls.py mounts them (added here when it does not yet)."""
    mounted = {getattr(getattr(p, "urlconf_name", None), "__name__", None) for p in patterns}
    extra = []
    if "mailbox.urls_public" not in mounted:
        extra.append(path("letters/public/", include("mailbox.urls_public")))
    if "mailbox.urls_supervision" not in mounted:
        extra.append(path("supervision/letters/", include("mailbox.urls_supervision")))
    return [*extra, *patterns]


def no_rate_limit(settings) -> None:
    """Some tests reuse one phone number on purpose; the hourly limit is not their topic."""
    settings.MAILBOX_RATE_PER_PHONE = 10**6


def queries_of(request) -> tuple[int, object]:
    """(number of queries, response) of one request or call. Inside a test's transaction
    the statistics' transaction shows as a SAVEPOINT and its release: two queries that
    production (autocommit) does not log."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = request()
    return len(queries), result
