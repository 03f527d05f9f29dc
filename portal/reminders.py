"""Reminders of cases that fall due, and escalation of overdue ones (催办、督办): the one
engine behind citizen letters (mailbox.reminders) and requests for information
(disclosure.requests.reminders). What differs between kinds of case (which are open,
their deadline, the claim table, the text, the history entry) is a ReminderAdapter;
everything below is shared.

A periodic scan of the database (one Celery task per kind of case) is the source of
truth: a broker or worker outage delays reminders, the next scan sends what is due by
then.

The rules, with dates in Asia/Shanghai and working days from portal.workdays. Only open
cases are reminded (the adapter says which). `due date` is the calendar date of the
case's deadline, `due_at` the last instant it still counts as in time.

- due_soon, tier 0, to the unit's handlers (members with role editor or admin): from the
  last working day before the due date until the due date begins, i.e. while at most one
  working day lies in (today, due date]. Due Saturday 10 Oct 2026 (a make-up working
  day): sent on Friday 9 Oct.
- due, tier 0, to the unit's admins: on the due date; sent later if it was missed, so the
  unit hears that its case fell due even after an outage.
- overdue, tier k >= 1, to the supervisors of the k-th enclosing place that has any
  supervisors, nearest first, starting at the parent of the case's place (supervisors
  scoped exactly at that place; a place with none is passed over). With
  d = count_working_days(due date, today), the working days past the due date, tier k
  is reached when d >= 1 + 2 * (k - 1): tier 1 on the first working day after the due
  date, then one tier higher every further 2 working days, up to the outermost place
  that has supervisors. Due 10 Oct 2026: tier 1 on Mon 12 Oct, tier 2 on Wed 14 Oct.
- Catch-up: a scan sends every reminder applicable now that was not sent yet, with one
  exception: once the due date has come, due_soon is no longer applicable (due supersedes
  it, one tier-0 message per deadline state instead of two). Every overdue tier reached
  so far is sent: each goes to different people.
- A unit with nobody in the role is not reminded (and nothing is claimed, so a person
  appointed later while the reminder still applies gets it).
- The deadline is part of a reminder's identity: after an extension or a reopening the
  case has a new deadline and the reminders start again for it.

Sending, at most once per (case, deadline, kind, tier):

1. Claim: get_or_create the claim row (claimed_at = now, sent_at empty) in its own short
   transaction, committed before anything is sent. A second scan or worker finds the row
   and skips it.
2. Send through the notifiers, outside any transaction.
3. On success, in one transaction right after the send returns: set sent_at (only if the
   claim is still ours) and write the case's "reminded" event. On failure: delete the
   claim (only if still ours and unsent), so the next scan retries.

A worker killed between 1 and 3 leaves a claim with sent_at empty. A scan takes it over
(a conditional update on claimed_at, so only one scan can) once it is older than the
reclaim delay (MAILBOX_REMINDER_RECLAIM_MINUTES for every kind), which must exceed the
task's hard time limit: a live worker never holds a claim that long, so nothing is taken
from a worker still sending. The one window in which a reminder can go out twice is a
kill after the notifier returned and before step 3 committed (a few milliseconds: one
UPDATE and one INSERT); across a process kill at-most-once and at-least-once cannot both
hold without the channel itself deduplicating, and this design chooses never to lose a
reminder.

The claim model of a kind of case has: a foreign key to the case (`case_field`), the
deadline (`deadline_field`), kind, tier, region, recipients, claimed_at, sent_at, and a
unique constraint on (case, deadline, kind, tier). A case has pk, unit (loaded), unit_id
and region_id (the 12-digit code of its place).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from portal import hierarchy
from portal.models import Membership, MembershipRole, Region, SupervisorScope
from portal.workdays import add_working_days, count_working_days, local_date

logger = logging.getLogger(__name__)

# The kinds, as stored in every claim table (mailbox.models.ReminderKind names them).
DUE_SOON, DUE, OVERDUE = "due_soon", "due", "overdue"

# The Celery limits of every scan task; a scan stops claiming new reminders after
# SCAN_BUDGET_SECONDS so that it ends well before the soft limit.
SCAN_SOFT_TIME_LIMIT = 420
SCAN_TIME_LIMIT = 480
SCAN_BUDGET_SECONDS = 360
DEFAULT_RECLAIM_MINUTES = 10
RECLAIM_SETTING = "MAILBOX_REMINDER_RECLAIM_MINUTES"
# Tier 1 on the first working day past the due date, then one tier per 2 more.
FIRST_OVERDUE_DAYS = 1
ESCALATION_WORKING_DAYS = 2


class Notifier(Protocol):
    """mailbox.notify's interface: reach the users, return how many, raise on failure."""

    def send(self, recipients: list[Any], subject: str, body: str) -> int: ...


