from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from portal import identity
from portal.models import (
    AuditAction,
    Membership,
    MembershipRole,
    Region,
    Residency,
    ResidencyStatus,
    SupervisorScope,
    Tier,
    Unit,
    User,
)
from portal.permissions import can_verify_residents, forget_grants, role_permissions
from portal.services.audit import audit_record
from portal.services.errors import DomainError


@transaction.atomic
def citizen_register(*, username: str, password: str, phone: str, full_name: str = "") -> User:
    """Self-registration: anyone may open a citizen account."""
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("该用户名已被使用。")})
    phone = identity.validate_phone(phone)
    user = User(username=username, phone=phone, full_name=full_name.strip())
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    return user


def _sync_unit_permissions(user: User, unit: Unit) -> None:
    """Make the guardian grants on `unit` exactly what the user's roles there give."""
    roles = list(Membership.objects.filter(user=user, unit=unit).values_list("role", flat=True))
    wanted = role_permissions(roles)
    for codename in role_permissions(list(MembershipRole.values)):
        if codename in wanted:
            assign_perm(f"portal.{codename}", user, unit)
        else:
            remove_perm(f"portal.{codename}", user, unit)


def _sync_staff_flag(user: User) -> None:
    """Officials and supervisors use the admin; others lose access when their last role goes.
    Called after every change of roles: the user object forgets what it knew of them."""
    forget_grants(user)
    staff = user.is_superuser or user.memberships.exists() or user.supervisor_scopes.exists()
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])


@transaction.atomic
def membership_grant(*, user: User, unit: Unit, role: str, actor: Any) -> Membership:
    if role not in MembershipRole.values:
        raise DomainError(_("未知的角色：%(role)s") % {"role": role})
    if not unit.is_active:
        raise DomainError(_("该单位已停用，不能再授权。"))
    membership, created = Membership.objects.get_or_create(
        user=user, unit=unit, role=role, defaults={"granted_by": actor if actor else None}
    )
    if created:
        _sync_unit_permissions(user, unit)
        _sync_staff_flag(user)
        audit_record(
            actor=actor,
            action=AuditAction.GRANT,
            obj=membership,
            unit=unit,
            changes={"user": [None, user.username], "role": [None, role]},
        )
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor: Any) -> None:
    user, unit, role = membership.user, membership.unit, membership.role
    audit_record(
        actor=actor,
        action=AuditAction.REVOKE,
        obj=membership,
        unit=unit,
        changes={"user": [user.username, None], "role": [role, None]},
    )
    membership.delete()
    _sync_unit_permissions(user, unit)
    _sync_staff_flag(user)


@transaction.atomic
def supervisor_grant(*, user: User, region: Region, actor: Any) -> SupervisorScope:
    scope, created = SupervisorScope.objects.get_or_create(
        user=user, region=region, defaults={"granted_by": actor if actor else None}
    )
    if created:
        _sync_staff_flag(user)
        audit_record(
            actor=actor,
            action=AuditAction.GRANT,
            obj=scope,
            changes={"user": [None, user.username], "region": [None, region.code]},
        )
    return scope


@transaction.atomic
def supervisor_revoke(*, scope: SupervisorScope, actor: Any) -> None:
    user = scope.user
    audit_record(
        actor=actor,
        action=AuditAction.REVOKE,
        obj=scope,
        changes={"user": [user.username, None], "region": [scope.region_id, None]},
    )
    scope.delete()
    _sync_staff_flag(user)


def residency_apply(
    *,
    user: User,
    region: Region,
    real_name: str,
    id_number: str,
    group_name: str = "",
    is_household_head: bool = False,
) -> Residency:
    """A citizen asks to be recognised as a member of a village or community."""
    if region.tier != Tier.VILLAGE:
        raise ValidationError({"region": _("请选择所在的村或社区。")})
    real_name = real_name.strip()
    if not real_name:
        raise ValidationError({"real_name": _("请填写姓名。")})
    try:
        number = identity.validate_id_number(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    if Residency.objects.filter(user=user, region=region).exists():
        raise ValidationError({"region": _("您已提交过该村（社区）的身份申请。")})
    try:
        with transaction.atomic():
            return Residency.objects.create(
                user=user,
                region=region,
                real_name=real_name,
                id_number_hash=identity.id_number_hash(number),
                id_number_masked=identity.mask_id_number(number),
                group_name=group_name.strip(),
                is_household_head=is_household_head,
            )
    except IntegrityError:
        raise ValidationError(
            {"id_number": _("该身份证号码已在本村（社区）登记，请联系村（居）委会。")}
        ) from None


@transaction.atomic
def residency_decide(
    *, residency: Residency, actor: Any, approve: bool, reason: str = ""
) -> Residency:
    residency = Residency.objects.select_for_update().get(pk=residency.pk)
    if not can_verify_residents(actor, residency.region):
        raise DomainError(_("只有本村（社区）的单位管理员可以核实村（居）民身份。"))
    if residency.status != ResidencyStatus.PENDING:
        raise DomainError(_("该申请已处理，不能重复核实。"))
    if not approve and not reason.strip():
        raise ValidationError({"reject_reason": _("请填写未通过的原因。")})
    residency.status = ResidencyStatus.VERIFIED if approve else ResidencyStatus.REJECTED
    residency.reject_reason = "" if approve else reason.strip()
    residency.decided_by = actor
    residency.decided_at = timezone.now()
    residency.save()
    committee = Unit.objects.filter(region=residency.region, kind="village_committee").first()
    audit_record(
        actor=actor,
        action=AuditAction.VERIFY if approve else AuditAction.REJECT,
        obj=residency,
        unit=committee,
        changes={"status": [ResidencyStatus.PENDING, residency.status]},
        note=residency.reject_reason,
    )
    return residency
