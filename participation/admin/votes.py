"""Back office of votes: officials of a unit draft a vote with its options, publish it,
cancel it with a public reason, enter and void the paper ballots counted at meetings, and
keep their voting bodies' member lists. Supervisors read their subtree's votes.

Every write goes through participation.services.votes. Each form first runs the service
in a savepoint and rolls it back (portal.admin.trial_run), so a refusal becomes a form
error beside the field it concerns and nothing the official typed is lost;
`save_model`/`save_related` then run it for real. The tally is shown only when
`results_visible` allows it, as on the public page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from participation.admin.common import editable_units, edits_any_unit
from participation.models import (
    BodyMember,
    PaperBatch,
    PaperCount,
    Vote,
    VoteOption,
    VoteStatus,
    VotingBody,
)
from participation.permissions import can_manage, managed
from participation.selectors import votes as selectors
from participation.services import votes as services
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
from portal.permissions import Action

# ---------------------------------------------------------------------------
# Votes

DRAFT_ACTIONS = [("", _("仅保存草稿")), ("publish", _("保存并发布"))]
PUBLISHED_ACTIONS = [
    ("", _("不操作")),
    ("cancel", _("取消投票（须公开说明原因）")),
    ("close", _("结束投票并公布结果（截止后）")),
]


class OptionForm(forms.ModelForm):
    seq = forms.IntegerField(label=_("序号"), required=False, min_value=1, max_value=999)

    class Meta:
        model = VoteOption
        fields = ["seq", "text"]


class OptionFormSet(BaseInlineFormSet):
    def option_texts(self) -> list[str]:
        """The options typed, in the order of their numbers (then as listed)."""
        rows = []
        for index, form in enumerate(self.forms):
            data = getattr(form, "cleaned_data", None)
            if not data or (self.can_delete and self._should_delete_form(form)):
                continue
            if (data.get("text") or "").strip():
                rows.append((data.get("seq") or 999, index, data["text"]))
        return [text for _seq, _index, text in sorted(rows)]


# The vote form reads the options inline from the same POST to try everything at once.
OptionsFromPost = inlineformset_factory(
    Vote, VoteOption, form=OptionForm, formset=OptionFormSet, extra=0, can_delete=True
)


def _save_vote(
    actor: Any, vote: Vote | None, data: dict[str, Any], options: list[str] | None
) -> Vote:
    """Create or change a draft, then publish it when asked; or act on a published vote."""
    fields = {name: data[name] for name in services.EDITABLE_FIELDS if name in data}
    if vote is None:
        vote = services.vote_create(unit=data["unit"], actor=actor, options=options, **fields)
    elif vote.status == VoteStatus.DRAFT:
        vote = services.vote_update(vote=vote, actor=actor, options=options, **fields)
    action = data.get("workflow")
    if action == "publish":
        vote = services.vote_publish(vote=vote, actor=actor)
    elif action == "cancel":
        vote = services.vote_cancel(vote=vote, actor=actor, reason=data.get("workflow_note", ""))
    elif action == "close":
        vote = services.vote_close(vote=vote, actor=actor)
    return vote


class VoteForm(ServiceValidated, forms.ModelForm):
    workflow = forms.ChoiceField(label=_("操作"), choices=DRAFT_ACTIONS, required=False)
    workflow_note = forms.CharField(
        label=_("取消原因"),
        required=False,
        max_length=300,
        help_text=_("取消投票时填写，将向公众公开。"),
    )

    actor: Any = None  # set by VoteAdmin.get_form

    class Meta:
        model = Vote
        fields = ["unit", *services.EDITABLE_FIELDS]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.status == VoteStatus.PUBLISHED:
            self.fields["workflow"].choices = PUBLISHED_ACTIONS

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        vote = Vote.objects.get(pk=self.instance.pk) if self.instance.pk else None
        options = None
        if vote is None or vote.status == VoteStatus.DRAFT:
            inline = OptionsFromPost(self.data, instance=vote or Vote(), prefix="options")
            if not inline.is_valid():
                return data  # the inline shows its own errors
            options = inline.option_texts()
        dry_run(
            self,
            lambda: _save_vote(self.actor, vote, data, options),
            refusal_field="workflow" if data.get("workflow") else None,
            aliases={"reason": "workflow_note"},
        )
        return data


class OptionInline(ReadWithParent, admin.TabularInline):
    model = VoteOption
    form = OptionForm
    formset = OptionFormSet
    fields = ["seq", "text"]
    extra = 0
    verbose_name = _("选项")
    verbose_name_plural = _("选项（按序号排列；发布后不能再改）")

    def _draft(self, request: HttpRequest, obj: Vote | None) -> bool:
        if obj is None:
            return edits_any_unit(request)
        return obj.status == VoteStatus.DRAFT and can_manage(request.user, obj)

    def get_extra(self, request, obj=None, **kwargs):
        return 3 if obj is None else 1 if self._draft(request, obj) else 0

    def has_add_permission(self, request, obj=None):
        return self._draft(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._draft(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._draft(request, obj)


class PaperBatchInline(ReadWithParent, ReadOnlyInline):
    model = PaperBatch
    fields = ["batch_link", "counted_on", "ballots", "invalid", "note", "voided_at"]
    readonly_fields = fields
    verbose_name_plural = _("已录入的纸质选票")

    @admin.display(description=_("批次"))
    def batch_link(self, batch: PaperBatch) -> str:
        url = reverse("admin:participation_paperbatch_change", args=[batch.pk])
        return format_html('<a href="{}">{}</a>', url, batch.pk)


@admin.register(Vote)
class VoteAdmin(ActorForm, BackOfficeAdmin):
    form = VoteForm
    list_display = ["title", "unit", "status", "phase_label", "opens_at", "closes_at"]
    list_filter = ["status", "eligibility"]
    search_fields = ["title", "unit__name"]
    list_select_related = ["unit"]
    raw_id_fields = ["electorate_region"]
    date_hierarchy = "opens_at"
    show_full_result_count = False
    LIFECYCLE = [
        "status",
        "published_at",
        "cancelled_at",
        "cancel_reason",
        "closed_at",
        "eligible_count",
        "created_by",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Vote]:
        return managed(Vote.objects.all(), request.user).select_related("unit")

    def get_inlines(self, request, obj):
        return [OptionInline, PaperBatchInline] if obj is not None else [OptionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return edits_any_unit(request)

    def has_change_permission(self, request: HttpRequest, obj: Vote | None = None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return obj.status in (VoteStatus.DRAFT, VoteStatus.PUBLISHED) and can_manage(
            request.user, obj
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Vote | None = None) -> list[str]:
        if obj is None:
            return []
        fixed = ["unit", *self.LIFECYCLE, "tally", "paper_entry"]
        if obj.status != VoteStatus.DRAFT or not can_manage(request.user, obj):
            fixed += list(services.EDITABLE_FIELDS)
        return fixed

    def get_fieldsets(self, request: HttpRequest, obj: Vote | None = None):
        sets = [
            (None, {"fields": ["unit", "title", "description"]}),
            (
                _("投票方式"),
                {"fields": ["multiple", "max_choices", "secret", "results_live", "allow_change"]},
            ),
            (_("参与范围"), {"fields": ["eligibility", "electorate_region", "body"]}),
            (_("参与率要求"), {"fields": ["quorum", "quorum_count", "registered_count"]}),
            (_("投票时间"), {"fields": ["opens_at", "closes_at"]}),
        ]
        if obj is not None:
            sets.append((_("状态与结果"), {"fields": [*self.LIFECYCLE, "tally", "paper_entry"]}))
        if self.has_change_permission(request, obj):
            sets.append((_("操作"), {"fields": ["workflow", "workflow_note"]}))
        return sets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = editable_units(request.user)
        if db_field.name == "body":
            kwargs["queryset"] = VotingBody.objects.filter(
                unit__in=editable_units(request.user).values("pk")
            ).select_related("unit")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("阶段"))
    def phase_label(self, vote: Vote) -> str:
        if vote.status != VoteStatus.PUBLISHED:
            return vote.get_status_display()
        return selectors.phase_of(vote).label

    @admin.display(description=_("计票结果"))
    def tally(self, vote: Vote) -> str:
        results = selectors.vote_results(vote)
        if results is None:
            if vote.status == VoteStatus.CANCELLED:
                return _("投票已取消，不公布计票结果。")
            return _("结果将在投票截止后公布（本投票未设实时公布）。")
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((o.text, o.online, o.paper, o.total) for o in results.options),
        )
        rate = "—" if results.turnout_rate is None else f"{results.turnout_rate}%"
        met = _("已达到") if results.quorum_met else _("未达到")
        return format_html(
            "<table><caption>{}</caption><thead><tr><th scope='col'>{}</th><th scope='col'>{}"
            "</th><th scope='col'>{}</th><th scope='col'>{}</th></tr></thead><tbody>{}</tbody>"
            "</table><p>{}</p>",
            _("最终结果") if results.final else _("实时计票"),
            _("选项"),
            _("网上"),
            _("纸质"),
            _("合计"),
            rows,
            _(
                "参与 %(turnout)d 人（网上 %(online)d，纸质 %(paper)d，其中纸质无效 %(invalid)d）；"
                "有投票资格 %(eligible)s 人；参与率 %(rate)s；参与率要求：%(met)s。"
            )
            % {
                "turnout": results.turnout,
                "online": results.online_ballots,
                "paper": results.paper_ballots,
                "invalid": results.paper_invalid,
                "eligible": "—" if results.eligible is None else results.eligible,
                "rate": rate,
                "met": met,
            },
        )

    @admin.display(description=_("纸质选票"))
    def paper_entry(self, vote: Vote) -> str:
        if vote.status != VoteStatus.PUBLISHED:
            return _("只有已发布、尚未结束的投票可以录入纸质选票。")
        url = reverse("admin:participation_paperbatch_add") + f"?vote={vote.pk}"
        return format_html('<a href="{}">{}</a>', url, _("录入会议现场计票的纸质选票"))

    def save_model(self, request: HttpRequest, obj: Vote, form: VoteForm, change: bool) -> None:
        """Nothing here: the options come with the inline, so everything is saved at once
        in save_related, through the services."""

    def save_related(self, request: HttpRequest, form: VoteForm, formsets, change: bool) -> None:
        data = form.cleaned_data
        vote = Vote.objects.get(pk=form.instance.pk) if change else None
        options = None
        for formset in formsets:
            draft = vote is None or vote.status == VoteStatus.DRAFT
            if isinstance(formset, OptionFormSet) and draft:
                options = formset.option_texts()
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        saved = _save_vote(request.user, vote, data, options)
        form.instance.pk = saved.pk


# ---------------------------------------------------------------------------
# Paper ballots


def _paper_votes(user: Any) -> QuerySet[Vote]:
    """Votes whose paper ballots this official may enter: published, of their units."""
    return Vote.objects.filter(
        status=VoteStatus.PUBLISHED, unit__in=editable_units(user).values("pk")
    ).select_related("unit")


def _count_field(option: VoteOption) -> str:
    return f"count_{option.pk}"


class PaperBatchForm(ServiceValidated, forms.ModelForm):
    """Entering a batch. The per-option count fields are added by PaperBatchAdmin for the
    vote chosen (from ?vote= or the posted form)."""

    actor: Any = None
    chosen: Vote | None = None

    class Meta:
        model = PaperBatch
        fields = ["vote", "counted_on", "ballots", "invalid", "note"]

    def counts(self) -> dict[int, int | None]:
        if self.chosen is None:
            return {}
        return {
            option.pk: self.cleaned_data.get(_count_field(option))
            for option in self.chosen.options.all()
        }

    def enter(self, actor: Any) -> PaperBatch:
        data = self.cleaned_data
        return services.paper_batch_enter(
            vote=data["vote"],
            counted_on=data["counted_on"],
            ballots=data["ballots"],
            invalid=data["invalid"],
            counts=self.counts(),
            note=data["note"],
            actor=actor,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        vote = data["vote"]
        if self.chosen is None or vote.pk != self.chosen.pk:
            self.add_error(None, _("请填写所选投票各选项的得票数后再保存。"))
            return data
        dry_run(self, lambda: self.enter(self.actor))
        return data


class PaperVoidForm(forms.ModelForm):
    void = forms.BooleanField(label=_("作废此批次"), required=False)

    actor: Any = None

    class Meta:
        model = PaperBatch
        fields = ["void_reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("void") and not self.errors:
            batch = PaperBatch.objects.select_related("vote").get(pk=self.instance.pk)
            dry_run(
                self,
                lambda: services.paper_batch_void(
                    batch=batch, reason=data.get("void_reason", ""), actor=self.actor
                ),
                refusal_field="void",
                aliases={"reason": "void_reason"},
            )
        return data


class PaperCountInline(ReadWithParent, ReadOnlyInline):
    model = PaperCount
    fields = ["option", "count"]
    readonly_fields = fields


@admin.register(PaperBatch)
class PaperBatchAdmin(ActorForm, BackOfficeAdmin):
    list_display = ["vote", "counted_on", "ballots", "invalid", "entered_by", "voided_at"]
    list_filter = ["counted_on"]
    search_fields = ["vote__title", "note"]
    list_select_related = ["vote", "entered_by"]
    show_full_result_count = False
    SHOWN = [
        "vote",
        "counted_on",
        "ballots",
        "invalid",
        "note",
        "entered_by",
        "entered_at",
        "voided_at",
        "voided_by",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PaperBatch]:
        batches = PaperBatch.objects.select_related("vote", "vote__unit", "entered_by")
        return permissions.scope_queryset(
            batches, request.user, Action.VIEW, unit_field="vote__unit"
        )

    def has_view_permission(self, request: HttpRequest, obj: PaperBatch | None = None) -> bool:
        if obj is None:
            return permissions.is_back_office_user(request.user)
        return permissions.can(request.user, Action.VIEW, obj.vote)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return edits_any_unit(request)

    def has_change_permission(self, request: HttpRequest, obj: PaperBatch | None = None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return (
            obj.voided_at is None
            and obj.vote.status == VoteStatus.PUBLISHED
            and can_manage(request.user, obj.vote)
        )

    def get_inlines(self, request, obj):
        return [PaperCountInline] if obj is not None else []

    def _chosen(self, request: HttpRequest) -> Vote | None:
        value = request.POST.get("vote") or request.GET.get("vote") or ""
        if not value.isdigit():
            return None
        return _paper_votes(request.user).prefetch_related("options").filter(pk=value).first()

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = PaperVoidForm
            kwargs["fields"] = ["void_reason", "void"]
            return super().get_form(request, obj, change=change, **kwargs)
        chosen = self._chosen(request)
        counts = {}
        for option in chosen.options.all() if chosen else []:
            counts[_count_field(option)] = forms.IntegerField(
                label=option.text, min_value=0, required=False
            )
        kwargs["form"] = type("PaperEntryForm", (PaperBatchForm,), {"chosen": chosen, **counts})
        kwargs["fields"] = [*PaperBatchForm.Meta.fields, *counts]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("counted_on", timezone.localdate())
        return initial

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*self.SHOWN, "void_reason"] if obj.voided_at else self.SHOWN

    def get_fieldsets(self, request: HttpRequest, obj: PaperBatch | None = None):
        if obj is not None:
            sets = [(None, {"fields": self.SHOWN})]
            if obj.voided_at:
                sets.append((_("作废"), {"fields": ["void_reason"]}))
            elif self.has_change_permission(request, obj):
                sets.append(
                    (
                        _("作废（录错时作废本批次，再重新录入）"),
                        {"fields": ["void", "void_reason"]},
                    )
                )
            return sets
        chosen = self._chosen(request)
        sets = [
            (
                None,
                {
                    "fields": ["vote", "counted_on", "ballots", "invalid", "note"],
                    "description": _(
                        "先选择投票并保存，随后按选项填写得票数；也可从投票页面的"
                        "“录入纸质选票”链接进入。"
                    ),
                },
            )
        ]
        if chosen is not None:
            sets.append(
                (
                    _("各选项得票数（没有得票填0）"),
                    {"fields": [_count_field(o) for o in chosen.options.all()]},
                )
            )
        return sets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "vote":
            kwargs["queryset"] = _paper_votes(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: PaperBatch, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            if data.get("void"):
                services.paper_batch_void(
                    batch=PaperBatch.objects.get(pk=obj.pk),
                    reason=data.get("void_reason", ""),
                    actor=request.user,
                )
            return
        batch = form.enter(request.user)
        obj.pk = batch.pk

    def save_related(self, request, form, formsets, change):
        """The counts were written by paper_batch_enter; the inline is read-only."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


