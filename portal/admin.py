"""The officials' back office, scoped by portal.permissions.

An official sees and changes only the objects of their units, a supervisor reads
everything inside their subtree, a platform admin does everything. Nothing published
is deleted from here: delete is switched off, units are deactivated instead, and every
save goes through a service that writes the audit trail.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.forms.models import construct_instance
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal import hierarchy, permissions
from portal.models import (
    AuditEntry,
    CalendarDay,
    Membership,
    Region,
    Residency,
    ResidencyStatus,
    SupervisorScope,
    Unit,
    UnitKind,
    User,
    WorkdayYear,
    WorkerHeartbeat,
)
from portal.pages import add_service_errors
from portal.permissions import Action
from portal.services import people
from portal.services.audit import audited_save, snapshot
from portal.services.errors import DomainError
from portal.workdays import missing_years


class RollBack(Exception):
    """Raised inside a savepoint to undo a trial run of the services."""


def trial_run(run: Callable[[], Any]) -> ValidationError | None:
    """Run the services in a savepoint and roll everything back; return the refusal they
    raised, or None. Admin forms ask this in clean(), so a refusal becomes a form error
    before anything is saved and nothing the official typed is lost."""
    try:
        with transaction.atomic():
            run()
            raise RollBack
    except RollBack:
        return None
    except ValidationError as exc:  # DomainError is one too
        return exc


def dry_run(
    form: forms.BaseForm,
    run: Callable[[], Any],
    *,
    fallback: str | None = None,
    refusal_field: str | None = None,
    aliases: dict[str, str] | None = None,
) -> bool:
    """trial_run, with the refusal shown on `form` (see portal.pages.add_service_errors);
    True when the services would accept it."""
    refusal = trial_run(run)
    if refusal is not None:
        add_service_errors(
            form, refusal, fallback=fallback, refusal_field=refusal_field, aliases=aliases
        )
    return refusal is None


class ActorForm:
    """ModelAdmin mixin: the change form runs the services as the person asking, its
    `actor`."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})


class ServiceValidated:
    """ModelForm mixin: the services validate the object and name each bad field in words
    for officials; the model's own checks would only repeat that by constraint name, so
    the instance is built from the form without them."""

    def _post_clean(self) -> None:
        self.instance = construct_instance(
            self, self.instance, self._meta.fields, self._meta.exclude
        )


