"""Village money at the demo's size: the hourly monitoring scan and the public and
supervision pages, against a database that holds the full demo (`make run` builds it;
nothing here writes to it except the scan, which is idempotent).

    DATABASE_URL=postgres://…/portal .venv/bin/python bench/funds.py [--repeat 30]

Times each page with Django's test client in-process (query building, round trips,
rendering; no HTTP server), after warm-up, and the scan end to end. Writes
bench/results/<date>-funds.json and prints a Markdown table; see bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from common import BASE_DIR, RESULTS_DIR, machine, measure_page, percentiles

XINJIN = "510118000000"
CITY = "510100000000"
PINGGANG = "510118001001"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--scans", type=int, default=5)
    return parser.parse_args()


def data_size() -> dict:
    from funds.models import Alert, Collective, Disbursement, FundProject, LedgerEntry, Voucher

    return {
        "collectives": Collective.objects.count(),
        "entries": LedgerEntry.objects.count(),
        "vouchers": Voucher.objects.count(),
        "projects": FundProject.objects.count(),
        "payments": Disbursement.objects.count(),
        "open_alerts": Alert.objects.filter(cleared_at=None).count(),
    }


def measure_scan(scans: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from funds.services.monitoring import alerts_scan

    samples = []
    for _ in range(scans):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            alerts_scan(now=timezone.now())
        samples.append((time.perf_counter() - started) * 1000)
    return {"page": "alerts_scan (hourly task)", "queries": len(queries), "bytes": 0} | (
        percentiles(samples)
    )


def measure(repeat: int, warmup: int) -> list[dict]:
    from django.test import Client

    from funds.models import Collective, FundProject
    from portal.models import User

    public = Client()
    supervisor = Client()
    supervisor.force_login(User.objects.get(username="supervisor"))
    project = FundProject.objects.filter(region_id=PINGGANG).order_by("-year").first()
    collective = Collective.objects.get(region_id=PINGGANG, group_name="")
    statement = collective.statements.exclude(published_at=None).order_by("-month").first()
    month = statement.month.strftime("%Y-%m")
    entries = f"/api/v1/ledger-entries/?collective={collective.pk}&month={month}"
    pages = [
        ("projects of the city", public, f"/funds/projects/?region={CITY}"),
        ("one project", public, f"/funds/projects/{project.pk}/"),
        ("collectives of 新津区", public, f"/funds/collectives/?region={XINJIN}"),
        ("a collective's month", public, f"/funds/collectives/{collective.pk}/?month={month}"),
        ("API projects of the city", public, f"/api/v1/fund-projects/?region={CITY}"),
        ("API a month's entries", public, entries),
        ("supervision 新津区", supervisor, f"/supervision/funds/?region={XINJIN}"),
    ]  # fmt: skip
    return [
        {"page": name} | measure_page(client, url, repeat, warmup) for name, client, url in pages
    ]


def markdown(result: dict) -> str:
    data = result["data"]
    lines = [
        f"{data['collectives']:,} collectives, {data['entries']:,} entries, "
        f"{data['vouchers']:,} vouchers, {data['projects']:,} projects, "
        f"{data['open_alerts']:,} open alerts · PostgreSQL {result['postgresql']} · "
        f"{result['machine']['cpus']} CPUs · {result['repeat']} requests after "
        f"{result['warmup']} warm-up",
        "",
        "| what | queries | p50 (ms) | p95 (ms) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for row in result["rows"]:
        lines.append(f"| {row['page']} | {row['queries']} | {row['p50_ms']} | {row['p95_ms']} |")
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    result = {
        "date": timezone.localdate().isoformat(),
        "command": " ".join(["bench/funds.py", *sys.argv[1:]]),
        "data": data_size(),
        "repeat": args.repeat,
        "warmup": args.warmup,
        "postgresql": server_version,
        "django": django.get_version(),
        "machine": machine(),
        "rows": [measure_scan(args.scans), *measure(args.repeat, args.warmup)],
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{result['date']}-funds.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(markdown(result))
    print(f"\nwritten to {path.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
