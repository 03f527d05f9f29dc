"""Entries booked by the township's accounting centre, their corrections, and their
scanned original vouchers.

Entries are append-only: there is no update. A correction is a red reversal (a negative
amount pointing at the entry it cancels) and, when the right values are known, a
replacement pointing at the same entry; both are booked in an open month.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from funds.models import AccountSubject, Collective, LedgerEntry, Voucher
from funds.selectors import ledger as selectors
from funds.services.ledger._common import _locked_collective, _require_booker, _today
from funds.services.ledger._entry_rules import _clean_entry, _closed_refusal
from participation.models import Decision
from portal import uploads
from portal.models import AuditAction
from portal.services.audit import audit_record, diff, snapshot
from portal.services.errors import Conflict, DomainError

VOUCHER_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp")

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


def correction_refusal(entry: LedgerEntry) -> str | None:
    """Why an entry cannot be corrected, or None when it can: a red reversal is not
    corrected again, nor is an entry already reversed. No writes, so the entry's page
    offers a correction only when entry_correct would take it."""
    if entry.amount < 0:
        return _("红字冲销凭证不能再更正；如有错误，请更正原凭证的重新记账凭证。")
    if entry.corrections.filter(amount__lt=0).exists():
        return _("该凭证已经冲销更正过，不能再次冲销。")
    return None


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
    refusal = correction_refusal(entry)
    if refusal:
        raise Conflict(refusal)
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
