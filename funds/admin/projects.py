"""Back office of village special-fund projects.

The village committee proposes a project with its funding lines (inline) and, while it is
proposed, changes it; every later step is one choice of the project's action form:
approve, record a disbursement, record an acceptance, start the public evaluation,
publish a reached stage, add a stage document, answer or close a rectification, close or
cancel. Each person is offered the steps that are theirs at the project's stage
(funds.permissions); the services have the last word. Before anything is saved the form
runs the requested change in a savepoint and rolls it back (portal.admin.dry_run), so a
refusal becomes a form error beside the field it concerns and nothing typed is lost.

Village officials see their projects; the township's office and accounting centre the
projects of their township; supervisors their subtree (funds.permissions.projects_in_scope).
Yearly allocations are kept by platform admins and read by the others; disbursements,
acceptances and rectifications have read-only lists.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AdminSplitDateTime
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from funds.models import (
    Acceptance,
    AcceptanceResult,
    Disbursement,
    FundingLine,
    FundProject,
    LedgerEntry,
    ProjectStage,
    Rectification,
    Stage,
    StageDocument,
    VillageAllocation,
)
from funds.permissions import (
    can_disburse,
    can_run_project,
    can_supervise_project,
    monitored_scopes,
    projects_in_scope,
)
from funds.selectors import projects as selectors
from funds.services import projects as services
from participation.models import Decision
from participation.selectors.decisions import disclosure_of
from portal import hierarchy
from portal import permissions as core
from portal.admin import (
    ActorForm,
    BackOfficeAdmin,
    ReadOnlyInline,
    ReadWithParent,
    ServiceValidated,
    dry_run,
)
from portal.models import UnitKind
from portal.permissions import Action

PROJECT_FIELDS = ["unit", *services.EDITABLE_FIELDS]
ACTION_LABELS = {
    "approve": _("立项（乡镇（街道）审核通过）"),
    "disburse": _("录入资金拨付"),
    "accept": _("录入验收结果"),
    "evaluate": _("发起群众评议"),
    "publish": _("公开所选阶段"),
    "document": _("上传所选阶段的文件"),
    "answer": _("答复整改情况"),
    "close_rectification": _("整改事项销号"),
    "close": _("结项"),
    "cancel": _("撤销项目（须公开说明原因）"),
}
# Where a service's field error is shown on this form.
ALIASES = {
    "reason": "note",
    "answer": "note",
    "file": "document",
    "title": "document_title",
}
# The form's fields of each action, shown in its own fieldset.
ACTION_FIELDS = {
    "note": ["note"],
    "disburse": ["paid_on", "amount", "payee", "payee_is_person", "purpose", "entry"],
    "accept": ["inspected_on", "inspectors", "result", "final_accounts"],
    "evaluate": ["opens_at", "closes_at"],
    "stage": ["stage_choice", "document", "document_title"],
}


def _open_rectification(project: FundProject) -> Rectification | None:
    return project.rectifications.filter(closed_at__isnull=True).order_by("opened_at").first()


def available_actions(user: Any, project: FundProject) -> list[str]:
    """The steps this person may take on the project at its stage."""
    runs = can_run_project(user, project)
    supervises = can_supervise_project(user, project)
    stage = project.stage
    actions = []
    if supervises and stage == Stage.PROPOSED:
        actions.append("approve")
    if stage in services.PAYABLE_STAGES and can_disburse(user, project):
        actions.append("disburse")
    if supervises and stage == Stage.IMPLEMENTING:
        actions.append("accept")
    if runs and stage == Stage.ACCEPTED:
        actions.append("evaluate")
    if runs:
        actions.append("publish")
    if (runs or supervises) and stage != Stage.CANCELLED:
        actions.append("document")
    rectification = _open_rectification(project) if stage == Stage.EVALUATED else None
    if runs and rectification is not None:
        actions.append("answer")
    if supervises and rectification is not None and rectification.answered_at is not None:
        actions.append("close_rectification")
    if supervises and stage == Stage.EVALUATED and rectification is None:
        actions.append("close")
    if (runs and stage == Stage.PROPOSED) or (
        supervises and stage == Stage.APPROVED and not project.disbursed
    ):
        actions.append("cancel")
    return actions


def _editable(user: Any, project: FundProject | None) -> bool:
    """The project's own fields and funding: when new, and while proposed, by the village."""
    return project is None or (project.stage == Stage.PROPOSED and can_run_project(user, project))


