"""Monthly statements: computed from the ledger once a month is over, published by the
village as a record of its catalog.

A month whose statement is published is closed, and so is every month before it: its
published balances carry forward, so nothing may be booked behind them. Statements are
generated only for months that are over, so the current month is always open for
corrections.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from disclosure import catalogs
from disclosure import services as disclosure
from funds.models import Collective, LedgerEntry, MonthlyStatement
from funds.permissions import can_book, can_publish_statement, village_committees_of
from funds.selectors import ledger as selectors
from funds.services.ledger._common import _locked_collective
from portal import permissions as core
from portal.models import AuditAction, Unit
from portal.permissions import Action
from portal.services.audit import audit_record
from portal.services.errors import Conflict, DomainError, NotAllowed

# The village catalog item the monthly statement is published under (village.yaml).
STATEMENT_ITEM = "财务收支明细"
# Published records are written in the portal's language, whatever the official's.
RECORD_LANGUAGE = "zh-hans"


@transaction.atomic
def statement_generate(
    *,
    collective: Collective,
    month: dt.date,
    now: dt.datetime | None = None,
    actor: Any = None,
) -> MonthlyStatement:
    """Compute a month's statement from the ledger; regenerating a month not yet
    published replaces its figures, a published month is refused. Only a month that is
    over. `actor` None is the periodic task; an official must be of the centre or an
    editor of the village committee."""
    now = now or timezone.now()
    month = selectors.month_start(month)
    collective = _locked_collective(collective)
    if actor is not None and not (
        can_book(actor, collective) or can_publish_statement(actor, collective)
    ):
        raise NotAllowed(_("只有代理记账中心或本村（社区）的工作人员可以生成月度报表。"))
    if month >= selectors.month_start(timezone.localdate(now)):
        raise Conflict(
            _("%(month)s尚未结束，月末后才能生成该月报表。")
            % {"month": selectors.month_title(month)}
        )
    if month < selectors.month_start(collective.opened_on):
        raise ValidationError(
            {
                "month": [
                    _("该集体经济组织于 %(date)s 建账，不能生成此前月份的报表。")
                    % {"date": collective.opened_on.isoformat()}
                ]
            }
        )
    statement = (
        MonthlyStatement.objects.select_for_update()
        .filter(collective=collective, month=month)
        .first()
    )
    if statement is not None and statement.published_at is not None:
        raise Conflict(_("该月报表已经公开，不能重新生成。"))
    figures = selectors.statement_figures(collective, month)
    if statement is None:
        statement = MonthlyStatement.objects.create(
            collective=collective,
            region_id=collective.region_id,
            month=month,
            figures=figures,
            generated_at=now,
        )
        action = AuditAction.CREATE
    else:
        if statement.figures == figures:
            return statement
        statement.figures = figures
        statement.generated_at = now
        statement.save(update_fields=["figures", "generated_at"])
        action = AuditAction.CHANGE
    audit_record(
        actor=actor,
        action=action,
        obj=statement,
        unit=collective.centre,
        changes={"entry_count": [None, figures["entry_count"]]},
    )
    return statement


def statements_generate_due(*, now: dt.datetime | None = None) -> int:
    """Generate last month's statement of every collective open by then (those already
    published are left alone). Each collective in its own transaction, so one refusal
    does not undo the others; run again, it only refreshes what changed."""
    now = now or timezone.now()
    month = selectors.previous_month(timezone.localdate(now))
    published = MonthlyStatement.objects.filter(
        collective=OuterRef("pk"), month=month, published_at__isnull=False
    )
    due = (
        Collective.objects.filter(opened_on__lte=selectors.month_end(month))
        .filter(~Exists(published))
        .order_by("pk")
    )
    done = 0
    for collective in due.iterator():
        try:
            statement_generate(collective=collective, month=month, now=now)
        except Conflict:
            continue  # published meanwhile
        done += 1
    return done


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def statement_title(collective: Collective, month: dt.date) -> str:
    return _("%(name)s%(month)s财务收支明细") % {
        "name": collective.name,
        "month": selectors.month_title(month),
    }


def statement_record_body(
    statement: MonthlyStatement, entries: Iterable[LedgerEntry] | None = None
) -> str:
    """The month as published: balances, the eight categories, subjects, then every
    entry (date, voucher, summary, amount, handler, approver), people's names masked.
    `entries`, the month's entries with subject and corrects loaded, saves the query
    (the demo writes thousands)."""
    figures = selectors.figures_display(statement.figures)

    def table(caption: str, headers: list[str], rows: list[list[Any]]) -> str:
        head = format_html_join("", "<th>{}</th>", ((header,) for header in headers))
        body = format_html_join(
            "",
            "<tr>{}</tr>",
            ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows),
        )
        return format_html(
            "<table><caption>{}</caption><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
            caption,
            head,
            body,
        )

    amounts = [_("期初余额"), _("本月收入"), _("本月支出"), _("期末余额")]
    parts = [
        format_html(
            "<p>{}</p>",
            _("%(name)s%(month)s财务收支情况，由%(centre)s根据账簿生成，共 %(n)d 笔记账凭证。")
            % {
                "name": statement.collective.name,
                "month": selectors.month_title(statement.month),
                "centre": statement.collective.centre.name,
                "n": figures["entry_count"],
            },
        ),
        table(
            _("货币资金余额（元）"),
            [_("项目"), *amounts],
            [
                [
                    row["label"],
                    *(_money(row[k]) for k in ("opening", "income", "expense", "closing")),
                ]
                for row in figures["balances"]
            ],
        ),
        table(
            _("按公开类别汇总（元）"),
            [_("公开类别"), _("收入"), _("支出")],
            [
                [row["label"], _money(row["income"]), _money(row["expense"])]
                for row in figures["categories"]
            ],
        ),
        table(
            _("收支合计（不含现金、银行存款）（元）"),
            [_("期间"), _("收入"), _("支出")],
            [
                [row["label"], _money(row["income"]), _money(row["expense"])]
                for row in figures["totals"]
            ],
        ),
        table(
            _("按会计科目汇总（元）"),
            [_("科目编号"), _("科目名称"), _("收入"), _("支出")],
            [
                [row["code"], row["name"], _money(row["income"]), _money(row["expense"])]
                for row in figures["subjects"]
            ],
        ),
    ]
    rows = []
    if entries is None:
        entries = selectors.entries_of_month(statement.collective, statement.month)
    for entry in entries:
        row = selectors.entry_row(entry)
        summary = row["summary"]
        if row["corrects_voucher_number"]:
            summary = _("%(summary)s（更正%(number)s号凭证）") % {
                "summary": summary,
                "number": row["corrects_voucher_number"],
            }
        rows.append(
            [
                row["booked_on"].isoformat(),
                row["voucher_number"],
                summary,
                f"{row['subject_code']} {row['subject_name']}",
                row["direction_label"],
                _money(row["amount"]),
                row["counterparty"],
                row["handler"],
                row["approver"],
            ]
        )
    parts.append(
        table(
            _("收支明细"),
            [
                _("日期"),
                _("凭证号"),
                _("摘要"),
                _("会计科目"),
                _("收支"),
                _("金额（元）"),
                _("往来单位或个人"),
                _("经办人"),
                _("审批人"),
            ],
            rows,
        )
    )
    return "".join(str(part) for part in parts)


def _statement_item(unit: Unit):
    item = catalogs.items_for_unit(unit).filter(level2=STATEMENT_ITEM).first()
    if item is None:
        raise DomainError(
            _("本单位的标准目录中没有“%(item)s”事项，无法公开。") % {"item": STATEMENT_ITEM}
        )
    return item


@transaction.atomic
def statement_publish(*, statement: MonthlyStatement, actor: Any) -> MonthlyStatement:
    """The village publishes a month: a record of its catalog item "财务收支明细" for
    that month, created and submitted through the disclosure services. With the unit's
    review setting on, the record waits for its reviewer; `published_at` is then the
    time it was submitted, and the record's status says whether it is out."""
    collective = _locked_collective(statement.collective)
    if not can_publish_statement(actor, collective):
        raise NotAllowed(_("只有本村（社区）村（居）民委员会的信息员可以公开财务收支明细。"))
    statement = MonthlyStatement.objects.select_for_update().get(pk=statement.pk)
    statement.collective = collective
    if statement.published_at is not None:
        raise Conflict(_("该月财务收支已经公开。"))
    if statement.figures != selectors.statement_figures(collective, statement.month):
        raise Conflict(_("报表生成后账簿又有变动，请先重新生成该月报表，核对后再公开。"))
    unit = next(
        (
            unit
            for unit in village_committees_of(collective).select_related("region")
            if core.can(actor, Action.EDIT, unit)
        ),
        None,
    )
    if unit is None:
        raise DomainError(_("找不到该集体经济组织所在村（社区）的村（居）民委员会。"))
    item = _statement_item(unit)
    now = timezone.now()
    with translation.override(RECORD_LANGUAGE):
        title = statement_title(collective, statement.month)
        body = statement_record_body(statement)
    record = disclosure.record_create(
        unit=unit,
        item=item,
        title=title[:200],
        body=body,
        info_date=timezone.localdate(now),
        period_start=statement.month,
        actor=actor,
    )
    record = disclosure.record_submit(record=record, actor=actor)
    statement.record = record
    statement.published_at = now
    statement.save(update_fields=["record", "published_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PUBLISH,
        obj=statement,
        unit=unit,
        changes={"record": [None, str(record.pk)], "record_status": [None, record.status]},
    )
    return statement
