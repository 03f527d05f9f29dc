"""Small helpers every app's public views share: the place named in a query string, the
query string of a paged list, a service's refusal shown on a form, the client's address."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest

from portal import hierarchy, selectors
from portal.models import Region


def region_or_404(code: str | None) -> Region | None:
    """The active place a `?region=` names, None when none is named; a code that names
    no place is a 404, not an empty page."""
    if not code:
        return None
    region = selectors.region_public(code)
    if region is None:
        raise Http404
    return region


def public_trail(region: Region) -> list[tuple[Region, bool]]:
    """Breadcrumbs of a public page that exists for every place (templates/portal/
    _trail.html): each enclosing place, linked."""
    return [(place, True) for place in hierarchy.breadcrumbs(region)]


def query_without_page(request: HttpRequest) -> str:
    """The list's query string without `page`, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def add_service_errors(
    form: BaseForm,
    exc: ValidationError,
    *,
    fallback: str | None = None,
    refusal_field: str | None = None,
    aliases: dict[str, str] | None = None,
) -> None:
    """Show a service's refusal on the form. A field's error goes beside that field (or
    the form field `aliases` names for it), else beside `fallback` (None: on top); a
    refusal of the action as a whole goes beside `refusal_field`, else beside `fallback`."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            target = (aliases or {}).get(field, field)
            for message in messages:
                form.add_error(target if target in form.fields else fallback, message)
    else:
        for message in exc.messages:
            form.add_error(refusal_field or fallback, message)


def client_ip(request: HttpRequest) -> str | None:
    """The address a request came from, for rate limits and lockouts. Behind the TLS
    proxy (DJANGO_BEHIND_TLS_PROXY) REMOTE_ADDR is the proxy: the address it saw is the
    last X-Forwarded-For hop (earlier hops are whatever the client sent)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and forwarded:
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR")
