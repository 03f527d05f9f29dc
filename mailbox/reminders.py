"""Reminders of letters that fall due, and escalation of overdue ones (催办、督办).

A periodic scan of the database (mailbox.tasks.scan_letter_reminders, every 15 minutes)
is the source of truth: a broker or worker outage delays reminders, the next scan sends
what is due by then.

The rules, with dates in Asia/Shanghai and working days from portal.workdays. Only open
letters (OPEN_STATUSES) are reminded. `due date` is the date of letter.due_at.

- due_soon, tier 0, to the unit's handlers (members with role editor or admin): from the
  last working day before the due date until the due date begins, i.e. while at most one
  working day lies in (today, due date]. Due Saturday 10 Oct 2026 (a make-up working
  day): sent on Friday 9 Oct.
- due, tier 0, to the unit's admins: on the due date; sent later if it was missed, so the
  unit hears that its letter fell due even after an outage.
- overdue, tier k >= 1, to the supervisors of the k-th enclosing place that has any
  supervisors, nearest first, starting at the parent of the letter's place (supervisors
  scoped exactly at that place; a place with none is passed over). With
  d = count_working_days(due_at, now), the working days past the due date, tier k is
  reached when d >= 1 + 2 * (k - 1): tier 1 on the first working day after the due
  date, then one tier higher every further 2 working days, up to the outermost place
  that has supervisors. Due 10 Oct 2026: tier 1 on Mon 12 Oct, tier 2 on Wed 14 Oct.
- Catch-up: a scan sends every reminder applicable now that was not sent yet, with one
  exception: once the due date has come, due_soon is no longer applicable (due supersedes
  it, one tier-0 message per deadline state instead of two). Every overdue tier reached
  so far is sent: each goes to different people.
- A unit with nobody in the role is not reminded (and nothing is claimed, so a person
  appointed later while the reminder still applies gets it).
- The deadline is part of a reminder's identity: after an extension or a reopening the
  letter has a new due_at and the reminders start again for it.

Sending, at most once per (letter, due_at, kind, tier):

1. Claim: get_or_create the LetterReminder row (claimed_at = now, sent_at empty) in its
   own short transaction, committed before anything is sent. A second scan or worker
   finds the row and skips it.
2. Send through the notifiers, outside any transaction.
3. On success, in one transaction right after the send returns: set sent_at (only if the
   claim is still ours) and append the LetterEvent "reminded". On failure: delete the
   claim (only if still ours and unsent), so the next scan retries.

A worker killed between 1 and 3 leaves a claim with sent_at empty. A scan takes it over
(a conditional update on claimed_at, so only one scan can) once it is older than
MAILBOX_REMINDER_RECLAIM_MINUTES, which must exceed the task's hard time limit: a live
worker never holds a claim that long, so nothing is taken from a worker still sending.
The one window in which a reminder can go out twice is a kill after the notifier
returned and before step 3 committed (a few milliseconds: one UPDATE and one INSERT);
across a process kill at-most-once and at-least-once cannot both hold without the
channel itself deduplicating, and this design chooses never to lose a reminder.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from mailbox import notify
from mailbox.models import EventKind, Letter, LetterEvent, LetterReminder, ReminderKind
from mailbox.models.letters import OPEN_STATUSES
from portal import hierarchy
from portal.models import Membership, MembershipRole, Region, SupervisorScope
from portal.workdays import add_working_days, count_working_days, end_of_day, local_date

logger = logging.getLogger(__name__)

# The Celery limits of the scan task (mailbox.tasks); the scan stops claiming new
# reminders after SCAN_BUDGET_SECONDS so that it ends well before the soft limit.
SCAN_SOFT_TIME_LIMIT = 420
SCAN_TIME_LIMIT = 480
SCAN_BUDGET_SECONDS = 360
DEFAULT_RECLAIM_MINUTES = 10
# Tier 1 on the first working day past the due date, then one tier per 2 more.
FIRST_OVERDUE_DAYS = 1
ESCALATION_WORKING_DAYS = 2


def reclaim_after() -> dt.timedelta:
    minutes = getattr(settings, "MAILBOX_REMINDER_RECLAIM_MINUTES", DEFAULT_RECLAIM_MINUTES)
    if not isinstance(minutes, int) or minutes * 60 <= SCAN_TIME_LIMIT:
        raise ImproperlyConfigured(
            "MAILBOX_REMINDER_RECLAIM_MINUTES must be whole minutes longer than the scan's "
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
    """One reminder that applies now, with the people it goes to."""

    letter: Letter
    kind: str
    tier: int
    recipients: tuple[Any, ...]
    region: Region | None = None  # the place whose supervisors are written to
    working_days_late: int = 0

    @property
    def key(self) -> tuple[int, dt.datetime, str, int]:
        return (self.letter.pk, self.letter.due_at, self.kind, self.tier)


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
    """The unit members and place supervisors of a batch of letters, in two queries."""

    def __init__(self, letters: list[Letter]) -> None:
        self.members: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for membership in Membership.objects.filter(
            unit_id__in={letter.unit_id for letter in letters},
            role__in=[MembershipRole.EDITOR, MembershipRole.ADMIN],
            user__is_active=True,
        ).select_related("user"):
            self.members[membership.unit_id][membership.role].append(membership.user)
        codes = {code for letter in letters for code in hierarchy.ancestor_codes(letter.region_id)}
        self.supervisors: dict[str, list[Any]] = defaultdict(list)
        self.places: dict[str, Region] = {}
        for scope in SupervisorScope.objects.filter(
            region_id__in=codes, user__is_active=True
        ).select_related("user", "region"):
            self.supervisors[scope.region_id].append(scope.user)
            self.places[scope.region_id] = scope.region

    def handlers(self, letter: Letter) -> tuple[Any, ...]:
        roles = self.members[letter.unit_id]
        return _distinct(roles[MembershipRole.EDITOR] + roles[MembershipRole.ADMIN])

    def admins(self, letter: Letter) -> tuple[Any, ...]:
        return _distinct(self.members[letter.unit_id][MembershipRole.ADMIN])

    def escalation(self, letter: Letter) -> list[tuple[Region, tuple[Any, ...]]]:
        """(place, its supervisors) for tier 1, 2, …: enclosing places that have any,
        nearest first."""
        chain = reversed(hierarchy.ancestor_codes(letter.region_id))
        return [
            (self.places[code], _distinct(self.supervisors[code]))
            for code in chain
            if self.supervisors.get(code)
        ]


def reminders_applicable(*, now: dt.datetime | None = None) -> list[PlannedReminder]:
    """Every reminder that applies at `now` under the rules above, sent or not."""
    now = now or timezone.now()
    today = local_date(now)
    # Due dates before the 2nd working day from today are at most one working day away.
    horizon = add_working_days(today, 2).date - dt.timedelta(days=1)
    letters = list(
        Letter.objects.filter(status__in=OPEN_STATUSES, due_at__lte=end_of_day(horizon))
        .select_related("unit")
        .order_by("due_at", "pk")
    )
    if not letters:
        return []
    people = _Recipients(letters)
    counts: dict[tuple[dt.date, dt.date], int] = {}

    def working_days(first: dt.date, last: dt.date) -> int:
        # Letters share due dates: one calendar lookup per date, not per letter.
        if (first, last) not in counts:
            counts[first, last] = count_working_days(first, last).days
        return counts[first, last]

    planned: list[PlannedReminder] = []
    for letter in letters:
        due_date = local_date(letter.due_at)
        if today < due_date:
            if working_days(today, due_date) <= 1 and (handlers := people.handlers(letter)):
                planned.append(PlannedReminder(letter, ReminderKind.DUE_SOON, 0, handlers))
            continue
        if admins := people.admins(letter):
            planned.append(PlannedReminder(letter, ReminderKind.DUE, 0, admins))
        if now <= letter.due_at:
            continue
        late = working_days(due_date, today)
        reached = overdue_tier(late)
        for tier, (place, supervisors) in enumerate(people.escalation(letter)[:reached], 1):
            planned.append(
                PlannedReminder(
                    letter,
                    ReminderKind.OVERDUE,
                    tier,
                    supervisors,
                    region=place,
                    working_days_late=late,
                )
            )
    return planned


# --- Messages --------------------------------------------------------------------------


def _date(value: dt.datetime, provisional: bool) -> str:
    day = local_date(value)
    return f"{day.year}年{day.month}月{day.day}日" + ("（暂定）" if provisional else "")


def _short(text: str, length: int = 20) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def reminder_message(reminder: PlannedReminder, *, now: dt.datetime) -> tuple[str, str]:
    """Subject and body in Chinese. Only the tracking code, subject, type, dates and the
    handling unit: never the writer's name, phone or ID number."""
    letter = reminder.letter
    code, title = letter.tracking_code, _short(letter.subject)
    due = _date(letter.due_at, letter.due_is_provisional)
    about = (
        f"来信「{letter.subject}」（{letter.get_type_display()}，查询编号 {code}，"
        f"收信日期 {_date(letter.received_at, False)}）"
    )
    if reminder.kind == ReminderKind.DUE_SOON:
        subject = f"【来信即将到期】{code}「{title}」请于{due}前答复"
        greeting = f"{letter.unit.name}："
        lines = [f"{about}的答复期限为{due}，目前尚未答复，请在期限前答复。"]
    elif reminder.kind == ReminderKind.DUE and local_date(now) == local_date(letter.due_at):
        subject = f"【来信今日到期】{code}「{title}」"
        greeting = f"{letter.unit.name}："
        lines = [f"{about}的答复期限为今天（{due}），目前尚未答复，请今日内答复。"]
    elif reminder.kind == ReminderKind.DUE:
        subject = f"【来信已到期】{code}「{title}」"
        greeting = f"{letter.unit.name}："
        lines = [f"{about}的答复期限为{due}，已到期仍未答复，请尽快答复。"]
    else:
        place = reminder.region.name if reminder.region else ""
        subject = (
            f"【来信超期督办·第{reminder.tier}级】{code}「{title}」"
            f"已超期{reminder.working_days_late}个工作日"
        )
        greeting = f"{place}监督人员："
        lines = [
            f"{letter.unit.name}办理的{about}答复期限为{due}，"
            f"已超过{reminder.working_days_late}个工作日仍未答复，请督促办理。",
            f"（第{reminder.tier}级督办：每再超期{ESCALATION_WORKING_DAYS}个工作日，"
            "提请上一级监督人员督办。）",
        ]
    body = "\n".join(
        [
            greeting,
            "",
            *lines,
            "",
            f"本消息由{settings.PORTAL_SITE_NAME}自动发送；同一提醒只发送一次。",
        ]
    )
    return subject, body


