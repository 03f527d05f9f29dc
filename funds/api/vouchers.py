"""API of voucher viewing (凭身份证号查阅原始凭证); included by funds.api.urls.

POST /api/v1/voucher-access/ gives name and ID number for a collective: 201 a grant token
with its expiry, 400 missing input or no such collective, 403 no match (one message for a
wrong name, a non-member and a malformed ID number, which all count as a wrong try), 429
locked after too many wrong tries (Retry-After, the unlock time in `detail`).

GET /api/v1/vouchers/?collective=<id> and GET /api/v1/vouchers/<id>/file/ take the grant
in the X-Voucher-Grant header (a browser's session grant works too): the list is the
collective's entries with vouchers, each voucher with its file URL (403 without a valid
grant, 404 no such collective); the file is the voucher marked with the viewer, and each
fetch is logged (404 without a valid grant for the voucher's collective).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from funds.models import Collective, LedgerEntry, Voucher
from funds.selectors import vouchers as selectors
from funds.services import vouchers as services
from funds.views.vouchers import (
    GRANT_HEADER,
    collective_or_404,
    grant_from_request,
    stamped_response,
    voucher_with_grant_or_404,
)
from portal.api.errors import refusal_response
from portal.pages import client_ip

GRANT_PARAMETER = OpenApiParameter(
    name=GRANT_HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "The `grant` token from POST /api/v1/voucher-access/ for the collective. "
        "A browser that passed the check on the voucher page sends its session instead."
    ),
)


# ---------------------------------------------------------------------------
# Serializers


class AccessRequestSerializer(serializers.Serializer):
    collective = serializers.IntegerField(min_value=1, help_text="Collective id")
    name = serializers.CharField(max_length=40, help_text="the member's name as registered")
    id_number = serializers.CharField(max_length=24, help_text="18-character ID number")


class GrantSerializer(serializers.Serializer):
    grant = serializers.CharField(help_text=f"send it in the {GRANT_HEADER} header")
    expires_at = serializers.DateTimeField()
    collective = serializers.IntegerField()


class LockedSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="why, with the time the lock ends")
    locked_until = serializers.DateTimeField()


class VoucherListQuery(serializers.Serializer):
    collective = serializers.IntegerField(min_value=1, help_text="Collective id")


class VoucherFileSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField(
        help_text=f"the voucher marked with the viewer; send the {GRANT_HEADER} header"
    )

    class Meta:
        model = Voucher
        fields = ["id", "original_name", "content_type", "size", "file_url"]

    def get_file_url(self, voucher: Voucher) -> str:
        url = reverse("api-voucher-file", args=[voucher.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class EntryWithVouchersSerializer(serializers.ModelSerializer):
    subject = serializers.CharField(source="subject_id", help_text="account subject code")
    subject_name = serializers.CharField(source="subject.name")
    direction_label = serializers.CharField(source="get_direction_display")
    vouchers = VoucherFileSerializer(many=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "booked_on",
            "voucher_number",
            "summary",
            "subject",
            "subject_name",
            "direction",
            "direction_label",
            "amount",
            "vouchers",
        ]


# ---------------------------------------------------------------------------
# Views


@method_decorator(sensitive_post_parameters("name", "id_number"), name="dispatch")
class VoucherAccess(APIView):
    """Ask to see a collective's original vouchers with name and ID number."""

    @extend_schema(
        request=AccessRequestSerializer,
        responses={
            201: GrantSerializer,
            400: OpenApiResponse(description="missing input, or no such collective"),
            403: OpenApiResponse(
                description="not a member of the collective: wrong name, not registered "
                "or a malformed ID number alike, and counted as a wrong try"
            ),
            429: OpenApiResponse(
                LockedSerializer,
                description="locked after too many wrong tries; Retry-After in seconds",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        incoming = AccessRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        collective = selectors.collective_public(data["collective"])
        if collective is None:
            raise serializers.ValidationError({"collective": [_("没有这个集体经济组织。")]})
        try:
            grant, token = services.voucher_access_request(
                collective=collective,
                name=data["name"],
                id_number=data["id_number"],
                client=client_ip(request),
                user=request.user,
            )
        except services.Locked as exc:
            # refusal_response answers a Conflict with 409; a lock is a 429 here.
            return Response(
                {"detail": exc.messages[0], "locked_until": exc.until},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.retry_after())},
            )
        except ValidationError as exc:
            return refusal_response(exc)
        return Response(
            GrantSerializer(
                {"grant": token, "expires_at": grant.expires_at, "collective": collective.pk}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class VoucherList(generics.ListAPIView):
    """A collective's entries that have vouchers, newest first, for the holder of a grant."""

    serializer_class = EntryWithVouchersSerializer
    collective: Collective

    @extend_schema(
        parameters=[VoucherListQuery, GRANT_PARAMETER],
        responses={
            200: EntryWithVouchersSerializer(many=True),
            400: OpenApiResponse(description="collective missing or not a number"),
            403: OpenApiResponse(description="no valid grant for this collective"),
            404: OpenApiResponse(description="no such collective"),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = VoucherListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        collective = collective_or_404(query.validated_data["collective"])
        if grant_from_request(request, collective.pk) is None:
            return Response(
                {"detail": _("请先凭本人姓名和身份证号码申请查阅，或查阅时限已到。")},
                status=status.HTTP_403_FORBIDDEN,
            )
        self.collective = collective
        return self.list(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.entries_with_vouchers(self.collective)


class VoucherFile(APIView):
    """One voucher's file (image or PDF), marked with the viewer's masked ID number, the
    time and the grant number; every fetch is logged."""

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # The answer is a file whatever the client accepts; errors are JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=[GRANT_PARAMETER],
        responses={
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="no such voucher, or no valid grant for it"),
            409: OpenApiResponse(description="the file cannot be shown now"),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse | Response:
        voucher, grant = voucher_with_grant_or_404(request, pk)
        try:
            _view, stamped = services.voucher_file(voucher=voucher, grant=grant)
        except ValidationError as exc:
            return refusal_response(exc)
        return stamped_response(stamped)


urlpatterns = [
    path("voucher-access/", VoucherAccess.as_view(), name="api-voucher-access"),
    path("vouchers/", VoucherList.as_view(), name="api-vouchers"),
    path("vouchers/<int:pk>/file/", VoucherFile.as_view(), name="api-voucher-file"),
]
