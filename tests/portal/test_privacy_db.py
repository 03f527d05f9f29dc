"""ID numbers only as keyed hash + mask anywhere in the database (issue 10, privacy).

The demo is loaded (synthetic but well-formed ID and mobile numbers: it registers members,
residents, letter writers, applicants) and then every text, varchar and JSON column of
every table is searched, in SQL, for an 18-character ID number with a valid check
character and for an 11-digit mainland mobile number. ID numbers must appear nowhere;
mobiles only in the columns listed in PHONE_COLUMNS, each with the reason it is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from psycopg import sql

from portal import identity

# Columns that hold a mobile number in clear on purpose. Each is masked wherever shown
# (identity.mask_phone) and never published; the phone is how an official reaches the
# person, and its keyed hash next to it is what rate limits and look-ups use.
PHONE_COLUMNS = {
    ("mailbox_letter", "phone"): "来信人的手机：办理人员须回电核实、答复（页面和导出中遮挡）",
    ("disclosure_inforequest", "phone"): "依申请公开的申请人联系电话：补正、延期和答复要通知到本人",
    ("services_proxyrequest", "phone"): "代办申请人的手机：代办员须联系上门",
    ("portal_user", "phone"): "账号本人登记的手机（工作人员的联系方式），只在本人和后台可见",
    ("portal_unit", "phone"): "单位的办公电话，本就公开，不是个人信息",
    ("services_serviceguide", "phone"): "办事指南的咨询电话，本就公开，不是个人信息",
}

TEXT_TYPES = ("character varying", "character", "text", "json", "jsonb")
# The same shapes as identity.ID_NUMBER_IN_TEXT / MOBILE_IN_TEXT, in PostgreSQL's regex
# dialect: the database finds candidates, Python checks the ID number's check character.
SQL_ID = r"(^|[^0-9A-Za-z])[1-9][0-9]{16}[0-9Xx]([^0-9A-Za-z]|$)"
SQL_MOBILE = r"(^|[^0-9A-Za-z])1[3-9][0-9]{9}([^0-9A-Za-z]|$)"
# A mobile standing on its own: not a run of digits inside a hex digest or a token (the
# keyed hashes next to every phone hold such runs and are not personal data).
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
BATCH = 5000


@dataclass(frozen=True)
class Hit:
    table: str
    column: str
    kind: str
    masked: str


def text_columns(cursor) -> dict[str, list[str]]:
    cursor.execute(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN information_schema.tables t "
        "  ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
        "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' "
        "  AND c.data_type = ANY(%s) ORDER BY c.table_name, c.ordinal_position",
        [list(TEXT_TYPES)],
    )
    columns: dict[str, list[str]] = {}
    for table, column in cursor.fetchall():
        columns.setdefault(table, []).append(column)
    return columns


def scan_database(cursor) -> tuple[list[Hit], int, int]:
    """Every (table, column, kind) holding personal numbers: (hits, columns, rows read)."""
    hits: list[Hit] = []
    rows_read = 0
    columns = text_columns(cursor)
    for table, names in columns.items():
        texts = [sql.SQL("{}::text").format(sql.Identifier(name)) for name in names]
        any_match = sql.SQL(" OR ").join(
            sql.SQL("{} ~ %(id)s OR {} ~ %(mobile)s").format(text, text) for text in texts
        )
        # Keyset batches over ctid would need a sort; the candidates are few, so a
        # server-side cursor reading BATCH rows at a time keeps memory flat instead.
        query = sql.SQL("SELECT {} FROM {} WHERE {}").format(
            sql.SQL(", ").join(texts), sql.Identifier(table), any_match
        )
        with (
            transaction.atomic(),
            connection.connection.cursor(name=f"scan_{table}") as server_side,
        ):
            server_side.itersize = BATCH
            server_side.execute(query, {"id": SQL_ID, "mobile": SQL_MOBILE})
            for row in server_side:
                rows_read += 1
                for name, value in zip(names, row, strict=True):
                    hits.extend(_hits_in(table, name, value or ""))
    return hits, sum(len(n) for n in columns.values()), rows_read


def _hits_in(table: str, column: str, value: str) -> list[Hit]:
    found = []
    for match in identity.ID_NUMBER_IN_TEXT.finditer(value):
        if identity.is_valid_id_number(match.group(0)):
            found.append(Hit(table, column, "id", identity.mask_id_number(match.group(0))))
    for match in MOBILE.finditer(value):
        found.append(Hit(table, column, "mobile", identity.mask_phone(match.group(0))))
    return found


# --- without the demo (first: the demo, once loaded, stays for the rest of the module) --


def test_the_scan_finds_what_it_looks_for(db):
    """The scanner itself: a clear ID number and a stray mobile in ordinary columns."""
    from portal.models import AuditAction, AuditEntry
    from tests.factories import RegionFactory

    region = RegionFactory(code="510118001001", name="平岗社区")
    from django.contrib.contenttypes.models import ContentType

    AuditEntry.objects.create(
        action=AuditAction.CHANGE,
        content_type=ContentType.objects.get_for_model(region),
        object_id=region.pk,
        object_repr="平岗社区",
        changes={"note": ["", "身份证 11010519491231002X 电话 13812345678"]},
    )
    with connection.cursor() as cursor:
        hits, _columns, _rows = scan_database(cursor)
    assert ("portal_auditentry", "changes", "id", "110105********002X") in {
        (h.table, h.column, h.kind, h.masked) for h in hits
    }
    assert ("portal_auditentry", "changes", "mobile", "138****5678") in {
        (h.table, h.column, h.kind, h.masked) for h in hits
    }


def test_an_id_number_typed_into_a_letter_is_stored_masked(geo, calendar_2026):
    from mailbox.models import Letter
    from mailbox.services import letter_submit

    letter, created = letter_submit(
        unit=geo.village_committee,
        type="help",
        subject="关于低保 11010519491231002X 的咨询",
        body="我的身份证号码是11010519491231002X，电话13812345678，请回电。",
        name="王建国",
        phone="13812345678",
        id_number="11010519491231002X",
    )
    assert created
    stored = Letter.objects.values("subject", "body", "id_number_masked").get(pk=letter.pk)
    assert stored == {
        "subject": "关于低保 110105********002X 的咨询",
        # The phone stays: the official calls back; the public page hides it.
        "body": "我的身份证号码是110105********002X，电话13812345678，请回电。",
        "id_number_masked": "110105********002X",
    }
    assert identity.mask_id_numbers("号码 11010519491231002x 与 510118") == (
        "号码 110105********002X 与 510118"
    )


def test_the_audit_trail_records_changed_phones_and_id_numbers_masked(personas):
    from portal.models import AuditAction, AuditEntry
    from portal.services.audit import audit_record

    user = personas.citizen
    entry = audit_record(
        actor=personas.platform_admin,
        action=AuditAction.CHANGE,
        obj=user,
        changes={
            "phone": ["13812345678", "13987654321"],
            "note": [None, "证件 11010519491231002X"],
        },
        note="按 13812345678 的来电修改",
    )
    stored = AuditEntry.objects.values("changes", "note").get(pk=entry.pk)
    assert stored == {
        "changes": {
            "phone": ["138****5678", "139****4321"],
            "note": [None, "证件 110105********002X"],
        },
        "note": "按 138****5678 的来电修改",
    }


# --- the demo ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return seeded


def test_no_clear_id_number_anywhere_and_mobiles_only_where_kept_on_purpose(demo):
    with connection.cursor() as cursor:
        hits, columns, rows = scan_database(cursor)
    print(f"scanned {columns} text/varchar/json columns, {rows} candidate rows")  # noqa: T201
    id_hits = sorted({(h.table, h.column, h.masked) for h in hits if h.kind == "id"})
    assert id_hits == [], f"clear ID numbers stored: {id_hits[:20]}"
    stray = sorted({(h.table, h.column) for h in hits if h.kind == "mobile"} - set(PHONE_COLUMNS))
    assert stray == [], f"mobile numbers outside the phone columns: {stray}"
    # The demo does exercise the scan: its letters carry their writers' mobiles.
    assert {(h.table, h.column) for h in hits} >= {("mailbox_letter", "phone")}


def test_id_numbers_are_kept_as_hash_and_mask(demo):
    with connection.cursor() as cursor:
        tables = text_columns(cursor)
    pairs = [
        (table, names)
        for table, names in tables.items()
        if "id_number_hash" in names and "id_number_masked" in names
    ]
    # Residents, collective members, letters, requests for information at least.
    assert {t for t, _ in pairs} >= {
        "portal_residency",
        "funds_member",
        "mailbox_letter",
        "disclosure_inforequest",
    }
    with connection.cursor() as cursor:
        for table, _names in pairs:
            cursor.execute(
                sql.SQL(
                    "SELECT count(*) FILTER (WHERE id_number_masked <> ''), "
                    "count(*) FILTER (WHERE id_number_masked <> '' AND NOT ("
                    "  id_number_hash ~ '^[0-9a-f]{{64}}$' "
                    "  AND id_number_masked ~ '^[0-9]{{6}}\\*{{8}}[0-9]{{3}}[0-9X]$')) FROM {}"
                ).format(sql.Identifier(table))
            )
            stored, malformed = cursor.fetchone()
            assert malformed == 0, table
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM portal_residency WHERE id_number_masked <> ''")
        assert cursor.fetchone()[0] > 0
