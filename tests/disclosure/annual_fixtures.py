"""Builders and fixtures for the annual report's tests: requests, challenges and records
placed at given dates. Requests and challenges are rows as the requests services leave
them (the tests are about counting, not the request workflow); records go through the
disclosure services and are then moved to the year a test needs. Import a `*_fixture`
function into a test module to use the fixture it names."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from disclosure import services as disclosure
from disclosure.models import (
    ApplicantType,
    Challenge,
    InfoRequest,
    InfoRequestEvent,
    InfoRequestEventKind,
    InfoRequestStatus,
    PublishingSetting,
    Record,
    RecordKind,
    RequestChannel,
)
from portal import identity
from portal.models import MembershipRole, Unit, UnitKind
from portal.services import people
from tests.disclosure.conftest import item_of
from tests.factories import UnitFactory, UserFactory

_codes = itertools.count(1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """An instant on `day`, Beijing time."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())


def make_request(
    unit: Unit,
    *,
    received: dt.date,
    applicant_type: str = ApplicantType.NATURAL_PERSON,
    replied: dt.date | None = None,
    outcome: str = "",
    closed: dt.date | None = None,
    correction_sent: dt.date | None = None,
    corrected: dt.date | None = None,
    fee: Decimal | int = 0,
    status: str | None = None,
    channel: str = RequestChannel.ONLINE,
    submitted: dt.date | None = None,
    registered: dt.date | None = None,
) -> InfoRequest:
    """A request first received on `received`. With `corrected`, its receipt date moved to
    that day (the clock restarts from the corrected application), as the services do. A
    paper application (`channel`) may be `submitted` (posted) before it was received and
    `registered` on the portal after."""
    if status is None:
        if replied:
            status = InfoRequestStatus.REPLIED
        elif closed:
            status = InfoRequestStatus.CLOSED
        elif correction_sent and not corrected:
            status = InfoRequestStatus.CORRECTION
        else:
            status = InfoRequestStatus.PROCESSING
    n = next(_codes)
    phone = f"1380000{n % 10000:04d}"
    request = InfoRequest.objects.create(
        tracking_code=f"T{n:09d}",
        query_code="123456",
        unit=unit,
        region_id=unit.region_id,
        applicant_type=applicant_type,
        applicant_name="张三" if applicant_type == ApplicantType.NATURAL_PERSON else "某公司",
        phone=phone,
        phone_hash=identity.phone_hash(phone),
        description="请公开某项目的批复文件",
        delivery="email",
        channel=channel,
        submitted_at=at(submitted or received),
        received_on=corrected or received,
        status=status,
        outcome=outcome,
        replied_at=at(replied) if replied else None,
        closed_at=at(closed) if closed else None,
        correction_sent_at=at(correction_sent) if correction_sent else None,
        correction_notice="请说明所需信息的文号" if correction_sent else "",
        corrected_at=at(corrected) if corrected else None,
        fee_amount=Decimal(fee),
    )
    InfoRequestEvent.objects.create(
        request=request, kind=InfoRequestEventKind.SUBMITTED, at=at(submitted or received)
    )
    if status != InfoRequestStatus.PENDING:
        InfoRequestEvent.objects.create(
            request=request, kind=InfoRequestEventKind.RECEIVED, at=at(registered or received)
        )
    if corrected:
        InfoRequestEvent.objects.create(
            request=request, kind=InfoRequestEventKind.CORRECTED, at=at(corrected)
        )
    return request


def make_challenge(
    unit: Unit,
    *,
    kind: str,
    filed: dt.date,
    result: str = "pending",
    decided: dt.date | None = None,
) -> Challenge:
    return Challenge.objects.create(
        unit=unit, kind=kind, filed_on=filed, result=result, decided_on=decided
    )


def publish_record(
    unit: Unit,
    actor,
    *,
    title: str,
    item=None,
    text: str = "",
    kind: str = RecordKind.ORDINARY,
    document_number: str = "",
    published: dt.date | None = None,
) -> Record:
    """A record published through the services, then dated `published` (records can only
    be published today; the tests need other years)."""
    PublishingSetting.objects.update_or_create(unit=unit, defaults={"requires_review": False})
    item = item or item_of(unit, text=text)
    assert item is not None, f"no item with {text!r} in the catalog of {unit}"
    extra = {"period_start": dt.date(2026, 1, 1)} if item.is_periodic else {}
    record = disclosure.record_create(
        unit=unit,
        item=item,
        title=title,
        body="<p>正文</p>",
        info_date=dt.date(2026, 1, 5),
        actor=actor,
        kind=kind,
        document_number=document_number,
        **extra,
    )
    record = disclosure.record_submit(record=record, actor=actor)
    if published:
        Record.objects.filter(pk=record.pk).update(published_at=at(published))
        record.refresh_from_db()
    return record


def withdraw(record: Record, actor, *, on: dt.date | None = None) -> Record:
    record = disclosure.record_withdraw(record=record, actor=actor, reason="已废止")
    if on:
        Record.objects.filter(pk=record.pk).update(withdrawn_at=at(on))
        record.refresh_from_db()
    return record


@pytest.fixture(name="market_bureau")
def market_bureau_fixture(geo, catalog):
    """A county department under the county department catalog (its item 8 is the
    combined 行政许可、行政处罚、行政强制事项及结果)."""
    return UnitFactory(
        name="新津区市场监督管理局", kind=UnitKind.DEPARTMENT, sector="market", region=geo.county
    )


@pytest.fixture(name="bureau_editor")
def bureau_editor_fixture(market_bureau, personas):
    user = UserFactory(username="market_editor", full_name="周敏")
    people.membership_grant(
        user=user, unit=market_bureau, role=MembershipRole.EDITOR, actor=personas.platform_admin
    )
    user.refresh_from_db()
    return user


@pytest.fixture(name="township_reviewer")
def township_reviewer_fixture(geo, personas):
    user = UserFactory(username="township_reviewer", full_name="吴芳")
    people.membership_grant(
        user=user,
        unit=geo.township_office,
        role=MembershipRole.REVIEWER,
        actor=personas.platform_admin,
    )
    user.refresh_from_db()
    return user
