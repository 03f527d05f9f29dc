"""Every write of annual reports: the narrative, publishing, and the reviewer's answer.

A report starts as a draft showing live figures. The unit's editors write the narrative
parts (一、五、六). Publishing freezes tables 二–四 into `tables` and publishes the whole
report as a record of the unit's catalog item 政府信息公开工作年度报告 through the
disclosure services, so the unit's review setting applies: with review on, the record
waits for a reviewer (approve or return, here or in the records' back office); once it is
out the report is public and never changes. A returned or withdrawn report becomes a
draft again when its narrative is edited, and publishing it again recomputes the tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from disclosure import catalogs
from disclosure import services as disclosure
from disclosure.annual import layout, permissions, selectors
from disclosure.annual.tables import FIRST_YEAR, PARTS, is_reportable_year, report_tables
from disclosure.models import AnnualReport, AnnualReportStatus, CatalogItem, RecordStatus
from portal.models import AuditAction, Unit
from portal.services.audit import audit_record, diff, snapshot
from portal.services.errors import Conflict, NotAllowed

NARRATIVE_FIELDS = ["overall", "problems", "other"]
NARRATIVE_MAX_CHARS = 20000


def report_item(unit: Unit) -> CatalogItem | None:
    """The unit's catalog item for the annual report (政府信息公开工作年度报告)."""
    items = catalogs.items_for_unit(unit)
    return (
        items.filter(level2__contains="政府信息公开工作年度报告").first()
        or items.filter(level2__contains=selectors.REPORT_ITEM_WORD).first()
    )


def _check_year(year: int) -> None:
    if not is_reportable_year(year):
        raise ValidationError(
            {
                "year": [
                    _("年度应在 %(first)s 年至今年之间。") % {"first": FIRST_YEAR},
                ]
            }
        )


def _locked_report(unit: Unit, year: int) -> AnnualReport | None:
    return (
        AnnualReport.objects.select_for_update(of=("self",))
        .select_related("record", "unit", "unit__region")
        .filter(unit=unit, year=year)
        .first()
    )


@transaction.atomic
def annual_report_save(
    *,
    unit: Unit,
    year: int,
    actor: Any,
    overall: str,
    problems: str,
    other: str,
) -> AnnualReport:
    """Write the narrative of a draft (creating the draft on first save). A report that
    was returned or withdrawn becomes a draft again; one handed in or out is frozen."""
    if not permissions.can_edit_report(actor, unit):
        raise NotAllowed(_("只有本单位的信息员或管理员可以编辑年度报告。"))
    _check_year(year)
    values = {"overall": overall, "problems": problems, "other": other}
    errors = {
        field: [_("内容过长，请控制在 %(n)s 字以内。") % {"n": NARRATIVE_MAX_CHARS}]
        for field, text in values.items()
        if len(text or "") > NARRATIVE_MAX_CHARS
    }
    if errors:
        raise ValidationError(errors)
    # The first save of two at once: one creates the row, the other finds it (unique).
    _report, created = AnnualReport.objects.get_or_create(unit=unit, year=year)
    report = _locked_report(unit, year)
    state = selectors.state_of(report)
    if state not in selectors.EDITABLE_STATES:
        raise Conflict(
            _("年度报告已提交审核，等待审核期间不能修改。")
            if state == selectors.IN_REVIEW
            else _("年度报告已经发布，不能再修改。")
        )
    before = {} if created else snapshot(report, [*NARRATIVE_FIELDS, "status"])
    for field, text in values.items():
        setattr(report, field, (text or "").replace("\r\n", "\n").strip())
    if report.status == AnnualReportStatus.PUBLISHED:
        # Returned by the reviewer or withdrawn: a draft again, figures live again.
        report.status = AnnualReportStatus.DRAFT
        report.tables = {}
        report.published_at = None
    report.updated_by = actor
    report.save()
    changes = diff(before, snapshot(report, [*NARRATIVE_FIELDS, "status"]))
    if created or changes:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.CHANGE,
            obj=report,
            unit=unit,
            changes=changes,
        )
    return report


def record_title(unit: Unit, year: int) -> str:
    return f"{unit.name}{year}年政府信息公开工作年度报告"[:200]


