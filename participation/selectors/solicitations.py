"""Reads of opinion solicitations for the public pages, the API and the back office.

The public door: a solicitation is visible once published (also after its report and
after a withdrawal, which shows its reason); drafts are missing (404). Of the opinions
only the published ones are shown, as `PublicOpinion`: the signature masked (张*) and
contact data typed into the text removed. Attachments are served while the solicitation
is published or reported, never for a draft or after a withdrawal.

The back-office door: `solicitations_managed` / `opinions_managed`, the unit's officials
and the supervisors of the place (participation.permissions.managed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.models import (
    Opinion,
    OpinionGroup,
    OpinionStatus,
    Phase,
    Solicitation,
    SolicitationAttachment,
    SolicitationStatus,
)
from participation.permissions import managed
from portal import hierarchy, identity
from portal import permissions as core
from portal.permissions import Action

PUBLIC_STATUSES = (
    SolicitationStatus.PUBLISHED,
    SolicitationStatus.REPORTED,
    SolicitationStatus.WITHDRAWN,
)
# While these, the draft text and its attachments are shown; a withdrawn one shows its reason.
TEXT_STATUSES = (SolicitationStatus.PUBLISHED, SolicitationStatus.REPORTED)
PHASES = (Phase.UPCOMING, Phase.OPEN, Phase.ENDED)


@dataclass
class SolicitationFilter:
    """`region` is a subtree (12-digit code); `phase` one of upcoming, open, ended."""

    region: str | None = None
    unit: int | None = None
    phase: str | None = None


def public_phase(solicitation: Solicitation, now: dt.datetime | None = None) -> Phase:
    """Where the window stands for the public: a withdrawn solicitation takes no more
    opinions, so for them its window has ended, whatever the clock says."""
    if solicitation.status == SolicitationStatus.WITHDRAWN:
        return Phase.ENDED
    return solicitation.phase(now)


def badge(solicitation: Solicitation, now: dt.datetime | None = None) -> tuple[str, str]:
    """(css key, label) of the status badge in the lists: the phase, or 已反馈 / 已撤回."""
    if solicitation.status == SolicitationStatus.WITHDRAWN:
        return "withdrawn", str(_("已撤回"))
    if solicitation.status == SolicitationStatus.REPORTED:
        return "reported", str(_("已反馈"))
    phase = solicitation.phase(now)
    return phase.value, str(phase.label)


def _phase_condition(phase: str, now: dt.datetime) -> Q:
    published = Q(status=SolicitationStatus.PUBLISHED)
    if phase == Phase.UPCOMING:
        return published & Q(opens_at__gt=now)
    if phase == Phase.OPEN:
        return published & Q(opens_at__lte=now, closes_at__gt=now)
    return Q(closes_at__lte=now) | Q(status=SolicitationStatus.WITHDRAWN)


def visible_solicitations() -> QuerySet[Solicitation]:
    return Solicitation.objects.filter(status__in=PUBLIC_STATUSES)


def solicitations_public(
    criteria: SolicitationFilter, now: dt.datetime | None = None
) -> QuerySet[Solicitation]:
    """Visible solicitations, newest window first; the place is a code range on
    Solicitation.region (no join). The draft text and the report stay out of the rows."""
    rows = visible_solicitations()
    if criteria.region:
        rows = hierarchy.in_subtree(rows, criteria.region)
    if criteria.unit:
        rows = rows.filter(unit_id=criteria.unit)
    if criteria.phase:
        rows = rows.filter(_phase_condition(criteria.phase, now or timezone.now()))
    return (
        rows.select_related("unit", "region")
        .defer("body", "report", "unit__introduction")
        .order_by("-opens_at", "-id")
    )


def solicitation_public(pk: int) -> Solicitation | None:
    """One visible solicitation with its counts of opinions received and published."""
    return (
        visible_solicitations()
        .select_related("unit", "region")
        .annotate(
            opinions_received=Count("opinions"),
            opinions_published=Count(
                "opinions", filter=Q(opinions__status=OpinionStatus.PUBLISHED)
            ),
        )
        .filter(pk=pk)
        .first()
    )


def attachments_public(solicitation: Solicitation) -> list[SolicitationAttachment]:
    if solicitation.status not in TEXT_STATUSES:
        return []
    return list(solicitation.attachments.all())


def attachment_public(pk: int, token: str) -> SolicitationAttachment | None:
    """An attachment the public may download: its solicitation is published or reported."""
    return (
        SolicitationAttachment.objects.filter(
            solicitation_id=pk,
            token=token,
            solicitation__status__in=TEXT_STATUSES,
        )
        .select_related("solicitation")
        .first()
    )


@dataclass(frozen=True)
class PublicOpinion:
    """A published opinion as the public reads it: nothing of the author but 张*."""

    id: int
    author: str
    text: str
    created_at: dt.datetime
    group_id: int | None
    # The number of the report's group that answers it, once the report is published.
    group_seq: int | None = None

    @classmethod
    def of(cls, opinion: Opinion, group_seq: dict[int, int] | None = None) -> PublicOpinion:
        return cls(
            id=opinion.pk,
            author=identity.mask_name(opinion.author_name),
            text=identity.public_text(opinion.text),
            created_at=opinion.created_at,
            group_id=opinion.group_id,
            group_seq=(group_seq or {}).get(opinion.group_id),
        )


def opinions_public(solicitation: Solicitation) -> QuerySet[Opinion]:
    """Published opinions, oldest first (turn rows into PublicOpinion before showing)."""
    if solicitation.status not in TEXT_STATUSES:
        return Opinion.objects.none()
    return (
        Opinion.objects.filter(solicitation=solicitation, status=OpinionStatus.PUBLISHED)
        .only("id", "author_name", "text", "created_at", "group_id")
        .order_by("created_at", "id")
    )


def my_opinions(solicitation: Solicitation, user: Any) -> QuerySet[Opinion]:
    """What this person sent here, with its moderation status (their own, unmasked)."""
    if not (user and user.is_authenticated):
        return Opinion.objects.none()
    return Opinion.objects.filter(solicitation=solicitation, author=user).order_by(
        "created_at", "id"
    )


def report_groups(solicitation: Solicitation) -> list[OpinionGroup]:
    """The groups of a published report, each with `opinion_count` and `opinion_ids` of
    its published opinions; empty until the report is published. Two queries."""
    if solicitation.status != SolicitationStatus.REPORTED:
        return []
    published = Opinion.objects.filter(status=OpinionStatus.PUBLISHED).only("id", "group_id")
    groups = list(
        solicitation.groups.order_by("seq").prefetch_related(
            Prefetch("opinions", queryset=published.order_by("id"), to_attr="published")
        )
    )
    for group in groups:
        group.opinion_ids = [o.pk for o in group.published]
        group.opinion_count = len(group.opinion_ids)
    return groups


# --- The back office ---------------------------------------------------------------------


def solicitations_managed(user: Any) -> QuerySet[Solicitation]:
    """Solicitations of the person's units, and of the places they supervise."""
    return managed(Solicitation.objects.all(), user)


def opinions_managed(user: Any) -> QuerySet[Opinion]:
    """Opinions on those solicitations: the moderation queue."""
    return core.scope_queryset(
        Opinion.objects.all(), user, Action.VIEW, unit_field="solicitation__unit"
    )
