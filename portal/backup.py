"""Backups: the database (pg_dump, custom format), the media files (public and private) and a
manifest that lets a restore prove it got everything back.

A backup is a folder:

    manifest.json   when, from which commit, the row count of every table, every media file
                    with its size and SHA-256, and the SHA-256 of the two files below
    database.dump   `pg_dump -Fc`, taken in the same snapshot as the row counts
    media.tar       MEDIA_ROOT as it was (vouchers and request attachments included)

`backup_create` writes one, `backup_restore` puts one into an empty database and an empty
media folder and checks row counts and file hashes against the manifest. docs/backup.md
says how to run them and how to test restores regularly.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

MANIFEST = "manifest.json"
DATABASE_DUMP = "database.dump"
MEDIA_TAR = "media.tar"
FORMAT_VERSION = 1
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass
class RestoreReport:
    tables: int
    rows: int
    files: int
    seconds: float
    mismatches: list[str] = field(default_factory=list)


# --- connections and binaries ------------------------------------------------------------


def database_from_url(url: str) -> dict[str, Any]:
    try:
        config = dj_database_url.parse(url)
    except ValueError as exc:
        raise BackupError(_("数据库地址无效：%(error)s") % {"error": exc}) from None
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise BackupError(_("只能备份或恢复 PostgreSQL 数据库（postgres://...）。"))
    return config


def _libpq_env(database: dict[str, Any]) -> dict[str, str]:
    """The connection as libpq variables, so no password appears on a command line."""
    env = {"PGDATABASE": database["NAME"]}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if database.get(key):
            env[variable] = str(database[key])
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return env


def _connect(database: dict[str, Any], **kwargs) -> psycopg.Connection:
    params = {k.lower().removeprefix("pg"): v for k, v in _libpq_env(database).items()}
    params["dbname"] = params.pop("database")
    return psycopg.connect(**params, connect_timeout=10, **kwargs)


def pg_binary(name: str, server_version_num: int) -> str:
    """pg_dump / pg_restore no older than the server: PORTAL_PG_BIN_DIR, else the Debian
    folder of the server's major version, else the one on PATH."""
    folders = [os.environ.get("PORTAL_PG_BIN_DIR", "")]
    folders.append(f"/usr/lib/postgresql/{server_version_num // 10000}/bin")
    for folder in filter(None, folders):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(
            _("找不到 %(name)s：请安装 PostgreSQL 客户端，或设置 PORTAL_PG_BIN_DIR。")
            % {"name": name}
        )
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 - a fixed binary and our own arguments
        command, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(
            _("%(command)s 失败（退出码 %(code)s）：%(error)s")
            % {
                "command": Path(command[0]).name,
                "code": result.returncode,
                "error": result.stderr.strip()[-2000:],
            }
        )


def _tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    return [name for (name,) in cursor.fetchall()]


def table_row_counts(cursor) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor):
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


