"""The ledger's back office: the centre's accountant books, corrects and attaches vouchers
(an entry is never changed), imports a workbook with a row-by-row report, keeps the
registers and generates statements; the village publishes them; everyone else reads
only what their scope allows.

Each POST starts from the form the page rendered, as a browser would send it."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from funds.models import (
    Collective,
    FixedAsset,
    LedgerEntry,
    LedgerImport,
    Member,
    MonthlyStatement,
    Voucher,
)
from funds.selectors import ledger as selectors
from portal.models import MembershipRole
from portal.services import people
from tests.factories import UserFactory
from tests.funds.conftest import OUTSIDER_ID
from tests.funds.test_ledger_helpers import (
    PNG,
    book,
    committee,
    day_in,
    docx,
    months_ago,
    row,
    workbook,
)

pytestmark = pytest.mark.django_db

ENTRIES = "/admin/funds/ledgerentry/"
IMPORTS = "/admin/funds/ledgerimport/"
STATEMENTS = "/admin/funds/monthlystatement/"
ASSETS = "/admin/funds/fixedasset/"
COLLECTIVES = "/admin/funds/collective/"
MEMBERS = "/admin/funds/member/"


class _FormReader(HTMLParser):
    """The values a browser would send back from the page's main form."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data[name] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_of(client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    reader = _FormReader()
    reader.feed(response.content.decode())
    reader.data.pop("csrfmiddlewaretoken", None)
    reader.data.pop("action", None)  # the changelist's action select, if any
    return reader.data


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def entry_fields(money, **over) -> dict[str, str]:
    fields = {
        "collective": str(money.collective.pk),
        "booked_on": day_in(months_ago(1)).isoformat(),
        "voucher_number": "记-2026-001",
        "summary": "支付村道维修款",
        "subject": "541",
        "direction": "expense",
        "amount": "8800.00",
        "counterparty": "新津路桥公司",
        "handler": "王建国",
        "approver": "李秀英",
        "reviewer": "邓监委",
    }
    fields.update(over)
    return fields


# ---------------------------------------------------------------------------
# Booking


def test_the_accountant_books_through_the_admin(client, money):
    client.force_login(money.accountant)
    data = form_of(client, ENTRIES + "add/")
    data.update(entry_fields(money))
    response = client.post(ENTRIES + "add/", data)
    assert response.status_code == 302, page_of(response)
    entry = LedgerEntry.objects.get()
    assert entry.amount == Decimal("8800.00") and entry.booked_by == money.accountant


