"""Every write of the three-asset ledgers (三资): collectives and their members, entries
booked by the township's accounting centre, their original vouchers, the registers of
fixed assets and resources, the monthly statements the village publishes, and the
import of a centre's workbook.

Entries are append-only: there is no update. A correction is a red reversal (a negative
amount pointing at the entry it cancels) and, when the right values are known, a
replacement pointing at the same entry; both are booked in an open month.

A month whose statement is published is closed, and so is every month before it: its
published balances carry forward, so nothing may be booked behind them. Statements are
generated only for months that are over, so the current month is always open for
corrections. Booking, generating and publishing lock the collective's row: a booking
cannot slip into a month while its statement is being published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from disclosure import catalogs
from disclosure import services as disclosure
from funds.models import (
    AccountSubject,
    AssetStatus,
    Collective,
    Direction,
    FixedAsset,
    LedgerEntry,
    LedgerImport,
    Member,
    MonthlyStatement,
    Resource,
    ResourceKind,
    Voucher,
)
from funds.permissions import (
    can_book,
    can_keep_collectives,
    can_publish_statement,
    village_committees_of,
)
from funds.selectors import ledger as selectors
from participation.models import Decision, DecisionStatus
from portal import hierarchy, identity, uploads
from portal import permissions as core
from portal.models import AuditAction, Region, Tier, Unit, UnitKind
from portal.permissions import Action
from portal.services.audit import audit_record, diff, snapshot
from portal.services.errors import Conflict, DomainError, NotAllowed

# The village catalog item the monthly statement is published under (village.yaml).
STATEMENT_ITEM = "财务收支明细"
# Published records are written in the portal's language, whatever the official's.
RECORD_LANGUAGE = "zh-hans"
# Decisions an entry may cite: the village meeting has resolved them.
DECIDED = (DecisionStatus.RESOLVED, DecisionStatus.PUBLISHED, DecisionStatus.DONE)
VOUCHER_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp")
MAX_IMPORT_ROWS = 5000
MAX_AMOUNT = Decimal("1000000000000")  # 14 digits, 2 of them decimals

ENTRY_FIELDS = (
    "booked_on",
    "voucher_number",
    "summary",
    "subject",
    "direction",
    "amount",
    "counterparty",
    "counterparty_is_person",
    "handler",
    "approver",
    "reviewer",
    "decision",
)
# What a replacement may set; the rest is taken from the entry it corrects.
REPLACEMENT_FIELDS = frozenset(ENTRY_FIELDS)
ASSET_FIELDS = (
    "name",
    "category",
    "value",
    "location",
    "acquired_on",
    "status",
    "lessee",
    "lessee_is_person",
    "lease_start",
    "lease_end",
    "annual_rent",
)
RESOURCE_FIELDS = (
    "kind",
    "name",
    "area",
    "holder",
    "holder_is_person",
    "term_start",
    "term_end",
    "annual_rent",
)


# --- Helpers -----------------------------------------------------------------------------


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


def _book(
    collective: Collective,
    raw: Mapping[str, Any],
    *,
    actor: Any,
    corrects: LedgerEntry | None = None,
    reversal: bool = False,
    note: str = "",
) -> LedgerEntry:
    """Check and book one entry of a locked collective; only a `reversal` (of the entry
    it `corrects`) has a negative amount."""
    values, errors = _clean_entry(collective, raw, today=_today(), reversal=reversal)
    if errors:
        raise ValidationError(errors)
    refusal = _closed_refusal(collective, values["booked_on"], selectors.closed_until(collective))
    if refusal:
        raise Conflict(refusal)
    entry = LedgerEntry.objects.create(
        collective=collective,
        region_id=collective.region_id,
        corrects=corrects,
        booked_by=actor,
        **values,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=entry,
        unit=collective.centre,
        changes=diff({}, snapshot(entry, [*ENTRY_FIELDS, "corrects"])),
        note=note,
    )
    return entry


# --- Collectives and members --------------------------------------------------------------


@transaction.atomic
def collective_create(
    *,
    region: Region,
    group_name: str,
    name: str,
    centre: Unit,
    opened_on: dt.date,
    cash_float: Decimal,
    actor: Any,
) -> Collective:
    """Open the account of a village's (or a group's) collective at the township centre."""
    if centre is None or not can_keep_collectives(actor, centre):
        raise NotAllowed(_("只有代理记账中心的管理员可以为集体经济组织建账。"))
    errors: dict[str, list[str]] = {}
    if centre.kind != UnitKind.ACCOUNTING_CENTRE:
        _add(errors, "centre", _("请选择乡镇（街道）代理记账中心。"))
    if region is None or region.tier != Tier.VILLAGE:
        _add(errors, "region", _("请选择集体经济组织所在的村（社区）。"))
    elif centre.kind == UnitKind.ACCOUNTING_CENTRE and not hierarchy.is_within(
        region.code, centre.region_id
    ):
        _add(errors, "region", _("该村（社区）不在此代理记账中心所在的乡镇（街道）。"))
    group_name = _text(
        errors, "group_name", group_name, limit=40, label=_("村民小组"), required=False
    )
    name = _text(errors, "name", name, limit=100, label=_("名称"))
    if opened_on is None:
        _add(errors, "opened_on", _("请填写建账日期。"))
    elif opened_on > _today():
        _add(errors, "opened_on", _("建账日期不能晚于今天。"))
    amount = _decimal(errors, "cash_float", cash_float, label=_("备用金限额"))
    if amount is not None and amount < 0:
        _add(errors, "cash_float", _("备用金限额不能为负数。"))
    if (
        "region" not in errors
        and Collective.objects.filter(region=region, group_name=group_name).exists()
    ):
        _add(errors, "group_name", _("该村（组）的集体经济组织已经建账。"))
    if errors:
        raise ValidationError(errors)
    collective = Collective.objects.create(
        region=region,
        group_name=group_name,
        name=name,
        centre=centre,
        opened_on=opened_on,
        cash_float=amount,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=collective,
        unit=centre,
        changes=diff({}, snapshot(collective)),
    )
    return collective


@transaction.atomic
def member_register(
    *,
    collective: Collective,
    real_name: str,
    id_number: str,
    group_name: str,
    registered_on: dt.date,
    actor: Any,
) -> Member:
    """Register a confirmed member. The ID number is kept only as a keyed hash (to match a
    member asking to see vouchers) and a mask."""
    collective = _locked_collective(collective)
    _require_booker(actor, collective)
    errors: dict[str, list[str]] = {}
    real_name = _text(errors, "real_name", real_name, limit=40, label=_("姓名"))
    group_name = _text(
        errors, "group_name", group_name, limit=40, label=_("村民小组"), required=False
    )
    number = ""
    try:
        number = identity.validate_id_number(id_number)
    except ValidationError as exc:
        errors.setdefault("id_number", []).extend(exc.messages)
    if registered_on is None:
        _add(errors, "registered_on", _("请填写确认日期。"))
    elif registered_on > _today():
        _add(errors, "registered_on", _("确认日期不能晚于今天。"))
    digest = identity.id_number_hash(number) if number else ""
    if digest and Member.objects.filter(collective=collective, id_number_hash=digest).exists():
        _add(errors, "id_number", _("该身份证号码已经登记为本集体经济组织成员。"))
    if errors:
        raise ValidationError(errors)
    member = Member.objects.create(
        collective=collective,
        real_name=real_name,
        id_number_hash=digest,
        id_number_masked=identity.mask_id_number(number),
        group_name=group_name,
        registered_on=registered_on,
    )
    # The trail names the member by masks only.
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=member,
        unit=collective.centre,
        changes={
            "real_name": [None, identity.mask_name(real_name)],
            "id_number_masked": [None, member.id_number_masked],
            "registered_on": [None, str(registered_on)],
        },
    )
    return member


# --- Entries -----------------------------------------------------------------------------


@transaction.atomic
def entry_book(
    *,
    collective: Collective,
    booked_on: dt.date,
    voucher_number: str,
    summary: str,
    subject: AccountSubject | str,
    direction: str,
    amount: Decimal,
    counterparty: str = "",
    counterparty_is_person: bool = False,
    handler: str,
    approver: str,
    reviewer: str = "",
    decision: Decision | None = None,
    actor: Any,
) -> LedgerEntry:
    """Book one entry: only the collective's centre, into an open month."""
    collective = _locked_collective(collective)
    _require_booker(actor, collective)
    return _book(
        collective,
        {
            "booked_on": booked_on,
            "voucher_number": voucher_number,
            "summary": summary,
            "subject": subject,
            "direction": direction,
            "amount": amount,
            "counterparty": counterparty,
            "counterparty_is_person": counterparty_is_person,
            "handler": handler,
            "approver": approver,
            "reviewer": reviewer,
            "decision": decision,
        },
        actor=actor,
    )


