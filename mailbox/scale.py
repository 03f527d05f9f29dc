"""Citizen letters at platform scale (`manage.py seed_scale`, bench/letters.py): the city's
mailbox over years, about 100,000 letters to units of every tier with their handling steps.

The recipes are the demo's (mailbox.demo): who writes to which unit (levels, sectors, a
long tail of busy and quiet units), what about and in which words (topics, texts), how
fast each county answers (QUALITY), transfers to the competent body, rejections,
extensions, reminders, ratings and reopened letters. What differs is the speed: the demo
plans 3,000 letters with model instances and a calendar query per day; here the working
days are a list read once (`Clock`, the rule of portal.workdays and of
mailbox.services.due_after and letter_extend), instants are seconds from the first day,
and the rows go to PostgreSQL by COPY.

Each letter's whole intended history is drawn first and then cut at `now` (the start of
`today`), as the demo's `settle` does: a reply planned for tomorrow leaves the letter open
today, and the row is derived from the steps that remain, so row and events agree. Letters
the office never answers stay open only when they are recent (a letter unanswered for
months fails the national inspection, so older ones were answered, very late). The
statistics come from seed_scale's closing VACUUM ANALYZE (ANALYZE of the letters alone
takes two seconds, for their texts).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from mailbox.demo import texts
from mailbox.demo.context import Context as City
from mailbox.demo.context import UnitInfo, is_rural
from mailbox.demo.history import (
    HOUR_WEIGHTS,
    ON_TIME_LAGS,
    RATED_SHARE,
    RATINGS,
    REMINDER_NOTE,
)
from mailbox.demo.plan import (
    CITY_QUALITY,
    CONSENT_SHARE,
    DEFAULT_QUALITY,
    EMAIL_SHARE,
    ID_SHARE,
    LEVEL_WEIGHTS,
    QUALITY,
    REJECT_SHARE,
    SECTOR_WEIGHTS,
    TRANSFER_SHARE,
    TYPE_WEIGHTS,
    Planner,
)
from mailbox.demo.topics import Topic
from mailbox.models import EventKind, Letter, LetterEvent, LetterStatus, Rating
from mailbox.services import _content_hash
from portal import identity
from portal.codes import DIGITS, new_code
from portal.demo.people import make_person
from portal.models import AuditAction, WorkdayYear
from portal.scale import ScaleContext, copy_rows, reserve_ids, set_aside
from portal.services.audit import audit_record
from portal.workdays import working_days

DAY = 86_400
# Letters the office never answers stay open only when received this recently.
STUCK_DAYS = 120
# The platform grows: the first day draws this share of the last day's letters.
GROWTH_FROM = 0.5
ANSWERED, REJECTED, STUCK = "answered", "rejected", "stuck"
RATING_VALUES = [rating for rating, _weight in RATINGS]
RATING_WEIGHTS = [weight for _rating, weight in RATINGS]
LAGS = [lag for lag, _weight in ON_TIME_LAGS]
# Cumulative weights, worked out once for the draws made per letter.
LAG_CUMULATIVE = list(itertools.accumulate(weight for _lag, weight in ON_TIME_LAGS))
HOURS, HOUR_CUMULATIVE = range(24), list(itertools.accumulate(HOUR_WEIGHTS))
TYPES, TYPE_CUMULATIVE = list(TYPE_WEIGHTS), list(itertools.accumulate(TYPE_WEIGHTS.values()))
RATING_CUMULATIVE = list(itertools.accumulate(RATING_WEIGHTS))
RATING_LABELS = {rating.value: str(rating.label) for rating in Rating}

LETTER_COLUMNS = (
    "id", "tracking_code", "query_code", "unit_id", "first_unit_id", "region_id", "type",
    "subject", "body", "writer_name", "phone", "phone_hash", "email", "id_number_hash",
    "id_number_masked", "content_hash", "publish_consent", "user_id", "status", "received_at",
    "due_at", "due_is_provisional", "extended", "reopened", "reject_reason", "reply",
    "replied_at", "reply_unit_id", "rating", "rated_at", "closed_at",
)  # fmt: skip
EVENT_COLUMNS = ("letter_id", "kind", "at", "actor_id", "unit_id", "to_unit_id", "note", "due_at")


class Clock:
    """Days as offsets from `first`, instants as seconds from its midnight (Asia/Shanghai
    keeps no daylight saving time, so the arithmetic is exact), and the working days of
    the loaded calendar over [first, last] read once (portal.workdays.working_days, the
    same rule as add_working_days: weekends only in a year whose schedule is not loaded,
    and then `provisional`)."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.first = first
        self.base = dt.datetime.combine(first, dt.time(), tzinfo=timezone.get_default_timezone())
        self.size = (last - first).days + 1
        self.dates = [first + dt.timedelta(days=k) for k in range(self.size)]
        self.workdays = [(day - first).days for day in working_days(first, last)]
        self.working = set(self.workdays)
        self.loaded = set(WorkdayYear.objects.values_list("year", flat=True))
        self._end: dict[int, dt.datetime] = {}

    def offset(self, day: dt.date) -> int:
        return (day - self.first).days

    def at(self, seconds: int) -> dt.datetime:
        return self.base + dt.timedelta(seconds=seconds)

    def end_of_day(self, day: int) -> dt.datetime:
        """portal.workdays.end_of_day of the day `day`."""
        if day not in self._end:
            self._end[day] = self.base + dt.timedelta(days=day + 1, microseconds=-1)
        return self._end[day]

    def after(self, day: int, count: int) -> int:
        """The count-th working day after `day`; for 0, `day` itself when it is worked,
        else the next working day."""
        if count == 0 and day in self.working:
            return day
        return self.workdays[bisect.bisect_right(self.workdays, day) + max(count, 1) - 1]

    def add(self, day: int, count: int) -> tuple[int, bool]:
        """portal.workdays.add_working_days(day, count) (count ≥ 1): the day and whether
        it is provisional."""
        end = self.workdays[bisect.bisect_right(self.workdays, day) + count - 1]
        years = range(self.dates[day].year, self.dates[end].year + 1)
        return end, any(year not in self.loaded for year in years)