def test_a_closed_month_is_a_form_error_and_nothing_typed_is_lost(client, money, personas, catalog):
    from tests.funds.test_ledger_helpers import publish

    publish(money, personas, months_ago(1))
    client.force_login(money.accountant)
    data = form_of(client, ENTRIES + "add/")
    data.update(entry_fields(money))
    page = page_of(client.post(ENTRIES + "add/", data))
    assert "已经公开" in page and "支付村道维修款" in page
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("who", ["village_official", "township_official", "other_county_official"])
def test_others_do_not_book(client, money, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(ENTRIES + "add/").status_code == 403
    response = client.post(ENTRIES + "add/", entry_fields(money))
    assert response.status_code == 403
    assert not LedgerEntry.objects.exists()


def test_who_reads_which_entries(client, money, personas):
    for n in range(3):
        book(money, voucher_number=f"记-{n:03d}")
    entry = LedgerEntry.objects.first()
    for who, sees in (
        (money.accountant, 3),
        (personas.village_official, 3),
        (personas.township_official, 3),
        (personas.county_supervisor, 3),
        (personas.other_county_official, 0),
    ):
        client.force_login(who)
        response = client.get(ENTRIES)
        assert response.status_code == 200
        assert response.context["cl"].queryset.count() == sees
        change = client.get(f"{ENTRIES}{entry.pk}/change/")
        assert change.status_code == (200 if sees else 404)


def test_the_entry_list_costs_the_same_however_long(client, money, django_assert_max_num_queries):
    client.force_login(money.accountant)
    for n in range(20):
        book(money, voucher_number=f"短-{n:03d}")
    # Most of a back-office page's queries are the sidebar asking every app's admins.
    with CaptureQueriesContext(connection) as short:
        assert client.get(ENTRIES).status_code == 200
    for n in range(80):
        book(money, voucher_number=f"长-{n:03d}", subject="522" if n % 2 else "541")
    with django_assert_max_num_queries(len(short)):
        assert client.get(ENTRIES).status_code == 200


# ---------------------------------------------------------------------------
# Never changed: corrected, with vouchers attached


def test_an_entry_cannot_be_changed_only_corrected(client, money):
    entry = book(money, voucher_number="记-100", amount=Decimal("1000"))
    client.force_login(money.accountant)
    url = f"{ENTRIES}{entry.pk}/change/"
    data = form_of(client, url)
    assert "amount" not in data and "summary" not in data
    data.update({"amount": "1.00", "summary": "改掉"})  # not fields of the form: ignored
    assert client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.amount == Decimal("1000.00") and entry.summary == "购买办公用品"
    assert not entry.corrections.exists()

    data = form_of(client, url)
    data.update(
        {
            "correct": "on",
            "reason": "金额多写一个0",
            "new_voucher_number": "记-101",
            "new_amount": "100",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302
    reversal, replacement = entry.corrections.order_by("pk")
    assert reversal.amount == Decimal("-1000.00") and replacement.amount == Decimal("100.00")
    assert replacement.voucher_number == "记-101" and replacement.summary == entry.summary
    # Reversed once: the page offers no second correction.
    assert "correct" not in form_of(client, url)


def test_a_correction_needs_its_box_ticked_and_a_reason(client, money):
    entry = book(money, voucher_number="记-200")
    client.force_login(money.accountant)
    url = f"{ENTRIES}{entry.pk}/change/"
    data = form_of(client, url)
    data.update({"reason": "错了"})
    assert "请勾选" in page_of(client.post(url, data))
    data = form_of(client, url)
    data.update({"correct": "on", "new_voucher_number": "记-200"})
    page = page_of(client.post(url, data))
    assert "请填写更正原因" in page
    data["reason"] = "科目错"
    assert "已经使用过" in page_of(client.post(url, data))
    assert LedgerEntry.objects.count() == 1


def test_vouchers_are_uploaded_on_the_entry_page_and_read_in_the_back_office(
    client, money, personas, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    entry = book(money)
    client.force_login(money.accountant)
    url = f"{ENTRIES}{entry.pk}/change/"
    data = form_of(client, url)
    data["voucher_file"] = SimpleUploadedFile("发票.pdf", docx())
    page = page_of(client.post(url, data))
    assert "不是扫描图片或 PDF" in page
    assert not Voucher.objects.exists()
    assert not any(path.is_file() for path in tmp_path.rglob("*"))

    data = form_of(client, url)
    data["voucher_file"] = SimpleUploadedFile("发票.png", PNG)
    assert client.post(url, data).status_code == 302
    voucher = Voucher.objects.get()
    page = page_of(client.get(url))
    assert voucher.file.name not in page and "发票.png" in page
    opened = client.get(f"{ENTRIES}{entry.pk}/vouchers/{voucher.pk}/")
    assert opened.status_code == 200 and b"".join(opened.streaming_content) == PNG
    assert opened["Content-Type"] == "image/png"
    assert opened["X-Content-Type-Options"] == "nosniff"
    client.force_login(personas.other_county_official)
    assert client.get(f"{ENTRIES}{entry.pk}/vouchers/{voucher.pk}/").status_code == 404


# ---------------------------------------------------------------------------
# Import


def test_a_workbook_with_a_bad_row_is_reported_row_by_row(client, money):
    client.force_login(money.accountant)
    data = form_of(client, IMPORTS + "add/")
    data["collective"] = str(money.collective.pk)
    data["file"] = SimpleUploadedFile(
        "凭证.xlsx", workbook([row(凭证号="导-1"), row(凭证号="导-2", 科目编号="888")])
    )
    response = client.post(IMPORTS + "add/", data, follow=True)
    page = page_of(response)
    record = LedgerImport.objects.get()
    assert response.redirect_chain[-1][0] == f"{IMPORTS}{record.pk}/change/"
    assert "未导入任何记录" in page and "科目编号" in page and "888" in page
    assert "<td>3</td>" in page
    assert not LedgerEntry.objects.exists()

    data = form_of(client, IMPORTS + "add/")
    data["collective"] = str(money.collective.pk)
    data["file"] = SimpleUploadedFile("凭证.xlsx", workbook([row(), row()]))
    page = page_of(client.post(IMPORTS + "add/", data, follow=True))
    assert "已导入 2 笔记账凭证" in page
    assert LedgerEntry.objects.count() == 2


def test_the_import_template_is_downloaded(client, money, personas):
    client.force_login(money.accountant)
    assert "template/" in page_of(client.get(IMPORTS))
    response = client.get(IMPORTS + "template/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    assert next(sheet.iter_rows(values_only=True))[0] == "日期"
    client.force_login(personas.village_official)
    assert client.get(IMPORTS + "template/").status_code == 404
    assert client.get(IMPORTS + "add/").status_code == 403


# ---------------------------------------------------------------------------
# Statements


def test_the_centre_generates_and_the_village_publishes(client, money, personas, catalog):
    from disclosure.models import PublishingSetting

    PublishingSetting.objects.create(unit=committee(money), requires_review=False)
    last = months_ago(1)
    book(money, booked_on=day_in(last))
    client.force_login(money.accountant)
    data = form_of(client, STATEMENTS + "add/")
    data.update(
        {"collective": str(money.collective.pk), "month": selectors.month_key(months_ago(0))}
    )
    assert "尚未结束" in page_of(client.post(STATEMENTS + "add/", data))
    data["month"] = selectors.month_key(last)
    assert client.post(STATEMENTS + "add/", data).status_code == 302
    statement = MonthlyStatement.objects.get()
    assert statement.figures["entry_count"] == 1
    assert "货币资金余额" in page_of(client.get(f"{STATEMENTS}{statement.pk}/change/"))

    # The accountant has no publish action; the village official has.
    action = {"action": "publish_selected", "_selected_action": [statement.pk]}
    client.post(STATEMENTS, action)
    statement.refresh_from_db()
    assert statement.published_at is None
    client.force_login(personas.village_official)
    response = client.post(STATEMENTS, action, follow=True)
    assert "已提交公开 1 个月份" in page_of(response)
    statement.refresh_from_db()
    assert statement.record.item.level2 == "财务收支明细"
    # Published: regenerating is refused with a message.
    client.force_login(money.accountant)
    page = page_of(
        client.post(
            STATEMENTS,
            {"action": "regenerate_selected", "_selected_action": [statement.pk]},
            follow=True,
        )
    )
    assert "已经公开，不能重新生成" in page


# ---------------------------------------------------------------------------
# Registers, collectives, members


def test_a_leased_asset_without_its_lease_is_a_form_error(client, money, personas):
    client.force_login(money.accountant)
    data = form_of(client, ASSETS + "add/")
    data.update(
        {
            "collective": str(money.collective.pk),
            "name": "村集体冻库",
            "category": "房屋",
            "value": "120000",
            "location": "平岗社区2组",
            "acquired_on": "2018-04-01",
            "status": "leased",
        }
    )
    page = page_of(client.post(ASSETS + "add/", data))
    assert "出租的资产请填写租期起始日期" in page
    data.update({"lessee": "成都冷链公司", "lease_start": "2026-01-01", "lease_end": "2027-12-31"})
    assert client.post(ASSETS + "add/", data).status_code == 302
    asset = FixedAsset.objects.get()
    assert asset.lessee == "成都冷链公司"
    client.force_login(personas.village_official)
    assert client.get(f"{ASSETS}{asset.pk}/change/").status_code == 200  # read only
    assert client.post(f"{ASSETS}{asset.pk}/change/", {"name": "改"}).status_code == 403


def test_the_centres_admin_opens_a_collective_and_members_are_registered(
    client, money, geo, personas
):
    centre_admin = UserFactory(username="centre_admin")
    people.membership_grant(
        user=centre_admin,
        unit=money.centre,
        role=MembershipRole.ADMIN,
        actor=personas.platform_admin,
    )
    client.force_login(centre_admin)
    data = form_of(client, COLLECTIVES + "add/")
    data.update(
        {
            "region": geo.village.code,
            "group_name": "2组",
            "name": "平岗社区2组经济合作社",
            "centre": str(money.centre.pk),
            "opened_on": "2022-01-01",
            "cash_float": "3000",
        }
    )
    assert client.post(COLLECTIVES + "add/", data).status_code == 302
    group = Collective.objects.get(group_name="2组")
    client.force_login(money.accountant)
    assert client.get(COLLECTIVES + "add/").status_code == 403
    data = form_of(client, MEMBERS + "add/")
    data.update(
        {
            "collective": str(group.pk),
            "real_name": "赵大爷",
            "id_number": OUTSIDER_ID,
            "registered_on": dt.date(2024, 5, 1).isoformat(),
        }
    )
    assert client.post(MEMBERS + "add/", data).status_code == 302
    member = Member.objects.get(collective=group)
    assert member.id_number_masked.startswith("510104") and "*" in member.id_number_masked
    page = page_of(client.get(f"{COLLECTIVES}{group.pk}/change/"))
    assert member.id_number_masked in page and OUTSIDER_ID not in page


def test_the_village_generates_its_own_statement_and_not_others(client, money, personas):
    client.force_login(personas.village_official)
    data = form_of(client, STATEMENTS + "add/")
    data.update(
        {"collective": str(money.collective.pk), "month": selectors.month_key(months_ago(1))}
    )
    assert client.post(STATEMENTS + "add/", data).status_code == 302
    assert MonthlyStatement.objects.filter(collective=money.collective).exists()
    client.force_login(personas.other_county_official)
    assert client.get(STATEMENTS + "add/").status_code == 403
