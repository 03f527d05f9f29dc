"""Reads of annual reports: one report of a unit and year as a person may see it, and the
list of published reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from disclosure import catalogs
from disclosure.annual import permissions
from disclosure.annual.tables import is_reportable_year, report_tables
from disclosure.models import AnnualReport, AnnualReportStatus, CatalogItem, RecordStatus
from portal import hierarchy
from portal import permissions as core
from portal.models import Unit
from portal.permissions import Action

REPORT_ITEM_WORD = "年度报告"

# What a report is, from its own status and its record's (the record carries the unit's
# review: a report handed in waits for the reviewer like any record).
DRAFT = "draft"  # live figures, narrative being written
IN_REVIEW = "in_review"  # tables frozen, the record waits for the unit's reviewer
RETURNED = "returned"  # the reviewer sent it back: editable again
PUBLISHED = "published"
WITHDRAWN = "withdrawn"  # the record was withdrawn (publicly, with its reason)
STATE_BY_RECORD = {
    RecordStatus.IN_REVIEW: IN_REVIEW,
    RecordStatus.DRAFT: RETURNED,
    RecordStatus.PUBLISHED: PUBLISHED,
    RecordStatus.WITHDRAWN: WITHDRAWN,
}
PUBLIC_STATES = {PUBLISHED, WITHDRAWN}
EDITABLE_STATES = {DRAFT, RETURNED, WITHDRAWN}


def state_of(report: AnnualReport | None) -> str:
    if report is None or report.status == AnnualReportStatus.DRAFT:
        return DRAFT
    if report.record is None:
        return PUBLISHED
    return STATE_BY_RECORD[report.record.status]


def report_of(unit: Unit, year: int) -> AnnualReport | None:
    return (
        AnnualReport.objects.select_related("record", "unit", "unit__region")
        .filter(unit=unit, year=year)
        .first()
    )


@dataclass
class ReportView:
    """A report as one person sees it: published or (for the unit's officials) the draft."""

    unit: Unit
    year: int
    report: AnnualReport | None
    state: str
    tables: dict[str, Any]
    can_edit: bool
    can_review: bool

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES

    @property
    def is_frozen(self) -> bool:
        return self.state != DRAFT

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def published_at(self):
        if self.state in PUBLIC_STATES and self.report and self.report.record:
            return self.report.record.published_at
        return None

    @property
    def title(self) -> str:
        return f"{self.unit.name}{self.year}年政府信息公开工作年度报告"


def unit_or_404(unit_id: int) -> Unit:
    # Reports stay readable after their unit is wound up.
    unit = Unit.objects.select_related("region").filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


def report_view(user: Any, unit: Unit, year: int, *, with_tables: bool = True) -> ReportView:
    """The report of `unit` for `year` as `user` may see it: published for everyone, the
    draft only for the unit's officials and supervisors; anything else is a 404. Without
    `with_tables` (forms and actions) a draft's live figures are not computed."""
    if not is_reportable_year(year):
        raise Http404
    report = report_of(unit, year)
    state = state_of(report)
    official = permissions.can_read_draft(user, unit)
    if state not in PUBLIC_STATES and not official:
        raise Http404
    tables = report.tables if state != DRAFT and report and report.tables else None
    if tables is None:
        tables = report_tables(unit, year) if with_tables else {}
    return ReportView(
        unit=unit,
        year=year,
        report=report,
        state=state,
        tables=tables,
        can_edit=state in EDITABLE_STATES and permissions.can_edit_report(user, unit),
        can_review=state == IN_REVIEW and permissions.can_review_report(user, report),
    )


def published_reports(
    *, unit: int | None = None, year: int | None = None, region: str | None = None
) -> QuerySet[AnnualReport]:
    """Reports whose record is out, newest year first."""
    reports = AnnualReport.objects.filter(
        status=AnnualReportStatus.PUBLISHED, record__status=RecordStatus.PUBLISHED
    ).select_related("unit", "unit__region", "record")
    if unit is not None:
        reports = reports.filter(unit_id=unit)
    if year is not None:
        reports = reports.filter(year=year)
    if region:
        low, high = hierarchy.subtree_bounds(region)
        reports = reports.filter(Q(unit__region__gte=low) & Q(unit__region__lte=high))
    return reports.order_by("-year", "unit__region_id", "unit__name", "pk")


def reporting_units_for(user: Any, limit: int = 20) -> list[Unit]:
    """The units whose reports this official writes and whose catalog has the annual
    report item (a village committee publishes none), in three queries. Platform admins
    act for every unit: they go by the list and the admin instead."""
    if core.is_platform_admin(user) or not getattr(user, "is_authenticated", False):
        return []
    units = list(
        core.units_for(user, Action.EDIT)
        .filter(is_active=True)
        .select_related("region")
        .order_by("region_id", "name")[: limit * 5]
    )
    templates = catalogs.current_templates()
    with_item = set(
        CatalogItem.objects.filter(
            template__in=templates, level2__contains=REPORT_ITEM_WORD
        ).values_list("template_id", flat=True)
    )
    chosen = []
    for unit in units:
        template = catalogs.catalog_for_unit(unit, templates)
        if template is not None and template.pk in with_item:
            chosen.append(unit)
    return chosen[:limit]
