"""Writes of the approval bureau (行政审批局): its catalog of matters concentrated from the
departments, its published commitment scheme (承诺制) and the public progress of the
investment projects under it.

Only the bureau's own officials write here (services.selectors.approvals.
can_manage_bureau). Every function checks its input field by field and says what is
wrong in words, takes the row it changes under lock, and writes the audit row in the same
transaction. A matter is never deleted: it is deactivated, and can be brought back.

A project moves one stage at a time, 已承诺 → 开工建设 → 竣工验收, each with the day it
happened: not after today and not before the day of the stage before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import hierarchy
from portal.models import AuditAction, Region, Unit, UnitKind
from portal.services.audit import audit_record, diff, snapshot
from portal.services.errors import Conflict, NotAllowed
from services.models import (
    ApprovalMatter,
    CommitmentProject,
    CommitmentScheme,
    CommitmentStage,
    GuideStatus,
    MatterType,
    ServiceGuide,
)
from services.selectors.approvals import STAGE_DATE, can_manage_bureau, is_bureau, next_stage

Errors = dict[str, list[str]]

# Limits are working days; a year of them is the most any law sets for these matters.
MAX_LIMIT_DAYS = 365
MAX_MATERIALS = 100
MAX_MATERIAL_LINE = 200
MAX_STEPS = 50
MAX_STEP_LINE = 300
MAX_STANDARDS = 20000
MAX_NOTE = 300
# The matter fields matter_update changes.
MATTER_FIELDS = (
    "department",
    "code",
    "name",
    "matter_type",
    "legal_limit_days",
    "promised_limit_days",
    "fees",
    "materials",
    "guide",
)
# The project fields project_update changes; the stage and its dates move only through
# project_advance.
PROJECT_FIELDS = ("name", "investor", "investment", "region", "committed_on", "is_public")
# 总投资（万元）: 12 digits, two of them decimals.
MAX_INVESTMENT = Decimal("9999999999.99")
CENT = Decimal("0.01")


def _max_length(model: Any, name: str) -> int:
    return model._meta.get_field(name).max_length


# --- Input -------------------------------------------------------------------------------


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _text(value: Any) -> str:
    return str(value or "").strip()


def _check_text(
    errors: Errors, field: str, value: Any, *, label: str, limit: int, required: bool = True
) -> str:
    text = _text(value)
    if required and not text:
        _add(errors, field, _("请填写%(label)s。") % {"label": label})
    elif len(text) > limit:
        _add(errors, field, _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": limit})
    return text


def _lines(value: Any) -> list[str]:
    """Lines of a text (or the items of a list), trimmed, blank ones dropped."""
    if isinstance(value, str) or value is None:
        items: Iterable[Any] = (value or "").splitlines()
    else:
        items = value
    return [str(item).strip() for item in items if str(item or "").strip()]


def _check_lines(
    errors: Errors,
    field: str,
    value: Any,
    *,
    label: str,
    most: int,
    longest: int,
) -> str:
    """A list kept one item a line: at least one, at most `most`, none too long."""
    lines = _lines(value)
    if not lines:
        _add(errors, field, _("请填写%(label)s，每行一项。") % {"label": label})
    elif len(lines) > most:
        _add(errors, field, _("%(label)s最多%(n)d项。") % {"label": label, "n": most})
    for number, line in enumerate(lines, start=1):
        if len(line) > longest:
            _add(
                errors,
                field,
                _("%(label)s第%(line)d项不能超过%(n)d个字。")
                % {"label": label, "line": number, "n": longest},
            )
    return "\n".join(lines)


def _days(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            return None
    if isinstance(value, int | str):
        number = int(value)
        return number if 0 <= number <= MAX_LIMIT_DAYS else None
    return None


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_text(value))
    except ValueError:
        return None


def _investment(value: Any) -> Decimal | None:
    """A positive sum of 万元 with at most two decimals, or None."""
    if value is None or isinstance(value, bool | float):
        return None
    try:
        amount = Decimal(_text(value))
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount <= 0 or amount > MAX_INVESTMENT:
        return None
    if amount != amount.quantize(CENT):
        return None
    return amount.quantize(CENT)


# --- Who may --------------------------------------------------------------------------


def _require_bureau(bureau: Any) -> Unit:
    if not isinstance(bureau, Unit) or not is_bureau(bureau):
        raise ValidationError({"bureau": [_("请选择行政审批局（部门职能为“行政审批”的单位）。")]})
    return bureau


def _require_manager(actor: Any, bureau: Unit) -> None:
    if not can_manage_bureau(actor, bureau):
        raise NotAllowed(_("只有本行政审批局的工作人员可以办理此事项。"))


# --- Approval matters -------------------------------------------------------------------


def _matter_errors(
    *,
    bureau: Unit,
    values: dict[str, Any],
    matter: ApprovalMatter | None,
) -> tuple[Errors, dict[str, Any]]:
    """Check every field of a matter; return the errors and the cleaned values."""
    errors: Errors = {}
    clean: dict[str, Any] = {}
    department = values.get("department")
    if not isinstance(department, Unit):
        _add(errors, "department", _("请选择原职能部门。"))
    elif (
        department.kind != UnitKind.DEPARTMENT
        or department.region_id != bureau.region_id
        or not department.is_active
    ):
        _add(
            errors,
            "department",
            _("原职能部门应为%(place)s在用的政府工作部门。") % {"place": bureau.region.name},
        )
    clean["department"] = department
    clean["code"] = _check_text(
        errors,
        "code",
        values.get("code"),
        label=_("事项编码"),
        limit=_max_length(ApprovalMatter, "code"),
        required=False,
    )
    clean["name"] = _check_text(
        errors,
        "name",
        values.get("name"),
        label=_("事项名称"),
        limit=_max_length(ApprovalMatter, "name"),
    )
    matter_type = values.get("matter_type")
    if matter_type not in MatterType.values:
        _add(errors, "matter_type", _("请选择事项类型。"))
    clean["matter_type"] = matter_type
    legal = _days(values.get("legal_limit_days"))
    promised = _days(values.get("promised_limit_days"))
    for name, number, label in (
        ("legal_limit_days", legal, _("法定时限")),
        ("promised_limit_days", promised, _("承诺时限")),
    ):
        if number is None:
            _add(
                errors,
                name,
                _("%(label)s应为0到%(n)d之间的整数（工作日；0表示即办）。")
                % {"label": label, "n": MAX_LIMIT_DAYS},
            )
    if legal is not None and promised is not None and promised > legal:
        _add(
            errors,
            "promised_limit_days",
            _("承诺时限（%(promised)d个工作日）不能长于法定时限（%(legal)d个工作日）。")
            % {"promised": promised, "legal": legal},
        )
    clean["legal_limit_days"], clean["promised_limit_days"] = legal, promised
    fees = _check_text(
        errors,
        "fees",
        values.get("fees"),
        label=_("收费标准"),
        limit=_max_length(ApprovalMatter, "fees"),
        required=False,
    )
    clean["fees"] = fees or _("不收费")
    clean["materials"] = _check_lines(
        errors,
        "materials",
        values.get("materials"),
        label=_("申请材料"),
        most=MAX_MATERIALS,
        longest=MAX_MATERIAL_LINE,
    )
    guide = values.get("guide")
    if guide is not None and (
        not isinstance(guide, ServiceGuide) or guide.status != GuideStatus.PUBLISHED
    ):
        _add(errors, "guide", _("只能关联已发布的办事指南。"))
    clean["guide"] = guide
    if "name" not in errors and "department" not in errors:
        same = ApprovalMatter.objects.filter(
            bureau=bureau, department=department, name=clean["name"]
        )
        if matter is not None:
            same = same.exclude(pk=matter.pk)
        if same.exists():
            errors.update(_duplicate(department, clean["name"]).message_dict)
    return errors, clean


def _duplicate(department: Unit, name: str) -> ValidationError:
    return ValidationError(
        {
            "name": [
                _("%(department)s已有名为“%(name)s”的事项。")
                % {"department": department.name, "name": name}
            ]
        }
    )


@transaction.atomic
def matter_create(
    *,
    bureau: Unit,
    department: Unit,
    name: str,
    matter_type: str,
    legal_limit_days: int,
    promised_limit_days: int,
    materials: str | list[str],
    fees: str = "",
    code: str = "",
    guide: ServiceGuide | None = None,
    actor: Any,
) -> ApprovalMatter:
    """Add a matter to the bureau's catalog, in use from now on."""
    bureau = _require_bureau(bureau)
    _require_manager(actor, bureau)
    errors, clean = _matter_errors(
        bureau=bureau,
        values={
            "department": department,
            "code": code,
            "name": name,
            "matter_type": matter_type,
            "legal_limit_days": legal_limit_days,
            "promised_limit_days": promised_limit_days,
            "fees": fees,
            "materials": materials,
            "guide": guide,
        },
        matter=None,
    )
    _raise_if(errors)
    try:
        with transaction.atomic():
            matter = ApprovalMatter.objects.create(
                bureau=bureau, region_id=bureau.region_id, **clean
            )
    except IntegrityError:
        # The same name was added for the department meanwhile (matter_unique_per_department).
        raise _duplicate(clean["department"], clean["name"]) from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=matter,
        unit=bureau,
        changes=diff({}, snapshot(matter)),
    )
    return matter


