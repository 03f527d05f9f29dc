"""Pages of the annual report: the list of published reports, one report (HTML, XLSX,
PDF), and the officials' narrative, publishing and review. Thin: the selectors decide who
sees what, the services write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from disclosure.annual import export, layout, permissions, selectors, services
from disclosure.annual.forms import NarrativeForm, ReportFilterForm, ReviewForm
from disclosure.annual.tables import PARTS, is_reportable_year
from portal import hierarchy
from portal.models import Region
from portal.pages import add_service_errors, query_without_page

PAGE_SIZE = 20
MY_UNITS_SHOWN = 20


def report_list(request: HttpRequest) -> HttpResponse:
    """Published reports, newest year first, by unit, year or place; officials also get
    the way to their own units' drafts."""
    form = ReportFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    region = None
    if data.get("region"):
        region = Region.objects.filter(code=data["region"]).first()
        if region is None:
            raise Http404
    reports = (
        selectors.published_reports(
            unit=data.get("unit"), year=data.get("year"), region=data.get("region") or None
        )
        if form.is_valid()
        else selectors.published_reports().none()
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    own_units = selectors.reporting_units_for(request.user, MY_UNITS_SHOWN)
    return render(
        request,
        "disclosure/annual/list.html",
        {
            "form": form,
            "page": page,
            "region": region,
            "trail": [(place, True) for place in hierarchy.breadcrumbs(region)] if region else [],
            "own_units": own_units,
            "last_year": timezone.localdate().year - 1,
            "query_string": query_without_page(request),
        },
    )


def report_detail(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    unit = selectors.unit_or_404(unit_id)
    view = selectors.report_view(request.user, unit, year)
    if request.GET.get("format") == "xlsx":
        return export.xlsx_response(view)
    publish_refusal = None
    if view.can_edit:
        publish_refusal = services.publish_refusal(
            view.report, unit, year, request.user, tables=None if view.is_frozen else view.tables
        )
    return render(
        request,
        "disclosure/annual/report.html",
        {
            "view": view,
            "unit": unit,
            "report": view.report,
            "record": view.report.record if view.report else None,
            "narrative": layout.narrative(view.report),
            "parts": PARTS,
            "grids": layout.grids(view.tables),
            "checks": layout.check_rows(view.tables.get("table3", {})),
            "check_holds": view.tables.get("table3", {}).get("check_holds", True),
            "unclassified": view.tables.get("table2", {}).get("unclassified_decisions", 0),
            "publish_refusal": publish_refusal,
            "review_form": ReviewForm() if view.can_review else None,
            "trail": [(place, True) for place in hierarchy.breadcrumbs(unit.region)],
            "years": _year_links(request, view),
        },
    )


def _year_links(request: HttpRequest, view: selectors.ReportView) -> list[int]:
    """The years next to this one, for the unit's officials (drafts included); the public
    goes by the list of the unit's published reports."""
    if not permissions.can_read_draft(request.user, view.unit):
        return []
    return [year for year in (view.year - 1, view.year + 1) if is_reportable_year(year)]


def report_pdf(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    unit = selectors.unit_or_404(unit_id)
    return export.pdf_response(selectors.report_view(request.user, unit, year))


def _official_view(request: HttpRequest, unit_id: int, year: int) -> selectors.ReportView:
    unit = selectors.unit_or_404(unit_id)
    if not permissions.can_read_draft(request.user, unit):
        raise Http404
    return selectors.report_view(request.user, unit, year, with_tables=False)


def report_edit(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    """The unit's editors write parts 一, 五 and 六."""
    view = _official_view(request, unit_id, year)
    if not permissions.can_edit_report(request.user, view.unit):
        raise Http404
    report = view.report
    initial = {
        "overall": report.overall if report else "",
        "problems": report.problems if report else "",
        "other": report.other if report else "",
    }
    form = NarrativeForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.annual_report_save(
                unit=view.unit, year=year, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("年度报告已保存。"))
            return redirect("annual-report", unit_id=view.unit.pk, year=year)
    return render(
        request,
        "disclosure/annual/edit.html",
        {
            "view": view,
            "unit": view.unit,
            "form": form,
            "frozen": not view.is_editable,
        },
    )


@require_POST
def report_publish(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    view = _official_view(request, unit_id, year)
    try:
        report = services.annual_report_publish(unit=view.unit, year=year, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if selectors.state_of(report) == selectors.PUBLISHED:
            messages.success(request, _("年度报告已发布。"))
        else:
            messages.success(request, _("年度报告已提交，等待本单位审核员审核后发布。"))
    return redirect("annual-report", unit_id=view.unit.pk, year=year)


@require_POST
def report_review(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    view = _official_view(request, unit_id, year)
    if view.report is None:
        raise Http404
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("annual-report", unit_id=view.unit.pk, year=year)
    decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
    try:
        if decision == "approve":
            services.annual_report_approve(report=view.report, actor=request.user, note=note)
            messages.success(request, _("年度报告已审核通过并发布。"))
        else:
            services.annual_report_return(report=view.report, actor=request.user, note=note)
            messages.success(request, _("年度报告已退回修改。"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("annual-report", unit_id=view.unit.pk, year=year)
