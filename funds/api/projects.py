"""API of village special-fund projects; included by funds.api.urls.

GET /api/v1/fund-projects/?region=&year=&stage=&category= lists every project (cancelled
ones with their reason) inside a place, newest year first, paginated, each with its
budget, disbursed and stage. GET /api/v1/fund-projects/<id>/ gives one project: the
timeline of stages with dates, notes, published records and documents, the money, the
funding lines, the disbursements (payees who are persons masked), the acceptances, the
evaluation and the rectification state. Both read through funds.selectors.projects, as
the pages do; an unknown id is a 404, a bad filter a 400.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path, reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from funds.models import (
    Acceptance,
    FundingLine,
    FundProject,
    ProjectCategory,
    Rectification,
    Stage,
    StageDocument,
)
from funds.selectors import projects as selectors
from funds.services.projects import YEARS
from portal.api.serializers import PlaceRefSerializer, RegionCodeField, UnitRefSerializer


class ProjectListQuery(serializers.Serializer):
    region = RegionCodeField(
        required=False, help_text="12-digit code: the projects of this place and inside it"
    )
    year = serializers.IntegerField(required=False, min_value=YEARS[0], max_value=YEARS[1])
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    category = serializers.ChoiceField(choices=ProjectCategory.choices, required=False)


class ProjectSummarySerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    region = PlaceRefSerializer(read_only=True)
    category_label = serializers.CharField(source="get_category_display")
    stage_label = serializers.CharField(source="get_stage_display")
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        model = FundProject
        fields = [
            "id",
            "name",
            "year",
            "category",
            "category_label",
            "unit",
            "region",
            "budget",
            "disbursed",
            "remaining",
            "stage",
            "stage_label",
            "stage_since",
            "cancel_reason",
        ]


class FundingSerializer(serializers.ModelSerializer):
    source_label = serializers.CharField(source="get_source_display")

    class Meta:
        model = FundingLine
        fields = ["source", "source_label", "amount"]


class MoneySerializer(serializers.Serializer):
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="approved")
    disbursed = serializers.DecimalField(max_digits=14, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2)
    percent = serializers.DecimalField(
        max_digits=5, decimal_places=1, help_text="disbursed, % of the budget"
    )
    special_funds = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text="city and county special funds, counted against the village's allocation",
    )


class DocumentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = StageDocument
        fields = ["title", "content_type", "size", "url"]

    def get_url(self, document: StageDocument) -> str:
        return selectors.document_url(document)


class RecordRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    state = serializers.CharField(help_text="published or withdrawn")
    published_at = serializers.DateTimeField(allow_null=True)


class TimelineSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    label = serializers.CharField()
    state = serializers.ChoiceField(
        choices=["done", "current", "todo", "not_held", "cancelled"],
        help_text="done, current, todo (to come), not_held (never reached), cancelled",
    )
    state_label = serializers.CharField()
    reached_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()
    publication = serializers.SerializerMethodField(
        help_text="the stage's published record; null before it is out"
    )
    documents = serializers.SerializerMethodField()

    @extend_schema_field(RecordRefSerializer(allow_null=True))
    def get_publication(self, item: selectors.TimelineStage) -> dict[str, Any] | None:
        disclosure = item.disclosure
        if disclosure is None or not disclosure.linked:
            return None
        return RecordRefSerializer(
            {
                "id": disclosure.record_id,
                "title": disclosure.title,
                "url": disclosure.url,
                "state": disclosure.state,
                "published_at": disclosure.published_at,
            }
        ).data

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, item: selectors.TimelineStage) -> list[dict[str, Any]]:
        if self.context["project"].stage == Stage.CANCELLED:
            return []  # a cancelled project's files are no longer served
        return DocumentSerializer(item.documents, many=True).data


class DisbursementSerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    payee = serializers.CharField(help_text="a person is shown masked (张*)")
    payee_is_person = serializers.BooleanField()
    purpose = serializers.CharField()


class AcceptanceSerializer(serializers.ModelSerializer):
    result_label = serializers.CharField(source="get_result_display")

    class Meta:
        model = Acceptance
        fields = ["inspected_on", "inspectors", "result", "result_label", "final_accounts", "note"]


class EvaluationSerializer(serializers.Serializer):
    round = serializers.IntegerField(source="round.pk")
    title = serializers.CharField(source="round.title")
    url = serializers.CharField()
    status = serializers.CharField(source="round.status")
    opens_at = serializers.DateTimeField(source="round.opens_at")
    closes_at = serializers.DateTimeField(source="round.closes_at")
    results_visible = serializers.SerializerMethodField()
    satisfied = serializers.SerializerMethodField()
    basic = serializers.SerializerMethodField()
    unsatisfied = serializers.SerializerMethodField()
    majority_unsatisfied = serializers.SerializerMethodField()

    def get_results_visible(self, evaluation: selectors.ProjectEvaluation) -> bool:
        return evaluation.result is not None

    def _count(self, evaluation: selectors.ProjectEvaluation, name: str) -> int | None:
        return None if evaluation.result is None else getattr(evaluation.result, name)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_satisfied(self, evaluation: selectors.ProjectEvaluation) -> int | None:
        return self._count(evaluation, "satisfied")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_basic(self, evaluation: selectors.ProjectEvaluation) -> int | None:
        return self._count(evaluation, "basic")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_unsatisfied(self, evaluation: selectors.ProjectEvaluation) -> int | None:
        return self._count(evaluation, "unsatisfied")

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_majority_unsatisfied(self, evaluation: selectors.ProjectEvaluation) -> bool | None:
        return self._count(evaluation, "majority_unsatisfied")


class RectificationSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(help_text="open, answered or closed")
    state_label = serializers.SerializerMethodField()

    class Meta:
        model = Rectification
        fields = [
            "state",
            "state_label",
            "opened_at",
            "answer",
            "answered_at",
            "closed_at",
            "closing_note",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=["open", "answered", "closed"]))
    def get_state(self, item: Rectification) -> str:
        return selectors.rectification_state(item)

    def get_state_label(self, item: Rectification) -> str:
        return selectors.rectification_label(item)


class DecisionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, decision: Any) -> str:
        return reverse("decision", args=[decision.pk])


class ProjectDetailSerializer(ProjectSummarySerializer):
    decision = DecisionRefSerializer(allow_null=True)
    funding = FundingSerializer(many=True)
    money = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    disbursements = serializers.SerializerMethodField()
    acceptances = AcceptanceSerializer(many=True)
    evaluation = serializers.SerializerMethodField()
    rectifications = RectificationSerializer(many=True)

    class Meta(ProjectSummarySerializer.Meta):
        fields = [
            *ProjectSummarySerializer.Meta.fields,
            "description",
            "decision",
            "funding",
            "money",
            "timeline",
            "disbursements",
            "acceptances",
            "evaluation",
            "rectifications",
        ]

    @extend_schema_field(MoneySerializer)
    def get_money(self, project: FundProject) -> dict[str, Any]:
        money = selectors.money_of(project)
        return MoneySerializer(
            {
                "budget": money.budget,
                "disbursed": money.disbursed,
                "remaining": money.remaining,
                "percent": money.percent,
                "special_funds": selectors.special_funds(project),
            }
        ).data

    @extend_schema_field(TimelineSerializer(many=True))
    def get_timeline(self, project: FundProject) -> list[dict[str, Any]]:
        items = selectors.project_timeline(project)
        return TimelineSerializer(items, many=True, context={"project": project}).data

    @extend_schema_field(DisbursementSerializer(many=True))
    def get_disbursements(self, project: FundProject) -> list[dict[str, Any]]:
        return DisbursementSerializer(selectors.disbursements_public(project), many=True).data

    @extend_schema_field(EvaluationSerializer(allow_null=True))
    def get_evaluation(self, project: FundProject) -> dict[str, Any] | None:
        evaluation = selectors.evaluation_of(project)
        return None if evaluation is None else EvaluationSerializer(evaluation).data


@extend_schema(parameters=[ProjectListQuery])
class ProjectList(generics.ListAPIView):
    """Every village special-fund project inside a place, newest year first."""

    serializer_class = ProjectSummarySerializer

    def get_queryset(self):
        query = ProjectListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.projects_public(selectors.ProjectFilter(**query.validated_data))


class ProjectDetail(APIView):
    """One project: its timeline, money, funding, payments, acceptances, evaluation and
    rectification."""

    @extend_schema(responses={200: ProjectDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        project = selectors.project_public(pk)
        if project is None:
            raise Http404
        return Response(ProjectDetailSerializer(project, context={"request": request}).data)


urlpatterns = [
    path("fund-projects/", ProjectList.as_view(), name="api-fund-projects"),
    path("fund-projects/<int:pk>/", ProjectDetail.as_view(), name="api-fund-project"),
]
