from rest_framework import serializers

from mailbox.models import Letter, LetterEvent, LetterType


class LetterSubmitSerializer(serializers.Serializer):
    """The contract other channels (WeChat, apps, kiosks) post; the service validates."""

    unit = serializers.IntegerField()
    type = serializers.ChoiceField(choices=LetterType.choices)
    subject = serializers.CharField(max_length=100, allow_blank=True)
    body = serializers.CharField(allow_blank=True)
    name = serializers.CharField(max_length=40, allow_blank=True)
    phone = serializers.CharField(max_length=20, allow_blank=True)
    email = serializers.CharField(required=False, allow_blank=True, default="")
    id_number = serializers.CharField(required=False, allow_blank=True, default="")
    publish_consent = serializers.BooleanField(required=False, default=False)


class LetterReceiptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Letter
        fields = ["tracking_code", "query_code", "received_at", "due_at", "due_is_provisional"]


class EventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    unit = serializers.CharField(source="unit.name", default=None)
    to_unit = serializers.CharField(source="to_unit.name", default=None)

    class Meta:
        model = LetterEvent
        fields = ["kind", "kind_label", "at", "unit", "to_unit", "note", "due_at"]


class LetterStatusSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    unit = serializers.CharField(source="unit.name")
    events = serializers.SerializerMethodField()
    reply = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = [
            "tracking_code",
            "type",
            "subject",
            "status",
            "status_label",
            "unit",
            "received_at",
            "due_at",
            "due_is_provisional",
            "extended",
            "reject_reason",
            "events",
            "reply",
            "rating",
        ]

    def get_events(self, letter: Letter) -> list[dict]:
        # Reminders are internal; the writer sees the handling steps.
        events = [e for e in letter.events.all() if e.kind != "reminded"]
        return EventSerializer(events, many=True).data

    def get_reply(self, letter: Letter) -> dict | None:
        if not letter.replied_at:
            return None
        return {
            "text": letter.reply,
            "replied_at": letter.replied_at,
            "unit": letter.reply_unit.name if letter.reply_unit else None,
        }
