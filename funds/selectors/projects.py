"""Reads of village special-fund projects: what the public sees (every project, a
cancelled one with its reason), its timeline, its money and its evaluation; and what an
official reads in the back office. The pages, the API and the admin all read here.

Payees who are persons are shown masked (张*) wherever the public reads a payment.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from funds.models import (
    SPECIAL_SOURCES,
    STAGE_ORDER,
    Acceptance,
    Direction,
    Disbursement,
    FundProject,
    LedgerEntry,
    ProjectStage,
    Rectification,
    Stage,
    StageDocument,
)
from funds.permissions import projects_in_scope
from participation.models import EvaluationRound, EvaluationSubject
from participation.models import SubjectKind as EvaluationKind
from participation.selectors import evaluations as rounds
from participation.selectors.decisions import Disclosure, disclosure_of
from participation.selectors.evaluations import SubjectResult
from portal import hierarchy, identity


@dataclass(frozen=True)
class ProjectFilter:
    region: str | None = None  # a 12-digit code: the projects of that place's subtree
    year: int | None = None
    stage: str | None = None  # Stage value
    category: str | None = None  # ProjectCategory value


def projects_public(criteria: ProjectFilter = ProjectFilter()) -> QuerySet[FundProject]:
    """Every project, newest year first; cancelled ones too (they show their reason)."""
    projects = FundProject.objects.select_related("unit", "region")
    if criteria.region:
        projects = hierarchy.in_subtree(projects, criteria.region)
    if criteria.year:
        projects = projects.filter(year=criteria.year)
    if criteria.stage:
        projects = projects.filter(stage=criteria.stage)
    if criteria.category:
        projects = projects.filter(category=criteria.category)
    return projects.order_by("-year", "-created_at", "-id")


def project_public(pk: Any) -> FundProject | None:
    """One project with everything its page shows, in a fixed number of queries."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    stages = ProjectStage.objects.select_related("record").prefetch_related(
        Prefetch("documents", queryset=StageDocument.objects.order_by("id"))
    )
    return (
        FundProject.objects.filter(pk=pk)
        .select_related("unit", "region", "decision", "decision__decision_record")
        .prefetch_related(
            "funding",
            Prefetch("stages", queryset=stages.order_by("reached_at", "id")),
            Prefetch(
                "disbursements",
                queryset=Disbursement.objects.select_related("entry").order_by("paid_on", "id"),
            ),
            Prefetch("acceptances", queryset=Acceptance.objects.order_by("inspected_on", "id")),
            Prefetch("rectifications", queryset=Rectification.objects.order_by("opened_at", "id")),
        )
        .first()
    )


# --- Money ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Money:
    budget: Decimal
    disbursed: Decimal
    remaining: Decimal

    @property
    def percent(self) -> Decimal:
        """Disbursed as a share of the budget, in per cent with one decimal."""
        if not self.budget:
            return Decimal(0)
        share = self.disbursed * 100 / self.budget
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def bar(self) -> str:
        """The bar's filled width out of 100, for an SVG attribute (no inline style)."""
        return f"{min(self.percent, Decimal(100)):.1f}"


def money_of(project: FundProject) -> Money:
    return Money(budget=project.budget, disbursed=project.disbursed, remaining=project.remaining)


def special_part(lines: Iterable[tuple[str, Decimal]]) -> Decimal:
    """The part of a project's funding, given as (source, amount), that counts against
    the village's yearly allocation: the city and county special funds."""
    return sum((amount for source, amount in lines if source in SPECIAL_SOURCES), Decimal(0))


def special_funds(project: FundProject) -> Decimal:
    """The city and county special funds in the project (reads the prefetched lines)."""
    return special_part((line.source, line.amount) for line in project.funding.all())


def entries_to_link(project: FundProject) -> QuerySet[LedgerEntry]:
    """The expense entries of the village's own collective that no disbursement names
    yet, newest first: what a payment of the project may be linked to."""
    return (
        LedgerEntry.objects.filter(
            collective__region_id=project.region_id,
            collective__group_name="",
            direction=Direction.EXPENSE,
            disbursement__isnull=True,
        )
        .select_related("collective")
        .order_by("-booked_on", "-id")
    )


def payee_public(disbursement: Disbursement) -> str:
    """A company by its name, a person as 张*."""
    if disbursement.payee_is_person:
        return identity.mask_name(disbursement.payee)
    return disbursement.payee


@dataclass(frozen=True)
class PublicDisbursement:
    paid_on: dt.date
    amount: Decimal
    payee: str
    payee_is_person: bool
    purpose: str
    # The collective's ledger entry that booked it, where one is linked: its original
    # voucher is shown after the ID check of that collective (voucher-access).
    voucher_number: str
    collective_id: int | None


