"""How the API answers a service's refusal, and an address that matches no route: one mapping
for every endpoint."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
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


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The site's 404 handler (settings.ROOT_URLCONF's handler404). An API address that
    matches no route (`/api/v1/votes/abc/` where the id is a number) answers in JSON like
    every other API refusal; the rest of the site keeps Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到。")}, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)
