"""Public pages of the three-asset ledgers: the collectives inside a place with the
latest month each has published, and one collective with its published monthly
statements, the entries of a chosen published month, and its registers of fixed
assets and resources.

Everything is read through funds.selectors.ledger, the answers the API and the published
record give: entries only of published months, people's names masked. Original vouchers
are never linked from here; members see them after an ID check (funds.views.vouchers).
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from disclosure.models import RecordStatus
from funds.forms.ledger import MonthForm
from funds.models import Collective
from funds.selectors import ledger as selectors
from portal import selectors as places
from portal.pages import public_trail, query_without_page, region_or_404

PAGE_SIZE = 20
ENTRIES_PAGE_SIZE = 50


def collective_list(request: HttpRequest) -> HttpResponse:
    """The collectives inside a place (the whole portal when none is named)."""
    region = region_or_404(request.GET.get("region") or settings.PORTAL_ROOT_REGION)
    page = Paginator(selectors.collectives_public(region.code), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "funds/ledger/collective_list.html",
        {
            "region": region,
            "page": page,
            "trail": public_trail(region),
            "children": list(places.region_children(region.code)),
            "query_string": query_without_page(request),
        },
    )


def collective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A collective's published months; `?month=YYYY-MM` picks one (the latest when
    none is named). A month that is not published, or not a month, is a 404."""
    collective = get_object_or_404(Collective.objects.select_related("region", "centre"), pk=pk)
    statements = list(selectors.statements_public(collective))
    by_month = {selectors.month_key(statement.month): statement for statement in statements}
    asked = request.GET.get("month")
    if asked:
        if selectors.parse_month(asked) is None or asked not in by_month:
            raise Http404
        statement = by_month[asked]
    else:
        statement = statements[0] if statements else None
    entries = None
    if statement is not None:
        page = Paginator(
            selectors.entries_public(collective, statement.month), ENTRIES_PAGE_SIZE
        ).get_page(request.GET.get("page"))
        entries = page
        rows = [selectors.entry_row(entry) for entry in page.object_list]
    else:
        rows = []
    form = MonthForm(
        initial={"month": selectors.month_key(statement.month) if statement else ""},
        months=[s.month for s in statements],
    )
    return render(
        request,
        "funds/ledger/collective_detail.html",
        {
            "collective": collective,
            "statements": statements,
            "statement": statement,
            "figures": selectors.figures_display(statement.figures) if statement else None,
            "record_published": bool(
                statement and statement.record and statement.record.status == RecordStatus.PUBLISHED
            ),
            "month_key": selectors.month_key(statement.month) if statement else "",
            "month_form": form,
            "entries": entries,
            "rows": rows,
            "assets": selectors.assets_public(collective),
            "resources": selectors.resources_public(collective),
            "trail": public_trail(collective.region),
            "query_string": query_without_page(request),
        },
    )
