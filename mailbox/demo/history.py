"""A letter's handling, step by step, as mailbox.services would record it.

The whole intended history is drawn first (received → accepted or transferred → replied
→ rated → closed or reopened …), then cut at `now` by `settle`: a letter whose reply
would come tomorrow is simply still open today. The row is then derived from the steps
that remain, each changing it as its service does, so the row and its events cannot
disagree.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from django.utils import timezone

from mailbox.demo import texts
from mailbox.demo.context import Context, UnitInfo
from mailbox.demo.topics import Topic
from mailbox.models import EventKind, Letter, LetterStatus, Rating

RATED_SHARE = 0.55
RATINGS = ((Rating.SATISFIED, 70), (Rating.BASIC, 20), (Rating.UNSATISFIED, 10))
# On-time replies: working days after receipt (0 = the same day).
ON_TIME_LAGS = ((0, 8), (1, 30), (2, 28), (3, 18), (4, 10), (5, 6))
# Citizens write at all hours, most in the morning, the afternoon and after dinner.
HOUR_WEIGHTS = (
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.3, 2.0, 2.1, 1.9,
    1.2, 1.1, 1.8, 1.9, 1.8, 1.4, 1.0, 1.3, 1.7, 1.7, 1.2, 0.5,
)  # fmt: skip
REMINDER_NOTE = "已超过答复期限，系统已提醒办理单位，并抄送上级督办。"

ANSWERED, REJECTED, STUCK, PENDING = "answered", "rejected", "stuck", "pending"


@dataclass(frozen=True)
class Forced:
    """What the demo needs of one letter (平岗社区's): its fate, and who wrote it."""

    state: str
    early: bool = False  # received early enough to have been answered
    consent: bool | None = None
    resident: bool = False
    marker: bool = False


@dataclass
class EventPlan:
    kind: str
    at: dt.datetime
    unit: int | None = None
    actor: int | None = None
    to_unit: int | None = None
    note: str = ""
    due_at: dt.datetime | None = None
    provisional: bool = False
    rating: str = ""


def pick(rng: random.Random, weighted: tuple | list | dict) -> object:
    pairs = list(weighted.items()) if isinstance(weighted, dict) else list(weighted)
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def at(day: dt.date, minutes: int, second: int = 0) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes, seconds=second)
    return timezone.make_aware(naive, timezone.get_default_timezone())


def office_time(rng: random.Random, day: dt.date, after: dt.datetime | None = None) -> dt.datetime:
    """An instant in office hours (9:00–12:00, 14:00–17:30) on `day`, later than `after`."""
    minute = rng.randrange(180) if rng.random() < 0.45 else 300 + rng.randrange(210)
    moment = at(day, 540 + minute, rng.randrange(60))
    if after is not None and moment <= after:
        moment = after + dt.timedelta(minutes=rng.randint(8, 150), seconds=rng.randrange(60))
    return moment


