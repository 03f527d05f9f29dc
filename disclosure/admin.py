"""Officials publish here. Every change goes through disclosure.services, so the admin
enforces the same rules as the API: catalog of the unit, review by a second person,
versions after publication, withdrawal with a public reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from disclosure import catalogs, services
from disclosure.models import (
    AudienceMembership,
    CatalogItem,
    CatalogTemplate,
    GazetteEntry,
    GazetteIssue,
    PublishingSetting,
    Record,
    RecordStatus,
)
from portal import permissions
from portal.admin import ActorForm, BackOfficeAdmin
from portal.permissions import Action
from portal.services.errors import DomainError

WORKFLOW_CHOICES = [
    ("", _("仅保存")),
    ("submit", _("提交（需审核的单位进入待审核，否则直接发布）")),
    ("approve", _("审核通过并发布")),
    ("return", _("退回修改（须填写意见）")),
    ("withdraw", _("撤回（须公开说明原因）")),
]
FORM_FIELDS = [
    "unit",
    "item",
    "kind",
    "policy",
    "interpretation_form",
    "video_url",
    "title",
    "body",
    "document_number",
    "info_date",
    "period_start",
    "period_end",
    "scope",
]


class RecordForm(forms.ModelForm):
    workflow = forms.ChoiceField(label=_("操作"), choices=WORKFLOW_CHOICES, required=False)
    workflow_note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=300,
        help_text=_("退回意见、撤回原因，或修改已发布信息时的修订说明。"),
    )
    new_attachment = forms.FileField(
        label=_("上传附件"),
        required=False,
        help_text=_("PDF、图片或 Office 文档，单个不超过 20 MB。"),
    )

    class Meta:
        model = Record
        fields = FORM_FIELDS
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}

    actor: Any = None  # set by RecordAdmin.get_form

    def clean(self) -> dict:
        """Ask the services what they would refuse, before anything is written."""
        data = super().clean()
        if self.errors:
            return data
        if self.instance.pk is None:
            draft = Record(
                **{f: data.get(f) for f in FORM_FIELDS if f not in ("scope",)},
                scope=data.get("scope") or (data["item"].scope if data.get("item") else "public"),
                author=self.actor,
            )
            draft.region_id = draft.unit.region_id
            for field, errors in services.creation_errors(draft, self.actor).items():
                for error in errors:
                    self.add_error(field if field in self.fields else None, error)
            probe = draft
        else:
            probe = Record.objects.select_related("unit", "item").get(pk=self.instance.pk)
            changes = {
                f: data.get(f) for f in set(services.EDITABLE_FIELDS) & set(self.changed_data)
            }
            errors = services.update_errors(
                probe, changes, self.actor, data.get("workflow_note", "")
            )
            for field, messages_ in errors.items():
                target = "workflow_note" if field == "change_note" else field
                for error in messages_:
                    self.add_error(target if target in self.fields else None, error)
        action = data.get("workflow")
        if action and not self.errors:
            if action == "submit" and probe.pk is None:
                probe.status = RecordStatus.DRAFT
            refusal = services.transition_refusal(
                probe, action, self.actor, data.get("workflow_note", "")
            )
            if refusal:
                self.add_error("workflow", refusal)
        if data.get("new_attachment") and not self.errors:
            upload = data["new_attachment"]
            try:
                services.files.check_upload(
                    upload.name, upload.read(), limit=settings.DISCLOSURE_MAX_ATTACHMENT_BYTES
                )
            except ValidationError as exc:
                self.add_error("new_attachment", exc)
            upload.seek(0)
        return data


@admin.register(Record)
class RecordAdmin(ActorForm, BackOfficeAdmin):
    form = RecordForm
    list_display = ["title", "unit", "item", "status", "published_at", "version"]
    list_filter = ["status", "kind", "scope"]
    search_fields = ["title", "document_number"]
    list_select_related = ["unit", "item"]
    raw_id_fields = ["policy"]
    date_hierarchy = "published_at"
    show_full_result_count = False
    readonly_fields = [
        "status",
        "version",
        "author",
        "reviewer",
        "review_note",
        "submitted_at",
        "published_at",
        "withdrawn_at",
        "withdraw_reason",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Record]:
        return permissions.scope_queryset(super().get_queryset(request), request.user, Action.VIEW)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return permissions.units_for(request.user, Action.EDIT).exists()

    def has_change_permission(self, request: HttpRequest, obj: Record | None = None) -> bool:
        if obj is None:
            return (
                self.has_add_permission(request)
                or permissions.units_for(request.user, Action.REVIEW).exists()
            )
        if obj.status == RecordStatus.WITHDRAWN:
            return False
        return permissions.can(request.user, Action.EDIT, obj.unit) or permissions.can(
            request.user, Action.REVIEW, obj.unit
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Record | None = None) -> list[str]:
        fixed = list(self.readonly_fields)
        if obj is not None:
            fixed += ["unit", "item", "kind", "policy"]
        return fixed

    @staticmethod
    def _items_for(user) -> QuerySet[CatalogItem]:
        """Only the items of the catalogs this official's units publish under."""
        templates = catalogs.current_templates()
        if permissions.is_platform_admin(user):
            return CatalogItem.objects.filter(template__in=templates).select_related("template")
        units = permissions.units_for(user, Action.EDIT).select_related("region")
        keys = {t.pk for t in (catalogs.catalog_for_unit(u, templates) for u in units) if t}
        return CatalogItem.objects.filter(template__in=keys).select_related("template")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = permissions.units_for(request.user, Action.EDIT).select_related(
                "region"
            )
        if db_field.name == "item":
            kwargs["queryset"] = self._items_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Record, form: RecordForm, change: bool) -> None:
        """The form asked the services what they would refuse; here they run for real."""
        data = form.cleaned_data
        action, note = data.get("workflow"), data.get("workflow_note", "")
        user = request.user
        if change:
            record = Record.objects.select_related("unit", "item").get(pk=obj.pk)
            changes = services.effective_changes(
                record, {f: data[f] for f in services.EDITABLE_FIELDS if f in data}
            )
            if changes:
                record = services.record_update(
                    record=record, actor=user, change_note=note, **changes
                )
        else:
            record = services.record_create(
                actor=user,
                **{field: data[field] for field in FORM_FIELDS if field in data},
            )
        if data.get("new_attachment"):
            upload = data["new_attachment"]
            services.attachment_add(record=record, name=upload.name, data=upload.read(), actor=user)
        if action == "submit":
            record = services.record_submit(record=record, actor=user)
        elif action == "approve":
            record = services.record_approve(record=record, actor=user, note=note)
        elif action == "return":
            record = services.record_return(record=record, actor=user, note=note)
        elif action == "withdraw":
            record = services.record_withdraw(record=record, actor=user, reason=note)
        obj.pk = record.pk


