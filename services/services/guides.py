"""Writes of service guides (办事指南): a unit writes a guide with its materials and steps,
publishes it, keeps it true (verifies it at least once a year) and withdraws it with a
reason when the matter changes hands or ends. A guide is never deleted.

Every write checks the person may edit the guide's unit (portal.permissions), validates
everything at once with a Chinese message per field, refreshes the guide's search vector
and writes the audit row in the same transaction. The daily scan (guides_flag_stale)
marks published guides not verified for a year so their unit sees them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure import search
from portal import hierarchy
from portal.models import AuditAction, Region
from portal.permissions import Action, can
from portal.services.audit import audit_record, diff, snapshot
from portal.services.errors import Conflict, NotAllowed
from services.models import (
    GuideCategory,
    GuideMaterial,
    GuideStatus,
    GuideStep,
    MaterialForm,
    ServiceGuide,
    ServiceTier,
)
from services.selectors.guides import stale_cutoff

# The fields of a guide its unit writes (guide_create / guide_update).
EDITABLE_FIELDS = (
    "region",
    "name",
    "category",
    "lowest_tier",
    "applicants",
    "conditions",
    "legal_limit_days",
    "promised_limit_days",
    "fees",
    "office_address",
    "office_hours",
    "phone",
    "online_url",
    "legal_basis",
)
MAX_TEXT = 5000
MAX_DAYS = 365
MAX_COPIES = 99
MAX_ROWS = 50
_PHONE = re.compile(r"^[0-9０-９+\-－ ()（）转、/]{3,40}$")
_URL = URLValidator(schemes=["http", "https"])

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _text(value: Any) -> str:
    return str(value or "").strip()


def _max_length(field: str) -> int:
    return ServiceGuide._meta.get_field(field).max_length


# --- Validation ----------------------------------------------------------------------


def _days(errors: Errors, field: str, value: Any, label: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        value = None
    try:
        days = int(str(value).strip()) if value is not None else None
    except ValueError:
        days = None
    if days is None or not 0 <= days <= MAX_DAYS:
        _add(
            errors,
            field,
            _("%(label)s应为0到%(max)d之间的整数（工作日）。") % {"label": label, "max": MAX_DAYS},
        )
        return None
    return days


def _required_text(
    errors: Errors, values: dict[str, Any], field: str, missing: str, *, limit: int
) -> None:
    value = _text(values.get(field))
    values[field] = value
    if not value:
        _add(errors, field, missing)
    elif len(value) > limit:
        _add(errors, field, _("不能超过%(n)d个字。") % {"n": limit})


def _optional_text(errors: Errors, values: dict[str, Any], field: str, *, limit: int) -> None:
    value = _text(values.get(field))
    values[field] = value
    if len(value) > limit:
        _add(errors, field, _("不能超过%(n)d个字。") % {"n": limit})


def _check_region(errors: Errors, unit: Any, region: Any) -> Region | None:
    """The place a guide applies in: the unit's own place or a place inside it."""
    if region is None or region == "":
        return unit.region
    if not isinstance(region, Region):
        region = Region.objects.filter(code=_text(region)).first()
        if region is None:
            _add(errors, "region", _("没有这个行政区划。"))
            return None
    if not hierarchy.is_within(region.code, unit.region_id):
        _add(
            errors,
            "region",
            _("适用地区应为%(place)s或其下辖地区。") % {"place": unit.region.name},
        )
        return None
    return region


def _guide_errors(unit: Any, values: dict[str, Any]) -> Errors:
    """Check and normalise `values` (the EDITABLE_FIELDS) in place; the errors by field."""
    errors: Errors = {}
    values["region"] = _check_region(errors, unit, values.get("region"))
    _required_text(errors, values, "name", _("请填写事项名称。"), limit=_max_length("name"))
    if values.get("category") not in GuideCategory.values:
        _add(errors, "category", _("请选择服务类别。"))
    if values.get("lowest_tier") not in ServiceTier.values:
        _add(errors, "lowest_tier", _("请选择最低可办层级。"))
    _required_text(errors, values, "applicants", _("请填写申请对象。"), limit=MAX_TEXT)
    _optional_text(errors, values, "conditions", limit=MAX_TEXT)
    legal = _days(errors, "legal_limit_days", values.get("legal_limit_days"), _("法定办结时限"))
    promised = _days(
        errors, "promised_limit_days", values.get("promised_limit_days"), _("承诺办结时限")
    )
    values["legal_limit_days"], values["promised_limit_days"] = legal, promised
    if legal is not None and promised is not None and promised > legal:
        _add(
            errors,
            "promised_limit_days",
            _("承诺办结时限（%(promised)d个工作日）不能长于法定办结时限（%(legal)d个工作日）。")
            % {"promised": promised, "legal": legal},
        )
    values["fees"] = _text(values.get("fees")) or _("不收费")
    if len(values["fees"]) > _max_length("fees"):
        _add(errors, "fees", _("不能超过%(n)d个字。") % {"n": _max_length("fees")})
    _required_text(
        errors,
        values,
        "office_address",
        _("请填写办理地点。"),
        limit=_max_length("office_address"),
    )
    _required_text(
        errors, values, "office_hours", _("请填写办理时间。"), limit=_max_length("office_hours")
    )
    _required_text(errors, values, "phone", _("请填写咨询电话。"), limit=_max_length("phone"))
    if values["phone"] and "phone" not in errors and not _PHONE.match(values["phone"]):
        _add(errors, "phone", _("咨询电话只能包含数字、“-”和空格，例如 028-82512345。"))
    _optional_text(errors, values, "online_url", limit=_max_length("online_url"))
    if values["online_url"] and "online_url" not in errors:
        try:
            _URL(values["online_url"])
        except ValidationError:
            _add(
                errors,
                "online_url",
                _("网上办理地址应为以 http:// 或 https:// 开头的网址。"),
            )
    _optional_text(errors, values, "legal_basis", limit=MAX_TEXT)
    return errors


