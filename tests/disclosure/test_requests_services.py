"""Requests for information through the services: receipt by channel, the one
extension, the correction that restarts the clock (or closes the request), the third
party's pause, the reply, withdrawal, and what is stored of the applicant.

Calendar 2026: Mid-Autumn Festival Fri 25 September, National Day 1–7 October, Sunday
20 September and Saturday 10 October worked."""

import datetime as dt
import json
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from disclosure.models import (
    InfoRequest,
    InfoRequestEvent,
    InfoRequestStatus,
    Outcome,
)
from disclosure.requests import services
from portal.models import AuditEntry
from portal.ratelimit import RateLimited
from portal.services.errors import Conflict, NotAllowed
from portal.workdays import count_working_days
from tests.disclosure import requests_fixtures
from tests.disclosure.requests_fixtures import (
    ID_NUMBER,
    ORG_CODE,
    at,
    org_fields,
    person_fields,
    submit,
)

pytestmark = pytest.mark.django_db
ogi = requests_fixtures.ogi
D = dt.date
Status = InfoRequestStatus


def kinds(info_request):
    return list(
        InfoRequestEvent.objects.filter(request=info_request).values_list("kind", flat=True)
    )


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Filing and receipt -------------------------------------------------------------------


def test_online_request_is_received_the_day_it_is_submitted(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14, 16, 30))
    assert item.status == Status.PROCESSING
    assert item.received_on == D(2026, 9, 14)
    assert (item.due_on, item.due_is_provisional) == (D(2026, 10, 16), False)
    assert len(item.tracking_code) == 10 and item.query_code.isdigit()
    assert len(item.query_code) == 6
    assert item.region_id == ogi.unit.region_id
    assert kinds(item) == ["submitted", "received"]
    assert AuditEntry.objects.filter(object_id=str(item.pk), action="create").exists()


def test_receipt_date_is_the_local_date(ogi, calendar_2026):
    # 16:30 UTC is half past midnight in Shanghai: already the next day.
    item = submit(ogi.unit, dt.datetime(2026, 9, 13, 16, 30, tzinfo=dt.UTC))
    assert item.received_on == D(2026, 9, 14)


def test_id_number_is_kept_only_hashed_and_masked(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14))
    assert item.id_number_masked == "110105********002X"
    stored = json.dumps(list(InfoRequest.objects.filter(pk=item.pk).values())[0], default=str)
    assert ID_NUMBER not in stored
    trail = json.dumps(
        list(AuditEntry.objects.filter(object_id=str(item.pk)).values()), default=str
    )
    for personal in (ID_NUMBER, item.phone, item.applicant_name, item.address):
        assert personal not in trail


def test_organisation_gives_its_credit_code_and_contact(ogi, calendar_2026):
    item = services.info_request_submit(unit=ogi.unit, now=at(2026, 9, 14), **org_fields())
    assert (item.org_code, item.id_number_hash, item.contact_person) == (ORG_CODE, "", "李四")
    with pytest.raises(ValidationError) as excinfo:
        services.info_request_submit(
            unit=ogi.unit, now=at(2026, 9, 14), **org_fields(org_code="91510100MA61R6T76X")
        )
    assert "校验位" in errors_of(excinfo)["org_code"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.info_request_submit(
            unit=ogi.unit, now=at(2026, 9, 14), **org_fields(contact_person="", org_code="")
        )
    assert set(errors_of(excinfo)) == {"org_code", "contact_person"}


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"id_number": ""}, "id_number", "身份证号码"),
        ({"id_number": "110105194912310021"}, "id_number", "校验位"),
        ({"delivery": "email", "email": ""}, "email", "电子邮箱"),
        ({"delivery": "paper", "address": ""}, "address", "通信地址"),
        ({"description": "  "}, "description", "所需政府信息"),
        ({"phone": "12345"}, "phone", "手机号码"),
        ({"applicant_type": "robot"}, "applicant_type", "申请人类型"),
    ],
)
def test_bad_fields_are_named_in_chinese(ogi, calendar_2026, overrides, field, words):
    with pytest.raises(ValidationError) as excinfo:
        submit(ogi.unit, at(2026, 9, 14), **overrides)
    assert words in " ".join(errors_of(excinfo)[field])
    assert not InfoRequest.objects.exists()


