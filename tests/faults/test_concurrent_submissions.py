"""Fault: fifty identical submissions at the same instant, over HTTP to a live server
(one handler thread and one database connection each).

Promise (issue 10): the database invariants hold. One ballot per voter; one letter for
the same content from the same phone within MAILBOX_DUPLICATE_MINUTES; a project's
disbursed sum never exceeds its budget and equals the sum of its payments. The
invariants are checked with SQL on the tables, not through the models' helpers.
"""

from __future__ import annotations

import collections
import http.client
import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import requests
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from funds.services import projects
from portal import identity
from portal.services.errors import Conflict
from tests.funds.test_projects_admin import action, change_url
from tests.funds.test_projects_helpers import approved
from tests.participation.test_votes_helpers import make_vote, option_ids

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

SUBMISSIONS = 50


@pytest.fixture(autouse=True)
def no_post_limits(settings):
    """The limit on every public POST (portal/auth/middleware.py) counts in a cache that
    outlives a test; fifty submissions are this test's subject, not the limit's."""
    settings.PORTAL_POST_RATE_PER_IP = 10**6
    settings.PORTAL_POST_RATE_PER_USER = 10**6


@dataclass
class Answer:
    status: int
    body: bytes = field(repr=False)

    def json(self):
        return json.loads(self.body)


def _until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting")
        time.sleep(0.01)


def fire_together(
    live_server, path: str, body: bytes, headers: dict[str, str], count: int = SUBMISSIONS
) -> list[Answer]:
    """POST the same request `count` times at once. Each connection is opened and sent up
    to its body one after the other, the next only once the live server has started its
    handler thread (it listens with a backlog of 10); the handlers then wait inside the
    request for their bodies, which `count` threads send through a barrier at once
    (as tests/participation/test_votes_concurrency.py does)."""
    address = urllib.parse.urlsplit(live_server.url)
    pending = []
    for _ in range(count):
        handlers = threading.active_count()
        request = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
        request.putrequest("POST", path)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            request.putheader(name, value)
        request.endheaders()
        pending.append(request)
        _until(lambda handlers=handlers: threading.active_count() > handlers)

    barrier = threading.Barrier(count)
    answers: list[Answer] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def send(request: http.client.HTTPConnection) -> None:
        try:
            barrier.wait(timeout=60)
            request.send(body)
            response = request.getresponse()
            answer = Answer(response.status, response.read())
            with lock:
                answers.append(answer)
        except Exception as exc:  # collected: a thread cannot fail the test itself
            with lock:
                errors.append(exc)
        finally:
            request.close()

    threads = [threading.Thread(target=send, args=(request,)) for request in pending]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not errors, errors
    assert len(answers) == count
    return answers


def sql(query: str, params: list) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


def test_fifty_identical_ballots_count_once(live_server, geo, personas, village):
    """One voter sends the same ballot 50 times at once through the API: one 201, 49
    refusals (409, already voted), one ballot row and one choice row."""
    vote = make_vote(geo, personas)
    token = Token.objects.create(user=personas.resident)
    body = json.dumps({"options": option_ids(vote)[:1]}).encode()
    answers = fire_together(
        live_server,
        f"/api/v1/votes/{vote.pk}/ballots/",
        body,
        {"Authorization": f"Token {token.key}", "Content-Type": "application/json"},
    )
    assert sorted(answer.status for answer in answers) == [201] + [409] * (SUBMISSIONS - 1)
    ballots, voters = sql(
        "SELECT count(*), count(DISTINCT voter_key) FROM participation_ballot WHERE vote_id = %s",
        [vote.pk],
    )
    (choices,) = sql(
        "SELECT count(*) FROM participation_ballotchoice WHERE vote_id = %s", [vote.pk]
    )
    assert (ballots, voters, choices) == (1, 1, 1)


