from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from disclosure import search, selectors
from disclosure.forms import RecordFilterForm
from disclosure.models import Attachment, CatalogItem, GazetteIssue, RecordStatus
from disclosure.permissions import visible_records
from disclosure.selectors import RecordFilter
from portal import hierarchy, uploads
from portal.models import Region

PAGE_SIZE = 20
# Shown inline; everything else is a download.
# A list (not a search) counts at most this many records, 500 pages: the city's list holds
# two million, and counting them all took most of the page's time (bench/README.md).
LIST_COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts only up to `cap` rows; past it the page says "more than" and the pages stop
    at the cap."""

    cap = LIST_COUNT_CAP

    @cached_property
    def count(self) -> int:
        return search.capped_count(self.object_list, self.cap)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        if self.capped:
            return max(1, self.cap // self.per_page)
        return super().num_pages


class SearchPaginator(CappedPaginator):
    """Searches stop counting sooner: each match costs a recheck of its text."""

    cap = search.COUNT_CAP


def _page(request: HttpRequest, queryset, *, searching: bool = False):
    paginator_class = SearchPaginator if searching else CappedPaginator
    return paginator_class(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_string(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def record_list(request: HttpRequest) -> HttpResponse:
    """Everything published inside a place (or the whole platform), filtered; with q, a search."""
    form = RecordFilterForm(request.GET or None)
    page = region = None
    if not form.is_bound or form.is_valid():
        criteria = form.criteria() if form.is_bound else RecordFilter()
        page = _page(
            request,
            selectors.records_public(request.user, criteria),
            searching=bool(criteria.query),
        )
        if criteria.region:
            region = Region.objects.filter(code=criteria.region).first()
            if region is None:
                raise Http404
        for record in page:
            if criteria.query:
                record.excerpt = search.highlight(search.plain_text(record.body), criteria.query)
                record.title_marked = search.highlight(record.title, criteria.query, length=200)
    return render(
        request,
        "disclosure/record_list.html",
        {
            "form": form,
            "page": page,
            "region": region,
            "breadcrumbs": hierarchy.breadcrumbs(region) if region else None,
            "query_string": _query_string(request),
            "searching": bool(form.is_bound and form.is_valid() and form.cleaned_data.get("q")),
        },
    )


def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_detail(request.user, pk)
    if record is None:
        raise Http404
    withdrawn = record.status == RecordStatus.WITHDRAWN
    return render(
        request,
        "disclosure/record_detail.html",
        {
            "record": record,
            "withdrawn": withdrawn,
            "breadcrumbs": hierarchy.breadcrumbs(record.unit.region),
            "attachments": [] if withdrawn else list(record.attachments.all()),
            "versions": list(record.versions.all()),
            "chain": selectors.policy_chain(request.user, record),
        },
    )


def record_version(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    record = selectors.record_detail(request.user, pk)
    if record is None:
        raise Http404
    old = get_object_or_404(record.versions, version=version)
    return render(request, "disclosure/record_version.html", {"record": record, "old": old})


def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """Files are private: served only through the same visibility check as their record."""
    record = selectors.record_detail(request.user, pk)
    if record is None or record.status == RecordStatus.WITHDRAWN:
        raise Http404
    attachment = get_object_or_404(Attachment, pk=attachment_id, record=record)
    return uploads.serve_file(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        filename=attachment.original_name,
        cache=uploads.PRIVATE if record.scope != "public" else "public, max-age=3600",
    )


def _period_from(value: str | None) -> dt.date | None:
    """'2026Q3', '2026-07' or '2026' → the first day of that period."""
    if not value:
        return None
    value = value.strip().upper()
    try:
        if "Q" in value:
            year, quarter = value.split("Q")
            return dt.date(int(year), (int(quarter) - 1) * 3 + 1, 1)
        if "-" in value:
            year, month = value.split("-")
            return dt.date(int(year), int(month), 1)
        return dt.date(int(value), 1, 1)
    except ValueError:
        return None


def catalog_item_records(request: HttpRequest, item_id: int) -> HttpResponse:
    """One catalog item across a subtree: "all village 低保名单 for 2026 Q3 in 新津区"."""
    item = get_object_or_404(CatalogItem.objects.select_related("template"), pk=item_id)
    code = request.GET.get("region", "")
    region = None
    if code:
        if not hierarchy.is_valid_code(code):
            raise Http404
        region = get_object_or_404(Region, code=code)
    period_text = request.GET.get("period", "")
    period = _period_from(period_text)
    bad_period = bool(period_text) and period is None
    error = _("期间格式应为 2026Q3、2026-07 或 2026。") if bad_period else ""
    criteria = RecordFilter(
        region=region.code if region else None,
        item_family=selectors.item_family(item),
        period_start=period,
    )
    page = _page(request, selectors.records_public(request.user, criteria))
    return render(
        request,
        "disclosure/item_records.html",
        {
            "item": item,
            "region": region,
            "breadcrumbs": hierarchy.breadcrumbs(region) if region else None,
            "period": period_text if period else "",
            "period_error": error,
            "page": page,
            "query_string": _query_string(request),
        },
    )


def _issue_or_404(year: int, number: int) -> GazetteIssue:
    # One gazette per platform in practice (the city government's); the oldest publisher
    # wins should a second ever share a number.
    issue = (
        GazetteIssue.objects.filter(year=year, number=number, is_published=True)
        .order_by("publisher_id")
        .first()
    )
    if issue is None:
        raise Http404
    return issue


def gazette_archive(request: HttpRequest) -> HttpResponse:
    issues = GazetteIssue.objects.filter(is_published=True).select_related("publisher")
    years: dict[int, list[GazetteIssue]] = {}
    for issue in issues.order_by("-year", "-number"):
        years.setdefault(issue.year, []).append(issue)
    return render(
        request, "disclosure/gazette_archive.html", {"years": sorted(years.items(), reverse=True)}
    )


def gazette_issue(request: HttpRequest, year: int, number: int) -> HttpResponse:
    issue = _issue_or_404(year, number)
    visible = visible_records(request.user).values("pk")
    entries = issue.entries.filter(record__in=visible).select_related("record", "record__unit")
    return render(request, "disclosure/gazette_issue.html", {"issue": issue, "entries": entries})


def gazette_pdf(request: HttpRequest, year: int, number: int) -> FileResponse:
    issue = _issue_or_404(year, number)
    if not issue.pdf:
        raise Http404
    return uploads.serve_file(
        issue.pdf.open("rb"),
        content_type="application/pdf",
        filename=f"gazette-{year}-{number}.pdf",
        cache="public, max-age=3600",
        inline=False,
    )
