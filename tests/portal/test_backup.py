"""Backup and restore (issue 10): `manage.py backup` writes a pg_dump, the media files and a
manifest; `manage.py restore` puts them into an EMPTY database and media folder, and the
restored copy has the same rows in every table and the same files, byte for byte."""

import hashlib
import json
import uuid
from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from disclosure.services import attachment_add
from funds.models import Member, Voucher
from funds.services import ledger as ledger_services
from portal import backup
from tests.disclosure.conftest import publish
from tests.funds.conftest import money  # noqa: F401 - the funds fixture, used below
from tests.funds.test_ledger_helpers import PDF, PNG, book

pytestmark = pytest.mark.django_db(transaction=True)


def _url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}{port}/{name}"


@pytest.fixture
def empty_database():
    """A new, empty database on the same server, dropped afterwards."""
    name = f"test_restore_{uuid.uuid4().hex[:10]}"
    admin = _url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _counts(cursor) -> dict[str, int]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    )
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)).as_string())
        counts[table] = cursor.fetchone()[0]
    return counts


def _digests(root) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_a_backup_restores_into_an_empty_database_with_the_same_records_and_files(
    money,  # noqa: F811
    personas,
    geo,
    catalog,
    settings,
    tmp_path,
    empty_database,
):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    record = publish(geo.village_committee, personas.village_official, title="平岗社区公示")
    attachment = attachment_add(
        record=record, name="公示.pdf", data=PDF, actor=personas.village_official
    )
    voucher = ledger_services.voucher_attach(
        entry=book(money), name="发票.png", data=PNG, actor=money.accountant
    )
    (media / "gazette").mkdir()
    (media / "gazette" / "2026-1.pdf").write_bytes(PDF)  # a public file too
    with connection.cursor() as cursor:
        source_counts = _counts(cursor)
    source_files = _digests(media)
    assert attachment.file.name in source_files and voucher.file.name in source_files
    assert voucher.file.name.startswith("private/vouchers/")

    out = StringIO()
    call_command("backup", "--out", str(tmp_path / "backup"), stdout=out)
    assert "备份完成" in out.getvalue()
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"] == source_counts
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == source_files
    assert set(manifest["artifacts"]) == {"database.dump", "media.tar"}
    assert manifest["created_at"] and "git_commit" in manifest

    restored_media = tmp_path / "restored-media"
    out = StringIO()
    call_command(
        "restore",
        str(tmp_path / "backup"),
        "--into",
        _url(empty_database),
        "--media-root",
        str(restored_media),
        stdout=out,
    )
    assert "与备份清单一致" in out.getvalue()

    # Counted again here, not taken from the command's word.
    with psycopg.connect(_url(empty_database)) as conn, conn.cursor() as cursor:
        assert _counts(cursor) == source_counts
        cursor.execute(
            "SELECT file, sha256, original_name FROM disclosure_attachment WHERE id = %s",
            [attachment.pk],
        )
        assert cursor.fetchone() == (attachment.file.name, attachment.sha256, "公示.pdf")
        cursor.execute("SELECT file, sha256 FROM funds_voucher WHERE id = %s", [voucher.pk])
        assert cursor.fetchone() == (voucher.file.name, voucher.sha256)
        cursor.execute("SELECT title, status FROM disclosure_record WHERE id = %s", [record.pk])
        assert cursor.fetchone() == (record.title, record.status)
        cursor.execute(
            "SELECT real_name, id_number_hash, id_number_masked FROM funds_member ORDER BY id"
        )
        assert cursor.fetchall() == list(
            Member.objects.order_by("id").values_list(
                "real_name", "id_number_hash", "id_number_masked"
            )
        )
        cursor.execute("SELECT count(*) FROM django_migrations")
        assert cursor.fetchone()[0] == source_counts["django_migrations"] > 0
    assert _digests(restored_media) == source_files
    assert Voucher.objects.count() == 1


def test_restore_refuses_a_target_that_is_not_empty_and_a_damaged_backup(
    personas, settings, tmp_path, empty_database
):
    media = tmp_path / "media"
    (media / "private").mkdir(parents=True)
    (media / "private" / "a.bin").write_bytes(b"private bytes")
    settings.MEDIA_ROOT = media
    folder = tmp_path / "backup"
    call_command("backup", "--out", str(folder), stdout=StringIO())

    # Into the database it was taken from (not empty): refused, nothing touched.
    with pytest.raises(CommandError, match="已有 .* 张表.*--force"):
        call_command("restore", str(folder), "--media-root", str(tmp_path / "m2"))
    # Into an empty database but a media folder that holds files: refused.
    with pytest.raises(CommandError, match="媒体目录 .* 不是空的"):
        call_command("restore", str(folder), "--into", _url(empty_database), "--media-root", media)
    # Backing up into a folder that is not empty: refused.
    with pytest.raises(CommandError, match="不是空的"):
        call_command("backup", "--out", str(folder), stdout=StringIO())

    # A damaged dump is found before anything is written.
    with (folder / "database.dump").open("ab") as dump:
        dump.write(b"x")
    with pytest.raises(CommandError, match="database.dump 的校验和不符"):
        call_command(
            "restore",
            str(folder),
            "--into",
            _url(empty_database),
            "--media-root",
            str(tmp_path / "m3"),
        )
    with psycopg.connect(_url(empty_database)) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()[0]
    assert tables == 0
    assert not (tmp_path / "m3").exists()

    with pytest.raises(CommandError, match="没有 manifest.json"):
        call_command("restore", str(tmp_path), "--into", _url(empty_database))


def test_the_pg_binaries_match_the_server(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')")
        version = int(cursor.fetchone()[0])
    path = backup.pg_binary("pg_dump", version)
    assert path.endswith("/pg_dump")
