"""What the ledger's services share: the clock, the collective's row lock, the centre's
right to book, and the readers of a value as a form or a workbook gives it, each adding
what is wrong to an errors dict by field (the shape ValidationError takes)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from funds.models import Collective
from funds.permissions import can_book
from portal.services.errors import NotAllowed

MAX_AMOUNT = Decimal("1000000000000")  # 14 digits, 2 of them decimals


def _today() -> dt.date:
    return timezone.localdate()


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _locked_collective(collective: Collective) -> Collective:
    return (
        Collective.objects.select_for_update(of=("self",))
        .select_related("region", "centre")
        .get(pk=collective.pk)
    )


def _require_booker(actor: Any, collective: Collective) -> None:
    if not can_book(actor, collective):
        raise NotAllowed(_("只有代理记账中心的会计人员可以为该集体经济组织记账。"))


def _text(
    errors: dict[str, list[str]],
    field: str,
    value: Any,
    *,
    limit: int,
    label: str,
    required: bool = True,
) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        _add(errors, field, _("请填写%(label)s。") % {"label": label})
    elif len(text) > limit:
        _add(errors, field, _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": limit})
    return text


def _decimal(
    errors: dict[str, list[str]],
    field: str,
    value: Any,
    *,
    label: str,
    required: bool = True,
) -> Decimal | None:
    """A money or area figure: a number with at most two decimals (Excel gives floats)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            _add(errors, field, _("请填写%(label)s。") % {"label": label})
        return None
    if isinstance(value, bool):
        _add(errors, field, _("%(label)s应为数字。") % {"label": label})
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        _add(errors, field, _("%(label)s应为数字。") % {"label": label})
        return None
    if not number.is_finite():
        _add(errors, field, _("%(label)s应为数字。") % {"label": label})
        return None
    if number != number.quantize(Decimal("0.01")):
        _add(errors, field, _("%(label)s最多保留两位小数。") % {"label": label})
        return None
    if abs(number) >= MAX_AMOUNT:
        _add(errors, field, _("%(label)s超出允许的范围。") % {"label": label})
        return None
    return number.quantize(Decimal("0.01"))


def _date(errors: dict[str, list[str]], field: str, value: Any, *, label: str) -> dt.date | None:
    """A date from a form (a date) or a workbook (a datetime, or text as 2026-03-05)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = "" if value is None else str(value).strip()
    if not text:
        _add(errors, field, _("请填写%(label)s。") % {"label": label})
        return None
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    _add(errors, field, _("%(label)s应写作 2026-03-05 这样的日期。") % {"label": label})
    return None


def _flag(errors: dict[str, list[str]], field: str, value: Any) -> bool:
    """Yes or no, as a form gives it (a bool) or as people type it in a workbook."""
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in ("", "否", "0", "n", "no", "false"):
        return False
    if text in ("是", "1", "y", "yes", "true"):
        return True
    _add(errors, field, _("请填“是”或“否”。"))
    return False
