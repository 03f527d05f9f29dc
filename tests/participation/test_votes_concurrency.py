"""One person, one ballot under real concurrency on PostgreSQL: fifty simultaneous
submissions through the API count once; fifty simultaneous changes leave one ballot;
a close waits for a ballot in flight and counts it."""

import datetime as dt
import http.client
import json
import threading
import time
import urllib.parse

import pytest
from django.db import connection, connections, transaction
from rest_framework.authtoken.models import Token

from participation.models import Ballot, BallotChoice, Vote, VoteStatus
from participation.services import votes as services
from tests.participation.test_votes_helpers import make_vote, option_ids

pytestmark = pytest.mark.django_db(transaction=True)

SUBMISSIONS = 50


def run_together(target, count: int = SUBMISSIONS) -> list:
    """Start `count` threads that wait at a barrier, then call `target()` at once; each
    thread uses (and closes) its own database connection."""
    barrier = threading.Barrier(count)
    results, errors = [], []
    lock = threading.Lock()

    def worker():
        try:
            barrier.wait(timeout=60)
            outcome = target()
            with lock:
                results.append(outcome)
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def _until(condition, limit_seconds: float = 30) -> None:
    deadline = time.monotonic() + limit_seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting")
        time.sleep(0.01)


def test_fifty_simultaneous_api_ballots_from_one_person_count_once(
    live_server, geo, personas, village
):
    vote = make_vote(geo, personas)
    token = Token.objects.create(user=personas.resident)
    body = json.dumps({"options": option_ids(vote)[:1]}).encode()
    address = urllib.parse.urlsplit(live_server.url)

    # Each request is sent up to its body, one connection after the other, and the next
    # only once the server has taken the previous one (its handler thread started): the
    # live server listens with a backlog of 10, which 50 connects at once overflow. The
    # handlers then wait inside the view for the bodies, which all threads send at once.
    pending = []
    for _ in range(SUBMISSIONS):
        handlers = threading.active_count()
        request = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
        request.putrequest("POST", f"/api/v1/votes/{vote.pk}/ballots/")
        request.putheader("Authorization", f"Token {token.key}")
        request.putheader("Content-Type", "application/json")
        request.putheader("Content-Length", str(len(body)))
        request.endheaders()
        pending.append(request)
        _until(lambda handlers=handlers: threading.active_count() > handlers)
    queue = iter(pending)
    lock = threading.Lock()

    def submit() -> tuple[int, dict]:
        with lock:
            request = next(queue)
        try:
            request.send(body)
            response = request.getresponse()
            return response.status, json.loads(response.read())
        finally:
            request.close()

    answers = run_together(submit)
    codes = sorted(code for code, _body in answers)
    assert codes == [201] + [409] * (SUBMISSIONS - 1)
    refusals = {body["detail"] for code, body in answers if code == 409}
    assert refusals == {"您已投过票，本次投票不允许改票。"}
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert BallotChoice.objects.filter(vote=vote).count() == 1


def test_fifty_simultaneous_changes_leave_one_ballot(geo, personas, village):
    vote = make_vote(geo, personas, allow_change=True, options=["甲", "乙", "丙"])
    ids = option_ids(vote)
    picks = iter(range(SUBMISSIONS))
    lock = threading.Lock()

    def change() -> bool:
        with lock:
            pick = ids[next(picks) % len(ids)]
        _ballot, changed = services.ballot_cast(
            vote=Vote.objects.get(pk=vote.pk), voter=personas.resident, option_ids=[pick]
        )
        return changed

    changed = run_together(change)
    assert sorted(changed) == [False] + [True] * (SUBMISSIONS - 1)
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert BallotChoice.objects.filter(vote=vote).count() == 1  # one complete choice set


def _a_backend_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])


def test_a_close_waits_for_the_ballot_in_flight(geo, personas, village):
    vote = make_vote(geo, personas)
    cast_inside = threading.Event()
    may_commit = threading.Event()
    closed = []

    def ballot():
        try:
            with transaction.atomic():
                services.ballot_cast(
                    vote=vote,
                    voter=personas.resident,
                    option_ids=option_ids(vote)[:1],
                    now=vote.closes_at - dt.timedelta(seconds=1),
                )
                cast_inside.set()
                may_commit.wait(timeout=60)
        finally:
            connections.close_all()

    def close():
        try:
            closed.append(services.votes_close_due(now=vote.closes_at + dt.timedelta(seconds=1)))
        finally:
            connections.close_all()

    voter = threading.Thread(target=ballot)
    voter.start()
    assert cast_inside.wait(timeout=60)
    closer = threading.Thread(target=close)
    closer.start()
    _until(_a_backend_waits_for_a_lock)  # the close is blocked by the ballot's lock
    may_commit.set()
    voter.join(timeout=60)
    closer.join(timeout=60)
    assert closed == [1]
    vote.refresh_from_db()
    assert vote.status == VoteStatus.CLOSED
    assert vote.result["online_ballots"] == 1 and vote.result["options"][0]["online"] == 1
