"""API of the three-asset ledgers; included by funds.api.urls.

GET /api/v1/ledger-entries/?collective=<id>&month=YYYY-MM lists a collective's entries
of a month once that month's statement is published (an unpublished month lists
nothing), read through funds.selectors.ledger like the public page: people's names
masked, no voucher files. 400 for a missing or malformed month or an unknown collective.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from funds.models import Collective, Direction, DisclosureCategory
from funds.selectors import ledger as selectors


class EntryListQuery(serializers.Serializer):
    collective = serializers.IntegerField(min_value=1, help_text="Collective id")
    month = serializers.CharField(
        help_text="YYYY-MM. A month whose statement is not published lists no entries."
    )

    default_error_messages = {
        "unknown": _("没有编号为 %(id)s 的集体经济组织。"),
    }

    def validate_collective(self, value: int) -> Collective:
        collective = Collective.objects.filter(pk=value).first()
        if collective is None:
            raise serializers.ValidationError(self.error_messages["unknown"] % {"id": value})
        return collective

    def validate_month(self, value: str):
        month = selectors.parse_month(value)
        if month is None:
            raise serializers.ValidationError(_("月份应写作 2026-03 这样的年-月。"))
        return month


class SubjectRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class LedgerEntrySerializer(serializers.Serializer):
    """A published entry as the public page shows it (built by selectors.entry_row)."""

    id = serializers.IntegerField()
    booked_on = serializers.DateField()
    voucher_number = serializers.CharField()
    summary = serializers.CharField(help_text="phone, ID numbers and e-mail removed")
    subject = SubjectRefSerializer(help_text="account subject of the chart for collectives")
    category = serializers.ChoiceField(
        choices=DisclosureCategory.choices, help_text="one of the eight disclosure categories"
    )
    category_label = serializers.CharField()
    direction = serializers.ChoiceField(choices=Direction.choices)
    direction_label = serializers.CharField()
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="negative for a red reversal"
    )
    counterparty = serializers.CharField(help_text="a person's name is masked (张*)")
    handler = serializers.CharField(help_text="masked (张*)")
    approver = serializers.CharField(help_text="masked (张*)")
    reviewer = serializers.CharField(help_text="supervisory committee's reviewer, masked")
    is_reversal = serializers.BooleanField()
    corrects = serializers.IntegerField(
        allow_null=True, help_text="id of the entry this one corrects"
    )
    corrects_voucher_number = serializers.CharField(allow_blank=True)
    voucher_count = serializers.IntegerField(
        help_text="original vouchers attached (members see them after an ID check)"
    )

    def to_representation(self, row: dict[str, Any]) -> dict[str, Any]:
        row = {**row, "subject": {"code": row["subject_code"], "name": row["subject_name"]}}
        return super().to_representation(row)


@extend_schema(
    parameters=[EntryListQuery],
    description=(
        "A collective's entries of one month, oldest first, once the village has published "
        "that month's statement. A month that is not published (or has no statement) lists "
        "nothing: `count` 0. Original vouchers are not served here."
    ),
    responses={
        200: LedgerEntrySerializer(many=True),
        400: OpenApiResponse(description="missing or malformed month, unknown collective"),
    },
)
class LedgerEntryList(generics.ListAPIView):
    """Published entries of a collective's month."""

    serializer_class = LedgerEntrySerializer

    def get_queryset(self):
        query = EntryListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return selectors.entries_public(data["collective"], data["month"])

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = [selectors.entry_row(entry) for entry in page]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


urlpatterns = [
    path("ledger-entries/", LedgerEntryList.as_view(), name="api-ledger-entries"),
]
