"""Requests for information (依申请公开) at platform scale (`manage.py seed_scale`): about
50,000 applications over five years to every county's people's government and the
departments people ask most, every township office and the city departments, with what
happened to each; the reconsiderations and lawsuits about some replies; and the annual
reports of the last completed year of the county governments and departments that were
asked, published as the annual report's services publish them.

The recipes are the requests demo's (disclosure.requests.demo): its planner draws each
request's whole history (registration by channel, correction notices, third-party
consultations, extensions, replies by outcome, withdrawals, fees) and cuts it at now, with
its applicants, texts and notes. Here it gets the whole city (`CityContext`): the
recipients of every county weighted as 新津区's are in the demo, the villages of every
township, deadlines from the working days read once (the rule of
disclosure.requests.deadlines on portal.workdays), and specs spread over the preset's
years instead of the demo's forced cases. The rows go to PostgreSQL by COPY.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter, defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from disclosure.annual import services as annual
from disclosure.annual.tables import report_tables
from disclosure.models import (
    AnnualReport,
    Challenge,
    InfoRequest,
    InfoRequestEvent,
    InfoRequestStatus,
    Outcome,
    PublishingSetting,
    RequestChannel,
    ThirdPartyConsultation,
)
from disclosure.requests import deadlines
from disclosure.requests.demo.challenges import challenges_plan
from disclosure.requests.demo.context import (
    CITY_UNITS,
    POLICE,
    SHANGHAI,
    TOWNSHIP_WEIGHT,
    TOWNSHIPS,
    XINJIN_UNITS,
    Context,
    Recipient,
    Workdays,
    handlers_by_unit,
)
from disclosure.requests.demo.plan import (
    CHANNEL_WEIGHTS,
    OLD_SPECIALS,
    Plan,
    Planner,
    Spec,
)
from portal.demo.geography import CITY_CODE, XINJIN_CODE
from portal.models import (
    AuditAction,
    Region,
    Tier,
    Unit,
    UnitKind,
    User,
    WorkdayYear,
)
from portal.scale import ScaleContext, analyze, copy_rows, reserve_ids, set_aside
from portal.services.audit import audit_record

# The demo's 400 requests carry OLD_SPECIALS among them: the same shares here.
DEMO_COUNT = 400
# City departments are asked as often as a busy county's: their demo weights times this.
CITY_WEIGHT_FACTOR = 60
# Of the requests received between these many working days ago, this share is still
# unanswered (overdue); younger ones are open because their reply is still to come.
NEVER_SPAN = (25, 80)
NEVER_SHARE = 0.03
# Post and fax applications of the last days not registered yet (待登记).
PENDING_DAYS, PENDING_SHARE = 3, 0.3
# The demo draws its nine challenges from every 400 requests (challenges_plan).
CHALLENGE_CHUNK = 400
GROWTH_FROM = 0.5
# Besides every county government, the county whose departments publish their reports.
REPORT_COUNTY = XINJIN_CODE

REQUEST_COLUMNS = (
    "id", "tracking_code", "query_code", "unit_id", "region_id", "user_id", "applicant_type",
    "applicant_name", "id_number_hash", "id_number_masked", "org_code", "contact_person",
    "phone", "phone_hash", "email", "address", "description", "delivery", "channel",
    "submitted_at", "received_on", "due_on", "due_is_provisional", "status",
    "extension_days", "extension_reason", "extended_at", "extension_approved_by_id",
    "correction_notice", "correction_sent_at", "correction_due_on", "corrected_at",
    "corrected_description", "outcome", "reply_text", "competent_body", "replied_at",
    "replied_by_id", "fee_amount", "fee_basis", "closed_at", "close_reason",
)  # fmt: skip
EVENT_COLUMNS = ("request_id", "kind", "at", "actor_id", "note")
CONSULTATION_COLUMNS = ("request_id", "third_party", "asked_on", "answered_on", "opinion")
CHALLENGE_COLUMNS = ("unit_id", "request_id", "kind", "filed_on", "result", "decided_on", "note")
# The texts name 新津区; a request to another county names that county.
DEMO_COUNTY = "新津区"


class CityContext(Context):
    """The demo's context for the whole city: every county's government and the
    departments of the demo's list (weighted as the demo weights 新津区's), every
    township office (so that a county's townships together weigh what the demo's three
    do), the city departments, the villages of every township, and deadlines answered
    from the working days in memory. (The demo's __init__ reads 新津区's units and asks
    the calendar per deadline; this one sets the same attributes for the city.)"""

    def __init__(
        self, *, rng: random.Random, now: dt.datetime, first_day: dt.date, seed: int
    ) -> None:
        self.rng, self.seed, self.now = rng, seed, now
        self.today = timezone.localdate(now)
        self.names = dict(Region.objects.values_list("code", "name"))
        self.recipients = self._city_recipients()
        self.villages: dict[str, list[str]] = defaultdict(list)
        villages = Region.objects.filter(tier=Tier.VILLAGE, is_active=True).order_by("code")
        for name, parent in villages.values_list("name", "parent_id"):
            self.villages[parent].append(name)
        self.township_names = dict(
            Region.objects.filter(tier=Tier.TOWNSHIP).values_list("code", "name")
        )
        self.townships_of: dict[str, list[str]] = defaultdict(list)
        for code in sorted(self.township_names):
            self.townships_of[code[:6]].append(code)
        self.officials, self.approvers = handlers_by_unit([r.pk for r in self.recipients])
        self.resident = None  # the demo's resident asks the demo's units only
        self.workdays = Workdays(first_day - dt.timedelta(days=40), self.today + dt.timedelta(240))
        self.loaded = set(WorkdayYear.objects.values_list("year", flat=True))
        self.correction_days = deadlines.correction_days()
        self._due = {}
        self._correction_due = {}

    def _city_recipients(self) -> list[Recipient]:
        topics = dict(XINJIN_UNITS)
        city_units = dict(CITY_UNITS)
        rows = list(
            Unit.objects.filter(
                is_active=True,
                kind__in=[UnitKind.GOVERNMENT, UnitKind.DEPARTMENT, UnitKind.TOWNSHIP_OFFICE],
            ).values_list("pk", "name", "region_id", "kind")
        )
        townships = Counter(
            region[:6] for _pk, _n, region, kind in rows if kind == "township_office"
        )
        found = []
        for pk, name, region, kind in rows:
            if kind == UnitKind.TOWNSHIP_OFFICE:
                # A county's townships together weigh what the demo's three do in 新津区.
                share = TOWNSHIP_WEIGHT * len(TOWNSHIPS) / townships[region[:6]]
                found.append(Recipient(pk, name, region, "township", max(1, round(share)), region))
            elif region == CITY_CODE:
                if name in city_units:
                    weight = city_units[name] * CITY_WEIGHT_FACTOR
                    found.append(Recipient(pk, name, region, name, weight))
            elif region.endswith("000000") and region in self.names:
                short = name.removeprefix(self.names[region])
                if kind == UnitKind.GOVERNMENT:
                    found.append(Recipient(pk, name, region, "人民政府", topics["人民政府"]))
                elif "公安局" in short:
                    found.append(Recipient(pk, name, region, POLICE[1], POLICE[2]))
                elif short in topics:
                    found.append(Recipient(pk, name, region, short, topics[short]))
        return sorted(found, key=lambda r: (r.region, r.name))

    def due(self, start: dt.date, *, extension: int = 0, paused: int = 0) -> tuple[dt.date, bool]:
        """deadlines.due_date on the working days in memory."""
        key = (start, extension, paused)
        if key not in self._due:
            total = deadlines.REPLY_WORKING_DAYS + extension + paused
            day = self.workdays.after(start, total)
            years = range(start.year, day.year + 1)
            self._due[key] = (day, any(year not in self.loaded for year in years))
        return self._due[key]

    def correction_due(self, sent: dt.date) -> dt.date:
        """deadlines.correction_due on the working days in memory."""
        if sent not in self._correction_due:
            self._correction_due[sent] = self.workdays.after(sent, self.correction_days)
        return self._correction_due[sent]

    def county_name(self, region: str) -> str:
        return self.names.get(region[:6] + "000000", "")


class CityPlanner(Planner):
    """The demo's planner over the city: units drawn from precomputed weights (the demo
    rebuilds its weight list per request, for a few dozen units), applicants' places in
    the unit's own county."""

    def __init__(self, ctx: CityContext) -> None:
        super().__init__(ctx)
        self.codes = set(InfoRequest.objects.values_list("tracking_code", flat=True))
        self.units = list(ctx.recipients)
        self.cumulative = list(itertools.accumulate(unit.weight for unit in self.units))

    def _unit(self, spec: Spec) -> Recipient | None:
        if not self.units:
            return None
        return self.ctx.rng.choices(self.units, cum_weights=self.cumulative)[0]

    def _places(self, unit: Recipient) -> dict[str, str]:
        rng, ctx = self.ctx.rng, self.ctx
        township = unit.township
        if not township:
            nearby = ctx.townships_of.get(unit.region[:6]) or sorted(ctx.township_names)
            township = rng.choice(nearby) if nearby else ""
        villages = ctx.villages.get(township) or [ctx.township_names.get(township, "")]
        return {"township": ctx.township_names.get(township, ""), "village": rng.choice(villages)}