def perform(
    actor: Any,
    project: FundProject | None,
    data: dict[str, Any],
    funding: list[tuple[str, Any]] | None,
    files: Any = None,
) -> tuple[FundProject, Any]:
    """Create or change the project (when its fields are editable), then take the chosen
    step. Returns the project and what the step made (a disbursement, a document …)."""
    fields = {name: data.get(name) for name in services.EDITABLE_FIELDS if name in data}
    if project is None:
        project = services.project_create(
            unit=data.get("unit"),
            actor=actor,
            funding=funding or [],
            description=fields.pop("description", "") or "",
            **fields,
        )
    elif fields and _editable(actor, project):
        project = services.project_update(project=project, actor=actor, funding=funding, **fields)
    action = data.get("action")
    note = data.get("note") or ""
    made = None
    if action == "approve":
        project = services.project_approve(project=project, actor=actor, note=note)
    elif action == "disburse":
        made = services.disbursement_record(
            project=project,
            paid_on=data.get("paid_on"),
            amount=data.get("amount"),
            payee=data.get("payee") or "",
            payee_is_person=bool(data.get("payee_is_person")),
            purpose=data.get("purpose") or "",
            entry=data.get("entry"),
            actor=actor,
        )
    elif action == "accept":
        made = services.acceptance_record(
            project=project,
            inspected_on=data.get("inspected_on"),
            inspectors=data.get("inspectors") or "",
            result=data.get("result") or "",
            final_accounts=data.get("final_accounts"),
            note=note,
            actor=actor,
        )
    elif action == "evaluate":
        made = services.evaluation_start(
            project=project,
            actor=actor,
            opens_at=data.get("opens_at"),
            closes_at=data.get("closes_at"),
        )
    elif action in ("publish", "document"):
        row = project.stages.filter(stage=data.get("stage_choice") or "").first()
        if row is None:
            raise forms.ValidationError({"stage_choice": [_("请选择项目已经到达的阶段。")]})
        if action == "publish":
            made = services.stage_publish(project=project, stage=row.stage, actor=actor)
        else:
            upload = data.get("document")
            if upload is None:
                raise forms.ValidationError({"document": [_("请选择要上传的文件。")]})
            made = services.stage_document_add(
                stage=row,
                title=data.get("document_title") or "",
                name=upload.name,
                data=upload.read(),
                actor=actor,
            )
            upload.seek(0)
    elif action in ("answer", "close_rectification"):
        item = _open_rectification(project)
        if item is None:
            raise forms.ValidationError({"action": [_("该项目没有未销号的整改事项。")]})
        if action == "answer":
            made = services.rectification_answer(rectification=item, answer=note, actor=actor)
        else:
            made = services.rectification_close(rectification=item, note=note, actor=actor)
    elif action == "close":
        project = services.project_close(project=project, actor=actor, note=note)
    elif action == "cancel":
        project = services.project_cancel(project=project, reason=note, actor=actor)
    return project, made


def _trial(actor: Any, project: FundProject | None, data: dict, funding) -> None:
    """perform() for a trial run: a document written to storage is removed again, as the
    savepoint removes its row."""
    _project, made = perform(actor, project, data, funding)
    if isinstance(made, StageDocument):
        made.file.delete(save=False)


# --- Funding lines -------------------------------------------------------------------


class FundingLineForm(ServiceValidated, forms.ModelForm):
    class Meta:
        model = FundingLine
        fields = ["source", "amount"]


class FundingFormSet(BaseInlineFormSet):
    def lines(self) -> list[tuple[str, Any]]:
        """The lines typed, in order: (source, amount)."""
        lines = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or (self.can_delete and self._should_delete_form(form)):
                continue
            if data.get("source"):
                lines.append((data["source"], data.get("amount")))
        return lines

    def validate_unique(self) -> None:
        """The service names a repeated source in words."""


