"""Shared set-up of the special-fund project tests (this module holds no tests).

Projects are made and moved on through funds.services.projects as the people who do it
in life: the village official proposes, the township official approves and accepts, the
accounting centre's accountant pays. Evaluation rounds run with explicit instants in the
past, so they can be closed at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from funds.models import FundProject
from funds.services import projects as services
from participation.models import Rating
from participation.services import evaluations
from portal import identity
from portal.demo.people import id_number_for
from portal.models import Residency, ResidencyStatus
from tests.factories import UserFactory

YEAR = timezone.localdate().year


def make_project(
    geo,
    personas,
    money,
    *,
    name: str = "平岗社区文化广场改造",
    budget: int | str = 180_000,
    funding: list | None = None,
    decision: object = True,
    year: int = YEAR,
    category: str = "culture",
) -> FundProject:
    """A proposed project of 平岗社区, by its committee, resting on the fixture's decision
    (decision=None for none). Funded 100 000 city and the rest county unless given."""
    budget = Decimal(budget)
    if funding is None:
        city = min(budget, Decimal(100_000))
        funding = [("city", city)] + ([("county", budget - city)] if budget > city else [])
    return services.project_create(
        unit=geo.village_committee,
        year=year,
        name=name,
        category=category,
        description="改造广场地面、照明和健身器材。",
        budget=budget,
        funding=funding,
        decision=money.decision if decision is True else decision,
        actor=personas.village_official,
    )


def approved(geo, personas, money, **fields) -> FundProject:
    project = make_project(geo, personas, money, **fields)
    return services.project_approve(project=project, actor=personas.township_official)


def pay(project, money, amount, *, payee: str = "新津建工有限公司", person: bool = False, **extra):
    return services.disbursement_record(
        project=project,
        paid_on=timezone.localdate(),
        amount=Decimal(amount),
        payee=payee,
        payee_is_person=person,
        purpose="工程进度款",
        actor=extra.pop("actor", money.accountant),
        **extra,
    )


def implementing(geo, personas, money, **fields) -> FundProject:
    project = approved(geo, personas, money, **fields)
    pay(project, money, 50_000)
    project.refresh_from_db()
    return project


def accept(project, personas, *, result: str = "passed", final_accounts=None):
    """Inspected by the township today; the final accounts are the budget unless given."""
    return services.acceptance_record(
        project=project,
        inspected_on=timezone.localdate(),
        inspectors="张伟、五津街道规划建设办",
        result=result,
        final_accounts=Decimal(final_accounts or project.budget),
        note="工程质量符合设计要求。",
        actor=personas.township_official,
    )


def accepted(geo, personas, money, **fields) -> FundProject:
    project = implementing(geo, personas, money, **fields)
    accept(project, personas)
    project.refresh_from_db()
    return project


def make_residents(geo, count: int) -> list:
    """Verified residents of 平岗社区 with well-formed synthetic ID numbers."""
    people = []
    for index in range(count):
        user = UserFactory(username=f"villager{index}", full_name=f"村民{index}")
        number = id_number_for("510118", dt.date(1970, 1, 1) + dt.timedelta(days=index), 11)
        Residency.objects.create(
            user=user,
            region=geo.village,
            real_name=user.full_name,
            id_number_hash=identity.id_number_hash(number),
            id_number_masked=identity.mask_id_number(number),
            status=ResidencyStatus.VERIFIED,
        )
        people.append(user)
    return people


def evaluate(project, personas, residents, ratings: list[str]):
    """Run the project's public evaluation in the past: started by the village, rated by
    `residents` (one rating each, in order) and closed. Returns the closed round."""
    start = timezone.now() - dt.timedelta(days=10)
    round = services.evaluation_start(
        project=project,
        actor=personas.village_official,
        opens_at=start,
        closes_at=start + dt.timedelta(days=7),
        now=start - dt.timedelta(hours=1),
    )
    subject = round.subjects.get()
    for user, rating in zip(residents, ratings, strict=False):
        evaluations.evaluation_submit(
            round=round,
            ratings=[{"subject": subject.pk, "rating": rating}],
            user=user,
            now=start + dt.timedelta(days=1),
        )
    return evaluations.round_close(round=round, now=start + dt.timedelta(days=8))


UNSATISFIED = [Rating.UNSATISFIED, Rating.UNSATISFIED, Rating.BASIC]
SATISFIED = [Rating.SATISFIED, Rating.SATISFIED, Rating.UNSATISFIED]


def stage_rows(project) -> list[str]:
    return list(project.stages.order_by("reached_at", "id").values_list("stage", flat=True))
