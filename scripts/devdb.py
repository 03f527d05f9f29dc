"""Find or start the PostgreSQL that `make run` and `make test` use.

Order of preference:
1. DATABASE_URL, when set;
2. (tests only) the server on 127.0.0.1:5432, when it answers for user postgres;
3. an embedded PostgreSQL 16 under var/pgdata (the `pgserver` package), stopped again
   when the caller exits.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
LOCAL_URL = "postgres://postgres@127.0.0.1:5432/{name}"


def _local_server_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
    except OSError:
        return False
    import psycopg

    try:
        with psycopg.connect(LOCAL_URL.format(name="postgres"), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _ensure_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


class Database:
    def __init__(self, url: str, server=None, where: str = "") -> None:
        self.url, self.server, self.where = url, server, where

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()
            self.server = None


def start_embedded(name: str = "portal") -> Database:
    import pgserver

    VAR_DIR.mkdir(exist_ok=True)
    pgdata = VAR_DIR / "pgdata"
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    _ensure_database(server.get_uri("postgres"), name)
    # Django wants the socket directory as the host: percent-encode it into the URL.
    url = f"postgres://postgres@{quote(str(pgdata), safe='')}/{name}"
    return Database(url, server, where=f"embedded PostgreSQL under {pgdata}")


def resolve(*, allow_local: bool, name: str = "portal") -> Database:
    url = os.environ.get("DATABASE_URL")
    if url:
        return Database(url, where="DATABASE_URL")
    if allow_local and _local_server_answers():
        _ensure_database(LOCAL_URL.format(name="postgres"), name)
        return Database(LOCAL_URL.format(name=name), where="PostgreSQL on 127.0.0.1:5432")
    return start_embedded(name)