def test_same_request_twice_returns_the_first(ogi, calendar_2026):
    fields = person_fields()
    first = services.info_request_submit(unit=ogi.unit, now=at(2026, 9, 14), **fields)
    again = services.info_request_submit(unit=ogi.unit, now=at(2026, 9, 14, 10, 5), **fields)
    assert again.pk == first.pk and InfoRequest.objects.count() == 1


def test_rate_limited_per_phone(ogi, calendar_2026, settings):
    settings.OGI_RATE_PER_PHONE = 2
    for n in range(2):
        submit(ogi.unit, at(2026, 9, 14), phone="13911112222", description=f"第{n}项")
    with pytest.raises(RateLimited):
        submit(ogi.unit, at(2026, 9, 14), phone="13911112222", description="第三项")


# --- Receipt by channel -------------------------------------------------------------------


def test_post_is_received_the_day_the_unit_signed_for_it(ogi, calendar_2026):
    item = services.info_request_submit(
        unit=ogi.unit, channel="post", now=at(2026, 9, 10), actor=ogi.editor, **person_fields()
    )
    assert (item.status, item.received_on, item.due_on) == (Status.PENDING, None, None)
    with pytest.raises(ValidationError) as excinfo:
        services.receipt_register(
            request=item, received_on=D(2026, 9, 16), actor=ogi.editor, now=at(2026, 9, 15)
        )
    assert "晚于今天" in errors_of(excinfo)["received_on"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.receipt_register(
            request=item, received_on=D(2026, 9, 9), actor=ogi.editor, now=at(2026, 9, 15)
        )
    assert "早于" in errors_of(excinfo)["received_on"][0]
    item = services.receipt_register(
        request=item, received_on=D(2026, 9, 14), actor=ogi.editor, now=at(2026, 9, 15)
    )
    assert (item.status, item.received_on) == (Status.PROCESSING, D(2026, 9, 14))
    assert item.due_on == D(2026, 10, 16)
    assert kinds(item) == ["submitted", "received"]
    with pytest.raises(Conflict):
        services.receipt_register(
            request=item, received_on=D(2026, 9, 14), actor=ogi.editor, now=at(2026, 9, 15)
        )


def test_only_the_unit_registers_paper_requests(ogi, calendar_2026):
    with pytest.raises(NotAllowed):
        services.info_request_submit(
            unit=ogi.unit, channel="in_person", now=at(2026, 9, 14), **person_fields()
        )
    item = services.info_request_submit(
        unit=ogi.unit, channel="in_person", now=at(2026, 9, 14), actor=ogi.admin, **person_fields()
    )
    with pytest.raises(NotAllowed):
        services.receipt_register(
            request=item, received_on=D(2026, 9, 14), actor=ogi.outsider, now=at(2026, 9, 14)
        )
    with pytest.raises(NotAllowed):
        services.receipt_register(
            request=item, received_on=D(2026, 9, 14), actor=ogi.reviewer, now=at(2026, 9, 14)
        )


# --- Extension ----------------------------------------------------------------------------


def test_extension_moves_the_due_date_by_exactly_n_working_days(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 2))
    assert item.due_on == D(2026, 9, 30)
    item = services.extension_grant(
        request=item, days=3, reason="需要调取档案", actor=ogi.reviewer, now=at(2026, 9, 28)
    )
    # 8, 9 and the make-up Saturday 10 October: the National Day week does not count.
    assert item.due_on == D(2026, 10, 10)
    assert count_working_days(D(2026, 9, 30), item.due_on).days == 3
    assert (item.extension_days, item.extension_reason) == (3, "需要调取档案")
    assert item.extension_approved_by == ogi.reviewer
    event = InfoRequestEvent.objects.get(request=item, kind="extended")
    assert "需要调取档案" in event.note and "2026-10-10" in event.note


def test_a_second_extension_is_refused(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 2))
    services.extension_grant(
        request=item, days=5, reason="量大", actor=ogi.admin, now=at(2026, 9, 20)
    )
    with pytest.raises(Conflict) as excinfo:
        services.extension_grant(
            request=item, days=1, reason="再延", actor=ogi.admin, now=at(2026, 9, 21)
        )
    assert "只能延长一次" in excinfo.value.messages[0]
    assert InfoRequest.objects.get(pk=item.pk).extension_days == 5


def test_an_editor_cannot_approve_an_extension(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 2))
    for person in (ogi.editor, ogi.outsider, ogi.supervisor):
        with pytest.raises(NotAllowed):
            services.extension_grant(
                request=item, days=3, reason="理由", actor=person, now=at(2026, 9, 20)
            )
    assert InfoRequest.objects.get(pk=item.pk).extension_days == 0