class History:
    def __init__(self, ctx: Context, rng: random.Random) -> None:
        self.ctx, self.rng = ctx, rng

    def events(
        self,
        letter: Letter,
        unit: UnitInfo,
        target: UnitInfo | None,
        forced: Forced,
        matter: tuple[Topic, int, dict[str, str]],
        late_share: float,
    ) -> list[EventPlan]:
        """Every step the letter would go through, regardless of `now`: `unit` got it,
        `target` (if any) had it transferred, `matter` is the topic, which of its subjects
        the letter took and the letter's slots; `late_share` how often its handler is late."""
        rng, ctx, workdays = self.rng, self.ctx, self.ctx.workdays
        received_at, state = letter.received_at, forced.state
        due, provisional = ctx.due(received_at)
        events = [
            EventPlan(
                EventKind.RECEIVED, received_at, unit.pk, letter.user_id, due_at=due,
                provisional=provisional,
            )
        ]  # fmt: skip
        # Offices take a letter up the same day if it came in office hours, else the next.
        received_on = timezone.localdate(received_at)
        same_day = (
            workdays.is_working(received_on)
            and timezone.localtime(received_at).hour < 16
            and rng.random() < 0.6
        )
        moment = office_time(rng, workdays.after(received_on, 0 if same_day else 1), received_at)
        if state == REJECTED:
            reason = rng.choice(texts.REJECT_REASONS)
            events.append(
                EventPlan(EventKind.REJECTED, moment, unit.pk, ctx.official(rng, unit), note=reason)
            )
            return events
        handler = unit
        if target is not None:
            note = rng.choice(texts.TRANSFER_NOTES).format(to=target.name)
            actor = ctx.official(rng, unit)
            events.append(
                EventPlan(EventKind.TRANSFERRED, moment, unit.pk, actor, target.pk, note=note)
            )
            handler = target
            next_day = workdays.after(timezone.localdate(moment), rng.choice((0, 1, 1)))
            moment = office_time(rng, next_day, moment)
        waiting = state in (PENDING, STUCK) and rng.random() < (0.5 if target else 0.3)
        if not waiting:
            actor = ctx.official(rng, handler)
            events.append(EventPlan(EventKind.ACCEPTED, moment, handler.pk, actor))
        if state == PENDING:
            return events
        due_on = timezone.localdate(due)
        # The reminder scan runs early on the first working day past the deadline.
        reminded_at = max(
            at(workdays.after(due_on, 1), 540 + rng.randrange(60), rng.randrange(60)),
            moment + dt.timedelta(minutes=1),
        )
        reminder = EventPlan(EventKind.REMINDED, reminded_at, handler.pk, note=REMINDER_NOTE)
        if state == STUCK:
            return [*events, reminder]

        late = not forced.marker and rng.random() < late_share
        extended_at = office_time(rng, due_on, moment)
        if late and extended_at < due and rng.random() < 0.15:
            days = rng.choice((5, 10))
            new_due, new_provisional = ctx.extend(due, days)
            events.append(
                EventPlan(
                    EventKind.EXTENDED, extended_at, handler.pk, ctx.supervisor(handler.region),
                    note=rng.choice(texts.EXTEND_REASONS), due_at=new_due,
                    provisional=new_provisional,
                )
            )  # fmt: skip
            lag = rng.randint(6, 5 + days)
        elif late:
            events.append(reminder)
            lag = 6 + min(int(rng.expovariate(1 / 3)), 14)
        else:
            lag = pick(rng, ON_TIME_LAGS)
        replied_at = office_time(rng, workdays.after(received_on, lag), events[-1].at)
        handled_on = timezone.localdate(rng.choice((moment, replied_at)))
        reply = self._reply(matter, letter.type, handler, handled_on, forced.marker)
        events.append(
            EventPlan(
                EventKind.REPLIED, replied_at, handler.pk, ctx.official(rng, handler), note=reply
            )
        )
        if forced.marker or rng.random() < RATED_SHARE:
            events += self._rating(handler, replied_at, matter[2], forced.marker)
        return events

    def _reply(
        self,
        matter: tuple[Topic, int, dict[str, str]],
        type_: str,
        handler: UnitInfo,
        handled_on: dt.date,
        marker: bool = False,
    ) -> str:
        topic, index, slots = matter
        village = handler.level == "v"
        who = slots["place"] if village else handler.name
        area = slots["place"] if village else self.ctx.name(handler.region) or slots["county"]
        values = texts.reply_slots(
            slots, handled_on=handled_on, phone=handler.phone, who=who, area=area
        )
        if marker:
            return texts.MARKER_REPLY.format_map(values)
        return texts.reply_text(self.rng, topic, type_, index, values, village=village)

    def _writer_time(self, after: dt.datetime, *, days: int) -> dt.datetime:
        """When a writer comes back (to rate): `days` later, at the hours people write."""
        rng = self.rng
        day = timezone.localdate(after) + dt.timedelta(days=days)
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        moment = at(day, hour * 60 + rng.randrange(60), rng.randrange(60))
        return max(moment, after + dt.timedelta(minutes=rng.randint(30, 180)))

    def _rating(
        self,
        handler: UnitInfo,
        replied_at: dt.datetime,
        slots: dict[str, str],
        marker: bool,
    ) -> list[EventPlan]:
        """The writer's rating, as mailbox.services.letter_rate records it: closed at once,
        or (rarely, when unsatisfied) reopened with a new deadline and answered again."""
        rng, ctx = self.rng, self.ctx
        rated_at = self._writer_time(replied_at, days=rng.randint(0, 5))
        rating = Rating.SATISFIED if marker else pick(rng, RATINGS)
        comment = texts.MARKER_COMMENT if marker else rng.choice(texts.RATING_COMMENTS[rating])
        events = [
            EventPlan(
                EventKind.RATED, rated_at, note=f"{Rating(rating).label} {comment}".strip(),
                rating=rating,
            )
        ]  # fmt: skip
        if rating != Rating.UNSATISFIED or rng.random() >= 0.25:
            return [*events, EventPlan(EventKind.CLOSED, rated_at, handler.pk)]
        due, provisional = ctx.due(rated_at)
        events.append(
            EventPlan(EventKind.REOPENED, rated_at, handler.pk, due_at=due, provisional=provisional)
        )
        again_on = ctx.workdays.after(timezone.localdate(rated_at), rng.randint(1, 4))
        again_at = office_time(rng, again_on, rated_at)
        values = texts.reply_slots(
            slots, handled_on=again_on, phone=handler.phone, who=handler.name, area=""
        )
        second = rng.choice(texts.SECOND_REPLIES).format_map(values)
        events.append(
            EventPlan(
                EventKind.REPLIED, again_at, handler.pk, ctx.official(rng, handler), note=second
            )
        )
        if rng.random() < 0.5:
            final_at = self._writer_time(again_at, days=rng.randint(0, 3))
            final = pick(rng, ((Rating.BASIC, 60), (Rating.SATISFIED, 40)))
            events += [
                EventPlan(EventKind.RATED, final_at, note=str(Rating(final).label), rating=final),
                EventPlan(EventKind.CLOSED, final_at, handler.pk),
            ]
        return events


