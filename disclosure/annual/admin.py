"""Back office of annual reports: the unit's officials write the narrative parts and
publish; the figures are never typed (the page shows them, live or frozen). Every change
goes through disclosure.annual.services, tried first in a savepoint so that a refusal
costs the official nothing typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from disclosure.annual import selectors, services
from disclosure.annual.tables import FIRST_YEAR
from disclosure.models import AnnualReport
from portal import permissions
from portal.admin import ActorForm, BackOfficeAdmin, dry_run
from portal.permissions import Action

WORKFLOW = [
    ("", _("仅保存")),
    ("publish", _("保存并发布（需审核的单位进入待审核）")),
]
STATE_LABELS = {
    selectors.DRAFT: _("草稿"),
    selectors.IN_REVIEW: _("待审核"),
    selectors.RETURNED: _("已退回"),
    selectors.PUBLISHED: _("已发布"),
    selectors.WITHDRAWN: _("已撤回"),
}


def perform(form: AnnualReportForm, data: dict[str, Any]) -> AnnualReport:
    unit = data.get("unit") or form.instance.unit
    year = data.get("year") or form.instance.year
    report = services.annual_report_save(
        unit=unit,
        year=year,
        actor=form.actor,
        overall=data.get("overall", ""),
        problems=data.get("problems", ""),
        other=data.get("other", ""),
    )
    if data.get("workflow") == "publish":
        report = services.annual_report_publish(unit=unit, year=year, actor=form.actor)
    return report


class AnnualReportForm(forms.ModelForm):
    workflow = forms.ChoiceField(label=_("操作"), choices=WORKFLOW, required=False)

    actor: Any = None  # set by ActorForm

    class Meta:
        model = AnnualReport
        fields = ["unit", "year", "overall", "problems", "other"]
        widgets = {
            "overall": forms.Textarea(attrs={"rows": 12}),
            "problems": forms.Textarea(attrs={"rows": 8}),
            "other": forms.Textarea(attrs={"rows": 6}),
        }

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors:
            dry_run(self, lambda: perform(self, data), fallback=None, refusal_field="workflow")
        return data


@admin.register(AnnualReport)
class AnnualReportAdmin(ActorForm, BackOfficeAdmin):
    form = AnnualReportForm
    list_display = ["unit", "year", "state", "published_at", "updated_at"]
    list_filter = ["year", "status"]
    search_fields = ["unit__name"]
    list_select_related = ["unit", "record"]
    show_full_result_count = False
    readonly_fields = ["state", "page_link", "record", "published_at", "updated_by", "updated_at"]
    fields = [
        "unit",
        "year",
        "state",
        "page_link",
        "overall",
        "problems",
        "other",
        "workflow",
        "record",
        "published_at",
        "updated_by",
        "updated_at",
    ]

    @admin.display(description=_("状态"))
    def state(self, obj: AnnualReport) -> str:
        return STATE_LABELS[selectors.state_of(obj)]

    @admin.display(description=_("报告页面（统计表、导出）"))
    def page_link(self, obj: AnnualReport) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("annual-report", kwargs={"unit_id": obj.unit_id, "year": obj.year})
        return format_html('<a href="{}">{}</a>', url, _("查看年度报告"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[AnnualReport]:
        return permissions.scope_queryset(
            super().get_queryset(request).select_related("unit", "record"),
            request.user,
            Action.VIEW,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return permissions.units_for(request.user, Action.EDIT).exists()

    def has_change_permission(self, request: HttpRequest, obj: AnnualReport | None = None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return selectors.state_of(obj) in selectors.EDITABLE_STATES and permissions.can(
            request.user, Action.EDIT, obj.unit
        )

    def get_readonly_fields(self, request: HttpRequest, obj: AnnualReport | None = None):
        fixed = list(self.readonly_fields)
        if obj is not None:
            fixed += ["unit", "year"]
        return fixed

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = permissions.units_for(request.user, Action.EDIT).select_related(
                "region"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "year" and field is not None:
            field.min_value = FIRST_YEAR
            field.help_text = _("报告所属年度，例如 2025。")
        return field

    def save_model(self, request: HttpRequest, obj: AnnualReport, form: Any, change: bool) -> None:
        """The form tried the services in a savepoint; here they run for real."""
        data = dict(form.cleaned_data)
        if change:
            data["unit"], data["year"] = obj.unit, obj.year
        report = perform(form, data)
        obj.pk = report.pk
