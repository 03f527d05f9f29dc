"""The requests for information of the scale loader (disclosure.requests.scale) on the
village slice of the city, at a tiny volume: deadlines are the requests' own rule on the
calendar, histories match the status, personal data is only masked or hashed, the same
seed plans the same requests, and the last completed year's annual reports of the county
bodies asked are published and render."""

import datetime as dt
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from disclosure.models import (
    AnnualReport,
    AnnualReportStatus,
    ApplicantType,
    Challenge,
    InfoRequest,
    InfoRequestEvent,
    InfoRequestEventKind,
    InfoRequestStatus,
    Outcome,
    RecordStatus,
)
from disclosure.requests import deadlines, scale
from portal import identity
from portal.demo.geography import XINJIN_CODE
from portal.models import AuditEntry, Unit, User
from portal.scale import Preset, ScaleContext
from portal.scale.base import base_load

pytestmark = pytest.mark.django_db

SEED = 2026
TODAY = dt.date(2026, 11, 20)
NOW = dt.datetime.combine(TODAY, dt.time(), tzinfo=ZoneInfo("Asia/Shanghai"))
# 50,000 × 0.01 = 500 requests over five years (the village preset's volume).
TINY = Preset("tiny", 0.01, "测试用")
Status = InfoRequestStatus
Kind = InfoRequestEventKind
FINISHED = (Status.REPLIED, Status.CLOSED)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The village slice and its requests, once for the module, rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        base_load("village", seed=SEED)
        ctx = ScaleContext(preset=TINY, seed=SEED, today=TODAY)
        counts = scale.scale_load(ctx)
        yield ctx, counts
        transaction.set_rollback(True)


def test_counts_and_recipients(loaded):
    ctx, counts = loaded
    requests = InfoRequest.objects.select_related("unit")
    assert counts["info_requests"] == requests.count() == ctx.count("info_requests") == 500
    assert counts["info_request_events"] == InfoRequestEvent.objects.count()
    assert counts["info_request_challenges"] == Challenge.objects.count() > 0
    statuses = Counter(requests.values_list("status", flat=True))
    for status in Status:
        assert counts[f"info_requests_{status}"] == statuses.get(status, 0)
    kinds = Counter(r.unit.kind for r in requests)
    # Governments and departments of the county and the city, and the township offices.
    assert {"government", "department", "township_office"} <= set(kinds)
    received = [r.submitted_at for r in requests]
    assert min(received) >= NOW - dt.timedelta(days=5 * 366) and max(received) < NOW
    assert AuditEntry.objects.filter(note__contains="依申请公开").count() == 1


def test_outcomes_only_on_finished_requests(loaded):
    for r in InfoRequest.objects.all():
        assert bool(r.outcome) == (r.status in FINISHED), r.tracking_code
        assert (r.replied_at is not None) == (r.status == Status.REPLIED)
        assert (r.closed_at is not None) == (r.status == Status.CLOSED)
        assert (r.received_on is None) == (r.status == Status.PENDING)
    outcomes = Counter(InfoRequest.objects.values_list("outcome", flat=True))
    assert outcomes.most_common(2)[0][0] in (Outcome.PUBLIC, Outcome.UNABLE_NOT_HELD)


def test_due_dates_are_the_requests_rule_on_the_calendar(loaded):
    for r in InfoRequest.objects.prefetch_related("consultations"):
        if r.status in (Status.PENDING, Status.CORRECTION) or (
            r.status == Status.CLOSED and r.outcome == Outcome.OTHER_UNCORRECTED
        ):
            assert r.due_on is None and not r.due_is_provisional, r.tracking_code
            continue
        paused = deadlines.paused_working_days(r.consultations.all(), TODAY, since=r.received_on)
        expected = deadlines.due_date(
            received_on=r.received_on, extension_days=r.extension_days, paused_days=paused
        )
        assert (r.due_on, r.due_is_provisional) == expected, r.tracking_code
        if r.correction_sent_at is not None:
            sent = r.correction_sent_at.astimezone(NOW.tzinfo).date()
            assert r.correction_due_on == deadlines.correction_due(sent)[0]


