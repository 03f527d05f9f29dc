"""API of the proxy service (代办); included by services.api.urls under /api/v1/.

POST /api/v1/proxy-requests/ {guide, region, name, phone, detail} asks for help with a
guide's matter: 201 with the tracking code, the private query code, the due date and
the agent unit; 400 naming each wrong field (in Chinese); 429 when too many requests
came from the phone or the address this hour. The same request from the same phone
within ten minutes is answered with the first one.

GET /api/v1/proxy-requests/<tracking_code>/?query_code= follows a request; with a
wrong code, or none, it does not exist (404). POST …/<tracking_code>/rating/ rates it
once it is done or returned.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.errors import refusal_response
from portal.api.serializers import PlaceRefSerializer, service_text
from portal.models import Region
from portal.pages import client_ip
from services.models import ProxyEvent, ProxyRating, ProxyRequest
from services.selectors import proxy as selectors
from services.services import proxy as services


class ProxySubmitSerializer(serializers.Serializer):
    """The contract other channels (WeChat, apps, kiosks) post; the service validates."""

    guide = serializers.IntegerField(
        help_text="id of a published service guide",
        error_messages={
            "required": _("请选择要办理的事项（已发布的办事指南）。"),
            "null": _("请选择要办理的事项（已发布的办事指南）。"),
            "invalid": _("办事指南编号应为整数。"),
            "max_string_length": _("办事指南编号应为整数。"),
        },
    )
    region = service_text("12-digit code of the applicant's village or community")
    name = service_text()
    phone = service_text("mainland mobile number; the agent calls it, never published")
    detail = service_text("what the agent should do")


class AgentUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.CharField(help_text="the unit's office phone (else the guide's)")


class ProxyReceiptSerializer(serializers.ModelSerializer):
    agent_unit = serializers.SerializerMethodField()

    class Meta:
        model = ProxyRequest
        fields = [
            "tracking_code",
            "query_code",
            "received_at",
            "due_at",
            "due_is_provisional",
            "agent_unit",
        ]

    @extend_schema_field(AgentUnitSerializer)
    def get_agent_unit(self, item: ProxyRequest) -> dict:
        return agent_unit_of(item)


class ProxyEventSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = ProxyEvent
        fields = ["status", "status_label", "at", "note"]


class GuideRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProxyStatusSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    guide = GuideRefSerializer()
    region = PlaceRefSerializer()
    agent_unit = serializers.SerializerMethodField()
    events = ProxyEventSerializer(many=True)
    rating_label = serializers.SerializerMethodField()

    class Meta:
        model = ProxyRequest
        fields = [
            "tracking_code",
            "guide",
            "region",
            "agent_unit",
            "status",
            "status_label",
            "received_at",
            "due_at",
            "due_is_provisional",
            "started_at",
            "finished_at",
            "return_reason",
            "rating",
            "rating_label",
            "rated_at",
            "events",
        ]

    @extend_schema_field(AgentUnitSerializer)
    def get_agent_unit(self, item: ProxyRequest) -> dict:
        return agent_unit_of(item)

    def get_rating_label(self, item: ProxyRequest) -> str:
        return item.get_rating_display() if item.rating else ""


class ProxyRateSerializer(serializers.Serializer):
    query_code = serializers.CharField(required=False, allow_blank=True, default="")
    rating = serializers.ChoiceField(
        choices=ProxyRating.choices,
        error_messages={
            "required": _("请选择满意、基本满意或不满意。"),
            "invalid_choice": _("请选择满意、基本满意或不满意。"),
        },
    )
    comment = service_text()


def agent_unit_of(item: ProxyRequest) -> dict:
    unit = item.agent_unit
    return {"id": unit.pk, "name": unit.name, "phone": unit.phone or item.guide.phone}


class ProxyRequestCreate(APIView):
    """Ask for a guide's matter to be done by the village's (or township's) agent."""

    @extend_schema(request=ProxySubmitSerializer, responses={201: ProxyReceiptSerializer})
    def post(self, request: Request) -> Response:
        incoming = ProxySubmitSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        region = Region.objects.filter(code=data["region"].strip()).first()
        try:
            item, _created = services.proxy_request_submit(
                guide=selectors.guide_for_request(data["guide"]),
                region=region,
                name=data["name"],
                phone=data["phone"],
                detail=data["detail"],
                user=request.user,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            return refusal_response(exc)
        # 201 either way: a repeated submission is answered with the first request.
        return Response(ProxyReceiptSerializer(item).data, status=status.HTTP_201_CREATED)


def _by_codes_or_404(tracking_code: str, query_code: str) -> ProxyRequest:
    item = selectors.request_by_codes(tracking_code, query_code)
    if item is None:
        raise Http404
    return item


QUERY_CODE = OpenApiParameter("query_code", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True)


class ProxyRequestTrack(APIView):
    """Follow a request with its tracking code and query code; anything else is 404."""

    @extend_schema(parameters=[QUERY_CODE], responses=ProxyStatusSerializer)
    def get(self, request: Request, tracking_code: str) -> Response:
        item = _by_codes_or_404(tracking_code, request.query_params.get("query_code", ""))
        return Response(ProxyStatusSerializer(item).data)


class ProxyRequestRate(APIView):
    """Rate a finished request once: with its query code, or signed in as its owner."""

    @extend_schema(
        request=ProxyRateSerializer,
        responses={
            200: ProxyStatusSerializer,
            403: OpenApiResponse(description="not the applicant"),
            409: OpenApiResponse(description="rated already"),
        },
    )
    def post(self, request: Request, tracking_code: str) -> Response:
        incoming = ProxyRateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        item = selectors.request_by_codes(tracking_code, data["query_code"])
        if item is None:
            item = selectors.request_of_owner(request.user, tracking_code)
        if item is None:
            raise Http404
        try:
            services.proxy_request_rate(
                proxy_request=item,
                rating=data["rating"],
                comment=data["comment"],
                query_code=data["query_code"] or None,
                actor=request.user,
            )
        except ValidationError as exc:
            return refusal_response(exc)
        return Response(ProxyStatusSerializer(selectors.request_back_office(item.pk)).data)


urlpatterns = [
    path("proxy-requests/", ProxyRequestCreate.as_view(), name="api-proxy-requests"),
    path(
        "proxy-requests/<str:tracking_code>/",
        ProxyRequestTrack.as_view(),
        name="api-proxy-request",
    ),
    path(
        "proxy-requests/<str:tracking_code>/rating/",
        ProxyRequestRate.as_view(),
        name="api-proxy-request-rating",
    ),
]
