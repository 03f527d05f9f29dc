"""Who may act on village money, and who watches it: one answer for every door.

"县级监控、镇乡监管、村级公开": the village committee proposes and carries out projects and
publishes; the township office approves, accepts and closes them; the township's
accounting agency centre books every entry of the collectives it keeps; supervisors of a
place (and the township's own officials for their township) watch the alerts; the
village's supervisory committee reads who looked at its vouchers.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from funds.models import Collective, FundProject
from portal import hierarchy
from portal import permissions as core
from portal.models import Region, Tier, Unit, UnitKind
from portal.permissions import Action

M = TypeVar("M", bound=Model)

# The township's units that supervise its villages' money (镇乡监管).
TOWNSHIP_KINDS = (UnitKind.TOWNSHIP_OFFICE, UnitKind.ACCOUNTING_CENTRE)


def _township_units(code: str, kinds: tuple[str, ...] = TOWNSHIP_KINDS):
    township = hierarchy.ancestor_at(code, Tier.TOWNSHIP)
    if township is None:
        return Unit.objects.none()
    return Unit.objects.filter(region_id=township, kind__in=kinds, is_active=True)


def can_run_project(user: Any, project_or_unit: Any) -> bool:
    """Propose a project of the village, mark it under way, publish its stages."""
    unit = core.unit_of(project_or_unit)
    return (
        unit is not None
        and unit.kind == UnitKind.VILLAGE_COMMITTEE
        and core.can(user, Action.EDIT, unit)
    )


def can_supervise_project(user: Any, project: FundProject) -> bool:
    """Approve, accept and close a project: the township office of its village."""
    if core.is_platform_admin(user):
        return True
    offices = _township_units(project.region_id, (UnitKind.TOWNSHIP_OFFICE,))
    return any(core.can(user, Action.EDIT, unit) for unit in offices)


def can_book(user: Any, collective: Collective) -> bool:
    """Book entries, attach vouchers, keep the registers: the collective's centre."""
    return core.can(user, Action.EDIT, collective.centre)


def can_monitor(user: Any, code: str) -> bool:
    """Read the alerts of a place: its supervisors (县级监控 and above), platform admins,
    and the officials of its township's office and accounting centre (镇乡监管)."""
    if core.can_supervise_place(user, code):
        return True
    return any(core.can(user, Action.VIEW, unit) for unit in _township_units(code))


def can_read_voucher_log(user: Any, collective: Collective) -> bool:
    """Who looked at a collective's vouchers: its village's supervisory committee, the
    township's office and centre, and supervisors of the place."""
    if can_monitor(user, collective.region_id):
        return True
    committees = Unit.objects.filter(
        region_id=collective.region_id, kind=UnitKind.SUPERVISORY_COMMITTEE, is_active=True
    )
    return any(core.can(user, Action.VIEW, unit) for unit in committees)


def _voucher_log_places(user: Any) -> tuple[list[str], list[str]] | None:
    """The places whose voucher logs `user` reads as (subtrees, villages); None for
    everything (platform admins). Memberships are where the unit grants come from, so
    reading them gives the answer can_read_voucher_log gives, without expanding a
    supervisor's subtree into its hundreds of units."""
    if core.is_platform_admin(user):
        return None
    if not (user and user.is_authenticated and user.is_active):
        return [], []
    # Asked by every admin hook of a page: read once per user object (so per request).
    cached = getattr(user, "_voucher_log_places", None)
    if cached is not None:
        return cached
    subtrees = list(core.supervised_codes(user))
    villages: list[str] = []
    units = (
        Unit.objects.filter(memberships__user=user, is_active=True)
        .values_list("kind", "region_id", "region__tier")
        .distinct()
    )
    for kind, code, tier in units:
        if kind in TOWNSHIP_KINDS and tier == Tier.TOWNSHIP:
            subtrees.append(code)
        elif kind == UnitKind.SUPERVISORY_COMMITTEE:
            villages.append(code)
    user._voucher_log_places = (subtrees, villages)
    return subtrees, villages


def reads_voucher_logs(user: Any) -> bool:
    """Whether `user` reads the voucher log of any collective at all."""
    places = _voucher_log_places(user)
    return places is None or bool(places[0] or places[1])


