"""Reads of the three-asset ledgers (三资): what the public sees of a collective (its
published months, their entries, its registers), the figures of a monthly statement,
and which collectives an official works on in the back office.

An entry is public when the statement of its month (of its collective) is published:
`entries_public` is the only way pages, the API and the published record read entries.
Names of people (counterparties, contract holders, handlers) leave here masked.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from funds import chart
from funds.models import (
    AccountSubject,
    AssetStatus,
    Collective,
    Direction,
    DisclosureCategory,
    FixedAsset,
    LedgerEntry,
    MonthlyStatement,
    Resource,
)
from portal import hierarchy, identity
from portal import permissions as core
from portal.models import UnitKind
from portal.permissions import Action

# The money the collective holds: entries on these subjects move it (income adds,
# expense takes); entries on every other subject are its income and expense.
MONEY_SUBJECTS = (chart.CASH, chart.BANK)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

# The import workbook's columns, in order, and the entry field each one fills.
IMPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("日期", "booked_on"),
    ("凭证号", "voucher_number"),
    ("摘要", "summary"),
    ("科目编号", "subject"),
    ("收支", "direction"),
    ("金额", "amount"),
    ("往来单位或个人", "counterparty"),
    ("往来为个人", "counterparty_is_person"),
    ("经办人", "handler"),
    ("审批人", "approver"),
    ("审核人", "reviewer"),
)
REQUIRED_COLUMNS = ("日期", "凭证号", "摘要", "科目编号", "收支", "金额", "经办人", "审批人")


# --- Months ---------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def previous_month(day: dt.date) -> dt.date:
    return month_start(month_start(day) - dt.timedelta(days=1))


def parse_month(text: str | None) -> dt.date | None:
    """The first day of a month written YYYY-MM, or None when it is not one."""
    match = _MONTH.match((text or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 9999):
        return None
    return dt.date(year, month, 1)


def month_key(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def month_title(day: dt.date) -> str:
    return _("%(year)d年%(month)d月") % {"year": day.year, "month": day.month}


def closed_until(collective: Collective) -> dt.date | None:
    """The latest month whose statement is published: it and every month before it are
    closed for booking, so what was published stays true."""
    return MonthlyStatement.objects.filter(
        collective=collective, published_at__isnull=False
    ).aggregate(last=Max("month"))["last"]


# --- Who works on which collective ------------------------------------------------------


def collectives_for(user: Any) -> QuerySet[Collective]:
    """The collectives an official reads in the back office: the centre's accountants
    those it keeps, the village's committees (and supervisory committee) their village's,
    the township office its township's, supervisors their subtree, platform admins all."""
    collectives = Collective.objects.all()
    if core.is_platform_admin(user):
        return collectives
    if not getattr(user, "is_authenticated", False):
        return collectives.none()
    units = core.units_for(user, Action.VIEW)
    condition = Q(centre__in=units.filter(kind=UnitKind.ACCOUNTING_CENTRE).values("pk"))
    condition |= Q(
        region__in=units.filter(
            kind__in=(UnitKind.VILLAGE_COMMITTEE, UnitKind.SUPERVISORY_COMMITTEE)
        ).values("region_id")
    )
    townships = units.filter(kind=UnitKind.TOWNSHIP_OFFICE).values_list("region_id", flat=True)
    for code in [*townships, *core.supervised_codes(user)]:
        low, high = hierarchy.subtree_bounds(code)
        condition |= Q(region__gte=low, region__lte=high)
    return collectives.filter(condition)


def collectives_bookable(user: Any) -> QuerySet[Collective]:
    """The collectives whose entries this person books (funds.permissions.can_book)."""
    collectives = Collective.objects.all()
    if core.is_platform_admin(user):
        return collectives
    return collectives.filter(centre__in=core.units_for(user, Action.EDIT).values("pk"))


def collectives_publishable(user: Any) -> QuerySet[Collective]:
    """The collectives whose statements this person publishes (the village's editors)."""
    collectives = Collective.objects.all()
    if core.is_platform_admin(user):
        return collectives
    villages = (
        core.units_for(user, Action.EDIT)
        .filter(kind=UnitKind.VILLAGE_COMMITTEE, is_active=True)
        .values("region_id")
    )
    return collectives.filter(region__in=villages)


# --- What anyone sees ------------------------------------------------------------------