def _event_note(reminder: PlannedReminder) -> str:
    """Shown to the writer too: counts and places, no names."""
    count = len(reminder.recipients)
    if reminder.kind == ReminderKind.DUE_SOON:
        return f"即将到期提醒：已通知办理单位工作人员（{count}人）"
    if reminder.kind == ReminderKind.DUE:
        return f"到期提醒：已通知办理单位负责人（{count}人）"
    place = reminder.region.name if reminder.region else ""
    return f"超期督办（第{reminder.tier}级）：已提请{place}监督人员督办（{count}人）"


# --- Claiming and sending --------------------------------------------------------------


def _claim(reminder: PlannedReminder, stale_before: dt.datetime) -> LetterReminder | None:
    """The claim row if this scan now owns the reminder, else None."""
    letter = reminder.letter
    with transaction.atomic():
        # Answered, transferred away or extended since the plan was made: not any more.
        if not Letter.objects.filter(
            pk=letter.pk, status__in=OPEN_STATUSES, due_at=letter.due_at, unit_id=letter.unit_id
        ).exists():
            return None
        claim, created = LetterReminder.objects.get_or_create(
            letter_id=letter.pk,
            due_at=letter.due_at,
            kind=reminder.kind,
            tier=reminder.tier,
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
            LetterReminder.objects.filter(
                pk=claim.pk, sent_at=None, claimed_at=claim.claimed_at
            ).update(claimed_at=takeover)
            != 1
        ):
            return None
        logger.warning(
            "letter reminder %s (%s, tier %s) claimed at %s was never sent: sending it now",
            claim.pk,
            claim.kind,
            claim.tier,
            claim.claimed_at.isoformat(),
        )
        claim.claimed_at = takeover
        return claim