def specs_spread(ctx: CityContext, count: int, first_day: dt.date) -> list[Spec]:
    """`count` requests received from `first_day` to yesterday, more as the platform grows,
    with the demo's special histories in the demo's shares, a few left unanswered, and the
    last days' paper applications not registered yet."""
    rng, wd, today = ctx.rng, ctx.workdays, ctx.today
    last = today - dt.timedelta(days=1)
    span = max((last - first_day).days, 1)
    days = [first_day + dt.timedelta(days=n) for n in range(span + 1)]
    weights = [GROWTH_FROM + (1 - GROWTH_FROM) * n / span for n in range(span + 1)]
    drawn = rng.choices(days, weights, k=count)
    channels = rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()), k=count)
    yesterday = wd.before(today, 1)
    specs = []
    for day, channel in zip(drawn, channels, strict=True):
        # Letters, visits and faxes come on working days; online forms now and then at
        # weekends or on holidays.
        if not wd.is_working(day) and (channel != RequestChannel.ONLINE or rng.random() < 0.7):
            day = wd.after(day, 0)
        specs.append(Spec(min(day, yesterday), channel=channel))
    # The demo gives its old requests these histories (its recent ones are forced); here
    # any request may have one, so some are under way at the end (a correction awaited,
    # a third party still to answer).
    wanted = {kind: round(n * len(specs) / DEMO_COUNT) for kind, n in OLD_SPECIALS.items()}
    chosen = rng.sample(specs, min(len(specs), sum(wanted.values())))
    for kind, n in wanted.items():
        for index, spec in enumerate(chosen[:n]):
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
                spec.fee, spec.outcome = index % 2, Outcome.PUBLIC
        chosen = chosen[n:]
    never_from, never_to = wd.before(today, NEVER_SPAN[1]), wd.before(today, NEVER_SPAN[0])
    pending_from = wd.before(today, PENDING_DAYS)
    for spec in specs:
        if spec.correction or spec.extension or spec.third_party or spec.withdrawn:
            continue
        if never_from <= spec.day <= never_to and rng.random() < NEVER_SHARE:
            spec.reply = "never"
        elif (
            spec.day >= pending_from
            and spec.channel != RequestChannel.ONLINE
            and rng.random() < PENDING_SHARE
        ):
            spec.pending = True
    return sorted(specs, key=lambda spec: spec.day)