def record_body(report: AnnualReport, tables: dict[str, Any]) -> str:
    """The whole report as HTML (headings, paragraphs and the three tables), in the
    portal's language whoever publishes it."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "disclosure/annual/record_body.html",
            {
                "narrative": layout.narrative(report),
                "grids": layout.grids(tables),
                "parts": {key: str(label) for key, label in PARTS.items()},
            },
        )


def publish_refusal(
    report: AnnualReport | None,
    unit: Unit,
    year: int,
    actor: Any,
    *,
    tables: dict[str, Any] | None = None,
) -> str | None:
    """Why `actor` may not publish this report now, or None. No writes: the page asks this
    before it offers the button (passing the live tables it shows)."""
    if not permissions.can_edit_report(actor, unit):
        return _("只有本单位的信息员或管理员可以发布年度报告。")
    if year >= timezone.localdate().year:
        return _("%(year)s 年度尚未结束，年度结束后才能发布该年度的年度报告。") % {"year": year}
    state = selectors.state_of(report)
    if state == selectors.IN_REVIEW:
        return _("年度报告已提交审核，请等待本单位审核员审核。")
    if state == selectors.PUBLISHED:
        return _("该年度的年度报告已经发布。")
    if report is None or not report.overall or not report.problems:
        return _("请先填写“一、总体情况”和“五、存在的主要问题及改进情况”。")
    if report_item(unit) is None:
        return _(
            "本单位的标准目录中没有“政府信息公开工作年度报告”事项，无法发布年度报告。"
            "请联系平台管理员核对本单位的类型和目录。"
        )
    if tables is not None and not tables["table3"]["check_holds"]:
        return _(
            "表三的勾稽关系不成立（第一项加第二项之和应等于第三项加第四项之和），"
            "请先核对本年度的依申请公开办理数据。"
        )
    return None


@transaction.atomic
def annual_report_publish(*, unit: Unit, year: int, actor: Any) -> AnnualReport:
    """Freeze the tables and publish the report as a record of the unit's 年度报告 item.
    With the unit's review setting on, the record waits for a reviewer."""
    if not permissions.can_edit_report(actor, unit):
        raise NotAllowed(_("只有本单位的信息员或管理员可以发布年度报告。"))
    _check_year(year)
    report = _locked_report(unit, year)
    with translation.override(settings.LANGUAGE_CODE):
        tables = report_tables(unit, year)
    refusal = publish_refusal(report, unit, year, actor, tables=tables)
    if refusal:
        raise Conflict(refusal)
    item = report_item(unit)
    body = record_body(report, tables)
    title = record_title(unit, year)
    record = report.record
    if record is not None and record.status == RecordStatus.DRAFT:
        # Returned by the reviewer: the same record, with the new text, goes back.
        record = disclosure.record_update(record=record, actor=actor, title=title, body=body)
    else:
        # A yearly item's period is the year reported on.
        extra = {"period_start": dt.date(year, 1, 1)} if item.is_periodic else {}
        record = disclosure.record_create(
            unit=unit,
            item=item,
            title=title,
            body=body,
            info_date=timezone.localdate(),
            actor=actor,
            **extra,
        )
    record = disclosure.record_submit(record=record, actor=actor)
    report.tables = tables
    report.record = record
    report.status = AnnualReportStatus.PUBLISHED
    report.published_at = record.published_at
    report.updated_by = actor
    report.save()
    audit_record(
        actor=actor,
        action=AuditAction.PUBLISH,
        obj=report,
        unit=unit,
        changes={
            "status": [AnnualReportStatus.DRAFT, AnnualReportStatus.PUBLISHED],
            "record": [None, str(record.pk)],
            "record_status": [None, record.status],
        },
    )
    return report


def _in_review(report: AnnualReport) -> AnnualReport:
    report = (
        AnnualReport.objects.select_for_update(of=("self",))
        .select_related("record", "unit", "unit__region")
        .get(pk=report.pk)
    )
    if selectors.state_of(report) != selectors.IN_REVIEW:
        raise Conflict(_("该年度报告不在待审核状态。"))
    return report


@transaction.atomic
def annual_report_approve(*, report: AnnualReport, actor: Any, note: str = "") -> AnnualReport:
    """The unit's reviewer lets the report out (the record's own approval)."""
    report = _in_review(report)
    if not permissions.can_review_report(actor, report):
        raise NotAllowed(_("须由本单位提交人以外的审核员审核。"))
    record = disclosure.record_approve(record=report.record, actor=actor, note=note)
    report.record = record
    report.published_at = record.published_at
    report.save(update_fields=["published_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PUBLISH,
        obj=report,
        unit=report.unit,
        changes={"record_status": [RecordStatus.IN_REVIEW, RecordStatus.PUBLISHED]},
        note=note,
    )
    return report


@transaction.atomic
def annual_report_return(*, report: AnnualReport, actor: Any, note: str) -> AnnualReport:
    """The reviewer sends the report back with a note; editing it makes it a draft."""
    report = _in_review(report)
    if not permissions.can_review_report(actor, report):
        raise NotAllowed(_("须由本单位提交人以外的审核员审核。"))
    if not (note or "").strip():
        raise ValidationError({"note": [_("退回时请写明修改意见。")]})
    record = disclosure.record_return(record=report.record, actor=actor, note=note)
    report.record = record
    audit_record(
        actor=actor,
        action=AuditAction.REJECT,
        obj=report,
        unit=report.unit,
        changes={"record_status": [RecordStatus.IN_REVIEW, RecordStatus.DRAFT]},
        note=note,
    )
    return report