def reclaim_after() -> dt.timedelta:
    minutes = getattr(settings, RECLAIM_SETTING, DEFAULT_RECLAIM_MINUTES)
    if not isinstance(minutes, int) or minutes * 60 <= SCAN_TIME_LIMIT:
        raise ImproperlyConfigured(
            f"{RECLAIM_SETTING} must be whole minutes longer than the scan's "
            f"hard time limit ({SCAN_TIME_LIMIT} s)"
        )
    return dt.timedelta(minutes=minutes)


def overdue_tier(working_days_late: int) -> int:
    """The highest tier reached after this many working days past the due date (0: none)."""
    if working_days_late < FIRST_OVERDUE_DAYS:
        return 0
    return 1 + (working_days_late - FIRST_OVERDUE_DAYS) // ESCALATION_WORKING_DAYS


@dataclass(frozen=True)
class PlannedReminder:
    """One reminder that applies now, with the people it goes to. `deadline` is the value
    stored in the claim (a datetime for letters, a date for requests)."""

    case: Any
    deadline: Any
    kind: str
    tier: int
    recipients: tuple[Any, ...]
    region: Region | None = None  # the place whose supervisors are written to
    working_days_late: int = 0

    @property
    def key(self) -> tuple[int, Any, str, int]:
        return (self.case.pk, self.deadline, self.kind, self.tier)


class ReminderAdapter:
    """What the engine needs to know about one kind of case. Subclasses set the class
    attributes and implement the methods that raise NotImplementedError."""

    label: ClassVar[str]  # in log lines: "letter reminder"
    claim_model: ClassVar[type[models.Model]]
    case_field: ClassVar[str]  # the claim's foreign key to the case: "letter"
    deadline_field: ClassVar[str]  # the deadline, on the case and in the claim: "due_at"
    plan_class: ClassVar[type[PlannedReminder]] = PlannedReminder

    def open_cases(self, *, due_by: dt.date) -> list[Any]:
        """Open cases whose due date is on or before `due_by`, with their unit, in order of
        deadline then pk."""
        raise NotImplementedError

    def due_at(self, case: Any) -> dt.datetime:
        """The last instant at which a reply is in time."""
        raise NotImplementedError

    def still_applies(self, reminder: PlannedReminder) -> bool:
        """Checked in the claim's transaction: the case is still open, at the same unit,
        with the same deadline (answered, transferred or extended since the plan: no)."""
        raise NotImplementedError

    def message(self, reminder: PlannedReminder, *, now: dt.datetime) -> tuple[str, str]:
        """Subject and body, without the citizen's name, phone or ID number."""
        raise NotImplementedError

    def record_sent(self, reminder: PlannedReminder) -> None:
        """Write the case's "reminded" history entry (inside the marking transaction)."""
        raise NotImplementedError

    def notifier(self) -> Notifier:
        raise NotImplementedError

    def deadline(self, case: Any) -> Any:
        return getattr(case, self.deadline_field)

    def claims(self) -> QuerySet:
        return self.claim_model.objects.all()


@dataclass
class ScanResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # claimed or sent by another scan, or no longer applicable
    postponed: int = 0  # left for the next scan when the time budget ran out
    reminders: list[PlannedReminder] = field(default_factory=list)


def _distinct(users: list[Any]) -> tuple[Any, ...]:
    seen: dict[int, Any] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return tuple(sorted(seen.values(), key=lambda user: user.pk))