def _row_value(row: Any, name: str, default: Any = "") -> Any:
    if isinstance(row, Mapping):
        return row.get(name, default)
    return getattr(row, name, default)


def _clean_materials(errors: Errors, materials: Any) -> list[GuideMaterial]:
    """GuideMaterial rows (unsaved) from mappings of name, form, copies, note."""
    rows: list[GuideMaterial] = []
    if not isinstance(materials, Iterable) or isinstance(materials, str | bytes | Mapping):
        _add(errors, "materials", _("申请材料格式无效。"))
        return rows
    materials = list(materials)
    if len(materials) > MAX_ROWS:
        _add(errors, "materials", _("申请材料不能超过%(n)d项。") % {"n": MAX_ROWS})
        return rows
    for number, row in enumerate(materials, start=1):
        name = _text(_row_value(row, "name"))
        form = _row_value(row, "form") or MaterialForm.ORIGINAL
        copies = _row_value(row, "copies", 1)
        note = _text(_row_value(row, "note"))
        where = {"n": number}
        if not name:
            _add(errors, "materials", _("第%(n)d项材料：请填写材料名称。") % where)
        elif len(name) > GuideMaterial._meta.get_field("name").max_length:
            _add(errors, "materials", _("第%(n)d项材料：材料名称过长。") % where)
        if form not in MaterialForm.values:
            _add(errors, "materials", _("第%(n)d项材料：请选择材料形式。") % where)
        try:
            copies = int(copies if copies not in (None, "") else 1)
        except (TypeError, ValueError):
            copies = 0
        if not 1 <= copies <= MAX_COPIES:
            _add(
                errors,
                "materials",
                _("第%(n)d项材料：份数应为1到%(max)d之间的整数。") % {**where, "max": MAX_COPIES},
            )
        if len(note) > GuideMaterial._meta.get_field("note").max_length:
            _add(errors, "materials", _("第%(n)d项材料：备注过长。") % where)
        rows.append(GuideMaterial(position=number, name=name, form=form, copies=copies, note=note))
    return rows


def _clean_steps(errors: Errors, steps: Any) -> list[GuideStep]:
    """GuideStep rows (unsaved) from mappings of title and description."""
    rows: list[GuideStep] = []
    if not isinstance(steps, Iterable) or isinstance(steps, str | bytes | Mapping):
        _add(errors, "steps", _("办理流程格式无效。"))
        return rows
    steps = list(steps)
    if len(steps) > MAX_ROWS:
        _add(errors, "steps", _("办理流程不能超过%(n)d步。") % {"n": MAX_ROWS})
        return rows
    for number, row in enumerate(steps, start=1):
        title = _text(_row_value(row, "title"))
        description = _text(_row_value(row, "description"))
        if not title:
            _add(errors, "steps", _("第%(n)d步：请填写环节名称。") % {"n": number})
        elif len(title) > GuideStep._meta.get_field("title").max_length:
            _add(errors, "steps", _("第%(n)d步：环节名称过长。") % {"n": number})
        if len(description) > MAX_TEXT:
            _add(
                errors,
                "steps",
                _("第%(n)d步：说明不能超过%(max)d个字。") % {"n": number, "max": MAX_TEXT},
            )
        rows.append(GuideStep(position=number, title=title, description=description))
    return rows


def _check_verified_on(errors: Errors, value: Any, today: dt.date) -> dt.date:
    if value is None:
        return today
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        _add(errors, "verified_on", _("请填写核验日期。"))
        return today
    if value > today:
        _add(errors, "verified_on", _("核验日期不能晚于今天。"))
    return value


# --- Helpers -------------------------------------------------------------------------


