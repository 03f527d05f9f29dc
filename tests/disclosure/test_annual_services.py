"""Writing and publishing the annual report: narrative, frozen tables, the unit's review."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from disclosure.annual import selectors, services
from disclosure.annual.tables import report_tables
from disclosure.models import (
    AnnualReport,
    AnnualReportStatus,
    PublishingSetting,
    Record,
    RecordStatus,
)
from portal.models import AuditEntry
from portal.services.errors import Conflict, NotAllowed
from tests.disclosure.annual_fixtures import (  # noqa: F401 (fixtures)
    make_request,
    township_reviewer_fixture,
)

pytestmark = pytest.mark.django_db

D = dt.date
NARRATIVE = {
    "overall": "2025年，本街道认真贯彻《中华人民共和国政府信息公开条例》。\n主动公开信息120条。",
    "problems": "公开内容的及时性有待提高。",
    "other": "",
}


def write(unit, actor, year=2025, **extra):
    return services.annual_report_save(unit=unit, year=year, actor=actor, **{**NARRATIVE, **extra})


def no_review(unit):
    PublishingSetting.objects.update_or_create(unit=unit, defaults={"requires_review": False})


def cell(tables, row, column="total"):
    return next(r for r in tables["table3"]["rows"] if r["key"] == row)["values"][column]


def test_narrative_is_saved_and_audited(geo, personas):
    report = write(geo.township_office, personas.township_official)
    assert report.status == AnnualReportStatus.DRAFT and report.tables == {}
    assert report.overall.startswith("2025年") and report.updated_by == personas.township_official
    assert AuditEntry.objects.filter(object_id=str(report.pk), action="create").exists()
    report = write(geo.township_office, personas.township_official, problems="改进了。")
    assert AnnualReport.objects.count() == 1 and report.problems == "改进了。"


def test_only_the_units_editors_write(geo, personas):
    for outsider in (personas.other_county_official, personas.citizen, personas.county_supervisor):
        with pytest.raises(NotAllowed):
            write(geo.township_office, outsider)
    assert not AnnualReport.objects.exists()


def test_year_must_be_reportable(geo, personas):
    with pytest.raises(ValidationError) as info:
        write(geo.township_office, personas.township_official, year=2031)
    assert "year" in info.value.message_dict


def test_publish_freezes_the_tables_into_a_record(geo, personas, catalog):
    unit, editor = geo.township_office, personas.township_official
    no_review(unit)
    make_request(unit, received=D(2025, 12, 28), replied=D(2026, 1, 8), outcome="partial")
    make_request(unit, received=D(2025, 3, 2), replied=D(2025, 3, 20), outcome="public")
    write(unit, editor)
    report = services.annual_report_publish(unit=unit, year=2025, actor=editor)

    assert report.status == AnnualReportStatus.PUBLISHED
    assert selectors.state_of(report) == selectors.PUBLISHED
    record = Record.objects.get(pk=report.record_id)
    assert record.status == RecordStatus.PUBLISHED
    assert "年度报告" in record.item.level2 and record.unit == unit
    assert record.title == "新津区五津街道办事处2025年政府信息公开工作年度报告"
    assert record.period_start == D(2025, 1, 1) and record.period_end == D(2025, 12, 31)
    assert "<table>" in record.body and "一、本年新收政府信息公开申请数量" in record.body
    assert "二、主动公开政府信息情况" in record.body and "结果维持" in record.body
    assert "主动公开信息120条" in record.body
    assert report.published_at == record.published_at
    frozen = report.tables
    assert cell(frozen, "new") == 2 and cell(frozen, "carried_forward") == 1
    assert frozen["table3"]["check_holds"]
    assert AuditEntry.objects.filter(object_id=str(report.pk), action="publish").exists()

    # Later data changes the live figures, not the published report.
    make_request(unit, received=D(2025, 6, 1), replied=D(2025, 6, 9), outcome="public")
    assert cell(report_tables(unit, 2025), "new") == 3
    report.refresh_from_db()
    assert report.tables == frozen and cell(report.tables, "new") == 2
    view = selectors.report_view(personas.citizen, unit, 2025)
    assert view.is_public and cell(view.tables, "new") == 2

    # Published means frozen: no more edits, no second publication.
    with pytest.raises(Conflict):
        write(unit, editor)
    with pytest.raises(Conflict):
        services.annual_report_publish(unit=unit, year=2025, actor=editor)


def test_review_setting_applies(geo, personas, catalog, township_reviewer):
    unit, editor = geo.township_office, personas.township_official
    PublishingSetting.objects.update_or_create(unit=unit, defaults={"requires_review": True})
    write(unit, editor)
    report = services.annual_report_publish(unit=unit, year=2025, actor=editor)
    assert selectors.state_of(report) == selectors.IN_REVIEW
    assert report.record.status == RecordStatus.IN_REVIEW and report.tables
    # Not public yet; the author cannot approve it.
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.report_view(personas.citizen, unit, 2025)
    with pytest.raises(NotAllowed):
        services.annual_report_approve(report=report, actor=editor)
    with pytest.raises(Conflict):
        write(unit, editor)

    # Returned with a note: editable again, and publishing resubmits the same record.
    with pytest.raises(ValidationError):
        services.annual_report_return(report=report, actor=township_reviewer, note=" ")
    report = services.annual_report_return(
        report=report, actor=township_reviewer, note="请补充平台建设情况"
    )
    assert selectors.state_of(report) == selectors.RETURNED
    record_id = report.record_id
    report = write(unit, editor, overall="补充了平台建设情况。")
    assert report.status == AnnualReportStatus.DRAFT and report.tables == {}
    report = services.annual_report_publish(unit=unit, year=2025, actor=editor)
    assert report.record_id == record_id and report.record.status == RecordStatus.IN_REVIEW
    assert "补充了平台建设情况" in report.record.body

    report = services.annual_report_approve(report=report, actor=township_reviewer)
    assert selectors.state_of(report) == selectors.PUBLISHED
    assert report.published_at is not None
    assert selectors.report_view(personas.citizen, unit, 2025).is_public


def test_unit_without_a_report_item_is_refused(geo, personas, catalog):
    unit, official = geo.village_committee, personas.village_official
    write(unit, official)
    with pytest.raises(Conflict) as info:
        services.annual_report_publish(unit=unit, year=2025, actor=official)
    assert "没有“政府信息公开工作年度报告”事项" in info.value.messages[0]
    assert not Record.objects.exists()


def test_publishing_needs_a_finished_year_and_the_narrative(geo, personas, catalog):
    unit, editor = geo.township_office, personas.township_official
    no_review(unit)
    write(unit, editor, year=2026)
    with pytest.raises(Conflict) as info:
        services.annual_report_publish(unit=unit, year=2026, actor=editor)
    assert "尚未结束" in info.value.messages[0]
    with pytest.raises(Conflict) as info:
        services.annual_report_publish(unit=unit, year=2024, actor=editor)
    assert "总体情况" in info.value.messages[0]
    with pytest.raises(NotAllowed):
        services.annual_report_publish(unit=unit, year=2025, actor=personas.other_county_official)
    assert not Record.objects.exists()


def test_publishing_is_refused_when_the_check_fails(geo, personas, catalog):
    unit, editor = geo.township_office, personas.township_official
    no_review(unit)
    request = make_request(unit, received=D(2025, 3, 2), replied=D(2025, 3, 10), outcome="public")
    request.replied_at = request.replied_at.replace(year=2024)
    request.save(update_fields=["replied_at"])
    write(unit, editor)
    with pytest.raises(Conflict) as info:
        services.annual_report_publish(unit=unit, year=2025, actor=editor)
    assert "勾稽关系" in info.value.messages[0]
    assert not Record.objects.exists()
