"""Who may act on village money, and who watches it: one answer for every door.

"县级监控、镇乡监管、村级公开": the village committee proposes and carries out projects and
publishes; the township office approves, accepts and closes them; the township's
accounting agency centre books every entry of the collectives it keeps; supervisors of a
place (and the township's own officials for their township) watch the alerts; the
village's supervisory committee reads who looked at its vouchers.
"""

from __future__ import annotations

from typing import Any

from funds.models import Collective, FundProject
from portal import hierarchy
from portal import permissions as core
from portal.models import Tier, Unit, UnitKind
from portal.permissions import Action

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
    return unit is not None and unit.kind == UnitKind.VILLAGE_COMMITTEE and core.can(
        user, Action.EDIT, unit
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
