"""The one answer to "may this person do this to this object?".

Every door asks here: the HTML views, the admin, the API, and (as they land) feeds,
search and the sitemap. Per-unit grants are django-guardian object permissions on
Unit, given from Membership rows; supervisors read a place subtree; platform admins
(superusers) may do everything. An object that a person may not see is reported as
missing (404), never as forbidden.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user

from portal import hierarchy
from portal.models import MembershipRole, Region, Unit

M = TypeVar("M", bound=Model)


class Action(StrEnum):
    VIEW = "view"  # read in the back office (drafts, audit trail, people)
    EDIT = "edit"  # create and change the unit's content
    REVIEW = "review"  # approve the unit's content for publication
    MANAGE = "manage"  # change the unit's profile and its members


PERMISSION = {
    Action.EDIT: "portal.edit_unit_content",
    Action.REVIEW: "portal.review_unit_content",
    Action.MANAGE: "portal.manage_unit",
}

# What a unit admin may change about their own unit; its identity is the platform's.
UNIT_PROFILE_FIELDS = ("address", "phone", "office_hours", "introduction")

ROLE_ACTIONS: dict[str, tuple[Action, ...]] = {
    MembershipRole.EDITOR: (Action.EDIT,),
    MembershipRole.REVIEWER: (Action.REVIEW,),
    MembershipRole.ADMIN: (Action.EDIT, Action.REVIEW, Action.MANAGE),
}


def role_permissions(roles: list[str]) -> set[str]:
    """The guardian codenames (without app label) that a set of roles grants."""
    return {PERMISSION[action].split(".", 1)[1] for role in roles for action in ROLE_ACTIONS[role]}


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_platform_admin(user: Any) -> bool:
    return _active(user) and user.is_superuser


def unit_of(obj: Any) -> Unit | None:
    if isinstance(obj, Unit):
        return obj
    return getattr(obj, "unit", None)


def region_code_of(obj: Any) -> str | None:
    if isinstance(obj, Region):
        return obj.code
    unit = unit_of(obj)
    if unit is not None:
        return unit.region_id
    return getattr(obj, "region_id", None)


def supervised_codes(user: Any) -> list[str]:
    """The places whose subtrees this person supervises."""
    if not _active(user):
        return []
    cached = getattr(user, "_supervised_codes", None)
    if cached is None:
        cached = list(user.supervisor_scopes.values_list("region_id", flat=True))
        user._supervised_codes = cached
    return cached


def supervises(user: Any, code: str | None) -> bool:
    if code is None:
        return False
    return any(hierarchy.is_within(code, scope) for scope in supervised_codes(user))


def can_supervise_place(user: Any, code: str) -> bool:
    """Supervisors of the place or of a place around it, and platform admins."""
    return is_platform_admin(user) or supervises(user, code)


def _default_supervised_code(user: Any) -> str | None:
    codes = sorted(supervised_codes(user))
    if codes:
        return codes[0]
    if is_platform_admin(user):
        return settings.PORTAL_ROOT_REGION
    return None


def supervised_place_or_404(user: Any, raw_code: str | None) -> Region:
    """The place a supervisors' page looks at: `?region=` if given, else the person's
    first supervised place (the root place for platform admins). A place they do not
    supervise, or no place at all, is a 404, as every forbidden object is."""
    try:
        code = hierarchy.normalize_code(raw_code or _default_supervised_code(user))
    except hierarchy.InvalidRegionCode:
        raise Http404 from None
    if not can_supervise_place(user, code):
        raise Http404
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404
    return region


def supervision_trail(user: Any, region: Region) -> list[tuple[Region, bool]]:
    """A supervisors' page's breadcrumbs: (place, may this person open that place's
    page), outermost first, in one query."""
    return [
        (place, can_supervise_place(user, place.code)) for place in hierarchy.breadcrumbs(region)
    ]


def is_back_office_user(user: Any) -> bool:
    """Officials, supervisors and platform admins: the people the admin is for."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    # Asked once per admin page for every registered model: look it up once per request.
    member = getattr(user, "_has_memberships", None)
    if member is None:
        member = user._has_memberships = user.memberships.exists()
    return member or bool(supervised_codes(user))


def can(user: Any, action: Action, obj: Any) -> bool:
    """May `user` do `action` to `obj` (a Unit, a Region, or anything with .unit)?"""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if action == Action.VIEW and supervises(user, region_code_of(obj)):
        return True
    unit = unit_of(obj)
    if unit is None:
        return False
    checker = _checker(user)
    if action == Action.VIEW:
        return any(checker.has_perm(perm, unit) for perm in PERMISSION.values())
    return checker.has_perm(PERMISSION[action], unit)


def _checker(user: Any) -> ObjectPermissionChecker:
    """One guardian checker per user object (so per request): it reads a unit's grants
    once and answers every later question about that unit from memory. Granting or
    revoking a role drops it (forget_grants)."""
    checker = getattr(user, "_unit_permission_checker", None)
    if checker is None:
        checker = user._unit_permission_checker = ObjectPermissionChecker(user)
    return checker


def forget_grants(user: Any) -> None:
    """Drop what this user object remembers of its roles, after they changed."""
    for name in ("_unit_permission_checker", "_has_memberships", "_supervised_codes"):
        user.__dict__.pop(name, None)


def units_for(user: Any, action: Action) -> QuerySet[Unit]:
    """The units for which `user` may do `action`, as one queryset."""
    units = Unit.objects.all()
    if not _active(user):
        return units.none()
    if user.is_superuser:
        return units
    perms = list(PERMISSION.values()) if action == Action.VIEW else [PERMISSION[action]]
    granted = get_objects_for_user(
        user, perms, klass=Unit, any_perm=True, accept_global_perms=False, with_superuser=False
    ).values("pk")
    condition = Q(pk__in=granted)
    if action == Action.VIEW:
        for code in supervised_codes(user):
            low, high = hierarchy.subtree_bounds(code)
            condition |= Q(region__gte=low, region__lte=high)
    return units.filter(condition)


def scope_queryset(
    queryset: QuerySet[M], user: Any, action: Action, unit_field: str = "unit"
) -> QuerySet[M]:
    """Narrow `queryset` to objects whose unit `user` may `action`."""
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    if unit_field == "pk":
        return queryset.filter(pk__in=units_for(user, action).values("pk"))
    return queryset.filter(**{f"{unit_field}__in": units_for(user, action).values("pk")})


def regions_for(user: Any) -> QuerySet[Region]:
    """Places a person may read in the back office: supervised subtrees and the places
    of their own units."""
    if not _active(user):
        return Region.objects.none()
    if user.is_superuser:
        return Region.objects.all()
    own = Region.objects.filter(code__in=units_for(user, Action.VIEW).values("region_id"))
    return (
        hierarchy.in_any_subtree(Region.objects.all(), supervised_codes(user), "code") | own
    ).distinct()


def get_or_404(queryset: QuerySet[M], user: Any, action: Action, **lookup: Any) -> M:
    """Fetch an object that `user` may `action`; missing and forbidden both raise 404."""
    try:
        obj = queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    if not can(user, action, obj):
        raise Http404
    return obj


def can_verify_residents(user: Any, region: Region) -> bool:
    """The committee of a village (its unit admins) confirms who lives there."""
    if is_platform_admin(user):
        return True
    committees = Unit.objects.filter(region=region, kind="village_committee")
    return any(can(user, Action.MANAGE, unit) for unit in committees)
