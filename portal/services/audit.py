from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from portal import identity
from portal.models import AuditAction, AuditEntry, Region, Unit
from portal.permissions import region_code_of, unit_of


def _plain(value: Any) -> Any:
    """A JSON-friendly rendering of a field value for the change record."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, dt.date | dt.datetime | dt.time | decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {
        name: [_plain(before.get(name)), _plain(after.get(name))]
        for name in after
        if _plain(before.get(name)) != _plain(after.get(name))
    }


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: getattr(obj, name) for name in names}


@transaction.atomic
def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
    unit: Unit | None = None,
    note: str = "",
) -> AuditEntry:
    """Append one row to the audit trail, inside the caller's transaction."""
    unit = unit or unit_of(obj)
    region = region_code_of(obj) or (unit.region_id if unit else "")
    if isinstance(obj, Region):
        region = obj.code
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=identity.scrub_text(str(obj))[:200],
        unit=unit,
        region_code=region or "",
        changes=_scrubbed(changes or {}),
        note=identity.scrub_text(note)[:300],
    )


def _scrubbed(value: Any) -> Any:
    """The change record without ID or mobile numbers in clear: a phone edited in the back
    office is recorded as 138****5678 → 139****4321 (the trail says that it changed)."""
    if isinstance(value, str):
        return identity.scrub_text(value)
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value


@transaction.atomic
def audited_save(
    *, obj: models.Model, actor: Any, before: dict[str, Any] | None = None, unit: Unit | None = None
) -> models.Model:
    """Validate and save an object changed in the back office, recording what changed.

    `before` is the snapshot taken from the database before the change (None when new).
    """
    obj.full_clean()
    obj.save()
    after = snapshot(obj)
    if before is None:
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=obj, unit=unit, changes=diff({}, after)
        )
    else:
        changes = diff(before, after)
        if changes:
            audit_record(
                actor=actor, action=AuditAction.CHANGE, obj=obj, unit=unit, changes=changes
            )
    return obj
