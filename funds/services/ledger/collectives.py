"""Opening a collective's account at the township centre, and registering its members."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from funds.models import Collective, Member
from funds.permissions import can_keep_collectives
from funds.services.ledger._common import (
    _add,
    _decimal,
    _locked_collective,
    _require_booker,
    _text,
    _today,
)
from portal import hierarchy, identity
from portal.models import AuditAction, Region, Tier, Unit, UnitKind
from portal.services.audit import audit_record, diff, snapshot
from portal.services.errors import NotAllowed


@transaction.atomic
def collective_create(
    *,
    region: Region,
    group_name: str,
    name: str,
    centre: Unit,
    opened_on: dt.date,
    cash_float: Decimal,
    actor: Any,
) -> Collective:
    """Open the account of a village's (or a group's) collective at the township centre."""
    if centre is None or not can_keep_collectives(actor, centre):
        raise NotAllowed(_("只有代理记账中心的管理员可以为集体经济组织建账。"))
    errors: dict[str, list[str]] = {}
    if centre.kind != UnitKind.ACCOUNTING_CENTRE:
        _add(errors, "centre", _("请选择乡镇（街道）代理记账中心。"))
    if region is None or region.tier != Tier.VILLAGE:
        _add(errors, "region", _("请选择集体经济组织所在的村（社区）。"))
    elif centre.kind == UnitKind.ACCOUNTING_CENTRE and not hierarchy.is_within(
        region.code, centre.region_id
    ):
        _add(errors, "region", _("该村（社区）不在此代理记账中心所在的乡镇（街道）。"))
    group_name = _text(
        errors, "group_name", group_name, limit=40, label=_("村民小组"), required=False
    )
    name = _text(errors, "name", name, limit=100, label=_("名称"))
    if opened_on is None:
        _add(errors, "opened_on", _("请填写建账日期。"))
    elif opened_on > _today():
        _add(errors, "opened_on", _("建账日期不能晚于今天。"))
    amount = _decimal(errors, "cash_float", cash_float, label=_("备用金限额"))
    if amount is not None and amount < 0:
        _add(errors, "cash_float", _("备用金限额不能为负数。"))
    if (
        "region" not in errors
        and Collective.objects.filter(region=region, group_name=group_name).exists()
    ):
        _add(errors, "group_name", _("该村（组）的集体经济组织已经建账。"))
    if errors:
        raise ValidationError(errors)
    collective = Collective.objects.create(
        region=region,
        group_name=group_name,
        name=name,
        centre=centre,
        opened_on=opened_on,
        cash_float=amount,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=collective,
        unit=centre,
        changes=diff({}, snapshot(collective)),
    )
    return collective


@transaction.atomic
def member_register(
    *,
    collective: Collective,
    real_name: str,
    id_number: str,
    group_name: str,
    registered_on: dt.date,
    actor: Any,
) -> Member:
    """Register a confirmed member. The ID number is kept only as a keyed hash (to match a
    member asking to see vouchers) and a mask."""
    collective = _locked_collective(collective)
    _require_booker(actor, collective)
    errors: dict[str, list[str]] = {}
    real_name = _text(errors, "real_name", real_name, limit=40, label=_("姓名"))
    group_name = _text(
        errors, "group_name", group_name, limit=40, label=_("村民小组"), required=False
    )
    number = ""
    try:
        number = identity.validate_id_number(id_number)
    except ValidationError as exc:
        errors.setdefault("id_number", []).extend(exc.messages)
    if registered_on is None:
        _add(errors, "registered_on", _("请填写确认日期。"))
    elif registered_on > _today():
        _add(errors, "registered_on", _("确认日期不能晚于今天。"))
    digest = identity.id_number_hash(number) if number else ""
    if digest and Member.objects.filter(collective=collective, id_number_hash=digest).exists():
        _add(errors, "id_number", _("该身份证号码已经登记为本集体经济组织成员。"))
    if errors:
        raise ValidationError(errors)
    member = Member.objects.create(
        collective=collective,
        real_name=real_name,
        id_number_hash=digest,
        id_number_masked=identity.mask_id_number(number),
        group_name=group_name,
        registered_on=registered_on,
    )
    # The trail names the member by masks only.
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=member,
        unit=collective.centre,
        changes={
            "real_name": [None, identity.mask_name(real_name)],
            "id_number_masked": [None, member.id_number_masked],
            "registered_on": [None, str(registered_on)],
        },
    )
    return member
