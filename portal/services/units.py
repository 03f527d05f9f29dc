from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import AuditAction, Unit
from portal.services.audit import audit_record
from portal.services.errors import DomainError

# What a unit admin may change about their own unit; the rest is the platform's.
PROFILE_FIELDS = ["address", "phone", "office_hours", "introduction"]


@transaction.atomic
def unit_deactivate(*, unit: Unit, actor: Any, reason: str) -> Unit:
    """Units are never deleted: what they published stays findable under their name."""
    if not reason.strip():
        raise DomainError(_("停用单位须说明原因。"))
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if not unit.is_active:
        raise DomainError(_("该单位已停用。"))
    unit.is_active = False
    unit.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.DEACTIVATE,
        obj=unit,
        changes={"is_active": [True, False]},
        note=reason,
    )
    return unit
