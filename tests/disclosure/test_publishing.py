import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from disclosure import services
from disclosure.models import Record, RecordKind, RecordStatus, RecordVersion, ScheduleKind, Scope
from portal.models import AuditEntry, MembershipRole
from portal.services import people
from portal.services.errors import DomainError
from tests.disclosure.conftest import item_of, publish
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(geo, personas):
    user = UserFactory(username="village_reviewer")
    people.membership_grant(
        user=user,
        unit=geo.village_committee,
        role=MembershipRole.REVIEWER,
        actor=personas.platform_admin,
    )
    return user


def draft(geo, personas, **extra):
    item = item_of(geo.village_committee, kind=ScheduleKind.ON_CHANGE)
    return services.record_create(
        unit=geo.village_committee,
        item=item,
        title="关于平岗社区道路改造的公示",
        body="<p>改造<script>alert(1)</script>长度800米。</p><a href='javascript:x'>链接</a>",
        info_date=dt.date(2026, 11, 2),
        actor=personas.village_official,
        **extra,
    )


def test_body_is_sanitised_and_audit_written(catalog, geo, personas):
    record = draft(geo, personas)
    assert "<script>" not in record.body and "javascript:" not in record.body
    assert "长度800米" in record.body
    assert AuditEntry.objects.filter(action="create", object_id=str(record.pk)).exists()


def test_review_by_a_second_person(catalog, geo, personas, reviewer):
    record = draft(geo, personas)
    record = services.record_submit(record=record, actor=personas.village_official)
    assert record.status == RecordStatus.IN_REVIEW
    with pytest.raises(DomainError):  # the author may not approve their own draft
        services.record_approve(record=record, actor=personas.village_official)
    with pytest.raises(DomainError):  # nor may an outsider
        services.record_approve(record=record, actor=personas.other_county_official)
    record = services.record_approve(record=record, actor=reviewer)
    assert record.status == RecordStatus.PUBLISHED and record.reviewer == reviewer
    assert record.published_at is not None


def test_returned_draft_needs_a_note(catalog, geo, personas, reviewer):
    record = services.record_submit(record=draft(geo, personas), actor=personas.village_official)
    with pytest.raises(DomainError):
        services.record_return(record=record, actor=reviewer, note=" ")
    record = services.record_return(record=record, actor=reviewer, note="请补充工程预算")
    assert record.status == RecordStatus.DRAFT and record.review_note == "请补充工程预算"


def test_no_review_setting_publishes_at_once(catalog, geo, personas):
    record = publish(geo.village_committee, personas.village_official, title="直接发布")
    assert record.status == RecordStatus.PUBLISHED


def test_edit_after_publication_keeps_the_old_version(catalog, geo, personas):
    record = publish(geo.village_committee, personas.village_official, title="第一版标题")
    with pytest.raises(ValidationError) as info:
        services.record_update(record=record, actor=personas.village_official, title="第二版标题")
    assert "change_note" in info.value.message_dict
    record = services.record_update(
        record=record, actor=personas.village_official, title="第二版标题", change_note="更正标题"
    )
    assert record.version == 2
    old = RecordVersion.objects.get(record=record)
    assert old.version == 1 and old.title == "第一版标题" and old.change_note == "更正标题"


def test_withdraw_needs_a_public_reason(catalog, geo, personas):
    record = publish(geo.village_committee, personas.village_official, title="将被撤回")
    with pytest.raises(DomainError):
        services.record_withdraw(record=record, actor=personas.village_official, reason="")
    record = services.record_withdraw(
        record=record, actor=personas.village_official, reason="数据有误，更正后重新发布"
    )
    assert record.status == RecordStatus.WITHDRAWN
    assert Record.objects.filter(pk=record.pk).exists()  # never deleted


def test_only_the_units_officials_publish_and_only_its_catalog(catalog, geo, personas):
    item = item_of(geo.village_committee)
    with pytest.raises(DomainError):
        services.record_create(
            unit=geo.village_committee,
            item=item,
            title="越权",
            info_date=dt.date(2026, 11, 2),
            actor=personas.other_county_official,
        )
    township_item = item_of(geo.township_office)
    with pytest.raises(ValidationError) as info:
        services.record_create(
            unit=geo.village_committee,
            item=township_item,
            title="错目录",
            info_date=dt.date(2026, 11, 2),
            actor=personas.village_official,
        )
    assert "item" in info.value.message_dict
    assert not Record.objects.exists()


def test_periodic_items_need_an_aligned_period(catalog, geo, personas):
    item = item_of(geo.village_committee, kind=ScheduleKind.QUARTERLY)
    base = {
        "unit": geo.village_committee,
        "item": item,
        "title": "季度公开",
        "info_date": dt.date(2026, 10, 8),
        "actor": personas.village_official,
    }
    with pytest.raises(ValidationError) as info:
        services.record_create(**base)
    assert "period_start" in info.value.message_dict
    with pytest.raises(ValidationError):
        services.record_create(**base, period_start=dt.date(2026, 8, 1))
    record = services.record_create(**base, period_start=dt.date(2026, 7, 1))
    assert record.period_end == dt.date(2026, 9, 30)


def test_scope_must_fit_the_unit(catalog, geo, personas, school):
    with pytest.raises(ValidationError) as info:
        draft(geo, personas, scope=Scope.PARENTS)
    assert "scope" in info.value.message_dict
    assert draft(geo, personas, scope=Scope.RESIDENTS).scope == Scope.RESIDENTS


def test_policy_chain_points_at_a_published_policy(catalog, geo, personas):
    unit = geo.village_committee
    policy = publish(
        unit, personas.village_official, title="平岗社区居民公约（修订）", kind=RecordKind.POLICY
    )
    with pytest.raises(ValidationError):
        publish(unit, personas.village_official, title="解读", kind=RecordKind.INTERPRETATION)
    reading = publish(
        unit,
        personas.village_official,
        title="图解：平岗社区居民公约",
        kind=RecordKind.INTERPRETATION,
        policy=policy,
        interpretation_form="graphic",
    )
    assert reading.policy == policy


def test_attachments_are_checked_by_content(catalog, geo, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    record = draft(geo, personas)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    attachment = services.attachment_add(
        record=record, name="预算表.pdf", data=pdf, actor=personas.village_official
    )
    assert attachment.content_type == "application/pdf"
    with pytest.raises(ValidationError):  # an executable renamed .pdf
        services.attachment_add(
            record=record,
            name="evil.pdf",
            data=b"MZ\x90\x00" + b"\x00" * 100,
            actor=personas.village_official,
        )
    settings.DISCLOSURE_MAX_ATTACHMENT_BYTES = 10
    with pytest.raises(ValidationError):
        services.attachment_add(
            record=record, name="big.pdf", data=pdf, actor=personas.village_official
        )
    assert record.attachments.count() == 1
