"""Back office of the proxy service (代办). The agents' own page is /services/proxy/queue/;
this is the same queue in the admin, for officials who work there: their units'
requests by due date, overdue ones marked, and one action per save (take, finish, return with
a reason). Supervisors read the requests of their subtree. Who sees and does what is
services.permissions, as on the pages and in the API; the services have the last word.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal import identity
from portal import permissions as core
from portal.admin import ActorForm, BackOfficeAdmin, ReadOnlyInline, dry_run
from portal.workdays import local_date
from services import permissions
from services.models import ProxyEvent, ProxyRequest
from services.selectors.proxy import OPEN_STATUSES
from services.services import proxy as services

ACTIONS = [
    ("", _("仅查看")),
    ("take", _("接单，开始办理")),
    ("finish", _("办结")),
    ("return", _("退回（须说明原因）")),
]


def perform(proxy_request: ProxyRequest, actor: Any, data: dict[str, Any]) -> ProxyRequest:
    action, note = data.get("action"), data.get("note") or ""
    if action == "take":
        return services.proxy_request_take(proxy_request=proxy_request, actor=actor)
    if action == "finish":
        return services.proxy_request_finish(proxy_request=proxy_request, actor=actor, note=note)
    if action == "return":
        return services.proxy_request_return(proxy_request=proxy_request, actor=actor, reason=note)
    if action:
        raise ValidationError({"action": [_("请选择办理操作。")]})
    return proxy_request


class ProxyActionForm(forms.ModelForm):
    action = forms.ChoiceField(label=_("办理操作"), choices=ACTIONS, required=False)
    note = forms.CharField(
        label=_("办理结果 / 退回原因"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("申请人可以看到。"),
    )

    actor: Any = None

    class Meta:
        model = ProxyRequest
        fields: list[str] = []

    def clean(self) -> dict:
        """Try the action in a savepoint and roll it back, so the services' refusals
        become form errors and nothing typed is lost."""
        data = super().clean()
        if data.get("action") and not self.errors:
            dry_run(
                self,
                lambda: perform(ProxyRequest.objects.get(pk=self.instance.pk), self.actor, data),
                fallback="note",
                refusal_field="action",
                aliases={"reason": "note"},
            )
        return data


class EventInline(ReadOnlyInline):
    model = ProxyEvent
    fields = ["at", "status", "actor", "note"]
    readonly_fields = fields


@admin.register(ProxyRequest)
class ProxyRequestAdmin(ActorForm, BackOfficeAdmin):
    form = ProxyActionForm
    list_display = [
        "tracking_code",
        "guide",
        "region",
        "agent_unit",
        "status",
        "due_marker",
        "received_at",
    ]
    list_filter = ["status", "rating"]
    search_fields = ["=tracking_code", "guide__name"]
    list_select_related = ["guide", "region", "agent_unit"]
    ordering = ["due_at"]
    inlines = [EventInline]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProxyRequest]:
        return permissions.proxy_requests_for(request.user).select_related(
            "guide", "region", "agent_unit", "agent"
        )

    def has_view_permission(self, request: HttpRequest, obj: ProxyRequest | None = None) -> bool:
        if obj is None:
            return core.is_back_office_user(request.user)
        return permissions.can_read_proxy(request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj: ProxyRequest | None = None) -> bool:
        if obj is None:
            return permissions.agent_units(request.user).exists()
        return permissions.can_act_as_agent(request.user, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # residents ask on the site or through the API

    def get_readonly_fields(
        self, request: HttpRequest, obj: ProxyRequest | None = None
    ) -> list[str]:
        return [
            "tracking_code",
            "guide",
            "region",
            "agent_unit",
            "agent",
            "applicant",
            "contact",
            "detail_shown",
            "status",
            "received_at",
            "due_at",
            "due_is_provisional",
            "started_at",
            "finished_at",
            "return_reason",
            "rating",
            "rating_comment",
        ]

    def get_fields(self, request: HttpRequest, obj: ProxyRequest | None = None) -> list[str]:
        fields = self.get_readonly_fields(request, obj)
        if obj is not None and permissions.can_act_as_agent(request.user, obj):
            fields = [*fields, "action", "note"]
        return fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self._request_user = request.user
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _agent_sees(self, item: ProxyRequest) -> bool:
        return permissions.can_see_contact(getattr(self, "_request_user", None), item)

    @admin.display(description=_("申请人"))
    def applicant(self, item: ProxyRequest) -> str:
        return item.name if self._agent_sees(item) else identity.mask_name(item.name)

    @admin.display(description=_("手机号码"))
    def contact(self, item: ProxyRequest) -> str:
        # The agents call the applicant back; anyone else sees the number masked.
        return item.phone if self._agent_sees(item) else identity.mask_phone(item.phone)

    @admin.display(description=_("代办需求"))
    def detail_shown(self, item: ProxyRequest) -> str:
        return item.detail if self._agent_sees(item) else identity.public_text(item.detail)

    @admin.display(description=_("期限"), ordering="due_at")
    def due_marker(self, item: ProxyRequest):
        if item.status in OPEN_STATUSES and item.due_at < timezone.now():
            return format_html(
                '<strong class="overdue">{} {}</strong>', _("已超期"), local_date(item.due_at)
            )
        return local_date(item.due_at)

    def save_model(
        self, request: HttpRequest, obj: ProxyRequest, form: ProxyActionForm, change: bool
    ) -> None:
        perform(ProxyRequest.objects.get(pk=obj.pk), request.user, form.cleaned_data)
