"""What an entry must be, checked alike when the centre books one (entries) and when it
imports a workbook of them (imports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from funds.models import AccountSubject, Collective, Direction, LedgerEntry
from funds.selectors import ledger as selectors
from funds.services.ledger._common import _add, _date, _decimal, _flag, _text
from participation.models import Decision, DecisionStatus

# Decisions an entry may cite: the village meeting has resolved them.
DECIDED = (DecisionStatus.RESOLVED, DecisionStatus.PUBLISHED, DecisionStatus.DONE)


def _subject(
    errors: dict[str, list[str]], value: Any, subjects: Mapping[str, AccountSubject] | None
) -> AccountSubject | None:
    if isinstance(value, AccountSubject):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    code = "" if value is None else str(value).strip()
    if not code:
        _add(errors, "subject", _("请选择会计科目。"))
        return None
    subject = (
        subjects.get(code)
        if subjects is not None
        else AccountSubject.objects.filter(pk=code).first()
    )
    if subject is None:
        _add(
            errors,
            "subject",
            _("没有编号为 %(code)s 的会计科目（见村集体经济组织会计科目表）。") % {"code": code},
        )
    return subject


def _direction(errors: dict[str, list[str]], value: Any) -> str:
    text = "" if value is None else str(value).strip()
    by_label = {str(label): value for value, label in Direction.choices}
    direction = by_label.get(text, text.lower())
    if direction not in Direction.values:
        _add(errors, "direction", _("收支请填“收入”或“支出”。"))
        return ""
    return direction


def _closed_refusal(collective: Collective, day: dt.date, closed: dt.date | None) -> str | None:
    if closed is None or selectors.month_start(day) > closed:
        return None
    return _(
        "%(month)s及以前的财务收支已经公开，账期已经结账，不能再记入；"
        "更正请记入本月，并注明所更正的凭证。"
    ) % {"month": selectors.month_title(closed)}


def _clean_entry(
    collective: Collective,
    raw: Mapping[str, Any],
    *,
    today: dt.date,
    taken: set[str] | None = None,
    subjects: Mapping[str, AccountSubject] | None = None,
    reversal: bool = False,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """An entry's values checked and normalised, and everything wrong with them by field.
    `taken`: voucher numbers already used (asked of the database when None)."""
    errors: dict[str, list[str]] = {}
    booked_on = _date(errors, "booked_on", raw.get("booked_on"), label=_("记账日期"))
    if booked_on is not None:
        if booked_on > today:
            _add(errors, "booked_on", _("记账日期不能晚于今天。"))
        elif booked_on < collective.opened_on:
            _add(
                errors,
                "booked_on",
                _("记账日期不能早于建账日期（%(date)s）。")
                % {"date": collective.opened_on.isoformat()},
            )
    number = _text(errors, "voucher_number", raw.get("voucher_number"), limit=20, label=_("凭证号"))
    if number and "voucher_number" not in errors:
        used = (
            number in taken
            if taken is not None
            else LedgerEntry.objects.filter(collective=collective, voucher_number=number).exists()
        )
        if used:
            _add(
                errors,
                "voucher_number",
                _("凭证号 %(number)s 已经使用过，同一集体经济组织的凭证号不能重复。")
                % {"number": number},
            )
    values: dict[str, Any] = {
        "booked_on": booked_on,
        "voucher_number": number,
        "summary": _text(errors, "summary", raw.get("summary"), limit=200, label=_("摘要")),
        "subject": _subject(errors, raw.get("subject"), subjects),
        "direction": _direction(errors, raw.get("direction")),
        "amount": _decimal(errors, "amount", raw.get("amount"), label=_("金额")),
        "counterparty": _text(
            errors,
            "counterparty",
            raw.get("counterparty"),
            limit=100,
            label=_("往来单位或个人"),
            required=False,
        ),
        "counterparty_is_person": _flag(
            errors, "counterparty_is_person", raw.get("counterparty_is_person")
        ),
        "handler": _text(errors, "handler", raw.get("handler"), limit=40, label=_("经办人")),
        "approver": _text(errors, "approver", raw.get("approver"), limit=40, label=_("审批人")),
        "reviewer": _text(
            errors, "reviewer", raw.get("reviewer"), limit=40, label=_("审核人"), required=False
        ),
        "decision": raw.get("decision"),
    }
    amount = values["amount"]
    if amount is not None and amount <= 0 and not reversal:
        _add(errors, "amount", _("金额应大于0；冲销错误的凭证请使用“更正”。"))
    if values["counterparty_is_person"] and not values["counterparty"]:
        _add(errors, "counterparty", _("往来对象为个人时请填写其姓名。"))
    decision = values["decision"]
    if decision is not None:
        if not isinstance(decision, Decision) or decision.region_id != collective.region_id:
            _add(errors, "decision", _("请选择本村（社区）的村民（代表）会议决议。"))
        elif decision.status not in DECIDED:
            _add(errors, "decision", _("所选事项尚未形成决议。"))
    return values, errors
