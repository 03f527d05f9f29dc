"""API of requests for information; included by portal.api.urls under /api/v1/.

POST /api/v1/info-requests/ {unit, applicant_type, applicant_name, id_number | org_code,
contact_person, phone, email, address, description, delivery} files a request online:
201 with the tracking code, the private query code, the receipt date, `due_at` (the end
of the due date in Asia/Shanghai) and whether it is provisional; 400 naming each wrong
field in Chinese; 429 when too many requests came from the phone or the address this
hour. The same request from the same phone within ten minutes is answered with the first.

GET /api/v1/info-requests/<tracking_code>/?query_code= follows it: status, clock,
extension, correction, third-party waits (dates only), events and the reply with its
letter's addresses. With a wrong code, or none, it does not exist (404). The applicant
appears only as a masked name.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from disclosure.models import ApplicantType, Delivery, InfoRequest, InfoRequestEvent
from disclosure.requests import selectors, services
from portal import identity
from portal.api.errors import refusal_response
from portal.api.serializers import service_text
from portal.models import Unit
from portal.pages import client_ip


class InfoRequestSubmitSerializer(serializers.Serializer):
    """The contract other channels (WeChat, apps, kiosks) post; the service validates."""

    unit = serializers.IntegerField(
        help_text="id of the unit asked (受理机关)",
        error_messages={
            "required": _("请选择受理申请的机关。"),
            "null": _("请选择受理申请的机关。"),
            "invalid": _("受理机关编号应为整数。"),
            "max_string_length": _("受理机关编号应为整数。"),
        },
    )
    applicant_type = service_text(", ".join(ApplicantType.values))
    applicant_name = service_text("name of the person or the organisation")
    id_number = service_text("natural persons: ID number (GB 11643); kept only hashed and masked")
    org_code = service_text("organisations: 18-character unified social credit code")
    contact_person = service_text("organisations: the person to contact")
    phone = service_text("mainland mobile number; never published")
    email = service_text("required when delivery is email")
    address = service_text("required when delivery is paper")
    description = service_text("the information asked for: title, number or other features")
    delivery = service_text(", ".join(Delivery.values))


class InfoRequestReceiptSerializer(serializers.ModelSerializer):
    due_at = serializers.SerializerMethodField()

    class Meta:
        model = InfoRequest
        fields = [
            "tracking_code",
            "query_code",
            "received_on",
            "due_at",
            "due_is_provisional",
            "status",
        ]

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_due_at(self, item: InfoRequest):
        value = selectors.due_at(item)
        return serializers.DateTimeField().to_representation(value) if value else None


class EventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = InfoRequestEvent
        fields = ["kind", "kind_label", "at", "note"]


class ExtensionSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    reason = serializers.CharField()
    granted_at = serializers.DateTimeField()


class CorrectionSerializer(serializers.Serializer):
    notice = serializers.CharField()
    sent_at = serializers.DateTimeField()
    due = serializers.DateField()
    corrected_at = serializers.DateTimeField(allow_null=True)


class ConsultationSerializer(serializers.Serializer):
    asked_on = serializers.DateField()
    answered_on = serializers.DateField(allow_null=True)


class FeeSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    basis = serializers.CharField()


class ReplySerializer(serializers.Serializer):
    outcome = serializers.CharField()
    outcome_label = serializers.CharField()
    text = serializers.CharField()
    competent_body = serializers.CharField()
    replied_at = serializers.DateTimeField()
    fee = FeeSerializer()


class LetterSerializer(serializers.Serializer):
    html = serializers.URLField(required=False)
    pdf = serializers.URLField(required=False)


class InfoRequestStatusSerializer(serializers.ModelSerializer):
    unit = serializers.SerializerMethodField()
    applicant = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display")
    due_at = serializers.SerializerMethodField()
    extension = serializers.SerializerMethodField()
    correction = serializers.SerializerMethodField()
    consultations = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    reply = serializers.SerializerMethodField()
    letter = serializers.SerializerMethodField()

    class Meta:
        model = InfoRequest
        fields = [
            "tracking_code",
            "unit",
            "applicant",
            "applicant_type",
            "channel",
            "delivery",
            "status",
            "status_label",
            "submitted_at",
            "received_on",
            "due_at",
            "due_is_provisional",
            "extension",
            "correction",
            "consultations",
            "events",
            "reply",
            "letter",
            "closed_at",
            "close_reason",
        ]

    def get_unit(self, item: InfoRequest) -> dict:
        return {"id": item.unit_id, "name": item.unit.name}

    def get_applicant(self, item: InfoRequest) -> str:
        """张* for a person; an organisation's name is not personal data."""
        if item.applicant_type == ApplicantType.NATURAL_PERSON:
            return identity.mask_name(item.applicant_name)
        return item.applicant_name

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_due_at(self, item: InfoRequest):
        value = selectors.due_at(item)
        return serializers.DateTimeField().to_representation(value) if value else None

    @extend_schema_field(ExtensionSerializer(allow_null=True))
    def get_extension(self, item: InfoRequest) -> dict | None:
        if not item.extension_days:
            return None
        return ExtensionSerializer(
            {
                "days": item.extension_days,
                "reason": item.extension_reason,
                "granted_at": item.extended_at,
            }
        ).data

    @extend_schema_field(CorrectionSerializer(allow_null=True))
    def get_correction(self, item: InfoRequest) -> dict | None:
        if not item.correction_sent_at:
            return None
        return CorrectionSerializer(
            {
                "notice": item.correction_notice,
                "sent_at": item.correction_sent_at,
                "due": item.correction_due_on,
                "corrected_at": item.corrected_at,
            }
        ).data

    @extend_schema_field(ConsultationSerializer(many=True))
    def get_consultations(self, item: InfoRequest) -> list:
        return ConsultationSerializer(item.consultations.all(), many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, item: InfoRequest) -> list:
        return EventSerializer(selectors.applicant_events(item), many=True).data

    @extend_schema_field(ReplySerializer(allow_null=True))
    def get_reply(self, item: InfoRequest) -> dict | None:
        if not item.replied_at:
            return None
        return ReplySerializer(
            {
                "outcome": item.outcome,
                "outcome_label": item.get_outcome_display(),
                "text": item.reply_text,
                "competent_body": item.competent_body,
                "replied_at": item.replied_at,
                "fee": {"amount": item.fee_amount, "basis": item.fee_basis},
            }
        ).data

    @extend_schema_field(LetterSerializer(allow_null=True))
    def get_letter(self, item: InfoRequest) -> dict | None:
        urls = selectors.letter_urls(item)
        if not urls:
            return None
        request = self.context.get("request")
        return {
            kind: request.build_absolute_uri(url) if request else url for kind, url in urls.items()
        }


