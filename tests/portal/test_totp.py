"""Officials' optional second factor (issue 10): enrolment with a QR code, the secret and
recovery codes; sign-in in two steps on the login page, the admin and the API token; wrong
codes refused and counted toward the lockout; a code cannot be replayed; a recovery code
works once; turning it off needs the password; a setting makes it mandatory for roles."""

import datetime as dt
import logging
import re

import pyotp
import pytest
from django.utils import timezone

from portal.auth import totp
from portal.auth.views import ENROL_SESSION_KEY, PENDING
from portal.models import AuditAction, AuditEntry, TotpDevice, TotpRecoveryCode
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SECRET = pyotp.random_base32()


@pytest.fixture(autouse=True)
def clean_cache():
    from django.core.cache import cache

    cache.clear()


def _code(secret: str = SECRET, seconds_ago: int = 0) -> str:
    return pyotp.TOTP(secret).at(timezone.now() - dt.timedelta(seconds=seconds_ago))


@pytest.fixture
def enrolled(personas):
    """The village official with an app whose last accepted code is one step old, so the
    current code is fresh for the test. Returns the recovery codes."""
    now = timezone.now()
    code = pyotp.TOTP(SECRET).at(now - dt.timedelta(seconds=30))
    return totp.totp_enrol(user=personas.village_official, secret=SECRET, code=code, now=now)


def _password_step(client, username="village_official", path="/accounts/login/", **extra):
    return client.post(path, {"username": username, "password": PASSWORD, **extra})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_enrolment_shows_qr_and_secret_then_recovery_codes_once(client, personas, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(personas.village_official)
    page = client.get("/accounts/2fa/")
    html = page.content.decode()
    secret = client.session[ENROL_SESSION_KEY]
    assert 'src="data:image/svg+xml' in html
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert '<label for="id_code">' in html

    wrong = client.post("/accounts/2fa/", {"code": "000000"})
    assert "验证码不正确" in wrong.content.decode()
    assert not TotpDevice.objects.exists()

    done = client.post("/accounts/2fa/", {"code": _code(secret)})
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.content.decode())
    assert len(codes) == 10 and ENROL_SESSION_KEY not in client.session
    device = TotpDevice.objects.get(user=personas.village_official)
    assert secret not in device.secret and totp.unseal(device.secret) == secret  # sealed
    stored = set(TotpRecoveryCode.objects.values_list("code_hash", flat=True))
    assert len(stored) == 10 and not stored & set(codes)  # kept hashed only
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(device.pk)).exists()

    # Never shown again, never logged.
    manage = client.get("/accounts/2fa/").content.decode()
    assert secret not in manage and " ".join(secret[:4]) not in manage
    assert "停用两步验证" in manage
    assert secret not in caplog.text and not any(code in caplog.text for code in codes)


def test_only_officials_and_supervisors_may_enrol(client, personas):
    client.force_login(personas.citizen)
    assert client.get("/accounts/2fa/").status_code == 404
    client.force_login(personas.county_supervisor)
    assert client.get("/accounts/2fa/").status_code == 200


def test_login_asks_for_the_code_after_the_password(client, personas, enrolled):
    step_one = _password_step(client, next="/accounts/")
    assert step_one.status_code == 302 and step_one["Location"] == "/accounts/login/code/"
    assert not _signed_in(client)
    page = client.get("/accounts/login/code/").content.decode()
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page

    wrong = client.post("/accounts/login/code/", {"code": "123456"})
    assert "验证码不正确" in wrong.content.decode() and not _signed_in(client)

    right = client.post("/accounts/login/code/", {"code": _code()})
    assert right.status_code == 302 and right["Location"] == "/accounts/"
    assert _signed_in(client) and PENDING not in client.session


def test_a_code_cannot_be_used_twice(client, personas, enrolled):
    code = _code()
    _password_step(client)
    assert client.post("/accounts/login/code/", {"code": code}).status_code == 302
    client.logout()
    _password_step(client)
    replay = client.post("/accounts/login/code/", {"code": code})
    assert "已使用过" in replay.content.decode() and not _signed_in(client)


def test_an_older_code_than_the_last_used_is_refused(personas, enrolled):
    user = personas.village_official
    assert totp.totp_verify(user=user, code=_code())
    # The previous step's code (still inside the drift window) is older than the last used.
    assert not totp.totp_verify(user=user, code=_code(seconds_ago=30))


