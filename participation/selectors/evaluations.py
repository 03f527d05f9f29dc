"""Reads of democratic evaluations, shared by the public pages, the API, the supervisors'
page and the admin.

The public sees rounds once published (published, closed or cancelled; never a draft)
and each subject's results once the window has ended: the frozen counts of a closed
round, or, between the end of the window and the closing task, the same counts read
live. Comments are never public. Percentages are of the subject's own evaluations, to
one decimal place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from participation.models import (
    Evaluation,
    EvaluationFlag,
    EvaluationRound,
    EvaluationSubject,
    Phase,
    Rating,
    RoundStatus,
)
from participation.services.evaluations import evaluator_key
from portal import hierarchy
from portal import permissions as core
from portal.permissions import Action

PUBLIC_STATUSES = (RoundStatus.PUBLISHED, RoundStatus.CLOSED, RoundStatus.CANCELLED)
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class RoundFilter:
    region: str | None = None
    unit: int | None = None
    year: int | None = None
    phase: str | None = None


def public_rounds() -> QuerySet[EvaluationRound]:
    """Every round the public may see (a cancelled draft cannot exist: the database
    requires a publication time for every status but draft)."""
    return EvaluationRound.objects.filter(status__in=PUBLIC_STATUSES, published_at__isnull=False)


def phase_condition(phase: str, now: dt.datetime) -> Q:
    """Rounds in `phase` now. Upcoming and open are published rounds by the clock; a
    closed or cancelled round has ended whatever its window said."""
    if phase == Phase.UPCOMING:
        return Q(status=RoundStatus.PUBLISHED, opens_at__gt=now)
    if phase == Phase.OPEN:
        return Q(status=RoundStatus.PUBLISHED, opens_at__lte=now, closes_at__gt=now)
    return Q(status__in=[RoundStatus.CLOSED, RoundStatus.CANCELLED]) | Q(closes_at__lte=now)


def round_phase(round: EvaluationRound, now: dt.datetime | None = None) -> Phase:
    if round.status in (RoundStatus.CLOSED, RoundStatus.CANCELLED):
        return Phase.ENDED
    return round.phase(now)


def rounds_public(
    criteria: RoundFilter, *, now: dt.datetime | None = None
) -> QuerySet[EvaluationRound]:
    """Published rounds inside a place, of a unit, of a year, in a phase; latest first."""
    rounds = public_rounds()
    if criteria.region:
        rounds = hierarchy.in_subtree(rounds, criteria.region)
    if criteria.unit is not None:
        rounds = rounds.filter(unit_id=criteria.unit)
    if criteria.year is not None:
        rounds = rounds.filter(year=criteria.year)
    if criteria.phase:
        rounds = rounds.filter(phase_condition(criteria.phase, now or timezone.now()))
    return (
        rounds.select_related("unit", "region", "electorate_region", "body")
        .annotate(subject_count=Count("subjects"))
        .order_by("-year", "-opens_at", "-id")
    )


def round_years(criteria: RoundFilter) -> list[int]:
    """The years that have published rounds inside the place (for the year filter)."""
    rounds = public_rounds()
    if criteria.region:
        rounds = hierarchy.in_subtree(rounds, criteria.region)
    if criteria.unit is not None:
        rounds = rounds.filter(unit_id=criteria.unit)
    return list(rounds.order_by("-year").values_list("year", flat=True).distinct())


def round_public(pk: int) -> EvaluationRound | None:
    return (
        public_rounds()
        .select_related("unit", "region", "electorate_region", "body")
        .filter(pk=pk)
        .first()
    )


def results_visible(round: EvaluationRound, now: dt.datetime | None = None) -> bool:
    """Results are public once the window has ended, never for a cancelled round."""
    if round.status == RoundStatus.CLOSED:
        return True
    return round.status == RoundStatus.PUBLISHED and round.phase(now) == Phase.ENDED


def percent(part: int, total: int) -> Decimal | None:
    if not total:
        return None
    return (Decimal(part) * 100 / Decimal(total)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass
class SubjectResult:
    """One subject's counts with their shares of its own evaluations."""

    subject: EvaluationSubject
    satisfied: int
    basic: int
    unsatisfied: int
    flagged: bool
    total: int = field(init=False)

    def __post_init__(self) -> None:
        self.total = self.satisfied + self.basic + self.unsatisfied

    @property
    def satisfied_pct(self) -> Decimal | None:
        return percent(self.satisfied, self.total)

    @property
    def basic_pct(self) -> Decimal | None:
        return percent(self.basic, self.total)

    @property
    def unsatisfied_pct(self) -> Decimal | None:
        return percent(self.unsatisfied, self.total)

    @property
    def majority_unsatisfied(self) -> bool:
        return self.unsatisfied * 2 > self.total

    def bar(self) -> list[tuple[str, float, float]]:
        """(rating, x, width) of each segment of a 100-wide stacked bar."""
        segments, x = [], 0.0
        for rating, count in (
            (Rating.SATISFIED, self.satisfied),
            (Rating.BASIC, self.basic),
            (Rating.UNSATISFIED, self.unsatisfied),
        ):
            width = 100.0 * count / self.total if self.total else 0.0
            if width:
                segments.append((str(rating), round(x, 2), round(width, 2)))
            x += width
        return segments


