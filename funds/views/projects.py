"""Public pages of village special-fund projects (村级公共服务和社会管理专项资金): the list
inside a place, by year, stage and category, each with its money bar; one project with
its timeline, money, funding, payments, acceptances, evaluation and rectification; and
its stage documents, served privately.

Everything is read through funds.selectors.projects, the same answers the API gives.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from funds.forms.projects import ProjectFilterForm
from funds.selectors import projects as selectors
from portal import hierarchy, uploads
from portal import selectors as places
from portal.pages import query_without_page, region_or_404

PAGE_SIZE = 20


def project_list(request: HttpRequest) -> HttpResponse:
    """Projects inside a place (or everywhere), newest year first; filters that do not
    validate, or a place that does not exist, are a 404 like a wrong address."""
    form = ProjectFilterForm(request.GET)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    region = region_or_404(data["region"])
    criteria = selectors.ProjectFilter(
        region=region.code if region else None,
        year=data["year"],
        stage=data["stage"] or None,
        category=data["category"] or None,
    )
    page = Paginator(selectors.projects_public(criteria), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for project in page.object_list:
        project.money = selectors.money_of(project)
    kept = {name: data[name] for name in ("year", "stage", "category") if data[name]}
    return render(
        request,
        "funds/projects/list.html",
        {
            "form": form,
            "page": page,
            "region": region,
            "breadcrumbs": hierarchy.breadcrumbs(region) if region else None,
            "breadcrumbs_link_last": False,
            "children": list(places.region_children(region.code)) if region else [],
            "child_query": urlencode(kept),
            "query_string": query_without_page(request),
        },
    )


def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_public(pk)
    if project is None:
        raise Http404
    acceptances = list(project.acceptances.all())
    rectifications = [
        (item, selectors.rectification_label(item), selectors.rectification_state(item))
        for item in project.rectifications.all()
    ]
    disbursements = selectors.disbursements_public(project)
    return render(
        request,
        "funds/projects/detail.html",
        {
            "project": project,
            "money": selectors.money_of(project),
            "special": selectors.special_funds(project),
            "timeline": selectors.project_timeline(project),
            "funding": list(project.funding.all()),
            "disbursements": disbursements,
            "voucher_collective": next(
                (d.collective_id for d in disbursements if d.collective_id), None
            ),
            "acceptances": acceptances,
            "evaluation": selectors.evaluation_of(project),
            "rectifications": rectifications,
            "breadcrumbs": hierarchy.breadcrumbs(project.region),
            "breadcrumbs_link_last": True,
        },
    )


def document_download(request: HttpRequest, token: str) -> FileResponse:
    """Files are private: served only while their project is not cancelled."""
    document = selectors.document_public(token)
    if document is None:
        raise Http404
    # Always a download, typed by what the upload check read from the content; the
    # browser must not second-guess it or run anything in it.
    response = uploads.serve_file(
        document.file.open("rb"),
        content_type=document.content_type,
        filename=selectors.document_filename(document),
        cache=uploads.PUBLIC_SHORT,
        inline=False,
    )
    return response