def _ours(claim: LetterReminder) -> QuerySet[LetterReminder]:
    return LetterReminder.objects.filter(pk=claim.pk, claimed_at=claim.claimed_at, sent_at=None)


def _release(claim: LetterReminder) -> None:
    _ours(claim).delete()


@transaction.atomic
def _mark_sent(claim: LetterReminder, reminder: PlannedReminder) -> None:
    if not _ours(claim).update(sent_at=timezone.now(), recipients=len(reminder.recipients)):
        # Only possible if this scan outlived MAILBOX_REMINDER_RECLAIM_MINUTES.
        logger.error("letter reminder %s was taken over while it was being sent", claim.pk)
        return
    LetterEvent.objects.create(
        letter_id=reminder.letter.pk,
        kind=EventKind.REMINDED,
        unit_id=reminder.letter.unit_id,
        note=_event_note(reminder),
    )


def reminder_send(
    *,
    reminder: PlannedReminder,
    notifier: notify.Notifier,
    now: dt.datetime,
    stale_before: dt.datetime,
) -> bool | None:
    """Claim, send, mark one reminder. True: sent here; None: not ours to send (another
    scan has it, or it no longer applies); False: the send failed and the claim was
    released for the next scan."""
    claim = _claim(reminder, stale_before)
    if claim is None:
        return None
    subject, body = reminder_message(reminder, now=now)
    try:
        reached = notifier.send(list(reminder.recipients), subject, body)
    except SoftTimeLimitExceeded:
        _release(claim)
        raise
    except Exception:
        _release(claim)
        logger.exception(
            "letter reminder for letter %s (%s, tier %s) not sent; the next scan retries",
            reminder.letter.pk,
            reminder.kind,
            reminder.tier,
        )
        return False
    if not reached:
        logger.warning(
            "letter reminder for letter %s (%s, tier %s): no recipient has an email "
            "address or a mobile number",
            reminder.letter.pk,
            reminder.kind,
            reminder.tier,
        )
    _mark_sent(claim, reminder)
    return True


