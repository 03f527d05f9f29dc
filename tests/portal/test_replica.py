"""Reads of anonymous visitors on a streaming replica (portal/dbrouter.py).

Two halves. The router's rules with a "replica" alias that opens a second connection to
the test database itself (runs everywhere). Then a real streaming replica of the local
cluster, made by pg_basebackup for this module and removed afterwards; it is skipped,
with the reason, where that cannot be done (no pg_basebackup as with the embedded
PostgreSQL, pg_hba.conf without a replication entry for this host, a cluster too big to
copy).
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core import signing
from django.db import connections, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from portal import dbrouter
from portal.models import Region
from tests.factories import RegionFactory

BASE_DIR = Path(__file__).resolve().parents[2]
MIDDLEWARE = "portal.dbrouter.ReplicaReadsMiddleware"
ROUTER = "portal.dbrouter.ReplicaRouter"
COUNTY_PAGE = "/regions/510118000000/"
# A replica copies the whole cluster; above this size the test is skipped, not slow.
MAX_CLUSTER_MB = int(os.environ.get("PORTAL_TEST_REPLICA_MAX_MB", "2048"))

# Transactional: the replica (or the second connection) sees committed rows only, and the
# atomic block of a TestCase would keep every read on the primary anyway.
with_replica = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def _middleware() -> list[str]:
    items = [item for item in settings.MIDDLEWARE if item != MIDDLEWARE]
    after = items.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    items.insert(after + 1, MIDDLEWARE)
    return items


def _drop_replica_connection() -> None:
    if dbrouter.REPLICA in connections.settings:
        connections[dbrouter.REPLICA].close()
    with contextlib.suppress(AttributeError):
        del connections[dbrouter.REPLICA]


@pytest.fixture(scope="module")
def replica_slot(django_db_setup, django_db_blocker):
    """DATABASES["replica"] for this module: it must exist before a test that names it in
    its databases starts. Points at the test database until a test points it elsewhere."""
    previous = connections.settings.get(dbrouter.REPLICA)
    entry = copy.deepcopy(connections["default"].settings_dict)
    entry.update(CONN_MAX_AGE=0)
    entry["TEST"] = {**entry["TEST"], "MIRROR": "default"}
    _drop_replica_connection()
    connections.settings[dbrouter.REPLICA] = entry
    yield entry
    _drop_replica_connection()
    if previous is None:
        del connections.settings[dbrouter.REPLICA]
    else:
        connections.settings[dbrouter.REPLICA] = previous


@contextlib.contextmanager
def replica_at(slot: dict, **where):
    """The replica alias at `where` (default: a second connection to the test database),
    with the router and the middleware, for one test."""
    original = copy.deepcopy(slot)
    slot.update(where)
    _drop_replica_connection()
    dbrouter._ReplicaHealth.reset()
    try:
        with override_settings(DATABASE_ROUTERS=[ROUTER], MIDDLEWARE=_middleware()):
            yield
    finally:
        _drop_replica_connection()
        slot.clear()
        slot.update(original)
        dbrouter._ReplicaHealth.reset()


@contextlib.contextmanager
def queries():
    """(primary, replica) query captures of the block."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[dbrouter.REPLICA]) as replica,
    ):
        yield primary, replica


def _old_pin_cookie(seconds_ago: int) -> str:
    """A pin cookie signed `seconds_ago`, as the middleware would have set it then."""
    signer = signing.get_cookie_signer(salt=dbrouter.PIN_COOKIE + dbrouter.PIN_SALT)
    stamp = signing.b62_encode(int(time.time()) - seconds_ago)
    return signing.Signer.sign(signer, f"1{signer.sep}{stamp}")


# --- The rules, with a second connection to the test database ----------------------------


@pytest.fixture
def mirror(replica_slot, transactional_db):
    with replica_at(replica_slot):
        yield


def test_router_keeps_migrations_on_the_primary_and_relates_both_aliases():
    router = dbrouter.ReplicaRouter()
    assert router.allow_migrate("default", "portal") is True
    assert router.allow_migrate("replica", "portal") is False
    on_primary, on_replica = Region(code="510100000000"), Region(code="510118000000")
    on_primary._state.db, on_replica._state.db = "default", "replica"
    assert router.allow_relation(on_primary, on_replica) is True
    assert router.db_for_write(Region) == "default"


