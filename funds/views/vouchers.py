"""Pages of voucher viewing (凭身份证号查阅原始凭证): the form where a person gives name and
ID number for a collective, the collective's entries with vouchers month by month, and a
voucher's file, marked with the viewer and logged.

A grant's token travels in the session (a dict collective id → token) for a browser, or in
the X-Voucher-Grant header for an API client; the file URL accepts either. Without a valid
grant the list sends the person to the form, and the file is a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from funds.forms.vouchers import VoucherAccessForm
from funds.models import Collective, Voucher, VoucherGrant
from funds.selectors import vouchers as selectors
from funds.services import vouchers as services
from funds.watermark import Stamped
from portal import hierarchy, uploads
from portal.pages import add_service_errors, client_ip, query_without_page

SESSION_KEY = "funds_voucher_grants"
GRANT_HEADER = "X-Voucher-Grant"
PAGE_SIZE = 50


def remember_grant(request: HttpRequest, collective_id: int, token: str) -> None:
    grants = dict(request.session.get(SESSION_KEY, {}))
    grants[str(collective_id)] = token
    request.session[SESSION_KEY] = grants


def _token(request: HttpRequest, collective_id: int) -> str | None:
    header = request.headers.get(GRANT_HEADER)
    if header:
        return header.strip()
    return request.session.get(SESSION_KEY, {}).get(str(collective_id))


def grant_from_request(request: HttpRequest, collective_id: int) -> VoucherGrant | None:
    """The unexpired grant for the collective that the request carries: the header if
    one is sent, else the session's."""
    return services.grant_for(_token(request, collective_id), collective_id)


def voucher_with_grant_or_404(
    request: HttpRequest, voucher_id: int
) -> tuple[Voucher, VoucherGrant]:
    """A public voucher and the request's grant for its collective; 404 when either is
    missing, so a voucher of another collective looks like no voucher."""
    voucher = selectors.voucher_public(voucher_id)
    if voucher is None:
        raise Http404
    grant = grant_from_request(request, voucher.entry.collective_id)
    if grant is None:
        raise Http404
    return voucher, grant


def stamped_response(stamped: Stamped) -> HttpResponse:
    """A marked voucher shown in the browser, never kept in any cache, never sniffed."""
    return uploads.serve_file(
        stamped.content,
        content_type=stamped.content_type,
        filename=stamped.filename,
        cache=uploads.PRIVATE,
    )


def collective_or_404(pk: int) -> Collective:
    """A collective whose vouchers the public may ask to see; 404 for any other."""
    collective = selectors.collective_public(pk)
    if collective is None:
        raise Http404
    return collective


def _place(collective: Collective) -> dict:
    return {"breadcrumbs": hierarchy.breadcrumbs(collective.region), "breadcrumbs_link_last": True}


@sensitive_post_parameters("name", "id_number")
@never_cache
@require_http_methods(["GET", "POST"])
def voucher_access(request: HttpRequest, collective_id: int) -> HttpResponse:
    """GET explains who may look and shows the form; POST checks name and ID number and,
    for a member, opens the collective's vouchers for a short while."""
    collective = collective_or_404(collective_id)
    form = VoucherAccessForm(request.POST or None)
    status = 200
    retry_after = None
    if request.method == "POST" and form.is_valid():
        try:
            _grant, token = services.voucher_access_request(
                collective=collective,
                name=form.cleaned_data["name"],
                id_number=form.cleaned_data["id_number"],
                client=client_ip(request),
                user=request.user,
            )
        except services.Locked as exc:
            form.add_error(None, exc.messages[0])
            status, retry_after = 429, exc.retry_after()
        except services.NoMatch as exc:
            form.add_error(None, exc.messages[0])
            status = 403
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            remember_grant(request, collective.pk, token)
            return redirect("voucher-list", collective_id=collective.pk)
    holding = request.method == "GET" and grant_from_request(request, collective.pk) is not None
    response = render(
        request,
        "funds/vouchers/access.html",
        {
            "collective": collective,
            "form": form,
            "holding": holding,
            "max_failures": settings.FUNDS_ACCESS_MAX_FAILURES,
            "lock_minutes": settings.FUNDS_ACCESS_LOCK_MINUTES,
            "grant_minutes": settings.FUNDS_VOUCHER_GRANT_MINUTES,
            **_place(collective),
        },
        status=status,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_GET
def voucher_list(request: HttpRequest, collective_id: int) -> HttpResponse:
    """The collective's entries with vouchers, a year at a time, month by month."""
    collective = collective_or_404(collective_id)
    grant = grant_from_request(request, collective.pk)
    if grant is None:
        if _token(request, collective.pk):
            messages.info(request, _("查阅时限已到，请重新核验身份。"))
        return redirect("voucher-access", collective_id=collective.pk)
    years = selectors.voucher_years(collective)
    year = _year_or_404(request.GET.get("year"), years)
    entries = selectors.entries_with_vouchers(collective, year=year) if year else []
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funds/vouchers/list.html",
        {
            "collective": collective,
            "grant": grant,
            "viewer": services.viewer_label(grant.member),
            "years": years,
            "year": year,
            "page": page,
            "months": selectors.by_month(page.object_list),
            "query_string": query_without_page(request),
            **_place(collective),
        },
    )


def _year_or_404(raw: str | None, years: list[int]) -> int | None:
    """The year asked for (one that has vouchers), else the latest; None when none has."""
    if not raw:
        return years[0] if years else None
    try:
        year = int(raw)
    except ValueError:
        raise Http404 from None
    if year not in years:
        raise Http404
    return year


@require_GET
def voucher_file(request: HttpRequest, voucher_id: int) -> HttpResponse:
    """One voucher's file, marked with the viewer and logged; 404 without a valid grant
    for its collective."""
    voucher, grant = voucher_with_grant_or_404(request, voucher_id)
    try:
        _view, stamped = services.voucher_file(voucher=voucher, grant=grant)
    except services.VoucherUnavailable as exc:
        response = render(
            request,
            "funds/vouchers/unavailable.html",
            {"message": exc.messages[0], "collective_id": voucher.entry.collective_id},
            status=409,
        )
        response["Cache-Control"] = "private, no-store"
        return response
    return stamped_response(stamped)
