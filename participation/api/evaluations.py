"""API of democratic evaluations; included by participation.api.urls.

GET  /api/v1/evaluations/                 published rounds (?region= ?unit= ?year= ?phase=)
GET  /api/v1/evaluations/<id>/            one round: subjects, results once ended, and for
                                          the caller whether they may take part
POST /api/v1/evaluations/<id>/ratings/    rate some or all subjects at once → 201
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from participation import eligibility
from participation.api.common import AUTHENTICATION, FilteredList, or_404
from participation.models import EvaluationRound, Phase, Rating
from participation.selectors import evaluations as selectors
from participation.selectors.evaluations import RoundFilter, SubjectResult
from participation.services import evaluations as services
from portal.api.errors import refusal_response
from portal.api.serializers import PlaceRefSerializer, RegionCodeField, UnitRefSerializer

# --- Serializers ---------------------------------------------------------------------


class RoundListQuery(serializers.Serializer):
    region = RegionCodeField(
        required=False, help_text="12-digit code: rounds organised inside this place"
    )
    unit = serializers.IntegerField(required=False, min_value=1, help_text="Unit id")
    year = serializers.IntegerField(
        required=False, min_value=1900, max_value=2200, help_text="Cycle"
    )
    phase = serializers.ChoiceField(
        choices=Phase.choices,
        required=False,
        help_text="upcoming, open or ended (closed and cancelled rounds have ended)",
    )


class RoundSerializer(serializers.ModelSerializer):
    # The organising unit in the shape records give it (id, name, kind).
    unit = UnitRefSerializer(read_only=True)
    region = PlaceRefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    phase = serializers.SerializerMethodField()
    eligibility_label = serializers.CharField(source="get_eligibility_display", read_only=True)
    electorate_region = PlaceRefSerializer(read_only=True, allow_null=True)
    body = serializers.CharField(source="body.name", default=None, read_only=True, allow_null=True)
    subject_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = EvaluationRound
        fields = [
            "id",
            "title",
            "year",
            "unit",
            "region",
            "status",
            "status_label",
            "phase",
            "opens_at",
            "closes_at",
            "eligibility",
            "eligibility_label",
            "electorate_region",
            "body",
            "subject_count",
            "cancel_reason",
        ]

    def get_phase(self, round: EvaluationRound) -> str:
        return str(selectors.round_phase(round, self.context.get("now")))


class ResultSerializer(serializers.Serializer):
    satisfied = serializers.IntegerField()
    basic = serializers.IntegerField()
    unsatisfied = serializers.IntegerField()
    total = serializers.IntegerField()
    satisfied_pct = serializers.DecimalField(
        max_digits=4, decimal_places=1, coerce_to_string=False, allow_null=True
    )
    basic_pct = serializers.DecimalField(
        max_digits=4, decimal_places=1, coerce_to_string=False, allow_null=True
    )
    unsatisfied_pct = serializers.DecimalField(
        max_digits=4, decimal_places=1, coerce_to_string=False, allow_null=True
    )
    flagged = serializers.BooleanField(
        help_text="Rated 不满意 by a majority in this year and the year before."
    )


class SubjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    seq = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    result = ResultSerializer(allow_null=True, help_text="Null until the window has ended.")


class RoundDetailSerializer(RoundSerializer):
    description = serializers.CharField(read_only=True)
    eligible_count = serializers.IntegerField(read_only=True, allow_null=True)
    subjects = SubjectSerializer(many=True, read_only=True, source="subject_rows")
    results_published = serializers.BooleanField(read_only=True)
    eligible = serializers.BooleanField(
        read_only=True, help_text="Whether the caller may take part (false when signed out)."
    )
    refusal = serializers.CharField(
        read_only=True, allow_null=True, help_text="Why the caller may not take part, or null."
    )
    rated_subjects = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Ids of the subjects the caller has already rated.",
    )

    class Meta(RoundSerializer.Meta):
        fields = [
            *RoundSerializer.Meta.fields,
            "description",
            "eligible_count",
            "results_published",
            "subjects",
            "eligible",
            "refusal",
            "rated_subjects",
        ]


class RatingItemSerializer(serializers.Serializer):
    subject = serializers.IntegerField()
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=services.MAX_COMMENT,
        trim_whitespace=True,
    )


class RatingsSerializer(serializers.Serializer):
    ratings = RatingItemSerializer(many=True, allow_empty=True, max_length=200)


class RatingsResultSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    rated = serializers.ListField(child=serializers.IntegerField())
    rated_subjects = serializers.ListField(child=serializers.IntegerField())


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


# --- Views ---------------------------------------------------------------------------


@extend_schema(parameters=[RoundListQuery])
class RoundList(FilteredList):
    """Published evaluation rounds (民主评议), latest year first; never drafts."""

    serializer_class = RoundSerializer
    query_class = RoundListQuery

    def get_queryset(self):
        return selectors.rounds_public(RoundFilter(**self.filters()), now=self.now)


def _subject_rows(subjects: list, results: list[SubjectResult] | None) -> list[dict[str, Any]]:
    by_subject = {r.subject.pk: r for r in results} if results is not None else {}
    rows = []
    for subject in subjects:
        result = by_subject.get(subject.pk)
        rows.append(
            {
                "id": subject.pk,
                "seq": subject.seq,
                "kind": subject.kind,
                "kind_label": subject.get_kind_display(),
                "name": subject.name,
                "role": subject.role,
                "result": None
                if result is None
                else {
                    "satisfied": result.satisfied,
                    "basic": result.basic,
                    "unsatisfied": result.unsatisfied,
                    "total": result.total,
                    "satisfied_pct": result.satisfied_pct,
                    "basic_pct": result.basic_pct,
                    "unsatisfied_pct": result.unsatisfied_pct,
                    "flagged": result.flagged,
                },
            }
        )
    return rows


class RoundDetail(APIView):
    """One published round: subjects, results (counts and percentages of each subject's
    evaluations) once the window has ended, and whether the caller may take part."""

    @extend_schema(responses={200: RoundDetailSerializer, 404: DetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        round = or_404(selectors.round_public(pk))
        now = timezone.now()
        subjects = selectors.subjects_of(round)
        results = selectors.subject_results(round, subjects, now=now)
        refusal = eligibility.refusal(request.user, round)
        round.subject_rows = _subject_rows(subjects, results)
        round.subject_count = len(subjects)
        round.results_published = results is not None
        round.eligible = refusal is None
        round.refusal = refusal
        round.rated_subjects = sorted(selectors.rated_subject_ids(request.user, subjects))
        data = RoundDetailSerializer(round, context={"now": now}).data
        return Response(data)


class RatingsCreate(APIView):
    """Rate subjects of a round, all in one request: all are stored or none.

    401 signed out; 403 not eligible (the reason in `detail`); 409 the window is not
    open, the round is closed or cancelled, or a subject was already rated by the
    caller; 400 unknown subject, subject of another round, bad rating, comment too long
    or an empty list."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=RatingsSerializer,
        responses={
            201: RatingsResultSerializer,
            400: OpenApiResponse(description="Field errors"),
            401: DetailSerializer,
            403: DetailSerializer,
            404: DetailSerializer,
            409: DetailSerializer,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        round = or_404(selectors.round_public(pk))
        incoming = RatingsSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            evaluations = services.evaluation_submit(
                round=round, ratings=incoming.validated_data["ratings"], user=request.user
            )
        except ValidationError as exc:
            return refusal_response(exc)
        subjects = selectors.subjects_of(round)
        return Response(
            {
                "round": round.pk,
                "rated": [evaluation.subject_id for evaluation in evaluations],
                "rated_subjects": sorted(selectors.rated_subject_ids(request.user, subjects)),
            },
            status=status.HTTP_201_CREATED,
        )


urlpatterns = [
    path("evaluations/", RoundList.as_view(), name="api-evaluations"),
    path("evaluations/<int:pk>/", RoundDetail.as_view(), name="api-evaluation"),
    path("evaluations/<int:pk>/ratings/", RatingsCreate.as_view(), name="api-evaluation-ratings"),
]
