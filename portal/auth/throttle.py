"""Lockout after repeated wrong sign-in tries, kept in the database so that it holds while
Redis is down.

Two counters take every wrong try (a wrong password, a wrong second-factor code): one for
the account (a keyed hash of the lower-cased user name, whether or not such an account
exists, so the answer does not tell) and one for the client address (many user names
from one address). At the limit a counter locks for PORTAL_LOGIN_LOCK_MINUTES, doubled at
each further lockout (portal.lockout, the rule the voucher check uses too). While either
is locked even the right password is refused, with the time to try again. A successful
sign-in clears the account's count and its doublings and the address's count.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import identity, lockout
from portal.models import AuditAction, LoginThrottle, ThrottleScope, User
from portal.services.audit import audit_record
from portal.services.errors import DomainError

logger = logging.getLogger(__name__)

ACCOUNT_PURPOSE = "login_account"
ADDRESS_PURPOSE = "login_address"


class LoginLocked(DomainError):
    """Too many wrong tries for this account or from this address (HTTP 429)."""

    def __init__(self, until: dt.datetime) -> None:
        self.until = until
        super().__init__(
            _("密码或验证码输错次数过多，登录已暂时锁定，请于 %(time)s 以后再试。")
            % {"time": lockout.until_text(until)},
            code="login_locked",
        )

    def retry_after(self, now: dt.datetime | None = None) -> int:
        return lockout.seconds_left(self.until, now)


def account_key(username: str) -> str:
    return identity.keyed_hash((username or "").strip().lower(), purpose=ACCOUNT_PURPOSE)


def address_key(ip: str | None) -> str:
    return identity.keyed_hash(ip or "", purpose=ADDRESS_PURPOSE)


def _keys(username: str, ip: str | None) -> dict[str, str]:
    return {account_key(username): ThrottleScope.ACCOUNT, address_key(ip): ThrottleScope.ADDRESS}


def login_check(*, username: str, ip: str | None, now: dt.datetime | None = None) -> None:
    """Raise LoginLocked while the account or the address is locked."""
    now = now or timezone.now()
    until = (
        LoginThrottle.objects.filter(key__in=_keys(username, ip), locked_until__gt=now)
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )
    if until is not None:
        raise LoginLocked(until)


def login_failed(*, username: str, ip: str | None, now: dt.datetime | None = None) -> None:
    """Count one wrong try; raise LoginLocked when it locks the account or the address.
    The count commits before the refusal is raised, so no caller's rollback undoes it."""
    now = now or timezone.now()
    keys = _keys(username, ip)
    limits = {
        ThrottleScope.ACCOUNT: settings.PORTAL_LOGIN_MAX_FAILURES,
        ThrottleScope.ADDRESS: settings.PORTAL_LOGIN_MAX_FAILURES_PER_ADDRESS,
    }
    window = dt.timedelta(minutes=settings.PORTAL_LOGIN_FAILURE_WINDOW_MINUTES)
    locked: list[dt.datetime] = []
    with transaction.atomic():
        LoginThrottle.objects.bulk_create(
            [LoginThrottle(key=key, scope=scope) for key, scope in keys.items()],
            ignore_conflicts=True,
        )
        # In key order, so two simultaneous tries never deadlock and a burst is counted
        # one try after the other.
        for row in LoginThrottle.objects.select_for_update().filter(key__in=keys).order_by("key"):
            if lockout.is_locked(row, now):
                locked.append(row.locked_until)
                continue
            if lockout.count_failure(
                row,
                now=now,
                max_failures=limits[row.scope],
                base_minutes=settings.PORTAL_LOGIN_LOCK_MINUTES,
                window=window,
            ):
                locked.append(row.locked_until)
                _audit_lockout(row, username=username)
            row.save(update_fields=["failures", "lockouts", "locked_until", "last_failure_at"])
    if locked:
        raise LoginLocked(max(locked))


def _audit_lockout(row: LoginThrottle, *, username: str) -> None:
    # Never the password, never the address; the account by its id when it exists.
    changes: dict[str, list] = {
        "scope": [None, row.scope],
        "locked_until": [None, str(row.locked_until)],
        "lockouts": [row.lockouts - 1, row.lockouts],
    }
    if row.scope == ThrottleScope.ACCOUNT:
        user_id = (
            User.objects.filter(username__iexact=(username or "").strip())
            .values_list("pk", flat=True)
            .first()
        )
        changes["user"] = [None, user_id]
    audit_record(
        actor=None,
        action=AuditAction.LOCK,
        obj=row,
        changes=changes,
        note=_("登录失败次数过多，暂时锁定"),
    )
    logger.warning("sign-in %s locked until %s", row.scope, row.locked_until)


def login_succeeded(*, username: str, ip: str | None) -> None:
    """A successful sign-in clears the account's count and doublings and the address's
    count (the address keeps its doublings: others may share it)."""
    LoginThrottle.objects.filter(key=account_key(username)).exclude(failures=0, lockouts=0).update(
        failures=0, lockouts=0
    )
    LoginThrottle.objects.filter(key=address_key(ip), failures__gt=0).update(failures=0)


@transaction.atomic
def login_unlock(*, username: str, actor: Any = None) -> bool:
    """Lift an account's lock and forget its count (an administrator, after checking with
    the person by phone). False when the account was neither locked nor counting."""
    row = LoginThrottle.objects.select_for_update().filter(key=account_key(username)).first()
    if row is None or (row.failures, row.lockouts, row.locked_until) == (0, 0, None):
        return False
    before = str(row.locked_until)
    row.failures = row.lockouts = 0
    row.locked_until = None
    row.save(update_fields=["failures", "lockouts", "locked_until"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=row,
        changes={"locked_until": [before, None]},
        note=_("解除登录锁定"),
    )
    return True
