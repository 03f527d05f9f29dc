"""Back office of service guides (办事指南).

Officials who edit for a unit write its guides: the guide's fields, its materials and
its steps (inlines), all saved at once through services.services.guides; one choice of
the form publishes, confirms as verified or withdraws (with a reason). Before anything is
saved the form runs the change in a savepoint and rolls it back (portal.admin.dry_run),
so a refusal becomes a form error beside the field it concerns and nothing typed is lost.

Each person sees the guides of the units they may read (portal.permissions: their own
units; a supervisor the units inside their places, read only); an outsider's guides are
not in their list and do not open. The list says how many of the person's guides have
not been verified for a year, filters them ("超过一年未核验") and confirms them in bulk
("确认已核验").
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal import permissions as core
from portal.admin import ActorForm, BackOfficeAdmin, ReadWithParent, ServiceValidated, dry_run
from portal.permissions import Action
from portal.services.errors import DomainError
from services.models import GuideMaterial, GuideStatus, GuideStep, ServiceGuide
from services.selectors import guides as selectors
from services.services import guides as services

GUIDE_FIELDS = ["unit", *services.EDITABLE_FIELDS]
STATUS_FIELDS = [
    "status",
    "verified_on",
    "verification",
    "published_at",
    "withdrawn_at",
    "withdraw_reason",
    "page",
]
ACTION_LABELS = {
    "publish": _("发布"),
    "verify": _("确认已核验（内容仍然准确）"),
    "withdraw": _("撤回（须填写原因）"),
}
# Where a service's field error is shown on this form.
ALIASES = {"withdraw_reason": "reason"}


def _editable(user: Any, guide: ServiceGuide | None) -> bool:
    """The guide's own fields, materials and steps: when new, and until withdrawn, by
    the people who edit for its unit."""
    if guide is None:
        return True
    return guide.status != GuideStatus.WITHDRAWN and core.can(user, Action.EDIT, guide.unit)


def available_actions(user: Any, guide: ServiceGuide | None) -> list[str]:
    if guide is None:
        return ["publish"]
    if not core.can(user, Action.EDIT, guide.unit):
        return []
    return {
        GuideStatus.DRAFT: ["publish", "verify"],
        GuideStatus.PUBLISHED: ["verify", "withdraw"],
    }.get(guide.status, [])


def perform(
    actor: Any,
    guide: ServiceGuide | None,
    data: dict[str, Any],
    materials: list[dict[str, Any]] | None,
    steps: list[dict[str, Any]] | None,
) -> ServiceGuide:
    """Create or change the guide (with its rows) when it is editable, then take the
    chosen step."""
    fields = {name: data.get(name) for name in services.EDITABLE_FIELDS}
    if guide is None:
        guide = services.guide_create(
            unit=data.get("unit"),
            actor=actor,
            materials=materials or [],
            steps=steps or [],
            verified_on=data.get("verified_on"),
            **fields,
        )
    elif _editable(actor, guide):
        guide = services.guide_update(
            guide=guide, actor=actor, materials=materials, steps=steps, **fields
        )
    action = data.get("action")
    if action == "publish":
        guide = services.guide_publish(guide=guide, actor=actor)
    elif action == "verify":
        guide = services.guide_verify(guide=guide, actor=actor)
    elif action == "withdraw":
        guide = services.guide_withdraw(guide=guide, reason=data.get("reason") or "", actor=actor)
    return guide


# --- Materials and steps -------------------------------------------------------------


class RowsFormSet(BaseInlineFormSet):
    """An inline whose rows are handed to the service as a list, in the order of their
    numbers (then as typed); the service numbers them 1, 2, 3 …"""

    row_fields: tuple[str, ...] = ()

    def rows(self) -> list[dict[str, Any]]:
        kept = []
        for index, form in enumerate(self.forms):
            data = getattr(form, "cleaned_data", None)
            if not data or (self.can_delete and self._should_delete_form(form)):
                continue
            if not any(data.get(name) not in (None, "") for name in self.row_fields[:1]):
                continue  # an empty extra row
            kept.append((data.get("position") or 10_000, index, data))
        return [
            {name: data.get(name) for name in self.row_fields}
            for _position, _index, data in sorted(kept, key=lambda item: item[:2])
        ]


class MaterialFormSet(RowsFormSet):
    row_fields = ("name", "form", "copies", "note")


class StepFormSet(RowsFormSet):
    row_fields = ("title", "description")


def _position_field(label: str) -> forms.IntegerField:
    """A row's number: blank on a new row, which then goes last."""
    return forms.IntegerField(label=label, required=False, min_value=1, max_value=999)


