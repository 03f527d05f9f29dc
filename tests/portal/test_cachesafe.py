"""A cache outage slows pages, never breaks them (portal/cachesafe.py), and rate limits
still hold during one (portal/ratelimit.py). "Down" is a Redis cache pointed at a port
where nothing listens: every call is refused, as when the server is stopped.
tests/faults/test_redis_outage.py stops a real Redis under a real web server."""

import logging
import socket

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from mailbox.models import Letter
from portal import cachesafe, ratelimit
from portal.ratelimit import RateLimited, rate_check


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # released at once: nothing listens there


def _redis_down() -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture(autouse=True)
def fresh_state():
    cachesafe.reset()
    ratelimit._local.clear()
    yield
    cachesafe.reset()
    ratelimit._local.clear()


@pytest.fixture
def redis_down():
    with override_settings(CACHES=_redis_down()):
        yield


def test_figures_are_computed_without_the_cache_and_the_outage_is_logged_once(redis_down, caplog):
    calls = []

    def compute():
        calls.append(1)
        return {"received": len(calls)}

    with caplog.at_level(logging.WARNING, logger="portal.cachesafe"):
        answers = [cachesafe.get_or_compute("mailbox:stats:510118", compute, 300) for _ in range(3)]
    assert answers == [{"received": 1}, {"received": 2}, {"received": 3}]
    warnings = [r for r in caplog.records if r.name == "portal.cachesafe"]
    # One warning: after the first failure the process stops trying for a while.
    assert len(warnings) == 1
    assert "ConnectionError" in warnings[0].getMessage()
    assert "510118" not in warnings[0].getMessage()  # no key (keys may hold hashes)
    assert not cachesafe.available()


def test_figures_are_kept_in_a_working_cache():
    cache.clear()
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert [cachesafe.get_or_compute("k", compute, 60) for _ in range(3)] == [1, 1, 1]
    assert cachesafe.get_or_compute("k2", compute, 0) == 2  # 0 seconds: no cache at all
    assert cachesafe.available()


def test_an_error_of_the_computation_is_not_taken_for_an_outage():
    def broken():
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        cachesafe.get_or_compute("k3", broken, 60)
    assert cachesafe.available()


def test_rate_limits_still_hold_per_process_while_the_cache_is_down(redis_down, caplog):
    checks = [("mailbox:phone:abc", 3)]
    with caplog.at_level(logging.WARNING, logger="portal.cachesafe"):
        for _ in range(3):
            rate_check(checks)
        with pytest.raises(RateLimited):
            rate_check(checks)
        rate_check([("mailbox:phone:other", 3)])  # counted per key, as in Redis
    assert len([r for r in caplog.records if r.name == "portal.cachesafe"]) == 1


def test_rate_limits_count_in_the_cache_when_it_works():
    cache.clear()
    for _ in range(2):
        rate_check([("mailbox:phone:def", 2)])
    with pytest.raises(RateLimited):
        rate_check([("mailbox:phone:def", 2)])
    assert not ratelimit._local._cache  # nothing counted in the fallback


@pytest.mark.django_db
def test_public_pages_and_a_letter_work_with_redis_down(redis_down, client, geo, calendar_2026):
    pages = [
        "/",
        f"/regions/{geo.village.code}/",
        f"/regions/{geo.county.code}/",
        f"/letters/public/stats/?region={geo.county.code}",
        "/letters/public/",
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page
    answer = APIClient().post(
        "/api/v1/letters/",
        {
            "unit": geo.village_committee.pk,
            "type": "consult",
            "subject": "低保申请条件",
            "body": "请问家中有残疾人如何申请低保？",
            "name": "李强",
            "phone": "13812345678",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert Letter.objects.filter(tracking_code=answer.json()["tracking_code"]).exists()
