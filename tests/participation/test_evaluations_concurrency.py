"""One evaluation per person per subject under concurrency: two submissions of the same
person racing in two database connections store one evaluation; the other is told it is
a second evaluation. Real transactions (transaction=True), real threads."""

import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction

from participation.models import Evaluation
from participation.services import evaluations as services
from tests.participation.test_evaluations_helpers import make_round, subject

pytestmark = pytest.mark.django_db(transaction=True)


def _race(round, ratings_of, users) -> list[object]:
    """Submit ratings_of(i) for users[i] in parallel threads; each thread's result or
    exception, in order."""
    barrier = threading.Barrier(len(users))
    outcomes: list[object] = [None] * len(users)

    def submit(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = services.evaluation_submit(
                round=round, ratings=ratings_of(index), user=users[index]
            )
        except Exception as exc:  # the outcome is what the test inspects
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(users))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_a_double_submission_counts_once(geo, personas, village):
    round = make_round(geo, personas)
    target = subject(round)
    for attempt in range(3):
        user = village.residents[attempt]
        outcomes = _race(
            round,
            lambda i: [{"subject": target.pk, "rating": "satisfied" if i else "unsatisfied"}],
            [user, user, user],
        )
        stored = [o for o in outcomes if isinstance(o, list)]
        refused = [o for o in outcomes if isinstance(o, services.AlreadyEvaluated)]
        assert len(stored) == 1 and len(refused) == 2, outcomes
    assert Evaluation.objects.filter(subject=target).count() == 3


def _someone_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        # Activity statistics are a snapshot per transaction unless cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def test_the_unique_key_decides_when_both_pass_the_check(geo, personas, village):
    """The first submission holds its transaction open until the second is waiting on
    the unique index (it saw no evaluation yet, so it passed the service's check); then
    the first commits and the second is refused as a second evaluation."""
    round = make_round(geo, personas)
    ratings = [{"subject": subject(round).pk, "rating": "satisfied"}]
    user = village.residents[0]
    first_written = threading.Event()
    outcomes: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                outcomes["first"] = services.evaluation_submit(
                    round=round, ratings=ratings, user=user
                )
                first_written.set()
                deadline = time.monotonic() + 10
                while not _someone_waits_on_a_lock():
                    if time.monotonic() > deadline:
                        raise TimeoutError("the second submission never waited")
                    time.sleep(0.02)
        except Exception as exc:  # the outcome is what the test inspects
            outcomes["first"] = exc
        finally:
            connection.close()

    def second() -> None:
        try:
            first_written.wait(timeout=10)
            outcomes["second"] = services.evaluation_submit(round=round, ratings=ratings, user=user)
        except Exception as exc:  # the outcome is what the test inspects
            outcomes["second"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert isinstance(outcomes["first"], list), outcomes
    assert isinstance(outcomes["second"], services.AlreadyEvaluated), outcomes
    assert Evaluation.objects.count() == 1


def test_different_people_do_not_block_each_other(geo, personas, village):
    round = make_round(geo, personas)
    target = subject(round)
    outcomes = _race(
        round,
        lambda i: [{"subject": target.pk, "rating": "basic"}],
        village.residents,
    )
    assert all(isinstance(o, list) for o in outcomes), outcomes
    assert Evaluation.objects.filter(subject=target).count() == len(village.residents)


def test_the_database_refuses_a_second_row_for_the_same_person(geo, personas, village):
    round = make_round(geo, personas)
    target = subject(round)
    key = services.evaluator_key(target.pk, personas.resident)
    fields = {"subject": target, "round": round, "region": geo.village, "evaluator_key": key}
    Evaluation.objects.create(rating="satisfied", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(rating="unsatisfied", **fields)