# What each step leaves the letter in (mailbox.services); rating alone changes nothing
# until the closing or reopening that goes with it.
_STATUS_AFTER = {
    EventKind.RECEIVED: LetterStatus.RECEIVED,
    EventKind.TRANSFERRED: LetterStatus.TRANSFERRED,
    EventKind.ACCEPTED: LetterStatus.ACCEPTED,
    EventKind.REJECTED: LetterStatus.REJECTED,
    EventKind.REPLIED: LetterStatus.REPLIED,
    EventKind.CLOSED: LetterStatus.CLOSED,
    EventKind.REOPENED: LetterStatus.ACCEPTED,
}


def settle(letter: Letter, events: list[EventPlan], ctx: Context) -> list[EventPlan]:
    """Keep the steps that have happened by ctx.now and set the row to what they made of
    it; returns the kept steps."""
    kept = list(itertools.takewhile(lambda event: event.at <= ctx.now, events))
    unit = letter.first_unit_id
    for event in kept:
        letter.status = _STATUS_AFTER.get(event.kind, letter.status)
        if event.due_at is not None:
            letter.due_at, letter.due_is_provisional = event.due_at, event.provisional
        if event.kind == EventKind.TRANSFERRED:
            unit = event.to_unit
        elif event.kind == EventKind.REJECTED:
            letter.reject_reason, letter.closed_at = event.note, event.at
        elif event.kind == EventKind.REPLIED:
            letter.reply, letter.replied_at, letter.reply_unit_id = event.note, event.at, unit
        elif event.kind == EventKind.RATED:
            letter.rating, letter.rated_at = event.rating, event.at
        elif event.kind == EventKind.CLOSED:
            letter.closed_at = event.at
        elif event.kind == EventKind.REOPENED:
            letter.reopened = True
        elif event.kind == EventKind.EXTENDED:
            letter.extended = True
    letter.unit_id = unit
    letter.region_id = ctx.units[unit].region
    return kept
