"""API of the approval bureau's catalog; included by services.api.urls.

GET /api/v1/approval-matters/?region=<code> lists the matters in use of the bureaus in
that place and everything inside it (region is required), bureau by bureau, then by
original department and name, paginated; optional department=<unit id>, type=<matter
type> and q=<part of the name, or the matter's code>. Each matter names its original
department and its bureau, gives the legal and the promised limit in working days, the
fees, the materials one a line, and its service guide's id while that guide is
published. It reads through services.selectors.approvals, as the page does.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers

from portal.api.serializers import RegionCodeField
from portal.models import Unit
from services.models import ApprovalMatter, MatterType
from services.selectors import approvals as selectors


class MatterListQuery(serializers.Serializer):
    region = RegionCodeField(
        help_text="12-digit code (required): the matters of the bureaus in this place and "
        "everything inside it",
        error_messages={
            "required": _("请用 region 指定地区：12位行政区划代码，例如 510118000000。")
        },
    )
    department = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="id of the original department (a unit)",
        error_messages={
            "invalid": _("department 应为单位编号（整数）。"),
            "min_value": _("department 应为单位编号（整数）。"),
            "max_string_length": _("department 应为单位编号（整数）。"),
        },
    )
    type = serializers.ChoiceField(
        choices=MatterType.choices,
        required=False,
        help_text="type of matter",
        error_messages={"invalid_choice": _("没有“{input}”这种事项类型。")},
    )
    q = serializers.CharField(
        required=False,
        max_length=50,
        help_text="part of the matter's name, or its code",
        error_messages={"max_length": _("查询词不能超过 {max_length} 个字。")},
    )

    def validate_department(self, value: int) -> int:
        if not Unit.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("没有编号为 %(id)d 的单位。") % {"id": value})
        return value


class UnitBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MatterSerializer(serializers.ModelSerializer):
    matter_type_label = serializers.CharField(source="get_matter_type_display")
    department = UnitBriefSerializer(help_text="the original department (原职能部门)")
    bureau = UnitBriefSerializer(help_text="the approval bureau that handles it (行政审批局)")
    materials = serializers.SerializerMethodField(help_text="application materials, one a line")
    guide = serializers.SerializerMethodField(
        help_text="id of the published service guide of the matter, or null"
    )

    class Meta:
        model = ApprovalMatter
        fields = [
            "id",
            "code",
            "name",
            "matter_type",
            "matter_type_label",
            "department",
            "bureau",
            "legal_limit_days",
            "promised_limit_days",
            "fees",
            "materials",
            "guide",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_materials(self, matter: ApprovalMatter) -> list[str]:
        return selectors.materials_of(matter)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_guide(self, matter: Any) -> int | None:
        return matter.public_guide_id


@extend_schema(parameters=[MatterListQuery])
class MatterList(generics.ListAPIView):
    """The approval matters in use of the bureaus inside a place, each with its
    original department."""

    serializer_class = MatterSerializer

    def get_queryset(self):
        query = MatterListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return selectors.matters_public(
            selectors.MatterFilter(
                region=data["region"],
                department=data.get("department"),
                matter_type=data.get("type"),
                query=(data.get("q") or "").strip() or None,
            )
        )


urlpatterns = [
    path("approval-matters/", MatterList.as_view(), name="api-approval-matters"),
]
