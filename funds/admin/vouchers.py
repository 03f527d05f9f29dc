"""Back office of voucher viewing: who looked at which voucher and when, and the grants
given. Read by the village's supervisory committee, the township's office and accounting
centre, supervisors of the place and platform admins (funds.permissions.
can_read_voucher_log), and by nobody else; nothing here can be added, changed or deleted.

Viewers appear as the log names them, by masked name and masked ID number.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from funds.models import VoucherGrant, VoucherView
from funds.permissions import can_read_voucher_log, reads_voucher_logs
from funds.selectors import vouchers as selectors
from funds.services.vouchers import viewer_label
from portal.admin import BackOfficeAdmin, ReadOnlyInline


class ReadOnlyLog(BackOfficeAdmin):
    """A log: listed to those who read the logs, never written from here."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return reads_voucher_logs(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        return {}


@admin.register(VoucherView)
class VoucherViewAdmin(ReadOnlyLog):
    list_display = ["viewed_at", "viewer", "voucher_name", "entry_number", "collective", "place"]
    list_filter = [
        ("voucher__entry__collective", admin.RelatedOnlyFieldListFilter),
        ("viewed_at", admin.DateFieldListFilter),
    ]
    search_fields = ["viewer", "voucher__entry__voucher_number", "voucher__original_name"]
    show_full_result_count = False
    fields = [
        "viewed_at",
        "viewer",
        "voucher_name",
        "entry_number",
        "entry_summary",
        "collective",
        "place",
        "grant_number",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[VoucherView]:
        return selectors.voucher_views_for(request.user)

    def has_view_permission(self, request: HttpRequest, obj: VoucherView | None = None) -> bool:
        if obj is None:
            return reads_voucher_logs(request.user)
        return can_read_voucher_log(request.user, obj.voucher.entry.collective)

    @admin.display(description=_("凭证文件"), ordering="voucher__original_name")
    def voucher_name(self, view: VoucherView) -> str:
        return view.voucher.original_name

    @admin.display(description=_("凭证号"), ordering="voucher__entry__voucher_number")
    def entry_number(self, view: VoucherView) -> str:
        return view.voucher.entry.voucher_number

    @admin.display(description=_("摘要"))
    def entry_summary(self, view: VoucherView) -> str:
        return view.voucher.entry.summary

    @admin.display(description=_("集体经济组织"))
    def collective(self, view: VoucherView) -> str:
        return view.voucher.entry.collective.name

    @admin.display(description=_("村（社区）"))
    def place(self, view: VoucherView) -> str:
        return view.region.name

    @admin.display(description=_("授权编号"))
    def grant_number(self, view: VoucherView) -> str:
        # An official's view in the back office has no grant: it names their unit.
        if view.grant_id is None:
            return str(view.unit or _("工作人员"))
        return f"#{view.grant_id}"


class GrantViewsInline(ReadOnlyInline):
    model = VoucherView
    fields = ["viewed_at", "voucher"]
    readonly_fields = fields
    verbose_name = _("查阅的凭证")
    verbose_name_plural = _("查阅的凭证")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Read with the grant: VoucherGrantAdmin has already decided who may.
        return True

    def get_queryset(self, request: HttpRequest) -> QuerySet[VoucherView]:
        return super().get_queryset(request).select_related("voucher")


@admin.register(VoucherGrant)
class VoucherGrantAdmin(ReadOnlyLog):
    list_display = ["granted_at", "member_shown", "collective", "expires_at", "views_count"]
    list_filter = [
        ("collective", admin.RelatedOnlyFieldListFilter),
        ("granted_at", admin.DateFieldListFilter),
    ]
    search_fields = ["member__id_number_masked", "collective__name"]
    show_full_result_count = False
    fields = ["granted_at", "expires_at", "collective", "member_shown", "signed_in"]
    readonly_fields = fields
    inlines = [GrantViewsInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[VoucherGrant]:
        return selectors.voucher_grants_for(request.user).annotate(views_count=Count("views"))

    def has_view_permission(self, request: HttpRequest, obj: VoucherGrant | None = None) -> bool:
        if obj is None:
            return reads_voucher_logs(request.user)
        return can_read_voucher_log(request.user, obj.collective)

    @admin.display(description=_("查阅人"))
    def member_shown(self, grant: VoucherGrant) -> str:
        return viewer_label(grant.member)

    @admin.display(description=_("查阅凭证数"), ordering="views_count")
    def views_count(self, grant: VoucherGrant) -> int:
        return grant.views_count

    @admin.display(description=_("已登录本平台"), boolean=True)
    def signed_in(self, grant: VoucherGrant) -> bool:
        return grant.user_id is not None
