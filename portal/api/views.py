from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import hierarchy, selectors
from portal.api import serializers as s
from portal.models import Region
from portal.workdays import add_working_days

CODE_PARAM = {"type": OpenApiTypes.STR, "location": OpenApiParameter.QUERY}


def _validated(query_serializer_class, request: Request) -> dict:
    query = query_serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


@extend_schema(
    parameters=[
        OpenApiParameter(
            "parent", description="12-digit code: the children of this place", **CODE_PARAM
        ),
        OpenApiParameter(
            "region", description="12-digit code: this place and everything inside it", **CODE_PARAM
        ),
        OpenApiParameter("tier", description="city, county, township or village", **CODE_PARAM),
    ]
)
class RegionList(generics.ListAPIView):
    """Places. `parent=` lists the children of a place; `region=` its whole subtree."""

    serializer_class = s.RegionSerializer

    def get_queryset(self):
        params = _validated(s.RegionListQuery, self.request)
        regions = Region.objects.filter(is_active=True)
        if "parent" in params:
            regions = regions.filter(parent_id=params["parent"])
        if "region" in params:
            regions = hierarchy.in_subtree(regions, params["region"], field="code")
        if "tier" in params:
            regions = regions.filter(tier=params["tier"])
        return regions.order_by("code")


class RegionDetail(generics.RetrieveAPIView):
    serializer_class = s.RegionDetailSerializer
    lookup_field = "code"

    def get_object(self):
        code = self.kwargs["code"]
        if not hierarchy.is_valid_code(code):
            raise Http404
        return get_object_or_404(
            Region.objects.annotate(
                children_count=Count("children", filter=Q(children__is_active=True))
            ),
            code=code,
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        code = self.kwargs["code"]
        context["ancestors"] = (
            list(hierarchy.ancestors(code)) if hierarchy.is_valid_code(code) else []
        )
        return context


@extend_schema(
    parameters=[
        OpenApiParameter(
            "region",
            description="12-digit code: units in this place and everything inside it",
            **CODE_PARAM,
        ),
        OpenApiParameter("kind", description="Unit kind, e.g. village_committee", **CODE_PARAM),
        OpenApiParameter("q", description="Part of the unit's name", **CODE_PARAM),
    ]
)
class UnitList(generics.ListAPIView):
    """Publishing units (公开主体)."""

    serializer_class = s.UnitSerializer

    def get_queryset(self):
        params = _validated(s.UnitListQuery, self.request)
        return selectors.units_public(
            region=params.get("region"), kind=params.get("kind"), query=params.get("q")
        )


class UnitDetail(generics.RetrieveAPIView):
    serializer_class = s.UnitSerializer

    def get_queryset(self):
        return selectors.units_public()


class WorkdayAdd(APIView):
    """The date N working days after a date, counted from the next day on the official
    calendar (holidays and make-up workdays). `provisional` is true when the span touches
    a year whose schedule has not been published or loaded."""

    @extend_schema(
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=True),
            OpenApiParameter("days", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True),
        ],
        responses=s.WorkdayResultSerializer,
    )
    def get(self, request: Request) -> Response:
        params = _validated(s.WorkdayQuery, request)
        result = add_working_days(params["date"], params["days"])
        return Response(
            s.WorkdayResultSerializer({"date": result.date, "provisional": result.provisional}).data
        )


class Me(APIView):
    """The signed-in person's roles (token or session)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        data = {
            "username": user.username,
            "units": [
                {"unit": m.unit_id, "name": m.unit.name, "role": m.role}
                for m in user.memberships.select_related("unit")
            ],
            "supervises": list(user.supervisor_scopes.values_list("region_id", flat=True)),
            "residencies": [
                {"region": r.region_id, "status": r.status} for r in user.residencies.all()
            ],
        }
        return Response(s.MeSerializer(data).data)
