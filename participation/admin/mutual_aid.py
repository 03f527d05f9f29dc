"""Back office of mutual aid: a read-only list of the posts in the places a person
moderates (participation.permissions.aid_moderation_queryset). Decisions are taken on
the moderation page (/mutual-aid/moderation/), which the list links to."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from participation import permissions
from participation.models import AidPost, AidReply, AidReport
from participation.selectors.mutual_aid import aid_posts_back_office
from portal import identity
from portal import permissions as core
from portal.admin import BackOfficeAdmin, ReadOnlyInline


def _moderates_somewhere(user: Any) -> bool:
    return core.is_platform_admin(user) or bool(permissions.aid_moderation_codes(user))


class _PostRowsInline(ReadOnlyInline):
    def has_view_permission(self, request, obj=None):
        # Whoever may read the post reads its reports and replies (obj is the post; None
        # when Django narrows the rows, which are then the post's own).
        if obj is None:
            return _moderates_somewhere(request.user)
        return permissions.can_moderate_aid(request.user, obj)


class ReportInline(_PostRowsInline):
    model = AidReport
    # Who reported is not shown: moderators judge the post, not the reporters.
    fields = ["created_at", "reason", "reviewed_at"]
    readonly_fields = fields
    verbose_name_plural = _("举报")


class ReplyInline(_PostRowsInline):
    model = AidReply
    fields = ["created_at", "masked_author", "text", "hidden_at", "hidden_reason"]
    readonly_fields = fields
    verbose_name_plural = _("回复")

    @admin.display(description=_("回复人"))
    def masked_author(self, reply: AidReply) -> str:
        return identity.mask_name(reply.author_name)


@admin.register(AidPost)
class AidPostAdmin(BackOfficeAdmin):
    change_list_template = "participation/mutual_aid/admin_change_list.html"
    list_display = [
        "title",
        "kind",
        "category",
        "region",
        "scope",
        "status",
        "report_count",
        "expires_on",
        "created_at",
        "public_link",
    ]
    list_filter = ["status", "kind", "category", "scope"]
    search_fields = ["title"]
    list_select_related = ["region"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [ReportInline, ReplyInline]
    fields = [
        "title",
        "kind",
        "category",
        "text",
        "masked_author",
        "region",
        "scope",
        "scope_place",
        "expires_on",
        "status",
        "report_count",
        "created_at",
        "resolved_at",
        "moderated_by",
        "moderated_at",
        "moderation_note",
        "public_link",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[AidPost]:
        return aid_posts_back_office(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _moderates_somewhere(request.user)

    def has_view_permission(self, request: HttpRequest, obj: AidPost | None = None) -> bool:
        if obj is None:
            return _moderates_somewhere(request.user)
        return permissions.can_moderate_aid(request.user, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AidPost | None = None) -> bool:
        return False

    @admin.display(description=_("发布人"))
    def masked_author(self, post: AidPost) -> str:
        return identity.mask_name(post.author_name)

    @admin.display(description=_("列出地区代码"))
    def scope_place(self, post: AidPost) -> str:
        return post.scope_code

    @admin.display(description=_("公开页面"))
    def public_link(self, post: AidPost):
        return format_html(
            '<a href="{}">{}</a>', reverse("mutual-aid-post", args=[post.pk]), _("查看")
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = {**(extra_context or {}), "queue_url": reverse("mutual-aid-moderation")}
        return super().changelist_view(request, extra_context)
