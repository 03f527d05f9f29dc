"""/healthz: the state of the database, the cache, the broker and the workers, as JSON."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from portal.celery import app as celery_app
from portal.models import WorkerHeartbeat


def _timed(check) -> dict[str, Any]:
    started = time.monotonic()
    try:
        detail = check() or {}
        result = {"ok": True, **detail}
    except Exception as exc:  # noqa: BLE001 - any failure is the answer here
        # Our own RuntimeErrors say what is wrong; others are named, not dumped.
        message = str(exc) if isinstance(exc, RuntimeError) else exc.__class__.__name__
        result = {"ok": False, "error": message}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> dict[str, str]:
    cache.set("healthz", "1", 10)
    if cache.get("healthz") != "1":
        raise RuntimeError("cache did not return the value just written")
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _broker() -> dict[str, str]:
    transport = celery_app.conf.broker_url.split("://", 1)[0]
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return {"transport": transport}


def _worker() -> dict[str, Any]:
    latest = WorkerHeartbeat.objects.order_by("-beat_at").first()
    if latest is None:
        raise RuntimeError("no heartbeat yet")
    age = (timezone.now() - latest.beat_at).total_seconds()
    if age > settings.PORTAL_HEARTBEAT_STALE_SECONDS:
        raise RuntimeError("heartbeat is stale")
    return {"last_heartbeat": latest.beat_at.isoformat(), "age_seconds": round(age)}


def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _timed(_database)}
    checks["cache"] = _timed(_cache)
    checks["broker"] = _timed(_broker)
    checks["worker"] = (
        _timed(_worker) if checks["database"]["ok"] else {"ok": False, "error": "database down"}
    )
    if not checks["worker"]["ok"] and checks["database"]["ok"]:
        latest = WorkerHeartbeat.objects.order_by("-beat_at").first()
        checks["worker"]["last_heartbeat"] = latest.beat_at.isoformat() if latest else None
    # The site serves pages while the database answers; the rest is reported, not fatal.
    status = "ok" if all(c["ok"] for c in checks.values()) else "degraded"
    if not checks["database"]["ok"]:
        status = "down"
    return JsonResponse(
        {"status": status, "checks": checks, "time": timezone.now().isoformat()},
        status=503 if status == "down" else 200,
    )
