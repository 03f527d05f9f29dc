"""Public pages of democratic evaluations: the rounds inside a place, and one round with
its subjects, the evaluation form while the window is open and the results after it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from participation import eligibility
from participation.forms.evaluations import EvaluationFilterForm, EvaluationForm
from participation.selectors import evaluations as selectors
from participation.selectors.evaluations import RoundFilter
from participation.services import evaluations as services
from participation.views.common import list_context, page_of, query_without_place, unit_or_404
from portal import hierarchy
from portal import selectors as places
from portal.pages import add_service_errors, region_or_404


def evaluation_list(request: HttpRequest) -> HttpResponse:
    """Published rounds inside a place (or everywhere), of a unit, a year, a phase."""
    # The place and the unit are read before the form: the years it offers are theirs.
    region = region_or_404(request.GET.get("region"))
    raw_unit = request.GET.get("unit")
    if raw_unit and not raw_unit.isdigit():
        raise Http404
    unit = unit_or_404(int(raw_unit) if raw_unit else None)
    scope = RoundFilter(region=region.code if region else None, unit=unit.pk if unit else None)
    form = EvaluationFilterForm(request.GET, years=selectors.round_years(scope))
    # A stale year or phase in a shared link is reported on the form and left out.
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    criteria = RoundFilter(
        region=scope.region,
        unit=scope.unit,
        year=data.get("year"),
        phase=data.get("phase") or None,
    )
    now = timezone.now()
    page = page_of(request, selectors.rounds_public(criteria, now=now))
    for round in page.object_list:
        round.current_phase = selectors.round_phase(round, now)
    # Drill down to the places inside (the city's districts when no place is chosen).
    root = settings.PORTAL_ROOT_REGION
    children = [] if unit else list(places.region_children(region.code if region else root))
    context = list_context(
        request,
        form=form,
        page=page,
        region=region,
        unit=unit,
        child_query=query_without_place(request),
        children=children,
    )
    return render(request, "participation/evaluations/list.html", context)


def _electorate_text(round) -> str:
    """Who may take part, in words: the rule, and the place or body it names."""
    named = round.body.name if round.body_id else None
    if round.electorate_region_id:
        named = round.electorate_region.name
    if named is None:
        return str(round.get_eligibility_display())
    return _("%(rule)s：%(named)s") % {"rule": round.get_eligibility_display(), "named": named}


def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What is evaluated, who may take part and when; the form while open (subjects
    already rated show 已评议); the results, with the two-year badge, once ended."""
    round = selectors.round_public(pk)
    if round is None:
        raise Http404
    now = timezone.now()
    subjects = selectors.subjects_of(round)
    user = request.user
    closed_reason = services.window_refusal(round, now)
    refusal = None
    rated: set[int] = set()
    own: set[int] = set()
    form = None
    if closed_reason is None:
        refusal = eligibility.refusal(user, round)
        if user.is_authenticated:
            rated = selectors.rated_subject_ids(user, subjects)
            own = selectors.own_subject_ids(user, subjects)
        if refusal is None:
            pending = [s for s in subjects if s.pk not in rated and s.pk not in own]
            # A second evaluation (another tab, the back button) is said, not ignored.
            repeated = [
                s.name for s in subjects if s.pk in rated and request.POST.get(f"rating_{s.pk}")
            ]
            form = EvaluationForm(
                request.POST if request.method == "POST" else None,
                subjects=pending,
                repeated=repeated,
            )
            if request.method == "POST" and form.is_valid():
                try:
                    services.evaluation_submit(round=round, ratings=form.ratings(), user=user)
                except ValidationError as exc:
                    # Refusals (window, eligibility, a second evaluation) and bad items
                    # alike: said on the form, nothing the person chose is lost.
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("评议已提交，感谢您的参与。"))
                    return redirect("evaluation", pk=round.pk)
    results = selectors.subject_results(round, subjects, now=now)
    rows = []
    if form is not None:
        # Every subject in page order: a radio group, or why there is none.
        fields = {subject.pk: (rating, comment) for subject, rating, comment in form.rows()}
        for subject in subjects:
            rating, comment = fields.get(subject.pk, (None, None))
            state = "rated" if subject.pk in rated else "own" if subject.pk in own else "open"
            rows.append({"subject": subject, "state": state, "rating": rating, "comment": comment})
    return render(
        request,
        "participation/evaluations/detail.html",
        {
            "round": round,
            "phase": selectors.round_phase(round, now),
            "subjects": subjects,
            "electorate": _electorate_text(round),
            "closed_reason": closed_reason,
            "refusal": refusal,
            "form": form,
            "rows": rows,
            "all_done": form is not None and not form.subjects,
            "results": results,
            "breadcrumbs": hierarchy.breadcrumbs(round.region),
            "breadcrumbs_link_last": True,
        },
    )