@pytest.mark.parametrize(
    ("days", "reason", "field"), [(0, "理由", "days"), (21, "理由", "days"), (5, " ", "reason")]
)
def test_extension_limits(ogi, calendar_2026, days, reason, field):
    item = submit(ogi.unit, at(2026, 9, 2))
    with pytest.raises(ValidationError) as excinfo:
        services.extension_grant(
            request=item, days=days, reason=reason, actor=ogi.reviewer, now=at(2026, 9, 20)
        )
    assert field in errors_of(excinfo)


def test_no_extension_after_the_due_date(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 2))
    with pytest.raises(Conflict):
        services.extension_grant(
            request=item, days=3, reason="理由", actor=ogi.reviewer, now=at(2026, 10, 8)
        )


# --- Correction ---------------------------------------------------------------------------


def test_correction_restarts_the_clock_from_the_corrected_application(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14))
    item = services.correction_notice_send(
        request=item, notice="请写明文件的年份和名称。", actor=ogi.editor, now=at(2026, 9, 22)
    )
    assert item.status == Status.CORRECTION
    assert (item.due_on, item.correction_due_on) == (None, D(2026, 10, 20))
    with pytest.raises(NotAllowed):
        services.correction_submit(
            request=item, corrected_description="2025年低保名单", query_code="000000"
        )
    item = services.correction_submit(
        request=item,
        corrected_description="2025年平岗社区低保对象名单",
        query_code=item.query_code,
        now=at(2026, 9, 29),
    )
    assert item.status == Status.PROCESSING
    assert item.received_on == D(2026, 9, 29)
    # 20 working days from the corrected application, not from the first one.
    assert item.due_on == D(2026, 11, 2)
    assert count_working_days(D(2026, 9, 29), item.due_on).days == 20
    assert kinds(item)[-2:] == ["correction_sent", "corrected"]


def test_one_notice_only_and_within_seven_working_days(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14))
    with pytest.raises(Conflict) as excinfo:
        services.correction_notice_send(
            request=item, notice="请补正", actor=ogi.editor, now=at(2026, 9, 23)
        )
    assert "7个工作日" in excinfo.value.messages[0] and "2026-09-22" in excinfo.value.messages[0]
    services.correction_notice_send(
        request=item, notice="请补正", actor=ogi.editor, now=at(2026, 9, 22)
    )
    services.correction_submit(
        request=item,
        corrected_description="补正内容",
        query_code=item.query_code,
        now=at(2026, 9, 23),
    )
    with pytest.raises(Conflict) as excinfo:
        services.correction_notice_send(
            request=item, notice="再补正", actor=ogi.editor, now=at(2026, 9, 24)
        )
    assert "只能发送一次" in excinfo.value.messages[0]


def test_the_owner_corrects_without_the_code(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14), user=ogi.personas.citizen)
    services.correction_notice_send(
        request=item, notice="请补正", actor=ogi.editor, now=at(2026, 9, 15)
    )
    with pytest.raises(NotAllowed):
        services.correction_submit(
            request=item,
            corrected_description="补正",
            actor=ogi.personas.resident,
            now=at(2026, 9, 16),
        )
    item = services.correction_submit(
        request=item, corrected_description="补正", actor=ogi.personas.citizen, now=at(2026, 9, 16)
    )
    assert item.received_on == D(2026, 9, 16)


def test_not_corrected_in_time_closes_the_request(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14))
    services.correction_notice_send(
        request=item, notice="请补正", actor=ogi.editor, now=at(2026, 9, 22)
    )
    assert services.corrections_lapse(now=at(2026, 10, 20, 23, 0)) == 0
    assert services.corrections_lapse(now=at(2026, 10, 21, 0, 5)) == 1
    item.refresh_from_db()
    assert (item.status, item.outcome) == (Status.CLOSED, Outcome.OTHER_UNCORRECTED)
    assert item.closed_at == at(2026, 10, 21, 0, 5) and "2026-10-20" in item.close_reason
    assert kinds(item)[-1] == "correction_lapsed"
    assert services.corrections_lapse(now=at(2026, 10, 22)) == 0
    with pytest.raises(Conflict):
        services.correction_submit(
            request=item,
            corrected_description="晚了",
            query_code=item.query_code,
            now=at(2026, 10, 22),
        )


