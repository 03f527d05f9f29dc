"""Two doors every request passes.

PublicPostRateLimit: every POST (and PUT, PATCH, DELETE) from a visitor or a citizen is
counted per address and, when signed in, per person, per URL pattern and hour
(portal.ratelimit.rate_check), before the view runs: one limit in front of every public
form and API write, including those added later, on top of the finer limits the services
apply (per phone, per ID number).
The one refused gets HTTP 429 with the reason and the view never runs, so it stores
nothing. Officials and supervisors (is_staff, kept in step with their roles) are not
counted: their back-office work comes from shared office addresses.

SecondFactorRequired: when settings.PORTAL_REQUIRE_TOTP_FOR names a role, a signed-in
person of that role without a second factor can reach only the page that sets it up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.auth import totp
from portal.pages import client_ip
from portal.ratelimit import WINDOW_SECONDS, RateLimited, ip_key, rate_check

# POSTs that are never refused, each for its reason (tests/portal/test_rate_limits.py
# checks that every other URL pattern is limited).
EXEMPT_VIEWS = {
    # Signing out must always work; it only ends the caller's own session.
    "logout",
    # Language and display mode (large type, high contrast) only set a cookie of the
    # caller's; refusing them would lock a reader out of the accessible layout.
    "set_language",
    "display-mode",
}


# POST above all; the other writing methods are counted the same way.
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _retry_after() -> int:
    now = timezone.now()
    return WINDOW_SECONDS - (now.minute * 60 + now.second)


def rate_limited_response(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    message = exc.messages[0]
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "portal/rate_limited.html", {"message": message}, status=429)
    response["Retry-After"] = str(_retry_after())
    return response


def _poster(request: HttpRequest) -> Any:
    """The signed-in person posting: by session, or by API token (which DRF only reads
    later, inside the view). None for a visitor."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Token "):
        from rest_framework.authtoken.models import Token

        token = Token.objects.select_related("user").filter(key=header[6:].strip()).first()
        if token is not None and token.user.is_active:
            return token.user
    return None


class PublicPostRateLimit:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if request.method not in _WRITES:
            return None
        match = request.resolver_match
        name = (match.view_name if match else None) or request.path
        if name in EXEMPT_VIEWS:
            return None
        user = _poster(request)
        if user is not None and user.is_staff:
            return None
        limit = settings.PORTAL_POST_RATE_LIMITS.get(name, settings.PORTAL_POST_RATE_PER_IP)
        if user is not None:
            # A signed-in person is counted as a person. Their address is still counted,
            # more loosely: a village hall's Wi-Fi or a mobile network's shared address
            # carries a whole village voting in one evening.
            limit *= settings.PORTAL_POST_RATE_SIGNED_IN_ADDRESS_FACTOR
        checks = [(f"post:{name}:ip:{ip_key(client_ip(request) or '')}", limit)]
        if user is not None:
            checks.append((f"post:{name}:user:{user.pk}", settings.PORTAL_POST_RATE_PER_USER))
        try:
            rate_check(checks)
        except RateLimited as exc:
            return rate_limited_response(request, exc)
        return None


# Where a person who must first set up the second factor may still go.
_OPEN_PREFIXES = ("/static/", "/media/", "/i18n/", "/healthz")
_OPEN_VIEWS = {"two-factor", "logout", "display-mode", "set_language"}


class SecondFactorRequired:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not settings.PORTAL_REQUIRE_TOTP_FOR:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if (match and match.view_name in _OPEN_VIEWS) or request.path.startswith(_OPEN_PREFIXES):
            return None
        if not totp.required_for(user) or totp.device_of(user) is not None:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("您的账户须先在网站“两步验证”页面启用两步验证。")}, status=403
            )
        return redirect(reverse("two-factor"))
