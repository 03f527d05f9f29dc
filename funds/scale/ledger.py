"""The collective ledgers at scale: the last two years or so of every collective's books
(as many months as `ledger_entries` fills at about ten entries a month), kept by the
township's accounting centre.

Each month the demo's recipe (funds.demo.ledger and funds.demo.texts): the 报账员 draws
the float and accounts for it (a few villages let cash pile up, which the monitoring
finds; the others hand back what is left, so their cash stays within the float),
everyday expenses, the quarter's rents, subsidies and allowances, the projects' payments
(subject 154, citing the project's decision), now and then a large expense nobody
decided, and a correction as entry_correct books it (a red reversal 冲<number>, then the
entry booked again). Entries are numbered per month in booking order, on working days.

Written by COPY; the scanned vouchers then by one INSERT … SELECT over the expenses
(a few recent ones not scanned yet); the monthly statements with the figures the ledger
selectors compute (selectors.ledger._figures, fed from the same entries), linked to the
village's published 财务收支明细 record of the month where the disclosure data has one.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection

from funds import chart
from funds.demo.context import Context, Village
from funds.demo.ledger import _people
from funds.demo.texts import MONTHLY_ENTRIES, QUARTERLY_ENTRIES
from funds.models import Collective, Direction, LedgerEntry, MonthlyStatement, Voucher
from funds.scale.bulk import NULL, Moments, copy_lines, copy_text, copy_tuples, yuan_text
from funds.scale.projects import Plan, localise
from funds.selectors import ledger as selectors
from portal.scale import reserve_ids, table
from portal.workdays import working_days

ENTRIES_PER_MONTH = 10
# A large expense booked without a village decision (the monitoring raises it).
LARGE_UNDECIDED = (
    "551",
    "expense",
    "支付村道水毁应急抢修款",
    (50_000, 90_000),
    "新津区路桥工程队",
    False,
)
LARGE_UNDECIDED_SHARE = 0.002
CORRECTION_SHARE = 0.03  # of collective-months: one wrong amount, reversed and rebooked
HOARDING_SHARE = 0.02
SUBJECTS = {code: (name, category) for code, name, _kind, category in chart.CHART}
MONEY = frozenset(selectors.MONEY_SUBJECTS)
# Not corrected here: the float (cash) and the projects' payments (their disbursements).
FIXED = frozenset({chart.CASH, "154"})
ENTRY_COLUMNS = (
    "id",
    "collective_id",
    "region_id",
    "booked_on",
    "voucher_number",
    "summary",
    "subject_id",
    "direction",
    "amount",
    "counterparty",
    "counterparty_is_person",
    "handler",
    "approver",
    "reviewer",
    "decision_id",
    "corrects_id",
    "booked_by_id",
    "booked_at",
)


def money_fen(rng: random.Random, low: int, high: int) -> int:
    """funds.demo.ledger._money in fen: whole yuan, now and then with jiao and fen
    (drawn with random() alone: this runs a million times)."""
    random = rng.random
    roll = int(random() * 5)
    cents = int(random() * 100) if roll == 4 else (50 if roll == 3 else 0)
    return (low + int(random() * (high - low))) * 100 + cents


def book_months(today: dt.date, collectives: int, entries: int) -> list[dt.date]:
    """The months the platform's books cover: enough full months before this one for
    about ENTRIES_PER_MONTH entries a month (3 to 60), then this month's days so far."""
    count = max(3, min(60, round(entries / max(1, collectives) / ENTRIES_PER_MONTH)))
    month = today.replace(day=1)
    months = [month] if today.day > 1 else []
    for _ in range(count):
        month = selectors.previous_month(month)
        months.append(month)
    return sorted(months)


@dataclass(slots=True)
class Month:
    """What one collective books in one month, decided before any amount is drawn."""

    start: dt.date
    days: list[dt.date]  # its working days up to yesterday
    quarterly: list[tuple] = field(default_factory=list)
    payments: list[tuple[Plan, int]] = field(default_factory=list)  # (project, part)
    large: bool = False
    correction: bool = False
    everyday: int = 0

    @property
    def fixed(self) -> int:
        return 2 + len(self.quarterly) + len(self.payments) + self.large + 2 * self.correction


@dataclass
class Books:
    collective: Collective
    village: Village
    signers: tuple[str, str, str]
    accountant: int
    hoarding: bool
    months: list[Month]
    county: str