def _reversal_number(entry: LedgerEntry) -> str:
    """冲 + the corrected voucher's number, or + its id when that is too long or used."""
    taken = set(
        LedgerEntry.objects.filter(
            collective_id=entry.collective_id, voucher_number__startswith="冲"
        ).values_list("voucher_number", flat=True)
    )
    for candidate in (f"冲{entry.voucher_number}", f"冲{entry.pk}"):
        if len(candidate) <= 20 and candidate not in taken:
            return candidate
    suffix = 2
    while f"冲{entry.pk}-{suffix}" in taken:
        suffix += 1
    return f"冲{entry.pk}-{suffix}"


@transaction.atomic
def entry_correct(
    *,
    entry: LedgerEntry,
    actor: Any,
    reason: str,
    replacement: Mapping[str, Any] | None = None,
) -> tuple[LedgerEntry, LedgerEntry | None]:
    """Correct a booked entry without touching it: a red reversal (the same lines with
    a negative amount, `corrects` = the entry, summary "更正：…原因") booked today, and
    when `replacement` is given a new entry with the right values, also pointing at the
    entry. A replacement takes every value it does not give from the entry, except the
    voucher number, which must be new, and the date (today unless given). Returns
    (reversal, replacement or None)."""
    collective = _locked_collective(entry.collective)
    _require_booker(actor, collective)
    entry = LedgerEntry.objects.select_related("subject", "decision").get(pk=entry.pk)
    if entry.amount < 0:
        raise Conflict(_("红字冲销凭证不能再更正；如有错误，请更正原凭证的重新记账凭证。"))
    if entry.corrections.filter(amount__lt=0).exists():
        raise Conflict(_("该凭证已经冲销更正过，不能再次冲销。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写更正原因。")]})
    unknown = set(replacement or {}) - REPLACEMENT_FIELDS
    if unknown:
        raise DomainError(
            _("重新记账凭证不能设置这些项目：%(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    today = _today()
    kept = {
        field: getattr(entry, field)
        for field in ENTRY_FIELDS
        if field not in ("booked_on", "voucher_number", "amount")
    }
    summary = _("更正：冲销%(number)s号凭证。原因：%(reason)s") % {
        "number": entry.voucher_number,
        "reason": reason,
    }
    # The reversal repeats the entry's lines (handler, approver …) so that the two
    # cancel line by line; who booked it is booked_by.
    reversal = _book(
        collective,
        {
            **kept,
            "booked_on": today,
            "voucher_number": _reversal_number(entry),
            "summary": summary if len(summary) <= 200 else summary[:199] + "…",
            "amount": -entry.amount,
        },
        actor=actor,
        corrects=entry,
        reversal=True,
        note=reason,
    )
    new = None
    if replacement is not None:
        new = _book(
            collective,
            {**kept, "booked_on": today, "voucher_number": "", **replacement},
            actor=actor,
            corrects=entry,
            note=reason,
        )
    return reversal, new


def voucher_refusal(name: str, data: bytes) -> list[str]:
    """What is wrong with a file as an original voucher (empty when nothing): too large,
    empty, or not a scanned image or a PDF by its content, whatever its name says. No
    writes, so a form can ask before anything is stored."""
    try:
        sniffed = uploads.check_upload(name, data, limit=settings.FUNDS_MAX_VOUCHER_BYTES)
    except ValidationError as exc:
        return exc.messages
    if sniffed.content_type not in VOUCHER_TYPES:
        return [
            _("“%(name)s”不是扫描图片或 PDF：原始凭证只能上传 PDF 或图片（PNG/JPEG/GIF/WebP）。")
            % {"name": name}
        ]
    return []


@transaction.atomic
def voucher_attach(*, entry: LedgerEntry, name: str, data: bytes, actor: Any) -> Voucher:
    """Store a scanned original voucher (an image or a PDF, typed by its content) of an
    entry, privately: under a random name, never at a public URL."""
    collective = _locked_collective(entry.collective)
    _require_booker(actor, collective)
    name = (name or "").strip() or "voucher"
    problems = voucher_refusal(name, data)
    if problems:
        raise ValidationError({"file": problems})
    sniffed = uploads.sniff(data[:16], data)
    voucher = Voucher(
        entry=entry,
        token=uploads.new_token(),
        original_name=name[-200:],
        content_type=sniffed.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
    )
    voucher.file.save(voucher.token, ContentFile(data), save=False)
    stored, storage = voucher.file.name, voucher.file.storage
    try:
        voucher.save()
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=entry,
            unit=collective.centre,
            changes={"vouchers": [None, voucher.original_name]},
        )
    except Exception:
        storage.delete(stored)  # a refused row must not leave its file behind
        raise
    return voucher


# --- Registers ---------------------------------------------------------------------------


def _asset_errors(asset: FixedAsset) -> dict[str, list[str]]:
    """Check and normalise an asset: a leased asset has its lessee and term, an asset
    that is not leased carries no lease."""
    errors: dict[str, list[str]] = {}
    today = _today()
    asset.name = _text(errors, "name", asset.name, limit=100, label=_("资产名称"))
    asset.category = _text(errors, "category", asset.category, limit=40, label=_("类别"))
    asset.location = _text(errors, "location", asset.location, limit=100, label=_("坐落位置"))
    value = _decimal(errors, "value", asset.value, label=_("原值"))
    if value is not None and value < 0:
        _add(errors, "value", _("原值不能为负数。"))
    asset.value = value
    acquired = _date(errors, "acquired_on", asset.acquired_on, label=_("取得日期"))
    if acquired is not None and acquired > today:
        _add(errors, "acquired_on", _("取得日期不能晚于今天。"))
    asset.acquired_on = acquired
    if asset.status not in AssetStatus.values:
        _add(errors, "status", _("请选择资产状态。"))
    if asset.status == AssetStatus.LEASED:
        asset.lessee = _text(errors, "lessee", asset.lessee, limit=100, label=_("承租方"))
        if asset.lease_start is None:
            _add(errors, "lease_start", _("出租的资产请填写租期起始日期。"))
        if asset.lease_end is None:
            _add(errors, "lease_end", _("出租的资产请填写租期截止日期。"))
        elif asset.lease_start is not None and asset.lease_end < asset.lease_start:
            _add(errors, "lease_end", _("租期截止日期不能早于起始日期。"))
        rent = _decimal(errors, "annual_rent", asset.annual_rent, label=_("年租金"), required=False)
        if rent is not None and rent < 0:
            _add(errors, "annual_rent", _("年租金不能为负数。"))
        asset.annual_rent = rent
    else:
        asset.lessee, asset.lessee_is_person = "", False
        asset.lease_start = asset.lease_end = asset.annual_rent = None
    return errors


@transaction.atomic
def asset_register(
    *,
    collective: Collective,
    name: str,
    category: str,
    value: Decimal,
    location: str,
    acquired_on: dt.date,
    status: str = AssetStatus.IN_USE,
    lessee: str = "",
    lessee_is_person: bool = False,
    lease_start: dt.date | None = None,
    lease_end: dt.date | None = None,
    annual_rent: Decimal | None = None,
    actor: Any,
) -> FixedAsset:
    collective = _locked_collective(collective)
    _require_booker(actor, collective)
    asset = FixedAsset(
        collective=collective,
        name=name,
        category=category,
        value=value,
        location=location,
        acquired_on=acquired_on,
        status=status,
        lessee=lessee,
        lessee_is_person=lessee_is_person,
        lease_start=lease_start,
        lease_end=lease_end,
        annual_rent=annual_rent,
    )
    errors = _asset_errors(asset)
    if errors:
        raise ValidationError(errors)
    asset.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=asset,
        unit=collective.centre,
        changes=diff({}, snapshot(asset, list(ASSET_FIELDS))),
    )
    return asset


