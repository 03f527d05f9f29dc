"""Steps the participation pages share: the place and the unit a list is narrowed to, the
page of it shown, and what every list template reads (participation/_place_filter.html
and disclosure/_pager.html)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpRequest
from django.utils.http import urlencode

from portal import hierarchy
from portal import selectors as places
from portal.models import Region, Unit
from portal.pages import query_without_page, region_or_404

PAGE_SIZE = 20

F = TypeVar("F", bound=BaseForm)


def place_or_root_404(code: str | None) -> Region:
    """The place a `?region=` names, the portal's root place when none is named."""
    # A code is always named here, so the answer is a place or a 404, never None.
    return region_or_404(code or settings.PORTAL_ROOT_REGION)  # type: ignore[return-value]


def unit_or_404(pk: int | None) -> Unit | None:
    """The unit a `?unit=` names, with its place; None when none is named. A unit wound up
    since is still found: what it organised stays public."""
    if pk is None:
        return None
    unit = Unit.objects.select_related("region").filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def filters_or_404(
    request: HttpRequest, form_class: type[F]
) -> tuple[F, Region | None, Unit | None]:
    """A list's filter form bound to the query string, and the place and the unit it
    names. Filters that do not validate, or name nothing, are a 404 like a wrong URL."""
    form = form_class(request.GET)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    return form, region_or_404(data.get("region")), unit_or_404(data.get("unit"))


def page_of(
    request: HttpRequest, items: QuerySet[Any] | Sequence[Any], *, param: str = "page"
) -> Page:
    """The page of a list that `?page=` (or `param`) asks for; a bad number shows the
    first or the last page rather than an error."""
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get(param))


def query_without_place(request: HttpRequest) -> str:
    """The list's query string without the place and the page: every filter a link to a
    place inside keeps."""
    query = request.GET.copy()
    for name in ("region", "page"):
        query.pop(name, None)
    return query.urlencode()


def kept_filter(name: str, value: str | None) -> str:
    """The one filter a link to a place inside keeps, as a query string ('' if unset)."""
    return urlencode({name: value}) if value else ""


def list_context(
    request: HttpRequest,
    *,
    form: BaseForm,
    page: Page,
    region: Region | None,
    unit: Unit | None,
    child_query: str = "",
    children: list[Region] | None = None,
) -> dict[str, Any]:
    """What a list page shows around its rows: the filter, the place's breadcrumbs, the
    places inside it (unless one unit is chosen) with `child_query` kept on their links,
    and the pager's query string."""
    if children is None:
        children = list(places.region_children(region.code)) if region and not unit else []
    return {
        "form": form,
        "page": page,
        "region": region,
        "unit": unit,
        "breadcrumbs": hierarchy.breadcrumbs(region) if region else None,
        "breadcrumbs_link_last": False,
        "children": children,
        "child_query": child_query,
        "query_string": query_without_page(request),
    }
