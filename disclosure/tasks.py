"""Celery tasks of disclosure: nightly timeliness figures, daily deadline reminders, and
reminders of requests for information every 15 minutes.

All are scans of the database, so a missed run loses nothing: the next one catches up.
"""

from __future__ import annotations

from celery import shared_task

from disclosure.compliance import compliance_refresh, reminders_send
from disclosure.requests import reminders as request_reminders
from disclosure.requests import tasks as _request_tasks  # noqa: F401 - registers the hourly scans
from portal.reminders import SCAN_SOFT_TIME_LIMIT, SCAN_TIME_LIMIT


@shared_task(
    name="disclosure.tasks.refresh_compliance",
    ignore_result=True,
    # The whole city in one go; well above what it takes, far below a night.
    soft_time_limit=1800,
    time_limit=2100,
)
def refresh_compliance(unit_ids: list[int] | None = None) -> None:
    """Recompute the timeliness tables for these units, or for every unit."""
    compliance_refresh(units=unit_ids)


@shared_task(
    name="disclosure.tasks.send_deadline_reminders",
    ignore_result=True,
    soft_time_limit=600,
    time_limit=720,
)
def send_deadline_reminders() -> None:
    """Remind units of periodic items falling due soon; each period at most once."""
    reminders_send()


@shared_task(
    name="disclosure.tasks.scan_info_request_reminders",
    ignore_result=True,
    soft_time_limit=SCAN_SOFT_TIME_LIMIT,
    time_limit=SCAN_TIME_LIMIT,
)
def scan_info_request_reminders() -> None:
    """Remind units of requests for information falling due; escalate overdue ones to the
    supervisors of the enclosing places (the letters' engine: portal.reminders)."""
    request_reminders.reminders_scan()
