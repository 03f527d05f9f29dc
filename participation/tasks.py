"""Celery tasks of participation. Each scans the database for what is due, so a missed
or doubled run loses or repeats nothing: closing a vote or a round is a conditional
update that only one run wins."""

from __future__ import annotations

from celery import shared_task

from participation.services.evaluations import rounds_close_due
from participation.services.votes import votes_close_due


@shared_task(name="participation.tasks.close_due_votes", ignore_result=True)
def close_due_votes() -> None:
    """Close published votes whose window has ended and freeze their results."""
    votes_close_due()


@shared_task(name="participation.tasks.close_due_rounds", ignore_result=True)
def close_due_rounds() -> None:
    """Close evaluation rounds whose window has ended; raise the two-year flags."""
    rounds_close_due()
