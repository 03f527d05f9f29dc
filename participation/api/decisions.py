"""API of decisions (四议两公开); included by participation.api.urls.

GET /api/v1/decisions/?region=&unit=&status=   decisions inside a place, newest first
GET /api/v1/decisions/<id>/                    the four steps and the two disclosures

Decisions are public from the moment they are started and carry nothing personal.
A disclosure is linked (id and URL) once its record is published; until then its state
says whether it is waiting for the unit's reviewer.
"""

from __future__ import annotations

from django.urls import path, reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers

from participation.api.common import FilteredList, or_404
from participation.models import STEP_ORDER, Decision, DecisionStatus, DecisionStep, StepKind
from participation.selectors import decisions as selectors
from participation.selectors.decisions import DecisionFilter
from participation.services.decisions import VOTED_STEPS, attendance_minimum
from portal import identity
from portal.api.serializers import PlaceRefSerializer, RegionCodeField, UnitRefSerializer


class DecisionListQuery(serializers.Serializer):
    region = RegionCodeField(required=False, help_text="This place and everything inside it.")
    unit = serializers.IntegerField(required=False, min_value=1, help_text="Unit id.")
    status = serializers.ChoiceField(choices=DecisionStatus.choices, required=False)


class DecisionSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    region = PlaceRefSerializer(read_only=True)
    category_label = serializers.CharField(source="get_category_display")
    status_label = serializers.CharField(source="get_status_display")
    step_count = serializers.SerializerMethodField(help_text="Steps recorded so far (0–4).")
    current_step = serializers.SerializerMethodField(
        help_text="The step to be recorded next while the decision is in progress, else null."
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "title",
            "category",
            "category_label",
            "amount",
            "status",
            "status_label",
            "unit",
            "region",
            "step_count",
            "current_step",
            "created_at",
            "url",
        ]

    def get_step_count(self, decision: Decision) -> int:
        count = getattr(decision, "step_count", None)
        return len(decision.steps.all()) if count is None else count

    @extend_schema_field(serializers.ChoiceField(choices=StepKind.choices, allow_null=True))
    def get_current_step(self, decision: Decision) -> str | None:
        count = self.get_step_count(decision)
        if decision.status != DecisionStatus.IN_PROGRESS or count >= len(STEP_ORDER):
            return None
        return STEP_ORDER[count].value

    def get_url(self, decision: Decision) -> str:
        return reverse("decision", args=[decision.pk])


class StepSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    meeting_label = serializers.CharField(source="get_meeting_display")
    outcome_label = serializers.CharField(source="get_outcome_display")
    attendance_minimum = serializers.SerializerMethodField(
        help_text="How many had to attend (党员大会 two thirds; 村民会议 more than half; "
        "村民代表会议 two thirds); null for the first two steps."
    )
    vote = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The closed portal vote the resolution was taken by, if any.",
    )
    note = serializers.SerializerMethodField()

    class Meta:
        model = DecisionStep
        fields = [
            "kind",
            "kind_label",
            "held_on",
            "expected",
            "attended",
            "attendance_minimum",
            "votes_for",
            "votes_against",
            "abstained",
            "meeting",
            "meeting_label",
            "vote",
            "outcome",
            "outcome_label",
            "note",
        ]

    def get_attendance_minimum(self, step: DecisionStep) -> int | None:
        if step.kind not in VOTED_STEPS:
            return None
        return attendance_minimum(step.kind, step.meeting, step.expected)

    def get_note(self, step: DecisionStep) -> str:
        return identity.public_text(step.note)


class DisclosureLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="record_id")
    url = serializers.CharField()
    title = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    withdrawn = serializers.SerializerMethodField()

    def get_withdrawn(self, disclosure: selectors.Disclosure) -> bool:
        return disclosure.state == "withdrawn"


DISCLOSURE_STATES = ["not_yet", "in_review", "returned", "published", "withdrawn"]


class DecisionDetailSerializer(DecisionSerializer):
    matter = serializers.SerializerMethodField()
    steps = StepSerializer(many=True, read_only=True)
    decision_record = serializers.SerializerMethodField(
        help_text="决议公开: the record's id and URL once published, else null."
    )
    decision_record_state = serializers.SerializerMethodField()
    result_record = serializers.SerializerMethodField(
        help_text="实施结果公开: the record's id and URL once published, else null."
    )
    result_record_state = serializers.SerializerMethodField()

    class Meta(DecisionSerializer.Meta):
        fields = [
            *DecisionSerializer.Meta.fields,
            "matter",
            "steps",
            "decision_record",
            "decision_record_state",
            "result_record",
            "result_record_state",
        ]

    def get_matter(self, decision: Decision) -> str:
        return identity.public_text(decision.matter)

    def _link(self, record) -> dict | None:
        disclosure = selectors.disclosure_of(record)
        return DisclosureLinkSerializer(disclosure).data if disclosure.linked else None

    @extend_schema_field(DisclosureLinkSerializer(allow_null=True))
    def get_decision_record(self, decision: Decision) -> dict | None:
        return self._link(decision.decision_record)

    @extend_schema_field(serializers.ChoiceField(choices=DISCLOSURE_STATES))
    def get_decision_record_state(self, decision: Decision) -> str:
        return selectors.disclosure_of(decision.decision_record).state

    @extend_schema_field(DisclosureLinkSerializer(allow_null=True))
    def get_result_record(self, decision: Decision) -> dict | None:
        return self._link(decision.result_record)

    @extend_schema_field(serializers.ChoiceField(choices=DISCLOSURE_STATES))
    def get_result_record_state(self, decision: Decision) -> str:
        return selectors.disclosure_of(decision.result_record).state


@extend_schema(parameters=[DecisionListQuery])
class DecisionList(FilteredList):
    """Village decisions (四议两公开) inside a place, of a unit, at a status; newest first."""

    serializer_class = DecisionSerializer
    query_class = DecisionListQuery

    def get_queryset(self):
        return selectors.decisions_public(DecisionFilter(**self.filters()))


class DecisionDetail(generics.RetrieveAPIView):
    """One decision: its four steps (dates, attendance, votes, outcome) and the two
    disclosures."""

    serializer_class = DecisionDetailSerializer

    def get_object(self) -> Decision:
        return or_404(selectors.decision_public(self.kwargs["pk"]))


urlpatterns = [
    path("decisions/", DecisionList.as_view(), name="api-decisions"),
    path("decisions/<int:pk>/", DecisionDetail.as_view(), name="api-decision"),
]
