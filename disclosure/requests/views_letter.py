"""The reply letter's two doors: the printable HTML page and the PDF.

Who may open them (disclosure.requests.permissions, as for the reply's files): the
applicant who opened the track page with both codes in this browser session, or who
gives the query code in the URL (?query_code=), the signed-in owner, and the unit's
officials (from the admin, without any code). Everyone else, and any request not
replied yet, gets a 404. Opening with the code in the URL is counted per address
(OGI_LETTER_RATE_PER_IP an hour) so that query codes cannot be tried out.

The letter names the applicant in full: both responses are private and never cached,
and the page sends no Referer (its address may carry the query code).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from disclosure.models.requests import InfoRequest, InfoRequestStatus
from disclosure.requests import permissions, selectors
from disclosure.requests.letter import reply_letter
from disclosure.requests.pdf import letter_pdf
from portal.pages import client_ip
from portal.ratelimit import RateLimited, ip_key, rate_check


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _replied_request(request: HttpRequest, tracking_code: str) -> tuple[InfoRequest, str]:
    """The request whose letter this visitor may open, and the query code they gave."""
    query_code = (request.GET.get("query_code") or "").strip()
    info_request = selectors.request_by_tracking_code(tracking_code)
    allowed = info_request is not None and permissions.session_allows(request, info_request)
    if not allowed and query_code:
        ip = client_ip(request)
        if ip:
            limit = settings.OGI_LETTER_RATE_PER_IP
            rate_check([(f"inforequest-letter:ip:{ip_key(ip)}", limit)])
        allowed = permissions.can_follow(request.user, info_request, query_code)
        if allowed:
            permissions.session_remember(request.session, info_request.tracking_code)
    if not allowed or info_request.status != InfoRequestStatus.REPLIED:
        raise Http404
    return info_request, query_code


def _too_many(exc: RateLimited) -> HttpResponse:
    return HttpResponse(str(exc), status=429, content_type="text/plain; charset=utf-8")


@require_GET
@never_cache
def letter_html(request: HttpRequest, tracking_code: str) -> HttpResponse:
    try:
        info_request, query_code = _replied_request(request, tracking_code)
    except RateLimited as exc:
        return _too_many(exc)
    pdf_url = reverse("info-request-letter-pdf", args=[info_request.tracking_code])
    if query_code:  # the session remembers the codes too; this works without cookies
        pdf_url += "?" + urlencode({"query_code": query_code})
    return _private(
        render(
            request,
            "disclosure/requests/letter.html",
            {
                "letter": reply_letter(info_request),
                "item": info_request,
                "pdf_url": pdf_url,
            },
        )
    )


@require_GET
@never_cache
def letter_pdf_download(request: HttpRequest, tracking_code: str) -> HttpResponse:
    try:
        info_request, _query_code = _replied_request(request, tracking_code)
    except RateLimited as exc:
        return _too_many(exc)
    response = HttpResponse(letter_pdf(reply_letter(info_request)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="reply-{info_request.tracking_code}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)