class CatalogItemInline(admin.TabularInline):
    model = CatalogItem
    fields = ["seq", "level1", "level2", "time_limit", "schedule_kind", "scope", "mode"]
    readonly_fields = ["seq"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CatalogTemplate)
class CatalogTemplateAdmin(BackOfficeAdmin):
    list_display = ["name", "key", "version", "is_current", "loaded_at"]
    list_filter = ["key", "is_current"]
    readonly_fields = [
        "key",
        "version",
        "is_current",
        "unit_kinds",
        "region_tiers",
        "sector",
        "loaded_at",
    ]
    inlines = [CatalogItemInline]


class CatalogItemForm(forms.ModelForm):
    # A control named "elements" would hide the form's own `elements` list, which the
    # admin's change_form.js walks to focus the first field: prefixed, nothing is hidden.
    # The admin supplies the model and the fields (ModelAdmin.get_form).
    prefix = "item"


@admin.register(CatalogItem)
class CatalogItemAdmin(BackOfficeAdmin):
    form = CatalogItemForm
    list_display = ["template", "seq", "level1", "level2", "schedule_kind", "scope"]
    list_filter = ["template__key", "schedule_kind", "scope", "mode"]
    search_fields = ["level1", "level2", "elements"]
    list_select_related = ["template"]
    readonly_fields = ["template", "seq"]


@admin.register(PublishingSetting)
class PublishingSettingAdmin(BackOfficeAdmin):
    list_display = ["unit", "requires_review"]
    raw_id_fields = ["unit"]

    def get_queryset(self, request):
        return permissions.scope_queryset(super().get_queryset(request), request.user, Action.VIEW)

    def has_add_permission(self, request):
        return permissions.units_for(request.user, Action.MANAGE).exists()

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        return permissions.can(request.user, Action.MANAGE, obj.unit)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = permissions.units_for(request.user, Action.MANAGE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not permissions.can(request.user, Action.MANAGE, obj.unit):
            raise DomainError(_("只有单位管理员可以修改发布设置。"))
        super().save_model(request, obj, form, change)


class GazetteEntryInline(admin.TabularInline):
    model = GazetteEntry
    raw_id_fields = ["record"]
    extra = 1


@admin.register(GazetteIssue)
class GazetteIssueAdmin(BackOfficeAdmin):
    list_display = ["__str__", "publisher", "published_on", "is_published"]
    list_filter = ["year", "is_published"]
    inlines = [GazetteEntryInline]
    raw_id_fields = ["publisher"]

    def get_queryset(self, request):
        return permissions.scope_queryset(
            super().get_queryset(request), request.user, Action.VIEW, unit_field="publisher"
        )

    def has_view_permission(self, request, obj=None):
        # An issue's unit is its publisher, which permissions.can cannot find by itself.
        if obj is None:
            return super().has_view_permission(request)
        return permissions.can(request.user, Action.VIEW, obj.publisher)

    def has_add_permission(self, request):
        return permissions.units_for(request.user, Action.EDIT).exists()

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        return permissions.can(request.user, Action.EDIT, obj.publisher)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "publisher":
            kwargs["queryset"] = permissions.units_for(request.user, Action.EDIT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AudienceMembership)
class AudienceMembershipAdmin(BackOfficeAdmin):
    list_display = ["user", "unit", "scope", "confirmed_at"]
    list_filter = ["scope"]
    raw_id_fields = ["user", "unit"]

    def get_queryset(self, request):
        return permissions.scope_queryset(super().get_queryset(request), request.user, Action.VIEW)

    def has_add_permission(self, request):
        return permissions.units_for(request.user, Action.MANAGE).filter(kind="school").exists()

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        return permissions.can(request.user, Action.MANAGE, obj.unit)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = permissions.units_for(request.user, Action.MANAGE).filter(
                kind="school"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not permissions.can(request.user, Action.MANAGE, obj.unit):
            raise DomainError(_("只有学校的单位管理员可以确认家长和教职工。"))
        obj.confirmed_by = request.user
        super().save_model(request, obj, form, change)


# The back office of requests for information and of the annual report live with them.
from disclosure.annual import admin as _annual_admin  # noqa: E402, F401
from disclosure.requests import admin as _requests_admin  # noqa: E402, F401
