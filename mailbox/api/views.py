from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mailbox import selectors_track, services
from mailbox.api import serializers as s
from portal.api.errors import refusal_response
from portal.models import Unit
from portal.pages import client_ip


class LetterCreate(APIView):
    """Write to any unit. Returns the tracking code, the private query code and the due date."""

    @extend_schema(request=s.LetterSubmitSerializer, responses={201: s.LetterReceiptSerializer})
    def post(self, request: Request) -> Response:
        incoming = s.LetterSubmitSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        unit = Unit.objects.filter(pk=data.pop("unit"), is_active=True).first()
        try:
            letter, _created = services.letter_submit(
                unit=unit,
                user=request.user,
                ip=client_ip(request),
                **data,
            )
        except ValidationError as exc:
            return refusal_response(exc)
        return Response(
            s.LetterReceiptSerializer(letter).data,
            # 201 either way: a repeated submission is answered with the first letter.
            status=status.HTTP_201_CREATED,
        )


class LetterTrack(APIView):
    """Follow a letter with its tracking code and query code; anything else is 404."""

    @extend_schema(
        parameters=[
            OpenApiParameter("query_code", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True)
        ],
        responses=s.LetterStatusSerializer,
    )
    def get(self, request: Request, tracking_code: str) -> Response:
        letter = selectors_track.letter_by_codes(
            tracking_code, request.query_params.get("query_code", "")
        )
        if letter is None:
            raise Http404
        return Response(s.LetterStatusSerializer(letter).data)
