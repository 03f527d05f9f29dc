"""Public pages of opinion solicitations: the list, one solicitation with its opinion
form and feedback report, and its attachments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.forms.solicitations import OpinionForm, SolicitationFilterForm
from participation.models import OpinionStatus, Phase
from participation.selectors import solicitations as selectors
from participation.services import solicitations as services
from participation.views.common import filters_or_404, kept_filter, list_context, page_of
from portal import hierarchy, uploads
from portal.pages import add_service_errors, query_without_page

OPINIONS_PAGE_SIZE = 50


def solicitation_list(request: HttpRequest) -> HttpResponse:
    """Published solicitations inside a place (or everywhere), of a unit, in a phase."""
    form, region, unit = filters_or_404(request, SolicitationFilterForm)
    criteria = form.criteria()
    now = timezone.now()
    page = page_of(request, selectors.solicitations_public(criteria, now))
    for solicitation in page:
        solicitation.badge_key, solicitation.badge_label = selectors.badge(solicitation, now)
    context = list_context(
        request,
        form=form,
        page=page,
        region=region,
        unit=unit,
        child_query=kept_filter("phase", criteria.phase),
    )
    return render(request, "participation/solicitations/list.html", context)


def _submit(request: HttpRequest, solicitation, form: OpinionForm) -> HttpResponse | None:
    """Send the opinion; a redirect on success (PRG), None with the errors on the form."""
    try:
        opinion, created = services.opinion_submit(
            solicitation=solicitation,
            user=request.user,
            text=form.cleaned_data["text"],
            name=form.cleaned_data["name"],
        )
    except ValidationError as exc:
        # A refusal (not open, too many in an hour) above the form, a bad field beside it.
        add_service_errors(form, exc)
    else:
        if created:
            messages.success(request, _("您的意见已提交，审核后公开。"))
        else:
            messages.info(request, _("您已提交过相同内容的意见，无需重复提交。"))
        return redirect(f"{solicitation.get_absolute_url()}#my-opinions")
    return None


def solicitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    solicitation = selectors.solicitation_public(pk)
    if solicitation is None:
        raise Http404
    now = timezone.now()
    phase = selectors.public_phase(solicitation, now)
    form = None
    if phase == Phase.OPEN and request.user.is_authenticated:
        form = OpinionForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            response = _submit(request, solicitation, form)
            if response is not None:
                return response
    elif request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        messages.error(
            request, services.window_refusal(solicitation, now) or _("该征集当前不接收意见。")
        )
        return redirect(solicitation.get_absolute_url())
    groups = selectors.report_groups(solicitation)
    seq = {group.pk: group.seq for group in groups}
    opinions = Paginator(selectors.opinions_public(solicitation), OPINIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    opinions.object_list = [selectors.PublicOpinion.of(o, seq) for o in opinions.object_list]
    mine = list(selectors.my_opinions(solicitation, request.user))
    for opinion in mine:
        opinion.group_seq = seq.get(opinion.group_id)
    badge_key, badge_label = selectors.badge(solicitation, now)
    return render(
        request,
        "participation/solicitations/detail.html",
        {
            "solicitation": solicitation,
            "phase": phase,
            "badge_key": badge_key,
            "badge_label": badge_label,
            "show_text": solicitation.status in selectors.TEXT_STATUSES,
            "days_left": (solicitation.closes_at - now).days if phase == Phase.OPEN else None,
            "attachments": selectors.attachments_public(solicitation),
            "form": form,
            "mine": mine,
            "opinion_statuses": OpinionStatus,
            "opinions": opinions,
            "groups": groups,
            "breadcrumbs": hierarchy.breadcrumbs(solicitation.region),
            "breadcrumbs_link_last": True,
            "query_string": query_without_page(request),
        },
    )


def attachment_download(request: HttpRequest, pk: int, token: str) -> FileResponse:
    """Files are private: served only while their solicitation is published or reported."""
    attachment = selectors.attachment_public(pk, token)
    if attachment is None:
        raise Http404
    # Always a download, typed by what the upload check read from the content; the
    # browser must not second-guess it or run anything in it.
    response = uploads.serve_file(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        filename=attachment.original_name,
        cache=uploads.PUBLIC_SHORT,
        inline=False,
    )
    return response