# ---------------------------------------------------------------------------
# Voting bodies


class BodyMemberForm(ServiceValidated, forms.ModelForm):
    """A new row adds a member; on a current member only the end date may be set."""

    class Meta:
        model = BodyMember
        fields = ["user", "name", "role", "started_on", "ended_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("user", "name", "role", "started_on"):
                self.fields[name].disabled = True
            if self.instance.ended_on is not None:
                self.fields["ended_on"].disabled = True
        else:
            self.fields["started_on"].required = False
            self.fields["ended_on"].disabled = True


def _apply_member(form: BodyMemberForm, body: VotingBody, actor: Any) -> BodyMember | None:
    data = form.cleaned_data
    if form.instance.pk is None:
        return services.body_member_add(
            body=body,
            user=data.get("user"),
            name=data.get("name", ""),
            role=data.get("role", ""),
            started_on=data.get("started_on"),
            actor=actor,
        )
    if "ended_on" in form.changed_data and data.get("ended_on"):
        return services.body_member_end(
            member=form.instance, ended_on=data["ended_on"], actor=actor
        )
    return None


class MemberFormSet(BaseInlineFormSet):
    actor: Any = None  # set by BodyMemberInline.get_formset

    def _changes(self) -> list[BodyMemberForm]:
        return [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None) and form.has_changed()
        ]

    def clean(self) -> None:
        """Try each change in a savepoint; a refusal lands on its row."""
        super().clean()
        if any(form.errors for form in self.forms) or not self._changes():
            return
        body = self.instance
        try:
            with transaction.atomic():
                if body.pk is None:
                    body = services.body_create(
                        unit=body.unit, name=body.name, kind=body.kind, actor=self.actor
                    )
                for form in self._changes():
                    dry_run(form, lambda form=form: _apply_member(form, body, self.actor))
                raise RollBack
        except (RollBack, ValidationError, VotingBody.unit.RelatedObjectDoesNotExist):
            # A body that cannot be created is the body form's to explain.
            pass


