"""GET /api/v1/participation/stats/?region=<code>: the counters and the last twelve
months for a place, for the channels that show them (TV, kiosks, apps)."""

from django.conf import settings
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from participation import stats
from portal.api.serializers import RegionCodeField


class StatsQuery(serializers.Serializer):
    region = RegionCodeField(required=False, help_text="This place and everything inside it.")


_COUNTS = {key: serializers.IntegerField() for key, _label in stats.METRICS}


class ParticipationStats(APIView):
    """Participation so far and month by month (the last 12 months, oldest first), for a
    place and everything inside it. Definitions: participation/stats.py."""

    @extend_schema(
        parameters=[OpenApiParameter("region", str, description="12-digit code; default the city")],
        responses=inline_serializer(
            "ParticipationStats",
            {
                "region": serializers.CharField(),
                "totals": inline_serializer("ParticipationTotals", _COUNTS),
                "months": serializers.ListField(child=serializers.CharField()),
                "monthly": inline_serializer(
                    "ParticipationMonthly",
                    {
                        key: serializers.ListField(child=serializers.IntegerField())
                        for key, _label in stats.METRICS
                    },
                ),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        query = StatsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        code = query.validated_data.get("region") or settings.PORTAL_ROOT_REGION
        figures = stats.cached_stats(code)
        return Response(
            {
                "region": figures.code,
                "totals": figures.totals,
                "months": [month.strftime("%Y-%m") for month in figures.months],
                "monthly": figures.monthly,
            }
        )


urlpatterns = [
    path("participation/stats/", ParticipationStats.as_view(), name="api-participation-stats"),
]
