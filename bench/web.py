"""`make bench`: the site under a real HTTP load tool, at two data sizes, against its floor.

    .venv/bin/python bench/web.py [--presets village,chengdu] [--connections 8]
                                   [--duration 15] [--warmup 3] [--reseed]

For each preset it takes the database portal_scale_<preset> on the server of DATABASE_URL
(default postgres://postgres@127.0.0.1:5432), and reuses it when `seed_scale` wrote it
with the same preset and seed (the database's comment says so); otherwise it drops it,
migrates and runs `manage.py seed_scale --preset <preset>`, timed. Then:

1. In a Django process on that database it picks each scenario's URL (the same places at
   both presets: 平岗社区, 新津区, its 教育局 …) and counts the SQL queries of one request
   through the test client (anonymous, or forced login for the supervisors' pages).
2. It starts gunicorn (2 × cores + 1 workers, DEBUG off) with the page cache off and drives
   each scenario with wrk (bench/wrk/scenario.lua) at fixed concurrency for a fixed time
   after a warm-up; the floor (/bench/floor/: the base template, no queries) is measured
   in the same server run.
3. It restarts gunicorn with the Redis page cache on and measures the anonymous pages again
   (and the floor), checking that the responses are cache hits.

Writes bench/results/<date>-<preset>.json for each preset and bench/results/<date>-bench.md,
the table of all of them with the chengdu / village ratios and the issue's targets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from zoneinfo import ZoneInfo

from common import BASE_DIR, RESULTS_DIR, ensure_database, machine, migrate

LUA = BASE_DIR / "bench" / "wrk" / "scenario.lua"
SEED = 2026
CITY, COUNTY, VILLAGE = "510100000000", "510118000000", "510118001001"
LOGIN_PASSWORD = "Demo-2026-portal"  # noqa: S105 - portal.demo.logins.DEMO_PASSWORD  # nosec B105

# name, label, group (for the targets), cached run too?
SCENARIOS: list[tuple[str, str, str, bool]] = [
    ("floor", "框架基线（base.html，无查询）", "floor", True),
    ("home", "首页", "page", True),
    ("city_records_p1", "全市公开信息汇聚 第1页", "city", True),
    ("city_records_p100", "全市公开信息汇聚 第100页", "city", True),
    ("village_unit", "村（社区）单位页", "page", True),
    ("catalog_item_county", "目录事项（全区县）", "page", True),
    ("search_2", "全市搜索 2字词（低保）", "search", True),
    ("search_6", "全市搜索 6字词（最低生活保障）", "search", True),
    ("record_detail", "公开信息详情", "page", True),
    ("letter_submit", "写信提交（POST）", "post", False),
    ("letters_dashboard", "市级督办：逾期来信看板", "dashboard", False),
    ("funds_dashboard", "区县资金监管看板", "dashboard", False),
    ("project_page", "资金项目页", "page", True),
    ("annual_report", "区县部门年度报告", "page", True),
]
TARGET_P95_MS = {"city": 150, "search": 300, "dashboard": 500}


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


# --- inside Django: pick the URLs and count the queries --------------------------------


def discover() -> dict:
    """Runs in a child process with DATABASE_URL set to the preset's database."""
    import django

    # bench/funds.py would shadow the funds app: the apps come from the project root only.
    here = Path(__file__).resolve().parent
    sys.path[:] = [str(BASE_DIR)] + [p for p in sys.path if Path(p or ".").resolve() != here]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from disclosure.models import AnnualReport, CatalogItem, Record
    from disclosure.models.catalog import Scope
    from funds.models import FundProject
    from portal.models import Unit, User

    pinggang = Unit.objects.get(region_id=VILLAGE, kind="village_committee")
    record = (
        Record.objects.filter(unit=pinggang, status="published", scope=Scope.PUBLIC)
        .order_by("-published_at", "-id")
        .first()
    )
    item = (
        CatalogItem.objects.filter(template__key="village", level2__contains="低保")
        .order_by("pk")
        .first()
    ) or CatalogItem.objects.filter(template__key="village").order_by("pk").first()
    project = FundProject.objects.filter(region_id=VILLAGE).order_by("pk").first()
    government = Unit.objects.get(region_id=COUNTY, kind="government")
    # A county department's published report for last year (the scale data publishes
    # 新津区's); the same department at both presets when it has one.
    reports = AnnualReport.objects.filter(
        status="published", year=today().year - 1, unit__region_id=COUNTY, unit__kind="department"
    ).order_by("unit__name")
    report = reports.filter(unit__name="新津区人力资源和社会保障局").first() or reports.first()

    paths = {
        "floor": "/bench/floor/",
        "home": "/",
        "city_records_p1": f"/records/?region={CITY}",
        "city_records_p100": f"/records/?region={CITY}&page=100",
        "village_unit": f"/units/{pinggang.pk}/",
        "catalog_item_county": f"/catalog-items/{item.pk}/?region={COUNTY}",
        "search_2": "/search/?" + urllib.parse.urlencode({"q": "低保", "region": CITY}),
        "search_6": "/search/?" + urllib.parse.urlencode({"q": "最低生活保障", "region": CITY}),
        "record_detail": f"/records/{record.pk}/" if record else "",
        "letter_submit": f"/letters/write/{government.pk}/",
        "letters_dashboard": "/supervision/letters/",
        "funds_dashboard": f"/supervision/funds/?region={COUNTY}",
        "project_page": f"/funds/projects/{project.pk}/" if project else "",
        "annual_report": f"/annual-reports/{report.unit_id}/{report.year}/" if report else "",
    }
    logins = {"letters_dashboard": "city_supervisor", "funds_dashboard": "city_supervisor"}
    letter_form = {
        "type": "consult",
        "subject": "咨询城乡居民医保缴费时间（压测{n}）",
        "body": "请问2027年度城乡居民基本医疗保险集中缴费从什么时候开始？可以在手机上缴吗？",
        "name": "王秀英",
        "phone": "{phone}",
        "publish_consent": "on",
    }
    found: dict[str, dict] = {}
    with override_settings(PORTAL_BENCH_FLOOR=True, PORTAL_PAGE_CACHE_SECONDS=0):
        for name, path in paths.items():
            if not path:
                found[name] = {"path": "", "queries": None, "status": None}
                continue
            client = Client()
            if name in logins:
                client.force_login(User.objects.get(username=logins[name]))
            if name == "letter_submit":
                client.get(path)  # the form first, as a visitor would
                data = {
                    key: value.replace("{n}", "0").replace("{phone}", "13912345678")
                    for key, value in letter_form.items()
                }
                with CaptureQueriesContext(connection) as queries:
                    response = client.post(path, data)
            else:
                client.get(path)  # warm: the first request fills per-process caches
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(path)
            found[name] = {
                "path": path,
                "method": "POST" if name == "letter_submit" else "GET",
                "login": logins.get(name),
                "queries": len(queries),
                "status": response.status_code,
            }
    found["letter_submit"]["form"] = letter_form
    return found


