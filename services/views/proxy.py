"""Pages of the proxy service (代办).

The resident's door: ask for help with a guide's matter (the village chosen from the
village's page, or from a select of villages found by name: a plain GET form, no
script), keep the two codes from the receipt (the query code is shown once), and follow
and rate the request with them (POST, so the query code never lands in a URL or a log)
or, signed in, from "my requests".

The agents' door: their units' queue, overdue first then the soonest due, and each
request's page with the applicant's contact details and the take / finish / return
forms. Supervisors of the place read the same page without the forms, the applicant
masked. Everyone else gets 404 (services.permissions).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import hierarchy, identity
from portal import selectors as places
from portal.models import Region, Tier
from portal.pages import add_service_errors, client_ip, query_without_page
from services import permissions
from services.forms.proxy import (
    QUEUE_FILTER_LABELS,
    FinishForm,
    ProxyRequestForm,
    RateForm,
    ReturnForm,
    TrackForm,
    VillageSearchForm,
)
from services.models import ProxyRequest, ProxyStatus
from services.selectors import proxy as selectors
from services.services import proxy as services

PAGE_SIZE = 20
# The receipt shows the codes once; they wait in the session only for that page.
RECEIPT_KEY = "proxy_receipt"


def _agent_phone(proxy_request: ProxyRequest) -> str:
    return proxy_request.agent_unit.phone or proxy_request.guide.phone


# --- The resident ---------------------------------------------------------------------


def request_new(request: HttpRequest) -> HttpResponse:
    guide = selectors.guide_for_request(request.GET.get("guide"))
    if guide is None:
        raise Http404
    place = places.region_public(request.GET.get("region") or "")
    fixed = None
    if place is not None and place.tier == Tier.VILLAGE:
        fixed = selectors.village_for_guide(guide, place.code)
    search = VillageSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    scope = selectors.village_scope(guide, place) if fixed is None else None
    villages = (
        selectors.villages_for_guide(guide, query, within=scope) if fixed is None and scope else []
    )
    more = len(villages) > selectors.VILLAGE_CHOICES_LIMIT
    villages = villages[: selectors.VILLAGE_CHOICES_LIMIT]
    form = ProxyRequestForm(request.POST or None, villages=villages, fixed=fixed)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proxy_request, _created = services.proxy_request_submit(
                guide=guide,
                region=Region.objects.filter(code=data["region"]).first(),
                name=data["name"],
                phone=data["phone"],
                detail=data["detail"],
                user=request.user,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            # Too many requests this hour (RateLimited) above the form, a bad field beside it.
            add_service_errors(form, exc, aliases={"guide": "detail"})
        else:
            request.session[RECEIPT_KEY] = [proxy_request.tracking_code, proxy_request.query_code]
            return redirect("proxy-receipt")
    return render(
        request,
        "services/proxy/new.html",
        {
            "form": form,
            "guide": guide,
            "place": place,
            "fixed": fixed,
            "search": search,
            "villages": villages,
            "more": more,
            "scope_ok": fixed is not None or bool(scope),
            "query": query,
            "due_days": services.due_days(guide),
            "change_url": f"{request.path}?{urlencode({'guide': guide.pk})}",
            "breadcrumbs": hierarchy.breadcrumbs(fixed) if fixed else None,
            "breadcrumbs_link_last": True,
        },
    )


def request_receipt(request: HttpRequest) -> HttpResponse:
    """Shown once: the codes leave the session as the page is made."""
    codes = request.session.pop(RECEIPT_KEY, None)
    proxy_request = selectors.request_by_codes(*codes) if codes else None
    if proxy_request is None:
        messages.info(request, _("回执只显示一次。请输入查询编号和查询码查看办理进度。"))
        return redirect("proxy-track")
    return render(
        request,
        "services/proxy/receipt.html",
        {"item": proxy_request, "agent_phone": _agent_phone(proxy_request)},
    )


def _rate(
    request: HttpRequest, proxy_request: ProxyRequest, query_code: str | None
) -> tuple[ProxyRequest, RateForm | None]:
    """Handle a rating posted with the page; returns the request and the rating form to
    show again (None when it was accepted)."""
    rate_form = RateForm(request.POST)
    if rate_form.is_valid():
        try:
            services.proxy_request_rate(
                proxy_request=proxy_request,
                rating=rate_form.cleaned_data["rating"],
                comment=rate_form.cleaned_data["comment"],
                query_code=query_code,
                actor=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                add_service_errors(rate_form, exc)
            else:
                # Rated already, or not finished: say so and show the request as it is.
                for message in exc.messages:
                    messages.error(request, message)
                return selectors.request_back_office(proxy_request.pk), None
        else:
            messages.success(request, _("感谢您的评价。"))
            return selectors.request_back_office(proxy_request.pk), None
    return proxy_request, rate_form


def _can_rate(proxy_request: ProxyRequest) -> bool:
    return proxy_request.status in selectors.FINISHED_STATUSES and not proxy_request.rating


def request_track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    proxy_request = rate_form = None
    if request.method == "POST" and form.is_valid():
        query_code = form.cleaned_data["query_code"]
        proxy_request = selectors.request_by_codes(form.cleaned_data["tracking_code"], query_code)
        if proxy_request is None:
            form.add_error(None, _("查询编号或查询码不正确。"))
        elif "rating" in request.POST:
            proxy_request, rate_form = _rate(request, proxy_request, query_code)
    if proxy_request is not None and rate_form is None and _can_rate(proxy_request):
        rate_form = RateForm()
    return render(
        request,
        "services/proxy/track.html",
        {
            "form": form,
            "item": proxy_request,
            "rate_form": rate_form,
            "query_code": form.cleaned_data.get("query_code") if proxy_request else "",
            "agent_phone": _agent_phone(proxy_request) if proxy_request else "",
        },
    )


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    items = selectors.requests_of_owner(request.user).order_by("-received_at", "-id")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "services/proxy/mine.html", {"page": page})


@login_required
def my_request(request: HttpRequest, tracking_code: str) -> HttpResponse:
    proxy_request = selectors.request_of_owner(request.user, tracking_code)
    if proxy_request is None:
        raise Http404
    rate_form = None
    if request.method == "POST" and "rating" in request.POST:
        proxy_request, rate_form = _rate(request, proxy_request, None)
    if rate_form is None and _can_rate(proxy_request):
        rate_form = RateForm()
    return render(
        request,
        "services/proxy/track.html",
        {
            "item": proxy_request,
            "rate_form": rate_form,
            "owner": True,
            "agent_phone": _agent_phone(proxy_request),
        },
    )


# --- The agents ---------------------------------------------------------------------------


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    units = list(permissions.agent_units(request.user).order_by("name").only("id", "name")[:31])
    if not units:
        raise Http404
    show = request.GET.get("show") or "open"
    if show not in selectors.QUEUE_FILTERS:
        show = "open"
    unit = request.GET.get("unit")
    unit = int(unit) if unit and unit.isdigit() else None
    now = timezone.now()
    page = Paginator(selectors.agent_queue(request.user, now, show, unit), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for item in page.object_list:
        item.name_masked = identity.mask_name(item.name)
        item.phone_masked = identity.mask_phone(item.phone)
        item.is_overdue = item.status in selectors.OPEN_STATUSES and item.due_at < now
    counts = selectors.queue_counts(request.user, now, unit)
    unit_query = urlencode({"unit": unit}) if unit else ""
    return render(
        request,
        "services/proxy/queue.html",
        {
            "page": page,
            "show": show,
            "tabs": [(key, label, counts[key]) for key, label in QUEUE_FILTER_LABELS.items()],
            # A platform admin acts for every unit: no select of 10,000 names.
            "units": units if len(units) <= 30 else [],
            "unit": unit,
            "unit_query": unit_query,
            "query_string": query_without_page(request),
            "now": now,
        },
    )


def _readable_or_404(request: HttpRequest, pk: int) -> ProxyRequest:
    proxy_request = selectors.request_back_office(pk)
    if proxy_request is None or not permissions.can_read_proxy(request.user, proxy_request):
        raise Http404
    return proxy_request


def _detail(
    request: HttpRequest, proxy_request: ProxyRequest, forms: dict[str, Any] | None = None
) -> HttpResponse:
    is_agent = permissions.can_act_as_agent(request.user, proxy_request)
    status = proxy_request.status
    forms = forms or {}
    if is_agent and status in selectors.OPEN_STATUSES:
        forms.setdefault("return_form", ReturnForm())
        if status == ProxyStatus.IN_PROGRESS:
            forms.setdefault("finish_form", FinishForm())
    supervises = permissions.can_supervise_proxy(request.user, proxy_request)
    return render(
        request,
        "services/proxy/detail.html",
        {
            "item": proxy_request,
            "is_agent": is_agent,
            "can_take": is_agent and status == ProxyStatus.RECEIVED,
            "applicant": proxy_request.name if is_agent else identity.mask_name(proxy_request.name),
            "phone": proxy_request.phone if is_agent else identity.mask_phone(proxy_request.phone),
            # What a supervisor reads: contact data typed into the text taken out.
            "detail_public": "" if is_agent else identity.public_text(proxy_request.detail),
            "is_overdue": status in selectors.OPEN_STATUSES
            and proxy_request.due_at < timezone.now(),
            "back": reverse("proxy-queue")
            if is_agent
            else f"{reverse('proxy-supervision')}?{urlencode({'region': proxy_request.region_id})}"
            if supervises
            else None,
            **forms,
        },
    )


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _readable_or_404(request, pk))


def _act(request: HttpRequest, pk: int, run, form_name: str | None = None, form=None):
    proxy_request = _readable_or_404(request, pk)
    if not permissions.can_act_as_agent(request.user, proxy_request):
        raise Http404
    if form is not None and not form.is_valid():
        return _detail(request, proxy_request, {form_name: form})
    try:
        run(proxy_request)
    except ValidationError as exc:
        if form is not None and hasattr(exc, "error_dict"):
            add_service_errors(form, exc)
            return _detail(request, proxy_request, {form_name: form})
        for message in exc.messages:
            messages.error(request, message)
    return redirect("proxy-request", pk=proxy_request.pk)


@login_required
@require_POST
def request_take(request: HttpRequest, pk: int) -> HttpResponse:
    def run(item: ProxyRequest) -> None:
        services.proxy_request_take(proxy_request=item, actor=request.user)
        messages.success(request, _("已接单，请尽快联系申请人。"))

    return _act(request, pk, run)


@login_required
@require_POST
def request_finish(request: HttpRequest, pk: int) -> HttpResponse:
    form = FinishForm(request.POST)

    def run(item: ProxyRequest) -> None:
        services.proxy_request_finish(
            proxy_request=item, actor=request.user, note=form.cleaned_data["note"]
        )
        messages.success(request, _("已办结。申请人可以查看办理结果并评价。"))

    return _act(request, pk, run, "finish_form", form)


@login_required
@require_POST
def request_return(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReturnForm(request.POST)

    def run(item: ProxyRequest) -> None:
        services.proxy_request_return(
            proxy_request=item, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("已退回，申请人可以看到退回原因。"))

    return _act(request, pk, run, "return_form", form)
