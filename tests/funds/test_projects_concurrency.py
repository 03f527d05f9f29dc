"""The rule of "during" under real concurrency on PostgreSQL: twenty simultaneous
disbursements that together exceed the budget. The excess ones are refused, the sum
paid never exceeds the budget, and exactly as many are accepted as fit."""

import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.db.models import Sum

from funds.models import Disbursement, FundProject, ProjectStage, Stage
from funds.services import projects as services
from portal.services.errors import Conflict
from tests.funds.test_projects_helpers import approved, pay

pytestmark = pytest.mark.django_db(transaction=True)

PAYMENTS = 20


def run_together(target, count: int = PAYMENTS) -> tuple[list, list]:
    """Start `count` threads that wait at a barrier, then call `target()` at once; each
    thread uses (and closes) its own database connection. Returns (results, errors)."""
    barrier = threading.Barrier(count)
    results, errors = [], []
    lock = threading.Lock()

    def worker():
        try:
            barrier.wait(timeout=60)
            outcome = target()
            with lock:
                results.append(outcome)
        except Exception as exc:  # collected: a thread cannot fail the test itself
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def test_twenty_simultaneous_disbursements_never_exceed_the_budget(geo, personas, money):
    project = approved(geo, personas, money, budget=100_000)
    amount = Decimal("7000.00")
    fits = int(project.budget // amount)  # 14 payments of 7 000 fit in 100 000

    def disburse():
        return pay(FundProject.objects.get(pk=project.pk), money, amount)

    accepted, refused = run_together(disburse)

    assert len(accepted) == fits
    assert len(refused) == PAYMENTS - fits
    assert all(isinstance(exc, Conflict) for exc in refused), refused
    assert {exc.messages[0] for exc in refused} == {"超出预算：已拨付98,000.00元，剩余2,000.00元。"}
    project.refresh_from_db()
    paid = Disbursement.objects.filter(project=project).aggregate(total=Sum("amount"))["total"]
    assert Disbursement.objects.filter(project=project).count() == fits
    assert paid == project.disbursed == fits * amount
    assert project.disbursed <= project.budget
    # Only one payment was the first: one move to implementing, one stage row.
    assert project.stage == Stage.IMPLEMENTING
    assert ProjectStage.objects.filter(project=project, stage=Stage.IMPLEMENTING).count() == 1


def test_the_last_yuan_fits_exactly_and_nothing_more(geo, personas, money):
    project = approved(geo, personas, money, budget=100_000)
    amount = Decimal("5000.00")  # twenty of them make exactly the budget

    def disburse():
        return pay(FundProject.objects.get(pk=project.pk), money, amount)

    accepted, refused = run_together(disburse)
    assert len(accepted) == PAYMENTS and not refused
    project.refresh_from_db()
    assert project.disbursed == project.budget
    with pytest.raises(Conflict, match="剩余0.00元"):
        pay(project, money, "0.01")


def test_a_cancellation_racing_payments_leaves_one_consistent_outcome(geo, personas, money):
    project = approved(geo, personas, money, budget=100_000)

    def disburse():
        return pay(FundProject.objects.get(pk=project.pk), money, 1000)

    def cancel():
        return services.project_cancel(
            project=FundProject.objects.get(pk=project.pk),
            reason="上级调整年度计划，本项目暂缓实施。",
            actor=personas.township_official,
        )

    calls = iter([cancel] + [disburse] * (PAYMENTS - 1))
    lock = threading.Lock()

    def next_call():
        with lock:
            call = next(calls)
        return call()

    _done, errors = run_together(next_call)
    assert all(isinstance(exc, Conflict) for exc in errors), errors
    project.refresh_from_db()
    paid = Disbursement.objects.filter(project=project).aggregate(total=Sum("amount"))["total"]
    if project.stage == Stage.CANCELLED:
        # The cancellation came first: no payment got through after it.
        assert paid is None and project.disbursed == 0
    else:
        # A payment came first: the cancellation was refused, every payment counted.
        assert project.stage == Stage.IMPLEMENTING
        assert paid == project.disbursed == Decimal(1000) * (PAYMENTS - 1)
