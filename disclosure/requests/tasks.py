"""Celery tasks of requests for information: hourly scans of the database, so a missed
run loses nothing (the next one catches up) and a run twice at once does each thing
once (each row is claimed under its lock).

Registered with the worker by disclosure.tasks importing this module (autodiscovery
finds app-level tasks modules only).
"""

from __future__ import annotations

from celery import shared_task

from disclosure.requests import services


@shared_task(
    name="disclosure.requests.tasks.corrections_lapse",
    ignore_result=True,
    soft_time_limit=600,
    time_limit=660,
)
def corrections_lapse() -> int:
    """Close the requests not corrected by their correction due date (OTHER_UNCORRECTED)."""
    return services.corrections_lapse()


@shared_task(
    name="disclosure.requests.tasks.third_party_waits_refresh",
    ignore_result=True,
    soft_time_limit=600,
    time_limit=660,
)
def third_party_waits_refresh() -> int:
    """Move the due dates of the requests waiting for a third party's opinion."""
    return services.third_party_waits_refresh()
