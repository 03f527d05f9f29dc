"""Celery tasks of the mailbox.

The reminder scan reads the database for what is due, so a missed or doubled run loses
or duplicates nothing: each reminder is claimed by a unique row before it is sent.
"""

from __future__ import annotations

from celery import shared_task

from mailbox.reminders import SCAN_SOFT_TIME_LIMIT, SCAN_TIME_LIMIT, reminders_scan


@shared_task(
    name="mailbox.tasks.scan_letter_reminders",
    ignore_result=True,
    soft_time_limit=SCAN_SOFT_TIME_LIMIT,
    time_limit=SCAN_TIME_LIMIT,
)
def scan_letter_reminders() -> None:
    """Remind units of letters falling due and escalate overdue ones to supervisors."""
    reminders_scan()
