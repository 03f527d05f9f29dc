"""Wrong tries under real concurrency on PostgreSQL: a burst of simultaneous tries from
one address gets no more than the allowed number checked; the rest find the lock."""

import threading

import pytest
from django.db import connections

from funds.models import AccessLock, VoucherGrant
from funds.services import vouchers as services
from tests.funds.conftest import MEMBER_ID

pytestmark = pytest.mark.django_db(transaction=True)

TRIES = 12


def test_a_burst_of_wrong_tries_is_counted_one_by_one(money, settings):
    barrier = threading.Barrier(TRIES)
    outcomes, errors = [], []
    lock = threading.Lock()

    def attempt():
        try:
            barrier.wait(timeout=60)
            services.voucher_access_request(
                collective=money.collective,
                name="王建华",
                id_number=MEMBER_ID,
                client="203.0.113.7",
            )
        except services.Locked:
            outcome = "locked"
        except services.NoMatch:
            outcome = "no match"
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            with lock:
                errors.append(exc)
            return
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(TRIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    limit = settings.FUNDS_ACCESS_MAX_FAILURES
    assert outcomes.count("no match") == limit - 1
    assert outcomes.count("locked") == TRIES - limit + 1
    # Both keys (the address's and the number's) locked exactly once.
    assert sorted(AccessLock.objects.values_list("lockouts", flat=True)) == [1, 1]
    assert not VoucherGrant.objects.exists()