# The project's form reads the lines from the same POST to try everything at once.
FundingFromPost = inlineformset_factory(
    FundProject, FundingLine, form=FundingLineForm, formset=FundingFormSet, extra=0
)


class FundingInline(ReadWithParent, admin.TabularInline):
    model = FundingLine
    form = FundingLineForm
    formset = FundingFormSet
    fields = ["source", "amount"]
    verbose_name_plural = _("资金来源（合计应等于预算；立项后不能再改）")

    def get_extra(self, request, obj=None, **kwargs):
        return 2 if obj is None else 1 if _editable(request.user, obj) else 0

    def _may_edit(self, request, obj) -> bool:
        if obj is None:
            return _village_units(request.user).exists()
        return _editable(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is not None and self._may_edit(request, obj)


# --- The project's form --------------------------------------------------------------


class ProjectForm(ServiceValidated, forms.ModelForm):
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("不操作"))])
    note = forms.CharField(
        label=_("说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "立项、结项时的说明，撤销项目的原因，整改情况或销号意见：将向社会公开，"
            "请勿填写个人信息。"
        ),
    )
    paid_on = forms.DateField(label=_("拨付日期"), required=False, widget=AdminDateWidget)
    amount = forms.DecimalField(
        label=_("拨付金额（元）"), required=False, max_digits=14, decimal_places=2
    )
    payee = forms.CharField(label=_("收款方"), required=False, max_length=100)
    payee_is_person = forms.BooleanField(
        label=_("收款方为个人（公开时只显示姓氏）"), required=False
    )
    purpose = forms.CharField(label=_("用途"), required=False, max_length=200)
    entry = forms.ModelChoiceField(
        label=_("记账凭证"),
        required=False,
        queryset=LedgerEntry.objects.none(),
        help_text=_("可选：本村（社区）集体经济组织已记账的对应支出凭证。"),
    )
    inspected_on = forms.DateField(label=_("验收日期"), required=False, widget=AdminDateWidget)
    inspectors = forms.CharField(label=_("验收人员"), required=False, max_length=300)
    result = forms.ChoiceField(
        label=_("验收结果"), required=False, choices=[("", "—"), *AcceptanceResult.choices]
    )
    final_accounts = forms.DecimalField(
        label=_("决算金额（元）"), required=False, max_digits=14, decimal_places=2
    )
    opens_at = forms.SplitDateTimeField(
        label=_("评议开始时间"), required=False, widget=AdminSplitDateTime
    )
    closes_at = forms.SplitDateTimeField(
        label=_("评议截止时间"), required=False, widget=AdminSplitDateTime
    )
    stage_choice = forms.ChoiceField(label=_("阶段"), required=False, choices=[("", "—")])
    document = forms.FileField(label=_("文件"), required=False)
    document_title = forms.CharField(
        label=_("文件名称"), required=False, max_length=200, help_text=_("不填则用文件名。")
    )

    actor: Any = None  # set by ActorForm
    actions: tuple[str, ...] = ()  # set by FundProjectAdmin.get_form

    class Meta:
        model = FundProject
        fields = PROJECT_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [
            ("", _("不操作")),
            *((name, ACTION_LABELS[name]) for name in self.actions),
        ]
        project = self.instance
        if project.pk:
            self.fields["stage_choice"].choices = [
                ("", "—"),
                *((row.stage, row.get_stage_display()) for row in project.stages.all()),
            ]
            self.fields["entry"].queryset = selectors.entries_to_link(project)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        project = FundProject.objects.get(pk=self.instance.pk) if self.instance.pk else None
        funding = None
        if _editable(self.actor, project):
            inline = FundingFromPost(self.data, instance=project or FundProject(), prefix="funding")
            if not inline.is_valid():
                return data  # the inline shows its own errors
            funding = inline.lines()
        dry_run(
            self,
            lambda: _trial(self.actor, project, data, funding),
            refusal_field="action" if data.get("action") else None,
            aliases=ALIASES,
        )
        return data


# --- Read-only rows under the project --------------------------------------------------


