"""Back office of the approval bureau (行政审批局): its catalog of matters, its commitment
scheme (承诺制) and the progress of the investment projects under it.

Only the bureau's own officials change them (services.selectors.approvals.
can_manage_bureau); supervisors of the bureau's place read them; other officials do not
see these pages at all. Every save goes through services.services.approvals, which
writes the audit trail. Before anything is saved the form runs the requested change in a
savepoint and rolls it back (portal.admin.dry_run), so a refusal becomes a form error
beside the field it concerns and nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal import hierarchy
from portal import permissions as core
from portal.admin import ActorForm, BackOfficeAdmin, ServiceValidated, dry_run
from portal.models import Region
from portal.permissions import Action
from services.models import (
    ApprovalMatter,
    CommitmentProject,
    CommitmentScheme,
    CommitmentStage,
)
from services.selectors import approvals as selectors
from services.services import approvals as services

MATTER_FORM_FIELDS = ["bureau", *services.MATTER_FIELDS]
PROJECT_FORM_FIELDS = ["bureau", *services.PROJECT_FIELDS]


def _reads_bureaus(request: HttpRequest) -> bool:
    """Whether this person reads any bureau's pages here (its officials, supervisors of
    its place, platform admins); asked by several hooks per page, answered once."""
    if not hasattr(request, "_reads_bureaus"):
        user = request.user
        request._reads_bureaus = core.is_platform_admin(user) or (
            core.is_back_office_user(user)
            and core.units_for(user, Action.VIEW).filter(pk__in=selectors.bureaus()).exists()
        )
    return request._reads_bureaus


def _managed(request: HttpRequest) -> QuerySet:
    return selectors.bureaus_managed_by(request.user)


def _manages_any(request: HttpRequest) -> bool:
    if not hasattr(request, "_manages_bureau"):
        request._manages_bureau = _managed(request).exists()
    return request._manages_bureau


class BureauAdmin(BackOfficeAdmin):
    """Read by whoever finds the row in their scoped list; changed by the bureau's own
    officials."""

    show_full_result_count = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _reads_bureaus(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return _reads_bureaus(request)
        return core.can(request.user, Action.VIEW, obj.bureau)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _manages_any(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return _manages_any(request)
        return selectors.can_manage_bureau(request.user, obj.bureau)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "bureau":
            kwargs["queryset"] = _managed(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("公开页面"))
    def public_page(self, obj: Any) -> str:
        url = f"{reverse(self.public_url_name)}?region={obj.bureau.region_id}"
        return format_html('<a href="{}">{}</a>', url, url)


# --- Matters -----------------------------------------------------------------------------

MATTER_ACTIONS = {
    "deactivate": _("停用（事项取消、下放或调整，不再公开）"),
    "reactivate": _("恢复在办"),
}


def perform_matter(
    actor: Any, matter: ApprovalMatter | None, data: dict[str, Any], changed: list[str]
) -> ApprovalMatter:
    """Create or change the matter, then take the chosen step."""
    fields = {name: data.get(name) for name in services.MATTER_FIELDS}
    if matter is None:
        return services.matter_create(bureau=data.get("bureau"), actor=actor, **fields)
    action, note = data.get("action"), data.get("note") or ""
    if action == "reactivate":
        matter = services.matter_reactivate(matter=matter, actor=actor, note=note)
    changes = {name: fields[name] for name in changed if name in services.MATTER_FIELDS}
    if changes and matter.is_active:
        matter = services.matter_update(matter=matter, actor=actor, **changes)
    if action == "deactivate":
        matter = services.matter_deactivate(matter=matter, actor=actor, note=note)
    return matter


class MatterForm(ServiceValidated, forms.ModelForm):
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("不操作"))])
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=services.MAX_NOTE,
        help_text=_("停用或恢复的原因，记入操作记录。"),
    )

    actor: Any = None  # set by ActorForm

    class Meta:
        model = ApprovalMatter
        fields = MATTER_FORM_FIELDS
        widgets = {"materials": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        matter = self.instance
        if matter.pk:
            wanted = "deactivate" if matter.is_active else "reactivate"
            self.fields["action"].choices = [("", _("不操作")), (wanted, MATTER_ACTIONS[wanted])]
        else:
            del self.fields["action"], self.fields["note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        matter = ApprovalMatter.objects.get(pk=self.instance.pk) if self.instance.pk else None
        dry_run(
            self,
            lambda: perform_matter(self.actor, matter, data, list(self.changed_data)),
            refusal_field="action" if data.get("action") else None,
        )
        return data


@admin.register(ApprovalMatter)
class ApprovalMatterAdmin(ActorForm, BureauAdmin):
    form = MatterForm
    public_url_name = "approval-matters"
    list_display = [
        "name",
        "department",
        "matter_type",
        "legal_limit_days",
        "promised_limit_days",
        "is_active",
        "bureau",
    ]
    list_filter = ["is_active", "matter_type", ("department", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "=code"]
    list_select_related = ["bureau", "department"]
    STATUS_FIELDS = ["is_active", "updated_at", "public_page"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApprovalMatter]:
        return selectors.matters_back_office(request.user)

    def get_fieldsets(self, request: HttpRequest, obj: ApprovalMatter | None = None):
        sets: list = [(None, {"fields": MATTER_FORM_FIELDS})]
        if obj is None:
            return sets
        sets.append((_("状态"), {"fields": self.STATUS_FIELDS}))
        if self.has_change_permission(request, obj):
            sets.append((_("停用或恢复"), {"fields": ["action", "note"]}))
        return sets

    def get_readonly_fields(self, request: HttpRequest, obj: ApprovalMatter | None = None):
        if obj is None:
            return []
        fixed = ["bureau", *self.STATUS_FIELDS]
        if not obj.is_active:
            fixed += list(services.MATTER_FIELDS)
        return fixed

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = selectors.departments_for(_managed(request))
        if db_field.name == "guide":
            kwargs["queryset"] = selectors.guides_for(_managed(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        """The form asked the services what they would refuse; here they run for real."""
        matter = ApprovalMatter.objects.get(pk=obj.pk) if change else None
        matter = perform_matter(request.user, matter, form.cleaned_data, list(form.changed_data))
        obj.pk = matter.pk


# --- The commitment scheme ------------------------------------------------------------------


class SchemeForm(ServiceValidated, forms.ModelForm):
    actor: Any = None  # set by ActorForm

    class Meta:
        model = CommitmentScheme
        fields = ["bureau", "title", "standards", "steps"]
        widgets = {
            "standards": forms.Textarea(attrs={"rows": 10}),
            "steps": forms.Textarea(attrs={"rows": 8}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        bureau = self.instance.bureau if self.instance.pk else data.get("bureau")
        dry_run(self, lambda: _publish(self.actor, bureau, data))
        return data


def _publish(actor: Any, bureau: Any, data: dict[str, Any]) -> CommitmentScheme:
    return services.scheme_publish(
        bureau=bureau,
        title=data.get("title") or "",
        standards=data.get("standards") or "",
        steps=data.get("steps") or "",
        actor=actor,
    )


@admin.register(CommitmentScheme)
class CommitmentSchemeAdmin(ActorForm, BureauAdmin):
    form = SchemeForm
    public_url_name = "commitment-projects"
    list_display = ["title", "bureau", "published_at"]
    list_select_related = ["bureau"]
    fieldsets = [
        (
            None,
            {
                "fields": ["bureau", "title", "standards", "steps"],
                "description": _("保存即向社会公布；办理流程每行一步。"),
            },
        ),
        (_("状态"), {"fields": ["published_at", "public_page"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CommitmentScheme]:
        return selectors.schemes_back_office(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One scheme per bureau: offered while a bureau of this person has none.
        return _managed(request).filter(commitment_scheme__isnull=True).exists()

    def get_readonly_fields(self, request: HttpRequest, obj: CommitmentScheme | None = None):
        fixed = ["published_at", "public_page"]
        return ["bureau", *fixed] if obj is not None else fixed

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "bureau":
            kwargs["queryset"] = _managed(request).filter(commitment_scheme__isnull=True)
            return super(BureauAdmin, self).formfield_for_foreignkey(db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        bureau = CommitmentScheme.objects.get(pk=obj.pk).bureau if change else obj.bureau
        obj.pk = _publish(request.user, bureau, form.cleaned_data).pk


# --- Projects ------------------------------------------------------------------------------


def perform_project(
    actor: Any, project: CommitmentProject | None, data: dict[str, Any], changed: list[str]
) -> CommitmentProject:
    """Create the project, or correct it and move it to its next stage."""
    if project is None:
        return services.project_create(
            bureau=data.get("bureau"),
            region=data.get("region"),
            name=data.get("name") or "",
            investor=data.get("investor") or "",
            investment=data.get("investment"),
            committed_on=data.get("committed_on"),
            is_public=bool(data.get("is_public")),
            actor=actor,
        )
    changes = {name: data.get(name) for name in changed if name in services.PROJECT_FIELDS}
    if changes:
        project = services.project_update(project=project, actor=actor, **changes)
    if data.get("advance_to"):
        project = services.project_advance(
            project=project, stage=data["advance_to"], on=data.get("advance_on"), actor=actor
        )
    return project


class ProjectForm(ServiceValidated, forms.ModelForm):
    advance_to = forms.ChoiceField(label=_("推进到"), required=False, choices=[("", "—")])
    advance_on = forms.DateField(label=_("日期"), required=False, widget=AdminDateWidget)

    actor: Any = None  # set by ActorForm

    class Meta:
        model = CommitmentProject
        fields = PROJECT_FORM_FIELDS
        help_texts = {"investor": _("填写企业或单位名称，勿填个人信息。")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = self.instance
        wanted = selectors.next_stage(project) if project.pk else None
        if wanted is None:
            self.fields.pop("advance_to", None)
            self.fields.pop("advance_on", None)
        else:
            self.fields["advance_to"].choices = [
                ("", _("不变")),
                (wanted, CommitmentStage(wanted).label),
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        project = CommitmentProject.objects.get(pk=self.instance.pk) if self.instance.pk else None
        dry_run(
            self,
            lambda: perform_project(self.actor, project, data, list(self.changed_data)),
            refusal_field="advance_to" if data.get("advance_to") else None,
            aliases={"on": "advance_on"},
        )
        return data


def _regions_for(bureaus: QuerySet) -> QuerySet[Region]:
    codes = list(bureaus.values_list("region_id", flat=True).distinct())
    places = hierarchy.in_any_subtree(Region.objects.filter(is_active=True), codes, "code")
    return places.order_by("code")


@admin.register(CommitmentProject)
class CommitmentProjectAdmin(ActorForm, BureauAdmin):
    form = ProjectForm
    public_url_name = "commitment-projects"
    list_display = [
        "name",
        "investor",
        "region",
        "stage",
        "committed_on",
        "building_on",
        "inspected_on",
        "is_public",
    ]
    list_filter = ["stage", "is_public"]
    search_fields = ["name", "investor"]
    list_select_related = ["region", "bureau"]
    date_hierarchy = "committed_on"
    STATUS_FIELDS = ["stage", "building_on", "inspected_on", "updated_at", "public_page"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CommitmentProject]:
        return selectors.projects_back_office(request.user)

    def get_fieldsets(self, request: HttpRequest, obj: CommitmentProject | None = None):
        sets: list = [(None, {"fields": PROJECT_FORM_FIELDS})]
        if obj is None:
            return sets
        sets.append((_("进度"), {"fields": self.STATUS_FIELDS}))
        if selectors.next_stage(obj) and self.has_change_permission(request, obj):
            sets.append(
                (
                    _("推进进度"),
                    {
                        "fields": ["advance_to", "advance_on"],
                        "description": _(
                            "开工后选择“开工建设”，竣工验收后选择“竣工验收”，并填写实际日期："
                            "不能晚于今天，也不能早于上一阶段的日期。"
                        ),
                    },
                )
            )
        return sets

    def get_readonly_fields(self, request: HttpRequest, obj: CommitmentProject | None = None):
        if obj is None:
            return []
        fixed = ["bureau", *self.STATUS_FIELDS]
        if obj.stage != CommitmentStage.COMMITTED:
            fixed.append("committed_on")
        return fixed

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = _regions_for(_managed(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        project = CommitmentProject.objects.get(pk=obj.pk) if change else None
        project = perform_project(request.user, project, form.cleaned_data, list(form.changed_data))
        obj.pk = project.pk
