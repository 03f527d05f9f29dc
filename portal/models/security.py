"""Sign-in security: wrong-password counters and officials' second factor (TOTP).

Kept in PostgreSQL, not in the cache, so that a lockout holds while Redis is down.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ThrottleScope(models.TextChoices):
    ACCOUNT = "account", _("账户")
    ADDRESS = "address", _("来源地址")


class LoginThrottle(models.Model):
    """Wrong sign-in tries under one key: a keyed hash of the lower-cased user name, or of
    the client address (personal data, never kept in the clear). Counted and locked by the
    shared rule of portal.lockout."""

    key = models.CharField(max_length=64, primary_key=True)
    scope = models.CharField(_("范围"), max_length=8, choices=ThrottleScope.choices)
    failures = models.PositiveIntegerField(_("失败次数"), default=0)
    lockouts = models.PositiveIntegerField(_("锁定次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("最近失败时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录失败计数")
        verbose_name_plural = _("登录失败计数")

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.key[:12]}"


class TotpDevice(models.Model):
    """A person's authenticator app. The secret is shown once, at enrolment, and never
    again (no admin, API or page shows it); `last_counter` is the last 30-second step a
    code was accepted for, so a code cannot be used twice."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device"
    )
    # Sealed by portal.auth.totp.seal: never the clear secret.
    secret = models.CharField(max_length=255, editable=False)
    confirmed_at = models.DateTimeField(_("启用时间"), auto_now_add=True)
    last_counter = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("两步验证设备")
        verbose_name_plural = _("两步验证设备")

    def __str__(self) -> str:
        return str(self.user)


class TotpRecoveryCode(models.Model):
    """A one-time code for when the phone is lost; only its keyed hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_recovery_codes"
    )
    code_hash = models.CharField(max_length=64, editable=False)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("两步验证恢复码")
        verbose_name_plural = _("两步验证恢复码")
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="totp_recovery_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.pk}"
