"""Requests for information in the back office: the unit's queue (overdue first,
filters, bounded queries), the request's page with the applicant's details for the
unit's officials only, the steps taken there, and paper applications typed in."""

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disclosure.models import InfoRequest, InfoRequestStatus, Outcome
from disclosure.requests import services
from tests.disclosure import requests_fixtures
from tests.disclosure.requests_fixtures import (
    at,
    person_fields,
    submit,
)

pytestmark = pytest.mark.django_db
ogi = requests_fixtures.ogi
D = dt.date
LIST = "/admin/disclosure/inforequest/"
ADD = f"{LIST}add/"
# The management forms of the read-only rows under a request, as the page sends them.
ROWS = {
    f"{prefix}-{name}": "0"
    for prefix in ("consultations", "attachments", "events")
    for name in ("TOTAL_FORMS", "INITIAL_FORMS")
}


@contextmanager
def frozen(instant: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=instant):
        yield


def change_url(item) -> str:
    return f"{LIST}{item.pk}/change/"


def step(client, item, action, **fields):
    return client.post(change_url(item), {**ROWS, "action": action, **fields})


@pytest.fixture
def three(ogi, calendar_2026):
    """On 5 October 2026: one overdue (due 30 September), one open (due 16 October),
    one replied; filed in another order than the queue shows them."""
    open_one = submit(ogi.unit, at(2026, 9, 14))
    overdue = submit(ogi.unit, at(2026, 9, 2))
    replied = submit(ogi.unit, at(2026, 9, 3))
    services.reply(
        request=replied,
        outcome=Outcome.PUBLIC,
        reply_text="见附件",
        actor=ogi.admin,
        now=at(2026, 9, 20),
    )
    return overdue, open_one, replied


def test_queue_overdue_first_with_filters(ogi, three, client):
    overdue, open_one, replied = three
    client.force_login(ogi.admin)
    with frozen(at(2026, 10, 5)):
        text = client.get(LIST).content.decode()
        positions = [text.index(item.tracking_code) for item in three]
        assert positions == sorted(positions)
        assert "已超期" in text
        only = client.get(LIST, {"overdue": "yes"}).content.decode()
    assert overdue.tracking_code in only and open_one.tracking_code not in only
    done = client.get(LIST, {"status": "replied"}).content.decode()
    assert replied.tracking_code in done and overdue.tracking_code not in done
    # The list shows the applicant masked, to every reader.
    assert "王**" in text and "王小明" not in text


def test_each_reader_sees_their_units_requests(ogi, three, client):
    client.force_login(ogi.outsider)
    text = client.get(LIST).content.decode()
    assert all(item.tracking_code not in text for item in three)
    client.force_login(ogi.supervisor)
    text = client.get(LIST).content.decode()
    assert all(item.tracking_code in text for item in three)


def test_queue_queries_are_bounded(ogi, calendar_2026, client, django_assert_max_num_queries):
    submit(ogi.unit, at(2026, 9, 1))
    readers = (ogi.admin, ogi.editor, ogi.supervisor)
    few = {}
    for user in readers:
        client.force_login(user)
        client.get(LIST)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        few[user.pk] = len(queries)
    for day in range(2, 25):
        item = submit(ogi.unit, at(2026, 9, day))
        if day % 3 == 0:
            services.extension_grant(
                request=item, days=2, reason="量大", actor=ogi.admin, now=at(2026, 9, day)
            )
    for user in readers:
        client.force_login(user)
        # The sidebar asks every app's admin about the person; the rows cost nothing more.
        with django_assert_max_num_queries(few[user.pk]):
            response = client.get(LIST)
        assert response.content.decode().count("王**") == 24, user


def test_an_official_of_another_unit_gets_404(ogi, three, client):
    client.force_login(ogi.outsider)
    assert client.get(change_url(three[0])).status_code == 404
    assert (
        step(client, three[0], "reply", reply_outcome="public", reply_body="x").status_code == 404
    )


def test_contact_details_for_the_units_officials_only(ogi, calendar_2026, client):
    item = submit(
        ogi.unit, at(2026, 9, 14), delivery="paper", attachments=[("证明.pdf", b"%PDF-1.4 x")]
    )
    file_url = f"/info-requests/{item.tracking_code}/files/{item.attachments.get().token}/"
    client.force_login(ogi.editor)
    page = client.get(change_url(item)).content.decode()
    assert item.phone in page and item.address in page and "wang@example.com" in page
    assert file_url in page
    assert "王小明" in page and "110105********002X" in page
    client.force_login(ogi.supervisor)
    page = client.get(change_url(item)).content.decode()
    assert "139****" in page and item.phone not in page and item.address not in page
    assert "王小明" not in page and "王**" in page
    assert 'name="action"' not in page
    assert "证明.pdf" in page and file_url not in page


