"""Back office of solicitations: the unit's officials draft, publish, attach files,
moderate opinions, group them after the window and publish the feedback report;
supervisors of the place read. Every write goes through
participation.services.solicitations; the forms first run the same services in a
savepoint and roll back, so a refusal becomes a form error and nothing typed is lost."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from participation.admin.common import editable_units, edits_any_unit
from participation.models import (
    Opinion,
    OpinionGroup,
    OpinionStatus,
    Phase,
    Solicitation,
    SolicitationStatus,
)
from participation.permissions import can_manage, can_read_back_office
from participation.selectors import solicitations as selectors
from participation.services import solicitations as services
from portal import permissions
from portal import uploads as files
from portal.admin import ActorForm, BackOfficeAdmin, dry_run
from portal.services.errors import DomainError
from portal.templatetags.portal_tags import rich_text

MODEL_FIELDS = ["unit", "title", "summary", "body", "opens_at", "closes_at"]
WORKFLOW = {
    "publish": _("发布（到开始时间后接收意见）"),
    "withdraw": _("撤回（须填写原因，原因向公众公开）"),
    "report": _("发布意见采纳情况反馈（征集截止后；公开的意见须全部归类）"),
}


def _grouping_open(solicitation: Solicitation) -> bool:
    return (
        solicitation.status == SolicitationStatus.PUBLISHED and solicitation.phase() == Phase.ENDED
    )


# --- Solicitation ------------------------------------------------------------------------


class OpinionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, opinion: Opinion) -> str:
        return f"#{opinion.pk} {opinion.author_name}：{Truncator(opinion.text).chars(80)}"


class GroupForm(forms.ModelForm):
    opinions = OpinionChoiceField(
        label=_("归入的意见"),
        queryset=Opinion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("勾选这一类的意见；已在其他归类中的意见会移到这里。"),
    )

    class Meta:
        model = OpinionGroup
        fields = ["summary", "adoption", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, solicitation: Solicitation | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.solicitation = solicitation
        if "opinions" in self.fields and solicitation is not None and solicitation.pk:
            self.fields["opinions"].queryset = Opinion.objects.filter(
                solicitation=solicitation, status=OpinionStatus.PUBLISHED
            ).order_by("created_at", "id")
            if self.instance.pk:
                self.initial["opinions"] = list(
                    self.instance.opinions.filter(status=OpinionStatus.PUBLISHED).values_list(
                        "pk", flat=True
                    )
                )

    def clean(self) -> dict:
        data = super().clean()
        if self.solicitation is None or self.errors or data.get("DELETE"):
            return data
        errors = services.group_errors(
            solicitation=self.solicitation,
            summary=data.get("summary", ""),
            adoption=data.get("adoption", ""),
            reason=data.get("reason", ""),
            opinions=data.get("opinions") or [],
        )
        for field, messages_ in errors.items():
            for message in messages_:
                self.add_error(field if field in self.fields else None, message)
        return data


class GroupFormSet(BaseInlineFormSet):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # The solicitation's form runs its trial with these groups applied first, so a
        # report published in the same save sees them (SolicitationForm.clean).
        self.instance._group_formset = self

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "solicitation": self.instance}


def save_groups(solicitation: Solicitation, actor: Any, formset: GroupFormSet) -> None:
    """Apply the inline's groups through the services (created, changed, deleted)."""
    deleted = set(formset.deleted_forms)
    for form in formset.forms:
        group = form.instance
        if form in deleted:
            if group.pk:
                services.group_delete(group=group, actor=actor)
            continue
        if not form.has_changed():
            continue
        data = form.cleaned_data
        fields = {
            "summary": data.get("summary", ""),
            "adoption": data.get("adoption", ""),
            "reason": data.get("reason", ""),
            "opinions": list(data.get("opinions") or []),
        }
        try:
            if group.pk:
                services.group_update(group=group, actor=actor, **fields)
            else:
                services.group_create(solicitation=solicitation, actor=actor, **fields)
        except ValidationError as exc:
            if isinstance(exc, DomainError):
                raise
            raise ValidationError({"groups": exc.messages}) from None