class StageInline(ReadWithParent, ReadOnlyInline):
    model = ProjectStage
    fields = ["stage", "reached_at", "actor", "note", "publication", "document_links"]
    readonly_fields = fields
    verbose_name_plural = _("项目进程")

    @admin.display(description=_("公开情况"))
    def publication(self, row: ProjectStage) -> str:
        record = row.record
        if record is None:
            return disclosure_of(None).state_label
        return format_html(
            '<a href="{}">{}</a>（{}）',
            reverse("admin:disclosure_record_change", args=[record.pk]),
            record.title,
            record.get_status_display(),
        )

    @admin.display(description=_("文件"))
    def document_links(self, row: ProjectStage) -> str:
        return (
            format_html_join(
                "、",
                '<a href="{}">{}</a>',
                ((selectors.document_url(d), d.title) for d in row.documents.all()),
            )
            or "—"
        )


class DisbursementInline(ReadWithParent, ReadOnlyInline):
    model = Disbursement
    fields = ["paid_on", "amount", "payee", "payee_is_person", "purpose", "entry", "recorded_by"]
    readonly_fields = fields


class AcceptanceInline(ReadWithParent, ReadOnlyInline):
    model = Acceptance
    fields = ["inspected_on", "inspectors", "result", "final_accounts", "note", "recorded_by"]
    readonly_fields = fields


class RectificationInline(ReadWithParent, ReadOnlyInline):
    model = Rectification
    fields = ["opened_at", "answer", "answered_at", "answered_by", "closed_at", "closing_note"]
    readonly_fields = fields


# --- Projects ------------------------------------------------------------------------


def _village_units(user: Any):
    return core.units_for(user, Action.EDIT).filter(kind=UnitKind.VILLAGE_COMMITTEE, is_active=True)


