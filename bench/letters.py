"""The mailbox's supervisor dashboard, public statistics and exports at a realistic volume.

    .venv/bin/python bench/letters.py --letters 100000 [--database-url URL] [--repeat 30]

Uses a throwaway database (created and migrated if missing), loads the demo city (places,
10,200 units, logins and the working-day calendar; not the apps' demo content) and
writes N letters received over the year before today with their handling steps, by the
scale loader's generator (mailbox.scale.letters_bulk: most answered within the 5 working
days, some late, some still open and overdue, some rated, transferred or reopened). Its
letters are replaced when their number is not the one asked for. Then it requests the
pages through Django's test client, as a logged-in city supervisor (demo login
`city_supervisor`) or anonymously:
the supervisors' dashboard for the city (510100000000) and a county (510118000000), the
public statistics and the public list, and the exports. For each it counts the queries
of one request (CaptureQueriesContext) and times `--repeat` requests after `--warmup`.
Writes bench/results/<date>-letters.json and prints a Markdown table; see bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from urllib.parse import urlencode

from common import (
    BASE_DIR,
    RESULTS_DIR,
    ensure_database,
    machine,
    measure_page,
    migrate,
    percentiles,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_letters"
CITY, COUNTY = "510100000000", "510118000000"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=100_000, help="letters (N)")
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"default {DEFAULT_URL}")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument("--export-repeat", type=int, default=3, help="timed runs per export")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


def generate(count: int, seed: int) -> dict:
    """`count` letters received over the year before today, with their handling steps:
    the scale loader's generator (mailbox.scale), the one bulk path for letters."""
    from django.db import transaction
    from django.utils import timezone

    from mailbox.scale import letters_bulk

    today = timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by seed
    with transaction.atomic():
        return letters_bulk(
            count=count, rng=rng, first_day=today - dt.timedelta(days=365), today=today
        )


def load_data(count: int, seed: int) -> dict:
    """The demo city and exactly `count` letters; reused when already there."""
    from django.db import connection
    from django.test.utils import override_settings

    from mailbox.models import Letter
    from portal.demo import loader

    started = time.monotonic()
    # Places, units, logins and calendar only: the letters are this script's to make.
    with override_settings(PORTAL_DEMO_LOADERS=[]):
        if not loader.demo_is_loaded():
            loader.demo_load(seed=seed)
    generated = None
    if Letter.objects.count() != count:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE mailbox_letter CASCADE")
        generated = generate(count, seed)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE mailbox_letter")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('mailbox_letter'))")
        size = cursor.fetchone()[0]
    return {
        "letters": Letter.objects.count(),
        "in_county": Letter.objects.filter(region__gte="510118", region__lt="510119").count(),
        "generated": generated,
        "table_size": size,
        "load_seconds": round(time.monotonic() - started, 1),
    }


def mount_pages() -> None:
    """Serve the project's URLs, with the letter pages added where portal/urls.py mounts
    them if it does not yet (the bench runs before and after that wiring)."""
    import types

    from django.conf import settings
    from django.urls import clear_url_caches, include, path

    from portal import urls as portal_urls

    mounted = {
        getattr(getattr(p, "urlconf_name", None), "__name__", None) for p in portal_urls.urlpatterns
    }
    extra = [
        path(prefix, include(module))
        for prefix, module in (
            ("letters/public/", "mailbox.urls_public"),
            ("supervision/letters/", "mailbox.urls_supervision"),
        )
        if module not in mounted
    ]
    if extra:
        urls = types.ModuleType("bench_letters_urls")
        urls.urlpatterns = [*extra, *portal_urls.urlpatterns]
        sys.modules[urls.__name__] = urls
        settings.ROOT_URLCONF = urls.__name__
        clear_url_caches()


