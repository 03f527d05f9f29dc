from __future__ import annotations

from urllib.parse import urlparse

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import hierarchy, identity, selectors
from portal.context_processors import DISPLAY_COOKIE, DISPLAY_MODES
from portal.forms import RegisterForm, ResidencyForm, UnitSearchForm, WorkdayForm
from portal.models import Tier, Unit, UnitKind
from portal.pages import add_service_errors
from portal.ratelimit import rate_check
from portal.services import people
from portal.workdays import add_working_days

# Units listed on a place page, in the order a citizen looks for them.
KIND_ORDER = [
    UnitKind.GOVERNMENT,
    UnitKind.TOWNSHIP_OFFICE,
    UnitKind.VILLAGE_COMMITTEE,
    UnitKind.SUPERVISORY_COMMITTEE,
    UnitKind.DEPARTMENT,
    UnitKind.ACCOUNTING_CENTRE,
    UnitKind.SCHOOL,
]


def _group_units(units: list[Unit]) -> list[tuple[str, list[Unit]]]:
    groups: dict[str, list[Unit]] = {}
    for unit in units:
        groups.setdefault(unit.kind, []).append(unit)
    return [(UnitKind(kind).label, groups[kind]) for kind in KIND_ORDER if kind in groups]


def _place_context(region) -> dict:
    children = list(selectors.region_children(region.code))
    counts = selectors.unit_counts_by_child(region)
    for child in children:
        child.unit_count = counts.get(child.code, 0)
    return {
        "region": region,
        "breadcrumbs": hierarchy.breadcrumbs(region),
        "children": children,
        "child_tier": hierarchy.child_tier(region.tier),
        "unit_groups": _group_units(list(selectors.units_of_place(region))),
    }


def home(request: HttpRequest) -> HttpResponse:
    region = selectors.region_public(settings.PORTAL_ROOT_REGION)
    context = _place_context(region) if region else {"region": None}
    context["search_form"] = UnitSearchForm()
    return render(request, "portal/home.html", context)


def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = selectors.region_public(code)
    if region is None:
        raise Http404
    context = _place_context(region)
    context["child_tier_label"] = Tier(context["child_tier"]).label if context["child_tier"] else ""
    return render(request, "portal/region_detail.html", context)


def unit_list(request: HttpRequest) -> HttpResponse:
    form = UnitSearchForm(request.GET or None)
    units = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        units = Paginator(
            selectors.units_public(region=data["region"], kind=data["kind"], query=data["q"]), 30
        ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/unit_list.html",
        {"form": form, "page": units, "query_string": query.urlencode()},
    )


def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(
        Unit.objects.select_related("region", "parent_unit"), pk=pk, is_active=True
    )
    return render(
        request,
        "portal/unit_detail.html",
        {
            "unit": unit,
            "breadcrumbs": hierarchy.breadcrumbs(unit.region),
            "subordinates": unit.subordinate_units.filter(is_active=True).order_by("name"),
        },
    )


def workday_calculator(request: HttpRequest) -> HttpResponse:
    form = WorkdayForm(request.GET or None, initial={"date": timezone.localdate(), "days": 5})
    result = None
    if form.is_bound and form.is_valid():
        result = add_working_days(form.cleaned_data["date"], form.cleaned_data["days"])
    return render(request, "portal/workdays.html", {"form": form, "result": result})


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or fallback
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parsed = urlparse(target)
        return parsed.path + (f"?{parsed.query}" if parsed.query else "")
    return fallback


@require_POST
def display_mode(request: HttpRequest) -> HttpResponse:
    """Switch large type / high contrast; a cookie keeps it on every later page."""
    mode = request.POST.get("mode", "standard")
    if mode not in DISPLAY_MODES:
        mode = "standard"
    response = HttpResponseRedirect(_safe_next(request))
    response.set_cookie(
        DISPLAY_COOKIE,
        mode,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = people.citizen_register(
                username=data["username"],
                password=data["password"],
                phone=data["phone"],
                full_name=data["full_name"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            login(request, user, backend="portal.auth.backends.ThrottledModelBackend")
            messages.success(request, _("注册成功，欢迎使用。"))
            return redirect("account")
    return render(request, "portal/register.html", {"form": form})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "portal/account.html",
        {
            "memberships": user.memberships.select_related("unit", "unit__region"),
            "scopes": user.supervisor_scopes.select_related("region"),
            "residencies": user.residencies.select_related("region"),
        },
    )


@login_required
def residency_apply(request: HttpRequest) -> HttpResponse:
    form = ResidencyForm(request.POST or None, initial={"region": request.GET.get("region", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # Whether a number is already registered in a village shows in the answer:
            # tries naming one number are limited wherever they come from (the address
            # and the person are limited by portal.auth.middleware).
            rate_check(
                [
                    (
                        f"residency:id:{identity.id_number_hash(data['id_number'])}",
                        settings.PORTAL_ID_CHECK_RATE_PER_TARGET,
                    )
                ]
            )
            people.residency_apply(
                user=request.user,
                region=data["region"],
                real_name=data["real_name"],
                id_number=data["id_number"],
                group_name=data["group_name"],
                is_household_head=data["is_household_head"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("申请已提交，村（居）委会核实后即可参与投票和查询。"))
            return redirect("account")
    return render(request, "portal/residency_apply.html", {"form": form})


def bench_floor(request: HttpRequest) -> HttpResponse:
    """The framework floor of `make bench` (bench/web.py): the site's base template with
    no queries, served by the same server as the pages it is compared with. Answers 404
    unless settings.PORTAL_BENCH_FLOOR is on (the benchmark's server sets it)."""
    if not settings.PORTAL_BENCH_FLOOR:
        raise Http404
    return render(request, "base.html", {})