def test_wrong_codes_count_toward_the_lockout(client, personas, enrolled, settings):
    settings.PORTAL_LOGIN_MAX_FAILURES = 3
    _password_step(client)
    for _i in range(2):
        client.post("/accounts/login/code/", {"code": "000000"})
    locked = client.post("/accounts/login/code/", {"code": "000000"})
    assert "登录已暂时锁定" in locked.content.decode()
    # Neither a fresh password step nor the right code gets through now.
    assert "登录已暂时锁定" in _password_step(client).content.decode()
    assert not _signed_in(client)


def test_a_new_password_step_does_not_reset_the_code_count(client, personas, enrolled, settings):
    settings.PORTAL_LOGIN_MAX_FAILURES = 3
    for _i in range(2):
        _password_step(client)
        client.post("/accounts/login/code/", {"code": "000000"})
    _password_step(client)
    locked = client.post("/accounts/login/code/", {"code": "000000"})
    assert "登录已暂时锁定" in locked.content.decode()


def test_a_recovery_code_works_once(client, personas, enrolled):
    recovery = enrolled[0]
    _password_step(client)
    assert client.post("/accounts/login/code/", {"code": recovery.upper()}).status_code == 302
    client.logout()
    _password_step(client)
    again = client.post("/accounts/login/code/", {"code": recovery})
    assert again.status_code == 200 and not _signed_in(client)
    assert totp.recovery_codes_left(personas.village_official) == 9


def test_the_second_step_expires(client, personas, enrolled, settings):
    _password_step(client)
    session = client.session
    session[PENDING]["at"] -= settings.PORTAL_LOGIN_SECOND_STEP_SECONDS + 1
    session.save()
    response = client.post("/accounts/login/code/", {"code": _code()})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not _signed_in(client)


def test_the_admin_login_needs_the_code_too(client, personas, enrolled):
    step_one = _password_step(client, path="/admin/login/?next=/admin/", next="/admin/")
    assert step_one.status_code == 302 and step_one["Location"] == "/accounts/login/code/"
    assert client.get("/admin/").status_code == 302  # not signed in yet
    done = client.post("/accounts/login/code/", {"code": _code()})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_api_token_needs_the_code_too(api, personas, enrolled):
    url = "/api/v1/auth/token/"
    credentials = {"username": "village_official", "password": PASSWORD}
    missing = api.post(url, credentials)
    assert missing.status_code == 400 and "otp" in missing.json()
    wrong = api.post(url, {**credentials, "otp": "000000"})
    assert wrong.status_code == 400 and "otp" in wrong.json()
    right = api.post(url, {**credentials, "otp": _code()})
    assert right.status_code == 200 and right.json()["token"]


def test_turning_it_off_needs_the_password(client, personas, enrolled):
    client.force_login(personas.village_official)
    wrong = client.post("/accounts/2fa/", {"password": "not-my-password"})
    assert "密码不正确" in wrong.content.decode()
    assert TotpDevice.objects.exists()
    done = client.post("/accounts/2fa/", {"password": PASSWORD})
    assert done.status_code == 302
    assert not TotpDevice.objects.exists() and not TotpRecoveryCode.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.DEACTIVATE).exists()
    # Re-enrolling starts again with a new secret.
    client.get("/accounts/2fa/")
    assert client.session[ENROL_SESSION_KEY] != SECRET


def test_mandatory_for_supervisors(client, api, personas, settings):
    settings.PORTAL_REQUIRE_TOTP_FOR = ("supervisor",)
    _password_step(client, username="county_supervisor")
    assert _signed_in(client)
    page = client.get("/supervision/participation/")
    assert page.status_code == 302 and page["Location"] == "/accounts/2fa/"
    assert "须启用两步验证" in client.get("/accounts/2fa/").content.decode()
    token = api.post("/api/v1/auth/token/", {"username": "county_supervisor", "password": PASSWORD})
    assert token.status_code == 403

    # An official who is not a supervisor is not held up.
    client.logout()
    _password_step(client, username="village_official")
    assert client.get("/accounts/").status_code == 200


def test_secret_is_not_in_the_admin(client, personas, enrolled):
    client.force_login(personas.platform_admin)
    for url in ("/admin/portal/totpdevice/", "/admin/portal/user/"):
        response = client.get(url)
        assert SECRET not in response.content.decode()
