"""The alerts in the back office: read-only, scoped to the places a person monitors (the
same answer as the dashboards), linked to their page on the dashboard."""

import pytest
from django.urls import reverse

from funds.models import Alert, AlertKind
from tests.funds.test_monitoring_helpers import seed_alerts

pytestmark = pytest.mark.django_db

ALERTS = "/admin/funds/alert/"


@pytest.fixture
def alerts(geo, personas, money):
    return seed_alerts(geo, personas, money)


def test_county_supervisor_reads_the_county(client, personas, alerts):
    client.force_login(personas.county_supervisor)
    response = client.get(ALERTS)
    assert response.status_code == 200
    shown = {alert.pk for alert in response.context["cl"].result_list}
    assert shown == {alerts["near"].pk, alerts["voucher"].pk, alerts["cleared"].pk}
    change = client.get(f"{ALERTS}{alerts['near'].pk}/change/")
    assert change.status_code == 200
    assert reverse("funds-alert", args=[alerts["near"].pk]) in change.content.decode()
    # Outside the county: missing, as on every door.
    assert client.get(f"{ALERTS}{alerts['elsewhere'].pk}/change/").status_code == 404


def test_township_officials_read_their_township(client, personas, money, alerts):
    for user in (personas.township_official, money.accountant):
        client.force_login(user)
        shown = {a.pk for a in client.get(ALERTS).context["cl"].result_list}
        assert alerts["near"].pk in shown and alerts["elsewhere"].pk not in shown


def test_others_read_no_alert(client, personas, alerts):
    for user in (personas.village_official, personas.other_county_official):
        client.force_login(user)
        assert client.get(ALERTS).status_code == 403
        assert client.get(f"{ALERTS}{alerts['near'].pk}/change/").status_code == 404
    client.force_login(personas.village_official)
    assert "funds/alert" not in client.get("/admin/").content.decode()


def test_alerts_are_never_written_from_the_admin(client, personas, alerts):
    client.force_login(personas.platform_admin)
    alert = alerts["near"]
    assert client.get(f"{ALERTS}add/").status_code == 403
    response = client.post(
        f"{ALERTS}{alert.pk}/change/", {"kind": AlertKind.NO_VOUCHER, "detail": "改"}
    )
    assert response.status_code == 403
    assert client.get(f"{ALERTS}{alert.pk}/delete/").status_code == 403
    alert.refresh_from_db()
    assert alert.kind == AlertKind.NEAR_BUDGET and Alert.objects.count() == 4