def collectives_public(region_code: str) -> QuerySet[Collective]:
    """The collectives inside a place, each with the latest month it has published."""
    return (
        hierarchy.in_subtree(Collective.objects.all(), region_code)
        .select_related("region", "centre")
        .annotate(
            latest_month=Max("statements__month", filter=Q(statements__published_at__isnull=False))
        )
        .order_by("region_id", "group_name", "pk")
    )


def statements_public(collective: Collective) -> QuerySet[MonthlyStatement]:
    """A collective's published statements, the latest month first."""
    return (
        MonthlyStatement.objects.filter(collective=collective, published_at__isnull=False)
        .select_related("record")
        .order_by("-month")
    )


def entries_of_month(collective: Collective, month: dt.date) -> QuerySet[LedgerEntry]:
    """Every entry of a collective's month, published or not (the back office, and the
    record being published), in booking order."""
    month = month_start(month)
    return (
        LedgerEntry.objects.filter(
            collective=collective, booked_on__gte=month, booked_on__lte=month_end(month)
        )
        .select_related("subject", "corrects")
        .order_by("booked_on", "pk")
    )


def entries_public(collective: Collective, month: dt.date) -> QuerySet[LedgerEntry]:
    """The entries of a collective's month, when that month's statement is published;
    none otherwise. One query, whatever the page shows of them."""
    published = MonthlyStatement.objects.filter(
        collective=OuterRef("collective"), month=month_start(month), published_at__isnull=False
    )
    return (
        entries_of_month(collective, month)
        .filter(Exists(published))
        .annotate(voucher_count=Count("vouchers"))
    )


def person_shown(name: str, is_person: bool) -> str:
    """A counterparty or holder as the public sees it: a person as 张*, a body in full."""
    return identity.mask_name(name) if is_person else name


def entry_row(entry: LedgerEntry) -> dict[str, Any]:
    """One published entry as every public door shows it (page, API, published record)."""
    corrected = entry.corrects
    return {
        "id": entry.pk,
        "booked_on": entry.booked_on,
        "voucher_number": entry.voucher_number,
        "summary": identity.public_text(entry.summary),
        "subject_code": entry.subject_id,
        "subject_name": entry.subject.name,
        "category": entry.subject.category,
        "category_label": DisclosureCategory(entry.subject.category).label,
        "direction": entry.direction,
        "direction_label": Direction(entry.direction).label,
        "amount": entry.amount,
        "counterparty": person_shown(entry.counterparty, entry.counterparty_is_person),
        "handler": identity.mask_name(entry.handler),
        "approver": identity.mask_name(entry.approver),
        "reviewer": identity.mask_name(entry.reviewer),
        "is_reversal": entry.amount < 0,
        "corrects": corrected.pk if corrected else None,
        "corrects_voucher_number": corrected.voucher_number if corrected else "",
        "voucher_count": getattr(entry, "voucher_count", None),
    }


def assets_public(collective: Collective) -> list[dict[str, Any]]:
    """The fixed-asset register as published, lessees who are people masked."""
    rows = []
    for asset in FixedAsset.objects.filter(collective=collective).order_by("name", "pk"):
        leased = asset.status == AssetStatus.LEASED
        rows.append(
            {
                "name": asset.name,
                "category": asset.category,
                "value": asset.value,
                "location": asset.location,
                "acquired_on": asset.acquired_on,
                "status": asset.status,
                "status_label": asset.get_status_display(),
                "lessee": person_shown(asset.lessee, asset.lessee_is_person) if leased else "",
                "lease_start": asset.lease_start if leased else None,
                "lease_end": asset.lease_end if leased else None,
                "annual_rent": asset.annual_rent if leased else None,
            }
        )
    return rows


def resources_public(collective: Collective) -> list[dict[str, Any]]:
    """The resource register as published, contract holders who are people masked."""
    return [
        {
            "kind": resource.kind,
            "kind_label": resource.get_kind_display(),
            "name": resource.name,
            "area": resource.area,
            "holder": person_shown(resource.holder, resource.holder_is_person),
            "term_start": resource.term_start,
            "term_end": resource.term_end,
            "annual_rent": resource.annual_rent,
        }
        for resource in Resource.objects.filter(collective=collective).order_by("kind", "name")
    ]


# --- A month's figures -----------------------------------------------------------------


def money(value: Decimal | None) -> str:
    """An amount as stored in a statement's figures: a string, two decimals."""
    return str((value or ZERO).quantize(CENT))


def _pair() -> dict[str, Decimal]:
    return {Direction.INCOME: ZERO, Direction.EXPENSE: ZERO}


