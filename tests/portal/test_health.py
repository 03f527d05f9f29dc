import datetime as dt

import pytest
from django.utils import timezone

from portal.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_healthz_reports_every_part(client):
    WorkerHeartbeat.objects.create(worker="w@host", beat_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert set(body["checks"]) == {"database", "cache", "broker", "worker"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True, body
    assert body["checks"]["worker"]["ok"] is True
    assert body["status"] == "ok"


def test_stale_worker_is_degraded_not_down(client):
    WorkerHeartbeat.objects.create(worker="w@host", beat_at=timezone.now() - dt.timedelta(hours=1))
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["error"] == "heartbeat is stale"
    assert body["checks"]["worker"]["last_heartbeat"]