class _Recipients:
    """The unit members and place supervisors of a batch of cases, in two queries."""

    def __init__(self, cases: list[Any]) -> None:
        self.members: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for membership in Membership.objects.filter(
            unit_id__in={case.unit_id for case in cases},
            role__in=[MembershipRole.EDITOR, MembershipRole.ADMIN],
            user__is_active=True,
        ).select_related("user"):
            self.members[membership.unit_id][membership.role].append(membership.user)
        codes = {code for case in cases for code in hierarchy.ancestor_codes(case.region_id)}
        self.supervisors: dict[str, list[Any]] = defaultdict(list)
        self.places: dict[str, Region] = {}
        for scope in SupervisorScope.objects.filter(
            region_id__in=codes, user__is_active=True
        ).select_related("user", "region"):
            self.supervisors[scope.region_id].append(scope.user)
            self.places[scope.region_id] = scope.region

    def handlers(self, case: Any) -> tuple[Any, ...]:
        roles = self.members[case.unit_id]
        return _distinct(roles[MembershipRole.EDITOR] + roles[MembershipRole.ADMIN])

    def admins(self, case: Any) -> tuple[Any, ...]:
        return _distinct(self.members[case.unit_id][MembershipRole.ADMIN])

    def escalation(self, case: Any) -> list[tuple[Region, tuple[Any, ...]]]:
        """(place, its supervisors) for tier 1, 2, …: enclosing places that have any,
        nearest first."""
        chain = reversed(hierarchy.ancestor_codes(case.region_id))
        return [
            (self.places[code], _distinct(self.supervisors[code]))
            for code in chain
            if self.supervisors.get(code)
        ]


def reminders_applicable(
    adapter: ReminderAdapter, *, now: dt.datetime | None = None
) -> list[PlannedReminder]:
    """Every reminder that applies at `now` under the rules above, sent or not."""
    now = now or timezone.now()
    today = local_date(now)
    # Due dates before the 2nd working day from today are at most one working day away.
    horizon = add_working_days(today, 2).date - dt.timedelta(days=1)
    cases = adapter.open_cases(due_by=horizon)
    if not cases:
        return []
    people = _Recipients(cases)
    counts: dict[tuple[dt.date, dt.date], int] = {}

    def working_days(first: dt.date, last: dt.date) -> int:
        # Cases share due dates: one calendar lookup per date, not per case.
        if (first, last) not in counts:
            counts[first, last] = count_working_days(first, last).days
        return counts[first, last]

    planned: list[PlannedReminder] = []
    plan = adapter.plan_class
    for case in cases:
        due_at = adapter.due_at(case)
        deadline = adapter.deadline(case)
        due_date = local_date(due_at)
        if today < due_date:
            if working_days(today, due_date) <= 1 and (handlers := people.handlers(case)):
                planned.append(plan(case, deadline, DUE_SOON, 0, handlers))
            continue
        if admins := people.admins(case):
            planned.append(plan(case, deadline, DUE, 0, admins))
        if now <= due_at:
            continue
        late = working_days(due_date, today)
        reached = overdue_tier(late)
        for tier, (place, supervisors) in enumerate(people.escalation(case)[:reached], 1):
            planned.append(
                plan(
                    case,
                    deadline,
                    OVERDUE,
                    tier,
                    supervisors,
                    region=place,
                    working_days_late=late,
                )
            )
    return planned


# --- Claiming and sending --------------------------------------------------------------


def _claim(
    adapter: ReminderAdapter, reminder: PlannedReminder, stale_before: dt.datetime
) -> models.Model | None:
    """The claim row if this scan now owns the reminder, else None."""
    with transaction.atomic():
        if not adapter.still_applies(reminder):
            return None
        claim, created = adapter.claims().get_or_create(
            **{
                f"{adapter.case_field}_id": reminder.case.pk,
                adapter.deadline_field: reminder.deadline,
                "kind": reminder.kind,
                "tier": reminder.tier,
            },
            defaults={
                "claimed_at": timezone.now(),
                "region": reminder.region,
                "recipients": len(reminder.recipients),
            },
        )
        if created:
            return claim
        if claim.sent_at is not None or claim.claimed_at >= stale_before:
            return None
        # Left unsent by a worker that died: take it over, one scan only.
        takeover = timezone.now()
        if (
            adapter.claims()
            .filter(pk=claim.pk, sent_at=None, claimed_at=claim.claimed_at)
            .update(claimed_at=takeover)
            != 1
        ):
            return None
        logger.warning(
            "%s %s (%s, tier %s) claimed at %s was never sent: sending it now",
            adapter.label,
            claim.pk,
            claim.kind,
            claim.tier,
            claim.claimed_at.isoformat(),
        )
        claim.claimed_at = takeover
        return claim


