"""The registers of a collective's fixed assets and of its resources (land, forest,
water, ...): entered and changed by the centre, every change in the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from funds.models import AssetStatus, Collective, FixedAsset, Resource, ResourceKind
from funds.services.ledger._common import (
    _add,
    _date,
    _decimal,
    _locked_collective,
    _require_booker,
    _text,
    _today,
)
from portal.models import AuditAction
from portal.services.audit import audit_record, diff, snapshot
from portal.services.errors import Conflict, DomainError

ASSET_FIELDS = (
    "name",
    "category",
    "value",
    "location",
    "acquired_on",
    "status",
    "lessee",
    "lessee_is_person",
    "lease_start",
    "lease_end",
    "annual_rent",
)
RESOURCE_FIELDS = (
    "kind",
    "name",
    "area",
    "holder",
    "holder_is_person",
    "term_start",
    "term_end",
    "annual_rent",
)


Row = TypeVar("Row", FixedAsset, Resource)


def _register(
    model: type[Row],
    collective: Collective,
    values: dict[str, Any],
    *,
    fields: tuple[str, ...],
    errors_of: Callable[[Row], dict[str, list[str]]],
    actor: Any,
) -> Row:
    """A new row of a register, checked (and normalised) by `errors_of`."""
    collective = _locked_collective(collective)
    _require_booker(actor, collective)
    row = model(collective=collective, **values)
    errors = errors_of(row)
    if errors:
        raise ValidationError(errors)
    row.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=row,
        unit=collective.centre,
        changes=diff({}, snapshot(row, list(fields))),
    )
    return row


def _update(
    row: Row,
    changes: dict[str, Any],
    *,
    fields: tuple[str, ...],
    errors_of: Callable[[Row], dict[str, list[str]]],
    actor: Any,
    refusal: Callable[[Row], str | None] | None = None,
) -> Row:
    """A register's row changed, checked as a new one is; `refusal` says why the row
    as stored may not change at all. Saved and audited only when something changed."""
    collective = _locked_collective(row.collective)
    _require_booker(actor, collective)
    row = type(row).objects.select_for_update().get(pk=row.pk)
    unknown = set(changes) - set(fields)
    if unknown:
        raise DomainError(
            _("不能修改这些项目：%(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    message = refusal(row) if refusal is not None else None
    if message:
        raise Conflict(message)
    before = snapshot(row, list(fields))
    for field, value in changes.items():
        setattr(row, field, value)
    errors = errors_of(row)
    if errors:
        raise ValidationError(errors)
    changed = diff(before, snapshot(row, list(fields)))
    if changed:
        row.save()
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=row,
            unit=collective.centre,
            changes=changed,
        )
    return row


# --- Fixed assets ------------------------------------------------------------------------


def _asset_errors(asset: FixedAsset) -> dict[str, list[str]]:
    """Check and normalise an asset: a leased asset has its lessee and term, an asset
    that is not leased carries no lease."""
    errors: dict[str, list[str]] = {}
    today = _today()
    asset.name = _text(errors, "name", asset.name, limit=100, label=_("资产名称"))
    asset.category = _text(errors, "category", asset.category, limit=40, label=_("类别"))
    asset.location = _text(errors, "location", asset.location, limit=100, label=_("坐落位置"))
    value = _decimal(errors, "value", asset.value, label=_("原值"))
    if value is not None and value < 0:
        _add(errors, "value", _("原值不能为负数。"))
    asset.value = value
    acquired = _date(errors, "acquired_on", asset.acquired_on, label=_("取得日期"))
    if acquired is not None and acquired > today:
        _add(errors, "acquired_on", _("取得日期不能晚于今天。"))
    asset.acquired_on = acquired
    if asset.status not in AssetStatus.values:
        _add(errors, "status", _("请选择资产状态。"))
    if asset.status == AssetStatus.LEASED:
        asset.lessee = _text(errors, "lessee", asset.lessee, limit=100, label=_("承租方"))
        if asset.lease_start is None:
            _add(errors, "lease_start", _("出租的资产请填写租期起始日期。"))
        if asset.lease_end is None:
            _add(errors, "lease_end", _("出租的资产请填写租期截止日期。"))
        elif asset.lease_start is not None and asset.lease_end < asset.lease_start:
            _add(errors, "lease_end", _("租期截止日期不能早于起始日期。"))
        rent = _decimal(errors, "annual_rent", asset.annual_rent, label=_("年租金"), required=False)
        if rent is not None and rent < 0:
            _add(errors, "annual_rent", _("年租金不能为负数。"))
        asset.annual_rent = rent
    else:
        asset.lessee, asset.lessee_is_person = "", False
        asset.lease_start = asset.lease_end = asset.annual_rent = None
    return errors


def _disposed(asset: FixedAsset) -> str | None:
    return _("已处置的资产不能再变更。") if asset.status == AssetStatus.DISPOSED else None


@transaction.atomic
def asset_register(
    *,
    collective: Collective,
    name: str,
    category: str,
    value: Decimal,
    location: str,
    acquired_on: dt.date,
    status: str = AssetStatus.IN_USE,
    lessee: str = "",
    lessee_is_person: bool = False,
    lease_start: dt.date | None = None,
    lease_end: dt.date | None = None,
    annual_rent: Decimal | None = None,
    actor: Any,
) -> FixedAsset:
    return _register(
        FixedAsset,
        collective,
        {
            "name": name,
            "category": category,
            "value": value,
            "location": location,
            "acquired_on": acquired_on,
            "status": status,
            "lessee": lessee,
            "lessee_is_person": lessee_is_person,
            "lease_start": lease_start,
            "lease_end": lease_end,
            "annual_rent": annual_rent,
        },
        fields=ASSET_FIELDS,
        errors_of=_asset_errors,
        actor=actor,
    )


@transaction.atomic
def asset_update(*, asset: FixedAsset, actor: Any, **changes: Any) -> FixedAsset:
    """Change an asset's record: its status (in use, idle, leased with lessee and term,
    disposed), value, location. A disposed asset stays as it was disposed."""
    return _update(
        asset,
        changes,
        fields=ASSET_FIELDS,
        errors_of=_asset_errors,
        actor=actor,
        refusal=_disposed,
    )


# --- Resources ---------------------------------------------------------------------------


def _resource_errors(resource: Resource) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if resource.kind not in ResourceKind.values:
        _add(errors, "kind", _("请选择资源类型。"))
    resource.name = _text(errors, "name", resource.name, limit=100, label=_("名称或坐落"))
    area = _decimal(errors, "area", resource.area, label=_("面积"))
    if area is not None and area <= 0:
        _add(errors, "area", _("面积应大于0。"))
    resource.area = area
    resource.holder = _text(
        errors, "holder", resource.holder, limit=100, label=_("承包（租赁）方"), required=False
    )
    if not resource.holder:
        resource.holder_is_person = False
        if resource.term_start or resource.term_end or resource.annual_rent:
            _add(errors, "holder", _("填写承包期或租金时请填写承包（租赁）方。"))
    if (
        resource.term_start is not None
        and resource.term_end is not None
        and resource.term_end < resource.term_start
    ):
        _add(errors, "term_end", _("承包期截止日期不能早于起始日期。"))
    rent = _decimal(errors, "annual_rent", resource.annual_rent, label=_("年租金"), required=False)
    if rent is not None and rent < 0:
        _add(errors, "annual_rent", _("年租金不能为负数。"))
    resource.annual_rent = rent
    return errors


@transaction.atomic
def resource_register(
    *,
    collective: Collective,
    kind: str,
    name: str,
    area: Decimal,
    holder: str = "",
    holder_is_person: bool = False,
    term_start: dt.date | None = None,
    term_end: dt.date | None = None,
    annual_rent: Decimal | None = None,
    actor: Any,
) -> Resource:
    return _register(
        Resource,
        collective,
        {
            "kind": kind,
            "name": name,
            "area": area,
            "holder": holder,
            "holder_is_person": holder_is_person,
            "term_start": term_start,
            "term_end": term_end,
            "annual_rent": annual_rent,
        },
        fields=RESOURCE_FIELDS,
        errors_of=_resource_errors,
        actor=actor,
    )


@transaction.atomic
def resource_update(*, resource: Resource, actor: Any, **changes: Any) -> Resource:
    """Change a resource's record: a new contract holder and term, rent, area."""
    return _update(
        resource, changes, fields=RESOURCE_FIELDS, errors_of=_resource_errors, actor=actor
    )