def test_a_late_correction_is_refused_even_before_the_scan(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14))
    services.correction_notice_send(
        request=item, notice="请补正", actor=ogi.editor, now=at(2026, 9, 22)
    )
    with pytest.raises(Conflict) as excinfo:
        services.correction_submit(
            request=item,
            corrected_description="晚了",
            query_code=item.query_code,
            now=at(2026, 10, 21),
        )
    assert "补正期限" in excinfo.value.messages[0]


# --- Third party --------------------------------------------------------------------------


def test_a_four_working_day_wait_moves_the_due_date_four_working_days(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14))
    assert item.due_on == D(2026, 10, 16)
    consultation = services.third_party_ask(
        request=item,
        third_party="平岗物业公司",
        asked_on=D(2026, 10, 12),
        actor=ogi.editor,
        now=at(2026, 10, 12),
    )
    item.refresh_from_db()
    assert (item.status, item.due_on) == (Status.THIRD_PARTY, D(2026, 10, 16))
    # While waiting, the hourly scan moves the date day by day.
    assert services.third_party_waits_refresh(now=at(2026, 10, 14)) == 1
    item.refresh_from_db()
    assert item.due_on == D(2026, 10, 20)
    services.third_party_answer(
        consultation=consultation,
        answered_on=D(2026, 10, 16),
        opinion="不同意公开联系人电话",
        actor=ogi.editor,
        now=at(2026, 10, 16),
    )
    item.refresh_from_db()
    assert item.status == Status.PROCESSING
    assert item.due_on == D(2026, 10, 22)
    assert count_working_days(D(2026, 10, 16), item.due_on).days == 4
    assert kinds(item)[-2:] == ["third_party_asked", "third_party_answered"]


def test_the_wait_is_capped_at_fifteen_working_days(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14))
    consultation = services.third_party_ask(
        request=item,
        third_party="第三方",
        asked_on=D(2026, 10, 12),
        actor=ogi.admin,
        now=at(2026, 10, 12),
    )
    services.third_party_waits_refresh(now=at(2026, 11, 20))
    item.refresh_from_db()
    assert item.due_on == D(2026, 11, 6)
    services.third_party_answer(
        consultation=consultation,
        answered_on=D(2026, 11, 20),
        actor=ogi.admin,
        now=at(2026, 11, 20),
    )
    item.refresh_from_db()
    assert item.due_on == D(2026, 11, 6)
    assert count_working_days(D(2026, 10, 16), item.due_on).days == 15


def test_third_party_dates_are_checked(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14))
    with pytest.raises(ValidationError) as excinfo:
        services.third_party_ask(
            request=item,
            third_party="",
            asked_on=D(2026, 9, 13),
            actor=ogi.admin,
            now=at(2026, 9, 15),
        )
    assert set(errors_of(excinfo)) == {"third_party", "asked_on"}
    consultation = services.third_party_ask(
        request=item,
        third_party="甲",
        asked_on=D(2026, 9, 15),
        actor=ogi.admin,
        now=at(2026, 9, 15),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.third_party_answer(
            consultation=consultation,
            answered_on=D(2026, 9, 14),
            actor=ogi.admin,
            now=at(2026, 9, 16),
        )
    assert "answered_on" in errors_of(excinfo)
    services.third_party_answer(
        consultation=consultation, answered_on=D(2026, 9, 16), actor=ogi.admin, now=at(2026, 9, 16)
    )
    with pytest.raises(Conflict):
        services.third_party_answer(
            consultation=consultation,
            answered_on=D(2026, 9, 16),
            actor=ogi.admin,
            now=at(2026, 9, 16),
        )


def test_no_correction_notice_while_waiting_for_a_third_party(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14))
    services.third_party_ask(
        request=item,
        third_party="甲",
        asked_on=D(2026, 9, 15),
        actor=ogi.admin,
        now=at(2026, 9, 15),
    )
    with pytest.raises(Conflict):
        services.correction_notice_send(
            request=item, notice="请补正", actor=ogi.admin, now=at(2026, 9, 16)
        )


# --- Reply and withdrawal -----------------------------------------------------------------