def _localised(ctx: CityContext, plan: Plan) -> None:
    """The demo's words name 新津区: a request to another county names that county."""
    county = ctx.county_name(plan.unit.region)
    if plan.unit.region == CITY_CODE or not county or county == DEMO_COUNTY:
        return
    request = plan.request
    for name in ("description", "corrected_description", "address", "reply_text"):
        value = getattr(request, name)
        if DEMO_COUNTY in value:
            setattr(request, name, value.replace(DEMO_COUNTY, county))
    if DEMO_COUNTY in request.competent_body:
        request.competent_body = request.competent_body.replace(DEMO_COUNTY, county)


def requests_plan(
    *, count: int, rng: random.Random, seed: int, first_day: dt.date, today: dt.date
) -> tuple[CityContext, list[Plan]]:
    """`count` requests received from `first_day` to yesterday, planned and cut at the
    start of `today`, in order of receipt; nothing is written."""
    now = dt.datetime.combine(today, dt.time(), tzinfo=SHANGHAI)
    ctx = CityContext(rng=rng, now=now, first_day=first_day, seed=seed)
    planner = CityPlanner(ctx)
    plans = []
    for spec in specs_spread(ctx, count, first_day):
        plan = planner.plan(spec)
        if plan is not None:
            _localised(ctx, plan)
            plans.append(plan)
    return ctx, plans


