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

One module per part; callers import the names from here (`from funds.services import
ledger as services`):

- collectives: opening a collective's account, registering its members;
- entries: booking, correcting, attaching original vouchers;
- registers: fixed assets and resources;
- statements: generating and publishing the monthly statements;
- imports: a centre's workbook of entries;
- _common, _entry_rules: what several of them share.
"""

from funds.services.ledger._common import MAX_AMOUNT
from funds.services.ledger._entry_rules import DECIDED
from funds.services.ledger.collectives import collective_create, member_register
from funds.services.ledger.entries import (
    ENTRY_FIELDS,
    REPLACEMENT_FIELDS,
    VOUCHER_TYPES,
    correction_refusal,
    entry_book,
    entry_correct,
    voucher_attach,
    voucher_refusal,
)
from funds.services.ledger.imports import MAX_IMPORT_ROWS, ledger_import
from funds.services.ledger.registers import (
    ASSET_FIELDS,
    RESOURCE_FIELDS,
    asset_register,
    asset_update,
    resource_register,
    resource_update,
)
from funds.services.ledger.statements import (
    RECORD_LANGUAGE,
    STATEMENT_ITEM,
    statement_generate,
    statement_publish,
    statement_record_body,
    statement_title,
    statements_generate_due,
)

__all__ = [
    "ASSET_FIELDS",
    "DECIDED",
    "ENTRY_FIELDS",
    "MAX_AMOUNT",
    "MAX_IMPORT_ROWS",
    "RECORD_LANGUAGE",
    "REPLACEMENT_FIELDS",
    "RESOURCE_FIELDS",
    "STATEMENT_ITEM",
    "VOUCHER_TYPES",
    "asset_register",
    "asset_update",
    "collective_create",
    "correction_refusal",
    "entry_book",
    "entry_correct",
    "ledger_import",
    "member_register",
    "resource_register",
    "resource_update",
    "statement_generate",
    "statement_publish",
    "statement_record_body",
    "statement_title",
    "statements_generate_due",
    "voucher_attach",
    "voucher_refusal",
]
