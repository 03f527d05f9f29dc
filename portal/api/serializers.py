from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal import hierarchy
from portal.models import Region, Tier, Unit, UnitKind
from portal.workdays import MAX_DAYS


def service_text(help_text: str = "") -> serializers.CharField:
    """A text field for an endpoint whose service validates the text: "missing", "blank"
    and "too long" are left to the service, which says what is wrong in the same words
    as the web form."""
    return serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid": _("请填写文字。")},
        help_text=help_text or None,
    )


class RegionCodeField(serializers.CharField):
    """A 12-digit division code; the place must exist."""

    default_error_messages = {
        "invalid_code": _("应为12位行政区划代码，例如 510118000000。"),
        "unknown": _("没有代码为 %(code)s 的行政区划。"),
    }

    def to_internal_value(self, data):
        code = super().to_internal_value(data).strip()
        if not hierarchy.is_valid_code(code):
            self.fail("invalid_code")
        if not Region.objects.filter(code=code).exists():
            raise serializers.ValidationError(self.error_messages["unknown"] % {"code": code})
        return code


class RegionSerializer(serializers.ModelSerializer):
    tier_label = serializers.CharField(source="get_tier_display", read_only=True)
    parent = serializers.CharField(source="parent_id", read_only=True, allow_null=True)

    class Meta:
        model = Region
        fields = ["code", "name", "tier", "tier_label", "parent"]


class PlaceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "tier"]


class UnitRefSerializer(serializers.Serializer):
    """A publishing unit where another object names it: a record's, a vote's, ..."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class RegionDetailSerializer(RegionSerializer):
    ancestors = serializers.SerializerMethodField(help_text="Enclosing places, outermost first.")
    children_count = serializers.IntegerField(read_only=True)

    class Meta(RegionSerializer.Meta):
        fields = [*RegionSerializer.Meta.fields, "is_active", "ancestors", "children_count"]

    def get_ancestors(self, region: Region) -> list[dict]:
        return PlaceRefSerializer(self.context["ancestors"], many=True).data


class RegionListQuery(serializers.Serializer):
    parent = RegionCodeField(required=False, help_text="Children of this place.")
    region = RegionCodeField(required=False, help_text="This place and everything inside it.")
    tier = serializers.ChoiceField(choices=Tier.choices, required=False)


class UnitSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    sector_label = serializers.CharField(source="get_sector_display", read_only=True)
    region = PlaceRefSerializer(read_only=True)
    parent_unit = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "sector",
            "sector_label",
            "region",
            "parent_unit",
            "address",
            "phone",
            "office_hours",
        ]


class UnitListQuery(serializers.Serializer):
    region = RegionCodeField(required=False, help_text="This place and everything inside it.")
    kind = serializers.ChoiceField(choices=UnitKind.choices, required=False)
    q = serializers.CharField(required=False, max_length=50, help_text="Part of the unit's name.")


class WorkdayQuery(serializers.Serializer):
    date = serializers.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("日期格式应为 YYYY-MM-DD，例如 2026-09-28。")},
    )
    days = serializers.IntegerField(
        min_value=0,
        max_value=MAX_DAYS,
        error_messages={
            "invalid": _("天数应为整数。"),
            "min_value": _("天数不能为负数。"),
            "max_value": _("天数不能超过 {max_value}。"),
        },
    )


class WorkdayResultSerializer(serializers.Serializer):
    date = serializers.DateField()
    provisional = serializers.BooleanField(
        help_text="True when the span touches a year whose holiday schedule is not loaded."
    )


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    units = serializers.ListField(child=serializers.DictField())
    supervises = serializers.ListField(child=serializers.CharField())
    residencies = serializers.ListField(child=serializers.DictField())