def measure(repeat: int, warmup: int, export_repeat: int) -> list[dict]:
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from mailbox import stats
    from portal.models import User

    supervisor = Client()
    supervisor.force_login(User.objects.get(username="city_supervisor"))
    public = Client()
    since = (timezone.localdate() - dt.timedelta(days=90)).isoformat()
    pages = [
        ("督办 dashboard", "全市", supervisor, "/supervision/letters/", {"region": CITY}),
        ("督办 dashboard", "新津区", supervisor, "/supervision/letters/", {"region": COUNTY}),
        (
            "督办 dashboard, filtered (type + 90 days)",
            "全市",
            supervisor,
            "/supervision/letters/",
            {"region": CITY, "type": "complaint", "since": since},
        ),
        ("public stats", "全市", public, "/letters/public/stats/", {"region": CITY}),
        ("public stats", "新津区", public, "/letters/public/stats/", {"region": COUNTY}),
        ("public list", "全市", public, "/letters/public/", {"region": CITY}),
        ("public list", "新津区", public, "/letters/public/", {"region": COUNTY}),
    ]
    rows = []
    # The statistics computed on every request (the page caches them for a few minutes
    # by default; one row below measures that).
    settings.MAILBOX_STATS_CACHE_SECONDS = 0
    for label, scope, client, path, query in pages:
        result = measure_page(client, f"{path}?{urlencode(query)}", repeat, warmup)
        rows.append({"page": label, "scope": scope, **result})
    settings.MAILBOX_STATS_CACHE_SECONDS = 300
    result = measure_page(public, f"/letters/public/stats/?region={CITY}", repeat, warmup)
    rows.append({"page": "public stats, cached", "scope": "全市", **result})
    del settings.MAILBOX_STATS_CACHE_SECONDS
    # The XLSX limit (MAILBOX_EXPORT_XLSX_MAX_ROWS) lifted, to measure what it guards.
    settings.MAILBOX_EXPORT_XLSX_MAX_ROWS = 0
    for fmt in ("csv", "xlsx"):
        for scope, code in (("新津区", COUNTY), ("全市", CITY)):
            url = f"/supervision/letters/?{urlencode({'region': code, 'format': fmt})}"
            result = measure_page(supervisor, url, export_repeat, 0)
            rows.append({"page": f"export {fmt}, all letters", "scope": scope, **result})
    del settings.MAILBOX_EXPORT_XLSX_MAX_ROWS
    # The home page's counters (one aggregate query, no working-day join).
    samples = []
    for _ in range(warmup):
        stats.home_counters(CITY)
    for _ in range(repeat):
        started = time.perf_counter()
        stats.home_counters(CITY)
        samples.append((time.perf_counter() - started) * 1000)
    rows.append(
        {"page": "home_counters()", "scope": "全市", "url": "", "queries": 1, "bytes": 0}
        | percentiles(samples)
    )
    return rows


def explain_stats() -> str:
    """EXPLAIN ANALYZE of the city's statistics statement (the dashboard's heaviest)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from mailbox import stats
    from mailbox.selectors import LetterFilter
    from portal.models import Region

    with CaptureQueriesContext(connection) as queries:
        stats.child_stats(Region.objects.get(code=CITY), LetterFilter())
    statement = next(q["sql"] for q in queries if "ROLLUP" in q["sql"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # as mailbox.stats runs it
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
        return "\n".join(row[0] for row in cursor.fetchall())


def markdown(result: dict) -> str:
    data = result["data"]
    lines = [
        f"{data['letters']:,} letters ({data['in_county']:,} in 新津区) · PostgreSQL "
        f"{result['postgresql']} · {result['machine']['cpus']} CPUs · {result['repeat']} "
        f"requests after {result['warmup']} warm-up (exports: {result['export_repeat']})",
        "",
        "| page | scope | queries | p50 (ms) | p95 (ms) | size |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in result["rows"]:
        size = f"{row['bytes'] / 1024:,.0f} KiB" if row["bytes"] else ""
        lines.append(
            f"| {row['page']} | {row['scope']} | {row['queries']} | {row['p50_ms']} | "
            f"{row['p95_ms']} | {size} |"
        )
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(BASE_DIR))
    created = ensure_database(args.database_url)
    migrate(args.database_url)

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    data = load_data(args.letters, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    result = {
        "date": timezone.localdate().isoformat(),
        "command": " ".join(["bench/letters.py", *sys.argv[1:]]),
        "database_created": created,
        "data": data,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "export_repeat": args.export_repeat,
        "postgresql": server_version,
        "django": django.get_version(),
        "machine": machine(),
        "rows": mount_pages() or measure(args.repeat, args.warmup, args.export_repeat),
        "explain_city_stats": explain_stats(),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{result['date']}-letters.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(markdown(result))
    print()
    print(result["explain_city_stats"])
    print(f"\nwritten to {path.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
