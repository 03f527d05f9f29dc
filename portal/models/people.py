from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Everybody with a login: citizens, residents, officials, supervisors, admins.

    The roles are not flags here: they are rows (Membership, SupervisorScope,
    Residency) so that one person can hold several and every grant is audited.
    """

    full_name = models.CharField(_("姓名"), max_length=40, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username


class MembershipRole(models.TextChoices):
    EDITOR = "editor", _("信息员（编辑）")
    REVIEWER = "reviewer", _("审核员")
    ADMIN = "admin", _("单位管理员")


class Membership(models.Model):
    """An official's role in one unit; the object permissions are granted from it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey("portal.Unit", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=16, choices=MembershipRole.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("授权人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("单位工作人员")
        verbose_name_plural = _("单位工作人员")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class SupervisorScope(models.Model):
    """A supervisor reads everything inside one place's subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervisor_scopes"
    )
    region = models.ForeignKey(
        "portal.Region", verbose_name=_("监督范围"), on_delete=models.PROTECT, related_name="+"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("授权人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("监督人员")
        verbose_name_plural = _("监督人员")
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="supervisor_scope_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.region}"


class ResidencyStatus(models.TextChoices):
    PENDING = "pending", _("待核实")
    VERIFIED = "verified", _("已核实")
    REJECTED = "rejected", _("未通过")


class Residency(models.Model):
    """A citizen's claim to be a member of a village or community, checked by its committee.

    Verified residents take part in votes and may look up their collective's vouchers.
    The ID number is kept only as a keyed hash (to find the same person) and a mask.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="residencies"
    )
    region = models.ForeignKey(
        "portal.Region", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    real_name = models.CharField(_("姓名"), max_length=40)
    id_number_hash = models.CharField(max_length=64, editable=False)
    id_number_masked = models.CharField(_("身份证号码"), max_length=18, editable=False)
    group_name = models.CharField(_("村民小组"), max_length=40, blank=True)
    is_household_head = models.BooleanField(_("户代表"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=ResidencyStatus.choices, default=ResidencyStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    reject_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("村（居）民身份")
        verbose_name_plural = _("村（居）民身份")
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="residency_one_per_place"),
            # One ID number is one member of a place, whichever account claims it.
            models.UniqueConstraint(
                fields=["region", "id_number_hash"],
                condition=~Q(status="rejected"),
                name="residency_one_person_per_place",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""),
                name="residency_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.real_name} · {self.region}"