@dataclass
class Step:
    """One handling step of a letter, as mailbox.services records it (see the demo's
    EventPlan); `at` in seconds of the Clock, `due` a day of the Clock."""

    kind: str
    at: int
    unit: int | None = None
    actor: int | None = None
    to_unit: int | None = None
    note: str = ""
    due: int | None = None
    provisional: bool = False
    rating: str = ""


class LetterPlanner(Planner):
    """The demo's planner (its topics, transfers and e-mail addresses), drawing over a
    span of years with the faster clock. Every draw comes from `rng`. The demo's
    __init__ lays out its own fixed span of days, so this one sets only what the
    inherited methods read (ctx, rng, _valid, _codes)."""

    def __init__(self, city: City, clock: Clock, rng: random.Random, now: int) -> None:
        self.ctx, self.clock, self.rng = city, clock, rng
        self.now = now  # an instant of the clock
        self.reply_days = settings.MAILBOX_REPLY_WORKING_DAYS
        self._valid = {}
        self._codes: set[str] = set(Letter.objects.values_list("tracking_code", flat=True))
        # What the demo computes per letter from a unit's place and kind, once per unit.
        self.level = {unit.pk: unit.level for unit in city.recipients}
        self.matters: dict[int, dict[str, tuple[list[Topic], list[float]]]] = {}
        self.place_codes: dict[tuple[int, str], list[str]] = {}
        self.due_cache: dict[int, tuple[int, bool]] = {}

    # --- who and what ---------------------------------------------------------------------

    def recipients(self, count: int) -> list[UnitInfo]:
        """The units that receive the letters: a level by LEVEL_WEIGHTS, then a unit of it
        by its own long-tailed activity (the demo's draw, without its quotas)."""
        rng = self.rng
        pools: dict[str, tuple[list[UnitInfo], list[float]]] = {}
        for unit in self.ctx.recipients:
            level = self.level[unit.pk]
            if not self._topics(unit):
                continue
            weight = rng.lognormvariate(0, 0.8 if level == "v" else 0.5)
            if level in ("c", "x"):
                weight *= SECTOR_WEIGHTS.get(unit.sector, 0.5)
            elif level == "v" and not is_rural(unit.region):
                weight *= 1.3  # communities are more populous than villages
            units, weights = pools.setdefault(level, ([], []))
            units.append(unit)
            weights.append(weight)
        levels = [level for level in LEVEL_WEIGHTS if level in pools]
        if not levels:
            return []
        drawn = rng.choices(levels, [LEVEL_WEIGHTS[lv] for lv in levels], k=count)
        chosen: list[UnitInfo] = []
        for level, n in sorted(Counter(drawn).items()):
            units, weights = pools[level]
            chosen += rng.choices(units, cum_weights=list(itertools.accumulate(weights)), k=n)
        rng.shuffle(chosen)
        return chosen

    def matter(self, unit: UnitInfo) -> tuple[str, Topic]:
        """The demo's _matter, with each unit's topics by type worked out once."""
        rng = self.rng
        by_type = self.matters.get(unit.pk)
        if by_type is None:
            by_type = {}
            for type_, topic in self._topics(unit):
                topics, weights = by_type.setdefault(type_, ([], []))
                topics.append(topic)
                weights.append(topic.weight)
            for type_, (topics, weights) in by_type.items():
                by_type[type_] = (topics, list(itertools.accumulate(weights)))
            self.matters[unit.pk] = by_type
        for _ in range(8):
            type_ = rng.choices(TYPES, cum_weights=TYPE_CUMULATIVE)[0]
            if type_ in by_type:
                topics, cumulative = by_type[type_]
                return type_, rng.choices(topics, cum_weights=cumulative)[0]
        return rng.choice(self._topics(unit))

    def place(self, unit: UnitInfo, topic: Topic) -> str:
        """The demo's _place: the village or community the writer lives in."""
        if self.level[unit.pk] == "v":
            return unit.region
        key = (unit.pk, topic.setting)
        codes = self.place_codes.get(key)
        if codes is None:
            rurals = [False, True] if topic.setting == "any" else [topic.setting == "rural"]
            codes = [c for rural in rurals for c in self.ctx.places.get((unit.area, rural), [])]
            self.place_codes[key] = codes
        return self.rng.choice(codes) if codes else unit.region

    def quality(self, unit: UnitInfo) -> tuple[float, float]:
        if self.level[unit.pk] == "x":
            return CITY_QUALITY
        return QUALITY.get(unit.region[:6], DEFAULT_QUALITY)

    def code(self) -> str:
        while True:
            code = new_code(10, rng=self.rng)
            if code not in self._codes:
                self._codes.add(code)
                return code

    # --- when -----------------------------------------------------------------------------

    def due(self, day: int) -> tuple[int, bool]:
        """mailbox.services.due_after for a letter received on `day`: the end of the
        MAILBOX_REPLY_WORKING_DAYS-th working day after it."""
        if day not in self.due_cache:
            self.due_cache[day] = self.clock.add(day, self.reply_days)
        return self.due_cache[day]

    def office_time(self, day: int, after: int | None = None) -> int:
        """An instant in office hours (9:00–12:00, 14:00–17:30) on `day`, later than
        `after` (the demo's office_time)."""
        rng = self.rng
        minute = rng.randrange(180) if rng.random() < 0.45 else 300 + rng.randrange(210)
        moment = day * DAY + (540 + minute) * 60 + rng.randrange(60)
        if after is not None and moment <= after:
            moment = after + rng.randint(8, 150) * 60 + rng.randrange(60)
        return moment

    def writer_time(self, after: int, days: int) -> int:
        """When a writer comes back (to rate): `days` later, at the hours people write."""
        rng = self.rng
        day = after // DAY + days
        hour = rng.choices(HOURS, cum_weights=HOUR_CUMULATIVE)[0]
        moment = day * DAY + hour * 3600 + rng.randrange(60) * 60 + rng.randrange(60)
        return max(moment, after + rng.randint(30, 180) * 60)

    # --- one letter -----------------------------------------------------------------------

    def steps(
        self,
        received: int,
        state: str,
        unit: UnitInfo,
        target: UnitInfo | None,
        reply: tuple[Topic, str, int, dict[str, str]],
        user: int | None,
    ) -> list[Step]:
        """Every step the letter would go through, regardless of `now` (the demo's
        History.events on the clock's integers)."""
        rng, city, clock = self.rng, self.ctx, self.clock
        day = received // DAY
        due, provisional = self.due(day)
        steps = [
            Step(EventKind.RECEIVED, received, unit.pk, user, due=due, provisional=provisional)
        ]
        same_day = day in clock.working and received % DAY < 16 * 3600 and rng.random() < 0.6
        moment = self.office_time(clock.after(day, 0 if same_day else 1), received)
        if state == REJECTED:
            reason = rng.choice(texts.REJECT_REASONS)
            steps.append(
                Step(EventKind.REJECTED, moment, unit.pk, city.official(rng, unit), note=reason)
            )
            return steps
        handler = unit
        if target is not None:
            note = rng.choice(texts.TRANSFER_NOTES).format(to=target.name)
            actor = city.official(rng, unit)
            steps.append(Step(EventKind.TRANSFERRED, moment, unit.pk, actor, target.pk, note))
            handler = target
            moment = self.office_time(clock.after(moment // DAY, rng.choice((0, 1, 1))), moment)
        waiting = state == STUCK and rng.random() < (0.5 if target else 0.3)
        if not waiting:
            steps.append(Step(EventKind.ACCEPTED, moment, handler.pk, city.official(rng, handler)))
        # The reminder scan runs early on the first working day past the deadline.
        reminded = max(
            clock.after(due, 1) * DAY + (540 + rng.randrange(60)) * 60 + rng.randrange(60),
            moment + 60,
        )
        reminder = Step(EventKind.REMINDED, reminded, handler.pk, note=REMINDER_NOTE)
        if state == STUCK and day >= self.now // DAY - STUCK_DAYS:
            return [*steps, reminder]

        late = state == STUCK or rng.random() < self.quality(handler)[0]
        extended = self.office_time(due, moment)
        if late and state != STUCK and extended < (due + 1) * DAY and rng.random() < 0.15:
            days = rng.choice((5, 10))
            # letter_extend: the given working days after the deadline's day.
            new_due, new_provisional = clock.add(due, days)
            steps.append(
                Step(
                    EventKind.EXTENDED, extended, handler.pk, city.supervisor(handler.region),
                    note=rng.choice(texts.EXTEND_REASONS), due=new_due,
                    provisional=new_provisional,
                )
            )  # fmt: skip
            lag = rng.randint(6, 5 + days)
        elif late:
            steps.append(reminder)
            lag = 6 + min(int(rng.expovariate(1 / 3)), 14)
            if state == STUCK:  # left for weeks, answered after the supervisors pressed
                lag = rng.randint(20, 60)
        else:
            lag = rng.choices(LAGS, cum_weights=LAG_CUMULATIVE)[0]
        replied = self.office_time(clock.after(day, lag), steps[-1].at)
        handled_on = clock.dates[rng.choice((moment, replied)) // DAY]
        text = self.reply_text(reply, handler, handled_on)
        steps.append(
            Step(EventKind.REPLIED, replied, handler.pk, city.official(rng, handler), note=text)
        )
        if rng.random() < RATED_SHARE:
            steps += self.rating(handler, replied, reply[3])
        return steps

    def reply_text(
        self, reply: tuple[Topic, str, int, dict[str, str]], handler: UnitInfo, on: dt.date
    ) -> str:
        topic, type_, index, slots = reply
        village = self.level[handler.pk] == "v"
        who = slots["place"] if village else handler.name
        area = slots["place"] if village else self.ctx.name(handler.region) or slots["county"]
        values = texts.reply_slots(slots, handled_on=on, phone=handler.phone, who=who, area=area)
        return texts.reply_text(self.rng, topic, type_, index, values, village=village)

    def rating(self, handler: UnitInfo, replied: int, slots: dict[str, str]) -> list[Step]:
        """The writer's rating as letter_rate records it: closed at once, or (rarely, when
        unsatisfied) reopened with a new deadline and answered again."""
        rng, clock = self.rng, self.clock
        rated = self.writer_time(replied, rng.randint(0, 5))
        rating = rng.choices(RATING_VALUES, cum_weights=RATING_CUMULATIVE)[0]
        comment = rng.choice(texts.RATING_COMMENTS[rating])
        note = f"{RATING_LABELS[rating]} {comment}".strip()
        steps = [Step(EventKind.RATED, rated, note=note, rating=rating)]
        if rating != Rating.UNSATISFIED or rng.random() >= 0.25:
            return [*steps, Step(EventKind.CLOSED, rated, handler.pk)]
        due, provisional = self.due(rated // DAY)
        steps.append(Step(EventKind.REOPENED, rated, handler.pk, due=due, provisional=provisional))
        again_on = clock.after(rated // DAY, rng.randint(1, 4))
        again = self.office_time(again_on, rated)
        values = texts.reply_slots(
            slots, handled_on=clock.dates[again_on], phone=handler.phone, who=handler.name, area=""
        )
        second = rng.choice(texts.SECOND_REPLIES).format_map(values)
        steps.append(
            Step(EventKind.REPLIED, again, handler.pk, self.ctx.official(rng, handler), note=second)
        )
        if rng.random() < 0.5:
            final_at = self.writer_time(again, rng.randint(0, 3))
            final = rng.choices((Rating.BASIC, Rating.SATISFIED), (60, 40))[0]
            steps += [
                Step(EventKind.RATED, final_at, note=RATING_LABELS[final], rating=final),
                Step(EventKind.CLOSED, final_at, handler.pk),
            ]
        return steps


# What each step leaves the letter in (mailbox.services); rating alone changes nothing
# until the closing or reopening that goes with it.
STATUS_AFTER = {
    EventKind.RECEIVED: LetterStatus.RECEIVED,
    EventKind.TRANSFERRED: LetterStatus.TRANSFERRED,
    EventKind.ACCEPTED: LetterStatus.ACCEPTED,
    EventKind.REJECTED: LetterStatus.REJECTED,
    EventKind.REPLIED: LetterStatus.REPLIED,
    EventKind.CLOSED: LetterStatus.CLOSED,
    EventKind.REOPENED: LetterStatus.ACCEPTED,
}


def _received_times(planner: LetterPlanner, count: int, first: int, last: int) -> list[int]:
    """`count` instants of receipt between the first day and the end of `last`, in order:
    fewer at weekends and on holidays, more as the platform grows, at the hours people
    write."""
    rng, clock = planner.rng, planner.clock
    span = max(last - first, 1)
    weights = [
        (1.0 if day in clock.working else 0.45)
        * (GROWTH_FROM + (1 - GROWTH_FROM) * (day - first) / span)
        for day in range(first, last + 1)
    ]
    days = rng.choices(
        range(first, last + 1), cum_weights=list(itertools.accumulate(weights)), k=count
    )
    hours = rng.choices(HOURS, cum_weights=HOUR_CUMULATIVE, k=count)
    return sorted(
        day * DAY + hour * 3600 + rng.randrange(3600) for day, hour in zip(days, hours, strict=True)
    )


def letters_bulk(
    *, count: int, rng: random.Random, first_day: dt.date, today: dt.date
) -> dict[str, int]:
    """Write `count` letters received from `first_day` to the day before `today`, with
    their events, cut at the start of `today`; returns what was written."""
    clock = Clock(first_day - dt.timedelta(days=10), today + dt.timedelta(days=240))
    now = clock.offset(today) * DAY
    city = City(now=clock.at(now))
    planner = LetterPlanner(city, clock, rng, now)
    units = planner.recipients(count)
    times = _received_times(planner, len(units), clock.offset(first_day), now // DAY - 1)
    ids = reserve_ids(Letter, len(units))
    events: list[tuple] = []
    counts: Counter = Counter(
        dict.fromkeys([*LetterStatus.values, "open", "overdue", "answered_late"], 0)
    )

    def rows() -> Iterator[tuple]:
        for pk, unit, received in zip(ids, units, times, strict=True):
            row, steps = _letter(planner, pk, unit, received, counts)
            for step in steps:
                due = clock.end_of_day(step.due) if step.due is not None else None
                events.append(
                    (pk, step.kind, clock.at(step.at), step.actor, step.unit, step.to_unit,
                     step.note, due)
                )  # fmt: skip
            yield row

    with set_aside(Letter, LetterEvent):
        written = copy_rows(Letter, LETTER_COLUMNS, rows())
        copy_rows(LetterEvent, EVENT_COLUMNS, events)
    return {
        "letters": written,
        "letter_events": len(events),
        **{f"letters_{key}": value for key, value in sorted(counts.items())},
    }


def _letter(
    planner: LetterPlanner, pk: int, unit: UnitInfo, received: int, counts: Counter
) -> tuple[tuple, list[Step]]:
    """One letter's row and the steps kept at `now`."""
    rng, city, clock = planner.rng, planner.ctx, planner.clock
    draw = rng.random()
    stuck = planner.quality(unit)[1]
    state = REJECTED if draw < REJECT_SHARE else STUCK if draw < REJECT_SHARE + stuck else ANSWERED
    type_, topic = planner.matter(unit)
    place = planner.place(unit, topic)
    slots = texts.letter_slots(
        rng,
        place=city.name(place) or unit.name,
        township=city.name(place[:9] + "000") or city.name(place[:6] + "000000"),
        county=city.name(place[:6] + "000000"),
        rural=place[9:] != "000" and is_rural(place),
    )
    subject, body, index = texts.letter_text(rng, topic, type_, slots)
    person = make_person(rng, area_code=place[:6])
    with_id = rng.random() < ID_SHARE
    email = planner._email() if rng.random() < EMAIL_SHARE else ""
    consent = rng.random() < CONSENT_SHARE
    target = None
    share = TRANSFER_SHARE * (3 if state == STUCK else 1)
    if state != REJECTED and rng.random() < share:
        target = planner._transfer_target(unit, topic)
    steps = planner.steps(received, state, unit, target, (topic, type_, index, slots), None)

    # settle: the steps that happened by now, and the row they leave.
    kept = list(itertools.takewhile(lambda step: step.at <= planner.now, steps))
    status, handler = LetterStatus.RECEIVED, unit.pk
    due, provisional = kept[0].due, kept[0].provisional
    extended = reopened = False
    reject_reason = reply = rating = ""
    replied_at = reply_unit = rated_at = closed_at = None
    for step in kept:
        status = STATUS_AFTER.get(step.kind, status)
        if step.due is not None:
            due, provisional = step.due, step.provisional
        if step.kind == EventKind.TRANSFERRED:
            handler = step.to_unit
        elif step.kind == EventKind.REJECTED:
            reject_reason, closed_at = step.note, clock.at(step.at)
        elif step.kind == EventKind.REPLIED:
            reply, replied_at, reply_unit = step.note, clock.at(step.at), handler
        elif step.kind == EventKind.RATED:
            rating, rated_at = step.rating, clock.at(step.at)
        elif step.kind == EventKind.CLOSED:
            closed_at = clock.at(step.at)
        elif step.kind == EventKind.REOPENED:
            reopened = True
        elif step.kind == EventKind.EXTENDED:
            extended = True
    counts[status] += 1
    due_at = clock.end_of_day(due)
    if status in (LetterStatus.RECEIVED, LetterStatus.ACCEPTED, LetterStatus.TRANSFERRED):
        counts["open"] += 1
        counts["overdue"] += due < planner.now // DAY
    first_reply = next((step for step in kept if step.kind == EventKind.REPLIED), None)
    if first_reply is not None and first_reply.at > (kept[0].due + 1) * DAY:
        counts["answered_late"] += 1
    row = (
        pk, planner.code(), new_code(6, DIGITS, rng=rng), handler, unit.pk,
        city.units[handler].region, type_, subject, body, person.full_name, person.mobile,
        identity.phone_hash(person.mobile), email,
        identity.id_number_hash(person.id_number) if with_id else "",
        identity.mask_id_number(person.id_number) if with_id else "",
        _content_hash(unit.pk, type_, subject, body), consent, None, status,
        clock.at(received), due_at, provisional, extended, reopened, reject_reason, reply,
        replied_at, reply_unit, rating, rated_at, closed_at,
    )  # fmt: skip
    return row, kept


def scale_load(ctx: ScaleContext) -> dict[str, int]:
    """settings.PORTAL_SCALE_LOADERS: ctx.count("letters") letters over the preset's years."""
    counts = letters_bulk(
        count=ctx.count("letters"), rng=ctx.rng("letters"), first_day=ctx.first_day, today=ctx.today
    )
    marker = Letter.objects.order_by("pk").first()
    if marker is not None:
        # One audit row for the batch, as the demo writes: a row per letter says no more.
        audit_record(
            actor=None,
            action=AuditAction.IMPORT,
            obj=marker,
            changes={"letters": [0, counts["letters"]]},
            note="规模测试数据：批量创建来信",
        )
    return counts