def disbursements_public(project: FundProject) -> list[PublicDisbursement]:
    return [
        PublicDisbursement(
            paid_on=d.paid_on,
            amount=d.amount,
            payee=payee_public(d),
            payee_is_person=d.payee_is_person,
            purpose=d.purpose,
            voucher_number=d.entry.voucher_number if d.entry else "",
            collective_id=d.entry.collective_id if d.entry else None,
        )
        for d in project.disbursements.all()
    ]


# --- The timeline --------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineStage:
    stage: str
    label: str
    state: str  # done / current / todo / not_held / cancelled
    state_label: str
    row: ProjectStage | None
    disclosure: Disclosure | None
    documents: list[StageDocument]

    @property
    def reached_at(self) -> dt.datetime | None:
        return self.row.reached_at if self.row else None

    @property
    def note(self) -> str:
        return self.row.note if self.row else ""


STATE_LABELS = {
    "done": gettext_lazy("已完成"),
    "current": gettext_lazy("当前阶段"),
    "todo": gettext_lazy("待进行"),
    "not_held": gettext_lazy("未进行"),
    "cancelled": gettext_lazy("已撤销"),
}


def project_timeline(project: FundProject) -> list[TimelineStage]:
    """The six stages in order: done, the current one, those to come; for a cancelled
    project the stages it never reached and then the cancellation. Reads the prefetched
    stage rows."""
    rows = {row.stage: row for row in project.stages.all()}
    cancelled = project.stage == Stage.CANCELLED
    timeline = []
    for stage in [*STAGE_ORDER, *([Stage.CANCELLED] if cancelled else [])]:
        row = rows.get(stage)
        if stage == Stage.CANCELLED:
            state = "cancelled"
        elif row is None:
            state = "not_held" if cancelled else "todo"
        elif stage == project.stage and stage != Stage.CLOSED:
            state = "current"
        else:
            state = "done"
        timeline.append(
            TimelineStage(
                stage=stage,
                label=str(Stage(stage).label),
                state=state,
                state_label=str(STATE_LABELS[state]),
                row=row,
                disclosure=disclosure_of(row.record) if row is not None else None,
                documents=list(row.documents.all()) if row is not None else [],
            )
        )
    return timeline


def document_url(document: StageDocument) -> str:
    return reverse("fund-project-document", args=[document.token])


def document_public(token: str) -> StageDocument | None:
    """A stage document anyone may download: its project is not cancelled."""
    return (
        StageDocument.objects.filter(token=token)
        .exclude(stage__project__stage=Stage.CANCELLED)
        .select_related("stage")
        .first()
    )


def document_filename(document: StageDocument) -> str:
    """The title with the extension of the type read from the content."""
    extension = mimetypes.guess_extension(document.content_type) or ""
    if extension == ".jpe":
        extension = ".jpg"
    title = document.title
    return title if title.lower().endswith(extension) else f"{title}{extension}"


# --- Evaluation and rectification ----------------------------------------------------


def subject_key(project: FundProject | int) -> str:
    """How participation names the project as an evaluated subject: `project:<id>`."""
    pk = project if isinstance(project, int) else project.pk
    return f"{EvaluationKind.PROJECT}:{pk}"


@dataclass(frozen=True)
class ProjectEvaluation:
    round: EvaluationRound
    subject: EvaluationSubject
    result: SubjectResult | None  # None until the window has ended

    @property
    def url(self) -> str:
        return reverse("evaluation", args=[self.round.pk])


def evaluation_of(project: FundProject) -> ProjectEvaluation | None:
    """The project's latest public evaluation round of its own committee (the one the
    scan reads), with the result once it is out."""
    subject = (
        EvaluationSubject.objects.filter(
            subject_key=subject_key(project),
            round__unit_id=project.unit_id,
            round__in=rounds.public_rounds(),
        )
        .select_related("round")
        .order_by("-round__opens_at", "-pk")
        .first()
    )
    if subject is None:
        return None
    results = rounds.subject_results(subject.round, [subject])
    return ProjectEvaluation(
        round=subject.round, subject=subject, result=results[0] if results else None
    )


RECTIFICATION_STATES = {
    "open": gettext_lazy("待村（社区）答复整改情况"),
    "answered": gettext_lazy("已答复，待乡镇（街道）销号"),
    "closed": gettext_lazy("已销号"),
}


def rectification_state(item: Rectification) -> str:
    if item.closed_at is not None:
        return "closed"
    return "answered" if item.answered_at is not None else "open"


def rectification_label(item: Rectification) -> str:
    return str(RECTIFICATION_STATES[rectification_state(item)])


# --- Back office ---------------------------------------------------------------------


def projects_back_office(user: Any) -> QuerySet[FundProject]:
    """The projects an official reads in the back office (funds.permissions)."""
    return projects_in_scope(FundProject.objects.all(), user).select_related("unit", "region")
