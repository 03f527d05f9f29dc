"""The whole way of a villager on a phone: from the city's home page to the village
money, down to 平岗社区's project, its timeline and payments, then the original voucher
of a payment after the ID check; a person with a valid ID number who is not a member
of the collective is refused at the same check."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from funds.models import Stage, VoucherGrant, VoucherView
from tests.browser.test_vouchers import check_identity, no_sideways_scroll, phone
from tests.funds import conftest as funds_fixtures
from tests.funds.conftest import MEMBER_ID, OUTSIDER_ID
from tests.funds.test_projects_helpers import approved, pay
from tests.funds.test_vouchers_helpers import MEMBER_NAME, attach, make_entry, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The funds tests' fixtures, used here outside their folder.
money = funds_fixtures.money


@pytest.fixture
def paid_project(geo, personas, money, settings, tmp_path):
    """平岗社区文化广场改造, approved and paid once; the payment's ledger entry has its
    scanned invoice."""
    settings.MEDIA_ROOT = tmp_path
    project = approved(geo, personas, money)
    entry = make_entry(
        money.collective,
        money.accountant,
        number="记-2026-047",
        booked_on=timezone.localdate() - dt.timedelta(days=1),
        summary="支付文化广场改造工程进度款",
        amount=Decimal("48000.00"),
    )
    attach(
        entry, money.accountant, name="工程款发票.png", data=png_bytes(), content_type="image/png"
    )
    pay(project, money, 48_000, payee="成都市新津区建设工程有限责任公司", entry=entry)
    return project


def open_project_from_home(page, base: str, project) -> None:
    page.goto(f"{base}/")
    page.get_by_role("link", name="村级专项资金项目").click()
    page.wait_for_url("**/funds/projects/?region=510100000000")
    page.get_by_role("link", name=project.name).click()
    page.wait_for_url(f"**/funds/projects/{project.pk}/")


def test_a_villager_goes_from_the_city_page_to_a_voucher_and_a_stranger_is_refused(
    paid_project, money, live_server, browser, shot
):
    base = live_server.url
    villager = phone(browser)
    open_project_from_home(villager, base, paid_project)
    main = villager.locator("main")
    assert "项目进程" in main.inner_text()
    # The timeline: proposal and approval done, the payment has started implementation.
    stages = main.locator(".project-timeline > li")
    assert stages.count() >= 6
    assert "已完成" in stages.nth(0).inner_text() and "已完成" in stages.nth(1).inner_text()
    current = main.locator(".project-timeline > li[aria-current=step]")
    assert str(Stage.IMPLEMENTING.label) in current.inner_text()
    payments = main.locator(".payment-list").inner_text()
    assert "48000.00 元" in payments and "记-2026-047" in payments
    assert no_sideways_scroll(villager)
    shot(villager, "fund-project-timeline-phone")

    villager.get_by_role("link", name="查阅原始凭证（需身份证号核验）").click()
    collective = money.collective.pk
    villager.wait_for_url(f"**/funds/vouchers/access/{collective}/")
    check_identity(villager, MEMBER_NAME, MEMBER_ID)
    villager.wait_for_url(f"**/funds/vouchers/collective/{collective}/")
    listing = villager.locator("main").inner_text()
    assert "支付文化广场改造工程进度款" in listing and MEMBER_ID not in listing
    with villager.expect_response(lambda r: "/file/" in r.url) as opened:
        villager.get_by_role("link", name="查看凭证 1").first.click()
    response = opened.value
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    assert VoucherView.objects.get().voucher.entry.voucher_number == "记-2026-047"

    stranger = phone(browser)
    open_project_from_home(stranger, base, paid_project)
    stranger.get_by_role("link", name="查阅原始凭证（需身份证号核验）").click()
    stranger.wait_for_url(f"**/funds/vouchers/access/{collective}/")
    check_identity(stranger, "赵磊", OUTSIDER_ID)
    assert "不符" in stranger.get_by_role("alert").first.inner_text()
    shot(stranger, "fund-voucher-refused-phone")
    stranger.goto(f"{base}/funds/vouchers/collective/{collective}/")
    stranger.wait_for_url(f"**/funds/vouchers/access/{collective}/")
    assert VoucherGrant.objects.count() == 1  # the villager's only
    assert VoucherView.objects.count() == 1