def _require_editor(actor: Any, unit: Any) -> None:
    if unit is None or not can(actor, Action.EDIT, unit):
        raise NotAllowed(_("您不能编辑该单位的办事指南。"))


def _locked(guide: ServiceGuide) -> ServiceGuide:
    return (
        ServiceGuide.objects.select_for_update().select_related("unit", "region").get(pk=guide.pk)
    )


def _write_rows(guide: ServiceGuide, materials: list | None, steps: list | None) -> None:
    if materials is not None:
        guide.materials.all().delete()
        for row in materials:
            row.guide = guide
        GuideMaterial.objects.bulk_create(materials)
    if steps is not None:
        guide.steps.all().delete()
        for row in steps:
            row.guide = guide
        GuideStep.objects.bulk_create(steps)


def _rows_snapshot(guide: ServiceGuide) -> dict[str, Any]:
    return {
        "materials": [
            [m.name, m.form, m.copies, m.note] for m in guide.materials.order_by("position", "id")
        ],
        "steps": [[s.title, s.description] for s in guide.steps.order_by("position", "id")],
    }


def search_text(guide: ServiceGuide) -> tuple[str, str, str]:
    """(title, body, extra) indexed for the guide: its name; who may apply, the
    conditions, the materials and the steps; the legal basis."""
    materials = guide.materials.order_by("position", "id")
    steps = guide.steps.order_by("position", "id")
    body = search.joined(
        [
            guide.applicants,
            guide.conditions,
            *(f"{m.name} {m.note}" for m in materials),
            *(f"{s.title} {s.description}" for s in steps),
        ]
    )
    return guide.name, body, guide.legal_basis


def refresh_search(guide: ServiceGuide) -> None:
    title, body, extra = search_text(guide)
    ServiceGuide.objects.filter(pk=guide.pk).update(
        search_vector=search.vector_expression(title, body, extra)
    )


# --- Writes --------------------------------------------------------------------------


@transaction.atomic
def guide_create(
    *,
    unit: Any,
    name: str,
    category: str,
    lowest_tier: str,
    applicants: str,
    office_address: str,
    office_hours: str,
    phone: str,
    actor: Any,
    region: Region | str | None = None,
    conditions: str = "",
    legal_limit_days: int | None = None,
    promised_limit_days: int | None = None,
    fees: str = "",
    online_url: str = "",
    legal_basis: str = "",
    materials: Iterable[Mapping[str, Any]] = (),
    steps: Iterable[Mapping[str, Any]] = (),
    verified_on: dt.date | None = None,
) -> ServiceGuide:
    """A draft guide of `unit`, applying in `region` (the unit's place when None; a
    place inside it otherwise) with its materials ({name, form, copies, note}) and steps
    ({title, description}) in order."""
    _require_editor(actor, unit)
    values: dict[str, Any] = {
        "region": region,
        "name": name,
        "category": category,
        "lowest_tier": lowest_tier,
        "applicants": applicants,
        "conditions": conditions,
        "legal_limit_days": legal_limit_days,
        "promised_limit_days": promised_limit_days,
        "fees": fees,
        "office_address": office_address,
        "office_hours": office_hours,
        "phone": phone,
        "online_url": online_url,
        "legal_basis": legal_basis,
    }
    errors = _guide_errors(unit, values)
    material_rows = _clean_materials(errors, materials)
    step_rows = _clean_steps(errors, steps)
    verified = _check_verified_on(errors, verified_on, timezone.localdate())
    if errors:
        raise ValidationError(errors)
    guide = ServiceGuide.objects.create(
        unit=unit, verified_on=verified, created_by=actor, status=GuideStatus.DRAFT, **values
    )
    _write_rows(guide, material_rows, step_rows)
    refresh_search(guide)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=guide,
        changes=diff({}, {**snapshot(guide, list(EDITABLE_FIELDS)), **_rows_snapshot(guide)}),
    )
    return guide


