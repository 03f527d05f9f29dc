"""Back office of the monitoring of village money: the alerts, read-only, for the places a
person monitors (funds.permissions.monitored_scopes: the same answer as the dashboards).
Alerts are raised and cleared by the scan only; what was done about one is noted on its
page of the dashboard (`/supervision/funds/alerts/<id>/`), linked as "view on site"."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from funds.models import Alert
from funds.permissions import can_monitor, monitored_scopes
from funds.selectors.monitoring import alerts_in_scopes
from portal.admin import BackOfficeAdmin

SCOPES_KEY = "_funds_monitored_scopes"


def _scopes(request: HttpRequest) -> list[str] | None:
    """monitored_scopes, asked once per request (the admin asks on every page part)."""
    if not hasattr(request, SCOPES_KEY):
        setattr(request, SCOPES_KEY, monitored_scopes(request.user))
    return getattr(request, SCOPES_KEY)


@admin.register(Alert)
class AlertAdmin(BackOfficeAdmin):
    list_display = ["kind", "detail", "region", "raised_at", "is_open", "handled_at"]
    list_filter = ["kind", ("cleared_at", admin.EmptyFieldListFilter)]
    list_select_related = ["region"]
    search_fields = ["detail", "region__name", "=region__code", "project__name"]
    show_full_result_count = False
    fields = [
        "kind",
        "detail",
        "region",
        "project",
        "collective",
        "entry",
        "raised_at",
        "cleared_at",
        "handling_note",
        "handled_by",
        "handled_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Alert]:
        return alerts_in_scopes(_scopes(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _scopes(request) != []

    def has_view_permission(self, request: HttpRequest, obj: Alert | None = None) -> bool:
        if obj is None:
            return _scopes(request) != []
        return can_monitor(request.user, obj.region_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        return {}

    def view_on_site(self, obj: Alert) -> str:
        return reverse("funds-alert", args=[obj.pk])

    @admin.display(description=_("未消除"), boolean=True, ordering="cleared_at")
    def is_open(self, alert: Alert) -> bool:
        return alert.cleared_at is None
