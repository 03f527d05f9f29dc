"""API of votes; included by participation.api.urls.

GET /api/v1/votes/ and /api/v1/votes/<id>/ read through participation.selectors.votes
(never drafts; results only when `results_visible` says so). POST
/api/v1/votes/<id>/ballots/ casts the signed-in caller's ballot through the service:
201 new ballot, 200 an allowed change, 400 bad options, 401 not signed in, 403 not
eligible, 404 no such vote, 409 not open / closed / cancelled / voted already.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from participation.api.common import AUTHENTICATION, FilteredList, or_404
from participation.models import Ballot, Phase, Vote, VoteOption
from participation.selectors import votes as selectors
from participation.services import votes as services
from portal.api.errors import refusal_response
from portal.api.serializers import PlaceRefSerializer, RegionCodeField, UnitRefSerializer

# ---------------------------------------------------------------------------
# Serializers


class VoteListQuery(serializers.Serializer):
    region = RegionCodeField(
        required=False, help_text="12-digit code: the votes organised inside this place"
    )
    unit = serializers.IntegerField(required=False, min_value=1, help_text="Unit id")
    phase = serializers.ChoiceField(
        choices=Phase.choices,
        required=False,
        help_text="upcoming, open or ended (closed and cancelled votes have ended)",
    )


class VoteSummarySerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    region = PlaceRefSerializer(read_only=True)
    phase = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Vote
        fields = [
            "id",
            "title",
            "unit",
            "region",
            "opens_at",
            "closes_at",
            "phase",
            "status",
            "status_label",
            "eligibility",
            "multiple",
            "secret",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=Phase.choices))
    def get_phase(self, vote: Vote) -> str:
        return selectors.phase_of(vote)


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = VoteOption
        fields = ["id", "seq", "text"]


class OptionResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    seq = serializers.IntegerField()
    text = serializers.CharField()
    online = serializers.IntegerField(help_text="online ballots choosing it")
    paper = serializers.IntegerField(help_text="paper ballots choosing it (batches not voided)")
    total = serializers.IntegerField()
    share = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text="% of valid ballots"
    )


class ResultsSerializer(serializers.Serializer):
    final = serializers.BooleanField(help_text="true once the vote has closed")
    options = OptionResultSerializer(many=True)
    online_ballots = serializers.IntegerField()
    paper_ballots = serializers.IntegerField()
    paper_invalid = serializers.IntegerField()
    turnout = serializers.IntegerField(help_text="online ballots + paper ballots")
    valid_ballots = serializers.IntegerField()
    eligible = serializers.IntegerField(allow_null=True)
    turnout_rate = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    quorum = serializers.CharField()
    quorum_required = serializers.IntegerField(allow_null=True)
    quorum_met = serializers.BooleanField()


class ReceiptSerializer(serializers.ModelSerializer):
    vote = serializers.IntegerField(source="vote_id")
    options = serializers.SerializerMethodField()

    class Meta:
        model = Ballot
        fields = ["vote", "options", "cast_at", "changed_at"]

    def get_options(self, ballot: Ballot) -> list[int]:
        return sorted(choice.option_id for choice in ballot.choices.all())


class VoteDetailSerializer(VoteSummarySerializer):
    options = OptionSerializer(many=True)
    eligibility_label = serializers.CharField(source="get_eligibility_display")
    electorate = serializers.SerializerMethodField(help_text="who may vote, in words")
    electorate_region = serializers.CharField(source="electorate_region_id", allow_null=True)
    body = serializers.CharField(source="body.name", default=None, allow_null=True)
    quorum_label = serializers.CharField(source="get_quorum_display")
    quorum_rule = serializers.SerializerMethodField(help_text="the quorum rule, in words")
    results = serializers.SerializerMethodField()
    eligible = serializers.SerializerMethodField()
    refusal = serializers.SerializerMethodField()
    my_ballot = serializers.SerializerMethodField()

    class Meta(VoteSummarySerializer.Meta):
        fields = [
            "id",
            "title",
            "description",
            "unit",
            "region",
            "options",
            "multiple",
            "max_choices",
            "secret",
            "results_live",
            "allow_change",
            "eligibility",
            "eligibility_label",
            "electorate",
            "electorate_region",
            "body",
            "quorum",
            "quorum_label",
            "quorum_count",
            "registered_count",
            "quorum_rule",
            "opens_at",
            "closes_at",
            "phase",
            "status",
            "status_label",
            "published_at",
            "closed_at",
            "cancelled_at",
            "cancel_reason",
            "results",
            "eligible",
            "refusal",
            "my_ballot",
        ]

    def get_electorate(self, vote: Vote) -> str:
        return selectors.electorate_text(vote)

    def get_quorum_rule(self, vote: Vote) -> str:
        return selectors.quorum_text(vote)

    @extend_schema_field(ResultsSerializer(allow_null=True))
    def get_results(self, vote: Vote) -> dict[str, Any] | None:
        tally = selectors.vote_results(vote)
        return None if tally is None else ResultsSerializer(tally.as_json()).data

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_eligible(self, vote: Vote) -> bool | None:
        standing = self.context.get("standing")
        return None if standing is None else standing.eligible

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_refusal(self, vote: Vote) -> str | None:
        standing = self.context.get("standing")
        return None if standing is None else standing.refusal

    @extend_schema_field(ReceiptSerializer(allow_null=True))
    def get_my_ballot(self, vote: Vote) -> dict[str, Any] | None:
        standing = self.context.get("standing")
        if standing is None or standing.ballot is None:
            return None
        return ReceiptSerializer(standing.ballot).data


class BallotSerializer(serializers.Serializer):
    options = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=True,
        help_text="ids of the chosen options: one for a single-choice vote",
    )


# ---------------------------------------------------------------------------
# Views


@extend_schema(parameters=[VoteListQuery])
class VoteList(FilteredList):
    """Published, closed and cancelled votes, newest first (never drafts)."""

    serializer_class = VoteSummarySerializer
    query_class = VoteListQuery

    def get_queryset(self):
        return selectors.votes_public(selectors.VoteFilter(**self.filters()))


class VoteDetail(APIView):
    """One vote: question, options, rules, window, phase and status; the results when
    they are visible; and for a signed-in caller whether they may vote (`eligible`, and
    `refusal` saying why not) and their own ballot (`my_ballot`)."""

    @extend_schema(responses={200: VoteDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        vote = or_404(selectors.vote_public(pk))
        context = {"request": request, "standing": selectors.standing(vote, request.user)}
        return Response(VoteDetailSerializer(vote, context=context).data)


class BallotCreate(APIView):
    """Cast the caller's ballot: one per person, enforced by the database."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=BallotSerializer,
        responses={
            201: ReceiptSerializer,
            200: OpenApiResponse(ReceiptSerializer, description="an allowed change"),
            400: OpenApiResponse(description="unknown option, too many or none"),
            401: OpenApiResponse(description="not signed in"),
            403: OpenApiResponse(description="not eligible; `detail` says why"),
            404: OpenApiResponse(description="no such vote"),
            409: OpenApiResponse(description="not yet open, closed, cancelled, or voted already"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        vote = or_404(selectors.vote_public(pk))
        incoming = BallotSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            ballot, changed = services.ballot_cast(
                vote=vote, voter=request.user, option_ids=incoming.validated_data["options"]
            )
        except ValidationError as exc:
            return refusal_response(exc)
        ballot = Ballot.objects.prefetch_related("choices").get(pk=ballot.pk)
        return Response(
            ReceiptSerializer(ballot).data,
            status=status.HTTP_200_OK if changed else status.HTTP_201_CREATED,
        )


urlpatterns = [
    path("votes/", VoteList.as_view(), name="api-votes"),
    path("votes/<int:pk>/", VoteDetail.as_view(), name="api-vote"),
    path("votes/<int:pk>/ballots/", BallotCreate.as_view(), name="api-vote-ballots"),
]
