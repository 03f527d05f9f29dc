"""Planning the demo's letters: who writes to which unit about what, when, and in whose
name; the handling steps come from `history`."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from dataclasses import dataclass, field

from mailbox.demo import texts
from mailbox.demo.context import FIRST_DAY, Context, UnitInfo, is_rural
from mailbox.demo.history import (
    ANSWERED,
    HOUR_WEIGHTS,
    PENDING,
    REJECTED,
    STUCK,
    EventPlan,
    Forced,
    History,
    at,
    pick,
    settle,
)
from mailbox.demo.topics import SUGGEST, TOPICS, TOPICS_BY_KEY, Topic
from mailbox.models import Letter
from mailbox.services import _content_hash
from portal import identity
from portal.codes import new_code
from portal.demo.geography import PINGGANG_CODE, WUJIN_CODE, XINJIN_CODE
from portal.demo.people import make_person
from portal.models import UnitKind

TYPE_WEIGHTS = {"consult": 35, "help": 25, "suggest": 20, "complaint": 15, "report": 5}
# Where letters go: mostly to the village and township, then the county's departments.
LEVEL_WEIGHTS = {"v": 0.42, "t": 0.25, "c": 0.27, "x": 0.06}
# How much mail a department gets, by what it does; a people's government (区长信箱)
# gets as much as the busiest.
SECTOR_WEIGHTS = {
    "education": 3, "human_resources": 2.5, "civil_affairs": 2, "housing": 2.5,
    "urban_management": 3, "medical_insurance": 1.5, "ecology": 1.5, "water": 1.2,
    "natural_resources": 1.5, "agriculture": 1.3, "transport": 1.5, "market": 1.5,
    "public_security": 1.5, "health": 1.3, "veterans": 0.4, "culture": 0.6,
    "emergency": 0.5, "approval": 0.8, "finance": 0.3, "": 3,
}  # fmt: skip
# (share answered late, share left open past the deadline) by county: 新津区 is the
# model, 金堂县 and 简阳市 lag behind.
QUALITY = {"510118": (0.02, 0.006), "510121": (0.30, 0.10), "510185": (0.26, 0.085)}
DEFAULT_QUALITY, CITY_QUALITY = (0.09, 0.03), (0.06, 0.025)
REJECT_SHARE, PENDING_SHARE, TRANSFER_SHARE = 0.05, 0.025, 0.045
CONSENT_SHARE, ID_SHARE, EMAIL_SHARE = 0.6, 0.45, 0.25
# Letters the demo's logins must find: (region, unit name) → how many.
QUOTAS = {
    (PINGGANG_CODE, "平岗社区居民委员会"): 20,
    (WUJIN_CODE, "新津区五津街道办事处"): 12,
    (XINJIN_CODE, "新津区教育局"): 10,
}
# A village whose units the portal demo's tests delete and load again (a half-loaded demo
# is completed): no letter may hold on to them.
QUIET_VILLAGES = frozenset({"510185001001"})
# 平岗社区's first letters: the marker, an overdue one, published answers, a pending one.
PINGGANG_FORCED = (
    Forced(ANSWERED, early=True, consent=True, marker=True),
    Forced(STUCK),
    Forced(ANSWERED, early=True, consent=True, resident=True),
    Forced(ANSWERED, early=True, consent=True),
    Forced(PENDING, resident=True),
)


@dataclass
class LetterPlan:
    letter: Letter
    events: list[EventPlan] = field(default_factory=list)

    def key(self) -> tuple:
        """What the letter is, without ids: equal plans write equal rows."""
        row = self.letter
        return (
            row.tracking_code, row.query_code, row.unit_id, row.first_unit_id, row.type,
            row.subject, row.body, row.writer_name, row.phone, row.id_number_masked,
            row.status, row.received_at, row.due_at, row.replied_at, row.reply, row.rating,
            tuple((e.kind, e.at, e.unit, e.actor, e.to_unit, e.note) for e in self.events),
        )  # fmt: skip


class Planner:
    def __init__(self, ctx: Context, *, seed: int) -> None:
        self.ctx = ctx
        self.rng = random.Random(f"{seed}:letters")  # noqa: S311 - demo data
        self.history = History(ctx, self.rng)
        self._valid: dict[tuple, list[tuple[str, Topic]]] = {}
        self._codes: set[str] = set(Letter.objects.values_list("tracking_code", flat=True))
        days, weights = [], []
        day, last = FIRST_DAY, ctx.last_day
        span = max((last - FIRST_DAY).days, 1)
        while day <= last:
            # Fewer letters at weekends and holidays; a slowly growing platform.
            base = 1.0 if ctx.workdays.is_working(day) else 0.45
            days.append(day)
            weights.append(base * (0.85 + 0.3 * (day - FIRST_DAY).days / span))
            day += dt.timedelta(days=1)
        self.days, self.day_weights = days, list(itertools.accumulate(weights))

    # --- who writes to whom about what ----------------------------------------------------

    def _topics(self, unit: UnitInfo) -> list[tuple[str, Topic]]:
        """The (type, topic) pairs a unit hears about, cached by what decides them."""
        level = unit.level
        if level == "v":
            settings_ok = {"any", "rural" if is_rural(unit.region) else "urban"}
        else:
            settings_ok = {"any"} | {
                "rural" if rural else "urban"
                for rural in (False, True)
                if self.ctx.places.get((unit.area, rural))
            }
        key = (level, unit.kind, unit.sector, frozenset(settings_ok))
        if key not in self._valid:
            self._valid[key] = [
                (type_, topic)
                for topic in TOPICS
                for type_ in topic.letters
                if level in topic.levels
                and topic.setting in settings_ok
                and (unit.kind != UnitKind.DEPARTMENT or unit.sector in topic.sectors)
            ]
        return self._valid[key]

    def _recipients(self, count: int) -> list[tuple[UnitInfo, Forced | None]]:
        """Who receives each letter: the quotas of the demo's units first, then a draw
        by level and by each unit's own (long-tailed) activity."""
        rng, ctx = self.rng, self.ctx
        by_key = {(u.region, u.name): u for u in ctx.recipients}
        chosen: list[tuple[UnitInfo, Forced | None]] = []
        for key, quota in QUOTAS.items():
            unit = by_key.get(key)
            if unit is None:
                continue
            n = min(quota, max(5, count // 6), count - len(chosen))
            forced = PINGGANG_FORCED if key[0] == PINGGANG_CODE else ()
            chosen += [(unit, forced[i] if i < len(forced) else None) for i in range(n)]
        pools: dict[str, tuple[list[UnitInfo], list[float]]] = {}
        for unit in ctx.recipients:
            if unit.region in QUIET_VILLAGES or not self._topics(unit):
                continue
            weight = rng.lognormvariate(0, 0.8 if unit.level == "v" else 0.5)
            if unit.level in ("c", "x"):
                weight *= SECTOR_WEIGHTS.get(unit.sector, 0.5)
            elif unit.level == "v" and not is_rural(unit.region):
                weight *= 1.3  # communities are more populous than villages
            units, weights = pools.setdefault(unit.level, ([], []))
            units.append(unit)
            weights.append(weight)
        levels = {level: w for level, w in LEVEL_WEIGHTS.items() if level in pools}
        cumulative = {lv: list(itertools.accumulate(w)) for lv, (_u, w) in pools.items()}
        while levels and len(chosen) < count:
            level = pick(rng, levels)
            units = pools[level][0]
            chosen.append((rng.choices(units, cum_weights=cumulative[level])[0], None))
        return chosen

    def _matter(self, unit: UnitInfo) -> tuple[str, Topic]:
        rng = self.rng
        pairs = self._topics(unit)
        for _ in range(8):
            type_ = pick(rng, TYPE_WEIGHTS)
            topics = [(topic, topic.weight) for t, topic in pairs if t == type_]
            if topics:
                return type_, pick(rng, topics)
        return rng.choice(pairs)

    def _place(self, unit: UnitInfo, topic: Topic) -> str:
        """The village or community the writer lives in, fitting the topic."""
        if unit.level == "v":
            return unit.region
        rurals = [False, True] if topic.setting == "any" else [topic.setting == "rural"]
        codes = [c for rural in rurals for c in self.ctx.places.get((unit.area, rural), [])]
        return self.rng.choice(codes) if codes else unit.region

    # --- when -----------------------------------------------------------------------------

    def _received(self, state: str, early: bool) -> dt.datetime:
        rng, ctx = self.rng, self.ctx
        if state in (STUCK, PENDING):
            # Overdue letters mostly from the last few weeks; pending ones still on time.
            candidates = []
            for back in range(0, 75):
                day = ctx.last_day - dt.timedelta(days=back)
                overdue = ctx.due(at(day, 720))[0] < ctx.now
                if overdue == (state == STUCK):
                    weight = math.exp(-back / 18) if state == STUCK else 1.0
                    candidates.append((day, weight * (1 if ctx.workdays.is_working(day) else 0.5)))
            day = pick(rng, candidates) if candidates else ctx.last_day
        else:
            cumulative = self.day_weights
            if early:  # answered by now, whatever the lag
                cumulative = cumulative[: max(1, len(cumulative) - 45)]
            day = rng.choices(self.days[: len(cumulative)], cum_weights=cumulative)[0]
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        moment = at(day, hour * 60 + rng.randrange(60), rng.randrange(60))
        if moment >= ctx.now:
            moment = ctx.now - dt.timedelta(minutes=rng.randint(3, 240))
        return moment

    # --- one letter -----------------------------------------------------------------------

    def _quality(self, unit: UnitInfo) -> tuple[float, float]:
        if unit.level == "x":
            return CITY_QUALITY
        return QUALITY.get(unit.region[:6], DEFAULT_QUALITY)

    def _state(self, unit: UnitInfo) -> str:
        stuck = self._quality(unit)[1]
        draw = self.rng.random()
        if draw < REJECT_SHARE:
            return REJECTED
        if draw < REJECT_SHARE + PENDING_SHARE:
            return PENDING
        return STUCK if draw < REJECT_SHARE + PENDING_SHARE + stuck else ANSWERED

    def _code(self) -> str:
        while True:
            code = new_code(10, rng=self.rng)
            if code not in self._codes:
                self._codes.add(code)
                return code

    def _email(self) -> str:
        rng = self.rng
        if rng.random() < 0.5:  # a QQ-style number
            handle = str(rng.randint(10**5, 10**10))
        else:
            letters = "".join(rng.choice("abcdefghjkmnpqrstwxyz") for _ in range(rng.randint(3, 7)))
            handle = f"{letters}{rng.randint(1, 2026)}"
        # Reserved domains: a demo must never mail a stranger.
        return f"{handle}@{rng.choice(('example.com', 'example.net', 'example.org'))}"

    def _transfer_target(self, unit: UnitInfo, topic: Topic) -> UnitInfo | None:
        """转办 goes up to the competent body: village → its township office, township (or
        the county government) → the county department for the matter."""
        ctx = self.ctx
        if unit.level == "v":
            return ctx.township_office.get(unit.region[:9] + "000")
        if unit.level == "t" or (unit.level == "c" and unit.kind == UnitKind.GOVERNMENT):
            county = unit.region[:6] + "000000"
            found = [d for s in topic.sectors for d in ctx.departments.get((county, s), [])]
            return self.rng.choice(found) if found else None
        return None

    def letter(self, unit: UnitInfo, forced: Forced | None) -> LetterPlan:
        rng, ctx = self.rng, self.ctx
        # The demo's own letters stay where the demo needs them.
        may_transfer = forced is None
        forced = forced or Forced(self._state(unit))
        if forced.marker:
            type_, topic = SUGGEST, TOPICS_BY_KEY["fitness"]
        else:
            type_, topic = self._matter(unit)
        place = self._place(unit, topic)
        slots = texts.letter_slots(
            rng,
            place=ctx.name(place) or unit.name,
            township=ctx.name(place[:9] + "000") or ctx.name(place[:6] + "000000"),
            county=ctx.name(place[:6] + "000000"),
            rural=place[9:] != "000" and is_rural(place),
        )
        if forced.marker:
            subject, body, index = texts.MARKER_SUBJECT, texts.MARKER_BODY, 0
        else:
            subject, body, index = texts.letter_text(rng, topic, type_, slots)
        received_at = self._received(forced.state, forced.early)

        person = make_person(rng, area_code=place[:6])
        user, name, phone = None, person.full_name, person.mobile
        if forced.resident and ctx.resident:
            user, name, phone = ctx.resident
        with_id = user is None and rng.random() < ID_SHARE
        email = self._email() if rng.random() < EMAIL_SHARE else ""
        consent = rng.random() < CONSENT_SHARE if forced.consent is None else forced.consent
        # Open letters are more often ones passed on: they wait at the competent unit.
        share = TRANSFER_SHARE * (3 if forced.state in (STUCK, PENDING) else 1)
        target = None
        if may_transfer and forced.state != REJECTED and rng.random() < share:
            target = self._transfer_target(unit, topic)

        letter = Letter(
            tracking_code=self._code(),
            query_code=f"{rng.randrange(10**6):06d}",
            first_unit_id=unit.pk,
            type=type_,
            subject=subject,
            body=body,
            writer_name=name,
            phone=phone,
            phone_hash=identity.phone_hash(phone),
            email=email,
            # The full number never leaves this function: a keyed hash and a mask only.
            id_number_hash=identity.id_number_hash(person.id_number) if with_id else "",
            id_number_masked=identity.mask_id_number(person.id_number) if with_id else "",
            content_hash=_content_hash(unit.pk, type_, subject, body),
            publish_consent=consent,
            user_id=user,
            received_at=received_at,
        )
        late_share = self._quality(target or unit)[0]
        matter = (topic, index, slots)
        events = self.history.events(letter, unit, target, forced, matter, late_share)
        return LetterPlan(letter, settle(letter, events, ctx))

    def plan(self, count: int) -> list[LetterPlan]:
        """`count` letters in order of receipt, so their ids follow time."""
        plans = [self.letter(unit, forced) for unit, forced in self._recipients(count)]
        return sorted(plans, key=lambda p: (p.letter.received_at, p.letter.tracking_code))


def letters_plan(ctx: Context, *, seed: int, count: int) -> list[LetterPlan]:
    return Planner(ctx, seed=seed).plan(count)
