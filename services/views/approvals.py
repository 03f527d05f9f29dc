"""Public pages of the approval bureau (行政审批局): its catalog of matters concentrated
from the departments, grouped by original department, and the investment projects under
the commitment system (承诺制) with the published standards and steps.

Both pages take `?region=`: the bureaus inside that place (a township or a village has
none of its own and is pointed to its county's). Without a place they list the bureaus.
Everything is read through services.selectors.approvals, as the API reads it.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal import hierarchy
from portal.pages import query_without_page, region_or_404
from services.forms.approvals import MatterFilterForm, ProjectFilterForm
from services.selectors import approvals as selectors

MATTERS_PER_PAGE = 50
PROJECTS_PER_PAGE = 20


def _index(request: HttpRequest, target: str) -> HttpResponse:
    """The bureaus with a catalog, each linking to `target` for its place."""
    return render(
        request,
        "services/approvals/index.html",
        {"bureaus": selectors.bureau_index(), "target": target},
    )


def matter_list(request: HttpRequest) -> HttpResponse:
    """The catalog of the bureaus inside a place, by original department, filtered by
    department, type and name; a filter that does not validate says why."""
    region = region_or_404(request.GET.get("region"))
    if region is None:
        return _index(request, "approval-matters")
    summaries = selectors.catalog_summary(region.code)
    form = MatterFilterForm(request.GET, summaries=summaries)
    context = {
        "region": region,
        "breadcrumbs": hierarchy.breadcrumbs(region),
        "breadcrumbs_link_last": False,
        "summaries": summaries,
        "serving": [] if summaries else selectors.serving_bureaus(region),
        "form": form,
        "query_string": query_without_page(request),
    }
    if not form.is_valid():
        return render(request, "services/approvals/list.html", context, status=400)
    data = form.cleaned_data
    criteria = selectors.MatterFilter(
        region=region.code,
        department=data["department"],
        matter_type=data["type"] or None,
        query=data["q"].strip() or None,
    )
    filtered = selectors.is_filtered(criteria)
    if filtered:
        totals = selectors.department_counts(criteria)
    else:
        totals = {(s.id, d.id): d.matters for s in summaries for d in s.departments}
    page = Paginator(selectors.matters_public(criteria), MATTERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    matters = list(page.object_list)
    for matter in matters:
        matter.material_lines = selectors.materials_of(matter)
        matter.days_saved = selectors.days_saved(matter)
    previous = selectors.key_before(criteria, page.start_index() - 1) if page.number > 1 else None
    context.update(
        listed=True,
        page=page,
        groups=selectors.group_by_department(matters, totals, previous),
        filtered=filtered,
        several_bureaus=len(summaries) > 1,
    )
    return render(request, "services/approvals/list.html", context)


def commitment(request: HttpRequest) -> HttpResponse:
    """The published standards and steps of the commitment system and the public
    projects inside a place with their progress, counted by stage."""
    region = region_or_404(request.GET.get("region"))
    if region is None:
        return _index(request, "commitment-projects")
    form = ProjectFilterForm(request.GET)
    schemes = selectors.schemes_public(region.code)
    for scheme in schemes:
        scheme.step_lines = selectors.steps_of(scheme)
    context = {
        "region": region,
        "breadcrumbs": hierarchy.breadcrumbs(region),
        "breadcrumbs_link_last": False,
        "schemes": schemes,
        "counts": selectors.stage_counts(region.code),
        "form": form,
        "query_string": query_without_page(request),
    }
    if not form.is_valid():
        return render(request, "services/approvals/commitment.html", context, status=400)
    stage = form.cleaned_data["stage"] or None
    criteria = selectors.ProjectFilter(region=region.code, stage=stage)
    page = Paginator(selectors.projects_public(criteria), PROJECTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for project in page.object_list:
        project.timeline = selectors.project_timeline(project)
    context.update(
        listed=True,
        page=page,
        stage=stage,
        total=sum(n for _stage, _label, n in context["counts"]),
        serving=[] if schemes or page.paginator.count else selectors.serving_bureaus(region),
    )
    return render(request, "services/approvals/commitment.html", context)