# --- outside Django: database, server, load ---------------------------------------------


def run(cmd: list[str], env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, check=True, text=True, **kw)  # noqa: S603


def database_url(base: str, preset: str) -> str:
    parts = urllib.parse.urlparse(base)
    return parts._replace(path=f"/portal_scale_{preset}").geturl()


def seeded(url: str) -> dict:
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                " WHERE datname = current_database()"
            ).fetchone()
    except psycopg.OperationalError:
        return {}
    try:
        return json.loads(row[0] or "{}")
    except ValueError:
        return {}


def drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlparse(url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(parts.path.lstrip("/"))
            )
        )


def prepare(url: str, preset: str, reseed: bool) -> dict:
    """The preset's database, seeded; returns what seed_scale recorded."""
    info = seeded(url)
    if not reseed and info.get("preset") == preset and info.get("seed") == SEED:
        print(f"[{preset}] reusing {url} (seeded {info.get('today')}, {info.get('seconds')} s)")
        return info
    drop_database(url)
    ensure_database(url)
    started = time.monotonic()
    migrate(url)
    migrated = time.monotonic() - started
    print(f"[{preset}] migrated in {migrated:.1f} s; seeding …", flush=True)
    env = {**os.environ, "DATABASE_URL": url}
    run([sys.executable, str(BASE_DIR / "manage.py"), "seed_scale", "--preset", preset,
         "--seed", str(SEED)], env=env)  # fmt: skip
    info = seeded(url)
    info["migrate_seconds"] = round(migrated, 1)
    return info


def server_env(url: str, redis_url: str, cache_seconds: int) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 40,
        "PORTAL_IDENTITY_HASH_KEY": "bench-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_BENCH_FLOOR": "1",
        "PORTAL_PAGE_CACHE_SECONDS": str(cache_seconds),
        # One client address sends every letter of the POST scenario.
        "MAILBOX_RATE_PER_IP": "100000000",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


