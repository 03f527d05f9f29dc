"""/supervision/audit/: a supervisor sees who viewed which voucher (residents masked,
officials by name and unit) and who changed which record, in their subtree only; an
outsider gets 404; the query count does not grow with the page size."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from funds.models import VoucherView
from funds.services import ledger as ledger_services
from funds.services import vouchers as voucher_services
from portal.models import AuditAction, AuditEntry, Residency
from portal.services import people
from tests.conftest import PASSWORD
from tests.funds.conftest import MEMBER_ID, money  # noqa: F401 - the funds fixture
from tests.funds.test_ledger_helpers import PNG, book

pytestmark = pytest.mark.django_db
URL = reverse("audit-supervision")


@pytest.fixture
def viewed(money, personas, settings, tmp_path):  # noqa: F811
    """A voucher of 平岗社区 viewed once by a member (ID-number grant) and once by the
    centre's accountant in the back office."""
    settings.MEDIA_ROOT = tmp_path
    voucher = ledger_services.voucher_attach(
        entry=book(money, amount=Decimal("88.00")), name="发票.png", data=PNG,
        actor=money.accountant,
    )  # fmt: skip
    grant, _token = voucher_services.voucher_access_request(
        collective=money.collective, name="王建国", id_number=MEMBER_ID, client="198.51.100.7"
    )
    voucher_services.voucher_view(voucher=voucher, grant=grant)
    voucher_services.voucher_view_by_official(voucher=voucher, official=money.accountant)
    return voucher


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_county_supervisor_sees_both_voucher_views(client, personas, money, viewed):  # noqa: F811
    page = _login(client, personas.county_supervisor).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "王** 510118********1314" in html  # the member, masked
    assert "王建国" not in html and MEMBER_ID not in html
    assert "罗会计" in html and money.centre.name in html  # the official, by name and unit
    assert viewed.original_name in html and money.collective.name in html
    assert html.count("<tr>") == 1 + 2


def test_an_official_view_in_the_back_office_is_logged(client, money, viewed):  # noqa: F811
    entry = viewed.entry
    before = VoucherView.objects.count()
    _login(client, money.accountant)
    url = reverse("admin:funds_ledgerentry_voucher", args=[entry.pk, viewed.pk])
    response = client.get(url)
    assert response.status_code == 200
    view = VoucherView.objects.latest("id")
    assert VoucherView.objects.count() == before + 1
    assert (view.official, view.unit, view.grant, view.viewer) == (
        money.accountant,
        money.centre,
        None,
        "罗会计",
    )


def test_record_changes_with_fields_and_no_clear_personal_data(client, personas, geo):
    # A residency verified by the village official: the audit row names the resident.
    residency = Residency.objects.get(user=personas.resident)
    AuditEntry.objects.create(
        actor=personas.village_official,
        action=AuditAction.VERIFY,
        content_type=ContentType.objects.get_for_model(Residency),
        object_id=str(residency.pk),
        object_repr=str(residency),
        unit=geo.village_committee,
        region_code=geo.village.code,
        changes={"status": ["pending", "verified"], "note": ["", "电话 13812345678"]},
    )
    html = _login(client, personas.county_supervisor).get(URL, {"tab": "changes"})
    html = html.content.decode()
    assert "李秀英" in html  # who: the official, by name
    assert "核实" in html  # the action
    assert "杨** · 平岗社区" in html and "杨桂芳" not in html  # the resident, masked
    assert "状态" in html and "pending → verified" in html  # the field that changed
    assert "138****5678" in html and "13812345678" not in html
    # The grant rows of the personas fixture are there too, in the county's subtree.
    assert "授权" in html


def test_filters_by_action_person_unit_and_dates(client, personas, geo):
    supervisor = _login(client, personas.county_supervisor)
    base = {"tab": "changes"}
    everything = AuditEntry.objects.filter(region_code__startswith="510118").count()
    assert everything > 0

    def rows(**query):
        html = supervisor.get(URL, {**base, **query}).content.decode()
        return html.count("<tr>") - 1 if "<table" in html else 0

    assert rows() == everything
    assert (
        rows(action=AuditAction.GRANT)
        == AuditEntry.objects.filter(
            region_code__startswith="510118", action=AuditAction.GRANT
        ).count()
    )
    assert rows(person=personas.platform_admin.username) == everything  # he granted all
    assert rows(person="没有这个人") == 0
    assert (
        rows(unit=geo.village_committee.pk)
        == AuditEntry.objects.filter(unit=geo.village_committee).count()
    )
    today = timezone.localdate()
    assert rows(since=today.isoformat(), until=today.isoformat()) == everything
    assert rows(until=(today - dt.timedelta(days=1)).isoformat()) == 0
    reversed_range = supervisor.get(
        URL, {**base, "since": today.isoformat(), "until": "2020-01-01"}
    ).content.decode()
    assert "结束日期不能早于开始日期" in reversed_range


def test_outsiders_get_404(client, personas, geo, viewed):
    for user in (personas.other_county_official, personas.village_official, personas.resident):
        client.logout()
        assert _login(client, user).get(URL).status_code == 404, user
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page
    # A supervisor of 新津区 asking for another county.
    supervisor = _login(client, personas.county_supervisor)
    assert supervisor.get(URL, {"region": geo.other_county.code}).status_code == 404
    # Of a place inside: allowed, and only what lies inside it.
    inside = supervisor.get(URL, {"region": geo.village.code})
    assert inside.status_code == 200


def test_a_supervisor_of_another_county_sees_none_of_it(client, personas, geo, viewed):
    other = personas.other_county_official
    people.supervisor_grant(user=other, region=geo.other_county, actor=personas.platform_admin)
    html = _login(client, other).get(URL).content.decode()
    assert "没有符合条件的查阅记录" in html
    assert viewed.original_name not in html


def test_query_count_does_not_grow_with_the_page_size(
    client,
    personas,
    money,  # noqa: F811
    viewed,
    settings,
    django_assert_num_queries,  # noqa: F811
):
    for _ in range(6):
        voucher_services.voucher_view_by_official(voucher=viewed, official=money.accountant)
    supervisor = _login(client, personas.county_supervisor)
    supervisor.get(URL)  # the session and the user's scopes, read once
    counts = {}
    for tab in ("views", "changes"):
        for size in (2, 8):
            settings.PORTAL_AUDIT_PAGE_SIZE = size
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                response = supervisor.get(URL, {"tab": tab})
            assert response.status_code == 200
            counts[tab, size] = len(queries)
        assert counts[tab, 2] == counts[tab, 8], counts
    print(f"queries per page (tab, page size): {counts}")  # noqa: T201 - for the record
    assert counts["views", 8] <= 12, counts
