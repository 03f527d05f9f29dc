"""The collective accounts of every village for the months of this year that are over
(新津区's since January, the others' since they joined the platform three months ago):
the 报账员's float drawn and accounted for, everyday expenses, quarterly rents, subsidies
and allowances; vouchers scanned for nearly every expense; fixed assets and resources;
members (the verified residents, where the portal has them).

Written in bulk with the rules of the ledger services: unique voucher numbers per
collective, positive amounts (a correction's reversal negative, pointing at what it
corrects), the collective's place copied. The statements: see `statements_create`;
their figures are the ledger selectors' own computation.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from decimal import Decimal

from django.utils import translation

from disclosure import catalogs
from disclosure.demo import Context as RecordContext
from disclosure.demo import RecordPlan, records_write
from disclosure.models import CatalogItem, Record, RecordStatus
from funds.demo.context import Context, Village, is_pinggang
from funds.demo.scans import Scan, demo_scans
from funds.demo.texts import GROUP_NAMES, MONTHLY_ENTRIES, QUARTERLY_ENTRIES
from funds.models import (
    AssetStatus,
    Collective,
    Direction,
    FixedAsset,
    LedgerEntry,
    Member,
    MonthlyStatement,
    Resource,
    ResourceKind,
    Voucher,
)
from funds.selectors import ledger as selectors
from funds.services.ledger import (
    RECORD_LANGUAGE,
    STATEMENT_ITEM,
    statement_record_body,
    statement_title,
)
from portal.demo.people import make_person
from portal.models import Residency, ResidencyStatus, UnitKind

BATCH = 5000
PILOT_OPENED = dt.date(2020, 1, 1)


def _money(ctx: Context, low: int, high: int) -> Decimal:
    cents = ctx.rng.choice((0, 0, 0, 50, ctx.rng.randrange(100)))
    return Decimal(ctx.rng.randrange(low, high)) + Decimal(cents) / 100


def collectives_create(ctx: Context) -> list[tuple[Village, Collective]]:
    rows = []
    for village in ctx.villages:
        kind = "股份经济合作社" if village.name.endswith("社区") else "集体经济合作社"
        rows.append((village, "", f"{village.name}{kind}"))
        if is_pinggang(village):
            rows += [
                (village, group, f"{village.name}{group}集体经济组织") for group in GROUP_NAMES
            ]
    collectives = Collective.objects.bulk_create(
        [
            Collective(
                region_id=village.code,
                group_name=group,
                name=name,
                centre=village.centre,
                cash_float=Decimal(3000 if ctx.rng.random() < 0.2 else 5000),
                # 新津区's accounts were opened on the platform in its pilot, before the
                # books of this year; the others' when they joined.
                opened_on=PILOT_OPENED if village.in_xinjin else ctx.books_from(village),
            )
            for village, group, name in rows
        ],
        batch_size=BATCH,
    )
    return [
        (village, collective)
        for (village, _g, _n), collective in zip(rows, collectives, strict=True)
    ]


def members_create(pairs: list[tuple[Village, Collective]]) -> int:
    """The verified residents of a village are members of its own collective (the hash and
    mask travel as they are: the same keyed hash of the same ID number)."""
    main = {village.code: c for village, c in pairs if not c.group_name}
    rows = [
        Member(
            collective=main[r.region_id],
            real_name=r.real_name,
            id_number_hash=r.id_number_hash,
            id_number_masked=r.id_number_masked,
            group_name=r.group_name,
            registered_on=dt.date(2020, 6, 30),
        )
        for r in Residency.objects.filter(
            status=ResidencyStatus.VERIFIED, region_id__in=list(main)
        ).order_by("id")
    ]
    Member.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)


def _people(ctx: Context, village: Village) -> tuple[str, str, str]:
    """The 报账员 who handles, the committee's head who approves, the supervisory
    committee's head who reviews: synthetic names of the village."""
    area = village.code[:6]
    return tuple(make_person(ctx.rng, area_code=area).full_name for _ in range(3))


def _entry(collective: Collective, ctx: Context, day, number, row, **extra) -> LedgerEntry:
    subject, direction, summary, (low, high), counterparty, person = row
    return LedgerEntry(
        collective=collective,
        region_id=collective.region_id,
        booked_on=day,
        voucher_number=f"{day:%Y-%m}-{number:03d}",
        summary=summary,
        subject_id=subject,
        direction=direction,
        amount=extra.pop("amount", None) or _money(ctx, low, high),
        counterparty=counterparty,
        counterparty_is_person=person,
        **extra,
    )


