"""What the writes of every stage share: input checks that collect errors per field,
the project's lock, the permission and stage guards, and the move to a new stage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from funds.models import FundProject, ProjectStage, Stage
from funds.permissions import can_run_project, can_supervise_project
from portal.services.errors import Conflict, NotAllowed

# Published records are written in the portal's language, whatever the official's.
RECORD_LANGUAGE = "zh-hans"
MAX_TEXT = 5000
# Amounts are yuan with fen: below the columns' 14 digits, two of them decimals.
MAX_AMOUNT = Decimal("999999999999.99")
CENT = Decimal("0.01")

Errors = dict[str, list[str]]


# --- Input ---------------------------------------------------------------------------


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def _shortened(text: str, room: int) -> str:
    return text if len(text) <= room else text[: room - 1] + "…"


def amount_of(value: Any) -> Decimal | None:
    """A positive sum of yuan with at most two decimals, or None when it is not one."""
    if value is None or isinstance(value, bool | float):
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        return None
    if amount != amount.quantize(CENT):
        return None
    return amount.quantize(CENT)


def _check_amount(errors: Errors, field: str, value: Any, label: str) -> Decimal | None:
    amount = amount_of(value)
    if amount is None:
        if value in (None, ""):
            _add(errors, field, _("请填写%(label)s。") % {"label": label})
        else:
            _add(
                errors,
                field,
                _("%(label)s应为大于0的金额（元），最多两位小数。") % {"label": label},
            )
    return amount


def _text(value: Any) -> str:
    return str(value or "").strip()


def _clean_note(note: Any) -> str:
    """An official's optional note on a stage, published with it."""
    note = _text(note)
    if len(note) > MAX_TEXT:
        raise ValidationError({"note": [_("说明不能超过%(n)d个字。") % {"n": MAX_TEXT}]})
    return note


def _approved_on(project: FundProject) -> dt.date | None:
    reached = (
        ProjectStage.objects.filter(project=project, stage=Stage.APPROVED)
        .values_list("reached_at", flat=True)
        .first()
    )
    return timezone.localdate(reached) if reached else None


def _check_day(
    errors: Errors,
    field: str,
    day: dt.date | None,
    *,
    project: FundProject,
    now: dt.datetime,
    missing: str,
    future: str,
    early: str,
) -> None:
    """A day something happened to the project (a payment, an inspection): given, not
    after today and not before the approval. `early` names the approval's %(date)s."""
    if day is None:
        _add(errors, field, missing)
    elif day > timezone.localdate(now):
        _add(errors, field, future)
    else:
        approved_on = _approved_on(project)
        if approved_on is not None and day < approved_on:
            _add(errors, field, early % {"date": approved_on.isoformat()})


# --- The project row, who may act and at which stage ----------------------------------


def _locked(project: FundProject) -> FundProject:
    return (
        FundProject.objects.select_for_update(of=("self",))
        .select_related("unit", "region")
        .get(pk=project.pk)
    )


def _require_runner(actor: Any, project_or_unit: Any) -> None:
    if not can_run_project(actor, project_or_unit):
        raise NotAllowed(_("只有本村（社区）居（村）民委员会的工作人员可以办理该项目。"))


def _require_supervisor(actor: Any, project: FundProject) -> None:
    if not can_supervise_project(actor, project):
        raise NotAllowed(_("只有项目所在乡镇（街道）的工作人员可以办理此事项。"))


def _stage_conflict(project: FundProject, wanted: Iterable[str]) -> Conflict:
    labels = "、".join(str(Stage(stage).label) for stage in wanted)
    return Conflict(
        _("项目当前处于“%(stage)s”阶段，此操作只能在“%(wanted)s”阶段办理。")
        % {"stage": project.get_stage_display(), "wanted": labels}
    )


def _require_stage(project: FundProject, *stages: str) -> None:
    if project.stage not in stages:
        raise _stage_conflict(project, stages)


def _reach(
    project: FundProject, stage: str, *, actor: Any, now: dt.datetime, note: str = ""
) -> ProjectStage:
    """Move a locked project to `stage` and record the moment (one row per stage)."""
    project.stage = stage
    project.stage_since = now
    project.save(update_fields=["stage", "stage_since"])
    return ProjectStage.objects.create(
        project=project,
        stage=stage,
        reached_at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )
