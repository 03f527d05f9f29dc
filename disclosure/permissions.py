"""Who may see a record, and who may act on it: one answer for every door.

Pages, the API, feeds, search and the sitemap all read records through
`visible_records(user)`; the admin and the API's writes ask `can_*`. Actions on a
record are the unit's actions (portal.permissions): editors draft and edit, reviewers
approve, and a reviewer never approves their own draft.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from disclosure.models import AudienceMembership, Record, RecordStatus, Scope
from portal import permissions as core
from portal.models import Residency, ResidencyStatus
from portal.permissions import Action


def audience_condition(user: Any) -> Q:
    """The records of restricted scope that this person belongs to."""
    condition = Q(scope=Scope.PUBLIC)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return condition
    cached = getattr(user, "_audience_condition", None)
    if cached is not None:  # one lookup per request, however many lists a page shows
        return cached
    villages = list(
        Residency.objects.filter(user=user, status=ResidencyStatus.VERIFIED).values_list(
            "region_id", flat=True
        )
    )
    if villages:
        condition |= Q(scope=Scope.RESIDENTS, region__in=villages)
    for scope, unit_id in AudienceMembership.objects.filter(user=user).values_list(
        "scope", "unit_id"
    ):
        condition |= Q(scope=scope, unit_id=unit_id)
    user._audience_condition = condition
    return condition


def visible_records(user: Any, *, include_withdrawn: bool = False) -> QuerySet[Record]:
    """Published records this person may read on the public site."""
    statuses = [RecordStatus.PUBLISHED]
    if include_withdrawn:
        statuses.append(RecordStatus.WITHDRAWN)
    return Record.objects.filter(status__in=statuses).filter(audience_condition(user))


def can_read(user: Any, record: Record) -> bool:
    return visible_records(user, include_withdrawn=True).filter(pk=record.pk).exists()


def can_edit(user: Any, record: Record) -> bool:
    return core.can(user, Action.EDIT, record.unit)


def can_review(user: Any, record: Record) -> bool:
    """A second person: the author of a draft cannot approve it."""
    return core.can(user, Action.REVIEW, record.unit) and record.author_id != getattr(
        user, "pk", None
    )


def can_publish_under(user: Any, unit: Any) -> bool:
    return core.can(user, Action.EDIT, unit)