@with_replica
def test_reads_use_the_replica_only_inside_a_request_and_outside_transactions(mirror, geo):
    # No request: Celery tasks, management commands.
    assert Region.objects.all().db == "default"
    assert not dbrouter.replica_used()
    with dbrouter.replica_reads():
        assert not dbrouter.replica_used()
        assert Region.objects.all().db == "replica"
        assert dbrouter.replica_used()
        with transaction.atomic():
            # Reads in an atomic block must see the block's writes.
            assert Region.objects.all().db == "default"
        assert Region.objects.get(code=geo.county.code).name == "新津区"
        Region.objects.filter(code=geo.county.code).update(name="新津区")
        # Once the request has written, the rest of it reads what it wrote.
        assert Region.objects.all().db == "default"


@with_replica
@override_settings(PORTAL_REPLICA_PIN_SECONDS=15)
def test_anonymous_gets_read_the_replica_officials_api_and_recent_writers_the_primary(
    mirror, personas, client
):
    with queries() as (primary, replica):
        response = client.get(COUNTY_PAGE)
    assert response.status_code == 200
    assert "新津区" in response.content.decode()
    assert len(replica) > 0 and len(primary) == 0
    assert dbrouter.PIN_COOKIE not in response.cookies

    # API clients with a token: the primary.
    with queries() as (primary, replica):
        response = client.get(COUNTY_PAGE, headers={"authorization": "Token abc"})
    assert response.status_code == 200
    assert len(replica) == 0 and len(primary) > 0

    # A POST, and the visitor's next GET (the client sends the pin back): the primary.
    with queries() as (primary, replica):
        response = client.post("/accounts/login/", {"username": "nobody", "password": "x"})
    assert response.status_code == 200  # the form again, with its error
    assert len(replica) == 0 and len(primary) > 0
    pin = response.cookies[dbrouter.PIN_COOKIE]
    assert pin["max-age"] == 15 and pin["httponly"]
    with queries() as (primary, replica):
        assert client.get(COUNTY_PAGE).status_code == 200
    assert len(replica) == 0 and len(primary) > 0

    # A pin older than PORTAL_REPLICA_PIN_SECONDS, or not signed by us: the replica again.
    for cookie in (_old_pin_cookie(seconds_ago=60), "1:forged"):
        client.cookies[dbrouter.PIN_COOKIE] = cookie
        with queries() as (primary, replica):
            assert client.get(COUNTY_PAGE).status_code == 200
        assert len(replica) > 0 and len(primary) == 0

    # A signed-in official: the primary.
    client.force_login(personas.village_official)
    with queries() as (primary, replica):
        assert client.get(COUNTY_PAGE).status_code == 200
    assert len(replica) == 0 and len(primary) > 0