def test_reply_with_partial_disclosure(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14))
    item = services.reply(
        request=item,
        outcome=Outcome.PARTIAL,
        reply_text="名单予以公开；身份证号码属于个人隐私，不予公开。",
        actor=ogi.editor,
        attachments=[("名单.pdf", b"%PDF-1.4 test")],
        now=at(2026, 10, 9),
    )
    assert item.status == Status.REPLIED and item.outcome == Outcome.PARTIAL
    assert item.replied_at == at(2026, 10, 9) and item.replied_by == ogi.editor
    assert item.fee_amount == 0
    assert [a.from_applicant for a in item.attachments.all()] == [False]
    with pytest.raises(Conflict):
        services.reply(request=item, outcome=Outcome.PUBLIC, reply_text="再答", actor=ogi.editor)


def test_a_refusal_gives_its_reasons(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14))
    with pytest.raises(ValidationError) as excinfo:
        services.reply(
            request=item, outcome=Outcome.REFUSED_PROCESS, reply_text="", actor=ogi.editor
        )
    assert "理由" in errors_of(excinfo)["reply_text"][0]


def test_not_ours_names_the_competent_body(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14))
    with pytest.raises(ValidationError) as excinfo:
        services.reply(
            request=item, outcome=services.NOT_OURS, reply_text="不属于本机关", actor=ogi.editor
        )
    assert "competent_body" in errors_of(excinfo)
    item = services.reply(
        request=item,
        outcome=services.NOT_OURS,
        reply_text="该信息由区民政局负责公开。",
        competent_body="成都市新津区民政局",
        actor=ogi.editor,
    )
    assert (item.outcome, item.competent_body) == (Outcome.UNABLE_NOT_HELD, "成都市新津区民政局")


def test_fees_need_their_basis_and_the_scan_only_outcome_is_refused(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14))
    with pytest.raises(ValidationError) as excinfo:
        services.reply(
            request=item,
            outcome=Outcome.PUBLIC,
            reply_text="见附件",
            fee_amount="120",
            actor=ogi.editor,
        )
    assert "fee_basis" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.reply(
            request=item, outcome=Outcome.OTHER_UNCORRECTED, reply_text="x", actor=ogi.editor
        )
    assert "outcome" in errors_of(excinfo)
    item = services.reply(
        request=item,
        outcome=Outcome.PUBLIC,
        reply_text="见附件",
        fee_amount="120.00",
        fee_basis="超出30页部分按件计收",
        actor=ogi.editor,
    )
    assert str(item.fee_amount) == "120.00"


def test_only_the_unit_replies(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14))
    for person in (ogi.reviewer, ogi.outsider, ogi.supervisor, None):
        with pytest.raises(NotAllowed):
            services.reply(request=item, outcome=Outcome.PUBLIC, reply_text="答复", actor=person)


def test_pending_and_correction_are_not_replied(ogi, calendar_2026):
    pending = services.info_request_submit(
        unit=ogi.unit, channel="fax", now=at(2026, 9, 14), actor=ogi.admin, **person_fields()
    )
    with pytest.raises(Conflict):
        services.reply(request=pending, outcome=Outcome.PUBLIC, reply_text="答复", actor=ogi.admin)


def test_withdrawal_by_the_applicant(ogi, calendar_2026):
    item = submit(ogi.unit, at(2026, 9, 14))
    with pytest.raises(NotAllowed):
        services.withdraw(request=item, query_code="999999")
    item = services.withdraw(request=item, reason="已自行获取", query_code=item.query_code)
    assert (item.status, item.outcome) == (Status.CLOSED, Outcome.OTHER)
    assert "已自行获取" in item.close_reason and kinds(item)[-1] == "withdrawn"
    with pytest.raises(Conflict):
        services.withdraw(request=item, query_code=item.query_code)


def test_the_hourly_tasks_run_the_scans(ogi, calendar_2026):
    from disclosure.requests import tasks

    late = submit(ogi.unit, at(2026, 9, 14))
    services.correction_notice_send(
        request=late, notice="请补正", actor=ogi.admin, now=at(2026, 9, 15)
    )
    waiting = submit(ogi.unit, at(2026, 9, 14))
    services.third_party_ask(
        request=waiting,
        third_party="甲",
        asked_on=D(2026, 9, 15),
        actor=ogi.admin,
        now=at(2026, 9, 15),
    )
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 11, 2)):
        assert tasks.corrections_lapse() == 1
        assert tasks.third_party_waits_refresh() == 1
    late.refresh_from_db()
    waiting.refresh_from_db()
    assert late.status == Status.CLOSED
    assert waiting.due_on == D(2026, 11, 6)  # 15 working days of waiting at most
