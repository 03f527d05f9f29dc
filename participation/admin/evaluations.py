"""Back office of democratic evaluations (民主评议).

Officials of the organising unit set up a round, add its subjects while it is a draft
(inline), publish it, or cancel a published one with a reason; results, ratings and
comments are read-only. Supervisors read everything inside their places. Every write
goes through participation.services.evaluations: before anything is saved, the change
form runs the requested changes in a savepoint and rolls them back, so a refusal
becomes a form error and nothing the official typed is lost (as mailbox.admin does).
On a draft's page the subjects' formset validates last, so it runs that trial for the
round, its subjects and the requested step together: "add two officials and publish"
is checked as one change.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from participation.admin.common import editable_units, edits_any_unit
from participation.models import (
    Evaluation,
    EvaluationFlag,
    EvaluationRound,
    EvaluationSubject,
    RoundStatus,
    SubjectKind,
)
from participation.permissions import can_manage, managed
from participation.selectors import evaluations as selectors
from participation.services import evaluations as services
from portal import permissions
from portal.admin import (
    ActorForm,
    ActorFormSet,
    BackOfficeAdmin,
    ReadOnlyInline,
    ReadWithParent,
    RollBack,
    ServiceValidated,
    dry_run,
)
from portal.models import Unit, User
from portal.pages import add_service_errors

STATE_KEY = "_evaluation_admin_state"


def _state(request: HttpRequest) -> dict[str, Any]:
    """What the round's form and the subjects' formset of one request share."""
    return request.__dict__.setdefault(STATE_KEY, {})


# --- The round and its workflow ------------------------------------------------------


def save_round(
    pk: int | None, actor: Any, data: dict[str, Any], changed: list[str]
) -> EvaluationRound:
    """Create the round, or apply the settings the official changed (drafts only)."""
    fields = {f: data[f] for f in services.ROUND_FIELDS if f in data}
    if pk is None:
        return services.round_create(unit=data.get("unit"), actor=actor, **fields)
    round = EvaluationRound.objects.get(pk=pk)
    changes = {f: v for f, v in fields.items() if f in changed}
    if changes:
        round = services.round_update(round=round, actor=actor, **changes)
    return round


def run_workflow(round: EvaluationRound, actor: Any, data: dict[str, Any]) -> EvaluationRound:
    action = data.get("workflow")
    if action == "publish":
        return services.round_publish(round=round, actor=actor)
    if action == "cancel":
        return services.round_cancel(round=round, actor=actor, reason=data.get("workflow_note"))
    return round


class RoundForm(ServiceValidated, forms.ModelForm):
    workflow = forms.ChoiceField(label=_("操作"), required=False)
    workflow_note = forms.CharField(
        label=_("取消原因"),
        required=False,
        max_length=services.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("取消评议时必填，将向公众公开。"),
    )

    class Meta:
        model = EvaluationRound
        fields = ["unit", *services.ROUND_FIELDS]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    actor: Any = None  # set by RoundAdmin.get_form
    state: dict[str, Any] = {}
    trial_in_formset = False  # a draft's page: the subjects' formset runs the trial

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "workflow" in self.fields:
            status = self.instance.status if self.instance.pk else RoundStatus.DRAFT
            choices = [("", _("仅保存"))]
            if status == RoundStatus.DRAFT and self.instance.pk:
                choices.append(("publish", _("发布（发布后评议对象和设置不能再改）")))
            if status == RoundStatus.PUBLISHED:
                choices.append(("cancel", _("取消评议（须公开说明原因）")))
            self.fields["workflow"].choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.state["form"] = self
        if self.errors or self.trial_in_formset:
            return data
        self.try_changes()
        return data

    def try_changes(self, subjects: SubjectFormSet | None = None) -> None:
        """Run the round's settings, its subjects' rows (when given) and the requested
        step in one savepoint and roll back: a refusal of the settings lands on this
        form, a row's on its row, the step's beside `workflow`."""
        data = self.cleaned_data

        def run() -> None:
            try:
                round = save_round(self.instance.pk, self.actor, data, self.changed_data)
            except ValidationError as exc:
                add_service_errors(self, exc)
                raise RollBack from None
            if subjects is not None:
                subjects.apply(round)
            run_workflow(round, self.actor, data)

        dry_run(self, run, fallback="workflow")


# --- Subjects ------------------------------------------------------------------------


class SubjectForm(ServiceValidated, forms.ModelForm):
    official = forms.ModelChoiceField(
        label=_("干部用户名"),
        queryset=User.objects.filter(is_active=True),
        to_field_name="username",
        required=False,
        widget=forms.TextInput(attrs={"size": 14}),
        error_messages={"invalid_choice": _("没有这个用户名的在用账号。")},
        help_text=_("村（社区）干部在平台的用户名。"),
    )
    target_unit = forms.ModelChoiceField(
        label=_("单位编号"),
        queryset=Unit.objects.all(),
        required=False,
        widget=forms.NumberInput,
        error_messages={"invalid_choice": _("没有这个单位。")},
        help_text=_("单位页面地址中的数字。"),
    )
    identifier = forms.CharField(
        label=_("项目或事项编号"),
        required=False,
        max_length=services.MAX_KEY,
        widget=forms.TextInput(attrs={"size": 14}),
        help_text=_("专项资金项目填项目编号，服务事项填事项编号；往年评议用同一编号。"),
    )

    class Meta:
        model = EvaluationSubject
        fields = ["kind", "name", "role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = _("干部和单位可不填，默认用其姓名或名称。")
        if self.instance.pk:
            # Who a subject is stays fixed; remove it and add another instead.
            for name in ("kind", "official", "target_unit", "identifier"):
                self.fields[name].disabled = True
            kind, _sep, value = self.instance.subject_key.partition(":")
            if kind == SubjectKind.UNIT:
                self.initial["target_unit"] = value
            elif kind in (SubjectKind.PROJECT, SubjectKind.SERVICE):
                self.initial["identifier"] = value

    def key_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data.get("kind"),
            "official": data.get("official"),
            "unit": data.get("target_unit"),
            "identifier": data.get("identifier") or "",
            "name": data.get("name") or "",
            "role": data.get("role") or "",
        }


class SubjectFormSet(BaseInlineFormSet):
    actor: Any = None  # set by SubjectEditInline.get_formset
    state: dict[str, Any] = {}

    def apply(self, round: EvaluationRound) -> tuple[list, list, list]:
        """Run each row's service; (added, changed, removed). A refusal is put on its
        row and raised again after every row has been tried."""
        added, changed, removed, failed = [], [], [], False
        for form in self.forms:
            instance = form.instance
            try:
                if instance.pk and self._should_delete_form(form):
                    services.subject_remove(subject=instance, actor=self.actor)
                    removed.append(instance)
                elif instance.pk and form.has_changed():
                    subject = services.subject_update(
                        subject=instance,
                        actor=self.actor,
                        name=form.cleaned_data.get("name") or "",
                        role=form.cleaned_data.get("role") or "",
                    )
                    changed.append((subject, form.changed_data))
                elif not instance.pk and form.has_changed() and not self._should_delete_form(form):
                    added.append(
                        services.subject_add(round=round, actor=self.actor, **form.key_arguments())
                    )
            except ValidationError as exc:
                add_service_errors(form, exc, aliases={"unit": "target_unit"})
                failed = True
        if failed:
            raise RollBack
        return added, changed, removed

    def clean(self) -> None:
        super().clean()
        round_form = self.state.get("form")
        if round_form is None or round_form.errors or any(f.errors for f in self.forms):
            return
        round_form.try_changes(subjects=self)
        if round_form.errors or any(f.errors for f in self.forms):
            raise ValidationError(_("请按提示修改后再保存。"))

    def save(self, commit: bool = True) -> list:
        """Apply the rows through the services (RoundAdmin.save_formset)."""
        round = EvaluationRound.objects.get(pk=self.instance.pk)
        added, changed, removed = self.apply(round)
        self.new_objects, self.changed_objects, self.deleted_objects = added, changed, removed
        return added


class SubjectEditInline(ActorFormSet, ReadWithParent, admin.TabularInline):
    """A draft's subjects: add, correct or remove them."""

    model = EvaluationSubject
    form = SubjectForm
    formset = SubjectFormSet
    fields = ["seq", "kind", "official", "target_unit", "identifier", "name", "role", "subject_key"]
    readonly_fields = ["seq", "subject_key"]
    extra = 1
    can_delete = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.state = _state(request)  # a class made for this request
        return formset

    def has_add_permission(self, request, obj=None) -> bool:
        return obj is not None and can_manage(request.user, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is not None and can_manage(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # A draft's subject may go (nobody has seen it); published ones never do.
        return obj is not None and obj.status == RoundStatus.DRAFT and can_manage(request.user, obj)


class SubjectResultInline(ReadWithParent, ReadOnlyInline):
    """A published round's subjects with their frozen counts, read-only."""

    model = EvaluationSubject
    fields = ["seq", "kind", "subject_key", "name", "role", "satisfied", "basic", "unsatisfied"]
    readonly_fields = fields


# --- Admin classes -------------------------------------------------------------------


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(ActorForm, BackOfficeAdmin):
    form = RoundForm
    list_display = ["title", "year", "unit", "status", "opens_at", "closes_at"]
    list_filter = ["status", "year", "eligibility"]
    search_fields = ["title"]
    list_select_related = ["unit"]
    raw_id_fields = ["electorate_region", "body"]
    date_hierarchy = "opens_at"
    show_full_result_count = False
    status_fields = [
        "status",
        "published_at",
        "closed_at",
        "cancelled_at",
        "cancel_reason",
        "eligible_count",
        "results",
        "public_page",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[EvaluationRound]:
        return managed(super().get_queryset(request), request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return edits_any_unit(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return obj.status in (RoundStatus.DRAFT, RoundStatus.PUBLISHED) and can_manage(
            request.user, obj
        )

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list:
        if obj is None:
            return []
        if obj.status == RoundStatus.DRAFT and can_manage(request.user, obj):
            return [SubjectEditInline]
        return [SubjectResultInline]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["unit", *services.ROUND_FIELDS]
        if obj is None:
            return fields
        fields += ["status", "public_page"]
        if obj.status != RoundStatus.DRAFT:
            fields += ["published_at", "results"]
        if obj.status == RoundStatus.CLOSED:
            fields += ["closed_at", "eligible_count"]
        if obj.status == RoundStatus.CANCELLED:
            fields += ["cancelled_at", "cancel_reason"]
        if self.has_change_permission(request, obj):
            fields += ["workflow"]
            if obj.status == RoundStatus.PUBLISHED:
                fields += ["workflow_note"]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        if obj.status == RoundStatus.DRAFT:
            return ["unit", *self.status_fields]
        return ["unit", *services.ROUND_FIELDS, *self.status_fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # A class made for this request (ActorForm): what its clean() shares with the
        # subjects' formset, and whether that formset runs the trial.
        form.state = _state(request)
        form.trial_in_formset = (
            obj is not None and obj.status == RoundStatus.DRAFT and can_manage(request.user, obj)
        )
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = editable_units(request.user).filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: RoundForm, change: bool) -> None:
        round = save_round(
            obj.pk if change else None, request.user, form.cleaned_data, form.changed_data
        )
        obj.pk = round.pk

    def save_formset(self, request, form, formset, change) -> None:
        formset.save()

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        round = EvaluationRound.objects.get(pk=form.instance.pk)
        run_workflow(round, request.user, form.cleaned_data)

    @admin.display(description=_("评议结果"))
    def results(self, round: EvaluationRound) -> str:
        subjects = selectors.subjects_of(round)
        results = selectors.subject_results(round, subjects, now=timezone.now())
        if results is None:
            return _("评议截止后显示。")
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}（{}%）</td><td>{}（{}%）</td>"
            "<td>{}（{}%）</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    r.subject,
                    r.satisfied,
                    r.satisfied_pct or 0,
                    r.basic,
                    r.basic_pct or 0,
                    r.unsatisfied,
                    r.unsatisfied_pct or 0,
                    r.total,
                    _("连续两年多数不满意") if r.flagged else "",
                )
                for r in results
            ),
        )
        return format_html(
            "<table><thead><tr><th scope='col'>{}</th><th scope='col'>{}</th>"
            "<th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th>"
            "<th scope='col'>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("评议对象"),
            _("满意"),
            _("基本满意"),
            _("不满意"),
            _("评议人数"),
            _("提示"),
            rows,
        )

    @admin.display(description=_("公开页面"))
    def public_page(self, round: EvaluationRound) -> str:
        if round.status == RoundStatus.DRAFT:
            return _("发布后可见。")
        url = reverse("evaluation", args=[round.pk])
        return format_html('<a href="{}">{}</a>', url, url)


@admin.register(Evaluation)
class EvaluationAdmin(BackOfficeAdmin):
    """Ratings and comments, for the organising unit and the supervisors, once the window
    has ended (so nobody watches a round as it goes). No evaluator is stored, and the
    time is shown as a date only: a minute could tell who came to the office then."""

    list_display = ["subject", "round", "rating", "comment", "evaluated_on"]
    list_filter = ["rating", "round__year"]
    search_fields = ["comment"]
    list_select_related = ["subject", "round"]
    fields = ["round", "subject", "rating", "comment", "evaluated_on"]
    readonly_fields = fields
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Evaluation]:
        ended = selectors.phase_condition("ended", timezone.now())
        rounds = EvaluationRound.objects.filter(ended).exclude(status=RoundStatus.DRAFT)
        return selectors.evaluations_back_office(request.user).filter(round__in=rounds)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return permissions.is_back_office_user(request.user)
        return selectors.can_read_evaluations(request.user, obj.round)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("评议日期"), ordering="created_at")
    def evaluated_on(self, evaluation: Evaluation):
        return timezone.localdate(evaluation.created_at)


@admin.register(EvaluationFlag)
class EvaluationFlagAdmin(BackOfficeAdmin):
    """Subjects rated 不满意 by a majority two years running; supervisors handle them on
    /supervision/participation/."""

    list_display = ["subject", "unit", "region", "raised_at", "handled_at"]
    list_filter = [("handled_at", admin.EmptyFieldListFilter)]
    list_select_related = ["subject", "unit", "region"]
    fields = [
        "subject",
        "previous",
        "unit",
        "region",
        "raised_at",
        "handled_at",
        "handled_by",
        "handling_note",
    ]
    readonly_fields = fields
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[EvaluationFlag]:
        return managed(super().get_queryset(request), request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
