"""`make run`: database, migrations, demo data, web server, Celery worker (all queues) and beat.

Ctrl-C (or SIGTERM) stops every process it started, the embedded database included.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.devdb import BASE_DIR, VAR_DIR, resolve  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent


def spawn(*command: str) -> subprocess.Popen:
    # Own session: Ctrl-C reaches only this script, which then stops the children in order.
    return subprocess.Popen(command, cwd=BASE_DIR, start_new_session=True)


def wait_until_serving(port: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310  # nosec B310
                return
        except urllib.error.HTTPError:
            return  # it answers; /healthz reports what is degraded
        except OSError:
            time.sleep(0.3)


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, check=True)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> int:
    started = time.monotonic()
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    port = os.environ.get("PORT", "8000")
    database = resolve(allow_local=False)
    os.environ["DATABASE_URL"] = database.url
    print(f"· database: {database.where}", flush=True)
    if not os.environ.get("REDIS_URL"):
        print("· broker: filesystem queue under var/celery (REDIS_URL not set)", flush=True)
    children: list[subprocess.Popen] = []

    def stop(*_args) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.kill()
        database.stop()

    # Explicit, so Ctrl-C works even when started from a shell that ignores SIGINT.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        manage("migrate", "--noinput", "-v", "0")
        manage("seed_demo")
        children.append(spawn(PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"))
        # One worker for every queue of CELERY_TASK_ROUTES; production runs one per queue.
        children.append(
            spawn(
                *(str(BIN / "celery"), "-A", "portal", "worker", "-l", "info"),
                *("-Q", "celery,reminders,publishing,exports", "--concurrency", "2"),
            )
        )
        schedule = str(VAR_DIR / "celerybeat-schedule")
        children.append(
            spawn(str(BIN / "celery"), "-A", "portal", "beat", "-l", "info", "--schedule", schedule)
        )
        wait_until_serving(port)
        from portal.demo.logins import DEMO_LOGINS, DEMO_PASSWORD

        print(f"\n  门户已启动 / portal running: http://127.0.0.1:{port}/", flush=True)
        print(f"  后台 / back office:        http://127.0.0.1:{port}/admin/", flush=True)
        print(f"  API docs:                   http://127.0.0.1:{port}/api/v1/docs/", flush=True)
        print(f"  演示账户 / demo logins (password {DEMO_PASSWORD}):", flush=True)
        for username, role, scope in DEMO_LOGINS:
            print(f"    {username:<18} {role} · {scope}", flush=True)
        print(
            f"  ready in {time.monotonic() - started:.0f} s; Ctrl-C stops everything.\n", flush=True
        )
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("a process exited; stopping the rest", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
        return 0
    except subprocess.CalledProcessError as exc:
        print(f"failed: {' '.join(exc.cmd)}", file=sys.stderr)
        return exc.returncode or 1
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