@transaction.atomic
def asset_update(*, asset: FixedAsset, actor: Any, **changes: Any) -> FixedAsset:
    """Change an asset's record: its status (in use, idle, leased with lessee and term,
    disposed), value, location. A disposed asset stays as it was disposed."""
    collective = _locked_collective(asset.collective)
    _require_booker(actor, collective)
    asset = FixedAsset.objects.select_for_update().get(pk=asset.pk)
    unknown = set(changes) - set(ASSET_FIELDS)
    if unknown:
        raise DomainError(
            _("不能修改这些项目：%(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if asset.status == AssetStatus.DISPOSED:
        raise Conflict(_("已处置的资产不能再变更。"))
    before = snapshot(asset, list(ASSET_FIELDS))
    for field, value in changes.items():
        setattr(asset, field, value)
    errors = _asset_errors(asset)
    if errors:
        raise ValidationError(errors)
    changed = diff(before, snapshot(asset, list(ASSET_FIELDS)))
    if changed:
        asset.save()
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=asset,
            unit=collective.centre,
            changes=changed,
        )
    return asset


def _resource_errors(resource: Resource) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if resource.kind not in ResourceKind.values:
        _add(errors, "kind", _("请选择资源类型。"))
    resource.name = _text(errors, "name", resource.name, limit=100, label=_("名称或坐落"))
    area = _decimal(errors, "area", resource.area, label=_("面积"))
    if area is not None and area <= 0:
        _add(errors, "area", _("面积应大于0。"))
    resource.area = area
    resource.holder = _text(
        errors, "holder", resource.holder, limit=100, label=_("承包（租赁）方"), required=False
    )
    if not resource.holder:
        resource.holder_is_person = False
        if resource.term_start or resource.term_end or resource.annual_rent:
            _add(errors, "holder", _("填写承包期或租金时请填写承包（租赁）方。"))
    if (
        resource.term_start is not None
        and resource.term_end is not None
        and resource.term_end < resource.term_start
    ):
        _add(errors, "term_end", _("承包期截止日期不能早于起始日期。"))
    rent = _decimal(errors, "annual_rent", resource.annual_rent, label=_("年租金"), required=False)
    if rent is not None and rent < 0:
        _add(errors, "annual_rent", _("年租金不能为负数。"))
    resource.annual_rent = rent
    return errors


@transaction.atomic
def resource_register(
    *,
    collective: Collective,
    kind: str,
    name: str,
    area: Decimal,
    holder: str = "",
    holder_is_person: bool = False,
    term_start: dt.date | None = None,
    term_end: dt.date | None = None,
    annual_rent: Decimal | None = None,
    actor: Any,
) -> Resource:
    collective = _locked_collective(collective)
    _require_booker(actor, collective)
    resource = Resource(
        collective=collective,
        kind=kind,
        name=name,
        area=area,
        holder=holder,
        holder_is_person=holder_is_person,
        term_start=term_start,
        term_end=term_end,
        annual_rent=annual_rent,
    )
    errors = _resource_errors(resource)
    if errors:
        raise ValidationError(errors)
    resource.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=resource,
        unit=collective.centre,
        changes=diff({}, snapshot(resource, list(RESOURCE_FIELDS))),
    )
    return resource


