"""Opinion solicitations of the demo, through the solicitation services (create, publish,
group, report) on their own clock; the citizens' opinions are written in bulk, already
moderated as an official would have (published, or hidden with a reason).

Villages of 新津区, its township offices, some of its departments and two city
departments put drafts out for comment between January 2025 and November 2026. Those
that ended more than a fortnight ago have their feedback report; the newer ones wait for
it; 平岗社区's parking rules are open now, with opinions still awaiting review.
"""

from __future__ import annotations

import datetime as dt

from participation.demo.context import Context, spread_times
from participation.demo.texts import GENERAL_OPINIONS, HIDE_REASONS, SOLICITATION_TOPICS
from participation.models import Opinion, OpinionStatus, Solicitation
from participation.services import solicitations as services
from portal import hierarchy
from portal.demo.geography import CITY_CODE, XINJIN_CODE
from portal.models import Unit, UnitKind

FIRST_DAY = dt.date(2025, 1, 10)
LAST_DAY = dt.date(2026, 11, 10)
# Departments of the county and the city that consult the public in the demo.
DEPARTMENT_NAMES = ("住房和城乡建设局", "民政局", "生态环境局", "农业农村局")


def _organisers(ctx: Context) -> list[tuple[Unit, object]]:
    """(unit, the official who acts for it): villages act through their own official,
    the others through the platform admin (the demo has no officials there)."""
    villages = [(v.committee, v.official) for v in ctx.villages[::8]]
    offices = hierarchy.in_subtree(
        Unit.objects.filter(kind=UnitKind.TOWNSHIP_OFFICE), XINJIN_CODE
    ).order_by("region_id")
    departments = Unit.objects.filter(
        kind=UnitKind.DEPARTMENT,
        region_id__in=[XINJIN_CODE, CITY_CODE],
        name__regex=r"(" + "|".join(DEPARTMENT_NAMES) + r")$",
    ).order_by("region_id", "name")
    others = [(unit, ctx.admin) for unit in [*offices, *departments]]
    return villages + others


def _opinions(
    ctx: Context, solicitation: Solicitation, topic: dict, authors: list, pending: bool
) -> None:
    rows = []
    said = [*topic["opinions"], *GENERAL_OPINIONS]
    for author in ctx.rng.sample(authors, min(len(authors), ctx.rng.randrange(4, 26))):
        text = ctx.rng.choice(said)
        hidden = ctx.rng.random() < 0.08
        status = OpinionStatus.HIDDEN if hidden else OpinionStatus.PUBLISHED
        if pending and ctx.rng.random() < 0.3:
            status = OpinionStatus.PENDING
        moderated = status != OpinionStatus.PENDING
        rows.append(
            Opinion(
                solicitation=solicitation,
                region_id=solicitation.region_id,
                author=author,
                author_name=author.full_name,
                text=text,
                content_hash=services.content_hash(text),
                status=status,
                hidden_reason=ctx.rng.choice(HIDE_REASONS)
                if status == OpinionStatus.HIDDEN
                else "",
                moderated_by=solicitation.created_by if moderated else None,
                moderated_at=min(solicitation.closes_at, ctx.now) if moderated else None,
            )
        )
    Opinion.objects.bulk_create(rows)
    # Written within the window (up to now for an open one), reviewed at its end.
    until = min(solicitation.closes_at, ctx.now)
    span = int((until - solicitation.opens_at).total_seconds())
    spread_times(Opinion, [row.pk for row in rows], "created_at", solicitation.opens_at, span)


def _report(ctx: Context, solicitation: Solicitation, topic: dict, actor) -> None:
    published = list(solicitation.opinions.filter(status=OpinionStatus.PUBLISHED).order_by("id"))
    groups = list(topic["groups"])[: len(published)]
    for index, (summary, adoption, reason) in enumerate(groups):
        members = published[index :: len(groups)]
        services.group_create(
            solicitation=solicitation,
            summary=summary,
            adoption=adoption,
            reason=reason,
            opinions=members,
            actor=actor,
        )
    services.report_publish(
        solicitation=solicitation,
        report=(
            f"本次征集共收到意见{solicitation.opinions.count()}条，经归纳整理，"
            "采纳情况如下。未采纳的意见已说明理由，感谢大家的参与。"
        ),
        actor=actor,
    )


def solicitations_create(ctx: Context) -> int:
    """The demo's solicitations; returns how many."""
    residents = [user for village in ctx.villages for user in village.residents]
    span = (LAST_DAY - FIRST_DAY).days
    created = 0
    for unit, actor in _organisers(ctx):
        for _round in range(ctx.rng.choice((1, 2))):
            opens = ctx.at(FIRST_DAY + dt.timedelta(days=ctx.rng.randrange(span)), 9)
            _create(ctx, unit, actor, residents, opens, opens + dt.timedelta(days=15))
            created += 1
    village = ctx.pinggang
    opens = ctx.now - dt.timedelta(days=4)
    _create(
        ctx,
        village.committee,
        village.official,
        village.residents,
        opens,
        ctx.now + dt.timedelta(days=10),
        topic=0,
    )
    return created + 1


def _create(ctx: Context, unit: Unit, actor, authors, opens, closes, topic=None) -> None:
    chosen = SOLICITATION_TOPICS[
        ctx.rng.randrange(len(SOLICITATION_TOPICS)) if topic is None else topic
    ]
    words = {"place": unit.region.name, "year": opens.year + 1}
    solicitation = services.solicitation_create(
        unit=unit,
        title=chosen["title"].format(**words),
        summary=chosen["summary"],
        body="".join(f"<p>{paragraph}</p>" for paragraph in chosen["body"]),
        opens_at=opens,
        closes_at=closes,
        actor=actor,
    )
    services.solicitation_publish(solicitation=solicitation, actor=actor, now=opens)
    live = closes > ctx.now
    _opinions(
        ctx, solicitation, chosen, authors, pending=live or closes > ctx.now - dt.timedelta(days=14)
    )
    if not live and closes < ctx.now - dt.timedelta(days=14):
        _report(ctx, solicitation, chosen, actor)