def _locked_matter(matter: ApprovalMatter) -> ApprovalMatter:
    return (
        ApprovalMatter.objects.select_for_update(of=("self",))
        .select_related("bureau", "bureau__region", "department")
        .get(pk=matter.pk)
    )


@transaction.atomic
def matter_update(*, matter: ApprovalMatter, actor: Any, **changes: Any) -> ApprovalMatter:
    """Change a matter in use: any of MATTER_FIELDS; the others keep their value."""
    unknown = set(changes) - set(MATTER_FIELDS)
    if unknown:
        raise TypeError(f"matter_update() got unexpected fields: {sorted(unknown)}")
    matter = _locked_matter(matter)
    _require_manager(actor, matter.bureau)
    if not matter.is_active:
        raise Conflict(_("该事项已停用，请先恢复在办再修改。"))
    before = snapshot(matter)
    values = {name: getattr(matter, name) for name in MATTER_FIELDS}
    values.update(changes)
    errors, clean = _matter_errors(bureau=matter.bureau, values=values, matter=matter)
    _raise_if(errors)
    for name, value in clean.items():
        setattr(matter, name, value)
    try:
        with transaction.atomic():
            matter.save()
    except IntegrityError:
        raise _duplicate(clean["department"], clean["name"]) from None
    changed = diff(before, snapshot(matter))
    changed.pop("updated_at", None)
    if changed:
        audit_record(
            actor=actor, action=AuditAction.CHANGE, obj=matter, unit=matter.bureau, changes=changed
        )
    return matter