def test_fifty_identical_letters_are_one_letter(live_server, geo, calendar_2026):
    """The same letter from the same phone 50 times at once through the API: 50 answers
    201 with the same tracking code (a repeat is answered with the first letter), one
    letter row and one "received" event."""
    phone = "13912340050"
    payload = {
        "unit": geo.village_committee.pk,
        "type": "complaint",
        "subject": "噪音扰民",
        "body": "平岗路工地夜间施工，噪音很大。",
        "name": "赵敏",
        "phone": phone,
    }
    answers = fire_together(
        live_server,
        "/api/v1/letters/",
        json.dumps(payload).encode(),
        {"Content-Type": "application/json"},
    )
    statuses = collections.Counter(answer.status for answer in answers)
    assert statuses == {201: SUBMISSIONS}, statuses
    codes = {answer.json()["tracking_code"] for answer in answers}
    assert len(codes) == 1
    letters, distinct_content = sql(
        "SELECT count(*), count(DISTINCT content_hash) FROM mailbox_letter WHERE phone_hash = %s",
        [identity.phone_hash(phone)],
    )
    assert (letters, distinct_content) == (1, 1)
    (events,) = sql(
        "SELECT count(*) FROM mailbox_letterevent e"
        " JOIN mailbox_letter l ON l.id = e.letter_id"
        " WHERE l.tracking_code = %s AND e.kind = 'received'",
        [codes.pop()],
    )
    assert events == 1


def test_fifty_identical_disbursements_never_exceed_the_budget(live_server, geo, personas, money):
    """The accounting centre's accountant submits the same payment (7 000 of a 100 000
    budget) 50 times at once through the admin form: exactly the 14 that fit are booked
    (302), the other 36 are refused with the budget error (200, the form again); in SQL
    disbursed <= budget and disbursed = the sum of the payments."""
    project = approved(geo, personas, money, budget=100_000)
    amount = Decimal("7000.00")
    fits = int(project.budget // amount)

    browser = Client()
    browser.force_login(money.accountant)
    session = browser.cookies["sessionid"].value
    page = requests.get(
        live_server.url + change_url(project), cookies={"sessionid": session}, timeout=60
    )
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    csrf_cookie = page.cookies["csrftoken"]
    form = action(
        "disburse",
        amount=str(amount),
        paid_on=timezone.localdate().isoformat(),
        payee="新津建工有限公司",
        purpose="工程进度款",
        csrfmiddlewaretoken=token,
    )
    answers = fire_together(
        live_server,
        change_url(project),
        urllib.parse.urlencode(form).encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"sessionid={session}; csrftoken={csrf_cookie}",
        },
    )
    statuses = collections.Counter(answer.status for answer in answers)
    assert statuses == {302: fits, 200: SUBMISSIONS - fits}, statuses
    refusals = [answer.body.decode() for answer in answers if answer.status == 200]
    assert all("超出预算" in text for text in refusals)

    budget, disbursed = sql(
        "SELECT budget, disbursed FROM funds_fundproject WHERE id = %s", [project.pk]
    )
    payments, paid = sql(
        "SELECT count(*), coalesce(sum(amount), 0) FROM funds_disbursement WHERE project_id = %s",
        [project.pk],
    )
    assert disbursed <= budget
    assert paid == disbursed == fits * amount
    assert payments == fits
    connections.close_all()


@pytest.mark.parametrize(
    ("refusals", "expected"), [((2,), 302), ((2, 4), 302)], ids=["refused-once", "refused-twice"]
)
def test_a_refusal_at_save_time_is_never_a_server_error(
    client, geo, personas, money, monkeypatch, refusals, expected
):
    """The deterministic twin of the race above, for every back-office form: the form's
    trial run accepts, the service refuses at save time (call 2). The save is rolled back
    and the form runs once more; refused again (call 4), the person is sent back to the
    page with the refusal as a message. Never a 500, never half a payment."""
    project = approved(geo, personas, money, budget=100_000)
    real = projects.disbursement_record
    calls = []

    def racing(**fields):
        calls.append(1)
        if len(calls) in refusals:
            raise Conflict("超出预算：已拨付100,000.00元，剩余0.00元。")
        return real(**fields)

    monkeypatch.setattr(projects, "disbursement_record", racing)
    client.force_login(money.accountant)
    form = action(
        "disburse",
        amount="7000",
        paid_on=timezone.localdate().isoformat(),
        payee="新津建工有限公司",
        purpose="工程进度款",
    )
    answer = client.post(change_url(project), form)
    assert answer.status_code == expected
    paid = 7000 if refusals == (2,) else 0  # trial, refused save, trial, (refused) save
    assert len(calls) == 4
    budget, disbursed = sql(
        "SELECT budget, disbursed FROM funds_fundproject WHERE id = %s", [project.pk]
    )
    (payments,) = sql(
        "SELECT coalesce(sum(amount), 0) FROM funds_disbursement WHERE project_id = %s",
        [project.pk],
    )
    assert disbursed == payments == paid
    if refusals == (2, 4):
        messages = [str(m) for m in get_messages(answer.wsgi_request)]
        assert messages == ["超出预算：已拨付100,000.00元，剩余0.00元。"]
