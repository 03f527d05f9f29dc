"""Login lockout (issue 10): wrong passwords lock the account and, at a higher count, the
address, on every door (the login page, the admin's login, the API token); while locked
even the right password is refused; the lock ends, doubles on repeat, is audited without
the password, and holds in the database while Redis is down."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal import cachesafe
from portal.auth import throttle
from portal.models import AuditAction, AuditEntry, LoginThrottle, ThrottleScope
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "登录已暂时锁定"


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.PORTAL_LOGIN_MAX_FAILURES = 3
    settings.PORTAL_LOGIN_MAX_FAILURES_PER_ADDRESS = 5
    settings.PORTAL_LOGIN_LOCK_MINUTES = 15
    settings.PORTAL_LOGIN_FAILURE_WINDOW_MINUTES = 15


@pytest.fixture(autouse=True)
def clean_cache():
    # The per-address POST limits live in the cache; start every test from zero.
    from django.core.cache import cache

    cache.clear()


def _login(client, username, password, *, path="/accounts/login/", ip="10.1.0.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client, username, times, **kwargs):
    for _i in range(times):
        _login(client, username, "wrong-password", **kwargs)


def test_wrong_passwords_lock_the_account_and_the_right_password_is_refused(client, personas):
    _fail(client, "village_official", 1)
    _fail(client, "Village_Official ", 1)  # counted for one account whatever the case
    assert not LoginThrottle.objects.filter(locked_until__isnull=False).exists()
    third = _login(client, "VILLAGE_OFFICIAL", "wrong-password")
    assert LOCKED in third.content.decode()

    refused = _login(client, "village_official", PASSWORD)
    text = refused.content.decode()
    assert LOCKED in text and "请于" in text and "以后再试" in text
    assert not _signed_in(client)


def test_the_lock_ends_and_a_success_clears_the_count(client, personas):
    _fail(client, "village_official", 3)
    row = LoginThrottle.objects.get(key=throttle.account_key("village_official"))
    assert row.locked_until > timezone.now() + dt.timedelta(minutes=14)
    # The lock time has passed.
    LoginThrottle.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))

    response = _login(client, "village_official", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)
    row.refresh_from_db()
    assert (row.failures, row.lockouts) == (0, 0)


def test_a_success_resets_the_count_before_the_limit(client, personas):
    _fail(client, "village_official", 2)
    assert _login(client, "village_official", PASSWORD).status_code == 302
    client.logout()
    _fail(client, "village_official", 2)
    assert _login(client, "village_official", PASSWORD).status_code == 302


def test_the_lock_doubles_on_repeat_and_old_failures_are_forgotten():
    now = timezone.now()
    for _i in range(2):
        throttle.login_failed(username="someone", ip="10.1.0.9", now=now)
    with pytest.raises(throttle.LoginLocked) as first:
        throttle.login_failed(username="someone", ip="10.1.0.9", now=now)
    assert first.value.until == now + dt.timedelta(minutes=15)
    assert first.value.retry_after(now) == 15 * 60

    later = first.value.until + dt.timedelta(seconds=1)
    throttle.login_check(username="someone", ip="10.1.0.9", now=later)  # not locked now
    for _i in range(2):
        throttle.login_failed(username="someone", ip="10.1.0.9", now=later)
    with pytest.raises(throttle.LoginLocked) as second:
        throttle.login_failed(username="someone", ip="10.1.0.9", now=later)
    assert second.value.until == later + dt.timedelta(minutes=30)

    # Two failures, then a quiet hour: the window forgets them.
    much_later = second.value.until + dt.timedelta(hours=1)
    for _i in range(2):
        throttle.login_failed(username="someone", ip="10.1.0.9", now=much_later)
    quiet = much_later + dt.timedelta(minutes=16)
    throttle.login_failed(username="someone", ip="10.1.0.9", now=quiet)
    row = LoginThrottle.objects.get(key=throttle.account_key("someone"))
    assert row.failures == 1 and row.locked_until < quiet


def test_unknown_user_names_are_counted_and_answered_the_same(client, personas):
    _fail(client, "nobody-here", 3)
    refused = _login(client, "nobody-here", "whatever")
    assert LOCKED in refused.content.decode()


def test_many_user_names_from_one_address_lock_the_address(client, personas):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        _login(client, name, "wrong-password", ip="10.2.0.1")
    assert LoginThrottle.objects.get(key=throttle.address_key("10.2.0.1")).locked_until
    refused = _login(client, "township_official", PASSWORD, ip="10.2.0.1")
    assert LOCKED in refused.content.decode() and not _signed_in(client)
    # The same person from another address is not affected.
    assert _login(client, "township_official", PASSWORD, ip="10.2.0.2").status_code == 302


def test_a_lockout_is_audited_without_password_name_or_address(client, personas):
    _fail(client, "village_official", 3, ip="10.3.0.7")
    entry = AuditEntry.objects.get(action=AuditAction.LOCK)
    assert entry.changes["scope"] == [None, ThrottleScope.ACCOUNT]
    assert entry.changes["user"] == [None, personas.village_official.pk]
    text = f"{entry.changes} {entry.note} {entry.object_repr}"
    for secret in ("wrong-password", "village_official", "10.3.0.7"):
        assert secret not in text
    assert entry.actor is None


def test_the_admin_login_is_locked_too(client, personas):
    _fail(client, "village_official", 3, path="/admin/login/")
    refused = _login(client, "village_official", PASSWORD, path="/admin/login/")
    assert LOCKED in refused.content.decode() and not _signed_in(client)
    # And the other door shares the same count.
    assert LOCKED in _login(client, "village_official", PASSWORD).content.decode()


def test_the_admin_login_still_signs_an_official_in(client, personas):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "village_official", "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_api_token_endpoint_is_locked_with_429(api, personas):
    for _i in range(2):
        wrong = api.post(
            "/api/v1/auth/token/", {"username": "village_official", "password": "nope"}
        )
        assert wrong.status_code == 400
    locked = api.post("/api/v1/auth/token/", {"username": "village_official", "password": "x"})
    assert locked.status_code == 429 and LOCKED in locked.json()["detail"]
    assert int(locked["Retry-After"]) > 14 * 60
    right = api.post("/api/v1/auth/token/", {"username": "village_official", "password": PASSWORD})
    assert right.status_code == 429


def test_the_api_token_endpoint_still_gives_tokens(api, personas):
    response = api.post(
        "/api/v1/auth/token/", {"username": "village_official", "password": PASSWORD}
    )
    assert response.status_code == 200 and response.json()["token"]


def test_the_lockout_holds_while_redis_is_down(client, personas, settings):
    # Nothing listens on port 1: every cache call fails, the counts are in PostgreSQL.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    try:
        _fail(client, "village_official", 3)
        refused = _login(client, "village_official", PASSWORD)
        assert refused.status_code == 200 and LOCKED in refused.content.decode()
        assert not _signed_in(client)
    finally:
        cachesafe.reset()


def test_an_administrator_can_lift_a_lock(client, personas):
    _fail(client, "village_official", 3)
    out = io.StringIO()
    call_command("login_unlock", "village_official", stdout=out)
    assert "已解除" in out.getvalue()
    assert AuditEntry.objects.filter(action=AuditAction.CHANGE, note="解除登录锁定").exists()
    assert _login(client, "village_official", PASSWORD).status_code == 302
    call_command("login_unlock", "village_official", stdout=out)
    assert "没有被锁定" in out.getvalue()


@pytest.mark.django_db
def test_the_login_page_carries_the_portals_name_not_the_host(client, settings):
    html = client.get("/accounts/login/").content.decode()
    assert settings.PORTAL_SITE_NAME in html
    assert "<title>登录 · testserver" not in html