def plan_books(
    fctx: Context,
    rng: random.Random,
    pairs: list[tuple[Village, Collective]],
    plans: list[Plan],
    months: list[dt.date],
    today: dt.date,
    target: int,
    county_of,
) -> list[Books]:
    """Every collective's months with their fixed entries, then the everyday expenses
    spread over them so that the total is `target` (when the fixed ones leave room)."""
    yesterday = today - dt.timedelta(days=1)
    workdays: dict[dt.date, list[dt.date]] = defaultdict(list)
    for day in working_days(months[0], yesterday):
        workdays[day.replace(day=1)].append(day)
    first = months[0]
    paid: dict[tuple[str, dt.date], list] = defaultdict(list)
    for plan in plans:
        for part, (day, _amount, _payee, _person) in enumerate(plan.payments, 1):
            if first <= day <= yesterday:
                paid[(plan.village.code, day.replace(day=1))].append((plan, part))
    books = []
    for village, collective in pairs:
        signers = fctx.signers.get(village.code)
        if signers is None:
            signers = _people(fctx, village)
            fctx.signers[village.code] = signers
        own = not collective.group_name
        book = Books(
            collective=collective,
            village=village,
            signers=signers,
            accountant=fctx.accountants[village.centre.pk].pk,
            hoarding=rng.random() < HOARDING_SHARE,
            months=[],
            county=county_of(village.code),
        )
        for start in months:
            days = workdays.get(start, [])
            if not days:
                continue
            month = Month(start=start, days=days)
            if start.month % 3 == 0 and days[-1] >= start + dt.timedelta(days=20):
                month.quarterly = rng.sample(QUARTERLY_ENTRIES, rng.randint(1, 2))
            if own:
                month.payments = paid.get((village.code, start), [])
            month.large = rng.random() < LARGE_UNDECIDED_SHARE
            month.correction = rng.random() < CORRECTION_SHARE
            book.months.append(month)
        books.append(book)
    _spread_everyday(rng, books, target)
    return books


def _spread_everyday(rng: random.Random, books: list[Books], target: int) -> None:
    """What the fixed entries leave of `target`, over the months: busier collectives
    book more; rounding by running total, so the sum is exact."""
    months = [(rng.uniform(0.6, 1.4), m) for book in books for m in book.months]
    left = target - sum(m.fixed for _w, m in months)
    if left <= 0:
        for _w, month in months:
            month.correction = False
        return
    total_weight = sum(w for w, _m in months)
    running, given = 0.0, 0
    for weight, month in months:
        running += left * weight / total_weight
        month.everyday = round(running) - given
        given += month.everyday
    # A correction needs an everyday expense to correct: else its two entries go to
    # the month's everyday ones.
    for _w, month in months:
        if month.correction and month.everyday == 0:
            month.correction = False
            month.everyday = 2


@dataclass
class Figures:
    """What a collective's months add up to, for the statements (fen)."""

    # month → (subject, direction) → [total, count]
    in_month: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(lambda: [0, 0])))
    corrections: dict = field(default_factory=lambda: defaultdict(int))


def write_entries(
    books: list[Books], moments: Moments, rng: random.Random
) -> tuple[int, int, dict[tuple[int, int], int], dict[int, Figures]]:
    """COPY every entry; returns (count, the first id, (project, part) → entry id,
    figures by collective)."""
    reserved = reserve_ids(LedgerEntry, sum(m.fixed + m.everyday for b in books for m in b.months))
    ids = iter(reserved)
    payments: dict[tuple[int, int], int] = {}
    figures: dict[int, Figures] = {}

    def lines():
        for book in books:
            figures[book.collective.pk] = Figures()
            yield from _collective_lines(
                book, ids, payments, figures[book.collective.pk], moments, rng
            )

    written = copy_lines(LedgerEntry, ENTRY_COLUMNS, lines())
    return written, reserved.start, payments, figures


