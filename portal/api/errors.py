"""How the API answers a service's refusal: one mapping for every endpoint."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import serializers, status
from rest_framework.response import Response

from portal.ratelimit import RateLimited
from portal.services.errors import DomainError, NotAllowed


def refusal_response(exc: ValidationError) -> Response:
    """429 when rate limited, 403 when the person may not, 409 when the state does not
    allow it now, each with the message as `detail`; field errors become a 400."""
    if hasattr(exc, "error_dict"):
        raise serializers.ValidationError(exc.message_dict) from None
    if isinstance(exc, RateLimited):
        code = status.HTTP_429_TOO_MANY_REQUESTS
    elif isinstance(exc, NotAllowed):
        code = status.HTTP_403_FORBIDDEN
    elif isinstance(exc, DomainError):
        code = status.HTTP_409_CONFLICT
    else:
        raise serializers.ValidationError({"non_field_errors": exc.messages}) from None
    return Response({"detail": exc.messages[0]}, status=code)
