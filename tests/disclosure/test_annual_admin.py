"""The annual report in the back office, through the real admin views: the unit's editors
write the narrative and publish; others do not see it; a refusal is a form error and
nothing is written."""

import pytest

from disclosure.models import AnnualReport, PublishingSetting, Record, RecordStatus

pytestmark = pytest.mark.django_db

ADMIN = "/admin/disclosure/annualreport/"
ADD = f"{ADMIN}add/"


def form(unit, year=2025, **overrides):
    return {
        "unit": unit.pk,
        "year": year,
        "overall": "本年度主动公开政府信息。",
        "problems": "及时性有待提高。",
        "other": "",
        "workflow": "",
        **overrides,
    }


def test_editor_writes_and_publishes(client, geo, personas, catalog):
    unit = geo.township_office
    PublishingSetting.objects.update_or_create(unit=unit, defaults={"requires_review": False})
    client.force_login(personas.township_official)
    response = client.post(ADD, form(unit))
    assert response.status_code == 302, response.content.decode()[:3000]
    report = AnnualReport.objects.get(unit=unit, year=2025)
    assert report.overall == "本年度主动公开政府信息。" and report.record is None

    change = f"{ADMIN}{report.pk}/change/"
    page = client.get(change)
    assert page.status_code == 200 and "查看年度报告" in page.content.decode()
    response = client.post(change, {**form(unit), "workflow": "publish"})
    assert response.status_code == 302, response.content.decode()[:3000]
    report.refresh_from_db()
    assert report.record.status == RecordStatus.PUBLISHED and report.tables
    # Published: read-only from now on.
    assert not client.get(change).context["has_change_permission"]


def test_refusal_is_a_form_error_and_nothing_is_written(client, geo, personas, catalog):
    client.force_login(personas.village_official)
    unit = geo.village_committee
    response = client.post(ADD, form(unit, workflow="publish"))
    assert response.status_code == 200
    assert "没有“政府信息公开工作年度报告”事项" in response.content.decode()
    assert not AnnualReport.objects.exists() and not Record.objects.exists()
    response = client.post(ADD, form(unit, year=2026, workflow="publish"))
    assert "尚未结束" in response.content.decode()
    assert not AnnualReport.objects.exists()


def test_each_official_sees_their_units_reports(client, geo, personas):
    client.force_login(personas.township_official)
    client.post(ADD, form(geo.township_office))
    client.force_login(personas.village_official)
    client.post(ADD, form(geo.village_committee))
    assert AnnualReport.objects.count() == 2

    client.force_login(personas.village_official)
    listed = client.get(ADMIN).context["cl"].result_list
    assert [r.unit for r in listed] == [geo.village_committee]
    # Another unit's unit is not offered, and posting it is refused.
    response = client.post(ADD, form(geo.township_office, year=2024))
    assert response.status_code == 200
    assert not AnnualReport.objects.filter(year=2024).exists()

    client.force_login(personas.other_county_official)
    assert list(client.get(ADMIN).context["cl"].result_list) == []
    township = AnnualReport.objects.get(unit=geo.township_office)
    assert client.get(f"{ADMIN}{township.pk}/change/").status_code == 404

    client.force_login(personas.county_supervisor)
    listed = {r.unit for r in client.get(ADMIN).context["cl"].result_list}
    assert listed == {geo.township_office, geo.village_committee}
    page = client.get(f"{ADMIN}{township.pk}/change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]