def perform(
    pk: int | None,
    actor: Any,
    data: dict[str, Any],
    groups: GroupFormSet | None = None,
    *,
    trial: bool = False,
) -> Solicitation:
    """Everything one save of the form asks for, in order: the draft, the attachment,
    the groups, then the workflow step. In a trial the file is only checked, not stored."""
    if pk is None:
        solicitation = services.solicitation_create(
            unit=data.get("unit"),
            title=data.get("title", ""),
            summary=data.get("summary", ""),
            body=data.get("body", ""),
            opens_at=data.get("opens_at"),
            closes_at=data.get("closes_at"),
            actor=actor,
        )
    else:
        solicitation = Solicitation.objects.select_related("unit").get(pk=pk)
        changes = {f: data[f] for f in services.EDITABLE_FIELDS if f in data}
        if changes and solicitation.status == SolicitationStatus.DRAFT:
            solicitation = services.solicitation_update(
                solicitation=solicitation, actor=actor, **changes
            )
    upload = data.get("new_attachment")
    if upload:
        content = upload.read()
        upload.seek(0)
        if trial:
            try:
                files.check_upload(
                    upload.name, content, limit=settings.PARTICIPATION_MAX_ATTACHMENT_BYTES
                )
            except ValidationError as exc:
                raise ValidationError({"attachment": exc.messages}) from None
        else:
            services.solicitation_attach(
                solicitation=solicitation, name=upload.name, data=content, actor=actor
            )
    if groups is not None:
        save_groups(solicitation, actor, groups)
    action = data.get("workflow")
    if action == "publish":
        solicitation = services.solicitation_publish(solicitation=solicitation, actor=actor)
    elif action == "withdraw":
        solicitation = services.solicitation_withdraw(
            solicitation=solicitation, actor=actor, reason=data.get("workflow_note", "")
        )
    elif action == "report":
        solicitation = services.report_publish(
            solicitation=solicitation, actor=actor, report=data.get("report_text", "")
        )
    return solicitation


