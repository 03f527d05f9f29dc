"""Public pages of village decisions (四议两公开) and meeting records.

Decisions are public from the moment they are started; meetings once published. A
meeting that is not published, and anything that does not exist, is a 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from participation.forms.decisions import DecisionFilterForm, MeetingFilterForm
from participation.selectors import decisions as selectors
from participation.selectors.decisions import DecisionFilter, MeetingFilter, PublicMeeting
from participation.views.common import filters_or_404, kept_filter, list_context, page_of
from portal import hierarchy, identity
from portal.models import Region


def decision_list(request: HttpRequest) -> HttpResponse:
    """Decisions inside a place (or everywhere), of a unit, at a status; newest first."""
    form, region, unit = filters_or_404(request, DecisionFilterForm)
    data = form.cleaned_data
    criteria = DecisionFilter(
        region=region.code if region else None,
        unit=unit.pk if unit else None,
        status=data["status"] or None,
    )
    page = page_of(request, selectors.decisions_public(criteria))
    for decision in page:
        decision.progress = selectors.current_step_label(decision)
    context = list_context(
        request,
        form=form,
        page=page,
        region=region,
        unit=unit,
        child_query=kept_filter("status", data["status"]),
    )
    return render(request, "participation/decisions/list.html", context)


def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_public(pk)
    if decision is None:
        raise Http404
    return render(
        request,
        "participation/decisions/detail.html",
        {
            "decision": decision,
            "matter": identity.public_text(decision.matter),
            "timeline": selectors.decision_timeline(decision),
            "decision_disclosure": selectors.disclosure_of(decision.decision_record),
            "result_disclosure": selectors.disclosure_of(decision.result_record),
            "breadcrumbs": hierarchy.breadcrumbs(decision.region),
            "breadcrumbs_link_last": True,
        },
    )


def meeting_list(request: HttpRequest) -> HttpResponse:
    """Published meetings inside a place (or everywhere), of a unit, of a kind."""
    form, region, unit = filters_or_404(request, MeetingFilterForm)
    data = form.cleaned_data
    criteria = MeetingFilter(
        region=region.code if region else None,
        unit=unit.pk if unit else None,
        kind=data["kind"] or None,
    )
    page = page_of(request, selectors.meetings_public(criteria))
    page.object_list = [PublicMeeting.of(meeting) for meeting in page.object_list]
    context = list_context(
        request,
        form=form,
        page=page,
        region=region,
        unit=unit,
        child_query=kept_filter("kind", data["kind"]),
    )
    return render(request, "participation/meetings/list.html", context)


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_public(pk)
    if meeting is None:
        raise Http404
    region = Region.objects.filter(code=meeting.region_code).first()
    return render(
        request,
        "participation/meetings/detail.html",
        {
            "meeting": meeting,
            "breadcrumbs": hierarchy.breadcrumbs(region) if region else None,
            "breadcrumbs_link_last": True,
        },
    )