def _month_lines(book: Books, month: Month, rng: random.Random, vocabulary) -> list[tuple]:
    """The month's entries before numbering, each (day, summary, subject, direction, fen,
    counterparty, a person?, reviewer, decision id or None, (project, part) or None)."""
    random = rng.random
    everyday, quarterly, large, cash = vocabulary
    handler, _approver, reviewer = book.signers
    days = month.days
    n = len(days)
    lines = []
    at = int(random() * min(5, n))
    drawn = money_fen(rng, 1000, 3000)
    lines.append((days[at], "提取备用金", "101", "income", drawn, "代理记账中心", False, reviewer))
    if book.hoarding:
        spent = drawn * 3 // 10
    else:
        spent = drawn * (85 + int(random() * 16)) // 100
        keep = int(random() * 80_000)
        if cash[0] + drawn - spent > keep:
            spent = cash[0] + drawn - keep
    cash[0] += drawn - spent
    lines.append(
        (
            days[min(n - 1, at + 5 + int(random() * 5))],
            "报销零星开支，冲减备用金",
            "101",
            "expense",
            spent,
            handler,
            True,
            reviewer if random() > 0.05 else "",
        )
    )
    kinds = len(everyday)
    for _ in range(month.everyday):
        subject, direction, summary, (low, high), party, person = everyday[int(random() * kinds)]
        day = days[int(random() * n)]
        lines.append(
            (day, summary, subject, direction, money_fen(rng, low, high), party, person, reviewer)
        )
    for row in month.quarterly:
        subject, direction, summary, (low, high), party, person = quarterly[row]
        day = days[n // 3 + int(random() * (n - n // 3))]
        lines.append(
            (day, summary, subject, direction, money_fen(rng, low, high), party, person, reviewer)
        )
    if month.large:
        subject, direction, summary, (low, high), party, person = large
        day = days[int(random() * n)]
        lines.append(
            (day, summary, subject, direction, money_fen(rng, low, high), party, person, reviewer)
        )
    for plan, part in month.payments:
        day, fen, payee, person = plan.payments[part - 1]
        lines.append(
            (
                day,
                copy_text(f"支付{plan.name}工程款（第{part}笔）"),
                "154",
                "expense",
                fen,
                payee,
                person,
                reviewer,
                plan.decision_pk,
                (plan.pk, part),
            )
        )
    lines.sort(key=_day)
    return lines


def _day(line: tuple) -> dt.date:
    return line[0]


def _collective_lines(book: Books, ids, payments, figures: Figures, moments: Moments, rng):
    collective, village = book.collective, book.village
    handler, approver, _reviewer = book.signers
    county = book.county
    vocabulary = (
        [(s, d, t, r, localise(c, county), p) for s, d, t, r, c, p in MONTHLY_ENTRIES[1:]],
        {row: (*row[:4], localise(row[4], county), row[5]) for row in QUARTERLY_ENTRIES},
        (*LARGE_UNDECIDED[:4], localise(LARGE_UNDECIDED[4], county), False),
        [0],  # the cash the 报账员 holds, in fen
    )
    # What every line of the collective shares.
    head = f"\t{collective.pk}\t{village.code}\t"
    signed = f"\t{handler}\t{approver}\t"
    booker = f"\t{book.accountant}\t"
    for month in book.months:
        lines = _month_lines(book, month, rng, vocabulary)
        prefix = f"{month.start:%Y-%m}-"
        numbered = []
        for number, line in enumerate(lines, 1):
            pk = next(ids)
            if len(line) == 10:
                payments[line[9]] = pk
            numbered.append((pk, f"{prefix}{number:03d}", line, None))
        if month.correction:
            # entry_correct: a red reversal numbered 冲<number>, then the entry booked
            # again with the right amount, both pointing at it, in the same open month.
            candidates = [
                row for row in numbered if row[2][3] == "expense" and row[2][2] not in FIXED
            ]
            pk, number, line, _corrects = candidates[int(rng.random() * len(candidates))]
            day = min(line[0] + dt.timedelta(days=2), month.days[-1])
            reason = f"更正：冲销{number}号凭证。原因：金额记错"
            numbered.append(
                (next(ids), f"冲{number}", (day, reason, *line[2:4], -line[4], *line[5:]), pk)
            )
            rebooked = (day, line[1], *line[2:4], line[4] * 9 // 10, *line[5:])
            numbered.append((next(ids), f"{prefix}{len(lines) + 1:03d}", rebooked, pk))
            figures.corrections[month.start] += 2
        totals = figures.in_month[month.start]
        for pk, number, line, corrects in numbered:
            day, summary, subject, direction, fen, party, person, reviewer = line[:8]
            decision = line[8] if len(line) > 8 else None
            total = totals[(subject, direction)]
            total[0] += fen
            total[1] += 1
            yield (
                f"{pk}{head}{day}\t{number}\t{summary}\t{subject}\t{direction}\t"
                f"{yuan_text(fen)}\t{party}\t{'t' if person else 'f'}{signed}{reviewer}\t"
                f"{NULL if decision is None else decision}\t"
                f"{NULL if corrects is None else corrects}{booker}"
                f"{moments.text(day, 9 + pk % 8)}\n"
            )


def _fen(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def statement_figures(months: list[dt.date], figures: Figures) -> dict[dt.date, dict]:
    """statement_figures of each month of one collective, from what its entries add up
    to: the same rows the selector's grouped queries return, given to its _figures."""
    result = {}
    before: dict[tuple[str, str], int] = defaultdict(int)
    year_totals: dict[tuple[int, str], int] = defaultdict(int)
    for start in months:
        totals = figures.in_month.get(start, {})
        in_month = [
            {
                "subject_id": subject,
                "subject__name": SUBJECTS[subject][0],
                "subject__category": SUBJECTS[subject][1],
                "direction": direction,
                "total": _fen(total),
                "count": count,
            }
            for (subject, direction), (total, count) in sorted(totals.items())
        ]
        for (subject, direction), (total, _count) in totals.items():
            if subject not in MONEY:
                year_totals[(start.year, direction)] += total
        result[start] = selectors._figures(
            start,
            in_month=in_month,
            before=[
                {"subject_id": s, "direction": d, "total": _fen(t)} for (s, d), t in before.items()
            ],
            year=[
                {"direction": d, "total": _fen(t)}
                for (y, d), t in year_totals.items()
                if y == start.year
            ],
            corrections=figures.corrections.get(start, 0),
        )
        for (subject, direction), (total, _count) in totals.items():
            if subject in MONEY:
                before[(subject, direction)] += total
    return result


def write_vouchers(first_id: int, today: dt.date, seed: int, scans) -> int:
    """A scanned voucher for every expense entry of the books (pointing at the demo's
    scans in turn, as the demo does), except a few: most of those booked in the last
    month wait to be scanned, and now and then an older one is missing."""
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(scans))
    params: list = []
    for index, scan in enumerate(scans):
        params += [index, scan.name, scan.size, scan.sha256]
    recent = today - dt.timedelta(days=30)
    # Only table names and placeholders are formatted in; every value is a parameter.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table(Voucher)} (entry_id, file, token, original_name, content_type,
                size, sha256, uploaded_by_id, uploaded_at)
            SELECT e.id, s.name, md5(%s || ':' || e.id), '凭证' || e.voucher_number || '.png',
                'image/png', s.size, s.sha256, e.booked_by_id,
                (e.booked_on + time '17:30') AT TIME ZONE %s
            FROM {table(LedgerEntry)} e
            JOIN (VALUES {rows}) AS s (n, name, size, sha256) ON s.n = e.id %% %s
            WHERE e.id >= %s AND e.direction = %s AND e.amount > 0
              AND (e.id * 2654435761) %% 1000 >= CASE WHEN e.booked_on > %s THEN 150 ELSE 2 END
            """,  # noqa: S608  # nosec B608
            [
                f"{seed}:voucher",
                settings.TIME_ZONE,
                *params,
                len(scans),
                first_id,
                Direction.EXPENSE,
                recent,
            ],
        )
        return cursor.rowcount


def write_statements(
    books: list[Books],
    figures: dict[int, Figures],
    records: dict[tuple[int, dt.date], tuple[int, dt.datetime]],
    today: dt.date,
    moments: Moments,
) -> int:
    """The statement of every month that is over, generated the day after it ended;
    published where `records` names its record (collective id, month → record id,
    published at)."""

    def rows():
        for book in books:
            collective = book.collective
            over = [m.start for m in book.months if selectors.month_end(m.start) < today]
            computed = statement_figures(over, figures[collective.pk])
            for month in over:
                record = records.get((collective.pk, month))
                yield (
                    collective.pk,
                    collective.region_id,
                    month,
                    copy_text(json.dumps(computed[month], ensure_ascii=False)),
                    moments.text(selectors.month_end(month) + dt.timedelta(days=1), 6),
                    record[0] if record else None,
                    record[1] if record else None,
                )

    written = copy_tuples(
        MonthlyStatement,
        (
            "collective_id",
            "region_id",
            "month",
            "figures",
            "generated_at",
            "record_id",
            "published_at",
        ),
        rows(),
    )
    return written
