"""Who may run, read and moderate participation: the same answer for every door.

Votes, evaluations, solicitations, decisions and meetings belong to a unit: its editors
and admins run them (portal Action.EDIT), supervisors of the place read them in the back
office. Mutual-aid posts belong to residents; they are moderated by the officials of
the village committee, township office or government of any place that contains the
post's village. Who may *take part* is participation.eligibility's question.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from portal import hierarchy
from portal import permissions as core
from portal.models import UnitKind
from portal.permissions import Action

M = TypeVar("M", bound=Model)

# The units whose officials look after the mutual-aid posts of the places they serve.
MODERATING_UNIT_KINDS = (
    UnitKind.VILLAGE_COMMITTEE,
    UnitKind.TOWNSHIP_OFFICE,
    UnitKind.GOVERNMENT,
)


def can_manage(user: Any, obj: Any) -> bool:
    """Run it: create, publish, close, enter paper ballots, moderate opinions."""
    return core.can(user, Action.EDIT, core.unit_of(obj))


def can_read_back_office(user: Any, obj: Any) -> bool:
    return core.can(user, Action.VIEW, obj)


def managed(queryset: QuerySet[M], user: Any) -> QuerySet[M]:
    """What a person sees in the back office: their units' and their subtrees'."""
    return core.scope_queryset(queryset, user, Action.VIEW)


def aid_moderation_codes(user: Any) -> list[str]:
    """The places whose mutual-aid posts this person moderates (subtrees)."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    units = core.units_for(user, Action.EDIT).filter(kind__in=MODERATING_UNIT_KINDS)
    return sorted(set(units.values_list("region_id", flat=True)))


def can_moderate_aid(user: Any, post: Any) -> bool:
    if core.is_platform_admin(user):
        return True
    return any(hierarchy.is_within(post.region_id, code) for code in aid_moderation_codes(user))


def aid_moderation_queryset(queryset: QuerySet[M], user: Any) -> QuerySet[M]:
    if core.is_platform_admin(user):
        return queryset
    return hierarchy.in_any_subtree(queryset, aid_moderation_codes(user))


# --- Decisions (四议两公开) and meeting records ------------------------------------------

# Only village and community committees decide under 四议两公开.
DECISION_UNIT_KINDS = (UnitKind.VILLAGE_COMMITTEE,)
# Meeting records are kept by the committees and by the supervisory committees (村务监督委员会).
MEETING_UNIT_KINDS = (UnitKind.VILLAGE_COMMITTEE, UnitKind.SUPERVISORY_COMMITTEE)


def can_run_decisions(user: Any, unit: Any) -> bool:
    """Start a decision of `unit` and record its steps and disclosures."""
    return unit is not None and unit.kind in DECISION_UNIT_KINDS and can_manage(user, unit)


def can_keep_meetings(user: Any, unit: Any) -> bool:
    """Record, publish and follow up the meetings of `unit`."""
    return unit is not None and unit.kind in MEETING_UNIT_KINDS and can_manage(user, unit)


def can_handle_evaluation_flag(user: Any, flag: Any) -> bool:
    """A two-year unsatisfactory flag is handled by the supervisors of its place (or of a
    place around it) and by platform admins; the evaluated unit's own officials only read it."""
    return core.is_platform_admin(user) or core.supervises(user, flag.region_id)
