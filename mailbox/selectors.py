"""Reads of the mailbox for the public pages and the supervisors' dashboard.

Two doors, two rules:

- The public sees a letter only when it is *published*: the writer agreed to publication
  and the office has answered it (答复 or 办结; a rejected or reopened letter is not).
  Public pages receive a `PublicLetter`, never the model row, so the writer's phone,
  e-mail and ID number cannot reach a template by accident; the writer's name comes
  masked (张*), and phone numbers, ID numbers and e-mail addresses typed into the text
  are taken out.
- Supervisors read every letter inside a place's subtree, filtered by `LetterFilter`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from mailbox.models import EventKind, Letter, LetterEvent, LetterStatus, LetterType
from mailbox.models.letters import OPEN_STATUSES
from portal import hierarchy, identity
from portal.workdays import add_working_days, end_of_day

# Answered letters; a reopened letter goes back to an open status until answered again.
ANSWERED_STATUSES = (LetterStatus.REPLIED, LetterStatus.CLOSED)
# Letters due within this many working days (and not yet overdue) are "due soon".
DUE_SOON_WORKING_DAYS = 1


@dataclass
class LetterFilter:
    """What a list or a statistic is narrowed to. `region` is a subtree; dates are the
    days of receipt (in the portal's time zone), both ends included."""

    region: str | None = None
    tier: str | None = None
    unit: int | None = None
    type: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_letters(letters: QuerySet[Letter], criteria: LetterFilter) -> QuerySet[Letter]:
    """Apply a filter. The place is a code range on Letter.region (no join); the dates are
    a range on received_at, so both stay index-friendly."""
    if criteria.region:
        letters = hierarchy.in_subtree(letters, criteria.region)
    if criteria.tier:
        letters = letters.filter(region__tier=criteria.tier)
    if criteria.unit:
        letters = letters.filter(unit_id=criteria.unit)
    if criteria.type:
        letters = letters.filter(type=criteria.type)
    if criteria.since:
        letters = letters.filter(received_at__gte=_start_of_day(criteria.since))
    if criteria.until:
        letters = letters.filter(received_at__lt=_start_of_day(criteria.until + dt.timedelta(1)))
    return letters


# --- The public door -----------------------------------------------------------------


def published_letters() -> QuerySet[Letter]:
    """Letters the public may read: consent given and answered."""
    return Letter.objects.filter(
        publish_consent=True, status__in=ANSWERED_STATUSES, replied_at__isnull=False
    )


@dataclass(frozen=True)
class PublicLetter:
    """A published letter as the public sees it: no phone, e-mail or ID number at all."""

    pk: int
    type: str
    type_label: str
    subject: str
    body: str
    writer: str
    unit_name: str
    unit_id: int
    region_code: str
    received_on: dt.date
    accepted_on: dt.date | None
    replied_on: dt.date
    reply_unit_name: str
    reply: str

    @classmethod
    def of(
        cls, letter: Letter, *, detail: bool = False, accepted_on: dt.date | None = None
    ) -> PublicLetter:
        """`detail`: the row was loaded with its body and reply (the list leaves them out)."""
        reply_unit = letter.reply_unit or letter.unit
        return cls(
            pk=letter.pk,
            type=letter.type,
            type_label=str(LetterType(letter.type).label),
            subject=identity.public_text(letter.subject),
            body=identity.public_text(letter.body) if detail else "",
            writer=identity.mask_name(letter.writer_name),
            unit_name=letter.unit.name,
            unit_id=letter.unit_id,
            region_code=letter.region_id,
            received_on=timezone.localdate(letter.received_at),
            accepted_on=accepted_on,
            replied_on=timezone.localdate(letter.replied_at),
            reply_unit_name=reply_unit.name,
            reply=identity.public_text(letter.reply) if detail else "",
        )


# The list needs neither the body nor the reply; the detail page needs both.
_LIST_FIELDS = (
    "id",
    "type",
    "subject",
    "writer_name",
    "unit",
    "unit__name",
    "reply_unit",
    "reply_unit__name",
    "region",
    "received_at",
    "replied_at",
)


def letters_public(criteria: LetterFilter) -> QuerySet[Letter]:
    """Published letters, filtered, the newest reply first (turn rows into PublicLetter
    with PublicLetter.of before they reach a template)."""
    letters = filter_letters(published_letters(), criteria)
    return (
        letters.select_related("unit", "reply_unit")
        .only(*_LIST_FIELDS)
        .order_by("-replied_at", "-id")
    )


def letter_public(pk: int) -> PublicLetter | None:
    """One published letter with its acceptance date (受理日期); two queries."""
    letter = (
        published_letters()
        .select_related("unit", "reply_unit")
        .only(*_LIST_FIELDS, "body", "reply")
        .filter(pk=pk)
        .first()
    )
    if letter is None:
        return None
    # 受理日期: the first acceptance; a letter answered without one was taken up by the
    # answer itself.
    accepted = (
        LetterEvent.objects.filter(
            letter_id=letter.pk, kind__in=(EventKind.ACCEPTED, EventKind.REPLIED)
        )
        .order_by("at", "id")
        .values_list("at", flat=True)
        .first()
    )
    accepted_on = timezone.localdate(accepted) if accepted else None
    return PublicLetter.of(letter, detail=True, accepted_on=accepted_on)


# --- The supervisors' door -----------------------------------------------------------


def letters_supervised(criteria: LetterFilter) -> QuerySet[Letter]:
    """Every letter inside the filter; the caller has checked that the person supervises
    criteria.region."""
    return filter_letters(Letter.objects.all(), criteria)


def open_letters(letters: QuerySet[Letter]) -> QuerySet[Letter]:
    return letters.filter(status__in=OPEN_STATUSES)


def due_soon_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """The end of the next working day: a letter due by then, and not yet overdue, is
    "due soon". Deadlines end at 23:59:59 of a working day, so this catches the letters
    due today and those due on the next working day (a Friday afternoon sees Monday's)."""
    now = now or timezone.now()
    return end_of_day(add_working_days(now, DUE_SOON_WORKING_DAYS).date)


def overdue(letters: QuerySet[Letter], now: dt.datetime) -> QuerySet[Letter]:
    """Open letters whose deadline has passed, the longest overdue first."""
    return open_letters(letters).filter(due_at__lt=now).order_by("due_at", "id")


def due_soon(letters: QuerySet[Letter], now: dt.datetime, cutoff: dt.datetime) -> QuerySet[Letter]:
    """Open letters due between now and the cutoff, the most urgent first."""
    return (
        open_letters(letters).filter(due_at__gte=now, due_at__lte=cutoff).order_by("due_at", "id")
    )


# Columns of the supervisors' tables and exports: nothing of the writer but the masked
# name and phone, which the views compute.
SUPERVISION_FIELDS = (
    "id",
    "tracking_code",
    "type",
    "subject",
    "status",
    "writer_name",
    "phone",
    "unit",
    "unit__name",
    "region",
    "region__name",
    "region__tier",
    "received_at",
    "due_at",
    "due_is_provisional",
    "replied_at",
    "rating",
)


def with_row_fields(letters: QuerySet[Letter]) -> QuerySet[Letter]:
    return letters.select_related("unit", "region").only(*SUPERVISION_FIELDS)