class _Refuser:
    """A port that accepts connections and closes them at once, counting them: a replica
    that is down, as PostgreSQL's client sees it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@with_replica
def test_a_replica_that_does_not_answer_falls_back_to_the_primary(replica_slot, geo, client):
    refuser = _Refuser()
    try:
        with replica_at(replica_slot, HOST="127.0.0.1", PORT=str(refuser.port)):
            with CaptureQueriesContext(connections["default"]) as primary:
                response = client.get(COUNTY_PAGE)
            assert response.status_code == 200
            assert "新津区" in response.content.decode()
            assert len(primary) > 0
            tried = refuser.accepted
            assert tried > 0

            # The next requests of this process do not try again for a while.
            assert client.get(COUNTY_PAGE).status_code == 200
            assert refuser.accepted == tried
            assert dbrouter.PIN_COOKIE not in client.cookies
    finally:
        refuser.close()


@pytest.mark.django_db
def test_without_a_replica_everything_stays_on_the_primary(client):
    slot = connections.settings.pop(dbrouter.REPLICA, None)
    try:
        with override_settings(DATABASE_ROUTERS=[ROUTER], MIDDLEWARE=_middleware()):
            # The middleware takes itself out: no pin cookie after a POST.
            response = client.post("/accounts/login/", {"username": "nobody", "password": "x"})
            assert dbrouter.PIN_COOKIE not in response.cookies
            assert dbrouter._ReplicaHealth.usable() is False
    finally:
        if slot is not None:
            connections.settings[dbrouter.REPLICA] = slot


def _settings_in_subprocess(replica_url: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    if replica_url is not None:
        env["DATABASE_REPLICA_URL"] = replica_url
    code = (
        "import json; from django.conf import settings as s; "
        "r = s.DATABASES.get('replica'); "
        "print(json.dumps({'replica': r and {k: r[k] for k in ('HOST', 'PORT', 'NAME', "
        "'OPTIONS', 'TEST', 'CONN_HEALTH_CHECKS')}, 'routers': s.DATABASE_ROUTERS, "
        "'middleware': s.MIDDLEWARE, 'pin': s.PORTAL_REPLICA_PIN_SECONDS}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )


def test_settings_read_database_replica_url():
    unset = _settings_in_subprocess(None)
    assert unset.returncode == 0, unset.stderr
    facts = json.loads(unset.stdout)
    assert facts["replica"] is None
    assert facts["routers"] == [ROUTER]
    middleware = facts["middleware"]
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert middleware[auth + 1] == MIDDLEWARE
    assert facts["pin"] == 15

    given = _settings_in_subprocess("postgres://portal@10.0.0.12:5433/portal")
    assert given.returncode == 0, given.stderr
    replica = json.loads(given.stdout)["replica"]
    assert (replica["HOST"], replica["PORT"], replica["NAME"]) == ("10.0.0.12", 5433, "portal")
    assert replica["TEST"] == {"MIRROR": "default"}
    assert replica["OPTIONS"]["connect_timeout"] == 2
    assert replica["CONN_HEALTH_CHECKS"] is True

    wrong = _settings_in_subprocess("mysql://portal@10.0.0.12/portal")
    assert wrong.returncode != 0
    assert "DATABASE_REPLICA_URL must point to PostgreSQL" in wrong.stderr


# --- A real streaming replica of the local cluster ---------------------------------------


def _primary_facts() -> dict:
    with connections["default"].cursor() as cursor:

        def one(sql: str):
            cursor.execute(sql)
            return cursor.fetchone()[0]

        facts = {
            "major": int(one("SHOW server_version_num")) // 10000,
            "wal_level": one("SHOW wal_level"),
            "max_wal_senders": int(one("SHOW max_wal_senders")),
            "may_replicate": one(
                "SELECT rolsuper OR rolreplication FROM pg_roles WHERE rolname = current_user"
            ),
            "cluster_mb": int(one("SELECT sum(pg_database_size(oid)) FROM pg_database")) // 2**20,
            # A hot standby needs at least the primary's values of these.
            "standby": {
                name: one(f"SHOW {name}")
                for name in (
                    "max_connections",
                    "max_worker_processes",
                    "max_wal_senders",
                    "max_prepared_transactions",
                    "max_locks_per_transaction",
                )
            },
        }
        try:
            with transaction.atomic():
                facts["bindir"] = one("SELECT setting FROM pg_config WHERE name = 'BINDIR'")
        except Exception:  # noqa: BLE001 - pg_config is for superusers only
            facts["bindir"] = f"/usr/lib/postgresql/{facts['major']}/bin"
    return facts


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)


def _unavailable(reason: str) -> None:
    """Skip, or fail where a replica is required (CI sets PORTAL_REQUIRE_REPLICA=1 after
    allowing replication from 127.0.0.1 in pg_hba.conf)."""
    if os.environ.get("PORTAL_REQUIRE_REPLICA") == "1":
        pytest.fail(f"PORTAL_REQUIRE_REPLICA=1 but no replica can be made: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def streaming_replica(django_db_setup, django_db_blocker):
    """A hot standby of the cluster that holds the test database, on a free port."""
    with django_db_blocker.unblock():
        facts = _primary_facts()
        primary = connections["default"].settings_dict
    bindir = Path(facts["bindir"])
    if not (bindir / "pg_basebackup").exists() or not (bindir / "pg_ctl").exists():
        _unavailable(f"no pg_basebackup/pg_ctl in {bindir} (embedded PostgreSQL?)")
    if facts["wal_level"] == "minimal" or facts["max_wal_senders"] == 0:
        _unavailable("the primary does not stream WAL (wal_level minimal or max_wal_senders 0)")
    if not facts["may_replicate"]:
        _unavailable(f"database user {primary['USER']!r} has no REPLICATION privilege")
    if facts["cluster_mb"] > MAX_CLUSTER_MB:
        # Not a missing capability: other databases in the cluster (benchmarks) make the
        # copy too slow for a test, even where a replica is required.
        pytest.skip(
            f"the cluster holds {facts['cluster_mb']} MB, more than PORTAL_TEST_REPLICA_MAX_MB "
            f"({MAX_CLUSTER_MB}) to copy for a test"
        )
    as_postgres: list[str] = []
    owner = None
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no postgres user to run the replica")
        as_postgres = ["runuser", "-u", "postgres", "--"]

    folder = Path(tempfile.mkdtemp(prefix="portal-replica-"))
    data = folder / "data"
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    folder.chmod(0o700)
    env = {**os.environ}
    if primary["PASSWORD"]:
        env["PGPASSWORD"] = primary["PASSWORD"]
    where = []
    if primary["HOST"]:
        where += ["-h", primary["HOST"]]
    if primary["PORT"]:
        where += ["-p", str(primary["PORT"])]
    started = False
    try:
        backup = _run(
            [
                *as_postgres,
                str(bindir / "pg_basebackup"),
                *where,
                *("-U", primary["USER"], "-D", str(data)),
                *("-R", "-X", "stream", "-c", "fast", "--no-sync"),
            ],
            env=env,
        )
        if backup.returncode != 0:
            if "pg_hba.conf" in backup.stderr:
                _unavailable(f"pg_basebackup refused: {backup.stderr.strip()}")
            pytest.fail(f"pg_basebackup failed: {backup.stderr}")
        # Our own server files: nothing of the primary's postgresql.conf (port, paths).
        (data / "postgresql.conf").write_text("# streaming replica of a test\n")
        (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        (data / "pg_ident.conf").write_text("")
        if owner is not None:
            for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
                os.chown(data / name, owner.pw_uid, owner.pw_gid)
        port = _free_port()
        options = {
            "port": port,
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(folder),
            "hba_file": str(data / "pg_hba.conf"),
            "ident_file": str(data / "pg_ident.conf"),
            "hot_standby": "on",
            "shared_buffers": "16MB",
            "fsync": "off",
            "logging_collector": "off",
            "archive_mode": "off",
            "ssl": "off",
            **facts["standby"],
        }
        command_line = " ".join(f"-c {shlex.quote(f'{k}={v}')}" for k, v in options.items())
        start = _run(
            [
                *as_postgres,
                str(bindir / "pg_ctl"),
                *("-D", str(data), "-l", str(folder / "replica.log")),
                *("-o", command_line, "-w", "-t", "120", "start"),
            ]
        )
        started = True
        if start.returncode != 0:
            log = (folder / "replica.log").read_text(errors="replace")[-3000:]
            pytest.fail(f"the replica did not start: {start.stdout}{start.stderr}\n{log}")
        yield {"HOST": "127.0.0.1", "PORT": str(port)}
    finally:
        if started:
            _run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def replica(replica_slot, streaming_replica, transactional_db):
    with replica_at(replica_slot, **streaming_replica):
        yield


def _wait_for_replay(seconds: float = 60) -> None:
    """Until the replica has replayed everything committed on the primary so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + seconds
    with connections[dbrouter.REPLICA].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError(f"the replica did not replay up to {lsn} in {seconds} s")


