"""Celery tasks of the services app. Each scans the database, so a missed or doubled run
loses or repeats nothing."""

from __future__ import annotations

from celery import shared_task

from services.services import guides


@shared_task(
    name="services.tasks.guides_flag_stale", ignore_result=True, soft_time_limit=300, time_limit=360
)
def guides_flag_stale() -> None:
    """Flag published guides not verified for a year to their units (and clear the flag
    of those verified since)."""
    guides.guides_flag_stale()