def test_the_steps_offered_follow_role_and_status(ogi, calendar_2026, client):
    item = submit(ogi.unit, at(2026, 9, 14))
    client.force_login(ogi.editor)
    page = client.get(change_url(item)).content.decode()
    assert 'value="correction"' in page and 'value="reply"' in page
    assert 'value="extend"' not in page
    client.force_login(ogi.reviewer)
    page = client.get(change_url(item)).content.decode()
    assert 'value="extend"' in page and 'value="reply"' not in page
    # An editor posting the extension anyway is refused and nothing changes.
    client.force_login(ogi.editor)
    refused = step(client, item, "extend", ext_days="5", ext_reason="量大")
    assert refused.status_code == 200
    assert InfoRequest.objects.get(pk=item.pk).extension_days == 0


def test_a_request_handled_in_the_admin(ogi, calendar_2026, client):
    item = submit(ogi.unit, at(2026, 9, 14))
    client.force_login(ogi.editor)
    with frozen(at(2026, 9, 15)):
        empty = step(client, item, "correction", notice="")
        assert "请一次性写明需要补正的全部事项" in empty.content.decode()
        assert (
            step(client, item, "ask", tp_name="平岗物业公司", tp_asked_on="2026-09-15").status_code
            == 302
        )
    item.refresh_from_db()
    assert item.status == InfoRequestStatus.THIRD_PARTY
    consultation = item.consultations.get()
    with frozen(at(2026, 9, 18)):
        response = step(
            client,
            item,
            "answer",
            tp_consultation=str(consultation.pk),
            tp_answered_on="2026-09-18",
            tp_opinion="同意公开",
        )
    assert response.status_code == 302
    item.refresh_from_db()
    # Three working days of waiting (16, 17, 18 September).
    assert item.status == InfoRequestStatus.PROCESSING and item.due_on == D(2026, 10, 21)
    client.force_login(ogi.reviewer)
    with frozen(at(2026, 9, 21)):
        assert step(client, item, "extend", ext_days="2", ext_reason="需要汇总").status_code == 302
    item.refresh_from_db()
    assert (item.extension_days, item.due_on) == (2, D(2026, 10, 23))
    client.force_login(ogi.editor)
    with frozen(at(2026, 9, 22)):
        missing = step(client, item, "reply", reply_outcome="not_ours", reply_body="不属于本机关")
        assert "须告知负责公开的机关名称" in missing.content.decode()
        done = step(
            client,
            item,
            "reply",
            reply_outcome="not_ours",
            reply_body="该信息由区民政局负责公开。",
            reply_competent_body="成都市新津区民政局",
            reply_fee_amount="0",
        )
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == InfoRequestStatus.REPLIED
    assert (item.outcome, item.competent_body) == (Outcome.UNABLE_NOT_HELD, "成都市新津区民政局")


def test_the_reply_outcome_is_grouped_as_table_three(ogi, calendar_2026, client):
    item = submit(ogi.unit, at(2026, 9, 14))
    client.force_login(ogi.admin)
    page = client.get(change_url(item)).content.decode()
    for group in ("（一）予以公开", "（三）不予公开", "（四）无法提供", "（六）其他处理"):
        assert f'<optgroup label="{group}">' in page
    assert 'value="other_uncorrected"' not in page


def paper(unit, **overrides):
    data = {
        "unit": str(unit.pk),
        "channel": "post",
        "submitted_on": "2026-09-10",
        "received_on": "2026-09-14",
        **{k: v for k, v in person_fields().items() if k != "delivery"},
        "org_code": "",
        "contact_person": "",
        "delivery": "paper",
    }
    data.update(overrides)
    return data


def test_a_letter_by_post_is_typed_in_with_the_day_it_was_signed_for(ogi, calendar_2026, client):
    client.force_login(ogi.editor)
    with frozen(at(2026, 9, 15)):
        assert client.get(ADD).status_code == 200
        future = client.post(ADD, paper(ogi.unit, received_on="2026-09-16"))
        assert future.status_code == 200 and "不能晚于今天" in future.content.decode()
        assert not InfoRequest.objects.exists()
        response = client.post(ADD, paper(ogi.unit))
    assert response.status_code == 302, response.content.decode()[:2000]
    item = InfoRequest.objects.get()
    assert (item.channel, item.status, item.received_on) == ("post", "processing", D(2026, 9, 14))
    assert item.due_on == D(2026, 10, 16)
    assert list(item.events.values_list("kind", flat=True)) == ["submitted", "received"]


def test_paper_application_registered_later(ogi, calendar_2026, client):
    client.force_login(ogi.admin)
    with frozen(at(2026, 9, 14)):
        client.post(ADD, paper(ogi.unit, channel="fax", submitted_on="2026-09-11", received_on=""))
    item = InfoRequest.objects.get()
    assert (item.status, item.due_on) == ("pending", None)
    with frozen(at(2026, 9, 16)):
        assert step(client, item, "register", act_received_on="2026-09-15").status_code == 302
    item.refresh_from_db()
    assert (item.status, item.received_on) == ("processing", D(2026, 9, 15))


def test_no_add_for_those_without_a_unit_to_edit(ogi, client):
    for person in (ogi.reviewer, ogi.supervisor):
        client.force_login(person)
        assert client.get(ADD).status_code == 403
