"""The supervisors' page of participation: subjects of democratic evaluation rated
不满意 by a majority two years running (连续两年多数不满意), open and handled, inside a
place; each links to both years' results and an open one can be marked handled.

Who may look: supervisors of the place or of a place around it, and platform admins;
to anyone else the page does not exist (404), as with the letters' dashboard.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation.forms.evaluations import FlagHandleForm
from participation.models import EvaluationFlag
from participation.permissions import can_handle_evaluation_flag
from participation.selectors import evaluations as selectors
from participation.services import evaluations as services
from participation.views.common import page_of
from portal.models import Region
from portal.pages import add_service_errors
from portal.permissions import supervised_place_or_404, supervision_trail


def _render(
    request: HttpRequest,
    region: Region,
    *,
    bound: tuple[int, FlagHandleForm] | None = None,
) -> HttpResponse:
    open_flags = selectors.flags_in(region.code, handled=False)
    handled_flags = selectors.flags_in(region.code, handled=True)
    open_page = page_of(request, open_flags, param="open_page")
    handled_page = page_of(request, handled_flags, param="handled_page")
    for flag in [*open_page.object_list, *handled_page.object_list]:
        for year in (flag.subject, flag.previous):
            year.unsatisfied_pct = selectors.percent(year.unsatisfied, year.total)
    for flag in open_page.object_list:
        if bound and bound[0] == flag.pk:
            flag.form = bound[1]
        else:
            flag.form = FlagHandleForm(auto_id=f"flag-{flag.pk}-%s")
    trail = supervision_trail(request.user, region)
    return render(
        request,
        "participation/supervision/flags.html",
        {"region": region, "trail": trail, "open_page": open_page, "handled_page": handled_page},
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    region = supervised_place_or_404(request.user, request.GET.get("region"))
    return _render(request, region)


@login_required
@require_POST
def flag_handle(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a flag handled with a note; a refusal is shown beside the note typed."""
    region = supervised_place_or_404(request.user, request.GET.get("region"))
    flag = EvaluationFlag.objects.select_related("unit").filter(pk=pk).first()
    if flag is None or not can_handle_evaluation_flag(request.user, flag):
        raise Http404
    form = FlagHandleForm(request.POST, auto_id=f"flag-{flag.pk}-%s")
    if form.is_valid():
        try:
            services.flag_handle(flag=flag, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已记录处理情况。"))
            url = reverse("participation-supervision")
            return redirect(f"{url}?{urlencode({'region': region.code})}")
    return _render(request, region, bound=(flag.pk, form))
