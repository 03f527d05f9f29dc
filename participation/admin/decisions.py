"""Back office of decisions (四议两公开) and meeting records.

The officials (editors, admins) of a village/community committee start decisions, record
their four steps in order and publish the two disclosures; they record, publish and
follow up meetings (supervisory committees keep theirs too). Supervisors of the place
read both. Every write goes through participation.services; each form first runs the
service in a savepoint and rolls it back, so a refusal becomes a form error beside the
field it concerns and nothing the official typed is lost.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from participation.admin.common import editable_units
from participation.models import (
    Decision,
    DecisionStep,
    Meeting,
    MeetingIssue,
    Outcome,
    ResolutionMeeting,
    StepKind,
    Vote,
    VoteStatus,
)
from participation.permissions import (
    DECISION_UNIT_KINDS,
    MEETING_UNIT_KINDS,
    can_keep_meetings,
    can_run_decisions,
    managed,
)
from participation.selectors.decisions import disclosure_of
from participation.services import decisions as decision_services
from participation.services import meetings as meeting_services
from portal import permissions
from portal.admin import ActorForm, ActorFormSet, BackOfficeAdmin, ReadOnlyInline, dry_run
from portal.permissions import Action

# --- Decisions ---------------------------------------------------------------------------

ACTIONS = [
    ("", _("仅查看")),
    ("step", _("记录下一个环节")),
    ("publish", _("公开决议（决议公开）")),
    ("result", _("公开实施结果（实施结果公开）")),
]
CREATE_FIELDS = ["unit", "title", "matter", "category", "amount"]
STEP_FORM_FIELDS = [
    "kind",
    "held_on",
    "meeting",
    "expected",
    "attended",
    "vote",
    "votes_for",
    "votes_against",
    "abstained",
    "outcome",
    "note",
]
ACTION_FIELDS = ["action", *STEP_FORM_FIELDS, "result_text", "completed_on"]


def perform(decision: Decision, actor: Any, data: dict[str, Any]) -> Decision:
    """Run the chosen action through its service."""
    action = data.get("action")
    if action == "step":
        decision_services.decision_step_record(
            decision=decision,
            kind=data.get("kind") or "",
            held_on=data.get("held_on"),
            expected=data.get("expected"),
            attended=data.get("attended"),
            votes_for=data.get("votes_for"),
            votes_against=data.get("votes_against"),
            abstained=data.get("abstained"),
            meeting=data.get("meeting") or "",
            vote=data.get("vote"),
            outcome=data.get("outcome") or "",
            note=data.get("note") or "",
            actor=actor,
        )
    elif action == "publish":
        decision_services.decision_publish(decision=decision, actor=actor)
    elif action == "result":
        decision_services.decision_result_publish(
            decision=decision,
            text=data.get("result_text") or "",
            completed_on=data.get("completed_on"),
            actor=actor,
        )
    return Decision.objects.get(pk=decision.pk)


class DecisionCreateForm(forms.ModelForm):
    actor: Any = None

    class Meta:
        model = Decision
        fields = CREATE_FIELDS
        widgets = {"matter": forms.Textarea(attrs={"rows": 6})}

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors:
            dry_run(
                self,
                lambda: decision_services.decision_create(
                    actor=self.actor, **{f: data.get(f) for f in CREATE_FIELDS}
                ),
            )
        return data


class DecisionActionForm(forms.ModelForm):
    action = forms.ChoiceField(label=_("办理操作"), choices=ACTIONS, required=False)
    kind = forms.ChoiceField(
        label=_("环节"),
        choices=[("", "—"), *StepKind.choices],
        required=False,
        help_text=_("四个环节须按顺序记录。"),
    )
    held_on = forms.DateField(label=_("会议日期"), required=False, widget=AdminDateWidget)
    meeting = forms.ChoiceField(
        label=_("决议会议"),
        choices=[("", "—"), *ResolutionMeeting.choices],
        required=False,
        help_text=_("仅村民（代表）会议决议环节填写；关联投票时可不填。"),
    )
    expected = forms.IntegerField(label=_("应到人数"), required=False, min_value=0)
    attended = forms.IntegerField(
        label=_("实到人数"),
        required=False,
        min_value=0,
        help_text=_("党员大会须到会三分之二；村民会议须过半数，村民代表会议须三分之二。"),
    )
    vote = forms.ModelChoiceField(
        label=_("关联投票"),
        queryset=Vote.objects.none(),
        required=False,
        help_text=_(
            "决议由本村（社区）已结束的网上投票作出时选择：应到、实到和票数取自投票结果，"
            "第1个选项计为赞成，第2个选项计为反对，其余（含无效票）计为弃权。"
        ),
    )
    votes_for = forms.IntegerField(label=_("赞成"), required=False, min_value=0)
    votes_against = forms.IntegerField(label=_("反对"), required=False, min_value=0)
    abstained = forms.IntegerField(label=_("弃权"), required=False, min_value=0)
    outcome = forms.ChoiceField(
        label=_("结果"), choices=[("", "—"), *Outcome.choices], required=False
    )
    note = forms.CharField(
        label=_("会议情况"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("将向社会公开，请勿填写个人信息。"),
    )
    result_text = forms.CharField(
        label=_("实施结果"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("实施过程、完成情况、资金使用、验收结果和群众意见处理情况。"),
    )
    completed_on = forms.DateField(label=_("完成日期"), required=False, widget=AdminDateWidget)

    actor: Any = None

    class Meta:
        model = Decision
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        decision = self.instance
        if decision.pk:
            self.fields["vote"].queryset = Vote.objects.filter(
                unit_id=decision.unit_id, status=VoteStatus.CLOSED
            ).order_by("-closed_at", "-id")
            upcoming = decision_services.next_step_kind(decision)
            if upcoming is not None:
                self.fields["kind"].initial = upcoming

    def clean(self) -> dict:
        data = super().clean()
        if data.get("action") and not self.errors:
            dry_run(
                self,
                lambda: perform(Decision.objects.get(pk=self.instance.pk), self.actor, data),
                fallback="action",
                aliases={"text": "result_text"},
            )
        return data


class StepInline(ReadOnlyInline):
    """Shown to whoever may read the decision (guardian's object permissions are on units,
    so Django's model permissions say nothing here); a new one has no steps yet."""

    model = DecisionStep
    fields = [
        "kind",
        "held_on",
        "meeting",
        "expected",
        "attended",
        "votes_for",
        "votes_against",
        "abstained",
        "vote",
        "outcome",
        "note",
        "recorded_by",
        "recorded_at",
    ]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return obj is not None and permissions.can(request.user, Action.VIEW, obj)

    def get_queryset(self, request):
        # Django would ask has_view_permission without the parent and show nothing; the
        # parent was checked above and the formset narrows the rows to it.
        return self.model._default_manager.all()


@admin.register(Decision)
class DecisionAdmin(ActorForm, BackOfficeAdmin):
    list_display = ["title", "unit", "category", "status", "created_at"]
    list_filter = ["status", "category"]
    search_fields = ["title"]
    list_select_related = ["unit"]
    inlines = [StepInline]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Decision]:
        return managed(Decision.objects.all(), request.user).select_related(
            "unit", "region", "created_by", "decision_record", "result_record"
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._decision_units(request.user).exists()

    def has_change_permission(self, request: HttpRequest, obj: Decision | None = None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return can_run_decisions(request.user, obj.unit)

    @staticmethod
    def _decision_units(user):
        return editable_units(user).filter(kind__in=DECISION_UNIT_KINDS, is_active=True)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = self._decision_units(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = DecisionActionForm if obj is not None else DecisionCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Decision | None = None) -> list[str]:
        if obj is None:
            return []
        return [
            *CREATE_FIELDS,
            "region",
            "status",
            "next_step",
            "decision_disclosure",
            "result_disclosure",
            "created_by",
            "created_at",
        ]

    def get_fieldsets(self, request: HttpRequest, obj: Decision | None = None) -> list:
        if obj is None:
            return [(None, {"fields": CREATE_FIELDS})]
        fieldsets = [(None, {"fields": self.get_readonly_fields(request, obj)})]
        if can_run_decisions(request.user, obj.unit):
            fieldsets += [
                (_("办理"), {"fields": ["action"]}),
                (
                    _("记录下一个环节"),
                    {
                        "fields": STEP_FORM_FIELDS,
                        "description": _("选择“记录下一个环节”时填写。"),
                    },
                ),
                (
                    _("实施结果公开"),
                    {
                        "fields": ["result_text", "completed_on"],
                        "description": _("决议公开发布后，选择“公开实施结果”时填写。"),
                    },
                ),
            ]
        return fieldsets

    @admin.display(description=_("下一个环节"))
    def next_step(self, decision: Decision) -> str:
        upcoming = decision_services.next_step_kind(decision)
        if decision.status != "in_progress" or upcoming is None:
            return "—"
        return StepKind(upcoming).label

    def _disclosure(self, record) -> str:
        state = disclosure_of(record)
        if record is None:
            return state.state_label
        return format_html(
            '<a href="{}">{}</a>（{}）',
            reverse("admin:disclosure_record_change", args=[record.pk]),
            record.title,
            record.get_status_display(),
        )

    @admin.display(description=_("决议公开"))
    def decision_disclosure(self, decision: Decision) -> str:
        return self._disclosure(decision.decision_record)

    @admin.display(description=_("实施结果公开"))
    def result_disclosure(self, decision: Decision) -> str:
        return self._disclosure(decision.result_record)

    def save_model(self, request: HttpRequest, obj: Decision, form: Any, change: bool) -> None:
        """The form ran the service in a savepoint; here it runs for real."""
        data = form.cleaned_data
        if change:
            perform(Decision.objects.get(pk=obj.pk), request.user, data)
            return
        created = decision_services.decision_create(
            actor=request.user, **{field: data.get(field) for field in CREATE_FIELDS}
        )
        obj.pk = created.pk


# --- Meetings ----------------------------------------------------------------------------

MEETING_FORM_FIELDS = ["unit", *meeting_services.MEETING_FIELDS]


class MeetingForm(forms.ModelForm):
    publish = forms.BooleanField(
        label=_("公开本会议记录"),
        required=False,
        help_text=_("公开后参会人员姓名只显示姓氏；会议记录不能再修改，问题的跟进情况仍可更新。"),
    )

    actor: Any = None

    class Meta:
        model = Meeting
        fields = MEETING_FORM_FIELDS
        widgets = {
            "attendees": forms.Textarea(attrs={"rows": 4}),
            "summary": forms.Textarea(attrs={"rows": 6}),
        }

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        meeting = self.instance
        if meeting.pk is None:

            def run():
                created = meeting_services.meeting_create(
                    actor=self.actor,
                    issues=[],
                    **{f: data.get(f) for f in MEETING_FORM_FIELDS},
                )
                if data.get("publish"):
                    meeting_services.meeting_publish(meeting=created, actor=self.actor)

        else:

            def run():
                stored = Meeting.objects.get(pk=meeting.pk)
                changes = {
                    f: data[f] for f in self.changed_data if f in meeting_services.MEETING_FIELDS
                }
                if changes:
                    meeting_services.meeting_update(meeting=stored, actor=self.actor, **changes)
                if data.get("publish"):
                    meeting_services.meeting_publish(meeting=stored, actor=self.actor)

        dry_run(self, run, fallback="publish" if "publish" in self.fields else None)
        return data


class _IssueFormSet(BaseInlineFormSet):
    actor: Any = None

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "meeting": self.instance, "actor": self.actor}


class _IssueForm(forms.ModelForm):
    """An issue's row, checked by the meeting services as `actor`."""

    def __init__(self, *args: Any, meeting: Meeting, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting, self.actor = meeting, actor
        # The service says what is missing, in its own words.
        for name in ("text", "follow_up"):
            if name in self.fields:
                self.fields[name].required = False


class IssueFollowUpForm(_IssueForm):
    """Follow up an issue already recorded (its text and raiser stay as minuted)."""

    class Meta:
        model = MeetingIssue
        fields = ["follow_up", "due_on", "resolved_on", "resolution"]
        widgets = {"resolution": forms.Textarea(attrs={"rows": 2, "cols": 30})}

    def update(self, actor: Any) -> MeetingIssue:
        data = self.cleaned_data
        return meeting_services.meeting_issue_update(
            issue=MeetingIssue.objects.get(pk=self.instance.pk),
            follow_up=data.get("follow_up") or "",
            due_on=data.get("due_on"),
            resolved_on=data.get("resolved_on"),
            resolution=data.get("resolution") or "",
            actor=actor,
        )

    def clean(self) -> dict:
        data = super().clean()
        if self.instance.pk and self.has_changed() and not self.errors:
            dry_run(self, lambda: self.update(self.actor))
        return data


class NewIssueForm(_IssueForm):
    """An issue raised at the meeting, added now."""

    class Meta:
        model = MeetingIssue
        fields = ["text", "raised_by", "follow_up", "due_on"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 40})}

    def issue_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "text": data.get("text") or "",
            "raised_by": data.get("raised_by") or "",
            "follow_up": data.get("follow_up") or "",
            "due_on": data.get("due_on"),
        }

    def clean(self) -> dict:
        data = super().clean()
        if not self.has_changed() or self.errors:
            return data
        if self.meeting.pk:
            dry_run(
                self,
                lambda: meeting_services.meeting_issue_add(
                    meeting=Meeting.objects.get(pk=self.meeting.pk),
                    actor=self.actor,
                    **self.issue_data(),
                ),
            )
        else:
            # The meeting is being created in the same form: check against its date.
            issue = {
                k: (v.strip() if isinstance(v, str) else v) for k, v in self.issue_data().items()
            }
            errors = meeting_services.issue_errors(**issue, held_on=self.meeting.held_on)
            for field, messages in errors.items():
                for message in messages:
                    self.add_error(field, message)
        return data