def voucher_logs_visible(queryset: QuerySet[M], user: Any, field: str = "region") -> QuerySet[M]:
    """Rows carrying a village code (`field`) narrowed to those whose voucher log `user`
    reads: the same answer as can_read_voucher_log, for a whole list in one query."""
    places = _voucher_log_places(user)
    if places is None:
        return queryset
    subtrees, villages = places
    if not subtrees and not villages:
        return queryset.none()
    condition = Q(**{f"{field}__in": villages}) if villages else Q()
    for code in subtrees:
        low, high = hierarchy.subtree_bounds(code)
        condition |= Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return queryset.filter(condition)


# --- Monitoring (县级监控、镇乡监管): the dashboards and the back office of alerts ------


def monitored_scopes(user: Any) -> list[str] | None:
    """The places whose alerts a person reads, as subtree roots: supervised places first,
    then the townships of the township offices and accounting centres they work for; None
    means everything (platform admins). A code lies in one of them exactly when can_monitor
    says yes, so the back office and the dashboards give the same answer. Read from the
    memberships the unit grants come from (one query), not from every unit of a
    supervisor's subtree."""
    if core.is_platform_admin(user):
        return None
    if not (user and user.is_authenticated and user.is_active):
        return []
    supervised = core.supervised_codes(user)
    own = (
        Unit.objects.filter(
            memberships__user=user,
            is_active=True,
            kind__in=TOWNSHIP_KINDS,
            region__tier=Tier.TOWNSHIP,
        )
        .order_by()
        .values_list("region_id", flat=True)
        .distinct()
    )
    townships = {code for code in own if not any(hierarchy.is_within(code, s) for s in supervised)}
    return sorted(supervised) + sorted(townships)


def monitored_place_or_404(user: Any, raw_code: str | None) -> Region:
    """The place a monitoring page looks at: `?region=` if given, else the person's first
    supervised place, else their township (the root place for platform admins). A place
    they may not monitor, or none at all, is a 404, as every forbidden object is."""
    code = raw_code
    if not code:
        supervised = sorted(core.supervised_codes(user))
        if supervised:
            code = supervised[0]
        else:
            scopes = monitored_scopes(user)
            code = settings.PORTAL_ROOT_REGION if scopes is None else next(iter(scopes), None)
    try:
        code = hierarchy.normalize_code(code)
    except hierarchy.InvalidRegionCode:
        raise Http404 from None
    if not can_monitor(user, code):
        raise Http404
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404
    return region


def monitoring_trail(user: Any, region: Region) -> list[tuple[Region, bool]]:
    """Breadcrumbs of a monitoring page: (place, may this person open that place's page),
    outermost first."""
    return [(place, can_monitor(user, place.code)) for place in hierarchy.breadcrumbs(region)]


# --- The three-asset ledger (funds.services.ledger) ----------------------------------------


def can_keep_collectives(user: Any, centre: Unit) -> bool:
    """Open a collective's account at a centre: platform admins and the centre's admins."""
    return core.can(user, Action.MANAGE, centre)


def village_committees_of(collective: Collective):
    """The committee of the collective's village (a group's collective included)."""
    return Unit.objects.filter(
        region_id=collective.region_id, kind=UnitKind.VILLAGE_COMMITTEE, is_active=True
    )


def can_publish_statement(user: Any, collective: Collective) -> bool:
    """Publish a collective's monthly statement (村级公开): the editors of its village's
    committee, under whose catalog the disclosure record is published."""
    return any(core.can(user, Action.EDIT, unit) for unit in village_committees_of(collective))


# --- Special-fund projects ----------------------------------------------------------------


def can_disburse(user: Any, project: FundProject) -> bool:
    """Record a payment out of a project: the township office, or the accounting centre
    that keeps the village's own collective (the one without a group name)."""
    if can_supervise_project(user, project):
        return True
    collective = (
        Collective.objects.select_related("centre")
        .filter(region_id=project.region_id, group_name="")
        .first()
    )
    return collective is not None and can_book(user, collective)


def projects_in_scope(queryset: QuerySet[M], user: Any, prefix: str = "") -> QuerySet[M]:
    """The projects (or rows of projects: `prefix` = "project__") a person reads in the
    back office: their own village committees' projects, and every project of the places
    they monitor (supervised subtrees, the townships of their office or centre)."""
    scopes = monitored_scopes(user)
    if scopes is None:
        return queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    condition = Q(**{f"{prefix}unit__in": core.units_for(user, Action.VIEW).values("pk")})
    for code in scopes:
        low, high = hierarchy.subtree_bounds(code)
        condition |= Q(**{f"{prefix}region__gte": low, f"{prefix}region__lte": high})
    return queryset.filter(condition)
