"""Processes the fault tests break: a private Redis, a private PostgreSQL cluster, and
gunicorn serving the project against them. Each runs on a free port in a temporary
folder; none touches the shared servers of the machine (Redis 6379, PostgreSQL 5432).

The web server runs DEBUG off, as in production, with a settings module generated for
the test (`from portal.settings import *` plus a few lines): plain static files storage,
since the manifest of `collectstatic` is a deploy step and not the subject here.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, seconds: float = 60, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if condition():
                return True
        time.sleep(interval)
    return False


def settings_module(folder: Path, name: str, extra: str = "") -> Path:
    """A settings module `name` in `folder` for processes started by a test."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text(
        "from portal.settings import *  # noqa: F403\n"
        "STORAGES = {**STORAGES, 'staticfiles': "  # noqa: F405
        "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n" + extra,
        encoding="utf-8",
    )
    return folder


# --- Redis ----------------------------------------------------------------------------


class PrivateRedis:
    """redis-server on a free port, no persistence: stop() is a crash that loses nothing
    the portal keeps only in Redis (it keeps nothing there that it cannot lose)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def start(self) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
                *("--logfile", str(self.folder / "redis.log")),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_for(self.ping, 20):
            raise RuntimeError(f"private redis did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # as a crash: no shutdown, no save
            self.process.wait(timeout=10)
        self.process = None


# --- PostgreSQL -----------------------------------------------------------------------


class PrivateCluster:
    """A new PostgreSQL cluster (initdb) on a free port, run as the postgres user when
    the tests run as root, as tests/portal/test_replica.py does."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.log = str(folder / "postgres.log")
        self.as_postgres: list[str] = []
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            owner = pwd.getpwnam("postgres")
            os.chown(folder, owner.pw_uid, owner.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        folder.chmod(0o700)
        self.bindir = Path(
            subprocess.run(
                ["pg_config", "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
        )

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [*self.as_postgres, *command], capture_output=True, text=True, timeout=300
        )
        if result.returncode != 0:
            log = self.folder / "postgres.log"
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"{command[0]} failed: {result.stdout}{result.stderr}\n{tail}")
        return result

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            *("-D", str(self.data), "-U", "postgres", "--auth=trust"),
            *("-E", "UTF8", "--locale=C.UTF-8", "--no-sync"),
        )
        options = {
            "port": self.port,
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.folder),
            "fsync": "off",
            "shared_buffers": "32MB",
            "max_connections": 40,
        }
        self.options = " ".join(f"-c {shlex.quote(f'{k}={v}')}" for k, v in options.items())

    def start(self) -> None:
        # With a log file: the server must not hold our pipes open (we would wait forever).
        self._pg_ctl("start", "-o", self.options, "-l", self.log)

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every session is ended, the server comes back."""
        self._pg_ctl("restart", "-m", "fast", "-o", self.options, "-l", self.log)

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            self._pg_ctl("stop", "-m", "immediate")

    def _pg_ctl(self, action: str, *options: str) -> None:
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", action, *options
        )

    def execute(self, sql: str, database: str = "postgres") -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            cursor = connection.execute(sql)
            return cursor.fetchall() if cursor.description else []


# --- gunicorn ---------------------------------------------------------------------------


class Gunicorn:
    """`gunicorn portal.wsgi` with DEBUG off, `workers` sync workers, on a free port."""

    def __init__(
        self,
        folder: Path,
        *,
        database_url: str,
        redis_url: str = "",
        workers: int = 2,
        env: dict[str, str] | None = None,
        settings_extra: str = "",
    ) -> None:
        self.folder = folder
        self.port = free_port()
        settings_module(folder, "faults_web_settings", settings_extra)
        self.log_path = folder / "gunicorn.log"
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in ("REDIS_URL", "DATABASE_REPLICA_URL", "DJANGO_SETTINGS_MODULE")
        }
        environment.update(
            DJANGO_SETTINGS_MODULE="faults_web_settings",
            PYTHONPATH=os.pathsep.join([str(folder), str(BASE_DIR)]),
            DATABASE_URL=database_url,
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(40),
            PORTAL_IDENTITY_HASH_KEY=os.environ.get("PORTAL_IDENTITY_HASH_KEY")
            or "dev-only-identity-hash-key",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        )
        environment.update(env or {})
        if redis_url:
            environment["REDIS_URL"] = redis_url
        self.env = environment
        self.workers = workers
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "portal.wsgi:application",
                *("--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)),
                *("--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning"),
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        if not wait_for(lambda: requests.get(self.url + "/units/", timeout=5).status_code, 90):
            raise RuntimeError(f"gunicorn did not answer:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None
