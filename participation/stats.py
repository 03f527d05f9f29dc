"""Participation figures for any place subtree: the live counters of the seed platform
("opinions and suggestions, votes, solicitations, evaluations so far") and the same
figures month by month.

Definitions (the statistics page says the same):

- opinions (意见建议): opinions received on solicitations inside the place, whatever
  their moderation status (a hidden opinion was still received);
- ballots (投票): online ballots plus paper ballots entered from meetings (voided paper
  batches excluded), in votes organised inside the place;
- solicitations (民意征集): solicitations published inside the place (withdrawn ones
  included: they were published);
- evaluations (民主评议): ratings given, one per person per subject;
- mutual aid (邻里互助): posts written in villages inside the place;
- decisions (四议两公开): decisions recorded by village committees inside the place.

A month is a calendar month in Asia/Shanghai, counted by when the thing happened: a
ballot when cast, a paper batch on the day it was counted, a solicitation when published.
Every figure is one query on a code range of the table's copied `region` (or the vote's),
so the number of queries does not grow with the data; the answer is cached per place for
PARTICIPATION_STATS_CACHE_SECONDS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.models import (
    AidPost,
    Ballot,
    Decision,
    Evaluation,
    Opinion,
    PaperBatch,
    Solicitation,
    SolicitationStatus,
)
from portal import cachesafe, hierarchy
from portal.models import Region

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = 12

# (key, label) in the order pages show them; the first four are the seed's counters.
METRICS = [
    ("opinions", _("意见建议")),
    ("ballots", _("投票")),
    ("solicitations", _("民意征集")),
    ("evaluations", _("民主评议")),
    ("aid_posts", _("邻里互助")),
    ("decisions", _("四议两公开")),
]


@dataclass
class ParticipationStats:
    code: str
    totals: dict[str, int]
    # The first day of each of the last MONTHS months, oldest first, and per metric the
    # count in each of them.
    months: list[dt.date] = field(default_factory=list)
    monthly: dict[str, list[int]] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, str, int]]:
        return [(key, str(label), self.totals[key]) for key, label in METRICS]


def _month_starts(today: dt.date, count: int = MONTHS) -> list[dt.date]:
    year, month = today.year, today.month
    starts = []
    for _month in range(count):
        starts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def _sources(code: str) -> dict[str, tuple[QuerySet, str]]:
    """Each metric's rows inside the place, and the moment that dates them."""

    def inside(queryset: QuerySet, place_field: str = "region") -> QuerySet:
        return hierarchy.in_subtree(queryset, code, place_field)

    return {
        "opinions": (inside(Opinion.objects.all()), "created_at"),
        "ballots": (inside(Ballot.objects.all(), "vote__region"), "cast_at"),
        "solicitations": (
            inside(Solicitation.objects.exclude(status=SolicitationStatus.DRAFT)),
            "published_at",
        ),
        "evaluations": (inside(Evaluation.objects.all()), "created_at"),
        "aid_posts": (inside(AidPost.objects.all()), "created_at"),
        "decisions": (inside(Decision.objects.all()), "created_at"),
    }


def _paper(code: str) -> QuerySet[PaperBatch]:
    return hierarchy.in_subtree(
        PaperBatch.objects.filter(voided_at__isnull=True), code, "vote__region"
    )


