"""The supervisors' view of disclosure timeliness (公开及时率督查): a place's score, its
child places as a chart, the lagging units, a unit's drill-down, and an XLSX export.

Everything here reads the tables that disclosure.compliance precomputes, so a page for
the whole city costs the same handful of queries as a page for one township. Only
supervisors of the place (or of a place around it) and platform admins may look; to
anyone else the page does not exist (404).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure import compliance
from disclosure.models import PeriodOutcome, UnitCompliance
from portal import hierarchy
from portal.charts import band_of, bar_chart, xlsx_response
from portal.models import Region, Unit, UnitKind
from portal.permissions import (
    can_supervise_place,
    supervised_place_or_404,
    supervision_trail,
)

PAGE_SIZE = 30


# --- Views ---------------------------------------------------------------------------


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    region = supervised_place_or_404(request.user, request.GET.get("region"))
    lagging = compliance.lagging_units(region.code)
    if request.GET.get("format") == "xlsx":
        return _xlsx(region, lagging)
    total = compliance.place_rollup(region.code)
    places = compliance.child_rollups(region)
    own_label = _("本级单位")
    chart = None
    if places:
        chart = bar_chart(
            [(own_label if p.is_own_level else p.name, p.rollup.score) for p in places],
            title=_("%(place)s各地公开及时率") % {"place": region.name},
            description=_("横条长度表示公开及时率（0–100%），数据同下表。"),
        )
    page = Paginator(lagging, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for row in page.object_list:
        row.band = band_of(row.score)
    as_of = page.object_list[0].as_of if page.object_list else None
    return render(
        request,
        "disclosure/supervision.html",
        {
            "region": region,
            "trail": supervision_trail(request.user, region),
            "total": total,
            "total_band": band_of(total.score),
            "places": places,
            "own_label": own_label,
            "chart": chart,
            "page": page,
            "as_of": as_of,
            "child_tier": hierarchy.child_tier(region.tier),
        },
    )


@login_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = Unit.objects.select_related("region").filter(pk=unit_id).first()
    if unit is None or not can_supervise_place(request.user, unit.region_id):
        raise Http404
    row = UnitCompliance.objects.filter(unit=unit).first()
    issues = compliance.unit_issues(unit)
    return render(
        request,
        "disclosure/supervision_unit.html",
        {
            "unit": unit,
            "row": row,
            "band": band_of(row.score if row else None),
            "trail": supervision_trail(request.user, unit.region),
            "missing": issues[PeriodOutcome.MISSING],
            "late": issues[PeriodOutcome.LATE],
            "pending": issues[PeriodOutcome.PENDING],
            "late_records": issues["late_records"],
        },
    )


XLSX_HEADERS = [
    "单位名称",
    "单位类型",
    "所在区划",
    "区划代码",
    "按时公开",
    "逾期公开",
    "逾期未公开",
    "未到期",
    "纳入统计",
    "公开及时率（%）",
    "统计日期",
]


def _xlsx(region: Region, lagging: QuerySet[UnitCompliance]) -> HttpResponse:
    """The lagging-units table, every row of it, as a workbook (streamed row by row)."""
    kinds = dict(UnitKind.choices)
    rows = lagging.values_list(
        "unit__name",
        "unit__kind",
        "unit__region__name",
        "region_code",
        "on_time",
        "late",
        "missing",
        "pending",
        "score",
        "as_of",
    )
    return xlsx_response(
        filename=f"公开及时率_{region.name}_{timezone.localdate():%Y%m%d}.xlsx",
        sheet_title="公开及时率",
        headers=XLSX_HEADERS,
        rows=(
            [
                name,
                str(kinds.get(kind, kind)),
                place,
                code,
                on_time,
                late,
                missing,
                pending,
                on_time + late + missing,
                float(score),
                as_of,
            ]
            for name, kind, place, code, on_time, late, missing, pending, score, as_of in (
                rows.iterator(chunk_size=2000)
            )
        ),
    )
