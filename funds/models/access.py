"""Looking at original vouchers with an ID number (凭身份证号查阅原始凭证).

A person gives name and ID number for a collective; if they match a registered member
(by keyed hash), they receive a short-lived grant to that collective's vouchers. Failed
tries are counted per client and per ID number and lock further tries for a growing
time. Every view of a voucher is logged, and the village's supervisory committee and the
township read the log.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLock(models.Model):
    """Failed tries under one key (a keyed hash of the client address and collective, or
    of the ID number given) and the time the key is locked until."""

    key = models.CharField(max_length=64, primary_key=True)
    failures = models.PositiveIntegerField(default=0)
    lockouts = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("查阅失败计数")
        verbose_name_plural = _("查阅失败计数")

    def __str__(self) -> str:
        return self.key[:12]


class VoucherGrant(models.Model):
    """Permission for one member to see one collective's vouchers until `expires_at`.
    The token is given once (session or API answer); only its hash is stored."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    member = models.ForeignKey(
        "funds.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("成员")
    )
    collective = models.ForeignKey(
        "funds.Collective", on_delete=models.PROTECT, related_name="+", verbose_name=_("集体")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登录用户"),
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    client_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("凭证查阅授权")
        verbose_name_plural = _("凭证查阅授权")
        ordering = ["-granted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member} · {self.granted_at:%Y-%m-%d %H:%M}"


class VoucherView(models.Model):
    """Who looked at which voucher, when: read by the supervisory committee, the township
    and supervisors. A resident's view comes under a grant and names the member by masked
    identity; an official's view in the back office names the official and the unit they
    read it for (a log of every door to a voucher, not only the public one)."""

    voucher = models.ForeignKey(
        "funds.Voucher", on_delete=models.PROTECT, related_name="views", verbose_name=_("凭证")
    )
    grant = models.ForeignKey(
        VoucherGrant, null=True, blank=True, on_delete=models.PROTECT, related_name="views"
    )
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("查阅的工作人员"),
    )
    unit = models.ForeignKey(
        "portal.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("工作人员所在单位"),
    )
    # Copied for the logs' readers: a code range on the village, the viewer's mask.
    region = models.ForeignKey("portal.Region", on_delete=models.PROTECT, related_name="+")
    viewer = models.CharField(_("查阅人"), max_length=80)
    viewed_at = models.DateTimeField(_("查阅时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("凭证查阅记录")
        verbose_name_plural = _("凭证查阅记录")
        ordering = ["-viewed_at", "-id"]
        indexes = [models.Index(fields=["region", "-viewed_at"], name="voucher_view_region")]
        constraints = [
            # Either a resident under a grant or an official, never both, never neither.
            models.CheckConstraint(
                condition=models.Q(grant__isnull=False, official__isnull=True)
                | models.Q(grant__isnull=True, official__isnull=False),
                name="voucher_view_grant_or_official",
            )
        ]

    def __str__(self) -> str:
        return f"{self.viewer} · {self.voucher_id}"