# --- files --------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _git_commit() -> str:
    try:
        result = subprocess.run(  # nosec B607
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - git from PATH, read-only
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


# --- backup -------------------------------------------------------------------------------


def backup_create(
    *, out: Path, database: dict[str, Any] | None = None, media_root: Path | None = None
) -> dict[str, Any]:
    """Write a backup into the folder `out` (new or empty) and return its manifest."""
    database = database or settings.DATABASES["default"]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(_("备份目录 %(path)s 不是空的，请换一个目录。") % {"path": out})
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    # The row counts and the dump see the same snapshot: a write during the backup is in
    # both or in neither, so a restore can compare them exactly.
    with _connect(database) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version_num')")
            snapshot, version = cursor.fetchone()
            counts = table_row_counts(cursor)
            _run(
                [
                    pg_binary("pg_dump", int(version)),
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--no-owner",
                    f"--file={out / DATABASE_DUMP}",
                ],
                _libpq_env(database),
            )
        conn.rollback()

    files = []
    with tarfile.open(out / MEDIA_TAR, "w") as archive:
        for path in media_files(media_root):
            name = path.relative_to(media_root).as_posix()
            archive.add(path, arcname=name, recursive=False)
            files.append({"path": name, "size": path.stat().st_size, "sha256": sha256_of(path)})

    manifest = {
        "format": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "git_commit": _git_commit(),
        "database": {"name": database["NAME"], "server_version_num": int(version)},
        "tables": counts,
        "files": files,
        "artifacts": {
            name: {"size": (out / name).stat().st_size, "sha256": sha256_of(out / name)}
            for name in (DATABASE_DUMP, MEDIA_TAR)
        },
        "seconds": round(time.monotonic() - started, 2),
    }
    (out / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return manifest


# --- restore ------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupError(_("%(path)s 里没有 manifest.json，不是一份备份。") % {"path": folder})
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(_("不认识这份备份的格式版本：%(v)s。") % {"v": manifest.get("format")})
    return manifest


def verify_artifacts(folder: Path, manifest: dict[str, Any]) -> None:
    """The dump and the tar are what the backup wrote: same size and SHA-256."""
    for name, expected in manifest["artifacts"].items():
        path = Path(folder) / name
        if not path.is_file():
            raise BackupError(_("备份缺少文件 %(name)s。") % {"name": name})
        if path.stat().st_size != expected["size"] or sha256_of(path) != expected["sha256"]:
            raise BackupError(
                _("备份文件 %(name)s 的校验和不符，文件已损坏或被改动。") % {"name": name}
            )


def backup_restore(
    *,
    folder: Path,
    database: dict[str, Any],
    media_root: Path,
    force: bool = False,
) -> RestoreReport:
    """Restore the backup in `folder` into `database` and `media_root`, then check both
    against the manifest. A target that already holds tables or files is refused unless
    `force` (then the tables are dropped first and the files overwritten)."""
    folder, media_root = Path(folder), Path(media_root)
    started = time.monotonic()
    manifest = read_manifest(folder)
    verify_artifacts(folder, manifest)

    with _connect(database, autocommit=True) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')")
        version = int(cursor.fetchone()[0])
        existing = _tables(cursor)
    if existing and not force:
        raise BackupError(
            _("目标数据库 %(name)s 已有 %(n)s 张表；恢复只写入空库，确需覆盖请加 --force。")
            % {"name": database["NAME"], "n": len(existing)}
        )
    if media_files(media_root) and not force:
        raise BackupError(
            _("目标媒体目录 %(path)s 不是空的；确需覆盖请加 --force。") % {"path": media_root}
        )

    command = [pg_binary("pg_restore", version), "--no-owner", "--no-privileges"]
    command += ["--exit-on-error", "--single-transaction"]
    if existing:
        command += ["--clean", "--if-exists"]
    _run(
        [*command, f"--dbname={database['NAME']}", str(folder / DATABASE_DUMP)],
        _libpq_env(database),
    )

    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA_TAR) as archive:
        archive.extractall(media_root, filter="data")

    mismatches = []
    with _connect(database) as conn, conn.cursor() as cursor:
        counts = table_row_counts(cursor)
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            mismatches.append(
                _("表 %(t)s：备份时 %(e)s 行，恢复后 %(a)s 行")
                % {"t": table, "e": expected, "a": counts.get(table, _("缺失"))}
            )
    for entry in manifest["files"]:
        path = media_root / entry["path"]
        if not path.is_file() or sha256_of(path) != entry["sha256"]:
            mismatches.append(_("文件 %(p)s 缺失或内容不符") % {"p": entry["path"]})
    report = RestoreReport(
        tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()),
        files=len(manifest["files"]),
        seconds=round(time.monotonic() - started, 2),
        mismatches=mismatches,
    )
    if mismatches:
        raise BackupError(
            _("恢复后的数据与备份清单不一致：%(list)s") % {"list": "；".join(mismatches[:20])}
        )
    return report