def _ours(adapter: ReminderAdapter, claim: Any) -> QuerySet:
    return adapter.claims().filter(pk=claim.pk, claimed_at=claim.claimed_at, sent_at=None)


def _release(adapter: ReminderAdapter, claim: Any) -> None:
    _ours(adapter, claim).delete()


@transaction.atomic
def _mark_sent(adapter: ReminderAdapter, claim: Any, reminder: PlannedReminder) -> None:
    if not _ours(adapter, claim).update(
        sent_at=timezone.now(), recipients=len(reminder.recipients)
    ):
        # Only possible if this scan outlived the reclaim delay.
        logger.error("%s %s was taken over while it was being sent", adapter.label, claim.pk)
        return
    adapter.record_sent(reminder)


def reminder_send(
    adapter: ReminderAdapter,
    *,
    reminder: PlannedReminder,
    notifier: Notifier,
    now: dt.datetime,
    stale_before: dt.datetime,
) -> bool | None:
    """Claim, send, mark one reminder. True: sent here; None: not ours to send (another
    scan has it, or it no longer applies); False: the send failed and the claim was
    released for the next scan."""
    claim = _claim(adapter, reminder, stale_before)
    if claim is None:
        return None
    subject, body = adapter.message(reminder, now=now)
    try:
        reached = notifier.send(list(reminder.recipients), subject, body)
    except SoftTimeLimitExceeded:
        _release(adapter, claim)
        raise
    except Exception:
        _release(adapter, claim)
        logger.exception(
            "%s for %s %s (%s, tier %s) not sent; the next scan retries",
            adapter.label,
            adapter.case_field,
            reminder.case.pk,
            reminder.kind,
            reminder.tier,
        )
        return False
    if not reached:
        logger.warning(
            "%s for %s %s (%s, tier %s): no recipient has an email address or a mobile number",
            adapter.label,
            adapter.case_field,
            reminder.case.pk,
            reminder.kind,
            reminder.tier,
        )
    _mark_sent(adapter, claim, reminder)
    return True


def reminders_scan(
    adapter: ReminderAdapter,
    *,
    now: dt.datetime | None = None,
    notifier: Notifier | None = None,
    budget_seconds: float = SCAN_BUDGET_SECONDS,
) -> ScanResult:
    """Send every reminder that applies at `now` and has not been sent or claimed yet.

    `now` decides which reminders apply (tests inject it); the claims are stamped with
    the real clock, which is what the takeover of abandoned claims compares against.
    """
    now = now or timezone.now()
    stale_before = timezone.now() - reclaim_after()
    planned = reminders_applicable(adapter, now=now)
    result = ScanResult()
    if not planned:
        return result
    done = set(
        adapter.claims()
        .filter(**{f"{adapter.case_field}_id__in": {reminder.case.pk for reminder in planned}})
        .exclude(sent_at=None, claimed_at__lt=stale_before)
        .values_list(f"{adapter.case_field}_id", adapter.deadline_field, "kind", "tier")
    )
    notifier = notifier or adapter.notifier()
    stop_at = time.monotonic() + budget_seconds
    for reminder in planned:
        if reminder.key in done:
            continue
        if time.monotonic() >= stop_at:
            result.postponed += 1
            continue
        outcome = reminder_send(
            adapter, reminder=reminder, notifier=notifier, now=now, stale_before=stale_before
        )
        if outcome:
            result.sent += 1
            result.reminders.append(reminder)
        elif outcome is None:
            result.skipped += 1
        else:
            result.failed += 1
    if result.sent or result.failed or result.postponed:
        logger.info(
            "%ss: %d sent, %d failed, %d skipped, %d left for the next scan",
            adapter.label,
            result.sent,
            result.failed,
            result.skipped,
            result.postponed,
        )
    return result


# --- Message helpers ---------------------------------------------------------------------


def date_text(value: dt.date | dt.datetime, provisional: bool = False) -> str:
    """2026年10月10日, with （暂定） when the calendar of that year is not known yet."""
    day = local_date(value)
    return f"{day.year}年{day.month}月{day.day}日" + ("（暂定）" if provisional else "")


def short(text: str, length: int = 20) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def footer() -> str:
    return f"本消息由{settings.PORTAL_SITE_NAME}自动发送；同一提醒只发送一次。"