class InfoRequestCreate(APIView):
    """File a request for government information with a unit (online: received today)."""

    @extend_schema(
        request=InfoRequestSubmitSerializer, responses={201: InfoRequestReceiptSerializer}
    )
    def post(self, request: Request) -> Response:
        incoming = InfoRequestSubmitSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        unit = Unit.objects.filter(pk=data.pop("unit"), is_active=True).first()
        try:
            item = services.info_request_submit(
                unit=unit, user=request.user, ip=client_ip(request), **data
            )
        except ValidationError as exc:
            return refusal_response(exc)
        # 201 either way: a repeated submission is answered with the first request.
        return Response(InfoRequestReceiptSerializer(item).data, status=status.HTTP_201_CREATED)


QUERY_CODE = OpenApiParameter("query_code", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True)


class InfoRequestTrack(APIView):
    """Follow a request with its tracking code and query code; anything else is 404."""

    @extend_schema(parameters=[QUERY_CODE], responses=InfoRequestStatusSerializer)
    def get(self, request: Request, tracking_code: str) -> Response:
        item = selectors.request_by_codes(tracking_code, request.query_params.get("query_code", ""))
        if item is None:
            raise Http404
        return Response(InfoRequestStatusSerializer(item, context={"request": request}).data)


urlpatterns = [
    path("info-requests/", InfoRequestCreate.as_view(), name="api-info-requests"),
    path(
        "info-requests/<str:tracking_code>/",
        InfoRequestTrack.as_view(),
        name="api-info-request",
    ),
]