def statement_figures(collective: Collective, month: dt.date) -> dict[str, Any]:
    """A month of a collective, computed from its ledger (four grouped queries).

    - `subjects`: income and expense of the month per subject, money subjects included;
    - `categories`: income and expense per disclosure category (all eight), from the
      subjects other than cash and bank (those are the money, shown as balances);
    - `balances`: cash (101), bank (102) and both: opening (everything booked before the
      month), the month's income and expense, closing;
    - `totals`: income and expense of the other subjects, the month and the year to date;
    - `entry_count` and `corrections` (entries that correct another).
    Amounts are strings with two decimals, so the figures read back from JSON equal a
    fresh computation exactly (statement_publish compares them)."""
    return statement_figures_many([(collective, month)])[(collective.pk, month_start(month))]


def statement_figures_many(
    pairs: list[tuple[Collective, dt.date]],
) -> dict[tuple[int, dt.date], dict[str, Any]]:
    """statement_figures for many collectives and months at once, keyed by (collective
    id, first day of the month): four grouped queries per distinct month, whatever the
    number of collectives (the statements task and the demo use it)."""
    wanted: dict[dt.date, set[int]] = {}
    for collective, month in pairs:
        wanted.setdefault(month_start(month), set()).add(collective.pk)
    figures: dict[tuple[int, dt.date], dict[str, Any]] = {}
    for start, ids in wanted.items():
        end = month_end(start)
        entries = LedgerEntry.objects.filter(collective_id__in=ids)
        rows: dict[int, dict[str, Any]] = {
            pk: {"in_month": [], "before": [], "year": [], "corrections": 0} for pk in ids
        }
        for row in (
            entries.filter(booked_on__gte=start, booked_on__lte=end)
            .values(
                "collective_id", "subject_id", "subject__name", "subject__category", "direction"
            )
            .annotate(total=Sum("amount"), count=Count("id"))
            .order_by("collective_id", "subject_id", "direction")
        ):
            rows[row["collective_id"]]["in_month"].append(row)
        for row in (
            entries.filter(booked_on__lt=start, subject_id__in=MONEY_SUBJECTS)
            .values("collective_id", "subject_id", "direction")
            .annotate(total=Sum("amount"))
            .order_by()
        ):
            rows[row["collective_id"]]["before"].append(row)
        for row in (
            entries.filter(booked_on__gte=dt.date(start.year, 1, 1), booked_on__lte=end)
            .exclude(subject_id__in=MONEY_SUBJECTS)
            .values("collective_id", "direction")
            .annotate(total=Sum("amount"))
            .order_by()
        ):
            rows[row["collective_id"]]["year"].append(row)
        for row in (
            entries.filter(booked_on__gte=start, booked_on__lte=end, corrects__isnull=False)
            .values("collective_id")
            .annotate(count=Count("id"))
            .order_by()
        ):
            rows[row["collective_id"]]["corrections"] = row["count"]
        for pk, found in rows.items():
            figures[(pk, start)] = _figures(start, **found)
    return figures


def _figures(
    start: dt.date,
    *,
    in_month: list[dict[str, Any]],
    before: list[dict[str, Any]],
    year: list[dict[str, Any]],
    corrections: int,
) -> dict[str, Any]:
    subjects: dict[str, dict[str, Any]] = {}
    categories = {category: _pair() for category in DisclosureCategory.values}
    month_totals, year_totals = _pair(), _pair()
    held = {code: {"opening": ZERO, **_pair()} for code in MONEY_SUBJECTS}
    count = 0
    for row in in_month:
        code, direction, total = row["subject_id"], row["direction"], row["total"]
        count += row["count"]
        line = subjects.setdefault(
            code,
            {
                "code": code,
                "name": row["subject__name"],
                "category": row["subject__category"],
                **_pair(),
            },
        )
        line[direction] += total
        if code in MONEY_SUBJECTS:
            held[code][direction] += total
        else:
            categories[row["subject__category"]][direction] += total
            month_totals[direction] += total
    for row in before:
        sign = 1 if row["direction"] == Direction.INCOME else -1
        held[row["subject_id"]]["opening"] += sign * row["total"]
    for row in year:
        year_totals[row["direction"]] += row["total"]

    def balance(opening: Decimal, income: Decimal, expense: Decimal) -> dict[str, str]:
        return {
            "opening": money(opening),
            "income": money(income),
            "expense": money(expense),
            "closing": money(opening + income - expense),
        }

    balances = {
        name: balance(held[code]["opening"], held[code]["income"], held[code]["expense"])
        for name, code in (("cash", chart.CASH), ("bank", chart.BANK))
    }
    balances["total"] = balance(
        *(
            sum((held[code][key] for code in MONEY_SUBJECTS), ZERO)
            for key in ("opening", Direction.INCOME, Direction.EXPENSE)
        )
    )
    return {
        "month": month_key(start),
        "entry_count": count,
        "corrections": corrections,
        "subjects": [
            {**line, "income": money(line["income"]), "expense": money(line["expense"])}
            for line in subjects.values()
        ],
        "categories": [
            {
                "category": category,
                "income": money(pair[Direction.INCOME]),
                "expense": money(pair[Direction.EXPENSE]),
            }
            for category, pair in categories.items()
        ],
        "balances": balances,
        "totals": {
            "month": {key: money(value) for key, value in month_totals.items()},
            "year": {key: money(value) for key, value in year_totals.items()},
        },
    }