def _clean_note(note: Any) -> str:
    note = _text(note)
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": [_("说明不能超过%(n)d个字。") % {"n": MAX_NOTE}]})
    return note


@transaction.atomic
def matter_deactivate(*, matter: ApprovalMatter, actor: Any, note: str = "") -> ApprovalMatter:
    """Take a matter out of the catalog (取消、下放或调整): no longer shown to the public,
    kept with its history."""
    note = _clean_note(note)
    matter = _locked_matter(matter)
    _require_manager(actor, matter.bureau)
    if not matter.is_active:
        raise Conflict(_("该事项已经停用。"))
    matter.is_active = False
    matter.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.DEACTIVATE,
        obj=matter,
        unit=matter.bureau,
        changes={"is_active": [True, False]},
        note=note,
    )
    return matter


@transaction.atomic
def matter_reactivate(*, matter: ApprovalMatter, actor: Any, note: str = "") -> ApprovalMatter:
    """Bring a deactivated matter back into the catalog."""
    note = _clean_note(note)
    matter = _locked_matter(matter)
    _require_manager(actor, matter.bureau)
    if matter.is_active:
        raise Conflict(_("该事项正在办理中，无需恢复。"))
    # Its department may have been closed meanwhile: the matter must still be valid.
    values = {name: getattr(matter, name) for name in MATTER_FIELDS}
    errors, _clean = _matter_errors(bureau=matter.bureau, values=values, matter=matter)
    errors.pop("guide", None)  # a guide withdrawn since is simply not linked
    _raise_if(errors)
    if matter.guide_id and matter.guide.status != GuideStatus.PUBLISHED:
        matter.guide = None
    matter.is_active = True
    matter.save(update_fields=["is_active", "guide", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=matter,
        unit=matter.bureau,
        changes={"is_active": [False, True]},
        note=note,
    )
    return matter


# --- The commitment scheme ----------------------------------------------------------------


@transaction.atomic
def scheme_publish(
    *, bureau: Unit, title: str, standards: str, steps: str | list[str], actor: Any
) -> CommitmentScheme:
    """Publish the bureau's standards and steps of the commitment system, replacing what
    was published before (one scheme per bureau; the audit trail keeps the old text)."""
    bureau = _require_bureau(bureau)
    _require_manager(actor, bureau)
    errors: Errors = {}
    clean = {
        "title": _check_text(
            errors, "title", title, label=_("标题"), limit=_max_length(CommitmentScheme, "title")
        ),
        "standards": _check_text(
            errors, "standards", standards, label=_("承诺标准"), limit=MAX_STANDARDS
        ),
        "steps": _check_lines(
            errors, "steps", steps, label=_("办理流程"), most=MAX_STEPS, longest=MAX_STEP_LINE
        ),
    }
    _raise_if(errors)
    # The bureau's row serialises two publications of its first scheme.
    Unit.objects.select_for_update().filter(pk=bureau.pk).first()
    scheme = CommitmentScheme.objects.filter(bureau=bureau).first()
    before = snapshot(scheme) if scheme is not None else {}
    if scheme is None:
        scheme = CommitmentScheme(bureau=bureau)
    for name, value in clean.items():
        setattr(scheme, name, value)
    scheme.published_at = timezone.now()
    scheme.save()
    audit_record(
        actor=actor,
        action=AuditAction.PUBLISH,
        obj=scheme,
        unit=bureau,
        changes=diff(before, snapshot(scheme)),
    )
    return scheme


# --- Projects under the commitment system ----------------------------------------------


def _project_errors(
    *, bureau: Unit, values: dict[str, Any], project: CommitmentProject | None
) -> tuple[Errors, dict[str, Any]]:
    errors: Errors = {}
    clean: dict[str, Any] = {}
    clean["name"] = _check_text(
        errors,
        "name",
        values.get("name"),
        label=_("项目名称"),
        limit=_max_length(CommitmentProject, "name"),
    )
    clean["investor"] = _check_text(
        errors,
        "investor",
        values.get("investor"),
        label=_("建设单位"),
        limit=_max_length(CommitmentProject, "investor"),
    )
    investment = _investment(values.get("investment"))
    if investment is None:
        _add(errors, "investment", _("总投资应为大于0的金额（万元），最多两位小数。"))
    clean["investment"] = investment
    region = values.get("region")
    if not isinstance(region, Region):
        _add(errors, "region", _("请选择项目所在地。"))
    elif not region.is_active or not hierarchy.is_within(region.code, bureau.region_id):
        _add(
            errors,
            "region",
            _("项目所在地应在%(place)s范围内。") % {"place": bureau.region.name},
        )
    clean["region"] = region
    committed_on = _day(values.get("committed_on"))
    if committed_on is None:
        _add(errors, "committed_on", _("请填写承诺日期，例如 2026-03-02。"))
    elif committed_on > timezone.localdate():
        _add(errors, "committed_on", _("承诺日期不能晚于今天。"))
    elif project is not None and project.building_on and committed_on > project.building_on:
        _add(
            errors,
            "committed_on",
            _("承诺日期不能晚于开工日期（%(date)s）。") % {"date": project.building_on.isoformat()},
        )
    clean["committed_on"] = committed_on
    clean["is_public"] = bool(values.get("is_public", True))
    return errors, clean


@transaction.atomic
def project_create(
    *,
    bureau: Unit,
    region: Region,
    name: str,
    investor: str,
    investment: Decimal | str,
    committed_on: dt.date,
    is_public: bool = True,
    actor: Any,
) -> CommitmentProject:
    """Record a project whose investor has signed the commitment (已承诺)."""
    bureau = _require_bureau(bureau)
    _require_manager(actor, bureau)
    errors, clean = _project_errors(
        bureau=bureau,
        values={
            "name": name,
            "investor": investor,
            "investment": investment,
            "region": region,
            "committed_on": committed_on,
            "is_public": is_public,
        },
        project=None,
    )
    _raise_if(errors)
    project = CommitmentProject.objects.create(
        bureau=bureau, stage=CommitmentStage.COMMITTED, **clean
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=project,
        unit=bureau,
        changes=diff({}, snapshot(project)),
    )
    return project


def _locked_project(project: CommitmentProject) -> CommitmentProject:
    return (
        CommitmentProject.objects.select_for_update(of=("self",))
        .select_related("bureau", "bureau__region", "region")
        .get(pk=project.pk)
    )


@transaction.atomic
def project_update(*, project: CommitmentProject, actor: Any, **changes: Any) -> CommitmentProject:
    """Correct a project's particulars (PROJECT_FIELDS) or hide it from the public."""
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"project_update() got unexpected fields: {sorted(unknown)}")
    project = _locked_project(project)
    _require_manager(actor, project.bureau)
    before = snapshot(project)
    values = {name: getattr(project, name) for name in PROJECT_FIELDS}
    values.update(changes)
    errors, clean = _project_errors(bureau=project.bureau, values=values, project=project)
    _raise_if(errors)
    for name, value in clean.items():
        setattr(project, name, value)
    project.save()
    changed = diff(before, snapshot(project))
    changed.pop("updated_at", None)
    if changed:
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=project,
            unit=project.bureau,
            changes=changed,
        )
    return project