@transaction.atomic
def guide_update(
    *,
    guide: ServiceGuide,
    actor: Any,
    materials: Iterable[Mapping[str, Any]] | None = None,
    steps: Iterable[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> ServiceGuide:
    """Change a draft or published guide: any of EDITABLE_FIELDS; `materials` and
    `steps` replace the guide's rows when given (None keeps them)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"guide_update() got unexpected fields: {sorted(unknown)}")
    _require_editor(actor, guide.unit)
    guide = _locked(guide)
    if guide.status == GuideStatus.WITHDRAWN:
        raise Conflict(_("已撤回的办事指南不能再修改。"))
    values = {name: getattr(guide, name) for name in EDITABLE_FIELDS}
    values.update(fields)
    errors = _guide_errors(guide.unit, values)
    material_rows = _clean_materials(errors, materials) if materials is not None else None
    step_rows = _clean_steps(errors, steps) if steps is not None else None
    if guide.status == GuideStatus.PUBLISHED and step_rows == []:
        _add(errors, "steps", _("已发布的办事指南至少要有一个办理步骤。"))
    if errors:
        raise ValidationError(errors)
    before = {**snapshot(guide, list(EDITABLE_FIELDS)), **_rows_snapshot(guide)}
    for name, value in values.items():
        setattr(guide, name, value)
    guide.save()
    _write_rows(guide, material_rows, step_rows)
    refresh_search(guide)
    changes = diff(before, {**snapshot(guide, list(EDITABLE_FIELDS)), **_rows_snapshot(guide)})
    if changes:
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=guide, changes=changes)
    return guide


@transaction.atomic
def guide_publish(
    *, guide: ServiceGuide, actor: Any, now: dt.datetime | None = None
) -> ServiceGuide:
    """A draft goes public; it needs at least one step."""
    _require_editor(actor, guide.unit)
    guide = _locked(guide)
    if guide.status != GuideStatus.DRAFT:
        raise Conflict(
            _("只有草稿可以发布（当前：%(status)s）。") % {"status": guide.get_status_display()}
        )
    if not guide.steps.exists():
        raise ValidationError({"steps": [_("发布前请至少填写一个办理步骤。")]})
    now = now or timezone.now()
    guide.status = GuideStatus.PUBLISHED
    guide.published_at = now
    # A guide published with an old verification date is flagged at once.
    guide.stale_since = now if guide.verified_on < stale_cutoff(timezone.localdate(now)) else None
    guide.save(update_fields=["status", "published_at", "stale_since", "updated_at"])
    refresh_search(guide)
    audit_record(
        actor=actor,
        action=AuditAction.PUBLISH,
        obj=guide,
        changes={"status": [GuideStatus.DRAFT, GuideStatus.PUBLISHED]},
    )
    return guide


@transaction.atomic
def guide_withdraw(
    *, guide: ServiceGuide, reason: str, actor: Any, now: dt.datetime | None = None
) -> ServiceGuide:
    """A published guide leaves the public pages; the reason stays on record."""
    _require_editor(actor, guide.unit)
    reason = _text(reason)
    limit = _max_length("withdraw_reason")
    if not reason:
        raise ValidationError({"withdraw_reason": [_("请填写撤回原因。")]})
    if len(reason) > limit:
        raise ValidationError({"withdraw_reason": [_("不能超过%(n)d个字。") % {"n": limit}]})
    guide = _locked(guide)
    if guide.status != GuideStatus.PUBLISHED:
        raise Conflict(
            _("只有已发布的办事指南可以撤回（当前：%(status)s）。")
            % {"status": guide.get_status_display()}
        )
    guide.status = GuideStatus.WITHDRAWN
    guide.withdrawn_at = now or timezone.now()
    guide.withdraw_reason = reason
    guide.stale_since = None
    guide.save(
        update_fields=["status", "withdrawn_at", "withdraw_reason", "stale_since", "updated_at"]
    )
    audit_record(
        actor=actor,
        action=AuditAction.WITHDRAW,
        obj=guide,
        changes={"status": [GuideStatus.PUBLISHED, GuideStatus.WITHDRAWN]},
        note=reason,
    )
    return guide


@transaction.atomic
def guide_verify(*, guide: ServiceGuide, actor: Any, today: dt.date | None = None) -> ServiceGuide:
    """The unit confirms the guide is still true today: verified_on is today and the
    stale flag goes."""
    _require_editor(actor, guide.unit)
    guide = _locked(guide)
    if guide.status == GuideStatus.WITHDRAWN:
        raise Conflict(_("已撤回的办事指南不需要核验。"))
    today = today or timezone.localdate()
    before = guide.verified_on
    guide.verified_on = today
    guide.stale_since = None
    guide.save(update_fields=["verified_on", "stale_since", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.VERIFY,
        obj=guide,
        changes={"verified_on": [str(before), str(today)]},
    )
    return guide


def guides_flag_stale(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Flag published guides not verified for a year, clear the flag of the others;
    (flagged, cleared). Two conditional UPDATEs: running it twice changes nothing more,
    and a flag keeps the time it was first raised. A derived marker, not a person's
    change, so no audit row."""
    now = now or timezone.now()
    cutoff = stale_cutoff(timezone.localdate(now))
    with transaction.atomic():
        flagged = ServiceGuide.objects.filter(
            status=GuideStatus.PUBLISHED, verified_on__lt=cutoff, stale_since__isnull=True
        ).update(stale_since=now)
        cleared = (
            ServiceGuide.objects.filter(stale_since__isnull=False)
            .filter(Q(verified_on__gte=cutoff) | ~Q(status=GuideStatus.PUBLISHED))
            .update(stale_since=None)
        )
    return flagged, cleared
