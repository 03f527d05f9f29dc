"""The demo's letters keep every rule the mailbox services keep, on a handful of units."""

import datetime as dt
import re
import zoneinfo
from collections import Counter

import pytest
from django.utils import timezone

from mailbox import demo, services
from mailbox.demo.context import Context
from mailbox.demo.plan import letters_plan
from mailbox.models import EventKind, Letter, LetterEvent, LetterStatus
from mailbox.models.letters import OPEN_STATUSES
from portal import identity
from portal.models import Membership, MembershipRole, SupervisorScope
from portal.workdays import add_working_days, end_of_day

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 27, 18, 30, tzinfo=SH)
# The status each step leaves a letter in; rated, extended and reminded change none.
STATUS_AFTER = {
    EventKind.RECEIVED: LetterStatus.RECEIVED,
    EventKind.TRANSFERRED: LetterStatus.TRANSFERRED,
    EventKind.ACCEPTED: LetterStatus.ACCEPTED,
    EventKind.REJECTED: LetterStatus.REJECTED,
    EventKind.REPLIED: LetterStatus.REPLIED,
    EventKind.CLOSED: LetterStatus.CLOSED,
    EventKind.REOPENED: LetterStatus.ACCEPTED,
}


def units(geo):
    return [
        geo.village_committee,
        geo.township_office,
        geo.county_bureau,
        geo.other_county_bureau,
        geo.other_village_committee,
    ]


@pytest.fixture
def letters(geo, personas, calendar_2026):
    demo.letters_generate(seed=7, count=240, units=units(geo), now=NOW)
    return list(Letter.objects.prefetch_related("events").order_by("id"))


def test_deadlines_are_the_services_own(letters):
    for letter in letters:
        events = list(letter.events.all())
        first_due, _provisional = services.due_after(letter.received_at)
        assert events[0].kind == EventKind.RECEIVED and events[0].due_at == first_due
        if letter.reopened:
            reopened = [e for e in events if e.kind == EventKind.REOPENED][-1]
            assert letter.due_at == services.due_after(reopened.at)[0]
        elif letter.extended:
            # letter_extend's rule: the given number of working days after the deadline.
            extension = next(e for e in events if e.kind == EventKind.EXTENDED)
            extended = [end_of_day(add_working_days(first_due, n).date) for n in (5, 10)]
            assert letter.due_at == extension.due_at and letter.due_at in extended
        else:
            assert letter.due_at == first_due
        assert letter.due_is_provisional is False


def test_events_are_in_order_and_match_the_status(letters, personas):
    handlers = set(
        Membership.objects.filter(
            role__in=[MembershipRole.EDITOR, MembershipRole.ADMIN]
        ).values_list("unit_id", "user_id")
    )
    supervisors = set(SupervisorScope.objects.values_list("user_id", flat=True))
    for letter in letters:
        events = list(letter.events.all())
        times = [e.at for e in events]
        assert times == sorted(times)
        assert times[0] == letter.received_at and times[-1] <= NOW
        status = None
        for event in events:
            status = STATUS_AFTER.get(event.kind, status)
            if event.kind in (EventKind.ACCEPTED, EventKind.REPLIED, EventKind.REJECTED):
                assert event.actor_id is None or (event.unit_id, event.actor_id) in handlers
            if event.kind == EventKind.EXTENDED:
                assert event.actor_id is None or event.actor_id in supervisors
        assert letter.status == status
        kinds = [e.kind for e in events]
        replies = [e for e in events if e.kind == EventKind.REPLIED]
        if letter.status in (LetterStatus.REPLIED, LetterStatus.CLOSED):
            assert letter.replied_at == replies[-1].at and letter.reply == replies[-1].note
            assert letter.reply_unit_id == letter.unit_id and letter.reply.startswith("您好")
        if letter.status == LetterStatus.CLOSED:
            assert kinds[-2:] == [EventKind.RATED, EventKind.CLOSED] and letter.rating
            assert letter.closed_at == events[-1].at == letter.rated_at
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


def test_every_state_is_there(letters, geo):
    assert any(lt.first_unit_id != lt.unit_id for lt in letters)
    assert any(letter.reopened for letter in letters)
    overdue = [lt for lt in letters if lt.status in OPEN_STATUSES and lt.due_at < NOW]
    assert overdue
    pinggang = [lt for lt in letters if lt.unit_id == geo.village_committee.pk]
    assert len(pinggang) >= 15
    assert any(lt in overdue for lt in pinggang)
    published = [
        lt
        for lt in pinggang
        if lt.publish_consent and lt.status in (LetterStatus.REPLIED, LetterStatus.CLOSED)
    ]
    assert len(published) >= 3


def test_the_writer_is_synthetic_but_well_formed(letters):
    id_pattern = re.compile(r"^\d{6}\*{8}[\dX]{4}$")
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
            assert id_pattern.match(letter.id_number_masked)
            assert len(letter.id_number_hash) == 64
        assert not letter.email or letter.email.split("@")[1].startswith("example.")
        # Two to five sentences, a greeting aside (an ask may be two short questions).
        body = re.sub(r"^(您好|领导您好)[！，]", "", letter.body)
        assert 2 <= len(re.findall(r"[。！？]", body)) <= 6
    # No full ID number anywhere: not in the letters, not in their steps.
    texts = [str(v) for row in Letter.objects.values() for v in row.values()]
    texts += [str(v) for row in LetterEvent.objects.values() for v in row.values()]
    assert not any(identity.ID_NUMBER_IN_TEXT.search(text) for text in texts)


def test_same_seed_same_letters(geo, personas, calendar_2026):
    def keys(seed):
        ctx = Context(now=NOW, units=units(geo))
        return [plan.key() for plan in letters_plan(ctx, seed=seed, count=60)]

    assert keys(3) == keys(3)
    assert keys(3) != keys(4)


def test_shares_are_realistic(geo, personas, calendar_2026):
    plans = letters_plan(Context(now=NOW, units=units(geo)), seed=11, count=1500)
    statuses = Counter(plan.letter.status for plan in plans)
    # Waiting at the unit it was transferred to: too rare to count on in five units.
    assert set(statuses) >= set(LetterStatus.values) - {LetterStatus.TRANSFERRED}
    answered = statuses[LetterStatus.REPLIED] + statuses[LetterStatus.CLOSED]
    assert 0.78 < answered / len(plans) < 0.92
    assert 0.02 < statuses[LetterStatus.REJECTED] / len(plans) < 0.08
    types = Counter(plan.letter.type for plan in plans)
    assert types.most_common(1)[0][0] == "consult"
    received = [timezone.localdate(plan.letter.received_at) for plan in plans]
    assert min(received) >= demo.FIRST_DAY and max(received) <= demo.LAST_DAY


def test_demo_is_loaded_once(geo, personas, calendar_2026):
    assert not demo.demo_is_loaded()
    first = demo.demo_load(seed=5, count=80, now=NOW)
    assert first.letters_created == 80 and demo.demo_is_loaded()
    again = demo.demo_load(seed=5, count=80, now=NOW)
    assert again.letters_created == 0 and Letter.objects.count() == 80
