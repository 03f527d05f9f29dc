"""GET /api/v1/ledger-entries/: published months only, people masked, no voucher files,
400 for a bad month or an unknown collective, paginated with bounded queries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from funds.selectors import ledger as selectors
from funds.services import ledger as services
from tests.funds.test_ledger_helpers import (
    PNG,
    book,
    day_in,
    months_ago,
    publish,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/ledger-entries/"


@pytest.fixture
def months(money, personas, catalog, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    last, prior = months_ago(1), months_ago(2)
    book(money, booked_on=day_in(prior), summary="未公开")
    entry = book(
        money,
        booked_on=day_in(last),
        voucher_number="记-088",
        summary="收取鱼塘承包费",
        subject="511",
        direction="income",
        amount=Decimal("6000"),
        counterparty="欧阳娜娜",
        counterparty_is_person=True,
    )
    book(
        money,
        booked_on=day_in(last, 9),
        summary="支付电费",
        counterparty="国网四川省电力公司",
        amount=Decimal("321.09"),
    )
    services.voucher_attach(entry=entry, name="收据.png", data=PNG, actor=money.accountant)
    services.statement_generate(collective=money.collective, month=prior)
    publish(money, personas, last)
    return {"last": selectors.month_key(last), "prior": selectors.month_key(prior)}


def test_a_published_month_lists_its_entries_masked(api, money, months):
    response = api.get(URL, {"collective": money.collective.pk, "month": months["last"]})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first, second = body["results"]
    assert first["voucher_number"] == "记-088"
    assert first["summary"] == "收取鱼塘承包费"
    assert first["amount"] == "6000.00"
    assert first["subject"] == {"code": "511", "name": "发包及上交收入"}
    assert first["category"] == "income"
    assert first["direction"] == "income"
    assert first["counterparty"] == "欧***"
    assert first["handler"] == "王**"
    assert first["voucher_count"] == 1
    assert second["counterparty"] == "国网四川省电力公司"
    text = response.content.decode()
    assert "欧阳娜娜" not in text and "王建国" not in text
    assert "private/vouchers" not in text and "file" not in first


def test_an_unpublished_month_lists_nothing(api, money, months):
    for month in (months["prior"], selectors.month_key(months_ago(0)), "2019-01"):
        response = api.get(URL, {"collective": money.collective.pk, "month": month})
        assert response.status_code == 200
        assert response.json()["count"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"month": "2026-11"}, "collective"),
        ({"collective": "x", "month": "2026-11"}, "collective"),
        ({"collective": 999999, "month": "2026-11"}, "collective"),
        ({"collective": "COLLECTIVE"}, "month"),
        ({"collective": "COLLECTIVE", "month": "2026-13"}, "month"),
        ({"collective": "COLLECTIVE", "month": "11/2026"}, "month"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, money, query, field):
    query = {k: (money.collective.pk if v == "COLLECTIVE" else v) for k, v in query.items()}
    response = api.get(URL, query)
    assert response.status_code == 400
    assert field in response.json()


def test_the_list_is_paginated_with_bounded_queries(
    api, money, personas, catalog, django_assert_max_num_queries
):
    last = months_ago(1)
    for n in range(70):
        book(money, booked_on=day_in(last, 1 + n % 27), voucher_number=f"批-{n:03d}")
    publish(money, personas, last)
    query = {"collective": money.collective.pk, "month": selectors.month_key(last)}
    with django_assert_max_num_queries(4):
        response = api.get(URL, query)
    body = response.json()
    assert body["count"] == 70 and len(body["results"]) == 50 and body["next"]
    with django_assert_max_num_queries(4):
        rest = api.get(URL, {**query, "page": 2}).json()
    assert len(rest["results"]) == 20


def test_the_schema_documents_the_endpoint(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/ledger-entries/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"collective", "month", "page"} <= names
    assert "lists nothing" in operation["description"]