class BodyMemberInline(ActorFormSet, ReadWithParent, admin.TabularInline):
    model = BodyMember
    form = BodyMemberForm
    formset = MemberFormSet
    fields = ["user", "name", "role", "started_on", "ended_on"]
    raw_id_fields = ["user"]
    extra = 1
    can_delete = False
    verbose_name_plural = _("成员（离任时填写离任日期，记录保留）")

    def _manages(self, request: HttpRequest, obj: VotingBody | None) -> bool:
        if obj is None:
            return edits_any_unit(request)
        return can_manage(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return self._manages(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class VotingBodyForm(forms.ModelForm):
    actor: Any = None

    class Meta:
        model = VotingBody
        fields = ["unit", "name", "kind"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.instance.pk is None and not self.errors:
            dry_run(
                self,
                lambda: services.body_create(
                    unit=data["unit"], name=data["name"], kind=data["kind"], actor=self.actor
                ),
            )
        return data


@admin.register(VotingBody)
class VotingBodyAdmin(ActorForm, BackOfficeAdmin):
    form = VotingBodyForm
    inlines = [BodyMemberInline]
    list_display = ["name", "kind", "unit", "region"]
    list_filter = ["kind"]
    search_fields = ["name", "unit__name"]
    list_select_related = ["unit", "region"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[VotingBody]:
        return managed(VotingBody.objects.all(), request.user).select_related("unit", "region")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return edits_any_unit(request)

    def has_change_permission(self, request: HttpRequest, obj: VotingBody | None = None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return can_manage(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        # A body keeps its unit, name and kind; its members change.
        return ["unit", "name", "kind", "region", "created_at"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = editable_units(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj: VotingBody, form, change: bool) -> None:
        if not change:
            data = form.cleaned_data
            body = services.body_create(
                unit=data["unit"], name=data["name"], kind=data["kind"], actor=request.user
            )
            obj.pk = body.pk

    def save_related(self, request, form, formsets, change: bool) -> None:
        body = VotingBody.objects.get(pk=form.instance.pk)
        for formset in formsets:
            added, changed = [], []
            for member_form in formset._changes():
                member = _apply_member(member_form, body, request.user)
                if member is not None:
                    (changed if member_form.instance.pk else added).append((member, ["ended_on"]))
            formset.new_objects = [member for member, _fields in added]
            formset.changed_objects = changed
            formset.deleted_objects = []
