"""alert_handle: an official of the place notes what was done (audited); outsiders are
refused, a cleared alert takes no note, a note is required and bounded. And the scan
writes its details in the site's language whoever runs it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from funds.models import Alert, AlertKind
from funds.services.monitoring import alert_handle, alerts_scan
from portal.models import AuditEntry
from portal.services.errors import Conflict, NotAllowed
from tests.funds.test_monitoring_helpers import at, make_project, seed_alerts

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(geo, personas, money):
    return seed_alerts(geo, personas, money)


def test_township_official_notes_what_was_done(personas, alerts):
    alert = alert_handle(
        alert=alerts["near"],
        note=" 已约谈村委会主任，暂停后续拨付。 ",
        actor=personas.township_official,
        now=at(2026, 11, 3, 10),
    )
    assert alert.handling_note == "已约谈村委会主任，暂停后续拨付。"
    assert alert.handled_by == personas.township_official
    assert alert.handled_at == at(2026, 11, 3, 10) and alert.cleared_at is None
    entry = AuditEntry.objects.get(object_id=str(alert.pk), action="change")
    assert entry.actor == personas.township_official
    assert entry.region_code == alert.region_id
    assert entry.changes == {"handling_note": ["", "已约谈村委会主任，暂停后续拨付。"]}

    # A later note replaces it; the trail keeps both.
    alert_handle(alert=alert, note="已补齐合同，恢复拨付。", actor=personas.county_supervisor)
    alert.refresh_from_db()
    assert alert.handling_note == "已补齐合同，恢复拨付。"
    assert AuditEntry.objects.filter(object_id=str(alert.pk), action="change").count() == 2


@pytest.mark.parametrize("persona", ["village_official", "other_county_official", "resident"])
def test_outsiders_are_refused(personas, alerts, persona):
    with pytest.raises(NotAllowed):
        alert_handle(alert=alerts["near"], note="处理", actor=getattr(personas, persona))
    alerts["near"].refresh_from_db()
    assert alerts["near"].handling_note == ""
    assert not AuditEntry.objects.filter(object_id=str(alerts["near"].pk)).exists()


def test_a_cleared_alert_and_a_bad_note_are_refused(personas, alerts):
    with pytest.raises(Conflict):
        alert_handle(alert=alerts["cleared"], note="补记", actor=personas.county_supervisor)
    for note in ("", "   ", "很" * 301):
        with pytest.raises(ValidationError) as refused:
            alert_handle(alert=alerts["near"], note=note, actor=personas.county_supervisor)
        assert "note" in refused.value.message_dict


def test_details_are_written_in_the_sites_language(geo, personas, money):
    make_project(geo, personas, money, disbursed=100_000)
    with translation.override("en"):
        alerts_scan(now=at(2026, 11, 2))
    alert = Alert.objects.get(kind=AlertKind.NEAR_BUDGET)
    assert "已达预算" in alert.detail