class ReadInScope:
    """ModelAdmin mixin: back-office users open the list, which get_queryset scopes; a
    row opens for whoever finds it in their list."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return core.is_back_office_user(request.user)
        return self.get_queryset(request).filter(pk=obj.pk).exists()


@admin.register(FundProject)
class FundProjectAdmin(ActorForm, ReadInScope, BackOfficeAdmin):
    form = ProjectForm
    list_display = ["name", "unit", "year", "stage", "budget", "disbursed", "stage_since"]
    list_filter = ["stage", "year", "category"]
    search_fields = ["name", "unit__name", "=region__code"]
    list_select_related = ["unit"]
    show_full_result_count = False
    STATUS_FIELDS = ["stage", "stage_since", "disbursed", "remaining", "cancel_reason", "page"]
    ROWS = [StageInline, DisbursementInline, AcceptanceInline, RectificationInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[FundProject]:
        return selectors.projects_back_office(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _village_units(request.user).exists()

    def has_change_permission(self, request: HttpRequest, obj: FundProject | None = None) -> bool:
        if obj is None:
            return core.is_back_office_user(request.user)
        return _editable(request.user, obj) or bool(available_actions(request.user, obj))

    def get_inlines(self, request, obj):
        if obj is None:
            return [FundingInline]
        return [FundingInline, *self.ROWS]

    def get_form(self, request, obj=None, change=False, **kwargs):
        actions = tuple(available_actions(request.user, obj)) if obj is not None else ()
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actions": actions})

    def get_readonly_fields(self, request: HttpRequest, obj: FundProject | None = None):
        if obj is None:
            return []
        fixed = ["unit", *self.STATUS_FIELDS]
        if not _editable(request.user, obj):
            fixed += list(services.EDITABLE_FIELDS)
        return fixed

    def get_fieldsets(self, request: HttpRequest, obj: FundProject | None = None):
        sets = [(None, {"fields": PROJECT_FIELDS})]
        if obj is None:
            return sets
        sets.append((_("进度与资金"), {"fields": self.STATUS_FIELDS}))
        actions = available_actions(request.user, obj)
        if not actions:
            return sets
        sets.append((_("办理"), {"fields": ["action", "note"]}))
        if "disburse" in actions:
            sets.append(
                (
                    _("资金拨付"),
                    {
                        "fields": ACTION_FIELDS["disburse"],
                        "description": _("选择“录入资金拨付”时填写；拨付不能超过预算余额。"),
                    },
                )
            )
        if "accept" in actions:
            sets.append(
                (
                    _("项目验收"),
                    {
                        "fields": ACTION_FIELDS["accept"],
                        "description": _("选择“录入验收结果”时填写；验收意见写在“说明”中。"),
                    },
                )
            )
        if "evaluate" in actions:
            sets.append(
                (
                    _("群众评议"),
                    {
                        "fields": ACTION_FIELDS["evaluate"],
                        "description": _("本村（社区）已核实的居民可在评议时间内参加评议。"),
                    },
                )
            )
        if "publish" in actions or "document" in actions:
            sets.append(
                (
                    _("阶段公开和文件"),
                    {
                        "fields": ACTION_FIELDS["stage"],
                        "description": _(
                            "选择“公开所选阶段”或“上传所选阶段的文件”时选择阶段；"
                            "文件限 PDF、图片和 Office 文档。"
                        ),
                    },
                )
            )
        return sets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = _village_units(request.user).select_related("region")
        if db_field.name == "decision":
            kwargs["queryset"] = Decision.objects.filter(
                unit__in=_village_units(request.user).values("pk"),
                status__in=services.DECISION_STATUSES,
            ).order_by("-created_at")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("剩余（元）"))
    def remaining(self, project: FundProject):
        return project.remaining

    @admin.display(description=_("公开页面"))
    def page(self, project: FundProject) -> str:
        url = reverse("fund-project", args=[project.pk])
        return format_html('<a href="{}">{}</a>', url, url)

    def save_model(self, request, obj, form, change) -> None:
        """Nothing here: the funding lines come with the inline, so everything is saved
        at once in save_related, through the services."""

    def save_related(self, request, form, formsets, change) -> None:
        project = FundProject.objects.get(pk=form.instance.pk) if change else None
        funding = None
        for formset in formsets:
            if isinstance(formset, FundingFormSet) and _editable(request.user, project):
                funding = formset.lines()
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        project, _made = perform(request.user, project, form.cleaned_data, funding)
        form.instance.pk = project.pk


# --- Allocations and read-only lists ----------------------------------------------------


@admin.register(VillageAllocation)
class VillageAllocationAdmin(ReadInScope, BackOfficeAdmin):
    """Platform admins keep the yearly allocations; the others read those of their places."""

    list_display = ["region", "year", "amount"]
    list_filter = ["year"]
    search_fields = ["=region__code", "region__name"]
    list_select_related = ["region"]
    raw_id_fields = ["region"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[VillageAllocation]:
        allocations = VillageAllocation.objects.select_related("region")
        scopes = monitored_scopes(request.user)
        if scopes is None:
            return allocations
        villages = core.units_for(request.user, Action.VIEW).filter(kind=UnitKind.VILLAGE_COMMITTEE)
        own = allocations.filter(region__in=villages.values("region_id"))
        return (own | hierarchy.in_any_subtree(allocations, scopes)).distinct()


class ProjectRowsAdmin(ReadInScope, BackOfficeAdmin):
    """A read-only list of rows of projects, scoped as the projects are."""

    show_full_result_count = False

    def get_queryset(self, request: HttpRequest):
        rows = super().get_queryset(request).select_related("project", "project__unit")
        return projects_in_scope(rows, request.user, prefix="project__")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Disbursement)
class DisbursementAdmin(ProjectRowsAdmin):
    list_display = ["project", "paid_on", "amount", "payee", "purpose", "recorded_by"]
    list_filter = ["paid_on"]
    search_fields = ["project__name", "payee"]
    date_hierarchy = "paid_on"


@admin.register(Acceptance)
class AcceptanceAdmin(ProjectRowsAdmin):
    list_display = ["project", "inspected_on", "result", "final_accounts", "recorded_by"]
    list_filter = ["result"]
    search_fields = ["project__name", "inspectors"]


@admin.register(Rectification)
class RectificationAdmin(ProjectRowsAdmin):
    list_display = ["project", "opened_at", "state", "answered_at", "closed_at"]
    search_fields = ["project__name"]

    @admin.display(description=_("状态"))
    def state(self, item: Rectification) -> str:
        return selectors.rectification_label(item)