class IssueFollowUpFormSet(_IssueFormSet):
    pass


class NewIssueFormSet(_IssueFormSet):
    pass


class _IssueInlineBase(ActorFormSet, admin.TabularInline):
    model = MeetingIssue
    extra = 0

    def get_queryset(self, request):
        # As for the steps: the parent meeting decides who sees its issues.
        return MeetingIssue.objects.order_by("seq")

    def has_view_permission(self, request, obj=None):
        return obj is None or permissions.can(request.user, Action.VIEW, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class IssueInline(_IssueInlineBase):
    form = IssueFollowUpForm
    formset = IssueFollowUpFormSet
    fields = ["seq", "text", "raised_by", "follow_up", "due_on", "resolved_on", "resolution"]
    readonly_fields = ["seq", "text", "raised_by"]
    verbose_name = _("会议议题")
    verbose_name_plural = _("反映的问题及跟进情况")

    def has_view_permission(self, request, obj=None):
        # Nothing to follow up on a meeting not yet recorded.
        return obj is not None and permissions.can(request.user, Action.VIEW, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is not None and can_keep_meetings(request.user, obj.unit)


class NewIssueInline(_IssueInlineBase):
    form = NewIssueForm
    formset = NewIssueFormSet
    fields = ["text", "raised_by", "follow_up", "due_on"]
    verbose_name = _("新增问题")
    verbose_name_plural = _("新增反映的问题")

    def get_queryset(self, request):
        return MeetingIssue.objects.none()

    def get_extra(self, request, obj=None, **kwargs):
        return 3 if obj is None else 1

    def has_add_permission(self, request, obj=None):
        if obj is None:
            return MeetingAdmin.meeting_units(request.user).exists()
        return can_keep_meetings(request.user, obj.unit)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_view_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


@admin.register(Meeting)
class MeetingAdmin(ActorForm, BackOfficeAdmin):
    form = MeetingForm
    list_display = ["title", "unit", "kind", "held_on", "published_at"]
    list_filter = ["kind"]
    search_fields = ["title"]
    list_select_related = ["unit"]
    date_hierarchy = "held_on"
    inlines = [IssueInline, NewIssueInline]
    show_full_result_count = False

    @staticmethod
    def meeting_units(user):
        return editable_units(user).filter(kind__in=MEETING_UNIT_KINDS, is_active=True)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Meeting]:
        return managed(Meeting.objects.all(), request.user).select_related("unit", "created_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.meeting_units(request.user).exists()

    def has_change_permission(self, request: HttpRequest, obj: Meeting | None = None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return can_keep_meetings(request.user, obj.unit)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = self.meeting_units(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Meeting | None = None) -> list[str]:
        if obj is None:
            return []
        fixed = ["unit", "created_by", "created_at", "published_at"]
        if obj.published_at is not None:
            fixed = [*MEETING_FORM_FIELDS, "created_by", "created_at", "published_at"]
        return fixed

    def get_fields(self, request: HttpRequest, obj: Meeting | None = None) -> list[str]:
        fields = list(MEETING_FORM_FIELDS)
        if obj is not None:
            fields += ["created_by", "created_at", "published_at"]
        if obj is None or (obj.published_at is None and can_keep_meetings(request.user, obj.unit)):
            fields.append("publish")
        return fields

    def save_model(self, request: HttpRequest, obj: Meeting, form: Any, change: bool) -> None:
        """A change of the meeting's own fields; a new meeting is created in
        save_related, together with the issues typed below it."""
        if not change:
            return
        changes = {
            f: form.cleaned_data[f]
            for f in form.changed_data
            if f in meeting_services.MEETING_FIELDS
        }
        if changes:
            meeting_services.meeting_update(
                meeting=Meeting.objects.get(pk=obj.pk), actor=request.user, **changes
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: list, change: bool) -> None:
        user, data = request.user, form.cleaned_data
        follow_ups = [f for f in formsets if isinstance(f, IssueFollowUpFormSet)]
        new_sets = [f for f in formsets if isinstance(f, NewIssueFormSet)]
        new_forms = [f for fs in new_sets for f in fs.forms if f.has_changed()]
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if not change:
            meeting = meeting_services.meeting_create(
                actor=user,
                issues=[f.issue_data() for f in new_forms],
                **{f: data.get(f) for f in MEETING_FORM_FIELDS},
            )
            form.instance.pk = meeting.pk
            if new_sets:
                new_sets[0].new_objects = list(meeting.issues.all())
        else:
            meeting = Meeting.objects.get(pk=form.instance.pk)
            for formset in follow_ups:
                for issue_form in formset.forms:
                    if issue_form.instance.pk and issue_form.has_changed():
                        issue = issue_form.update(user)
                        formset.changed_objects.append((issue, issue_form.changed_data))
            for issue_form in new_forms:
                added = meeting_services.meeting_issue_add(
                    meeting=meeting, actor=user, **issue_form.issue_data()
                )
                new_sets[0].new_objects.append(added)
        if data.get("publish"):
            meeting_services.meeting_publish(meeting=meeting, actor=user)
