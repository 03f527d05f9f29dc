"""The letters of the scale loader (mailbox.scale) on the village slice of the city, at a
tiny volume: they keep the services' rules (deadlines, statuses, transfers, hashes), the
overdue ones really are overdue, the same seed gives the same letters, and the
supervisors' dashboard renders on them."""

import datetime as dt
import re
import zoneinfo
from collections import Counter

import pytest
from django.db import transaction

from mailbox import scale, services
from mailbox.models import EventKind, Letter, LetterEvent, LetterStatus
from mailbox.models.letters import OPEN_STATUSES
from portal import identity
from portal.models import AuditEntry, User
from portal.scale import Preset, ScaleContext
from portal.scale.base import base_load
from portal.workdays import add_working_days, end_of_day

pytestmark = pytest.mark.django_db

SEED = 2026
TODAY = dt.date(2026, 11, 20)
NOW = dt.datetime.combine(TODAY, dt.time(), tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
# 100,000 × 0.003 = 300 letters over five years.
TINY = Preset("tiny", 0.003, "测试用")
STATUS_AFTER = {
    EventKind.RECEIVED: LetterStatus.RECEIVED,
    EventKind.TRANSFERRED: LetterStatus.TRANSFERRED,
    EventKind.ACCEPTED: LetterStatus.ACCEPTED,
    EventKind.REJECTED: LetterStatus.REJECTED,
    EventKind.REPLIED: LetterStatus.REPLIED,
    EventKind.CLOSED: LetterStatus.CLOSED,
    EventKind.REOPENED: LetterStatus.ACCEPTED,
}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The village slice and its letters, once for the module, rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        base_load("village", seed=SEED)
        ctx = ScaleContext(preset=TINY, seed=SEED, today=TODAY)
        counts = scale.scale_load(ctx)
        yield ctx, counts
        transaction.set_rollback(True)


@pytest.fixture
def letters(loaded):
    return list(Letter.objects.prefetch_related("events").select_related("unit").order_by("id"))


def test_counts_are_what_was_written(loaded, letters):
    ctx, counts = loaded
    assert counts["letters"] == len(letters) == ctx.count("letters") == 300
    assert counts["letter_events"] == LetterEvent.objects.count()
    statuses = Counter(letter.status for letter in letters)
    for status, number in statuses.items():
        assert counts[f"letters_{status}"] == number
    assert AuditEntry.objects.filter(note__contains="批量创建来信").count() == 1
    # Spread over the five years, growing, none after the data's end.
    received = [letter.received_at for letter in letters]
    assert min(received) >= NOW - dt.timedelta(days=5 * 366) and max(received) < NOW
    assert received == sorted(received)  # ids follow time


def test_deadlines_are_the_services_own(letters):
    for letter in letters:
        events = list(letter.events.all())
        due, provisional = services.due_after(letter.received_at)
        assert events[0].kind == EventKind.RECEIVED and events[0].due_at == due
        if letter.reopened:
            reopened = [e for e in events if e.kind == EventKind.REOPENED][-1]
            assert (letter.due_at, letter.due_is_provisional) == services.due_after(reopened.at)
        elif letter.extended:
            # letter_extend: the given number of working days after the deadline's day.
            extension = next(e for e in events if e.kind == EventKind.EXTENDED)
            choices = [end_of_day(add_working_days(due, n).date) for n in (5, 10)]
            assert letter.due_at == extension.due_at and letter.due_at in choices
        else:
            assert (letter.due_at, letter.due_is_provisional) == (due, provisional)


def test_events_are_in_order_and_make_the_row(letters):
    for letter in letters:
        events = list(letter.events.all())
        times = [e.at for e in events]
        assert times == sorted(times) and times[0] == letter.received_at and times[-1] <= NOW
        status = None
        for event in events:
            status = STATUS_AFTER.get(event.kind, status)
        assert letter.status == status
        replies = [e for e in events if e.kind == EventKind.REPLIED]
        if letter.status in (LetterStatus.REPLIED, LetterStatus.CLOSED):
            assert letter.replied_at == replies[-1].at and letter.reply == replies[-1].note
            assert letter.reply_unit_id == letter.unit_id and letter.reply.startswith("您好")
        if letter.status == LetterStatus.CLOSED:
            assert [e.kind for e in events][-2:] == [EventKind.RATED, EventKind.CLOSED]
            assert letter.rating and letter.closed_at == letter.rated_at == events[-1].at
        if letter.status == LetterStatus.REJECTED:
            assert letter.reject_reason and letter.closed_at == events[-1].at
        if letter.status in OPEN_STATUSES and not letter.reopened:
            assert not replies and letter.replied_at is None
        transfers = [e for e in events if e.kind == EventKind.TRANSFERRED]
        if transfers:
            assert transfers[0].unit_id == letter.first_unit_id != letter.unit_id
            assert transfers[-1].to_unit_id == letter.unit_id
        else:
            assert letter.unit_id == letter.first_unit_id
        assert letter.region_id == letter.unit.region_id


def _open_and_overdue(letters, counts, today):
    now = dt.datetime.combine(today, dt.time(), tzinfo=NOW.tzinfo)
    open_letters = [letter for letter in letters if letter.status in OPEN_STATUSES]
    overdue = [letter for letter in open_letters if letter.due_at < now]
    assert counts["letters_open"] == len(open_letters)
    assert counts["letters_overdue"] == len(overdue)
    for letter in overdue:
        # Really overdue on the data's last day: the deadline ended before it began,
        # and the reminder scan has said so once it ran (early on the next working day).
        assert letter.due_at.date() < today
        assert now - letter.received_at < dt.timedelta(days=scale.STUCK_DAYS + 60)
        if add_working_days(letter.due_at, 1).date < today:
            assert any(e.kind == EventKind.REMINDED for e in letter.events.all())
    for letter in open_letters:
        assert letter.replied_at is None or letter.reopened
    return overdue


def test_open_letters_and_overdue_ones(loaded, letters):
    _ctx, counts = loaded
    _open_and_overdue(letters, counts, TODAY)
    # Answered letters are mostly on time.
    answered = [letter for letter in letters if letter.replied_at is not None]
    late = [
        letter
        for letter in answered
        if next(e for e in letter.events.all() if e.kind == EventKind.REPLIED).at
        > letter.events.all()[0].due_at
    ]
    assert counts["letters_answered_late"] == len(late) < len(answered) * 0.3


def test_recent_letters_left_open_are_overdue(loaded):
    """Six weeks of a busy mailbox: the letters answered late or never are open and
    overdue at the end, the others answered or still within their five working days."""
    ctx, _counts = loaded
    with transaction.atomic():
        Letter.objects.all().delete()
        counts = scale.letters_bulk(
            count=600, rng=ctx.rng("recent"), first_day=TODAY - dt.timedelta(days=42), today=TODAY
        )
        letters = list(Letter.objects.prefetch_related("events").order_by("id"))
        assert _open_and_overdue(letters, counts, TODAY)
        transaction.set_rollback(True)


def test_every_tier_writes_and_every_state_is_there(letters):
    tiers = Counter(len(letter.first_unit.region_id.rstrip("0")) for letter in letters)
    assert len(tiers) >= 3  # the slice's city, county, townships and villages
    assert set(Counter(letter.status for letter in letters)) >= {
        LetterStatus.REPLIED,
        LetterStatus.CLOSED,
        LetterStatus.REJECTED,
    }
    assert any(letter.first_unit_id != letter.unit_id for letter in letters)
    assert any(letter.rating for letter in letters)


def test_the_writer_is_synthetic_but_well_formed(letters):
    masked = re.compile(r"^\d{6}\*{8}[\dX]{4}$")
    for letter in letters:
        assert identity.validate_phone(letter.phone) == letter.phone
        assert letter.phone_hash == identity.phone_hash(letter.phone)
        assert letter.content_hash == services._content_hash(
            letter.first_unit_id, letter.type, letter.subject, letter.body
        )
        assert re.fullmatch(r"[A-HJKMNP-Z2-9]{10}", letter.tracking_code)
        assert re.fullmatch(r"\d{6}", letter.query_code)
        assert bool(letter.id_number_hash) == bool(letter.id_number_masked)
        if letter.id_number_masked:
            assert masked.match(letter.id_number_masked) and len(letter.id_number_hash) == 64
    texts = [str(v) for row in Letter.objects.values() for v in row.values()]
    assert not any(identity.ID_NUMBER_IN_TEXT.search(text) for text in texts)


def test_same_seed_same_letters(loaded):
    ctx, _counts = loaded

    def rows():
        return list(
            Letter.objects.order_by("received_at", "tracking_code").values_list(
                "tracking_code", "first_unit_id", "unit_id", "subject", "body", "writer_name",
                "status", "received_at", "due_at", "replied_at", "reply", "rating",
            )
        )  # fmt: skip

    first = rows()
    with transaction.atomic():
        Letter.objects.all().delete()
        scale.letters_bulk(
            count=ctx.count("letters"),
            rng=ctx.rng("letters"),
            first_day=ctx.first_day,
            today=ctx.today,
        )
        assert rows() == first
        transaction.set_rollback(True)


def test_supervisors_dashboard_renders(loaded, client, django_assert_max_num_queries):
    client.force_login(User.objects.get(username="city_supervisor"))
    with django_assert_max_num_queries(40):
        response = client.get("/supervision/letters/", {"region": "510100000000"})
    assert response.status_code == 200
    assert "新津区" in response.content.decode()
    county = client.get("/supervision/letters/", {"region": "510118000000"})
    assert county.status_code == 200