def test_histories_match_the_status(loaded):
    events: dict[int, list[InfoRequestEvent]] = {}
    for event in InfoRequestEvent.objects.order_by("request_id", "at", "id"):
        events.setdefault(event.request_id, []).append(event)
    for r in InfoRequest.objects.all():
        history = events[r.pk]
        kinds = [e.kind for e in history]
        moments = [e.at for e in history]
        assert moments == sorted(moments) and moments[-1] <= NOW, r.tracking_code
        assert kinds[0] == Kind.SUBMITTED and history[0].at == r.submitted_at
        assert (Kind.RECEIVED in kinds) == (r.status != Status.PENDING)
        assert (Kind.EXTENDED in kinds) == (r.extension_days > 0)
        assert kinds.count(Kind.REPLIED) == (r.status == Status.REPLIED)
        if r.status == Status.REPLIED:
            assert history[-1].at == r.replied_at
            assert history[-1].note == Outcome(r.outcome).label


def test_open_and_overdue_requests(loaded):
    _ctx, counts = loaded
    still_open = InfoRequest.objects.exclude(status__in=FINISHED)
    overdue = still_open.exclude(due_on=None).filter(due_on__lt=TODAY)
    assert counts["info_requests_overdue"] == overdue.count()
    for r in overdue:
        assert r.due_on < TODAY and r.replied_at is None


def test_personal_data_only_masked_or_hashed(loaded):
    for r in InfoRequest.objects.all():
        assert r.phone_hash == identity.phone_hash(r.phone)
        if r.applicant_type == ApplicantType.NATURAL_PERSON:
            assert re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", r.id_number_masked)
            assert re.fullmatch(r"[0-9a-f]{64}", r.id_number_hash)
        else:
            assert not r.id_number_hash and not r.id_number_masked
    texts = [str(v) for row in InfoRequest.objects.values() for v in row.values()]
    assert not any(identity.ID_NUMBER_IN_TEXT.search(text) for text in texts)


def test_same_seed_same_requests(loaded):
    ctx, _counts = loaded

    def keys(seed: int) -> list[tuple]:
        _city, plans = scale.requests_plan(
            count=60,
            rng=ctx.rng(f"again:{seed}"),
            seed=ctx.seed,
            first_day=ctx.first_day,
            today=ctx.today,
        )
        return [
            (p.request.tracking_code, p.request.unit_id, p.request.description,
             p.request.status, p.request.due_on, [(e.kind, e.at) for e in p.events])
            for p in plans
        ]  # fmt: skip

    assert keys(1) == keys(1)
    assert keys(1) != keys(2)


def test_last_years_reports_of_the_county_bodies_asked(loaded, client):
    year = TODAY.year - 1
    reports = AnnualReport.objects.filter(year=year).select_related("unit", "record")
    assert loaded[1]["annual_reports"] == reports.count() > 0
    for report in reports:
        assert report.status == AnnualReportStatus.PUBLISHED
        assert report.record.status == RecordStatus.PUBLISHED
        assert report.unit.region_id == XINJIN_CODE
        assert report.tables["table3"]["check_holds"]
    department = reports.filter(unit__kind="department").first()
    assert department is not None
    response = client.get(f"/annual-reports/{department.unit_id}/{year}/")
    assert response.status_code == 200
    assert department.unit.name in response.content.decode()


def test_a_draft_report_renders_for_the_supervisor(loaded, client):
    """A department without a published report: its officials and the supervisors of its
    place see the live figures (the city supervisor here); the public sees nothing."""
    year = TODAY.year - 1
    unit = Unit.objects.filter(kind="department", region_id=XINJIN_CODE).exclude(
        annual_reports__year=year
    )[0]
    assert client.get(f"/annual-reports/{unit.pk}/{year}/").status_code == 404
    client.force_login(User.objects.get(username="city_supervisor"))
    assert client.get(f"/annual-reports/{unit.pk}/{year}/").status_code == 200