def entries_create(ctx: Context, pairs: list[tuple[Village, Collective]]) -> list[LedgerEntry]:
    entries: list[LedgerEntry] = []
    for village, collective in pairs:
        months = ctx.book_months(village)
        handler, approver, reviewer = _people(ctx, village)
        ctx.signers.setdefault(village.code, (handler, approver, reviewer))
        signed = {
            "handler": handler,
            "approver": approver,
            "booked_by": ctx.accountants[village.centre.pk],
        }
        # A few villages let cash pile up with the 报账员: the monitoring finds them.
        hoarding = ctx.rng.random() < 0.02
        for month in months:
            number, day = 0, month
            drawn = _money(ctx, 1000, 3000)
            for row, amount in (
                (MONTHLY_ENTRIES[0], drawn),
                (("101", "expense", "报销零星开支，冲减备用金", (0, 1), handler, True), None),
            ):
                number += 1
                day = month + dt.timedelta(days=ctx.rng.randrange(2, 8) + 10 * (number - 1))
                if amount is None:
                    share = (
                        Decimal("0.3") if hoarding else Decimal(ctx.rng.randrange(85, 101)) / 100
                    )
                    amount = (drawn * share).quantize(Decimal("0.01"))
                entries.append(
                    _entry(
                        collective,
                        ctx,
                        day,
                        number,
                        row,
                        amount=amount,
                        **signed,
                        reviewer=reviewer if ctx.rng.random() > 0.05 else "",
                    )
                )
            for row in ctx.rng.sample(MONTHLY_ENTRIES[1:], ctx.rng.randint(1, 3)):
                number += 1
                day = month + dt.timedelta(days=ctx.rng.randrange(3, 27))
                entries.append(
                    _entry(collective, ctx, day, number, row, **signed, reviewer=reviewer)
                )
            if month.month % 3 == 0:
                for row in ctx.rng.sample(QUARTERLY_ENTRIES, ctx.rng.randint(1, 2)):
                    number += 1
                    day = month + dt.timedelta(days=ctx.rng.randrange(10, 27))
                    entries.append(
                        _entry(collective, ctx, day, number, row, **signed, reviewer=reviewer)
                    )
    LedgerEntry.objects.bulk_create(entries, batch_size=BATCH)
    return entries


