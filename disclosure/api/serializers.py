from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from disclosure.models import CatalogItem, CatalogTemplate, Record, RecordKind, Scope
from portal.api.serializers import PlaceRefSerializer, RegionCodeField, UnitRefSerializer


class CatalogItemSerializer(serializers.ModelSerializer):
    schedule = serializers.SerializerMethodField()

    class Meta:
        model = CatalogItem
        fields = [
            "id",
            "seq",
            "level1",
            "level2",
            "elements",
            "basis",
            "time_limit",
            "responsible",
            "channels",
            "audience",
            "scope",
            "mode",
            "level",
            "schedule",
        ]

    def get_schedule(self, item: CatalogItem) -> dict:
        if item.schedule_kind == "yearly":
            return {
                "kind": item.schedule_kind,
                "month": item.schedule_month,
                "day": item.schedule_day,
            }
        return {"kind": item.schedule_kind, "days": item.schedule_days}


class CatalogTemplateSerializer(serializers.ModelSerializer):
    item_count = serializers.IntegerField(read_only=True)
    tier = serializers.SerializerMethodField(help_text="The tier(s) of the units that follow it.")

    class Meta:
        model = CatalogTemplate
        fields = [
            "id",
            "key",
            "name",
            "version",
            "is_current",
            "tier",
            "unit_kinds",
            "sector",
            "item_count",
        ]

    def get_tier(self, template: CatalogTemplate) -> list[str]:
        return template.region_tiers


class CatalogTemplateDetailSerializer(CatalogTemplateSerializer):
    items = CatalogItemSerializer(many=True, read_only=True)

    class Meta(CatalogTemplateSerializer.Meta):
        fields = [*CatalogTemplateSerializer.Meta.fields, "description", "items"]


class ItemRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    level1 = serializers.CharField()
    level2 = serializers.CharField()


class RecordSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    region = PlaceRefSerializer(read_only=True)
    item = ItemRefSerializer(read_only=True)
    url = serializers.SerializerMethodField()
    excerpt = serializers.SerializerMethodField()

    class Meta:
        model = Record
        fields = [
            "id",
            "title",
            "kind",
            "unit",
            "region",
            "item",
            "document_number",
            "info_date",
            "period_start",
            "period_end",
            "scope",
            "status",
            "published_at",
            "url",
            "excerpt",
        ]

    def get_url(self, record: Record) -> str:
        return reverse("record", args=[record.pk])

    def get_excerpt(self, record: Record) -> str | None:
        return str(getattr(record, "excerpt", "")) or None


class AttachmentSerializer(serializers.Serializer):
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment) -> str:
        return reverse("record-attachment", args=[attachment.record_id, attachment.pk])


class RecordDetailSerializer(RecordSerializer):
    body = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    policy = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    versions = serializers.SerializerMethodField()

    class Meta(RecordSerializer.Meta):
        fields = [
            *RecordSerializer.Meta.fields,
            "body",
            "policy",
            "interpretation_form",
            "video_url",
            "version",
            "versions",
            "withdrawn_at",
            "withdraw_reason",
            "attachments",
        ]

    def get_body(self, record: Record) -> str:
        return "" if record.status == "withdrawn" else record.body

    def get_attachments(self, record: Record) -> list[dict]:
        if record.status == "withdrawn":
            return []
        return AttachmentSerializer(record.attachments.all(), many=True).data

    def get_versions(self, record: Record) -> list[dict]:
        return [
            {
                "version": v.version,
                "title": v.title,
                "replaced_at": v.replaced_at,
                "change_note": v.change_note,
            }
            for v in record.versions.all()
        ]


class RecordListQuery(serializers.Serializer):
    region = RegionCodeField(required=False)
    item = serializers.IntegerField(required=False, min_value=1)
    unit = serializers.IntegerField(required=False, min_value=1)
    q = serializers.CharField(required=False, max_length=50)
    order = serializers.ChoiceField(
        choices=[("recent", "recent"), ("relevance", "relevance")], required=False
    )
    since = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("日期格式应为 YYYY-MM-DD，例如 2026-09-28。")},
    )


class RecordWriteSerializer(serializers.Serializer):
    """What other channels send to publish; the service decides what is allowed."""

    unit = serializers.IntegerField(min_value=1)
    item = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    document_number = serializers.CharField(
        required=False, allow_blank=True, max_length=60, default=""
    )
    info_date = serializers.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("日期格式应为 YYYY-MM-DD，例如 2026-09-28。")},
    )
    period_start = serializers.DateField(
        required=False, allow_null=True, input_formats=["%Y-%m-%d"]
    )
    period_end = serializers.DateField(required=False, allow_null=True, input_formats=["%Y-%m-%d"])
    scope = serializers.ChoiceField(choices=Scope.choices, required=False)
    kind = serializers.ChoiceField(
        choices=RecordKind.choices, required=False, default=RecordKind.ORDINARY
    )
    policy = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    interpretation_form = serializers.ChoiceField(
        choices=[("", "—"), ("text", "text"), ("graphic", "graphic"), ("video", "video")],
        required=False,
        default="",
    )
    video_url = serializers.URLField(required=False, allow_blank=True, default="")
    submit = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Submit at once (for review, or published when the unit needs none).",
    )
