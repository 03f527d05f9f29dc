"""Monthly statements: the figures match the entries (per subject, per disclosure
category, cash and bank balances, the year to date), regeneration replaces them until the
month is published, and the village's publication is a record of its catalog item
"财务收支明细" for that month."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from disclosure.models import RecordStatus
from disclosure.permissions import visible_records
from funds.models import Collective, MonthlyStatement
from funds.selectors import ledger as selectors
from funds.services import ledger as services
from portal.services.errors import Conflict, DomainError, NotAllowed
from tests.funds.test_ledger_helpers import (
    book,
    committee,
    day_in,
    months_ago,
    publish,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def two_months(money):
    """The month before last (opening balances) and last month (the statement's)."""
    prior, last = months_ago(2), months_ago(1)
    for subject, direction, amount in (
        ("102", "income", "10000"),
        ("101", "income", "500"),
        ("522", "income", "10000"),
        ("541", "expense", "300"),
    ):
        book(
            money,
            booked_on=day_in(prior),
            subject=subject,
            direction=direction,
            amount=D(amount),
        )
    for subject, direction, amount, day in (
        ("102", "expense", "2000", 3),
        ("101", "income", "2000", 3),
        ("101", "expense", "800", 8),
        ("541", "expense", "800", 8),
        ("511", "income", "1200", 15),
        ("102", "income", "1200", 15),
        ("112", "expense", "50", 20),
    ):
        book(
            money,
            booked_on=day_in(last, day),
            subject=subject,
            direction=direction,
            amount=D(amount),
            counterparty="张三丰" if subject == "511" else "",
            counterparty_is_person=subject == "511",
        )
    return prior, last


def test_figures_match_the_entries(money, two_months):
    prior, last = two_months
    statement = services.statement_generate(collective=money.collective, month=last)
    figures = statement.figures
    assert figures["month"] == selectors.month_key(last)
    assert figures["entry_count"] == 7
    assert figures["balances"] == {
        "cash": {
            "opening": "500.00",
            "income": "2000.00",
            "expense": "800.00",
            "closing": "1700.00",
        },
        "bank": {
            "opening": "10000.00",
            "income": "1200.00",
            "expense": "2000.00",
            "closing": "9200.00",
        },
        "total": {
            "opening": "10500.00",
            "income": "3200.00",
            "expense": "2800.00",
            "closing": "10900.00",
        },
    }
    categories = {row["category"]: (row["income"], row["expense"]) for row in figures["categories"]}
    assert len(categories) == 8
    assert categories["income"] == ("1200.00", "0.00")
    assert categories["expense"] == ("0.00", "800.00")
    assert categories["debts"] == ("0.00", "50.00")
    assert categories["assets"] == ("0.00", "0.00")  # cash and bank are the balances
    assert categories["plan"] == ("0.00", "0.00")
    subjects = {row["code"]: (row["income"], row["expense"]) for row in figures["subjects"]}
    assert subjects == {
        "101": ("2000.00", "800.00"),
        "102": ("1200.00", "2000.00"),
        "112": ("0.00", "50.00"),
        "511": ("1200.00", "0.00"),
        "541": ("0.00", "800.00"),
    }
    same_year = prior.year == last.year
    assert figures["totals"]["month"] == {"income": "1200.00", "expense": "850.00"}
    assert figures["totals"]["year"] == {
        "income": "11200.00" if same_year else "1200.00",
        "expense": "1150.00" if same_year else "850.00",
    }


def test_a_correction_keeps_the_balances_true(money):
    last = months_ago(1)
    book(money, booked_on=day_in(last), subject="102", direction="income", amount=D("5000"))
    wrong = book(
        money, booked_on=day_in(last, 9), subject="102", direction="expense", amount=D("1000")
    )
    services.entry_correct(
        entry=wrong,
        actor=money.accountant,
        reason="金额多写一个0",
        replacement={"voucher_number": "记-重-1", "amount": D("100")},
    )
    this_month = selectors.statement_figures(money.collective, months_ago(0))
    bank = this_month["balances"]["bank"]
    assert bank == {
        "opening": "4000.00",
        "income": "0.00",
        "expense": "-900.00",
        "closing": "4900.00",
    }
    assert this_month["corrections"] == 2


def test_only_a_month_that_is_over_and_after_the_account_opened(money):
    with pytest.raises(Conflict):
        services.statement_generate(collective=money.collective, month=months_ago(0))
    with pytest.raises(ValidationError) as caught:
        services.statement_generate(
            collective=money.collective, month=money.collective.opened_on.replace(year=2019)
        )
    assert "month" in caught.value.message_dict


def test_regenerating_replaces_the_figures_until_published(money, personas, catalog):
    last = months_ago(1)
    first = services.statement_generate(collective=money.collective, month=last)
    assert first.figures["entry_count"] == 0
    book(money, booked_on=day_in(last))
    again = services.statement_generate(collective=money.collective, month=last)
    assert again.pk == first.pk and again.figures["entry_count"] == 1
    publish(money, personas, last)
    with pytest.raises(Conflict):
        services.statement_generate(collective=money.collective, month=last)


def test_publication_is_a_record_of_the_village_catalog_item(money, personas, two_months, catalog):
    _prior, last = two_months
    statement = publish(money, personas, last)
    record = statement.record
    assert statement.published_at is not None
    assert record.status == RecordStatus.PUBLISHED
    assert record.item.level2 == "财务收支明细"
    assert record.unit == committee(money)
    assert record.period_start == last
    assert record.period_end == selectors.month_end(last)
    assert record in visible_records(None)
    assert "10,900.00" in record.body  # closing money held
    assert "张**" in record.body and "张三丰" not in record.body
    assert "王**" in record.body and "王建国" not in record.body


def test_with_review_on_the_record_waits_and_says_so(money, personas, catalog):
    last = months_ago(1)
    book(money, booked_on=day_in(last))
    statement = publish(money, personas, last, review=True)
    assert statement.published_at is not None  # submitted
    assert statement.record.status == RecordStatus.IN_REVIEW


@pytest.mark.parametrize(
    "who", ["accountant", "township_official", "county_supervisor", "other_county_official"]
)
def test_only_the_village_committee_publishes(money, personas, catalog, who):
    actor = money.accountant if who == "accountant" else getattr(personas, who)
    statement = services.statement_generate(collective=money.collective, month=months_ago(1))
    with pytest.raises(NotAllowed):
        services.statement_publish(statement=statement, actor=actor)
    statement.refresh_from_db()
    assert statement.published_at is None and statement.record is None


def test_publishing_twice_or_stale_figures_is_refused(money, personas, catalog):
    last = months_ago(1)
    statement = services.statement_generate(collective=money.collective, month=last)
    book(money, booked_on=day_in(last))  # booked after the figures were generated
    with pytest.raises(Conflict) as caught:
        services.statement_publish(statement=statement, actor=personas.village_official)
    assert "重新生成" in caught.value.messages[0]
    statement = services.statement_generate(collective=money.collective, month=last)
    services.statement_publish(statement=statement, actor=personas.village_official)
    with pytest.raises(Conflict):
        services.statement_publish(statement=statement, actor=personas.village_official)


def test_without_the_catalog_item_nothing_is_published(money, personas):
    statement = services.statement_generate(collective=money.collective, month=months_ago(1))
    with pytest.raises(DomainError) as caught:
        services.statement_publish(statement=statement, actor=personas.village_official)
    assert "财务收支明细" in caught.value.messages[0]


def test_last_months_statements_are_generated_for_every_collective(money, personas, catalog):
    group = Collective.objects.create(
        region=money.collective.region,
        group_name="3组",
        name="平岗社区3组经济合作社",
        centre=money.centre,
        opened_on=money.collective.opened_on,
    )
    Collective.objects.create(
        region=money.collective.region,
        group_name="9组",
        name="新建账的9组",
        centre=money.centre,
        opened_on=months_ago(0),  # opened this month: nothing due
    )
    last = months_ago(1)
    assert services.statements_generate_due() == 2
    assert set(
        MonthlyStatement.objects.filter(month=last).values_list("collective", flat=True)
    ) == {
        money.collective.pk,
        group.pk,
    }
    publish(money, personas, last)
    assert services.statements_generate_due() == 1
