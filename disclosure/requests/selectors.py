"""Reads of requests for information: the applicant's door (two codes, or their own
account), the unit's queue, and what a page shows of one request.

Definitions (the queue, the track page and the API say the same):

- open: pending, processing, correction or third party;
- overdue: the clock is running (processing or third party) and today is after due_on;
- due_at: the end of the due date in Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.urls import NoReverseMatch, reverse

from disclosure.models import (
    InfoRequest,
    InfoRequestEvent,
    InfoRequestEventKind,
    InfoRequestStatus,
    Outcome,
)
from disclosure.requests import permissions
from disclosure.requests.services import CLOCK_STATUSES, OPEN_STATUSES
from portal.workdays import end_of_day, missing_years

# Internal steps the applicant does not see.
HIDDEN_EVENTS = (InfoRequestEventKind.REMINDED,)
# The reply letter's pages, provided by disclosure.requests.letter (taking the tracking code).
LETTER_VIEWS = {"html": "info-request-letter", "pdf": "info-request-letter-pdf"}

# The reply's outcome, grouped as the seven categories of table 3 (2021 format), with
# "not ours" (Art. 36 (5)) offered as its own choice under （四）.
OUTCOME_GROUPS: list[tuple[str, list[str]]] = [
    ("（一）予以公开", [Outcome.PUBLIC, Outcome.ALREADY_PUBLIC]),
    ("（二）部分公开", [Outcome.PARTIAL]),
    (
        "（三）不予公开",
        [
            Outcome.REFUSED_STATE_SECRET,
            Outcome.REFUSED_LAW,
            Outcome.REFUSED_SAFETY,
            Outcome.REFUSED_THIRD_PARTY,
            Outcome.REFUSED_INTERNAL,
            Outcome.REFUSED_PROCESS,
            Outcome.REFUSED_ENFORCEMENT,
            Outcome.REFUSED_QUERY,
        ],
    ),
    (
        "（四）无法提供",
        [
            Outcome.UNABLE_NOT_HELD,
            "not_ours",
            Outcome.UNABLE_NEEDS_CREATION,
            Outcome.UNABLE_UNCLEAR,
        ],
    ),
    (
        "（五）不予处理",
        [
            Outcome.NOT_PROCESSED_COMPLAINT,
            Outcome.NOT_PROCESSED_REPEAT,
            Outcome.NOT_PROCESSED_PUBLICATION,
            Outcome.NOT_PROCESSED_MASS,
            Outcome.NOT_PROCESSED_CONFIRM,
        ],
    ),
    ("（六）其他处理", [Outcome.OTHER_UNPAID, Outcome.OTHER]),
]


def _with_relations(requests: QuerySet[InfoRequest]) -> QuerySet[InfoRequest]:
    return requests.select_related("unit", "unit__region").prefetch_related(
        "events", "consultations", "attachments"
    )


# --- The applicant's door ---------------------------------------------------------------


def request_by_codes(tracking_code: str, query_code: str) -> InfoRequest | None:
    """A request found with both of its codes, else None (never says which was wrong)."""
    info_request = (
        _with_relations(InfoRequest.objects.all())
        .filter(tracking_code=(tracking_code or "").strip().upper())
        .first()
    )
    if not permissions.can_follow(None, info_request, (query_code or "").strip()):
        return None
    return info_request


def requests_of_owner(user: Any) -> QuerySet[InfoRequest]:
    if not getattr(user, "is_authenticated", False):
        return InfoRequest.objects.none()
    return InfoRequest.objects.filter(user=user).select_related("unit")


def request_of_owner(user: Any, tracking_code: str) -> InfoRequest | None:
    return _with_relations(requests_of_owner(user)).filter(tracking_code=tracking_code).first()


def request_by_tracking_code(tracking_code: str) -> InfoRequest | None:
    """For doors that ask permissions.session_allows themselves (the letter, files)."""
    return (
        _with_relations(InfoRequest.objects.all())
        .filter(tracking_code=(tracking_code or "").strip().upper())
        .first()
    )


def applicant_events(info_request: InfoRequest) -> list[InfoRequestEvent]:
    """The steps the applicant sees, in order (reminders are internal)."""
    return [event for event in info_request.events.all() if event.kind not in HIDDEN_EVENTS]


def due_at(info_request: InfoRequest) -> dt.datetime | None:
    """The last instant for the reply: the end of due_on in the portal's time zone."""
    return end_of_day(info_request.due_on) if info_request.due_on else None


def is_overdue(info_request: InfoRequest, today: dt.date) -> bool:
    return (
        info_request.status in CLOCK_STATUSES
        and info_request.due_on is not None
        and info_request.due_on < today
    )


def is_provisional_date(day: dt.date | None) -> bool:
    """A date in a year whose holiday schedule is not loaded (one query)."""
    return bool(day and missing_years([day.year]))


def letter_urls(info_request: InfoRequest) -> dict[str, str]:
    """The reply letter's pages (HTML, PDF) once replied, where they exist."""
    if info_request.status != InfoRequestStatus.REPLIED:
        return {}
    urls = {}
    for kind, name in LETTER_VIEWS.items():
        try:
            urls[kind] = reverse(name, args=[info_request.tracking_code])
        except NoReverseMatch:
            continue
    return urls


def reply_attachments(info_request: InfoRequest) -> list:
    return [a for a in info_request.attachments.all() if not a.from_applicant]


def applicant_attachments(info_request: InfoRequest) -> list:
    return [a for a in info_request.attachments.all() if a.from_applicant]


def attachment_of(info_request: InfoRequest, token: str):
    return next((a for a in info_request.attachments.all() if a.token == token), None)


# --- The unit's queue -------------------------------------------------------------------


def urgency(today: dt.date) -> Case:
    """0 overdue, 1 open (the soonest due first), 2 replied or closed."""
    return Case(
        When(status__in=CLOCK_STATUSES, due_on__lt=today, then=Value(0)),
        When(status__in=OPEN_STATUSES, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def overdue_filter(today: dt.date) -> Q:
    return Q(status__in=CLOCK_STATUSES, due_on__lt=today)


def back_office_queue(user: Any, today: dt.date) -> QuerySet[InfoRequest]:
    """The requests this person reads in the back office, overdue first, then the open
    ones by due date, then the finished ones newest first."""
    return (
        permissions.info_requests_for(user)
        .select_related("unit")
        .annotate(urgency=urgency(today))
        .order_by("urgency", F("due_on").asc(nulls_last=True), "-submitted_at", "-id")
    )
