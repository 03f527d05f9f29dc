"""GET /api/v1/annual-reports/?unit=<id>&year=YYYY: the annual report's tables as JSON.

A published report answers with the tables frozen when it was published and its narrative
parts; any other unit and year with the live figures (they are not secret: they are
counts of what the unit published and handled), marked "draft", without narrative
(drafts are the unit's until published). Bad input: 400 with field errors in Chinese.
"""

from __future__ import annotations

from typing import Any

from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from disclosure.annual import selectors
from disclosure.annual.tables import FIRST_YEAR, report_tables
from portal.models import Unit


class AnnualReportQuery(serializers.Serializer):
    unit = serializers.IntegerField(
        min_value=1,
        help_text="Unit id",
        error_messages={
            "required": _("请指定单位（unit）。"),
            "invalid": _("单位编号应为数字。"),
            "min_value": _("单位编号应为正整数。"),
        },
    )
    year = serializers.IntegerField(
        help_text=f"The year reported on, {FIRST_YEAR} to this year",
        error_messages={
            "required": _("请指定年度（year），例如 2025。"),
            "invalid": _("年度应为四位数字，例如 2025。"),
        },
    )

    def validate_unit(self, value: int) -> Unit:
        unit = Unit.objects.select_related("region").filter(pk=value).first()
        if unit is None:
            raise serializers.ValidationError(_("没有编号为 %(id)s 的单位。") % {"id": value})
        return unit

    def validate_year(self, value: int) -> int:
        this_year = timezone.localdate().year
        if not FIRST_YEAR <= value <= this_year:
            raise serializers.ValidationError(
                _("年度应在 %(first)s 年至 %(last)s 年之间。")
                % {"first": FIRST_YEAR, "last": this_year}
            )
        return value


def _absolute(request: Request, name: str, unit: Unit, year: int) -> str:
    return request.build_absolute_uri(reverse(name, kwargs={"unit_id": unit.pk, "year": year}))


def report_payload(request: Request, unit: Unit, year: int) -> dict[str, Any]:
    report = selectors.report_of(unit, year)
    state = selectors.state_of(report)
    public = state in selectors.PUBLIC_STATES
    payload: dict[str, Any] = {
        "unit": {"id": unit.pk, "name": unit.name, "region": unit.region_id},
        "year": year,
        "status": state if public else "draft",
        "published_at": report.record.published_at if public and report.record else None,
        "tables": report.tables if public and report.tables else report_tables(unit, year),
        "narrative": None,
        "url": _absolute(request, "annual-report", unit, year) if public else None,
        "pdf_url": _absolute(request, "annual-report-pdf", unit, year) if public else None,
    }
    if public:
        payload["narrative"] = {
            "overall": report.overall,
            "problems": report.problems,
            "other": report.other,
        }
        if state == selectors.WITHDRAWN:
            payload["withdraw_reason"] = report.record.withdraw_reason
    return payload


class AnnualReportDetail(APIView):
    """The annual report of a unit for a year (2021 format): tables 二 (proactive
    disclosure), 三 (requests by applicant type × outcome, with the check
    一 + 二 = 三（七） + 四 per column) and 四 (reconsideration and litigation)."""

    @extend_schema(
        parameters=[AnnualReportQuery],
        responses={
            200: inline_serializer(
                "AnnualReport",
                {
                    "unit": inline_serializer(
                        "AnnualReportUnit",
                        {
                            "id": serializers.IntegerField(),
                            "name": serializers.CharField(),
                            "region": serializers.CharField(),
                        },
                    ),
                    "year": serializers.IntegerField(),
                    "status": serializers.ChoiceField(
                        choices=["draft", "published", "withdrawn"],
                        help_text="draft: live figures and no narrative",
                    ),
                    "published_at": serializers.DateTimeField(allow_null=True),
                    "tables": serializers.JSONField(
                        help_text=(
                            "table2 {sections[{key, article, columns, rows[{key, label, "
                            "values}]}], unclassified_decisions, fees_yuan}; table3 {columns, "
                            "rows[{key, label, group, values{natural_person, commercial, "
                            "research, public_interest, legal_service, other, total}}], "
                            "check{column: {new, carried_over, handled, carried_forward, "
                            "holds, difference}}, check_holds}; table4 {columns, rows}"
                        )
                    ),
                    "narrative": serializers.JSONField(allow_null=True),
                    "url": serializers.URLField(allow_null=True),
                    "pdf_url": serializers.URLField(allow_null=True),
                },
            ),
            400: OpenApiResponse(description="unit or year missing or wrong (Chinese messages)"),
        },
    )
    def get(self, request: Request) -> Response:
        query = AnnualReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        unit, year = query.validated_data["unit"], query.validated_data["year"]
        return Response(report_payload(request, unit, year))


urlpatterns = [
    path("annual-reports/", AnnualReportDetail.as_view(), name="api-annual-report"),
]