def participation_stats(code: str, *, now: dt.datetime | None = None) -> ParticipationStats:
    """Totals so far and the last twelve months, for the place `code` and its subtree."""
    code = hierarchy.normalize_code(code)
    today = timezone.localdate(now) if now else timezone.localdate()
    months = _month_starts(today)
    since = dt.datetime.combine(months[0], dt.time.min, tzinfo=SHANGHAI)
    index = {month: i for i, month in enumerate(months)}
    totals: dict[str, int] = {}
    monthly: dict[str, list[int]] = {}
    for key, (rows, moment) in _sources(code).items():
        totals[key] = rows.count()
        series = [0] * len(months)
        grouped = (
            rows.filter(**{f"{moment}__gte": since})
            .annotate(month=TruncMonth(moment, tzinfo=SHANGHAI))
            .values("month")
            .annotate(n=Count("pk"))
        )
        for row in grouped:
            position = index.get(row["month"].date())
            if position is not None:
                series[position] = row["n"]
        monthly[key] = series
    paper = _paper(code)
    totals["ballots"] += paper.aggregate(n=Sum("ballots"))["n"] or 0
    by_month = (
        paper.filter(counted_on__gte=months[0])
        .annotate(month=TruncMonth("counted_on"))
        .values("month")
        .annotate(n=Sum("ballots"))
    )
    for row in by_month:
        position = index.get(row["month"])
        if position is not None:
            monthly["ballots"][position] += row["n"]
    return ParticipationStats(code=code, totals=totals, months=months, monthly=monthly)


# The seed's four counters, shown on every place page.
COUNTERS = ("opinions", "ballots", "solicitations", "evaluations")


def _scalar(rows: QuerySet, total=None) -> Subquery:
    """A subquery that counts (or sums) `rows`, for one SELECT of several figures."""
    return Subquery(
        rows.order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(n=total or Count("pk"))
        .values("n")
    )


def counters(code: str) -> dict[str, int]:
    """The seed's counters for a place and its subtree, in one query (the place pages
    show them on every view)."""
    code = hierarchy.normalize_code(code)
    sources = _sources(code)
    figures = {key: _scalar(sources[key][0]) for key in COUNTERS}
    figures["paper"] = _scalar(_paper(code), Sum("ballots"))
    row = Region.objects.filter(code=code).values(**figures).first() or {}
    result = {key: row.get(key) or 0 for key in COUNTERS}
    result["ballots"] += row.get("paper") or 0
    return result


def cached_counters(code: str) -> dict[str, int]:
    return _cached("counters", hierarchy.normalize_code(code), counters)


def _cached(name: str, code: str, compute):
    seconds = settings.PARTICIPATION_STATS_CACHE_SECONDS
    if not seconds:
        return compute(code)
    return cachesafe.get_or_compute(f"participation:{name}:{code}", lambda: compute(code), seconds)


def cached_stats(code: str) -> ParticipationStats:
    """The figures of a place, kept PARTICIPATION_STATS_CACHE_SECONDS (counters on every
    place page would otherwise count the city's rows on each view)."""
    return _cached("stats", hierarchy.normalize_code(code), participation_stats)


def cached_child_totals(code: str) -> list[tuple[str, dict[str, int]]]:
    return _cached("children", hierarchy.normalize_code(code), child_totals)


def child_totals(code: str) -> list[tuple[str, dict[str, int]]]:
    """The totals of each child place of `code` (and of the units at the place itself,
    under its own code): one grouped query per metric, on the code prefix."""
    code = hierarchy.normalize_code(code)
    length = hierarchy.child_prefix_length(code)
    if length is None:
        return []
    own = hierarchy.prefix_of(code)
    table: dict[str, dict[str, int]] = {}

    def add(key: str, rows: QuerySet, place_field: str, total) -> None:
        grouped = (
            rows.annotate(prefix=Substr(place_field, 1, length)).values("prefix").annotate(n=total)
        )
        for row in grouped:
            prefix = row["prefix"]
            # Rows of the place's own units have zeros in the child segment.
            child = code if prefix[len(own) :].strip("0") == "" else hierarchy.pad_code(prefix)
            table.setdefault(child, dict.fromkeys(k for k, _label in METRICS))
            table[child][key] = (table[child][key] or 0) + (row["n"] or 0)

    place_fields = {"ballots": "vote__region"}
    for key, (rows, _moment) in _sources(code).items():
        add(key, rows, place_fields.get(key, "region"), Count("pk"))
    add("ballots", _paper(code), "vote__region", Sum("ballots"))
    for counts in table.values():
        for key in counts:
            counts[key] = counts[key] or 0
    return sorted(table.items())