class ActorFormSet:
    """InlineModelAdmin mixin: the formset runs the services as the person asking, its
    `actor`."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"actor": request.user})


class ReadWithParent:
    """Inlines are read by whoever may read the parent object (the parent admin decides,
    through portal.permissions); Django's per-model permissions are not used here."""

    def has_view_permission(self, request, obj=None):
        return True


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent (a letter's events, a vote's ballots …) and never
    added, changed or deleted here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MissingIs404:
    """ModelAdmin mixin: an object outside the person's scope, or one they may not even
    read, answers 404 on its change, delete and history pages, as a missing one does.
    Django's own answers (a redirect to the index, or 403 on a POST) would tell an
    outsider that it exists, and differ between a GET and a POST."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        return obj


class BackOfficeAdmin(MissingIs404, admin.ModelAdmin):
    """Base: visible to back-office users, never deletes, saves through the audit service."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.is_back_office_user(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return permissions.is_back_office_user(request.user)
        return permissions.can(request.user, Action.VIEW, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return permissions.is_platform_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.is_platform_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        audited_save(obj=obj, actor=request.user, before=before)

    def _changeform_view(self, request, object_id, form_url, extra_context):
        # Inside Django's atomic block: a change of an object is one writer at a time. The
        # form's trial run (dry_run, in a savepoint) and the save then see the same state,
        # and concurrent trial runs cannot deadlock on the object's row (fifty identical
        # disbursements at once did: tests/faults/test_concurrent_submissions.py).
        if request.method == "POST" and object_id is not None:
            # Not a key at all: nothing to lock, and get_object answers 404 as usual.
            with contextlib.suppress(ValidationError, ValueError):
                list(
                    self.model._default_manager.select_for_update()
                    .filter(pk=unquote(object_id))
                    .values_list("pk", flat=True)
                )
        return super()._changeform_view(request, object_id, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Should the services still refuse at save time what the form's trial run
        accepted (an object added meanwhile, another row changed), Django's atomic block
        has rolled the save back: the form is run once more, and its trial now shows the
        refusal beside the field instead of a server error."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError:
            if request.method != "POST":
                raise
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:  # refused again after a second race: say so, keep nothing
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(request.get_full_path())


class PlatformOnlyAdmin(BackOfficeAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.is_platform_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.is_platform_admin(request.user)


@admin.register(Region)
class RegionAdmin(BackOfficeAdmin):
    list_display = ["code", "name", "tier", "parent", "is_active"]
    list_filter = ["tier", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Region]:
        return permissions.regions_for(request.user).select_related("parent")

    def has_view_permission(self, request: HttpRequest, obj: Region | None = None) -> bool:
        if obj is None:
            return permissions.is_back_office_user(request.user)
        return permissions.regions_for(request.user).filter(code=obj.code).exists()

    def get_readonly_fields(self, request: HttpRequest, obj: Region | None = None) -> list[str]:
        # The code is the identity of a place: fixed once created.
        return ["code", "tier", "parent"] if obj else []

    def save_model(self, request: HttpRequest, obj: Region, form: Any, change: bool) -> None:
        if not change:
            obj.tier = hierarchy.tier_of(obj.code)
            parent = hierarchy.parent_code(obj.code)
            obj.parent = Region.objects.filter(code=parent).first() if parent else None
        super().save_model(request, obj, form, change)


@admin.register(Unit)
class UnitAdmin(BackOfficeAdmin):
    list_display = ["name", "kind", "region", "is_active"]
    list_filter = ["kind", "is_active", "sector"]
    search_fields = ["name", "region__name", "=region__code"]
    list_select_related = ["region"]
    raw_id_fields = ["region", "parent_unit"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Unit]:
        return permissions.units_for(request.user, Action.VIEW).select_related("region")

    def has_change_permission(self, request: HttpRequest, obj: Unit | None = None) -> bool:
        if obj is None:
            return permissions.units_for(request.user, Action.MANAGE).exists()
        return permissions.can(request.user, Action.MANAGE, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Unit | None = None) -> list[str]:
        if permissions.is_platform_admin(request.user):
            return ["created_at", "updated_at"]
        # A unit admin keeps the unit's contact details; identity fields are the platform's.
        editable = set(permissions.UNIT_PROFILE_FIELDS)
        return [f.name for f in Unit._meta.fields if f.name not in editable and f.name != "id"]


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "unit", "role"]


@admin.register(Membership)
class MembershipAdmin(BackOfficeAdmin):
    form = MembershipForm
    list_display = ["user", "unit", "role", "granted_by", "granted_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "unit__name"]
    raw_id_fields = ["user", "unit"]
    list_select_related = ["user", "unit", "granted_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return permissions.scope_queryset(super().get_queryset(request), request.user, Action.VIEW)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return permissions.units_for(request.user, Action.MANAGE).exists()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a role is granted or revoked, never edited in place

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        if obj is None:
            return permissions.units_for(request.user, Action.MANAGE).exists()
        return permissions.can(request.user, Action.MANAGE, obj.unit)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = permissions.units_for(request.user, Action.MANAGE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if not permissions.can(request.user, Action.MANAGE, obj.unit):
            raise PermissionError("not a unit admin of this unit")
        saved = people.membership_grant(
            user=obj.user, unit=obj.unit, role=obj.role, actor=request.user
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        people.membership_revoke(membership=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset:
            if permissions.can(request.user, Action.MANAGE, membership.unit):
                people.membership_revoke(membership=membership, actor=request.user)


@admin.register(SupervisorScope)
class SupervisorScopeAdmin(PlatformOnlyAdmin):
    list_display = ["user", "region", "granted_by", "granted_at"]
    raw_id_fields = ["user", "region"]
    list_select_related = ["user", "region", "granted_by"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.is_platform_admin(request.user)

    def save_model(self, request, obj, form, change):
        saved = people.supervisor_grant(user=obj.user, region=obj.region, actor=request.user)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        people.supervisor_revoke(scope=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for scope in queryset:
            people.supervisor_revoke(scope=scope, actor=request.user)


class ResidencyDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("核实结果"),
        choices=[
            ("", "—"),
            (ResidencyStatus.VERIFIED, _("通过")),
            (ResidencyStatus.REJECTED, _("不通过")),
        ],
        required=False,
    )

    class Meta:
        model = Residency
        fields = ["reject_reason"]


@admin.register(Residency)
class ResidencyAdmin(BackOfficeAdmin):
    form = ResidencyDecisionForm
    list_display = [
        "real_name_masked",
        "id_number_masked",
        "region",
        "group_name",
        "status",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["=region__code", "region__name"]
    list_select_related = ["region"]
    readonly_fields = [
        "real_name_masked",
        "id_number_masked",
        "region",
        "group_name",
        "is_household_head",
        "status",
        "decided_by",
        "decided_at",
        "created_at",
    ]
    fields = [*readonly_fields, "decision", "reject_reason"]
    actions = ["approve_selected"]

    @admin.display(description=_("姓名"))
    def real_name_masked(self, obj: Residency) -> str:
        from portal.identity import mask_name

        return mask_name(obj.real_name)

    def _places(self, request: HttpRequest) -> QuerySet:
        return (
            permissions.units_for(request.user, Action.MANAGE)
            .filter(kind=UnitKind.VILLAGE_COMMITTEE)
            .values("region_id")
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Residency]:
        residencies = super().get_queryset(request)
        user = request.user
        if permissions.is_platform_admin(user):
            return residencies
        supervised = hierarchy.in_any_subtree(residencies, permissions.supervised_codes(user))
        return (residencies.filter(region__in=self._places(request)) | supervised).distinct()

    def has_view_permission(self, request: HttpRequest, obj: Residency | None = None) -> bool:
        if obj is None:
            return permissions.is_back_office_user(request.user)
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_change_permission(self, request: HttpRequest, obj: Residency | None = None) -> bool:
        if obj is None:
            return self._places(request).exists() or permissions.is_platform_admin(request.user)
        return obj.status == ResidencyStatus.PENDING and permissions.can_verify_residents(
            request.user, obj.region
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # residents apply themselves on the public site

    def save_model(self, request: HttpRequest, obj: Residency, form: Any, change: bool) -> None:
        decision = form.cleaned_data.get("decision")
        if decision:
            people.residency_decide(
                residency=obj,
                actor=request.user,
                approve=decision == ResidencyStatus.VERIFIED,
                reason=form.cleaned_data.get("reject_reason", ""),
            )

    @admin.action(description=_("核实通过所选申请"))
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Residency]) -> None:
        done = 0
        for residency in queryset.filter(status=ResidencyStatus.PENDING):
            if permissions.can_verify_residents(request.user, residency.region):
                people.residency_decide(residency=residency, actor=request.user, approve=True)
                done += 1
        self.message_user(request, _("已核实 %(n)d 条申请。") % {"n": done}, messages.SUCCESS)


@admin.register(AuditEntry)
class AuditEntryAdmin(BackOfficeAdmin):
    list_display = ["at", "actor", "action", "content_type", "object_repr", "unit"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "=region_code", "actor__username"]
    list_select_related = ["actor", "unit", "content_type"]
    date_hierarchy = "at"
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        entries = super().get_queryset(request)
        user = request.user
        if permissions.is_platform_admin(user):
            return entries
        supervised = hierarchy.in_any_subtree(
            entries, permissions.supervised_codes(user), "region_code"
        )
        own = entries.filter(unit__in=permissions.units_for(user, Action.MANAGE).values("pk"))
        return (own | supervised).distinct()

    def has_view_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        if obj is None:
            return permissions.is_back_office_user(request.user)
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _warn_missing_years(request: HttpRequest) -> None:
    today = timezone.localdate()
    years = [today.year, today.year + 1]
    for year in missing_years(years):
        messages.warning(
            request,
            _(
                "%(year)d年的节假日安排尚未载入：涉及该年的办理期限将标为“暂定”。"
                "国务院公布后请运行 load_calendar 或在此录入。"
            )
            % {"year": year},
        )


@admin.register(WorkdayYear)
class WorkdayYearAdmin(BackOfficeAdmin):
    list_display = ["year", "source", "announcement", "loaded_at"]
    readonly_fields = ["loaded_at", "loaded_by"]

    def changelist_view(self, request, extra_context=None):
        _warn_missing_years(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.loaded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CalendarDay)
class CalendarDayAdmin(BackOfficeAdmin):
    list_display = ["date", "weekday", "kind", "name"]
    list_filter = ["kind", ("date", admin.DateFieldListFilter)]
    date_hierarchy = "date"

    @admin.display(description=_("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return date_format(obj.date, "l")

    def changelist_view(self, request, extra_context=None):
        _warn_missing_years(request)
        return super().changelist_view(request, extra_context)

    def get_readonly_fields(self, request, obj=None):
        return ["date"] if obj else []


@admin.register(User)
class UserAdmin(MissingIs404, DjangoUserAdmin):
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("联系信息"), {"fields": ["full_name", "phone"]}),
    ]
    list_display = ["username", "full_name", "is_staff", "is_superuser", "is_active"]
    search_fields = ["username", "full_name"]

    def has_module_permission(self, request):
        return permissions.is_platform_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_platform_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.is_platform_admin(request.user)

    def has_add_permission(self, request):
        return permissions.is_platform_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(PlatformOnlyAdmin):
    list_display = ["worker", "beat_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