def reminders_scan(
    *,
    now: dt.datetime | None = None,
    notifier: notify.Notifier | None = None,
    budget_seconds: float = SCAN_BUDGET_SECONDS,
) -> ScanResult:
    """Send every reminder that applies at `now` and has not been sent or claimed yet.

    `now` decides which reminders apply (tests inject it); the claims are stamped with
    the real clock, which is what the takeover of abandoned claims compares against.
    """
    now = now or timezone.now()
    stale_before = timezone.now() - reclaim_after()
    planned = reminders_applicable(now=now)
    result = ScanResult()
    if not planned:
        return result
    done = set(
        LetterReminder.objects.filter(letter_id__in={reminder.letter.pk for reminder in planned})
        .exclude(sent_at=None, claimed_at__lt=stale_before)
        .values_list("letter_id", "due_at", "kind", "tier")
    )
    notifier = notifier or notify.notifier()
    stop_at = time.monotonic() + budget_seconds
    for reminder in planned:
        if reminder.key in done:
            continue
        if time.monotonic() >= stop_at:
            result.postponed += 1
            continue
        outcome = reminder_send(
            reminder=reminder, notifier=notifier, now=now, stale_before=stale_before
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
            "letter reminders: %d sent, %d failed, %d skipped, %d left for the next scan",
            result.sent,
            result.failed,
            result.skipped,
            result.postponed,
        )
    return result