@transaction.atomic
def project_advance(
    *, project: CommitmentProject, stage: str, on: dt.date, actor: Any
) -> CommitmentProject:
    """Move a project to its next stage (开工建设 after 已承诺, 竣工验收 after 开工建设) on
    the day it happened. `stage` names the stage wanted, so a second official acting on
    the same page cannot move the project twice."""
    project = _locked_project(project)
    _require_manager(actor, project.bureau)
    wanted = next_stage(project)
    if wanted is None:
        raise Conflict(_("项目已竣工验收，进度已经完结。"))
    if stage != wanted:
        raise Conflict(
            _("项目当前为“%(current)s”，下一步只能是“%(next)s”。")
            % {
                "current": project.get_stage_display(),
                "next": CommitmentStage(wanted).label,
            }
        )
    day = _day(on)
    previous = getattr(project, STAGE_DATE[CommitmentStage(project.stage)])
    label = CommitmentStage(wanted).label
    if day is None:
        raise ValidationError(
            {"on": [_("请填写%(stage)s的日期，例如 2026-03-02。") % {"stage": label}]}
        )
    if day > timezone.localdate():
        raise ValidationError({"on": [_("%(stage)s的日期不能晚于今天。") % {"stage": label}]})
    if day < previous:
        raise ValidationError(
            {
                "on": [
                    _("%(stage)s的日期不能早于%(previous)s的日期（%(date)s）。")
                    % {
                        "stage": label,
                        "previous": project.get_stage_display(),
                        "date": previous.isoformat(),
                    }
                ]
            }
        )
    before = snapshot(project, ["stage", STAGE_DATE[CommitmentStage(wanted)]])
    project.stage = wanted
    setattr(project, STAGE_DATE[CommitmentStage(wanted)], day)
    project.save(update_fields=["stage", STAGE_DATE[CommitmentStage(wanted)], "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=project,
        unit=project.bureau,
        changes=diff(before, snapshot(project, list(before))),
        note=_("进度：%(stage)s") % {"stage": label},
    )
    return project