def corrections_create(ctx: Context, entries: list[LedgerEntry]) -> int:
    """Now and then a wrong amount, reversed in red and booked again, as entry_correct does."""
    rows = []
    last = {}
    for entry in entries:
        last[entry.collective_id] = max(
            last.get(entry.collective_id, 0), int(entry.voucher_number[-3:])
        )
    for entry in entries:
        if (
            entry.direction != Direction.EXPENSE
            or entry.subject_id == "101"
            or ctx.rng.random() > 0.004
        ):
            continue
        number = last[entry.collective_id]
        month_end = selectors.month_end(entry.booked_on)
        right = (entry.amount * Decimal("0.9")).quantize(Decimal("0.01"))
        for summary, amount in (
            (f"更正：冲销{entry.voucher_number}（金额记错）", -entry.amount),
            (f"更正：重记{entry.voucher_number}", right),
        ):
            number += 1
            rows.append(
                LedgerEntry(
                    collective_id=entry.collective_id,
                    region_id=entry.region_id,
                    booked_on=min(entry.booked_on + dt.timedelta(days=2), month_end),
                    voucher_number=f"{entry.booked_on:%Y-%m}-{number:03d}",
                    summary=summary,
                    subject_id=entry.subject_id,
                    direction=entry.direction,
                    amount=amount,
                    counterparty=entry.counterparty,
                    counterparty_is_person=entry.counterparty_is_person,
                    handler=entry.handler,
                    approver=entry.approver,
                    reviewer=entry.reviewer,
                    corrects=entry,
                    booked_by_id=entry.booked_by_id,
                )
            )
        last[entry.collective_id] = number
    LedgerEntry.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def vouchers_create(ctx: Context, scans: list[Scan]) -> int:
    """A scan for nearly every expense booked so far, the projects' payments included (a
    few are missing: the monitoring finds them). Reversals in red need none."""
    rows = []
    expenses = (
        LedgerEntry.objects.filter(direction=Direction.EXPENSE, amount__gt=0)
        .order_by("pk")
        .values_list("pk", "voucher_number", "booked_by_id")
    )
    for index, (pk, number, booked_by) in enumerate(expenses):
        if ctx.rng.random() < 0.015:
            continue
        scan = scans[index % len(scans)]
        voucher = Voucher(
            entry_id=pk,
            token=secrets.token_hex(16),
            original_name=f"凭证{number}.png",
            content_type="image/png",
            size=scan.size,
            sha256=scan.sha256,
            uploaded_by_id=booked_by,
        )
        voucher.file.name = scan.name
        rows.append(voucher)
    Voucher.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def registers_create(ctx: Context, pairs: list[tuple[Village, Collective]]) -> int:
    assets, resources = [], []
    for village, collective in pairs:
        if collective.group_name:
            continue
        assets.append(
            FixedAsset(
                collective=collective,
                name=f"{village.name}党群服务中心办公楼",
                category="房屋及建筑物",
                value=Decimal(ctx.rng.randrange(40, 160) * 10_000),
                location=f"{village.name}中心院落",
                acquired_on=dt.date(ctx.rng.randrange(2008, 2020), 6, 1),
                status=AssetStatus.IN_USE,
            )
        )
        if ctx.rng.random() < 0.5:
            start = dt.date(ctx.rng.randrange(2021, 2026), 1, 1)
            assets.append(
                FixedAsset(
                    collective=collective,
                    name="集体闲置厂房",
                    category="房屋及建筑物",
                    value=Decimal(ctx.rng.randrange(20, 90) * 10_000),
                    location=f"{village.name}{ctx.rng.randrange(1, 9)}组",
                    acquired_on=dt.date(2012, 3, 1),
                    status=AssetStatus.LEASED,
                    lessee="新津区兴达农产品加工厂",
                    lease_start=start,
                    lease_end=start.replace(year=start.year + 5),
                    annual_rent=Decimal(ctx.rng.randrange(3, 12) * 10_000),
                )
            )
        holder = make_person(ctx.rng, area_code=village.code[:6]).full_name
        start = dt.date(ctx.rng.randrange(2018, 2025), 1, 1)
        kind, land = ctx.rng.choice(
            [
                (ResourceKind.LAND, "耕地"),
                (ResourceKind.FOREST, "林地"),
                (ResourceKind.WATER, "鱼塘"),
            ]
        )
        resources.append(
            Resource(
                collective=collective,
                kind=kind,
                name=f"{village.name}{ctx.rng.randrange(1, 9)}组集体{land}",
                area=Decimal(ctx.rng.randrange(5, 120)),
                holder=holder,
                holder_is_person=True,
                term_start=start,
                term_end=start.replace(year=start.year + 10),
                annual_rent=Decimal(ctx.rng.randrange(20, 90) * 100),
            )
        )
    FixedAsset.objects.bulk_create(assets, batch_size=BATCH)
    Resource.objects.bulk_create(resources, batch_size=BATCH)
    return len(assets) + len(resources)


def _entries_by_month(year: int) -> dict[tuple[int, dt.date], list[LedgerEntry]]:
    """Every entry of `year`, each collective's month in booking order (one query)."""
    grouped: dict[tuple[int, dt.date], list[LedgerEntry]] = defaultdict(list)
    for entry in (
        LedgerEntry.objects.filter(booked_on__year=year)
        .select_related("subject", "corrects")
        .order_by("booked_on", "pk")
    ):
        grouped[(entry.collective_id, entry.booked_on.replace(day=1))].append(entry)
    return grouped