def figures_display(figures: dict[str, Any]) -> dict[str, Any]:
    """A statement's stored figures with amounts as numbers and labels in the reader's
    language, for the page, the admin and the published record."""

    def number(value: str | None) -> Decimal:
        return Decimal(value or "0")

    balance_labels = (("cash", _("现金")), ("bank", _("银行存款")), ("total", _("货币资金合计")))
    balances = figures.get("balances", {})
    totals = figures.get("totals", {})
    return {
        "month": parse_month(figures.get("month")),
        "entry_count": figures.get("entry_count", 0),
        "corrections": figures.get("corrections", 0),
        "balances": [
            {"label": label, **{k: number(v) for k, v in balances.get(key, {}).items()}}
            for key, label in balance_labels
        ],
        "categories": [
            {
                "category": row["category"],
                "label": DisclosureCategory(row["category"]).label,
                "income": number(row["income"]),
                "expense": number(row["expense"]),
            }
            for row in figures.get("categories", [])
        ],
        "subjects": [
            {
                "code": row["code"],
                "name": row["name"],
                "category_label": DisclosureCategory(row["category"]).label,
                "income": number(row["income"]),
                "expense": number(row["expense"]),
            }
            for row in figures.get("subjects", [])
        ],
        "totals": [
            {
                "label": label,
                "income": number(totals.get(key, {}).get(Direction.INCOME)),
                "expense": number(totals.get(key, {}).get(Direction.EXPENSE)),
            }
            for key, label in (("month", _("本月")), ("year", _("本年累计")))
        ],
    }


# --- The import workbook ---------------------------------------------------------------


def import_template() -> bytes:
    """The workbook a centre fills in to import entries: the header row alone on the first
    sheet (the one imported), an example and the rules on the second, the chart of
    accounts on the third."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("记账凭证")
    sheet.append([header for header, _field in IMPORT_COLUMNS])
    widths = (12, 16, 30, 10, 8, 12, 20, 10, 10, 10, 10)
    for column, width in zip("ABCDEFGHIJK", widths, strict=True):
        sheet.column_dimensions[column].width = width
    guide = workbook.create_sheet(_("填写说明"))
    guide.append([header for header, _field in IMPORT_COLUMNS])
    guide.append(
        [
            "2026-03-05",
            "记-2026-03-001",
            _("收到村级公共服务专项资金"),
            "522",
            _("收入"),
            "50000.00",
            _("新津区财政局"),
            _("否"),
            _("王建国"),
            _("李秀英"),
            _("邓监委"),
        ]
    )
    for line in (
        _("只导入第一张工作表；第一行为表头，从第二行起每行一笔记账凭证。"),
        _("日期写作 2026-03-05，不能晚于今天，不能早于建账日期，也不能落在已公开的月份。"),
        _("凭证号在本集体经济组织内不能重复；科目编号见“会计科目”表；收支填“收入”或“支出”。"),
        _("金额为正数，最多两位小数；往来对象为个人时“往来为个人”填“是”，公开时姓名隐去。"),
        _("经办人、审批人必填；审核人为村务监督委员会审核人。"),
        _("任何一行有错误时整个文件都不导入，请按错误报告逐行修改后重新上传。"),
    ):
        guide.append([line])
    subjects = workbook.create_sheet(_("会计科目"))
    subjects.append([_("科目编号"), _("科目名称"), _("公开类别")])
    for subject in AccountSubject.objects.order_by("code"):
        subjects.append([subject.code, subject.name, subject.get_category_display()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