def subjects_of(round: EvaluationRound) -> list[EvaluationSubject]:
    return list(round.subjects.order_by("seq"))


def subject_results(
    round: EvaluationRound,
    subjects: list[EvaluationSubject],
    *,
    now: dt.datetime | None = None,
) -> list[SubjectResult] | None:
    """Each subject's result once the window has ended, else None. Two queries at most:
    the flags, and for a round the task has not closed yet, the live counts."""
    if not results_visible(round, now):
        return None
    flagged = set(
        EvaluationFlag.objects.filter(subject__in=subjects).values_list("subject_id", flat=True)
    )
    if round.status == RoundStatus.CLOSED:
        tallies = {s.pk: (s.satisfied, s.basic, s.unsatisfied) for s in subjects}
    else:
        counts: dict[int, dict[str, int]] = {}
        rows = (
            Evaluation.objects.filter(round=round)
            .values("subject_id", "rating")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            counts.setdefault(row["subject_id"], {})[row["rating"]] = row["n"]
        tallies = {
            s.pk: tuple(counts.get(s.pk, {}).get(r, 0) for r in Rating.values) for s in subjects
        }
    return [
        SubjectResult(
            subject=s,
            satisfied=tallies[s.pk][0],
            basic=tallies[s.pk][1],
            unsatisfied=tallies[s.pk][2],
            flagged=s.pk in flagged,
        )
        for s in subjects
    ]


def rated_subject_ids(user: Any, subjects: list[EvaluationSubject]) -> set[int]:
    """The subjects this person has rated: their keyed hashes, looked up in one query."""
    if not (user and user.is_authenticated) or not subjects:
        return set()
    keys = [evaluator_key(subject.pk, user) for subject in subjects]
    return set(
        Evaluation.objects.filter(subject__in=subjects, evaluator_key__in=keys).values_list(
            "subject_id", flat=True
        )
    )


def own_subject_ids(user: Any, subjects: list[EvaluationSubject]) -> set[int]:
    """An official does not rate themself."""
    if not (user and user.is_authenticated):
        return set()
    key = f"official:{user.pk}"
    return {subject.pk for subject in subjects if subject.subject_key == key}


# --- Supervision and back office ------------------------------------------------------


def flags_in(code: str, *, handled: bool) -> QuerySet[EvaluationFlag]:
    """The two-year flags of a place's subtree, open ones oldest first, handled ones
    latest handled first."""
    flags = hierarchy.in_subtree(
        EvaluationFlag.objects.filter(handled_at__isnull=not handled), code
    ).select_related(
        "subject", "subject__round", "previous", "previous__round", "unit", "region", "handled_by"
    )
    if handled:
        return flags.order_by("-handled_at", "-id")
    return flags.order_by("raised_at", "id")


def evaluations_back_office(user: Any) -> QuerySet[Evaluation]:
    """Evaluations (with comments) of the rounds a person may read in the back office:
    the organising unit's officials and the supervisors of its place."""
    return core.scope_queryset(
        Evaluation.objects.all(), user, Action.VIEW, unit_field="round__unit"
    )


def can_read_evaluations(user: Any, round: EvaluationRound) -> bool:
    return core.can(user, Action.VIEW, round)
