"""Public pages of democratic votes: the list (per place, per unit, by phase) and one
vote with its rules in plain words, the ballot, the person's own ballot and the results.

Everything is read through participation.selectors.votes, the same answers the API
gives; a ballot is cast through participation.services.votes. A refusal is shown on the
page with the status the API would give (403 not eligible, 409 not open / voted).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.forms.votes import BallotForm, VoteFilterForm
from participation.models import Vote, VoteStatus
from participation.selectors import votes as selectors
from participation.services import votes as services
from participation.views.common import filters_or_404, kept_filter, list_context, page_of
from portal import hierarchy
from portal.pages import add_service_errors


def vote_list(request: HttpRequest) -> HttpResponse:
    """Votes organised inside a place (or anywhere), of a unit, in a phase; newest first."""
    form, region, unit = filters_or_404(request, VoteFilterForm)
    data = form.cleaned_data
    now = timezone.now()
    criteria = selectors.VoteFilter(
        region=region.code if region else None,
        unit=unit.pk if unit else None,
        phase=data["phase"] or None,
    )
    page = page_of(request, selectors.votes_public(criteria, now=now))
    for vote in page.object_list:
        vote.current_phase = selectors.phase_of(vote, now)
    context = list_context(
        request,
        form=form,
        page=page,
        region=region,
        unit=unit,
        child_query=kept_filter("phase", data["phase"]),
    )
    return render(request, "participation/votes/list.html", context)


def _rules(vote: Vote) -> list[tuple[str, str]]:
    return [
        (_("谁可以投票"), selectors.electorate_text(vote)),
        (_("投票方式"), selectors.choice_text(vote)),
        (_("是否记名"), selectors.secrecy_text(vote)),
        (_("改票"), selectors.change_text(vote)),
        (_("参与率要求"), selectors.quorum_text(vote)),
        (_("结果公布"), selectors.results_text(vote)),
    ]


def vote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows the vote; POST casts the signed-in person's ballot and redirects back."""
    vote = selectors.vote_public(pk)
    if vote is None:
        raise Http404
    form = None
    problem = None
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form = BallotForm(request.POST, vote=vote)
        if form.is_valid():
            try:
                _ballot, changed = services.ballot_cast(
                    vote=vote, voter=request.user, option_ids=form.option_ids()
                )
            except services.NotEligible as exc:
                problem, status = exc.messages[0], 403
            except services.BallotConflict as exc:
                problem, status = exc.messages[0], 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                done = _("已改票，以最新一次为准。") if changed else _("投票成功，感谢您的参与。")
                messages.success(request, done)
                return redirect("vote", pk=vote.pk)
    now = timezone.now()
    standing = selectors.standing(vote, request.user, now)
    if standing is None or not standing.may_cast:
        form = None
    elif form is None or problem:
        chosen = [option.pk for option in standing.chosen]
        initial = {"options": chosen if vote.multiple else (chosen[0] if chosen else None)}
        form = BallotForm(vote=vote, initial=initial)
    return render(
        request,
        "participation/votes/detail.html",
        {
            "vote": vote,
            "phase": selectors.phase_of(vote, now),
            "closed_message": selectors.window_refusal(vote, now),
            "rules": _rules(vote),
            "choice_text": selectors.choice_text(vote),
            "standing": standing,
            "form": form,
            "problem": problem,
            "results": selectors.vote_results(vote, now),
            "awaiting_count": vote.status == VoteStatus.PUBLISHED and now >= vote.closes_at,
            "breadcrumbs": hierarchy.breadcrumbs(vote.region),
            "breadcrumbs_link_last": True,
        },
        status=status,
    )
