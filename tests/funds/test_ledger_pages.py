"""The public ledger pages: collectives inside a place with their latest published month;
one collective's published statements, the entries of a chosen published month (people
masked), its registers, and the way to the vouchers, never a voucher's own address."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from funds.models import Collective
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

LIST = "/funds/collectives/"


def detail(collective, **query) -> str:
    url = reverse("collective", args=[collective.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def published(money, personas, catalog, settings, tmp_path):
    """Last month published (with a person as counterparty and a voucher attached), the
    month before booked but not published, and the registers."""
    settings.MEDIA_ROOT = tmp_path
    last, prior = months_ago(1), months_ago(2)
    hidden = book(money, booked_on=day_in(prior), summary="未公开月份的支出")
    shown = book(
        money,
        booked_on=day_in(last),
        summary="支付保洁费 联系电话13812345678",
        counterparty="刘德华",
        counterparty_is_person=True,
        amount=Decimal("1234.50"),
    )
    voucher = services.voucher_attach(
        entry=shown, name="保洁费发票.png", data=PNG, actor=money.accountant
    )
    services.statement_generate(collective=money.collective, month=prior)
    statement = publish(money, personas, last)
    services.asset_register(
        collective=money.collective,
        name="村委会办公楼",
        category="房屋",
        value=Decimal("1500000"),
        location="平岗社区",
        acquired_on=dt.date(2010, 5, 1),
        status="leased",
        lessee="周杰伦",
        lessee_is_person=True,
        lease_start=dt.date(2025, 1, 1),
        lease_end=dt.date(2027, 12, 31),
        annual_rent=Decimal("24000"),
        actor=money.accountant,
    )
    services.resource_register(
        collective=money.collective,
        kind="land",
        name="二组机动地",
        area=Decimal("15.5"),
        holder="陈奕迅",
        holder_is_person=True,
        term_start=dt.date(2020, 1, 1),
        term_end=dt.date(2029, 12, 31),
        annual_rent=Decimal("9000"),
        actor=money.accountant,
    )
    return {"statement": statement, "shown": shown, "hidden": hidden, "voucher": voucher}


def test_collectives_inside_a_place_with_their_latest_month(
    client, money, geo, published, django_assert_max_num_queries
):
    Collective.objects.create(
        region=geo.village,
        group_name="5组",
        name="平岗社区5组",
        centre=money.centre,
        opened_on=dt.date(2021, 1, 1),
    )
    with django_assert_max_num_queries(6):
        response = client.get(LIST, {"region": geo.county.code})
    assert response.status_code == 200
    page = response.content.decode()
    assert "平岗社区股份经济合作社" in page and "平岗社区5组" in page
    assert selectors.month_key(months_ago(1)) in page
    assert "尚未公开月度财务" in page
    assert client.get(LIST, {"region": geo.other_county.code}).context["page"].paginator.count == 0
    assert client.get(LIST, {"region": "510118999999"}).status_code == 404


def test_a_collective_shows_its_published_month(
    client, money, published, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client.get(detail(money.collective))
    assert response.status_code == 200
    page = response.content.decode()
    assert "支付保洁费" in page and "13812345678" not in page
    assert "刘**" in page and "刘德华" not in page
    assert "王**" in page and "王建国" not in page
    assert "1,234.50" in page
    assert "未公开月份的支出" not in page
    # The registers, holders who are people masked.
    assert "村委会办公楼" in page and "周**" in page and "周杰伦" not in page
    assert "二组机动地" in page and "陈**" in page and "陈奕迅" not in page
    # The way to the vouchers, never a voucher's own address.
    assert reverse("voucher-access", args=[money.collective.pk]) in page
    assert "查阅原始凭证（需身份证号核验）" in page
    voucher = published["voucher"]
    assert voucher.file.name not in page and voucher.token not in page
    assert "private/vouchers" not in page and "保洁费发票" not in page
    # The record is out: linked.
    assert reverse("record", args=[published["statement"].record_id]) in page


def test_only_published_months_can_be_opened(client, money, published):
    last = selectors.month_key(months_ago(1))
    assert client.get(detail(money.collective, month=last)).status_code == 200
    assert (
        client.get(detail(money.collective, month=selectors.month_key(months_ago(2)))).status_code
        == 404
    )
    assert client.get(detail(money.collective, month="2026-13")).status_code == 404
    assert client.get(detail(money.collective, month="nonsense")).status_code == 404


def test_a_statement_in_review_says_so(client, money, personas, catalog):
    book(money, booked_on=day_in(months_ago(1)))
    publish(money, personas, months_ago(1), review=True)
    page = client.get(detail(money.collective)).content.decode()
    assert "正在审核" in page


def test_a_collective_with_nothing_published(client, money):
    book(money, booked_on=day_in(months_ago(1)), summary="尚未公开")
    page = client.get(detail(money.collective)).content.decode()
    assert "尚未公开月度财务收支" in page and "尚未公开</td>" not in page
    assert client.get("/funds/collectives/999999/").status_code == 404


def test_entries_of_a_month_are_paged_with_bounded_queries(
    client, money, personas, catalog, django_assert_max_num_queries
):
    last = months_ago(1)
    for n in range(60):
        book(money, booked_on=day_in(last, 1 + n % 27), voucher_number=f"批-{n:03d}")
    publish(money, personas, last)
    with django_assert_max_num_queries(8):
        first = client.get(detail(money.collective))
    assert first.context["entries"].paginator.count == 60
    assert len(first.context["rows"]) == 50
    with django_assert_max_num_queries(8):
        second = client.get(detail(money.collective, month=selectors.month_key(last), page=2))
    assert len(second.context["rows"]) == 10