@with_replica
def test_a_streaming_replica_serves_anonymous_reads(replica, personas, client):
    with connections[dbrouter.REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True  # a standby, not the primary under another name

    # A row written on the primary through Django (here: after the personas) reaches it.
    RegionFactory(code="510118002000", name="花源街道")
    _wait_for_replay()
    assert Region.objects.using(dbrouter.REPLICA).get(code="510118002000").name == "花源街道"

    # An anonymous visitor's GET is served from the replica.
    with queries() as (primary, on_replica):
        response = client.get(COUNTY_PAGE)
    assert response.status_code == 200
    assert "新津区" in response.content.decode()
    assert len(on_replica) > 0 and len(primary) == 0

    # Their POST, and their next GET: the primary.
    with queries() as (primary, on_replica):
        client.post("/accounts/login/", {"username": "nobody", "password": "x"})
    assert len(on_replica) == 0 and len(primary) > 0
    with queries() as (primary, on_replica):
        assert client.get(COUNTY_PAGE).status_code == 200
    assert len(on_replica) == 0 and len(primary) > 0

    # A signed-in official: the primary.
    client.cookies.clear()
    client.force_login(personas.village_official)
    with queries() as (primary, on_replica):
        assert client.get(COUNTY_PAGE).status_code == 200
    assert len(on_replica) == 0 and len(primary) > 0
