"""Officials' and supervisors' second factor: time-based one-time codes (RFC 6238, the
six digits of an authenticator app) and one-time recovery codes.

A code is accepted for the current 30-second step or one step either side (clock drift),
and only for a step later than the last one accepted, so an overheard code cannot be used
again. Recovery codes are kept as keyed hashes and each works once. The secret is shown
at enrolment only and never logged; in the database it is sealed (Fernet, under a key
derived from PORTAL_IDENTITY_HASH_KEY), so a copy of the database or a backup does not
carry anyone's second factor.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import re
import secrets
from typing import Any

import pyotp
import segno
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import identity
from portal.models import AuditAction, TotpDevice, TotpRecoveryCode
from portal.services.audit import audit_record
from portal.services.errors import Conflict, NotAllowed

STEP_SECONDS = 30
RECOVERY_CODES = 10
RECOVERY_PURPOSE = "totp_recovery"
# Letters and digits that cannot be mistaken for one another when copied by hand.
_RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_SIX_DIGITS = re.compile(r"^\d{6}$")
ROLES = ("official", "supervisor", "staff")


def _fernet() -> Fernet:
    key = bytes.fromhex(identity.keyed_hash("totp-secrets", purpose="sealing-key"))
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    return _fernet().decrypt(sealed.encode()).decode()


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def grouped(secret: str) -> str:
    """ABCD EFGH …: easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, user: Any) -> str:
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.get_username(), issuer_name=settings.PORTAL_SITE_NAME
    )


def qr_data_uri(secret: str, user: Any) -> str:
    """The enrolment QR code as an SVG data: URI (allowed by the CSP's img-src)."""
    return segno.make(provisioning_uri(secret, user), error="m").svg_data_uri(scale=5, border=2)


def may_enrol(user: Any) -> bool:
    """Officials, supervisors and platform administrators: the people who sign in to the
    back office (people services keep is_staff in step with their roles)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


def required_for(user: Any) -> bool:
    """Whether settings.PORTAL_REQUIRE_TOTP_FOR makes a second factor mandatory for them."""
    roles = set(settings.PORTAL_REQUIRE_TOTP_FOR)
    if not roles or not getattr(user, "is_authenticated", False):
        return False
    if "staff" in roles and (user.is_staff or user.is_superuser):
        return True
    if "official" in roles and user.memberships.exists():
        return True
    return "supervisor" in roles and user.supervisor_scopes.exists()


def device_of(user: Any) -> TotpDevice | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return TotpDevice.objects.filter(user=user).first()


def _step(now: dt.datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    current = _step(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _recovery_hash(user: Any, code: str) -> str:
    return identity.keyed_hash(f"{user.pk}:{code}", purpose=RECOVERY_PURPOSE)


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _new_recovery_codes(user: Any) -> list[str]:
    TotpRecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _i in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _j in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    TotpRecoveryCode.objects.bulk_create(
        [TotpRecoveryCode(user=user, code_hash=_recovery_hash(user, _normalise(c))) for c in codes]
    )
    return codes


@transaction.atomic
def totp_enrol(*, user: Any, secret: str, code: str, now: dt.datetime | None = None) -> list[str]:
    """Turn the second factor on once the person proves their app shows the right code;
    returns the recovery codes, to be shown this once."""
    if not may_enrol(user):
        raise NotAllowed(_("只有工作人员和监督人员可以启用两步验证。"))
    if TotpDevice.objects.filter(user=user).exists():
        raise Conflict(_("已启用两步验证；如需更换手机，请先停用再重新设置。"))
    now = now or timezone.now()
    step = (
        _matching_step(secret, _normalise(code), now)
        if _SIX_DIGITS.match(_normalise(code))
        else None
    )
    if step is None:
        raise ValidationError({"code": _("验证码不正确：请输入身份验证器应用当前显示的6位数字。")})
    device = TotpDevice.objects.create(user=user, secret=seal(secret), last_counter=step)
    codes = _new_recovery_codes(user)
    audit_record(actor=user, action=AuditAction.CREATE, obj=device, note=_("启用两步验证"))
    return codes


def totp_verify(*, user: Any, code: str, now: dt.datetime | None = None) -> bool:
    """True once for a right code: the app's current six digits (a step later than the
    last accepted) or an unused recovery code. Claimed with conditional updates, so two
    simultaneous uses of one code cannot both pass."""
    device = device_of(user)
    if device is None:
        return False
    code = _normalise(code)
    if _SIX_DIGITS.match(code):
        step = _matching_step(unseal(device.secret), code, now or timezone.now())
        return (
            step is not None
            and TotpDevice.objects.filter(pk=device.pk, last_counter__lt=step).update(
                last_counter=step
            )
            == 1
        )
    if len(code) != 10:
        return False
    return (
        TotpRecoveryCode.objects.filter(
            user=user, code_hash=_recovery_hash(user, code), used_at=None
        ).update(used_at=timezone.now())
        == 1
    )


def recovery_codes_left(user: Any) -> int:
    return TotpRecoveryCode.objects.filter(user=user, used_at=None).count()


@transaction.atomic
def totp_disable(*, user: Any) -> None:
    """Turn the second factor off (the view has checked the password)."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        return
    audit_record(actor=user, action=AuditAction.DEACTIVATE, obj=device, note=_("停用两步验证"))
    TotpRecoveryCode.objects.filter(user=user).delete()
    device.delete()