class Server:
    def __init__(self, env: dict, port: int, workers: int) -> None:
        self.env, self.port, self.workers = env, port, workers
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed with the object
            "w+", prefix="bench-gunicorn-", suffix=".log"
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--keep-alive",
                "5",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],  # fmt: skip
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/bench/floor/", timeout=10) as r:  # noqa: S310  # nosec B310
                    if r.status == 200:
                        return self
            except OSError:  # refused while booting, or a slow first answer
                time.sleep(0.5)
        self.__exit__()
        raise RuntimeError("gunicorn did not start:\n" + Path(self.log.name).read_text()[-3000:])

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def errors_logged(self) -> str:
        self.log.flush()
        text = Path(self.log.name).read_text()
        lines = text.splitlines()
        return "\n".join(line for line in lines if "Traceback" in line or "ERROR" in line)


def login(base: str, username: str) -> str:
    """A session cookie header for a demo login, through the real login form."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": username, "password": LOGIN_PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - our own http:// server
        base + "/accounts/login/", data=data, headers={"Referer": base + "/accounts/login/"}
    )
    opener.open(request).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"login as {username} failed")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def form_token(base: str, path: str) -> tuple[str, str]:
    """(cookie header, csrf form token) from the letter form, as a browser gets them."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + path).read().decode()
    token = html.unescape(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1))
    return "; ".join(f"{c.name}={c.value}" for c in jar), token


