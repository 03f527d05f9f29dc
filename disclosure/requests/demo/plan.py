"""Who asks whom for what, and what happened to each request, cut at `now`.

Each request is planned as its whole history (submitted, registered, correction notice,
third-party consultation, extension, reply …), each step carrying the fields it sets on
the request; the steps up to `now` are applied, so a request's status, dates and events
always agree. Deadlines come from `Context.due` (the requests' own rule).

Besides the random ones, some histories are forced so the demo always shows them: replies
in January to requests received in December 2025 (carried over into 2026), requests still
open at `now` (carried over to next year), a handful overdue, a correction and a
consultation under way, an extension into the next year, two unregistered letters, the
resident's own request; and among older requests: corrections (corrected and restarted,
one lapsed), extensions, consultations, late replies, withdrawals and two fees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from disclosure.models.requests import (
    ApplicantType,
    Delivery,
    InfoRequest,
    InfoRequestEvent,
    InfoRequestEventKind,
    InfoRequestStatus,
    Outcome,
    RequestChannel,
    ThirdPartyConsultation,
)
from disclosure.requests import deadlines
from disclosure.requests.demo import texts
from disclosure.requests.demo.applicants import (
    APPLICANT_WEIGHTS,
    DELIVERY_WEIGHTS,
    Applicant,
    applicant_make,
    company_name,
)
from disclosure.requests.demo.context import FIRST_DAY, SHANGHAI, Context, Recipient
from portal import identity
from portal.codes import CODE_ALPHABET, DIGITS, new_code
from portal.demo.people import demo_persons

DEMO_REQUEST_COUNT = 400
# Never drawn by portal.codes.new_code (its alphabet has no 0, 1 or O): the demo's first
# request carries it, and its presence says the demo is loaded.
MARKER_TRACKING_CODE = "YSQDEMO0001"

OUTCOME_WEIGHTS: dict[str, int] = {
    Outcome.PUBLIC: 330,
    Outcome.ALREADY_PUBLIC: 80,
    Outcome.PARTIAL: 150,
    Outcome.REFUSED_STATE_SECRET: 2,
    Outcome.REFUSED_LAW: 4,
    Outcome.REFUSED_SAFETY: 3,
    Outcome.REFUSED_THIRD_PARTY: 12,
    Outcome.REFUSED_INTERNAL: 10,
    Outcome.REFUSED_PROCESS: 25,
    Outcome.REFUSED_ENFORCEMENT: 10,
    Outcome.REFUSED_QUERY: 15,
    Outcome.UNABLE_NOT_HELD: 190,
    Outcome.UNABLE_NEEDS_CREATION: 25,
    Outcome.NOT_PROCESSED_COMPLAINT: 25,
    Outcome.NOT_PROCESSED_REPEAT: 25,
    Outcome.NOT_PROCESSED_PUBLICATION: 6,
    Outcome.NOT_PROCESSED_MASS: 3,
    Outcome.NOT_PROCESSED_CONFIRM: 10,
}
CHANNEL_WEIGHTS = {
    RequestChannel.ONLINE: 76,
    RequestChannel.POST: 14,
    RequestChannel.IN_PERSON: 9,
    RequestChannel.FAX: 1,
}
# Among the older requests (received at least this many working days before now).
OLD_WORKING_DAYS = 60
OLD_SPECIALS = {
    "corrected": 8,
    "lapsed": 1,
    "extended": 10,
    "consulted": 5,
    "late": 4,
    "withdrawn": 2,
    "fee": 2,
}
FALLBACK_VILLAGES = ("平岗社区", "南河社区", "顺江社区", "石桥村", "新民村")
FALLBACK_TOWNSHIPS = ("五津街道", "花源街道", "安西镇")
Status = InfoRequestStatus
Kind = InfoRequestEventKind


@dataclass
class Spec:
    """What is forced about one request; the rest is drawn."""

    day: dt.date
    channel: str = ""
    unit_topic: str = ""
    outcome: str = ""
    correction: str = ""  # corrected | lapsed | open
    extension: int = 0
    third_party: str = ""  # done | open
    reply: str = "normal"  # normal | late | january | never (overdue) | open
    withdrawn: bool = False
    fee: int | None = None  # index into texts.FEE_BASES
    pending: bool = False  # a letter not registered yet
    resident: bool = False


@dataclass
class Step:
    at: dt.datetime
    kind: str
    actor: int | None = None
    note: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    answered: tuple[dt.date, str] | None = None  # the consultation's answer


@dataclass
class Plan:
    spec: Spec
    unit: Recipient
    request: InfoRequest
    applicant: Applicant
    steps: list[Step] = field(default_factory=list)
    consultation: ThirdPartyConsultation | None = None
    events: list[InfoRequestEvent] = field(default_factory=list)
    reply_day: dt.date | None = None
    # The clock for a consultation still open at now.
    clock: tuple[dt.date, dt.date, int] | None = None  # (start, asked_on, extension)


def _pick(ctx: Context, weights: dict) -> Any:
    return ctx.rng.choices(list(weights), weights=list(weights.values()))[0]


def specs_make(ctx: Context) -> list[Spec]:
    rng, wd, today = ctx.rng, ctx.workdays, ctx.today
    if today <= FIRST_DAY + dt.timedelta(days=90):
        return []

    def ago(count: int) -> dt.date:
        return wd.before(today, count)

    forced: list[Spec] = []
    if today >= dt.date(2026, 2, 15):
        december = [d for d in wd.days if dt.date(2025, 12, 10) <= d <= dt.date(2025, 12, 24)]
        forced += [Spec(day, reply="january") for day in sorted(rng.sample(december, 7))]
    forced += [Spec(ago(k), reply="open") for k in sorted(rng.sample(range(1, 13), 8))]
    forced += [Spec(ago(k), reply="never") for k in sorted(rng.sample(range(24, 36), 4))]
    forced += [
        Spec(ago(1), channel=RequestChannel.POST, pending=True),
        Spec(ago(2), channel=RequestChannel.POST, pending=True),
        Spec(ago(4), channel=RequestChannel.ONLINE, correction="open", reply="open"),
        Spec(ago(10), third_party="open", reply="open", unit_topic="住房和城乡建设局"),
        Spec(ago(8), extension=20, reply="open", unit_topic="规划和自然资源局"),
        Spec(
            ago(45),
            channel=RequestChannel.ONLINE,
            unit_topic="township",
            outcome=Outcome.PUBLIC,
            resident=True,
        ),
    ]
    span = (ago(1) - FIRST_DAY).days
    drawn: list[Spec] = []
    for _ in range(DEMO_REQUEST_COUNT - len(forced)):
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(span + 1))
        channel = _pick(ctx, CHANNEL_WEIGHTS)
        # Letters, visits and faxes come on working days; online forms now and then at
        # weekends or on holidays.
        if not wd.is_working(day) and (channel != RequestChannel.ONLINE or rng.random() < 0.7):
            day = wd.after(day, 0)
        drawn.append(Spec(min(day, ago(1)), channel=channel))
    old = [spec for spec in drawn if spec.day <= ago(OLD_WORKING_DAYS)]
    chosen = rng.sample(old, min(len(old), sum(OLD_SPECIALS.values())))
    for kind, count in OLD_SPECIALS.items():
        for index, spec in enumerate(chosen[:count]):
            if kind in ("corrected", "lapsed"):
                spec.correction = kind
            elif kind == "extended":
                spec.extension = rng.choice((10, 15, 15, 20, 20))
            elif kind == "consulted":
                spec.third_party = "done"
            elif kind == "late":
                spec.reply = "late"
            elif kind == "withdrawn":
                spec.withdrawn = True
            else:
                spec.fee, spec.outcome = index, Outcome.PUBLIC
        chosen = chosen[count:]
    return sorted(forced + drawn, key=lambda spec: spec.day)


class Planner:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.codes: set[str] = {MARKER_TRACKING_CODE}
        # Earlier requests by unit, for repeated applications.
        self.answered: dict[int, list[Plan]] = {}
        weights = {unit: unit.weight for unit in ctx.recipients}
        self.unit_weights = weights
        persons = demo_persons(ctx.seed)
        self.resident_person = persons.get("resident")

    # --- the parts of one request -----------------------------------------------------

    def _code(self, length: int, alphabet: str) -> str:
        code = new_code(length, alphabet, rng=self.ctx.rng)
        while alphabet is CODE_ALPHABET and code in self.codes:
            code = new_code(length, alphabet, rng=self.ctx.rng)
        self.codes.add(code)
        return code

    def _unit(self, spec: Spec) -> Recipient | None:
        units = self.ctx.recipients
        if spec.resident:
            # The resident lives in 平岗社区 (五津街道).
            return next((u for u in units if u.region == "510118001000"), None)
        if spec.unit_topic:
            found = [u for u in units if u.topic == spec.unit_topic]
            if found:
                return found[0]
        return _pick(self.ctx, self.unit_weights) if units else None

    def _places(self, unit: Recipient) -> dict[str, str]:
        rng, ctx = self.ctx.rng, self.ctx
        township = unit.township or rng.choice(sorted(ctx.township_names) or [""])
        name = ctx.township_names.get(township) or rng.choice(FALLBACK_TOWNSHIPS)
        villages = ctx.villages.get(township) or FALLBACK_VILLAGES
        return {"township": name, "village": rng.choice(villages)}

    def _outcome(self, spec: Spec) -> str:
        rng = self.ctx.rng
        if spec.outcome:
            return spec.outcome
        if spec.correction == "corrected" and rng.random() < 0.3:
            return Outcome.UNABLE_UNCLEAR
        if spec.third_party:
            return rng.choices(
                [Outcome.PARTIAL, Outcome.REFUSED_THIRD_PARTY, Outcome.PUBLIC], weights=[5, 3, 2]
            )[0]
        outcome = _pick(self.ctx, OUTCOME_WEIGHTS)
        # Withheld from a third party only after asking it.
        return Outcome.PARTIAL if outcome == Outcome.REFUSED_THIRD_PARTY else outcome

    def _description(self, unit: Recipient, outcome: str, day: dt.date, places: dict) -> str:
        rng = self.ctx.rng
        if outcome == Outcome.UNABLE_UNCLEAR:
            return rng.choice(texts.UNCLEAR_TOPICS)
        special = texts.OUTCOME_TOPICS.get(outcome)
        if (
            outcome in texts.OUTCOME_TOPIC_UNITS
            and unit.topic not in texts.OUTCOME_TOPIC_UNITS[outcome]
        ):
            special = None
        if special and (
            outcome not in (Outcome.REFUSED_PROCESS, Outcome.REFUSED_INTERNAL) or rng.random() < 0.6
        ):
            template = rng.choice(special)
        else:
            template = rng.choice(texts.TOPICS.get(unit.topic) or texts.TOPICS["人民政府"])
        return template.format(
            year=day.year - rng.choice((0, 0, 1, 1, 2)),
            group=f"{rng.randint(1, 12)}组",
            road=rng.choice(texts.ROADS),
            project=rng.choice(texts.PROJECTS),
            company=company_name(rng),
            plot=f"新津区{day.year - rng.choice((0, 1, 2))}-{rng.randint(3, 48):03d}号地块",
            school=rng.choice(texts.SCHOOLS),
            estate=rng.choice(texts.ESTATES),
            **places,
        )

    def _reply_text(self, outcome: str, unit: Recipient) -> tuple[str, str]:
        """The reply and, for "not ours", the body that holds the information."""
        rng = self.ctx.rng
        text = rng.choice(texts.REPLIES[outcome])
        body = ""
        if "{body}" in text:
            body = rng.choice([b for b in texts.COMPETENT_BODIES if b != unit.name])
        return text.format(body=body, part=rng.choice(texts.PARTS)), body

    # --- one request --------------------------------------------------------------------

    def plan(self, spec: Spec) -> Plan | None:
        ctx, rng = self.ctx, self.ctx.rng
        unit = self._unit(spec)
        if unit is None:
            return None
        channel = spec.channel or _pick(ctx, CHANNEL_WEIGHTS)
        delivery = _pick(ctx, DELIVERY_WEIGHTS)
        outcome = self._outcome(spec)
        places = self._places(unit)
        user_id = None
        previous = None
        if outcome == Outcome.NOT_PROCESSED_REPEAT:
            earlier = [
                p
                for p in self.answered.get(unit.pk, [])
                if p.reply_day and p.reply_day < spec.day and p.request.user_id is None
            ]
            previous = rng.choice(earlier) if earlier else None
            if previous is None:
                outcome = Outcome.PUBLIC
        description = self._description(unit, outcome, spec.day, places)
        if previous is not None:
            applicant = previous.applicant
            description = previous.request.description
        elif spec.resident and ctx.resident is not None and self.resident_person is not None:
            person = self.resident_person
            applicant = Applicant(
                kind=ApplicantType.NATURAL_PERSON,
                name=ctx.resident.full_name or person.full_name,
                phone=ctx.resident.phone or person.mobile,
                id_number_hash=identity.id_number_hash(person.id_number),
                id_number_masked=person.id_number_masked,
            )
            user_id = ctx.resident.pk
            delivery = Delivery.ONLINE
        else:
            kind = _pick(ctx, APPLICANT_WEIGHTS)
            applicant = applicant_make(
                rng,
                kind,
                delivery=delivery,
                village=places["village"],
                road=rng.choice(texts.ROADS),
            )
        if delivery == Delivery.EMAIL and not applicant.email:
            delivery = Delivery.ONLINE
        if delivery == Delivery.PAPER and not applicant.address:
            delivery = Delivery.ONLINE

        if channel == RequestChannel.ONLINE:
            submitted = ctx.moment(spec.day, start=7 * 60 + 30, end=22 * 60 + 30)
        else:
            # As the back office enters a paper application: noon of the day it was
            # posted (a few days before the unit signs for it), sent or handed in.
            posted = spec.day - dt.timedelta(
                days=rng.randint(1, 3) if channel == RequestChannel.POST else 0
            )
            submitted = dt.datetime.combine(posted, dt.time(12), tzinfo=SHANGHAI)
        request = InfoRequest(
            tracking_code=self._code(10, CODE_ALPHABET),
            query_code=self._code(6, DIGITS),
            unit_id=unit.pk,
            region_id=unit.region,
            user_id=user_id,
            applicant_type=applicant.kind,
            applicant_name=applicant.name,
            id_number_hash=applicant.id_number_hash,
            id_number_masked=applicant.id_number_masked,
            org_code=applicant.org_code,
            contact_person=applicant.contact_person,
            phone=applicant.phone,
            phone_hash=identity.phone_hash(applicant.phone),
            email=applicant.email,
            address=applicant.address,
            description=description,
            delivery=delivery,
            channel=channel,
            submitted_at=submitted,
            status=Status.PENDING,
        )
        plan = Plan(spec=spec, unit=unit, request=request, applicant=applicant)
        self._history(plan, outcome, places)
        self._settle(plan)
        if not plan.events:
            return None
        if plan.request.status == Status.REPLIED:
            self.answered.setdefault(unit.pk, []).append(plan)
        return plan

    def _history(self, plan: Plan, outcome: str, places: dict) -> None:
        """Every step of the request's life, as disclosure.requests.services takes them
        (the same fields, the same notes), whether or not it has happened by now."""
        ctx, rng, wd = self.ctx, self.ctx.rng, self.ctx.workdays
        spec, request, unit = plan.spec, plan.request, plan.unit
        steps = plan.steps
        official = ctx.official(unit)
        user = request.user_id
        online = request.channel == RequestChannel.ONLINE

        def clock(start: dt.date, *, paused: int = 0, extension: int = 0) -> dict[str, Any]:
            day, provisional = ctx.due(start, extension=extension, paused=paused)
            return {"due_on": day, "due_is_provisional": provisional}

        steps.append(
            Step(
                request.submitted_at,
                Kind.SUBMITTED,
                actor=user if online else official,
                note=str(RequestChannel(request.channel).label),
                fields={"status": Status.PENDING},
            )
        )
        if spec.pending:
            return
        # Online on the portal: received the day it is submitted. Otherwise the official
        # registers the day the unit signed for the letter, confirmed the fax or was handed
        # the application (Art. 31), on that day or the next working day.
        start = spec.day
        if online:
            at, actor = request.submitted_at, user
        else:
            registered = wd.after(
                start, 0 if request.channel == RequestChannel.IN_PERSON else rng.choice((0, 0, 1))
            )
            at, actor = ctx.moment(registered, start=13 * 60 + 30, end=17 * 60 + 30), official
        due = clock(start)
        steps.append(
            Step(
                at,
                Kind.RECEIVED,
                actor=actor,
                note=_received_note(start, due),
                fields={"status": Status.PROCESSING, "received_on": start, **due},
            )
        )
        last = max(start, timezone.localdate(at))

        if spec.correction:
            sent = wd.after(start, 1 if spec.correction == "open" else rng.randint(1, 6))
            notice = rng.choice(texts.CORRECTION_NOTICES)
            correction_due = ctx.correction_due(sent)
            at = ctx.moment(sent)
            steps.append(
                Step(
                    at,
                    Kind.CORRECTION_SENT,
                    actor=official,
                    note=(
                        f"请于{correction_due:%Y-%m-%d}前补正；补正期间答复期限暂停计算，"
                        "自收到补正后的申请之日起重新计算。"
                    ),
                    fields={
                        "status": Status.CORRECTION,
                        "correction_notice": notice,
                        "correction_sent_at": at,
                        "correction_due_on": correction_due,
                        # The clock is suspended until the corrected application arrives.
                        "due_on": None,
                        "due_is_provisional": False,
                    },
                )
            )
            if spec.correction == "open":
                return
            if spec.correction == "lapsed":
                # Closed by the hourly scan once the correction's last day is over.
                lapsed = ctx.moment(correction_due + dt.timedelta(days=1), start=0, end=59)
                reason = f"申请人逾期未补正（补正期限{correction_due:%Y-%m-%d}），不再处理。"
                steps.append(
                    Step(
                        lapsed,
                        Kind.CORRECTION_LAPSED,
                        note=reason,
                        fields={
                            "status": Status.CLOSED,
                            "outcome": Outcome.OTHER_UNCORRECTED,
                            "closed_at": lapsed,
                            "close_reason": reason,
                        },
                    )
                )
                return
            corrected = wd.after(sent, rng.randint(1, 10))
            addition = rng.choice(texts.CORRECTED_NOTES).format(
                year=spec.day.year - 1,
                group=f"{rng.randint(1, 12)}组",
                project=rng.choice(texts.PROJECTS),
                **places,
            )
            if outcome == Outcome.UNABLE_UNCLEAR:
                addition = "补正：需要的是与本人有关的全部材料。"
            at = ctx.moment(corrected, start=8 * 60, end=21 * 60)
            # The corrected application is a new receipt: the clock restarts from it.
            due = clock(corrected)
            steps.append(
                Step(
                    at,
                    Kind.CORRECTED,
                    actor=user,
                    note=_received_note(corrected, due),
                    fields={
                        "status": Status.PROCESSING,
                        "corrected_description": f"{request.description}\n{addition}",
                        "corrected_at": at,
                        "received_on": corrected,
                        **due,
                    },
                )
            )
            start = last = corrected

        paused = 0
        if spec.third_party:
            asked = wd.after(last, rng.randint(2, 6))
            party = company_name(rng) if rng.random() < 0.6 else "相关权利人（被征收户）"
            plan.consultation = ThirdPartyConsultation(third_party=party, asked_on=asked)
            plan.clock = (start, asked, 0)
            steps.append(
                Step(
                    ctx.moment(asked),
                    Kind.THIRD_PARTY_ASKED,
                    actor=official,
                    note=(
                        f"{asked:%Y-%m-%d}起征求第三方意见，等待期间（最长15个工作日）"
                        "不计入答复期限。"
                    ),
                    # Asked today: no day of waiting yet.
                    fields={"status": Status.THIRD_PARTY},
                )
            )
            if spec.third_party == "open":
                return
            waited = rng.randint(4, 18)
            answered = wd.after(asked, waited)
            paused = min(waited, deadlines.MAX_THIRD_PARTY_DAYS)
            opinion = {
                Outcome.REFUSED_THIRD_PARTY: texts.THIRD_PARTY_OPINIONS[0],
                Outcome.PARTIAL: texts.THIRD_PARTY_OPINIONS[2],
            }.get(outcome) or rng.choice(texts.THIRD_PARTY_OPINIONS[1::2])
            due = clock(start, paused=paused)
            steps.append(
                Step(
                    ctx.moment(answered),
                    Kind.THIRD_PARTY_ANSWERED,
                    actor=official,
                    note=f"{answered:%Y-%m-%d}第三方意见返回；{_due_note(due)}",
                    fields={"status": Status.PROCESSING, **due},
                    answered=(answered, opinion),
                )
            )
            last = answered

        if spec.extension:
            before = ctx.due(start, paused=paused)[0]
            extended = wd.before(before, rng.randint(1, 4))
            if spec.reply == "open":
                # Granted already, so the demo shows the longer deadline.
                extended = min(extended, wd.before(ctx.today, 1))
            extended = min(max(extended, wd.after(last, 1)), before)
            reason = rng.choice(texts.EXTENSION_REASONS)
            at = ctx.moment(extended)
            approver = ctx.approver(unit)
            due = clock(start, paused=paused, extension=spec.extension)
            steps.append(
                Step(
                    at,
                    Kind.EXTENDED,
                    actor=approver,
                    note=f"延长{spec.extension}个工作日，理由：{reason}；{_due_note(due)}",
                    fields={
                        "extension_days": spec.extension,
                        "extension_reason": reason,
                        "extended_at": at,
                        "extension_approved_by_id": approver,
                        **due,
                    },
                )
            )
            last = extended
        deadline = ctx.due(start, paused=paused, extension=spec.extension)[0]

        if spec.withdrawn:
            day = min(wd.after(last, rng.randint(1, 5)), deadline)
            at = ctx.moment(day, start=8 * 60, end=21 * 60)
            reason = rng.choice(texts.WITHDRAW_REASONS)
            steps.append(
                Step(
                    at,
                    Kind.WITHDRAWN,
                    actor=user,
                    note=reason,
                    fields={
                        "status": Status.CLOSED,
                        "outcome": Outcome.OTHER,
                        "closed_at": at,
                        "close_reason": f"申请人撤回申请：{reason}",
                    },
                )
            )
            return
        if spec.reply in ("never", "open"):
            return
        if spec.reply == "late":
            day = wd.after(deadline, rng.randint(1, 6))
        elif spec.reply == "january":
            day = min(wd.after(dt.date(spec.day.year, 12, 31), rng.randint(1, 3)), deadline)
        else:
            earliest = wd.after(last, 1)
            if rng.random() < 0.25:
                day = wd.after(last, rng.randint(1, 5))
            else:
                total = deadlines.REPLY_WORKING_DAYS + paused + spec.extension
                day = wd.after(start, rng.randint(8, total))
            day = min(max(day, earliest), max(deadline, earliest))
        at = ctx.moment(day)
        text, body = self._reply_text(outcome, unit)
        fields: dict[str, Any] = {
            "status": Status.REPLIED,
            "outcome": outcome,
            "reply_text": text,
            "competent_body": body,
            "replied_at": at,
            "replied_by_id": official,
        }
        if spec.fee is not None:
            fields["fee_amount"] = Decimal(texts.FEE_AMOUNTS[spec.fee])
            fields["fee_basis"] = texts.FEE_BASES[spec.fee]
        steps.append(
            Step(at, Kind.REPLIED, actor=official, note=str(Outcome(outcome).label), fields=fields)
        )
        plan.reply_day = day

    def _settle(self, plan: Plan) -> None:
        """Apply the steps that happened by now, in order (a step placed before the one
        it follows is moved just after it)."""
        ctx, request = self.ctx, plan.request
        previous: dt.datetime | None = None
        for step in plan.steps:
            if previous is not None and step.at < previous:
                moved = previous + dt.timedelta(minutes=ctx.rng.randint(1, 20))
                for name in _MOMENTS:
                    if step.fields.get(name) == step.at:
                        step.fields[name] = moved
                step.at = moved
            previous = step.at
            if step.at > ctx.now:
                break
            for name, value in step.fields.items():
                setattr(request, name, value)
            if step.answered and plan.consultation is not None:
                plan.consultation.answered_on, plan.consultation.opinion = step.answered
            plan.events.append(
                InfoRequestEvent(kind=step.kind, at=step.at, actor_id=step.actor, note=step.note)
            )
        if request.status != Status.REPLIED:
            plan.reply_day = None
        kinds = {event.kind for event in plan.events}
        if Kind.THIRD_PARTY_ASKED not in kinds:
            plan.consultation = None
        if request.status == Status.THIRD_PARTY and plan.clock is not None:
            # Still waiting: the working days so far (at most 15) do not count
            # (services.third_party_waits_refresh keeps this up to date).
            start, asked, extension = plan.clock
            paused = min(ctx.workdays.between(asked, ctx.today), deadlines.MAX_THIRD_PARTY_DAYS)
            request.due_on, request.due_is_provisional = ctx.due(
                start, paused=paused, extension=extension
            )


_MOMENTS = ("correction_sent_at", "corrected_at", "extended_at", "replied_at", "closed_at")


def _due_note(due: dict[str, Any]) -> str:
    """As services._due_note."""
    note = f"答复期限：{due['due_on']:%Y-%m-%d}"
    return note + "（暂定）" if due["due_is_provisional"] else note


def _received_note(day: dt.date, due: dict[str, Any]) -> str:
    """As services._received_note."""
    return f"收到申请日期：{day:%Y-%m-%d}；{_due_note(due)}"