class MaterialForm(ServiceValidated, forms.ModelForm):
    position = _position_field(_("序号"))

    class Meta:
        model = GuideMaterial
        fields = ["position", "name", "form", "copies", "note"]


class StepForm(ServiceValidated, forms.ModelForm):
    position = _position_field(_("步骤"))

    class Meta:
        model = GuideStep
        fields = ["position", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2, "cols": 60})}


# The guide's form reads the rows from the same POST to try everything at once.
MaterialsFromPost = inlineformset_factory(
    ServiceGuide, GuideMaterial, form=MaterialForm, formset=MaterialFormSet, extra=0
)
StepsFromPost = inlineformset_factory(
    ServiceGuide, GuideStep, form=StepForm, formset=StepFormSet, extra=0
)


class RowsInline(ReadWithParent, admin.TabularInline):
    def get_extra(self, request, obj=None, **kwargs):
        return 3 if obj is None else 1 if _editable(request.user, obj) else 0

    def _may_edit(self, request, obj) -> bool:
        if obj is None:
            return core.units_for(request.user, Action.EDIT).exists()
        return _editable(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is not None and self._may_edit(request, obj)


class MaterialInline(RowsInline):
    model = GuideMaterial
    form = MaterialForm
    formset = MaterialFormSet
    fields = ["position", "name", "form", "copies", "note"]
    verbose_name_plural = _("申请材料（按序号排列）")


class StepInline(RowsInline):
    model = GuideStep
    form = StepForm
    formset = StepFormSet
    fields = ["position", "title", "description"]
    verbose_name_plural = _("办理流程（按步骤排列；发布前至少一步）")


# --- The guide's form ----------------------------------------------------------------


class GuideForm(ServiceValidated, forms.ModelForm):
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("不操作"))])
    reason = forms.CharField(
        label=_("撤回原因"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("选择“撤回”时填写，例如：事项已取消、已划转其他单位办理。"),
    )

    actor: Any = None  # set by ActorForm
    actions: tuple[str, ...] = ()  # set by ServiceGuideAdmin.get_form

    class Meta:
        model = ServiceGuide
        fields = [*GUIDE_FIELDS, "verified_on"]
        widgets = {
            "applicants": forms.Textarea(attrs={"rows": 3}),
            "conditions": forms.Textarea(attrs={"rows": 4}),
            "legal_basis": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [
            ("", _("不操作")),
            *((name, ACTION_LABELS[name]) for name in self.actions),
        ]
        if "region" in self.fields:
            self.fields["region"].required = False
            self.fields["region"].help_text = _(
                "不填则为本单位所在地区；只在下辖某地适用的，填该地的行政区划代码。"
            )
        if "verified_on" in self.fields:
            self.fields["verified_on"].required = False
            self.fields["verified_on"].help_text = _("不填则为今天。")
        if "fees" in self.fields:
            self.fields["fees"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        guide = ServiceGuide.objects.get(pk=self.instance.pk) if self.instance.pk else None
        materials = steps = None
        if _editable(self.actor, guide):
            target = guide or ServiceGuide()
            inlines = [
                MaterialsFromPost(self.data, instance=target, prefix="materials"),
                StepsFromPost(self.data, instance=target, prefix="steps"),
            ]
            if not all(inline.is_valid() for inline in inlines):
                return data  # the inlines show their own errors
            materials, steps = (inline.rows() for inline in inlines)
        dry_run(
            self,
            lambda: perform(self.actor, guide, data, materials, steps),
            refusal_field="action" if data.get("action") else None,
            aliases=ALIASES,
        )
        return data


# --- The list's filter -----------------------------------------------------------------


class VerificationFilter(admin.SimpleListFilter):
    title = _("核验情况")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [("overdue", _("超过一年未核验")), ("current", _("一年内已核验"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return selectors.overdue(queryset)
        if self.value() == "current":
            return queryset.filter(verified_on__gte=selectors.stale_cutoff())
        return queryset


# --- Guides --------------------------------------------------------------------------


@admin.register(ServiceGuide)
class ServiceGuideAdmin(ActorForm, BackOfficeAdmin):
    form = GuideForm
    change_list_template = "services/guides/admin_change_list.html"
    list_display = [
        "name",
        "unit",
        "category",
        "lowest_tier",
        "status",
        "verification",
    ]
    list_filter = [VerificationFilter, "status", "category", "lowest_tier"]
    search_fields = ["name", "unit__name", "=region__code"]
    list_select_related = ["unit", "region"]
    raw_id_fields = ["region"]
    show_full_result_count = False
    actions = ["confirm_verified"]
    inlines = [MaterialInline, StepInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceGuide]:
        return selectors.guides_back_office(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return core.is_back_office_user(request.user)
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Asked several times a page (the list, the sidebar): once per request.
        may = getattr(request, "_may_add_guides", None)
        if may is None:
            may = request._may_add_guides = core.units_for(request.user, Action.EDIT).exists()
        return may

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return core.is_back_office_user(request.user)
        return _editable(request.user, obj) or bool(available_actions(request.user, obj))

    def get_form(self, request, obj=None, change=False, **kwargs):
        actions = tuple(available_actions(request.user, obj))
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actions": actions})

    def get_readonly_fields(self, request: HttpRequest, obj: ServiceGuide | None = None):
        if obj is None:
            return []
        fixed = ["unit", *STATUS_FIELDS]
        if not _editable(request.user, obj):
            fixed += list(services.EDITABLE_FIELDS)
        return fixed

    def get_fieldsets(self, request: HttpRequest, obj: ServiceGuide | None = None):
        sets = [
            (None, {"fields": ["unit", "region", "name", "category", "lowest_tier"]}),
            (_("申请"), {"fields": ["applicants", "conditions"]}),
            (
                _("时限和收费"),
                {
                    "fields": ["legal_limit_days", "promised_limit_days", "fees"],
                    "description": _("时限按工作日计；承诺时限不能长于法定时限。"),
                },
            ),
            (_("办理地点"), {"fields": ["office_address", "office_hours", "phone", "online_url"]}),
            (_("设定依据"), {"fields": ["legal_basis"]}),
        ]
        if obj is None:
            sets.append((_("核验"), {"fields": ["verified_on"]}))
        else:
            sets.append((_("状态和核验"), {"fields": STATUS_FIELDS}))
        if available_actions(request.user, obj):
            sets.append((_("办理"), {"fields": ["action", "reason"]}))
        return sets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = (
                core.units_for(request.user, Action.EDIT)
                .filter(is_active=True)
                .select_related("region")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("最近核验"), ordering="verified_on")
    def verification(self, guide: ServiceGuide) -> str:
        day = guide.verified_on.isoformat()
        if guide.status == GuideStatus.PUBLISHED and selectors.verification_overdue(guide):
            return format_html(
                '{}<br><strong class="errornote">{}</strong>', day, _("超过一年未核验")
            )
        return day

    @admin.display(description=_("公开页面"))
    def page(self, guide: ServiceGuide) -> str:
        if guide.status != GuideStatus.PUBLISHED:
            return _("未公开")
        url = reverse("service-guide", args=[guide.pk])
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            url,
            url,
            reverse("service-guide-print", args=[guide.pk]),
            _("打印版"),
        )

    @admin.action(description=_("确认已核验"))
    def confirm_verified(self, request: HttpRequest, queryset: QuerySet[ServiceGuide]) -> None:
        done = skipped = 0
        for guide in queryset.select_related("unit"):
            if guide.status == GuideStatus.WITHDRAWN or not core.can(
                request.user, Action.EDIT, guide.unit
            ):
                skipped += 1
                continue
            try:
                services.guide_verify(guide=guide, actor=request.user)
            except DomainError:
                skipped += 1
                continue
            done += 1
        if done:
            self.message_user(
                request,
                ngettext("已确认 %(n)d 条办事指南已核验。", "已确认 %(n)d 条办事指南已核验。", done)
                % {"n": done},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d 条未处理：已撤回，或不是您可编辑的单位的办事指南。",
                    "%(n)d 条未处理：已撤回，或不是您可编辑的单位的办事指南。",
                    skipped,
                )
                % {"n": skipped},
                messages.WARNING,
            )

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = {
            **(extra_context or {}),
            "to_verify": selectors.guides_to_verify(request.user).count(),
        }
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        """Nothing here: the rows come with the inlines, so everything is saved at once
        in save_related, through the services."""

    def save_related(self, request, form, formsets, change) -> None:
        guide = ServiceGuide.objects.get(pk=form.instance.pk) if change else None
        materials = steps = None
        editable = _editable(request.user, guide)
        for formset in formsets:
            if editable and isinstance(formset, MaterialFormSet):
                materials = formset.rows()
            if editable and isinstance(formset, StepFormSet):
                steps = formset.rows()
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        guide = perform(request.user, guide, form.cleaned_data, materials, steps)
        form.instance.pk = guide.pk