def requests_bulk(
    *, count: int, rng: random.Random, seed: int, first_day: dt.date, today: dt.date
) -> tuple[list[Plan], dict[str, int]]:
    """Plan and write `count` requests with their events, consultations and challenges;
    returns the plans and what was written."""
    ctx, plans = requests_plan(count=count, rng=rng, seed=seed, first_day=first_day, today=today)
    ids = reserve_ids(InfoRequest, len(plans))
    for pk, plan in zip(ids, plans, strict=True):
        plan.request.pk = pk
    with set_aside(InfoRequest, InfoRequestEvent, ThirdPartyConsultation, Challenge):
        copy_rows(InfoRequest, REQUEST_COLUMNS, (_row(plan.request) for plan in plans))
        events = copy_rows(
            InfoRequestEvent,
            EVENT_COLUMNS,
            (
                (plan.request.pk, e.kind, e.at, e.actor_id, e.note)
                for plan in plans
                for e in plan.events
            ),
        )
        consultations = copy_rows(
            ThirdPartyConsultation,
            CONSULTATION_COLUMNS,
            (
                (plan.request.pk, c.third_party, c.asked_on, c.answered_on, c.opinion)
                for plan in plans
                if (c := plan.consultation) is not None
            ),
        )
        challenges = []
        for offset in range(0, len(plans), CHALLENGE_CHUNK):
            challenges += challenges_plan(ctx, plans[offset : offset + CHALLENGE_CHUNK])
        copy_rows(
            Challenge,
            CHALLENGE_COLUMNS,
            (
                (c.unit_id, c.request.pk, c.kind, c.filed_on, c.result, c.decided_on, c.note)
                for c in challenges
            ),
        )
    analyze(InfoRequest, InfoRequestEvent, ThirdPartyConsultation, Challenge)
    statuses = Counter(plan.request.status for plan in plans)
    overdue = sum(
        1
        for plan in plans
        if plan.request.status not in (InfoRequestStatus.REPLIED, InfoRequestStatus.CLOSED)
        and plan.request.due_on is not None
        and plan.request.due_on < today
    )
    return plans, {
        "info_requests": len(plans),
        "info_request_events": events,
        "info_request_consultations": consultations,
        "info_request_challenges": len(challenges),
        "info_requests_overdue": overdue,
        **{f"info_requests_{status}": statuses.get(status, 0) for status in InfoRequestStatus},
    }


def _row(request: InfoRequest) -> tuple[Any, ...]:
    return tuple(getattr(request, column) for column in _ATTNAMES)


_ATTNAMES = REQUEST_COLUMNS  # the model's attnames are its column names


# --- annual reports -----------------------------------------------------------------------