@transaction.atomic
def resource_update(*, resource: Resource, actor: Any, **changes: Any) -> Resource:
    """Change a resource's record: a new contract holder and term, rent, area."""
    collective = _locked_collective(resource.collective)
    _require_booker(actor, collective)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    unknown = set(changes) - set(RESOURCE_FIELDS)
    if unknown:
        raise DomainError(
            _("不能修改这些项目：%(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    before = snapshot(resource, list(RESOURCE_FIELDS))
    for field, value in changes.items():
        setattr(resource, field, value)
    errors = _resource_errors(resource)
    if errors:
        raise ValidationError(errors)
    changed = diff(before, snapshot(resource, list(RESOURCE_FIELDS)))
    if changed:
        resource.save()
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=resource,
            unit=collective.centre,
            changes=changed,
        )
    return resource


# --- Monthly statements ------------------------------------------------------------------


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


def statement_record_body(statement: MonthlyStatement) -> str:
    """The month as published: balances, the eight categories, subjects, then every
    entry (date, voucher, summary, amount, handler, approver), people's names masked."""
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
    for entry in selectors.entries_of_month(statement.collective, statement.month):
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
        title = _("%(name)s%(month)s财务收支明细") % {
            "name": collective.name,
            "month": selectors.month_title(statement.month),
        }
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


# --- Importing a centre's workbook -------------------------------------------------------


class _Rejected(Exception):
    """Raised inside the booking transaction to roll it back when a row is wrong."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__()
        self.errors = errors


def _file_error(message: str, *, row: int | None = None, field: str = "") -> dict[str, Any]:
    return {"row": row, "field": field or _("文件"), "message": message}


def _read_rows(data: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[dict[str, Any]]]:
    """The workbook's filled rows as (row number, {field: cell}), or what is wrong with
    the file itself. Read-only: a large sheet is streamed, not loaded."""
    sniffed = uploads.sniff(data[:16], data)
    if sniffed is None or sniffed.extension != ".xlsx":
        return [], [_file_error(_("文件不是 Excel 工作簿（.xlsx）。请使用导入模板填写。"))]
    try:
        return _sheet_rows(data)
    except Exception:  # noqa: BLE001 - any damage in an uploaded workbook is the file's fault
        return [], [_file_error(_("无法读取该 Excel 文件，请另存为 .xlsx 后重试。"))]


def _sheet_rows(data: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[dict[str, Any]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        lines = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(lines, None)
        names = [str(cell).strip() if cell is not None else "" for cell in header or ()]
        missing = [column for column in selectors.REQUIRED_COLUMNS if column not in names]
        if missing:
            message = _("表头缺少这些列：%(columns)s。请使用导入模板。") % {
                "columns": "、".join(missing)
            }
            return [], [_file_error(message, row=1)]
        position = {
            field: names.index(column)
            for column, field in selectors.IMPORT_COLUMNS
            if column in names
        }
        rows: list[tuple[int, dict[str, Any]]] = []
        for number, cells in enumerate(lines, start=2):
            if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                message = _("一次最多导入 %(n)d 行，请分成几个文件导入。") % {"n": MAX_IMPORT_ROWS}
                return [], [_file_error(message)]
            values = {
                field: cells[index] if index < len(cells) else None
                for field, index in position.items()
            }
            rows.append((number, values))
    finally:
        workbook.close()
    if not rows:
        return [], [_file_error(_("工作表中没有记账凭证行。"), row=2)]
    return rows, []


def _import_errors(
    collective: Collective, rows: list[tuple[int, dict[str, Any]]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every row checked with entry_book's rules, duplicates inside the file included:
    (the entries' values, the errors as {row, field (the column), message})."""
    column_of = {field: column for column, field in selectors.IMPORT_COLUMNS}
    subjects = {subject.code: subject for subject in AccountSubject.objects.all()}
    numbers = {str(raw.get("voucher_number") or "").strip() for _n, raw in rows}
    taken = set(
        LedgerEntry.objects.filter(collective=collective, voucher_number__in=numbers).values_list(
            "voucher_number", flat=True
        )
    )
    closed = selectors.closed_until(collective)
    today = _today()
    first_row: dict[str, int] = {}
    values_list, errors = [], []
    for number, raw in rows:
        values, problems = _clean_entry(
            collective, raw, today=today, taken=taken, subjects=subjects
        )
        voucher = values["voucher_number"]
        if voucher and "voucher_number" not in problems:
            if voucher in first_row:
                _add(
                    problems,
                    "voucher_number",
                    _("凭证号与第 %(row)d 行重复。") % {"row": first_row[voucher]},
                )
            else:
                first_row[voucher] = number
        if values["booked_on"] is not None and "booked_on" not in problems:
            refusal = _closed_refusal(collective, values["booked_on"], closed)
            if refusal:
                _add(problems, "booked_on", refusal)
        for field, messages in problems.items():
            for message in messages:
                errors.append(
                    {"row": number, "field": column_of.get(field, field), "message": message}
                )
        values_list.append(values)
    return values_list, errors


def ledger_import(
    *, collective: Collective, file_name: str, data: bytes, actor: Any
) -> LedgerImport:
    """Import a centre's workbook of entries (the columns of selectors.IMPORT_COLUMNS):
    every row is checked as entry_book checks one entry; if any row is wrong nothing is
    booked and the import is kept with its row-by-row errors, else every row is booked
    in one transaction. Not one atomic block on purpose: the bookings are rolled back
    while the record of the attempt is kept."""
    if not can_book(actor, collective):
        raise NotAllowed(_("只有代理记账中心的会计人员可以为该集体经济组织导入账簿。"))
    file_name = ((file_name or "").strip() or "ledger.xlsx")[-200:]
    rows: list[tuple[int, dict[str, Any]]] = []
    if len(data) > settings.FUNDS_MAX_IMPORT_BYTES:
        errors = [
            _file_error(
                _("文件超过 %(mb)d MB 的大小限制。")
                % {"mb": settings.FUNDS_MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        ]
    else:
        rows, errors = _read_rows(data)
    if not errors:
        try:
            with transaction.atomic():
                return _import_rows(collective, rows, file_name=file_name, actor=actor)
        except _Rejected as rejected:
            errors = rejected.errors
    with transaction.atomic():
        record = LedgerImport.objects.create(
            collective=collective,
            file_name=file_name,
            rows=len(rows),
            booked=0,
            errors=errors,
            uploaded_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=record,
            unit=collective.centre,
            changes={"rows": [None, len(rows)], "errors": [None, len(errors)]},
            note=_("有错误，未导入"),
        )
    return record


def _import_rows(
    collective: Collective,
    rows: list[tuple[int, dict[str, Any]]],
    *,
    file_name: str,
    actor: Any,
) -> LedgerImport:
    collective = _locked_collective(collective)
    values_list, errors = _import_errors(collective, rows)
    if errors:
        raise _Rejected(errors)
    entries = LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                collective=collective,
                region_id=collective.region_id,
                booked_by=actor,
                **values,
            )
            for values in values_list
        ]
    )
    record = LedgerImport.objects.create(
        collective=collective,
        file_name=file_name,
        rows=len(rows),
        booked=len(entries),
        errors=[],
        uploaded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=record,
        unit=collective.centre,
        changes={
            "rows": [None, len(rows)],
            "entries": [None, [entry.pk for entry in entries]],
        },
    )
    return record
