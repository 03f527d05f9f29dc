"""`make test`: pick a real PostgreSQL (DATABASE_URL, else 127.0.0.1:5432, else an
embedded one), run pytest against it, and stop the embedded server afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.devdb import BASE_DIR, resolve  # noqa: E402


def main(argv: list[str]) -> int:
    database = resolve(allow_local=True)
    os.environ["DATABASE_URL"] = database.url
    print(
        f"· tests against {database.where}; broker: {os.environ.get('REDIS_URL') or 'filesystem'}",
        flush=True,
    )
    try:
        return subprocess.run([sys.executable, "-m", "pytest", *argv], cwd=BASE_DIR).returncode
    finally:
        database.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
