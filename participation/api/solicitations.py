"""API of solicitations (民意征集); included by participation.api.urls.

GET  /api/v1/solicitations/?region=&unit=&phase=   published, reported and withdrawn
GET  /api/v1/solicitations/<id>/                    text, attachments, opinions, report
POST /api/v1/solicitations/<id>/opinions/           a signed-in user's opinion
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import path, reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from participation.api.common import AUTHENTICATION, FilteredList, or_404
from participation.models import Opinion, Phase, Solicitation, SolicitationStatus
from participation.selectors import solicitations as selectors
from participation.selectors.solicitations import SolicitationFilter
from participation.services import solicitations as services
from portal.api.errors import refusal_response
from portal.api.serializers import PlaceRefSerializer, RegionCodeField, UnitRefSerializer

# --- serializers -------------------------------------------------------------------------


class SolicitationListQuery(serializers.Serializer):
    region = RegionCodeField(required=False, help_text="12-digit code: inside this place")
    unit = serializers.IntegerField(required=False, min_value=1, help_text="Unit id")
    phase = serializers.ChoiceField(choices=Phase.choices, required=False, help_text="Window now")


class SolicitationSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    region = PlaceRefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    phase = serializers.SerializerMethodField(
        help_text="upcoming, open or ended (a withdrawn solicitation has ended)."
    )
    url = serializers.SerializerMethodField(help_text="The public page.")

    class Meta:
        model = Solicitation
        fields = [
            "id",
            "title",
            "summary",
            "unit",
            "region",
            "status",
            "status_label",
            "phase",
            "opens_at",
            "closes_at",
            "published_at",
            "withdrawn_at",
            "withdraw_reason",
            "reported_at",
            "url",
        ]

    def get_phase(self, solicitation: Solicitation) -> str:
        return selectors.public_phase(solicitation, self.context.get("now")).value

    def get_url(self, solicitation: Solicitation) -> str:
        return solicitation.get_absolute_url()


class SolicitationAttachmentSerializer(serializers.Serializer):
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment) -> str:
        return reverse(
            "solicitation-attachment", args=[attachment.solicitation_id, attachment.token]
        )


class PublicOpinionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(help_text="Masked: 张*.")
    text = serializers.CharField(help_text="Phone, ID numbers and e-mail addresses removed.")
    created_at = serializers.DateTimeField()


class OpinionGroupSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    summary = serializers.CharField()
    adoption = serializers.CharField()
    adoption_label = serializers.CharField(source="get_adoption_display")
    reason = serializers.CharField()
    opinion_count = serializers.IntegerField()
    opinions = serializers.ListField(
        source="opinion_ids", child=serializers.IntegerField(), help_text="Opinion ids."
    )


class SolicitationReportSerializer(serializers.Serializer):
    text = serializers.CharField()
    reported_at = serializers.DateTimeField()
    groups = OpinionGroupSerializer(many=True)


class SolicitationDetailSerializer(SolicitationSerializer):
    body = serializers.SerializerMethodField(help_text="Sanitised HTML; empty once withdrawn.")
    attachments = serializers.SerializerMethodField()
    opinions_received = serializers.IntegerField(read_only=True)
    opinions_published = serializers.IntegerField(read_only=True)
    opinions = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField()

    class Meta(SolicitationSerializer.Meta):
        fields = [
            *SolicitationSerializer.Meta.fields,
            "body",
            "attachments",
            "opinions_received",
            "opinions_published",
            "opinions",
            "report",
        ]

    def get_body(self, solicitation: Solicitation) -> str:
        return solicitation.body if solicitation.status in selectors.TEXT_STATUSES else ""

    @extend_schema_field(SolicitationAttachmentSerializer(many=True))
    def get_attachments(self, solicitation: Solicitation) -> list[dict]:
        return SolicitationAttachmentSerializer(
            selectors.attachments_public(solicitation), many=True
        ).data

    @extend_schema_field(PublicOpinionSerializer(many=True))
    def get_opinions(self, solicitation: Solicitation) -> list[dict]:
        opinions = selectors.opinions_public(solicitation)
        return PublicOpinionSerializer(
            [selectors.PublicOpinion.of(o) for o in opinions], many=True
        ).data

    @extend_schema_field(SolicitationReportSerializer(allow_null=True))
    def get_report(self, solicitation: Solicitation) -> dict | None:
        if solicitation.status != SolicitationStatus.REPORTED:
            return None
        groups = selectors.report_groups(solicitation)
        return SolicitationReportSerializer(
            {"text": solicitation.report, "reported_at": solicitation.reported_at, "groups": groups}
        ).data


class OpinionSubmitSerializer(serializers.Serializer):
    """What a citizen sends; the service checks the length and the window."""

    text = serializers.CharField(allow_blank=True, trim_whitespace=False)
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="How to sign; defaults to the account's full name. Shown as 张*.",
    )


class OpinionReceiptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Opinion
        fields = ["id", "status", "created_at"]


# --- views -------------------------------------------------------------------------------


@extend_schema(parameters=[SolicitationListQuery])
class SolicitationList(FilteredList):
    """Published, reported and withdrawn solicitations, newest window first."""

    serializer_class = SolicitationSerializer
    query_class = SolicitationListQuery

    def get_queryset(self):
        return selectors.solicitations_public(SolicitationFilter(**self.filters()), self.now)


class SolicitationDetail(generics.RetrieveAPIView):
    """One solicitation: the draft text, attachments, published opinions (signatures
    masked), the counts and, once published, the feedback report."""

    serializer_class = SolicitationDetailSerializer

    def get_object(self) -> Solicitation:
        return or_404(selectors.solicitation_public(self.kwargs["pk"]))


class OpinionCreate(APIView):
    """Send an opinion (signed in). 201 with the new opinion, pending moderation; 200 with
    the first one when the same person sends the same text again."""

    authentication_classes = AUTHENTICATION
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=OpinionSubmitSerializer,
        responses={
            201: OpinionReceiptSerializer,
            200: OpenApiResponse(OpinionReceiptSerializer, description="Sent before."),
            400: OpenApiResponse(description="Empty or too long; field errors."),
            401: OpenApiResponse(description="Not signed in."),
            404: OpenApiResponse(description="No such published solicitation."),
            409: OpenApiResponse(description="Window not open, closed or withdrawn."),
            429: OpenApiResponse(description="Too many opinions in the last hour."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        solicitation = or_404(selectors.solicitation_public(pk))
        incoming = OpinionSubmitSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            opinion, created = services.opinion_submit(
                solicitation=solicitation,
                user=request.user,
                text=incoming.validated_data["text"],
                name=incoming.validated_data["name"],
            )
        except ValidationError as exc:
            return refusal_response(exc)
        return Response(
            OpinionReceiptSerializer(opinion).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


urlpatterns = [
    path("solicitations/", SolicitationList.as_view(), name="api-solicitations"),
    path("solicitations/<int:pk>/", SolicitationDetail.as_view(), name="api-solicitation"),
    path(
        "solicitations/<int:pk>/opinions/",
        OpinionCreate.as_view(),
        name="api-solicitation-opinions",
    ),
]
