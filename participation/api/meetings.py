"""API of meeting records; included by participation.api.urls.

GET /api/v1/meetings/?region=&unit=&kind=   published meetings inside a place
GET /api/v1/meetings/<id>/                  one meeting: attendees (masked), issues

Serialises PublicMeeting (participation.selectors.decisions), never the model row, so
attendees and whoever raised an issue appear only as 张*.
"""

from __future__ import annotations

from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from participation.api.common import FilteredList, or_404
from participation.models import MeetingKind
from participation.selectors import decisions as selectors
from participation.selectors.decisions import MeetingFilter, PublicMeeting
from portal.api.serializers import RegionCodeField


class MeetingListQuery(serializers.Serializer):
    region = RegionCodeField(required=False, help_text="This place and everything inside it.")
    unit = serializers.IntegerField(required=False, min_value=1, help_text="Unit id.")
    kind = serializers.ChoiceField(choices=MeetingKind.choices, required=False)


class MeetingUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="unit_id")
    name = serializers.CharField(source="unit_name")


class MeetingPlaceSerializer(serializers.Serializer):
    code = serializers.CharField(source="region_code")
    name = serializers.CharField(source="region_name")


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    kind_label = serializers.CharField()
    held_on = serializers.DateField()
    location = serializers.CharField()
    unit = MeetingUnitSerializer(source="*")
    region = MeetingPlaceSerializer(source="*")
    attendee_count = serializers.IntegerField()
    issue_count = serializers.IntegerField()
    open_issue_count = serializers.IntegerField(source="open_count")
    published_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, meeting: PublicMeeting) -> str:
        return reverse("meeting", args=[meeting.pk])


class IssueSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    text = serializers.CharField()
    raised_by = serializers.CharField(help_text="Masked: 张*.")
    follow_up = serializers.CharField(help_text="The official (name or role) following it up.")
    due_on = serializers.DateField(allow_null=True, help_text="Planned resolution date.")
    resolved_on = serializers.DateField(allow_null=True)
    resolution = serializers.CharField()
    status = serializers.ChoiceField(choices=[("open", "open"), ("resolved", "resolved")])


class MeetingDetailSerializer(MeetingSerializer):
    attendees = serializers.ListField(
        child=serializers.CharField(), help_text="Attendees' names, masked (张*)."
    )
    summary = serializers.CharField()
    issues = IssueSerializer(many=True)


@extend_schema(parameters=[MeetingListQuery])
class MeetingList(FilteredList):
    """Published meeting records (居民代表会议, 议事会, 村务监督委员会, 聊天夜谈) inside a
    place, of a unit, of a kind; most recent first."""

    serializer_class = MeetingSerializer
    query_class = MeetingListQuery

    def get_queryset(self):
        return selectors.meetings_public(MeetingFilter(**self.filters()))

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else [PublicMeeting.of(meeting) for meeting in page]


class MeetingDetail(generics.RetrieveAPIView):
    """One published meeting: who came (masked), the summary, and each issue with its
    follow-up, planned and resolved dates."""

    serializer_class = MeetingDetailSerializer

    def get_object(self) -> PublicMeeting:
        return or_404(selectors.meeting_public(self.kwargs["pk"]))


urlpatterns = [
    path("meetings/", MeetingList.as_view(), name="api-meetings"),
    path("meetings/<int:pk>/", MeetingDetail.as_view(), name="api-meeting"),
]
