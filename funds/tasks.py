"""Celery tasks of funds. Each scans the database, so a missed or doubled run loses or
repeats nothing: alerts and rectification items are unique per cause."""

from __future__ import annotations

from celery import shared_task

from funds.services.ledger import statements_generate_due
from funds.services.monitoring import alerts_scan
from funds.services.projects import rectifications_scan


@shared_task(name="funds.tasks.scan", ignore_result=True, soft_time_limit=600, time_limit=660)
def scan() -> None:
    """Open rectification items for projects rated unsatisfactory, then raise and clear
    the alerts of every rule (stages, money, ledgers, statements)."""
    rectifications_scan()
    alerts_scan()


@shared_task(
    name="funds.tasks.statements_generate", ignore_result=True, soft_time_limit=600, time_limit=660
)
def statements_generate() -> None:
    """Generate (or refresh) last month's statement of every collective not yet published,
    for the village to publish."""
    statements_generate_due()
