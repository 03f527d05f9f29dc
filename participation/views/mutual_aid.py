"""Pages of neighbourhood mutual aid (邻里互助): the list for a place, posting, a post with
its replies, reporting and closing, and the moderators' queue. Every write is a POST
answered by a redirect and a flash message; a refusal re-renders the page with the
message beside the form, so nothing typed is lost."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation import permissions
from participation.forms.mutual_aid import (
    AidFilterForm,
    AidPostForm,
    ModerationForm,
    ReplyForm,
    ReplyHideForm,
    ReportForm,
)
from participation.models import AidPost, AidReply
from participation.models import AidStatus as Status
from participation.selectors import mutual_aid as selectors
from participation.selectors.mutual_aid import PublicAidPost, PublicAidReply
from participation.services import mutual_aid as services
from participation.views.common import (
    list_context,
    page_of,
    place_or_root_404,
    query_without_place,
)
from portal import hierarchy
from portal import permissions as core
from portal.pages import add_service_errors
from portal.services.errors import DomainError


def _detail_url(post: AidPost | int, anchor: str = "") -> str:
    pk = post if isinstance(post, int) else post.pk
    return reverse("mutual-aid-post", args=[pk]) + (f"#{anchor}" if anchor else "")


def aid_list(request: HttpRequest) -> HttpResponse:
    """The posts seen from a place (default: the portal's city), newest first."""
    form = AidFilterForm(request.GET)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    region = place_or_root_404(data["region"])
    posts = selectors.aid_posts_visible(
        region=region.code,
        kind=data["kind"] or None,
        category=data["category"] or None,
        status=data["status"] or None,
    )
    page = page_of(request, posts)
    page.object_list = [PublicAidPost.of(post) for post in page.object_list]
    context = list_context(
        request,
        form=form,
        page=page,
        region=region,
        unit=None,
        child_query=query_without_place(request),
    )
    context["can_post"] = bool(selectors.verified_villages(request.user))
    context["signed_in"] = request.user.is_authenticated
    return render(request, "participation/mutual_aid/list.html", context)


@login_required
def aid_new(request: HttpRequest) -> HttpResponse:
    villages = selectors.verified_villages(request.user)
    if not villages:
        return render(
            request,
            "participation/mutual_aid/not_resident.html",
            {"message": services.not_resident_message()},
            status=403,
        )
    form = AidPostForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post = services.aid_post_create(
                user=request.user,
                region=data["region"],
                kind=data["kind"],
                category=data["category"],
                title=data["title"],
                text=data["text"],
                scope=data["scope"],
                expires_on=data["expires_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("发布成功。邻居们可以在这里看到并回复您。"))
            return redirect(_detail_url(post))
    return render(
        request,
        "participation/mutual_aid/new.html",
        {
            "form": form,
            "village": villages[0] if len(villages) == 1 else None,
            "breadcrumbs": hierarchy.breadcrumbs(villages[0]) if len(villages) == 1 else None,
            "breadcrumbs_link_last": True,
        },
    )


def _post_or_404(request: HttpRequest, pk: int) -> AidPost:
    post = selectors.aid_post_for(request.user, pk)
    if post is None:
        raise Http404
    return post


def _render_detail(
    request: HttpRequest,
    post: AidPost,
    *,
    reply_form: ReplyForm | None = None,
    report_form: ReportForm | None = None,
    hide_failed: tuple[int, ReplyHideForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    public = PublicAidPost.of(post)
    signed_in = user.is_authenticated
    is_author = signed_in and post.author_id == user.pk
    moderator = permissions.can_moderate_aid(user, post)
    replies: list[tuple[PublicAidReply, ReplyHideForm | None]] = []
    for reply in selectors.aid_replies(post):
        form = None
        if moderator and not reply.hidden:
            form = hide_failed[1] if hide_failed and hide_failed[0] == reply.pk else None
            form = form or ReplyHideForm(prefix=f"hide{reply.pk}")
        replies.append((reply, form))
    may_reply = signed_in and post.status == Status.OPEN and not public.expired
    reported = signed_in and not is_author and selectors.has_reported(user, post)
    may_report = (
        signed_in and not is_author and not reported and post.status in services.PUBLIC_STATUSES
    )
    return render(
        request,
        "participation/mutual_aid/detail.html",
        {
            "post": public,
            "replies": replies,
            "signed_in": signed_in,
            "is_author": is_author,
            "moderator": moderator,
            "can_close": is_author and post.status == Status.OPEN,
            "reported": reported,
            "reply_form": (reply_form or ReplyForm()) if may_reply else None,
            "report_form": (report_form or ReportForm()) if may_report else None,
            "login_url": f"{reverse('login')}?next={_detail_url(post)}",
            "breadcrumbs": hierarchy.breadcrumbs(post.region),
            "breadcrumbs_link_last": True,
        },
        status=status,
    )


def aid_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _post_or_404(request, pk))


def _signed_in_or_login(request: HttpRequest, pk: int) -> HttpResponse | None:
    """A POST from someone signed out goes to the login page and comes back to the post."""
    if request.user.is_authenticated:
        return None
    return redirect_to_login(_detail_url(pk))


@require_POST
def aid_reply(request: HttpRequest, pk: int) -> HttpResponse:
    if (response := _signed_in_or_login(request, pk)) is not None:
        return response
    post = _post_or_404(request, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.aid_reply_create(post=post, user=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("回复已发布。"))
            return redirect(_detail_url(post, "replies"))
    return _render_detail(request, post, reply_form=form)


@require_POST
def aid_report(request: HttpRequest, pk: int) -> HttpResponse:
    if (response := _signed_in_or_login(request, pk)) is not None:
        return response
    post = _post_or_404(request, pk)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.aid_report(post=post, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("举报已收到，工作人员会尽快审核。谢谢您。"))
            if selectors.aid_post_for(request.user, pk) is None:
                # The report hid the post: its page is no longer the reporter's to see.
                return redirect(f"{reverse('mutual-aid')}?region={post.region_id}")
            return redirect(_detail_url(post))
    return _render_detail(request, post, report_form=form)


@require_POST
def aid_close(request: HttpRequest, pk: int) -> HttpResponse:
    if (response := _signed_in_or_login(request, pk)) is not None:
        return response
    post = _post_or_404(request, pk)
    try:
        services.aid_post_close(post=post, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已标记为已解决，感谢邻里互助。"))
    return redirect(_detail_url(post))


@require_POST
def aid_reply_hide(request: HttpRequest, pk: int) -> HttpResponse:
    reply = AidReply.objects.select_related("post").filter(pk=pk).first()
    if reply is None or not permissions.can_moderate_aid(request.user, reply.post):
        raise Http404
    post = _post_or_404(request, reply.post_id)
    form = ReplyHideForm(request.POST, prefix=f"hide{reply.pk}")
    if form.is_valid():
        try:
            services.aid_reply_hide(
                reply=reply, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("该回复已屏蔽。"))
            return redirect(_detail_url(post, "replies"))
    return _render_detail(request, post, hide_failed=(reply.pk, form))


# --- Moderation ------------------------------------------------------------------------


def _moderator_or_404(user: Any) -> None:
    if not (core.is_platform_admin(user) or permissions.aid_moderation_codes(user)):
        raise Http404


def _render_queue(
    request: HttpRequest, failed: tuple[int, ModerationForm] | None = None, status: int = 200
) -> HttpResponse:
    page = page_of(request, selectors.aid_moderation_queue(request.user))
    rows = []
    for post in page.object_list:
        if failed and failed[0] == post.pk:
            form, failed = failed[1], None
        else:
            form = ModerationForm(prefix=f"m{post.pk}")
        rows.append((post, PublicAidPost.of(post), form))
    if failed:
        # Decided meanwhile by someone else, so no longer listed: say why it failed here.
        for errors in failed[1].errors.values():
            for error in errors:
                messages.error(request, error)
    return render(
        request,
        "participation/mutual_aid/moderation.html",
        {"page": page, "rows": rows, "query_string": ""},
        status=status,
    )


@login_required
def aid_moderation(request: HttpRequest) -> HttpResponse:
    """Hidden posts first, then posts with reports, in the places this person looks after."""
    _moderator_or_404(request.user)
    return _render_queue(request)


@login_required
@require_POST
def aid_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    _moderator_or_404(request.user)
    post = permissions.aid_moderation_queryset(AidPost.objects.filter(pk=pk), request.user).first()
    if post is None:
        raise Http404
    form = ModerationForm(request.POST, prefix=f"m{post.pk}")
    action = request.POST.get("action")
    if action not in ("restore", "remove"):
        form.add_error(None, _("请选择恢复显示或屏蔽。"))
    elif form.is_valid():
        try:
            services.aid_moderate(
                post=post,
                actor=request.user,
                remove=action == "remove",
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if action == "remove":
                messages.success(request, _("已屏蔽“%(title)s”。") % {"title": post.title})
            else:
                messages.success(request, _("已恢复显示“%(title)s”。") % {"title": post.title})
            return redirect("mutual-aid-moderation")
    return _render_queue(request, failed=(post.pk, form))
