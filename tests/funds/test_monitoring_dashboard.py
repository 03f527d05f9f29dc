"""The monitoring dashboard /supervision/funds/ and an alert's page: who may look (the
county supervisor, the township's officials) and who gets a 404, filters, drill-down,
the XLSX export, a bounded number of queries, and an official's note."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from funds.models import Alert, AlertKind
from portal.models import AuditEntry, MembershipRole, UnitKind
from portal.services import people
from tests.conftest import PASSWORD
from tests.factories import RegionFactory, UnitFactory, UserFactory
from tests.funds.test_monitoring_helpers import at, make_entry, seed_alerts

pytestmark = pytest.mark.django_db

URL = "/supervision/funds/"


@pytest.fixture
def alerts(geo, personas, money):
    return seed_alerts(geo, personas, money)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def listed(response) -> set[int]:
    return {alert.pk for alert in response.context["page"].object_list}


# --- Who may look ------------------------------------------------------------------------


def test_county_supervisor_sees_the_county(client, personas, geo, alerts):
    response = login(client, personas.county_supervisor).get(URL)
    assert response.status_code == 200
    assert response.context["region"] == geo.county
    # Open alerts by default, the other county's not among them.
    assert listed(response) == {alerts["near"].pk, alerts["voucher"].pk}
    kinds = {kind: count for kind, _label, count in response.context["kinds"]}
    assert kinds[AlertKind.NEAR_BUDGET] == 1 and kinds[AlertKind.NO_VOUCHER] == 1
    assert kinds[AlertKind.STATEMENT_LATE] == 0
    # One row per township, with the chart.
    [township] = response.context["places"]
    assert township.code == geo.township.code and township.total == 2
    assert response.context["chart"].columns[0].value == 2
    page = response.content.decode()
    assert "<h1>新津区村级资金监管</h1>" in page
    # Drill-down to the project and to the collective.
    assert reverse("fund-project", args=[alerts["near"].project_id]) in page
    assert reverse("collective", args=[alerts["voucher"].collective_id]) in page
    assert reverse("funds-alert", args=[alerts["near"].pk]) in page


def test_township_official_sees_the_township_by_default(client, personas, geo, alerts):
    response = login(client, personas.township_official).get(URL)
    assert response.status_code == 200
    assert response.context["region"] == geo.township
    assert listed(response) == {alerts["near"].pk, alerts["voucher"].pk}
    # The breadcrumbs link the township and not the county above it.
    trail = dict((place.code, allowed) for place, allowed in response.context["trail"])
    assert trail[geo.township.code] and not trail[geo.county.code]
    assert (
        login(client, personas.township_official).get(URL, {"region": geo.village.code}).status_code
        == 200
    )


def test_accounting_centre_official_monitors_the_township(client, money, geo, alerts):
    response = login(client, money.accountant).get(URL)
    assert response.status_code == 200 and response.context["region"] == geo.township


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("other_county_official", None),
        ("other_county_official", "510118000000"),
        ("village_official", None),
        ("village_official", "510118001001"),
        ("resident", None),
        ("township_official", "510118000000"),  # the county around the township
        ("township_official", "510104020000"),
        ("county_supervisor", "510104000000"),
        ("county_supervisor", "51011800000x"),
    ],
)
def test_anyone_else_gets_a_404(client, personas, alerts, persona, code):
    query = {"region": code} if code else {}
    response = login(client, getattr(personas, persona)).get(URL, query)
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, alerts):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_platform_admin_sees_the_city(client, personas, geo, alerts):
    response = login(client, personas.platform_admin).get(URL)
    assert response.status_code == 200 and response.context["region"] == geo.city
    assert listed(response) == {alerts["near"].pk, alerts["voucher"].pk, alerts["elsewhere"].pk}


# --- Filters and export -------------------------------------------------------------------


def test_filters(client, personas, geo, alerts):
    client = login(client, personas.county_supervisor)

    def shown(**query):
        response = client.get(URL, query)
        assert response.status_code == 200
        return listed(response)

    assert shown(kind=AlertKind.NO_VOUCHER) == {alerts["voucher"].pk}
    assert shown(status="cleared") == {alerts["cleared"].pk}
    assert shown(status="all") == {a.pk for k, a in alerts.items() if k != "elsewhere"}
    assert shown(child=geo.township.code) == {alerts["near"].pk, alerts["voucher"].pk}
    assert shown(since="2026-11-01") == {alerts["near"].pk}
    assert shown(until="2026-10-31") == {alerts["voucher"].pk}
    assert shown(since="2026-10-20", until="2026-10-20") == {alerts["voucher"].pk}
    # A place that is not a child of this one is refused, and the rest of the filter kept.
    response = client.get(URL, {"child": geo.other_township.code, "kind": "near_budget"})
    assert response.context["form"].errors["child"]
    assert listed(response) == {alerts["near"].pk}
    # A reversed range is reported and left out.
    response = client.get(URL, {"since": "2026-11-01", "until": "2026-10-01"})
    assert response.context["form"].errors["until"]
    assert listed(response) == {alerts["near"].pk, alerts["voucher"].pk}


def test_village_page_has_no_child_places(client, personas, geo, alerts):
    response = login(client, personas.county_supervisor).get(URL, {"region": geo.village.code})
    assert response.status_code == 200
    assert response.context["places"] == [] and response.context["chart"] is None
    assert "child" not in response.context["form"].fields


def test_xlsx_export_of_the_filtered_list(client, personas, geo, alerts):
    response = login(client, personas.county_supervisor).get(
        URL, {"status": "all", "format": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("预警类型", "状态", "说明", "村（社区）")
    assert len(rows) == 1 + 3
    by_type = {row[0]: row for row in rows[1:]}
    assert by_type["拨付接近或达到预算"][5] == "平岗社区文化广场改造"
    assert by_type["月度财务未按时公开"][1] == "已消除"
    assert by_type["支出无原始凭证"][3] == "平岗社区"
    text = repr(rows)
    # No person: neither the handler's name nor the phone number typed in the note.
    assert "张伟" not in text and "13800138000" not in text
    assert "和平社区" not in text

    filtered = client.get(URL, {"kind": AlertKind.NO_VOUCHER, "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(filtered.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["支出无原始凭证"]


def test_outsider_gets_no_export(client, personas, alerts):
    response = login(client, personas.other_county_official).get(
        URL, {"region": "510118000000", "format": "xlsx"}
    )
    assert response.status_code == 404


# --- Queries ------------------------------------------------------------------------------


def test_queries_do_not_grow_with_alerts(
    client, personas, geo, money, alerts, django_assert_max_num_queries
):
    client = login(client, personas.county_supervisor)
    # Warm the session and the content types, then measure with a few and with many.
    client.get(URL)
    with django_assert_max_num_queries(12):
        client.get(URL)
    second = RegionFactory(code="510118002000", name="花源街道")
    for n in range(40):
        village = RegionFactory(code=f"510118002{n + 1:03d}", name=f"村{n}")
        entry = make_entry(money, booked_on=dt.date(2026, 9, 2), amount=100 + n)
        Alert.objects.create(
            kind=AlertKind.NO_VOUCHER,
            key=f"no_voucher:entry:{entry.pk}",
            collective=money.collective,
            entry=entry,
            region=village if n % 2 else geo.village,
            detail="记账凭证无原始凭证。",
            raised_at=at(2026, 10, 1),
        )
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.context["page"].paginator.count == 42
    assert {place.code for place in response.context["places"]} == {
        geo.township.code,
        second.code,
    }
    # The township's officials ask a few more (their units' grants), just as bounded.
    client = login(client, personas.township_official)
    client.get(URL)
    with django_assert_max_num_queries(18):
        response = client.get(URL)
    assert response.context["page"].paginator.count == 22


# --- An alert's page ---------------------------------------------------------------------


def test_alert_page_and_handling_note(client, personas, geo, alerts):
    alert = alerts["near"]
    url = reverse("funds-alert", args=[alert.pk])
    client = login(client, personas.township_official)
    response = client.get(url)
    assert response.status_code == 200
    assert reverse("fund-project", args=[alert.project_id]) in response.content.decode()

    response = client.post(url, {"note": "  "})
    assert response.status_code == 200 and response.context["form"].errors["note"]

    response = client.post(url, {"note": "已要求村委会暂停拨付，核对合同金额。"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.handling_note == "已要求村委会暂停拨付，核对合同金额。"
    assert alert.handled_by == personas.township_official and alert.handled_at
    assert alert.cleared_at is None  # only the scan clears it
    assert AuditEntry.objects.filter(object_id=str(alert.pk), action="change").exists()


def test_alert_page_is_a_404_for_outsiders(client, personas, alerts):
    url = reverse("funds-alert", args=[alerts["near"].pk])
    for persona in ("other_county_official", "village_official"):
        client = login(client, getattr(personas, persona))
        assert client.get(url).status_code == 404
        assert client.post(url, {"note": "试图处理"}).status_code == 404
    # The other county's alert is not the county supervisor's.
    client = login(client, personas.county_supervisor)
    assert client.get(reverse("funds-alert", args=[alerts["elsewhere"].pk])).status_code == 404
    alerts["near"].refresh_from_db()
    assert alerts["near"].handling_note == ""


def test_a_cleared_alert_takes_no_note(client, personas, alerts):
    alert = alerts["cleared"]
    client = login(client, personas.county_supervisor)
    url = reverse("funds-alert", args=[alert.pk])
    assert b"<form" not in client.get(url).content.split(b"<main")[-1]
    # Cleared while the note was being typed: the refusal is shown with the text kept.
    response = client.post(url, {"note": "补记"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "该预警已消除，无需再记录处理情况。" in page and "补记" in page
    alert.refresh_from_db()
    assert alert.handling_note == ""


def test_another_township_office_does_not_monitor_this_one(client, personas, geo, alerts):
    other_office = UnitFactory(
        name="锦江区春熙路街道办事处", kind=UnitKind.TOWNSHIP_OFFICE, region=geo.other_township
    )
    official = UserFactory(username="chunxi_official")
    people.membership_grant(
        user=official, unit=other_office, role=MembershipRole.EDITOR, actor=personas.platform_admin
    )
    client = login(client, official)
    response = client.get(URL)
    assert response.status_code == 200 and response.context["region"] == geo.other_township
    assert listed(response) == {alerts["elsewhere"].pk}
    assert client.get(URL, {"region": geo.township.code}).status_code == 404
