"""The requests-for-information demo on a small real platform: the city's departments,
新津区 with its three demo townships and their villages, and 锦江区 as another county, with
the demo logins and the 2025 and 2026 calendars (the full portal demo takes minutes; this
takes seconds).

The loader's invariants: due dates are the requests' own rule on the calendar, outcomes
only on finished requests, histories that match the status, the carry-over cases of the
annual report on both year ends, personal data only masked or hashed, a 2025 report for
新津区人民政府 whose check rule holds; it runs again without doubling anything, gives the
same requests for the same seed, and runs on a platform missing most units."""

import datetime as dt
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from disclosure import catalogs
from disclosure.models import (
    AnnualReport,
    AnnualReportStatus,
    ApplicantType,
    Challenge,
    ChallengeKind,
    ChallengeResult,
    InfoRequest,
    InfoRequestEvent,
    InfoRequestEventKind,
    InfoRequestStatus,
    Outcome,
    RecordStatus,
    RequestChannel,
    ThirdPartyConsultation,
)
from disclosure.requests import deadlines, demo
from disclosure.requests.demo.context import TOWNSHIPS, Context
from disclosure.requests.demo.plan import MARKER_TRACKING_CODE, Planner, specs_make
from disclosure.requests.services import validate_org_code
from portal import identity
from portal.demo.geography import CITY_CODE, XINJIN_CODE, build_geography
from portal.demo.people import demo_logins_create
from portal.demo.units import plan_units
from portal.models import Unit, User
from portal.services.calendar import calendar_load_year
from portal.services.regions import divisions_import
from portal.workdays import count_working_days

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
OTHER_COUNTY = "510104000000"  # 锦江区
SEED = 2026
Status = InfoRequestStatus
Kind = InfoRequestEventKind
FINISHED = (Status.REPLIED, Status.CLOSED)
OPEN = (Status.PROCESSING, Status.THIRD_PARTY, Status.CORRECTION)


def _kept(code: str) -> bool:
    return code in ("510000000000", CITY_CODE, XINJIN_CODE, OTHER_COUNTY) or any(
        code.startswith(township[:9]) for township in TOWNSHIPS
    )


@pytest.fixture
def platform(db):
    """Places, units (schools aside), demo logins, calendars and catalogs."""
    geography = build_geography(SEED)
    divisions_import(
        rows=[row for row in geography.rows() if _kept(row[0])], actor=None, source="测试"
    )
    Unit.objects.bulk_create(
        [
            Unit(
                name=plan.name,
                kind=plan.kind,
                sector=plan.sector,
                region_id=plan.region_code,
                address=plan.address,
                phone=plan.phone,
                office_hours=plan.office_hours,
            )
            for plan in plan_units(geography, SEED)
            if _kept(plan.region_code) and plan.parent is None
        ]
    )
    demo_logins_create(seed=SEED)
    for year in (2025, 2026):
        calendar_load_year(year=year, actor=None)
    catalogs.catalog_load_all()


@pytest.fixture
def loaded(platform):
    return demo.demo_load(seed=SEED, now=NOW)