def _narrative(unit: Unit, year: int, tables: dict[str, Any]) -> dict[str, str]:
    """Parts 一, 五 and 六 of a county body's report, in the words of the demo's report
    (disclosure.requests.demo.report), with the figures of its own tables."""
    rows = {row["key"]: row["values"]["total"] for row in tables["table3"]["rows"]}
    check = tables["table3"]["check"]["total"]
    refused = sum(value for key, value in rows.items() if key.startswith("refused_"))
    challenges = sum(row["values"]["total"] for row in tables["table4"]["rows"])
    overall = (
        f"{year}年，{unit.name}深入贯彻《中华人民共和国政府信息公开条例》，坚持以公开为常态、"
        "不公开为例外，推进基层政务公开标准化规范化，依托成都市基层政务公开平台统一发布政府信息、"
        "办理依申请公开。\n"
        "（一）主动公开。按照标准目录及时公开本单位职责范围内的政策文件、财政预决算、"
        "行政许可和行政处罚结果等信息，规范性文件同步发布政策解读。\n"
        f"（二）依申请公开。全年新收政府信息公开申请{check['new']}件，上年结转"
        f"{check['carried_over']}件；办结{check['handled']}件，其中予以公开"
        f"{rows.get('public', 0)}件、部分公开{rows.get('partial', 0)}件、不予公开{refused}件、"
        f"本机关不掌握相关政府信息{rows.get('unable_not_held', 0)}件；结转下年度继续办理"
        f"{check['carried_forward']}件。全年因政府信息公开引起的行政复议、行政诉讼"
        f"{challenges}件。\n"
        "（三）政府信息管理。落实公开前保密审查和个人信息区分处理，对申请答复实行一案一档。\n"
        "（四）平台建设。依申请公开实现网上提交、在线查询办理进度和答复书，答复期限按法定"
        "工作日自动计算并提醒。\n"
        "（五）监督保障。将政府信息公开工作纳入年度目标考核，定期通报超期办理情况。"
    )
    problems = (
        "一是部分申请答复说理不够充分，对“不予公开”“无法提供”的依据阐述还需加强；"
        "二是个别申请办理临近期限才答复，内部流转环节较多；"
        "三是部分领域主动公开的深度不够，引发的依申请公开数量较多。\n"
        f"{year + 1}年将加强答复文书审核和业务培训，推行答复模板和办理时限预警，"
        "并将申请集中的事项纳入主动公开范围，从源头减少依申请公开数量。"
    )
    other = (
        f"{year}年本机关收取信息处理费情况见表二“行政事业性收费”一栏；本机关无其他需要报告的事项。"
    )
    return {"overall": overall, "problems": problems, "other": other}


def reports_publish(*, plans: list[Plan], year: int, today: dt.date) -> int:
    """Publish `year`'s annual report of every county government and of 新津区's
    departments asked in that year, through the annual report's services, as the demo
    publishes 新津区人民政府's (the unit's review step off for the call, as the demo
    does); returns how many were published. Nothing before the year is over.

    Publishing computes and freezes the tables (about 60 queries a report), so the other
    departments keep their reports as drafts: their officials and the supervisors of
    their place see them with live figures."""
    admin = User.objects.filter(username="admin", is_superuser=True).first()
    if admin is None or today.year <= year:
        return 0
    asked = {
        plan.unit.pk
        for plan in plans
        if plan.request.received_on is not None
        and plan.request.received_on.year == year
        and plan.unit.region.endswith("000000")
        and plan.unit.region != CITY_CODE
        and (plan.unit.topic == "人民政府" or plan.unit.region == REPORT_COUNTY)
    }
    units = Unit.objects.filter(pk__in=asked).select_related("region").order_by("region_id", "name")
    published = 0
    for unit in units:
        if AnnualReport.objects.filter(unit=unit, year=year).exists():
            continue
        if annual.report_item(unit) is None:
            continue
        with transaction.atomic():
            tables = report_tables(unit, year)
            annual.annual_report_save(
                unit=unit, year=year, actor=admin, **_narrative(unit, year, tables)
            )
            setting = PublishingSetting.objects.filter(unit=unit).first()
            review = setting.requires_review if setting else None
            PublishingSetting.objects.update_or_create(
                unit=unit, defaults={"requires_review": False}
            )
            annual.annual_report_publish(unit=unit, year=year, actor=admin)
            if review is None:
                PublishingSetting.objects.filter(unit=unit).delete()
            else:
                PublishingSetting.objects.filter(unit=unit).update(requires_review=review)
        published += 1
    return published


def scale_load(ctx: ScaleContext) -> dict[str, int]:
    """settings.PORTAL_SCALE_LOADERS: ctx.count("info_requests") requests over the preset's
    years, and the last completed year's annual reports of the county bodies asked."""
    plans, counts = requests_bulk(
        count=ctx.count("info_requests"),
        rng=ctx.rng("info_requests"),
        seed=ctx.seed,
        first_day=ctx.first_day,
        today=ctx.today,
    )
    if plans:
        # One audit row for the bulk load, on the first request, as the demo writes.
        audit_record(
            actor=None,
            action=AuditAction.IMPORT,
            obj=InfoRequest.objects.get(pk=plans[0].request.pk),
            changes={key: [0, value] for key, value in counts.items()},
            note="规模测试数据：依申请公开",
        )
    counts["annual_reports"] = reports_publish(
        plans=plans, year=ctx.today.year - 1, today=ctx.today
    )
    return counts
