"""Search latency on a realistic volume of published records.

    .venv/bin/python bench/search.py --records 100000 [--database-url URL] [--repeat 50]

Uses a throwaway database (created and migrated if missing; its records are replaced
when their number is not the one asked for), loads the demo city (places and 10,200
units, without the demo's own 40,000 records) and generates N records with the demo's
generator (disclosure.demo), then times disclosure.search.search() the way the search
page calls it: published records, optionally inside a county's subtree, first page of 20
and the total count. Writes bench/results/<date>-search.json and prints a Markdown table.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from common import BASE_DIR, RESULTS_DIR, ensure_database, machine, migrate

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
PAGE_SIZE = 20

# (query, what it is): a 2-character word, a 4-character word, a 6-character phrase.
QUERIES = [("低保", "2字词"), ("村务公开", "4字词"), ("最低生活保障", "6字短语")]
# (label, division code): the whole city, and the demo's county (a code range).
SCOPES = [("全市", None), ("新津区", "510118000000")]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="published records (N)")
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"default {DEFAULT_URL}")
    parser.add_argument("--repeat", type=int, default=50, help="timed runs per query")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs per query first")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


def load_data(records: int, seed: int) -> dict:
    """The demo city and exactly `records` records; reused when already there."""
    from django.db import connection
    from django.test.utils import override_settings

    from disclosure import catalogs, demo
    from disclosure.models import Record
    from portal.demo import loader

    started = time.monotonic()
    # Places, units, logins and calendar only: the records are this script's to make.
    with override_settings(PORTAL_DEMO_LOADERS=[]):
        if not loader.demo_is_loaded():
            loader.demo_load(seed=seed)
    catalogs.catalog_load_all()
    existing = Record.objects.count()
    generated = False
    if existing != records:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE disclosure_record CASCADE")
        demo.records_generate(seed=seed, count=records)
        generated = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE disclosure_record")
    return {
        "records": Record.objects.count(),
        "generated": generated,
        "load_seconds": round(time.monotonic() - started, 1),
    }


def timed(run, repeat: int, warmup: int) -> dict:
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, round(0.95 * len(samples)) - 1)], 2),
        "max_ms": round(samples[-1], 2),
    }


def queryset_for(query: str, code: str | None):
    from disclosure import search
    from disclosure.models import Record, RecordStatus
    from portal import hierarchy

    published = Record.objects.filter(status=RecordStatus.PUBLISHED)
    if code is not None:
        published = hierarchy.in_subtree(published, code)
    return search.search(published, query)


def measure(repeat: int, warmup: int) -> list[dict]:
    from disclosure import search

    rows = []
    for query, what in QUERIES:
        for label, code in SCOPES:
            matches = queryset_for(query, code).count()
            page = timed(
                lambda q=query, c=code: list(queryset_for(q, c)[:PAGE_SIZE]), repeat, warmup
            )
            count = timed(
                lambda q=query, c=code: search.capped_count(queryset_for(q, c)), repeat, warmup
            )
            rows.append(
                {
                    "query": query,
                    "kind": what,
                    "scope": label,
                    "matches": matches,
                    "page": page,
                    "count": count,
                }
            )
    return rows


def explain() -> dict:
    query, _what = QUERIES[0]
    plan = queryset_for(query, None)[:PAGE_SIZE].explain(analyze=True, buffers=True)
    return {
        "query": query,
        "scope": "全市",
        "gin_index_used": "record_search" in plan,
        "plan": plan,
    }


def markdown(result: dict) -> str:
    lines = [
        f"{result['data']['records']:,} records · PostgreSQL {result['postgresql']} · "
        f"{result['machine']['cpus']} CPUs · {result['repeat']} runs after "
        f"{result['warmup']} warm-up",
        "",
        "| query | scope | matches | first page p50 (ms) | p95 (ms) | count p50 (ms) | p95 (ms) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['query']}（{row['kind']}） | {row['scope']} | {row['matches']:,} | "
            f"{row['page']['p50_ms']} | {row['page']['p95_ms']} | "
            f"{row['count']['p50_ms']} | {row['count']['p95_ms']} |"
        )
    used = "yes" if result["explain"]["gin_index_used"] else "NO"
    lines += ["", f"GIN index record_search used for 「{result['explain']['query']}」: {used}"]
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

    data = load_data(args.records, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    result = {
        "date": timezone.localdate().isoformat(),
        "command": " ".join(["bench/search.py", *sys.argv[1:]]),
        "database_created": created,
        "data": data,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "page_size": PAGE_SIZE,
        "postgresql": server_version,
        "django": django.get_version(),
        "machine": machine(),
        "rows": measure(args.repeat, args.warmup),
        "explain": explain(),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{result['date']}-search.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(markdown(result))
    print()
    print(result["explain"]["plan"])
    print(f"\nwritten to {path.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