def statements_create(ctx: Context, pairs: list[tuple[Village, Collective]]) -> int:
    """Each village's statements of this year's months that are over, computed from the
    finished books. Where the village published its 财务收支明细 record in the disclosure
    demo (新津区 every month) the statement points at it; elsewhere the village published
    it a few days into the next month, in a record with the body statement_publish
    writes, except now and then (no statement: the monitoring finds it late). Last
    month's is generated everywhere and published where a record says so."""
    published = defaultdict(dict)
    for unit_id, period, pk, at in Record.objects.filter(
        item__level2=STATEMENT_ITEM,
        unit_kind=UnitKind.VILLAGE_COMMITTEE,
        status=RecordStatus.PUBLISHED,
        period_start__year=ctx.today.year,
    ).values_list("unit_id", "period_start", "pk", "published_at"):
        published[unit_id][period] = (pk, at)
    months = ctx.months(ctx.today.year)
    last = months[-1] if months else None
    rows = []  # (village, collective, month, existing record or None, publish?)
    villages_rows = {}  # (village code, month) → index of the village's own row
    for village, collective in pairs:
        records = published.get(village.committee.pk, {})
        for month in ctx.book_months(village):
            if collective.group_name:
                # A group's month goes out with the village's, in the same record.
                if (village.code, month) in villages_rows:
                    rows.append((village, collective, month, None, False))
                continue
            record = records.get(month)
            if record is not None or month == last:
                publish = False
            elif not village.in_xinjin and ctx.rng.random() > 0.03:
                publish = True
            else:
                continue
            villages_rows[(village.code, month)] = len(rows)
            rows.append((village, collective, month, record, publish))
    figures = selectors.statement_figures_many([(c, m) for _v, c, m, _r, _p in rows])
    statements = [
        MonthlyStatement(
            collective=collective,
            region_id=collective.region_id,
            month=month,
            figures=figures[(collective.pk, month)],
            generated_at=ctx.at(selectors.month_end(month) + dt.timedelta(days=1)),
            record_id=record[0] if record else None,
            published_at=record[1] if record else None,
        )
        for _village, collective, month, record, _publish in rows
    ]
    _statements_publish(
        ctx, [(row, st) for row, st in zip(rows, statements, strict=True) if row[4]]
    )
    for (village, collective, month, _record, _publish), statement in zip(
        rows, statements, strict=True
    ):
        if collective.group_name:
            lead = statements[villages_rows[(village.code, month)]]
            statement.record_id, statement.published_at = lead.record_id, lead.published_at
    MonthlyStatement.objects.bulk_create(statements, batch_size=1000)
    return len(statements)


def _statements_publish(ctx: Context, chosen: list[tuple[tuple, MonthlyStatement]]) -> None:
    """The records of the statements published here, written in bulk with the title and
    body statement_publish gives them."""
    if not chosen:
        return
    entries = _entries_by_month(ctx.today.year)
    record_ctx = RecordContext.load(
        fallback_author=ctx.admin.pk,
        first_day=dt.date(ctx.today.year, 1, 1),
        last_day=ctx.today,
    )
    items: dict[int, CatalogItem] = {}
    plans = []
    with translation.override(RECORD_LANGUAGE):
        for (village, collective, month, _record, _publish), statement in chosen:
            template = catalogs.catalog_for_unit(village.committee)
            if template is None:
                continue
            if template.pk not in items:
                items[template.pk] = template.items.get(level2=STATEMENT_ITEM)
            day = selectors.month_end(month) + dt.timedelta(days=ctx.rng.randrange(1, 9))
            plan = RecordPlan(
                unit=village.committee,
                item=items[template.pk],
                genre="statement",
                title=statement_title(collective, month)[:200],
                info_date=day,
                published_at=ctx.at(day, hour=ctx.rng.randrange(9, 17)),
                body_seed=0,
                period_start=month,
                period_end=selectors.month_end(month),
                body=statement_record_body(statement, entries.get((collective.pk, month), [])),
            )
            plans.append((statement, plan))
    records_write(record_ctx, [plan for _statement, plan in plans])
    for statement, plan in plans:
        statement.record = plan.record
        statement.published_at = plan.published_at


def ledgers_create(ctx: Context) -> tuple[list[tuple[Village, Collective]], dict[str, int]]:
    """The books up to the projects' payments: collectives, members, entries and their
    corrections, the registers."""
    pairs = collectives_create(ctx)
    entries = entries_create(ctx, pairs)
    counts = {
        "collectives": len(pairs),
        "members": members_create(pairs),
        "entries": len(entries),
        "corrections": corrections_create(ctx, entries),
        "registers": registers_create(ctx, pairs),
    }
    return pairs, counts


def books_close(ctx: Context, pairs: list[tuple[Village, Collective]]) -> dict[str, int]:
    """After the projects' payments are booked: the scanned vouchers and the statements."""
    return {
        "vouchers": vouchers_create(ctx, demo_scans(ctx.seed)),
        "statements": statements_create(ctx, pairs),
    }