def _local(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def test_about_400_requests_to_xinjin_and_a_few_city_departments(loaded):
    requests = InfoRequest.objects.select_related("unit")
    assert 380 <= requests.count() <= 400
    assert loaded.counts["info_requests"] == requests.count()
    assert InfoRequest.objects.filter(tracking_code=MARKER_TRACKING_CODE).exists()
    regions = Counter(r.unit.region_id for r in requests)
    assert set(regions) <= {XINJIN_CODE, CITY_CODE, *TOWNSHIPS}
    assert set(regions) >= {XINJIN_CODE, CITY_CODE, *TOWNSHIPS}
    assert regions[XINJIN_CODE] > regions[CITY_CODE] > 0
    names = {r.unit.name for r in requests}
    assert {"新津区人民政府", "新津区规划和自然资源局", "新津区五津街道办事处"} <= names
    assert all(r.region_id == r.unit.region_id for r in requests)
    # Over 2025 and 2026, up to now.
    days = [_local(r.submitted_at) for r in requests]
    assert min(days) < dt.date(2025, 2, 1) and max(days) <= TODAY
    assert sum(1 for d in days if d.year == 2025) >= 150
    assert sum(1 for d in days if d.year == 2026) >= 150
    # Codes in the services' alphabets, unique.
    codes = [r.tracking_code for r in requests if r.tracking_code != MARKER_TRACKING_CODE]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[A-HJ-NP-Z2-9]{10}", code) for code in codes)
    assert all(re.fullmatch(r"\d{6}", r.query_code) for r in requests)


def test_applicants_channels_and_outcomes_in_realistic_proportions(loaded):
    requests = list(InfoRequest.objects.all())
    total = len(requests)
    types = Counter(r.applicant_type for r in requests)
    assert types[ApplicantType.NATURAL_PERSON] > 0.75 * total
    assert types[ApplicantType.COMMERCIAL] > types[ApplicantType.RESEARCH]
    assert types[ApplicantType.LEGAL_SERVICE] > 0
    channels = Counter(r.channel for r in requests)
    assert channels[RequestChannel.ONLINE] > 0.65 * total
    assert channels[RequestChannel.POST] > 0 and channels[RequestChannel.IN_PERSON] > 0
    outcomes = Counter(r.outcome for r in requests if r.status in FINISHED)
    finished = sum(outcomes.values())
    disclosed = outcomes[Outcome.PUBLIC] + outcomes[Outcome.ALREADY_PUBLIC]
    assert disclosed + outcomes[Outcome.PARTIAL] > 0.5 * finished
    assert outcomes[Outcome.UNABLE_NOT_HELD] > 0.1 * finished
    for outcome in (
        Outcome.PARTIAL,
        Outcome.ALREADY_PUBLIC,
        Outcome.REFUSED_PROCESS,
        Outcome.UNABLE_NEEDS_CREATION,
        Outcome.UNABLE_UNCLEAR,
        Outcome.NOT_PROCESSED_REPEAT,
        Outcome.NOT_PROCESSED_COMPLAINT,
        Outcome.OTHER_UNCORRECTED,
        Outcome.OTHER,
    ):
        assert outcomes[outcome] > 0, outcome
    # Every reply says something; "not ours" names another body, never the unit itself.
    replied = InfoRequest.objects.filter(status=Status.REPLIED).select_related("unit")
    assert all(r.reply_text for r in replied)
    named = [r for r in replied if r.competent_body]
    assert named and all(r.competent_body != r.unit.name for r in named)
    assert {r.outcome for r in named} == {Outcome.UNABLE_NOT_HELD}


def test_outcomes_only_on_finished_requests(loaded):
    for r in InfoRequest.objects.all():
        assert bool(r.outcome) == (r.status in FINISHED), r.tracking_code
        assert (r.replied_at is not None) == (r.status == Status.REPLIED)
        assert (r.closed_at is not None) == (r.status == Status.CLOSED)
        assert (r.received_on is None) == (r.status == Status.PENDING)
    statuses = Counter(InfoRequest.objects.values_list("status", flat=True))
    assert statuses[Status.PENDING] >= 1
    assert statuses[Status.CORRECTION] >= 1
    assert statuses[Status.THIRD_PARTY] >= 1
    assert statuses[Status.PROCESSING] >= 8


def test_due_dates_are_the_requests_rule_on_the_calendar(loaded):
    requests = InfoRequest.objects.prefetch_related("consultations")
    for r in requests:
        if r.status in (Status.PENDING, Status.CORRECTION) or (
            r.status == Status.CLOSED and r.outcome == Outcome.OTHER_UNCORRECTED
        ):
            # No clock before receipt or while the applicant corrects.
            assert r.due_on is None and not r.due_is_provisional, r.tracking_code
            continue
        paused = deadlines.paused_working_days(r.consultations.all(), TODAY, since=r.received_on)
        expected = deadlines.due_date(
            received_on=r.received_on, extension_days=r.extension_days, paused_days=paused
        )
        assert (r.due_on, r.due_is_provisional) == expected, r.tracking_code
    # The extension granted last month runs into 2027, whose schedule is not out yet.
    provisional = InfoRequest.objects.filter(due_is_provisional=True)
    assert provisional.filter(extension_days=20, status=Status.PROCESSING).exists()
    assert all(r.due_on.year == 2027 for r in provisional)
    # Receipt by channel (Art. 31): online the day submitted, otherwise a working day.
    for r in InfoRequest.objects.exclude(status=Status.PENDING).filter(corrected_at=None):
        if r.channel == RequestChannel.ONLINE:
            assert r.received_on == _local(r.submitted_at)
        else:
            assert count_working_days(r.received_on - dt.timedelta(days=1), r.received_on).days
            assert r.received_on >= _local(r.submitted_at)


def test_histories_match_the_status(loaded):
    events: dict[int, list[InfoRequestEvent]] = {}
    for event in InfoRequestEvent.objects.order_by("request_id", "at", "id"):
        events.setdefault(event.request_id, []).append(event)
    for r in InfoRequest.objects.prefetch_related("consultations"):
        history = events[r.pk]
        kinds = [e.kind for e in history]
        moments = [e.at for e in history]
        assert moments == sorted(moments) and moments[-1] <= NOW, r.tracking_code
        assert kinds[0] == Kind.SUBMITTED and history[0].at == r.submitted_at
        assert (Kind.RECEIVED in kinds) == (r.status != Status.PENDING)
        assert (Kind.CORRECTION_SENT in kinds) == (r.correction_sent_at is not None)
        assert (Kind.CORRECTED in kinds) == (r.corrected_at is not None)
        assert (Kind.EXTENDED in kinds) == (r.extension_days > 0)
        assert (Kind.CORRECTION_LAPSED in kinds) == (r.outcome == Outcome.OTHER_UNCORRECTED)
        assert (Kind.WITHDRAWN in kinds) == (r.status == Status.CLOSED and r.outcome == "other")
        assert kinds.count(Kind.REPLIED) == (r.status == Status.REPLIED)
        if r.status == Status.REPLIED:
            assert history[-1].kind == Kind.REPLIED and history[-1].at == r.replied_at
            assert history[-1].note == Outcome(r.outcome).label
        consultations = list(r.consultations.all())
        assert kinds.count(Kind.THIRD_PARTY_ASKED) == len(consultations)
        answered = [c for c in consultations if c.answered_on]
        assert kinds.count(Kind.THIRD_PARTY_ANSWERED) == len(answered)
        assert (r.status == Status.THIRD_PARTY) == (len(answered) < len(consultations))
        if r.extension_days:
            assert r.extension_reason and r.extended_at
            assert 0 < r.extension_days <= deadlines.MAX_EXTENSION_DAYS


def test_corrections_restart_the_clock_and_one_lapses(loaded):
    corrected = InfoRequest.objects.exclude(corrected_at=None)
    assert corrected.count() >= 5
    for r in corrected:
        first = r.events.get(kind=Kind.RECEIVED).at
        sent = _local(r.correction_sent_at)
        # One notice within 7 working days of receipt; corrected in time; the clock
        # counts from the corrected application.
        assert count_working_days(_local(first), sent).days <= deadlines.CORRECTION_NOTICE_DAYS
        assert r.correction_due_on == deadlines.correction_due(sent)[0]
        assert _local(r.corrected_at) <= r.correction_due_on
        assert r.received_on == _local(r.corrected_at)
        assert r.corrected_description.startswith(r.description)
    unclear = InfoRequest.objects.filter(outcome=Outcome.UNABLE_UNCLEAR)
    assert unclear.exists() and not unclear.filter(corrected_at=None).exists()
    lapsed = InfoRequest.objects.get(outcome=Outcome.OTHER_UNCORRECTED)
    assert lapsed.status == Status.CLOSED and lapsed.corrected_at is None
    assert _local(lapsed.closed_at) > lapsed.correction_due_on
    waiting = InfoRequest.objects.get(status=Status.CORRECTION)
    assert waiting.correction_due_on >= TODAY and waiting.correction_notice


def test_consultations_pause_the_clock(loaded):
    consultations = ThirdPartyConsultation.objects.select_related("request")
    assert consultations.count() >= 4
    assert consultations.filter(answered_on=None).count() == 1
    for c in consultations:
        assert c.asked_on >= c.request.received_on
        if c.answered_on:
            assert c.opinion
    # A paused request is due later than 20 working days after receipt.
    paused = [c.request for c in consultations if c.answered_on and not c.request.extension_days]
    assert any(
        r.due_on > deadlines.due_date(received_on=r.received_on, extension_days=0, paused_days=0)[0]
        for r in paused
    )


def test_year_end_carry_over_both_ways(loaded):
    into_2026 = InfoRequest.objects.filter(
        received_on__range=(dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
        replied_at__gte=dt.datetime(2026, 1, 1, tzinfo=SHANGHAI),
    )
    assert into_2026.count() >= 5
    # Open at now: carried into 2027 unless answered in December.
    still_open = InfoRequest.objects.filter(status__in=OPEN)
    assert still_open.count() >= 10
    overdue = still_open.exclude(status=Status.CORRECTION).filter(due_on__lt=TODAY)
    assert 3 <= overdue.count() <= 10
    late = [
        r
        for r in InfoRequest.objects.filter(status=Status.REPLIED)
        if _local(r.replied_at) > r.due_on
    ]
    assert 1 <= len(late) <= 10


def test_personal_data_only_masked_or_hashed(loaded):
    id_like = identity.ID_NUMBER_IN_TEXT
    for r in InfoRequest.objects.all():
        if r.applicant_type == ApplicantType.NATURAL_PERSON:
            assert re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", r.id_number_masked)
            assert re.fullmatch(r"[0-9a-f]{64}", r.id_number_hash)
            assert not r.org_code
        else:
            assert not r.id_number_hash and not r.id_number_masked
            assert r.contact_person
            if r.org_code:
                assert validate_org_code(r.org_code) == r.org_code
        assert identity.validate_phone(r.phone) == r.phone
        assert r.phone_hash == identity.phone_hash(r.phone)
        for text in (r.description, r.reply_text, r.corrected_description, r.close_reason):
            assert not id_like.search(text) and not identity.MOBILE_IN_TEXT.search(text)
        if r.delivery == "email":
            assert r.email.endswith("@example.com")
        if r.delivery == "paper":
            assert r.address
    for note in InfoRequestEvent.objects.values_list("note", flat=True):
        assert not id_like.search(note) and not identity.MOBILE_IN_TEXT.search(note)
    # The resident's own request, as the resident.
    resident = User.objects.get(username="resident")
    mine = InfoRequest.objects.get(user=resident)
    assert mine.applicant_name == resident.full_name and mine.unit.name == "新津区五津街道办事处"
    assert mine.status == Status.REPLIED and mine.outcome == Outcome.PUBLIC


def test_fees_are_free_but_for_two_with_their_basis(loaded):
    charged = InfoRequest.objects.filter(fee_amount__gt=0)
    assert 1 <= charged.count() <= 2
    assert all(r.fee_basis and r.status == Status.REPLIED for r in charged)
    assert not InfoRequest.objects.filter(fee_amount=0).exclude(fee_basis="").exists()


def test_challenges_follow_the_replies(loaded):
    challenges = Challenge.objects.select_related("request")
    assert challenges.count() >= 5
    kinds = {c.kind for c in challenges}
    assert {ChallengeKind.RECONSIDERATION, ChallengeKind.LITIGATION} <= kinds
    assert {c.result for c in challenges} >= {ChallengeResult.UPHELD, ChallengeResult.CORRECTED}
    for c in challenges:
        replied = _local(c.request.replied_at)
        assert c.unit_id == c.request.unit_id and c.request.status == Status.REPLIED
        assert replied < c.filed_on <= TODAY
        if c.kind == ChallengeKind.RECONSIDERATION:
            assert (c.filed_on - replied).days <= 60
        else:
            assert (c.filed_on - replied).days <= 183
        assert (c.decided_on is None) == (c.result == ChallengeResult.PENDING)
        if c.decided_on:
            assert c.filed_on < c.decided_on <= TODAY


def test_the_government_published_its_2025_report(loaded):
    report = AnnualReport.objects.select_related("record", "unit").get()
    assert report.unit.name == "新津区人民政府" and report.year == 2025
    assert report.status == AnnualReportStatus.PUBLISHED
    assert report.record.status == RecordStatus.PUBLISHED
    assert report.overall and report.problems
    table3 = report.tables["table3"]
    assert table3["check_holds"]
    total = table3["check"]["total"]
    assert total["new"] > 10 and total["handled"] > 10
    assert f"全年新收政府信息公开申请{total['new']}件" in report.overall
    rows = {row["key"]: row for row in report.tables["table4"]["rows"]}
    assert rows[ChallengeKind.RECONSIDERATION]["values"]["total"] >= 1
    # The unit's review setting is as it was (none).
    assert not hasattr(Unit.objects.get(pk=report.unit_id), "publishing")
    assert loaded.counts["annual_reports"] == 1


def test_loading_again_changes_nothing(loaded):
    assert demo.demo_is_loaded()
    before = (
        InfoRequest.objects.count(),
        InfoRequestEvent.objects.count(),
        Challenge.objects.count(),
    )
    again = demo.demo_load(seed=SEED, now=NOW)
    assert again.counts == {}
    after = (
        InfoRequest.objects.count(),
        InfoRequestEvent.objects.count(),
        Challenge.objects.count(),
    )
    assert after == before and AnnualReport.objects.count() == 1


def test_same_seed_same_requests(platform):
    def planned():
        ctx = Context(seed=SEED, now=NOW)
        planner = Planner(ctx)
        plans = [p for spec in specs_make(ctx) if (p := planner.plan(spec)) is not None]
        return [
            (p.request.tracking_code, p.request.unit_id, p.request.status, p.request.outcome)
            for p in plans
        ]

    assert planned() == planned()


def test_a_platform_missing_most_units(geo, personas, calendar_2026):
    """The tests' tiny geography: of the units asked, only 五津街道's office and 新津区教育局.
    What can be made is made, and a second run adds nothing."""
    calendar_load_year(year=2025, actor=None)
    first = demo.demo_load(seed=SEED, now=NOW)
    units = set(InfoRequest.objects.values_list("unit__name", flat=True))
    assert units == {"新津区五津街道办事处", "新津区教育局"}
    assert first.counts["info_requests"] > 300
    assert first.counts["annual_reports"] == 0 and not AnnualReport.objects.exists()
    assert demo.demo_is_loaded()
    count = InfoRequest.objects.count()
    demo.demo_load(seed=SEED, now=NOW)
    assert InfoRequest.objects.count() == count


def test_a_platform_without_units_gets_nothing(db):
    result = demo.demo_load(seed=SEED, now=NOW)
    assert result.counts == {} and not InfoRequest.objects.exists()
    assert not demo.demo_is_loaded()