def wrk(url: str, *, connections: int, seconds: float, method: str, cookie: str | None,
        body_file: str | None) -> dict:  # fmt: skip
    cmd = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{int(seconds)}s", "--timeout", "10s",
           "-s", str(LUA), url, "--", method, cookie or "-"]  # fmt: skip
    if body_file:
        cmd.append(body_file)
    out = run(cmd, capture_output=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds_run = raw["duration_us"] / 1e6
    errors = sum(raw["errors"].values())
    return {
        "requests": raw["requests"],
        "seconds": round(seconds_run, 2),
        "rps": round(raw["requests"] / seconds_run, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
        "errors": errors,
        "error_detail": raw["errors"],
    }


def probe(base: str, path: str, cookie: str | None) -> tuple[int, str]:
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(base + path, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  # nosec B310
            return response.status, response.headers.get("X-Cache", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("X-Cache", "")


def drive(server: Server, scenarios: dict, names: list[str], args, label: str) -> dict:
    results = {}
    cookies: dict[str, str] = {}
    body_file = None
    for name in names:
        spec = scenarios[name]
        if not spec["path"]:
            results[name] = {"skipped": "no such object in this database"}
            continue
        url = server.base + spec["path"]
        cookie = None
        if spec.get("login"):
            cookie = cookies.get(spec["login"]) or login(server.base, spec["login"])
            cookies[spec["login"]] = cookie
        if spec["method"] == "POST":
            cookie, token = form_token(server.base, spec["path"])
            form = {**spec["form"], "csrfmiddlewaretoken": token}
            encoded = urllib.parse.urlencode(form).replace("%7Bphone%7D", "{phone}")
            encoded = encoded.replace("%7Bn%7D", "{n}")
            with tempfile.NamedTemporaryFile("w", suffix=".form", delete=False) as handle:
                handle.write(encoded)
            body_file = handle.name
        kwargs = {"connections": args.connections, "method": spec["method"], "cookie": cookie,
                  "body_file": body_file if spec["method"] == "POST" else None}  # fmt: skip
        wrk(url, seconds=args.warmup, **kwargs)
        status, x_cache = None, ""
        if spec["method"] == "GET":
            status, x_cache = probe(server.base, spec["path"], cookie)
        measured = wrk(url, seconds=args.duration, **kwargs)
        measured.update(
            {"path": spec["path"], "method": spec["method"], "status": status, "x_cache": x_cache}
        )
        results[name] = measured
        print(
            f"  [{label}] {name:22} {measured['rps']:8.1f} req/s  p50 {measured['p50_ms']:7.1f}"
            f"  p95 {measured['p95_ms']:7.1f}  p99 {measured['p99_ms']:7.1f} ms"
            f"  errors {measured['errors']}  {x_cache}",
            flush=True,
        )
    if body_file:
        os.unlink(body_file)
    return results


def redis_flush(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def bench_preset(preset: str, args) -> dict:
    url = database_url(args.database_url, preset)
    seed_info = prepare(url, preset, args.reseed)
    out = run(
        [sys.executable, __file__, "--discover"],
        env={**os.environ, "DATABASE_URL": url, "REDIS_URL": args.redis_url},
        capture_output=True,
    ).stdout
    scenarios = json.loads(out.splitlines()[-1])
    bad = {n: s["status"] for n, s in scenarios.items() if s["status"] not in (200, 302, None)}
    if bad:
        raise RuntimeError(f"[{preset}] scenarios answer errors in the test client: {bad}")
    workers = 2 * (os.cpu_count() or 1) + 1
    result = {
        "preset": preset,
        "date": today().isoformat(),
        "commit": run(
            ["git", "rev-parse", "HEAD"], capture_output=True, cwd=BASE_DIR
        ).stdout.strip(),
        "command": " ".join(["bench/web.py", *sys.argv[1:]]),
        "machine": machine(),
        "seed_scale": seed_info,
        "server": {
            "gunicorn_workers": workers,
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "wrk_threads": 1,
        },
        "queries": {n: s["queries"] for n, s in scenarios.items()},
    }
    names = [name for name, *_ in SCENARIOS]
    redis_flush(args.redis_url)
    with Server(server_env(url, args.redis_url, 0), args.port, workers) as server:
        result["uncached"] = drive(server, scenarios, names, args, f"{preset} uncached")
        result["server_errors_uncached"] = server.errors_logged()
    cached = [name for name, _l, _g, cache in SCENARIOS if cache]
    redis_flush(args.redis_url)
    with Server(server_env(url, args.redis_url, 300), args.port, workers) as server:
        result["cached"] = drive(server, scenarios, cached, args, f"{preset} cached")
        result["server_errors_cached"] = server.errors_logged()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{result['date']}-{preset}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"[{preset}] wrote {path.relative_to(BASE_DIR)}")
    return result


def markdown(results: dict[str, dict]) -> str:
    presets = list(results)
    first = results[presets[0]]
    server = first["server"]
    lines = [
        f"# make bench, {first['date']}",
        "",
        f"Commit `{first['commit'][:12]}`; command `{first['command']}`; machine: "
        f"{first['machine'].get('cpus')} CPUs ({first['machine'].get('cpu', '')}), "
        f"{first['machine'].get('memory_gib')} GiB. gunicorn {server['gunicorn_workers']} "
        f"sync workers, wrk 1 thread, {server['connections']} connections, "
        f"{server['duration_s']} s per scenario after {server['warmup_s']} s warm-up; "
        "wrk, gunicorn, PostgreSQL and Redis share the machine.",
        "",
    ]
    for preset in presets:
        info = results[preset]["seed_scale"]
        counts = ", ".join(f"{k} {v:,}" for k, v in info.get("counts", {}).items())
        lines.append(
            f"- **{preset}**: measured at commit `{results[preset]['commit'][:12]}` with "
            f"`{results[preset]['command']}`; seed_scale {info.get('seconds')} s, database "
            f"{info.get('bytes', 0) / 1024**3:.2f} GiB; {counts}"
        )
    for mode in ("uncached", "cached"):
        lines += ["", f"## {'Uncached' if mode == 'uncached' else 'Page cache on (Redis)'}", ""]
        head = "| scenario | queries |"
        rule = "| --- | ---: |"
        for preset in presets:
            head += f" {preset} req/s | × floor | p50 ms | p95 ms | p99 ms | errors |"
            rule += " ---: | ---: | ---: | ---: | ---: | ---: |"
        if len(presets) == 2:
            head += f" p50 {presets[1]}/{presets[0]} |"
            rule += " ---: |"
        lines += [head, rule]
        for name, label, _group, _cache in SCENARIOS:
            if name not in results[presets[0]].get(mode, {}):
                continue
            queries = {results[p]["queries"].get(name) for p in presets}
            q = "/".join(str(x) for x in sorted(queries, key=str))
            row = f"| {label} | {q} |"
            for preset in presets:
                m = results[preset][mode].get(name, {})
                floor = results[preset][mode].get("floor", {}).get("rps") or 0
                if "rps" not in m:
                    row += " – | – | – | – | – | – |"
                    continue
                ratio = m["rps"] / floor if floor else 0
                row += (
                    f" {m['rps']:.0f} | {ratio:.2f} | {m['p50_ms']:.1f} | {m['p95_ms']:.1f} |"
                    f" {m['p99_ms']:.1f} | {m['errors']} |"
                )
            if len(presets) == 2:
                a = results[presets[0]][mode].get(name, {}).get("p50_ms")
                b = results[presets[1]][mode].get(name, {}).get("p50_ms")
                row += f" {b / a:.2f} |" if a and b else " – |"
            lines.append(row)
    lines += ["", "## Targets", ""] + [f"- {t}" for t in targets(results)]
    return "\n".join(lines) + "\n"


def targets(results: dict[str, dict]) -> list[str]:
    """The issue's targets, each with what was measured and whether it is met."""
    out = []
    presets = list(results)
    big = results.get("chengdu") or results[presets[-1]]
    small = results.get("village") or results[presets[0]]
    if len(presets) == 2:
        differ = [n for n in big["queries"] if big["queries"][n] != small["queries"].get(n)]
        out.append(
            "Same query count at both presets: "
            + ("met" if not differ else "MISSED for " + ", ".join(differ))
        )
        slow = []
        for name in big["uncached"]:
            a = small["uncached"].get(name, {}).get("p50_ms")
            b = big["uncached"].get(name, {}).get("p50_ms")
            if a and b and b > 1.5 * a:
                slow.append(f"{name} ({b / a:.2f}×)")
        verdict = "met" if not slow else "MISSED for " + ", ".join(slow)
        out.append("p50 at chengdu ≤ 1.5 × village: " + verdict)
    for name, _label, group, _c in SCENARIOS:
        limit = TARGET_P95_MS.get(group)
        m = big["uncached"].get(name, {})
        if limit and "p95_ms" in m:
            verdict = "met" if m["p95_ms"] <= limit else "MISSED"
            out.append(f"{name} p95 {m['p95_ms']:.1f} ms ≤ {limit} ms (uncached): {verdict}")
    floor = big["cached"].get("floor", {}).get("rps")
    city = big["cached"].get("city_records_p1", {})
    if floor and city.get("rps"):
        share = city["rps"] / floor
        verdict = "met" if share >= 0.5 and city.get("x_cache") == "HIT" else "MISSED"
        out.append(
            f"cached city page {city['rps']:.0f} req/s = {share:.0%} of the floor's {floor:.0f} "
            f"(≥ 50%, X-Cache {city.get('x_cache') or 'absent'}): {verdict}"
        )
    errors = sum(
        m.get("errors", 0) for r in results.values() for mode in ("uncached", "cached")
        for m in r.get(mode, {}).values()
    )  # fmt: skip
    out.append(f"errors under load: {errors} ({'met' if errors == 0 else 'MISSED'})")
    return out


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="village,chengdu")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--reseed", action="store_true", help="seed again even if seeded")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal"),
        help="the server to use; the database name is replaced by portal_scale_<preset>",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
        help="a Redis database of the benchmark's own: it is flushed between runs",
    )
    parser.add_argument(
        "--table-only",
        metavar="JSON",
        nargs="+",
        help="write the Markdown table from result files of earlier runs, measuring nothing",
    )
    parser.add_argument("--discover", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.discover:
        print(json.dumps(discover(), ensure_ascii=False))
        return
    if args.table_only:
        runs = [json.loads(Path(name).read_text()) for name in args.table_only]
        runs.sort(key=lambda run: run["preset"] != "village")
        results = {run["preset"]: run for run in runs}
        path = RESULTS_DIR / f"{max(r['date'] for r in runs)}-bench.md"
        path.write_text(markdown(results))
        print(f"wrote {path.relative_to(BASE_DIR)}")
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    started = time.monotonic()
    run([sys.executable, str(BASE_DIR / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
        env={**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "bench-only-" + "x" * 40,
             "PORTAL_IDENTITY_HASH_KEY": "bench-only"})  # fmt: skip
    results = {}
    for preset in [p.strip() for p in args.presets.split(",") if p.strip()]:
        results[preset] = bench_preset(preset, args)
    table = markdown(results)
    path = RESULTS_DIR / f"{today().isoformat()}-bench.md"
    path.write_text(table)
    print(table)
    print(f"wrote {path.relative_to(BASE_DIR)}; {time.monotonic() - started:.0f} s in all")


if __name__ == "__main__":
    main()