class SolicitationForm(forms.ModelForm):
    workflow = forms.ChoiceField(label=_("操作"), required=False)
    workflow_note = forms.CharField(
        label=_("撤回原因"),
        required=False,
        max_length=300,
        help_text=_("撤回时必填，将在征集页面向公众公开。"),
    )
    report_text = forms.CharField(
        label=_("意见采纳情况说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("发布反馈时必填：总体说明收到的意见和采纳情况，与下方的意见归类一并公开。"),
    )
    new_attachment = forms.FileField(
        label=_("上传附件"),
        required=False,
        help_text=_("PDF、图片或 Office 文档，按文件内容识别类型，单个不超过 %(mb)d MB。")
        % {"mb": settings.PARTICIPATION_MAX_ATTACHMENT_BYTES // (1024 * 1024)},
    )

    actor: Any = None  # set by SolicitationAdmin.get_form

    class Meta:
        model = Solicitation
        fields = MODEL_FIELDS
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Declared fields the admin does not show for this status are left out entirely.
        if self._meta.fields is not None:
            for name in [n for n in self.declared_fields if n not in self._meta.fields]:
                self.fields.pop(name, None)
        if "workflow" not in self.fields:
            return
        status = self.instance.status if self.instance.pk else SolicitationStatus.DRAFT
        if status == SolicitationStatus.DRAFT:
            actions = ["publish"]
        else:
            actions = ["withdraw"]
            if _grouping_open(self.instance):
                actions.append("report")
        self.fields["workflow"].choices = [("", _("仅保存"))] + [(a, WORKFLOW[a]) for a in actions]
        if self.instance.pk and "report_text" in self.fields:
            self.fields["report_text"].initial = self.instance.report

    def clean(self) -> dict:
        """Ask the services what they would refuse, before anything is written."""
        data = super().clean()
        groups = getattr(self.instance, "_group_formset", None) if self.instance.pk else None
        if self.errors or (groups is not None and not groups.is_valid()):
            return data
        if groups is not None and not groups.has_changed():
            groups = None
        pk = self.instance.pk
        dry_run(
            self,
            lambda: perform(pk, self.actor, data, groups, trial=True),
            refusal_field="workflow" if data.get("workflow") else None,
            aliases={
                "reason": "workflow_note",
                "report": "report_text",
                "attachment": "new_attachment",
            },
        )
        return data


class GroupInline(admin.StackedInline):
    model = OpinionGroup
    form = GroupForm
    formset = GroupFormSet
    extra = 1
    verbose_name = _("意见归类")
    verbose_name_plural = _("意见归类与采纳情况（征集截止后填写，发布反馈后不能再改）")

    def _editable(self, request: HttpRequest, obj: Solicitation | None) -> bool:
        return obj is not None and _grouping_open(obj) and can_manage(request.user, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and can_read_back_office(request.user, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if self._editable(request, obj):
            return ["seq", "summary", "adoption", "reason", "opinions"]
        return ["seq", "summary", "adoption", "reason", "published_opinions"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if self._editable(request, obj):
            return ["seq"]
        return ["seq", "summary", "adoption", "reason", "published_opinions"]

    @admin.display(description=_("公开的意见数"))
    def published_opinions(self, group: OpinionGroup) -> int:
        return group.opinions.filter(status=OpinionStatus.PUBLISHED).count()


@admin.register(Solicitation)
class SolicitationAdmin(ActorForm, BackOfficeAdmin):
    form = SolicitationForm
    list_display = [
        "title",
        "unit",
        "status",
        "phase_label",
        "opens_at",
        "closes_at",
        "pending_count",
    ]
    list_filter = ["status"]
    search_fields = ["title"]
    list_select_related = ["unit", "region"]
    ordering = ["-opens_at", "-id"]
    show_full_result_count = False
    inlines = [GroupInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Solicitation]:
        return (
            selectors.solicitations_managed(request.user)
            .select_related("unit", "region", "reported_by")
            .annotate(pending=Count("opinions", filter=Q(opinions__status=OpinionStatus.PENDING)))
        )

    def view_on_site(self, obj: Solicitation) -> str | None:
        return None if obj.status == SolicitationStatus.DRAFT else obj.get_absolute_url()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return edits_any_unit(request)

    def has_change_permission(self, request: HttpRequest, obj: Solicitation | None = None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return obj.status in (
            SolicitationStatus.DRAFT,
            SolicitationStatus.PUBLISHED,
        ) and can_manage(request.user, obj)

    def has_view_permission(self, request: HttpRequest, obj: Solicitation | None = None) -> bool:
        if obj is None:
            return permissions.is_back_office_user(request.user)
        return can_read_back_office(request.user, obj)

    def get_inlines(self, request: HttpRequest, obj: Solicitation | None):
        if (
            obj is not None
            and obj.phase() == Phase.ENDED
            and obj.status
            in (
                SolicitationStatus.PUBLISHED,
                SolicitationStatus.REPORTED,
            )
        ):
            return [GroupInline]
        return []

    def get_fields(self, request: HttpRequest, obj: Solicitation | None = None) -> list[str]:
        if obj is None:
            return [*MODEL_FIELDS, "new_attachment", "workflow"]
        facts = ["status", "published_at", "opinion_counts", "moderation_link", "attachment_list"]
        if not self.has_change_permission(request, obj):
            shown = ["unit", "title", "summary", "body_preview", "opens_at", "closes_at", *facts]
            return [*shown, "withdrawn_at", "withdraw_reason", "report", "reported_at"]
        if obj.status == SolicitationStatus.DRAFT:
            return [*MODEL_FIELDS, *facts, "new_attachment", "workflow"]
        fields = ["unit", "title", "summary", "body_preview", "opens_at", "closes_at", *facts]
        fields += ["new_attachment", "workflow", "workflow_note"]
        if _grouping_open(obj):
            fields.append("report_text")
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Solicitation | None = None):
        if obj is None:
            return []
        fixed = [
            "status",
            "published_at",
            "opinion_counts",
            "moderation_link",
            "attachment_list",
            "body_preview",
            "withdrawn_at",
            "withdraw_reason",
            "report",
            "reported_at",
        ]
        if obj.status != SolicitationStatus.DRAFT or not self.has_change_permission(request, obj):
            fixed += MODEL_FIELDS
        else:
            fixed.append("unit")
        return fixed

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = editable_units(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("征集阶段"))
    def phase_label(self, obj: Solicitation) -> str:
        return selectors.badge(obj)[1]

    @admin.display(description=_("待审核意见"), ordering="pending")
    def pending_count(self, obj: Solicitation) -> int:
        return obj.pending

    @admin.display(description=_("征求意见稿"))
    def body_preview(self, obj: Solicitation) -> str:
        return rich_text(obj.body)

    @admin.display(description=_("收到的意见"))
    def opinion_counts(self, obj: Solicitation) -> str:
        counts = {
            row["status"]: row["n"]
            for row in obj.opinions.values("status").annotate(n=Count("id")).order_by()
        }
        return _(
            "共 %(total)d 条：待审核 %(pending)d，已公开 %(published)d，不予公开 %(hidden)d"
        ) % {
            "total": sum(counts.values()),
            "pending": counts.get(OpinionStatus.PENDING, 0),
            "published": counts.get(OpinionStatus.PUBLISHED, 0),
            "hidden": counts.get(OpinionStatus.HIDDEN, 0),
        }

    @admin.display(description=_("意见审核"))
    def moderation_link(self, obj: Solicitation) -> str:
        url = reverse("admin:participation_opinion_changelist")
        return format_html(
            '<a href="{}?solicitation__id__exact={}">{}</a>', url, obj.pk, _("审核本次征集的意见")
        )

    @admin.display(description=_("附件"))
    def attachment_list(self, obj: Solicitation) -> str:
        rows = [(a.original_name, a.size // 1024 or 1) for a in obj.attachments.all()]
        if not rows:
            return "—"
        return format_html_join(mark_safe("<br>"), "{}（{} KB）", rows)  # nosec B308

    def save_model(self, request: HttpRequest, obj: Solicitation, form, change: bool) -> None:
        """A new draft is created here; a change is applied with its groups in
        save_related, after the inline has been read."""
        if not change:
            created = perform(None, request.user, form.cleaned_data)
            obj.pk = created.pk

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        if not change:
            return
        groups = next((f for f in formsets if isinstance(f, GroupFormSet)), None)
        if groups is not None and not groups.has_changed():
            groups = None
        perform(form.instance.pk, request.user, form.cleaned_data, groups)

    def construct_change_message(self, request, form, formsets, add=False):
        # The groups were saved by the services (and audited there), not by formset.save().
        return super().construct_change_message(request, form, [], add)


# --- Opinion moderation ------------------------------------------------------------------

DECISIONS = [
    ("", _("不改变审核状态")),
    ("publish", _("公开")),
    ("hide", _("不予公开（须说明理由）")),
]


def moderate(pk: int, actor: Any, data: dict[str, Any], regroup: bool) -> Opinion:
    opinion = Opinion.objects.get(pk=pk)
    decision = data.get("decision")
    if decision in ("publish", "hide"):
        opinion = services.opinion_moderate(
            opinion=opinion,
            actor=actor,
            publish=decision == "publish",
            reason=data.get("reason", ""),
        )
    if regroup:
        opinion = services.opinion_assign(
            opinion=opinion, group=data.get("group_choice"), actor=actor
        )
    return opinion


class OpinionModerationForm(forms.ModelForm):
    decision = forms.ChoiceField(label=_("审核"), choices=DECISIONS, required=False)
    reason = forms.CharField(
        label=_("不予公开的理由"),
        required=False,
        max_length=300,
        help_text=_("不予公开时必填；提交人在征集页面能看到这个理由。"),
    )
    group_choice = forms.ModelChoiceField(
        label=_("归入意见归类"),
        queryset=OpinionGroup.objects.none(),
        required=False,
        help_text=_("征集截止后、发布反馈前可以归类；归类在征集的编辑页面新建。"),
    )

    actor: Any = None

    class Meta:
        model = Opinion
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if "group_choice" in self.fields:
            self.fields["group_choice"].queryset = OpinionGroup.objects.filter(
                solicitation_id=self.instance.solicitation_id
            ).order_by("seq")
            self.fields["group_choice"].initial = self.instance.group_id

    def clean(self) -> dict:
        data = super().clean()
        regroup = "group_choice" in self.changed_data
        if self.errors or not (data.get("decision") or regroup):
            return data
        dry_run(
            self,
            lambda: moderate(self.instance.pk, self.actor, data, regroup),
            refusal_field="decision" if data.get("decision") else "group_choice",
            aliases={"group": "group_choice"},
        )
        return data


@admin.register(Opinion)
class OpinionAdmin(ActorForm, BackOfficeAdmin):
    """The moderation queue: the oldest first, filtered by status."""

    form = OpinionModerationForm
    list_display = ["excerpt", "author_name", "solicitation", "status", "group_seq", "created_at"]
    list_filter = ["status"]
    search_fields = ["text", "author_name"]
    list_select_related = ["solicitation", "group"]
    ordering = ["created_at", "id"]
    show_full_result_count = False
    actions = ["publish_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Opinion]:
        return selectors.opinions_managed(request.user).select_related(
            "solicitation", "solicitation__unit", "group", "moderated_by"
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Opinion | None = None) -> bool:
        if obj is None:
            return permissions.is_back_office_user(request.user)
        return can_read_back_office(request.user, obj.solicitation)

    def has_change_permission(self, request: HttpRequest, obj: Opinion | None = None) -> bool:
        if obj is None:
            return edits_any_unit(request)
        return can_manage(request.user, obj.solicitation)

    SHOWN = [
        "solicitation",
        "author_name",
        "created_at",
        "text",
        "status",
        "hidden_reason",
        "moderated_by",
        "moderated_at",
        "group",
    ]

    def get_fields(self, request: HttpRequest, obj: Opinion | None = None) -> list[str]:
        if obj is None or not self.has_change_permission(request, obj):
            return list(self.SHOWN)
        editable = ["decision", "reason"]
        if _grouping_open(obj.solicitation):
            editable.append("group_choice")
        return [*self.SHOWN, *editable]

    def get_readonly_fields(self, request: HttpRequest, obj: Opinion | None = None) -> list[str]:
        return list(self.SHOWN)

    @admin.display(description=_("意见内容"))
    def excerpt(self, opinion: Opinion) -> str:
        return Truncator(opinion.text).chars(40)

    @admin.display(description=_("归类"), ordering="group__seq")
    def group_seq(self, opinion: Opinion) -> str:
        return str(opinion.group.seq) if opinion.group_id else "—"

    def save_model(self, request: HttpRequest, obj: Opinion, form, change: bool) -> None:
        moderate(obj.pk, request.user, form.cleaned_data, "group_choice" in form.changed_data)

    @admin.action(description=_("公开所选意见"))
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Opinion]) -> None:
        published, refused = 0, []
        already = queryset.filter(status=OpinionStatus.PUBLISHED).count()
        for opinion in queryset.exclude(status=OpinionStatus.PUBLISHED):
            try:
                services.opinion_moderate(opinion=opinion, actor=request.user, publish=True)
            except ValidationError as exc:
                refused.append(f"#{opinion.pk}：{exc.messages[0]}")
            else:
                published += 1
        if published:
            self.message_user(
                request, _("已公开 %(n)d 条意见。") % {"n": published}, messages.SUCCESS
            )
        if already:
            self.message_user(
                request, _("%(n)d 条意见原已公开，未重复操作。") % {"n": already}, messages.INFO
            )
        for line in refused:
            self.message_user(request, line, messages.ERROR)
