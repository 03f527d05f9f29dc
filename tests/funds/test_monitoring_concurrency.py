"""Scans running at the same time on PostgreSQL (the hourly task, a retry, a manual run)
raise each alert once, and between them count each as raised once."""

import datetime as dt
import threading

import pytest
from django.db import connections

from funds.models import Alert, AlertKind
from funds.services.monitoring import alerts_scan
from tests.funds.test_monitoring_helpers import (
    at,
    make_entry,
    make_project,
)

pytestmark = pytest.mark.django_db(transaction=True)

SCANS = 4


def scan_together(instants: list[dt.datetime]) -> list:
    """One thread per instant, released together at a barrier; each uses (and closes) its
    own database connection."""
    barrier = threading.Barrier(len(instants))
    results, errors = [], []
    lock = threading.Lock()

    def worker(now: dt.datetime) -> None:
        try:
            barrier.wait(timeout=60)
            outcome = alerts_scan(now=now)
            with lock:
                results.append(outcome)
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(now,)) for now in instants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_concurrent_scans_create_each_alert_once(geo, personas, money):
    for i in range(30):
        make_project(geo, personas, money, disbursed=95_000, name=f"项目{i}")
        make_entry(money, booked_on=dt.date(2026, 9, 1), amount=60_000)
    # Causes: 30 projects near budget, 30 entries without voucher, 30 large without
    # decision, one late statement (September).
    expected = 91
    # Distinct instants: each scan counts the rows carrying its own raised_at.
    start = at(2026, 11, 2)
    results = scan_together([start + dt.timedelta(microseconds=n) for n in range(SCANS)])

    assert Alert.objects.count() == expected
    assert Alert.objects.values("key").distinct().count() == expected
    assert sum(result.total_raised for result in results) == expected
    assert Alert.objects.filter(kind=AlertKind.NEAR_BUDGET).count() == 30

    # And again, all at once: nothing new, nothing cleared.
    again = scan_together([start + dt.timedelta(hours=1, microseconds=n) for n in range(SCANS)])
    assert Alert.objects.count() == expected
    assert sum(r.total_raised + r.total_cleared for r in again) == 0
