"""API of service guides; included by services.api.urls.

GET /api/v1/service-guides/?category=&region=&q= lists the published guides that apply
in a place (those of the place, of the places around it, and the local ones inside it),
of a category, matching a search, paginated. GET /api/v1/service-guides/<id>/ gives one
guide in full: who may apply, conditions, materials, steps, where and when, legal basis,
and the addresses of its page and print page. Both read through
services.selectors.guides, as the pages do; an unknown id is a 404, a bad filter a 400.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from disclosure.search import MAX_QUERY_LENGTH
from portal.api.serializers import RegionCodeField
from services.models import GuideCategory, GuideMaterial, GuideStep, ServiceGuide
from services.selectors import guides as selectors


class GuideListQuery(serializers.Serializer):
    category = serializers.ChoiceField(
        choices=GuideCategory.choices,
        required=False,
        error_messages={"invalid_choice": _("没有“{input}”这个服务类别。")},
    )
    region = RegionCodeField(
        required=False,
        help_text="12-digit code: the guides that apply in this place (its own, those of "
        "the places around it, the local ones inside it)",
    )
    q = serializers.CharField(
        required=False,
        max_length=MAX_QUERY_LENGTH,
        help_text="words the guide contains (name, applicants, conditions, materials, steps, "
        "legal basis)",
    )


class GuideUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class GuidePlaceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class GuideSummarySerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display")
    lowest_tier_label = serializers.CharField(
        source="get_lowest_tier_display", help_text="the lowest tier that can do the matter"
    )
    unit = GuideUnitSerializer(help_text="the responsible unit")
    region = GuidePlaceSerializer(help_text="the guide applies here and in every place inside")

    class Meta:
        model = ServiceGuide
        fields = [
            "id",
            "name",
            "category",
            "category_label",
            "lowest_tier",
            "lowest_tier_label",
            "unit",
            "region",
            "legal_limit_days",
            "promised_limit_days",
            "fees",
            "verified_on",
        ]
        extra_kwargs = {
            "legal_limit_days": {"help_text": "working days; null when the law sets none"},
            "promised_limit_days": {"help_text": "working days the unit promises"},
        }


class GuideMaterialSerializer(serializers.ModelSerializer):
    form_label = serializers.CharField(source="get_form_display")

    class Meta:
        model = GuideMaterial
        fields = ["position", "name", "form", "form_label", "copies", "note"]


class GuideStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = GuideStep
        fields = ["position", "title", "description"]


class GuideDetailSerializer(GuideSummarySerializer):
    lowest_tier_text = serializers.SerializerMethodField(
        help_text="what the lowest tier means to a resident: 在村（社区）即可办理 …"
    )
    applies_where = serializers.SerializerMethodField()
    verification_overdue = serializers.SerializerMethodField(
        help_text="true when the guide has not been verified for a year"
    )
    materials = GuideMaterialSerializer(many=True)
    steps = GuideStepSerializer(many=True)
    url = serializers.SerializerMethodField(help_text="the guide's page")
    print_url = serializers.SerializerMethodField(help_text="its A4 page with a QR code")

    class Meta(GuideSummarySerializer.Meta):
        fields = [
            *GuideSummarySerializer.Meta.fields,
            "lowest_tier_text",
            "applies_where",
            "verification_overdue",
            "applicants",
            "conditions",
            "materials",
            "steps",
            "office_address",
            "office_hours",
            "phone",
            "online_url",
            "legal_basis",
            "published_at",
            "url",
            "print_url",
        ]

    def get_lowest_tier_text(self, guide: ServiceGuide) -> str:
        return selectors.tier_phrase(guide.lowest_tier)

    def get_applies_where(self, guide: ServiceGuide) -> str:
        return selectors.applies_where(guide)

    def get_verification_overdue(self, guide: ServiceGuide) -> bool:
        return selectors.verification_overdue(guide)

    def get_url(self, guide: ServiceGuide) -> str:
        return reverse("service-guide", args=[guide.pk])

    def get_print_url(self, guide: ServiceGuide) -> str:
        return reverse("service-guide-print", args=[guide.pk])


@extend_schema(parameters=[GuideListQuery])
class GuideList(generics.ListAPIView):
    """The published service guides that apply in a place, by category and search."""

    serializer_class = GuideSummarySerializer

    def get_queryset(self):
        query = GuideListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return selectors.guides_found(data.get("region"), data.get("category"), data.get("q"))


class GuideDetail(APIView):
    """One published guide: materials, steps, where, when, fees, legal basis."""

    @extend_schema(responses={200: GuideDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        guide = selectors.guide_public(pk)
        if guide is None:
            raise Http404
        return Response(GuideDetailSerializer(guide, context={"request": request}).data)


urlpatterns = [
    path("service-guides/", GuideList.as_view(), name="api-service-guides"),
    path("service-guides/<int:pk>/", GuideDetail.as_view(), name="api-service-guide"),
]
