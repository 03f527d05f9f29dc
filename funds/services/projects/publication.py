"""Publication of a project: each stage reached becomes a record of the village's
standard catalog (立项公示 …) through the disclosure services, and documents (the
decision, the approval notice, the acceptance report …) are attached to its stages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.translation import gettext as _

from disclosure import catalogs
from disclosure import services as disclosure
from disclosure.models import CatalogItem, RecordStatus
from funds.models import FundProject, ProjectStage, Stage, StageDocument, VillageAllocation
from funds.permissions import can_run_project, can_supervise_project
from funds.selectors.projects import payee_public
from funds.services.projects._common import (
    RECORD_LANGUAGE,
    Errors,
    _add,
    _locked,
    _raise_if,
    _require_runner,
    _shortened,
    _text,
    _yuan,
)
from portal import uploads as files
from portal.models import AuditAction
from portal.services.audit import audit_record
from portal.services.errors import Conflict, DomainError, NotAllowed

# The village catalog items the stages are published under (disclosure/catalogs/village.yaml).
PROPOSAL_ITEM = "村级公共服务和社会管理专项资金项目议决"
DELIVERY_ITEM = "专项资金项目实施、验收和群众评议"
PROPOSAL_STAGES = (Stage.PROPOSED, Stage.APPROVED)
MAX_DOCUMENT_TITLE = StageDocument._meta.get_field("title").max_length


def _catalog_item(project: FundProject, stage: str) -> CatalogItem:
    if stage == Stage.CANCELLED:
        approved = project.stages.filter(stage=Stage.APPROVED).exists()
        level2 = DELIVERY_ITEM if approved else PROPOSAL_ITEM
    else:
        level2 = PROPOSAL_ITEM if stage in PROPOSAL_STAGES else DELIVERY_ITEM
    item = catalogs.items_for_unit(project.unit).filter(level2=level2).first()
    if item is None:
        raise DomainError(_("本单位的标准目录中没有“%(item)s”事项，无法公开。") % {"item": level2})
    return item


def record_title(project: FundProject, stage: str) -> str:
    """The title of a stage's record, the project's name shortened to fit 200 characters."""
    patterns = {
        Stage.PROPOSED: _("关于%(name)s的项目议决公示"),
        Stage.APPROVED: _("关于%(name)s的立项公示"),
        Stage.IMPLEMENTING: _("%(name)s实施和资金拨付情况公示"),
        Stage.ACCEPTED: _("%(name)s验收结果公示"),
        Stage.EVALUATED: _("%(name)s群众评议结果公示"),
        Stage.CLOSED: _("%(name)s结项公示"),
        Stage.CANCELLED: _("关于撤销%(name)s的公示"),
    }
    pattern = patterns[Stage(stage)]
    room = 200 - len(pattern % {"name": ""})
    return pattern % {"name": _shortened(project.name, room)}


def _in_yuan(value: Decimal) -> str:
    return _("%(amount)s元") % {"amount": _yuan(value)}


def _facts(rows: list[tuple[str, Any]]) -> str:
    """A two-column table: a label heading each row, then its value."""
    return str(
        format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td></tr>", rows),
        )
    )


def _table(headings: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A table with a row of column headings, one row per item."""
    return str(
        format_html(
            "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<th scope='col'>{}</th>", ((text,) for text in headings)),
            format_html_join(
                "",
                "<tr>{}</tr>",
                ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows),
            ),
        )
    )


def _project_section(project: FundProject) -> str:
    decision = project.decision
    if decision is None:
        decision_text = _("尚未形成决议")
    elif decision.decision_record_id:
        decision_text = format_html(
            '<a href="{}">{}</a>', reverse("record", args=[decision.decision_record_id]), decision
        )
    else:
        decision_text = format_html("{}（{}）", decision, decision.get_status_display())
    parts = [
        format_html("<h2>{}</h2>", _("项目基本情况")),
        _facts(
            [
                (_("项目名称"), project.name),
                (_("项目年度"), project.year),
                (_("项目类别"), project.get_category_display()),
                (_("实施村（社区）"), project.region.name),
                (_("预算金额"), _in_yuan(project.budget)),
                (_("村民（代表）会议决议"), decision_text),
            ]
        ),
    ]
    if project.description:
        parts += [format_html("<h3>{}</h3>", _("建设内容")), linebreaks(project.description, True)]
    parts += [
        format_html("<h3>{}</h3>", _("资金来源")),
        _table(
            [_("来源"), _("金额（元）")],
            ((line.get_source_display(), _yuan(line.amount)) for line in project.funding.all()),
        ),
    ]
    return "".join(str(part) for part in parts)


def _disbursement_section(project: FundProject) -> str:
    rows = [
        (
            d.paid_on.isoformat(),
            _yuan(d.amount),
            payee_public(d),
            d.purpose,
        )
        for d in project.disbursements.order_by("paid_on", "id")
    ]
    return "".join(
        str(part)
        for part in (
            format_html("<h2>{}</h2>", _("资金拨付")),
            _facts(
                [
                    (_("预算金额"), _in_yuan(project.budget)),
                    (_("已拨付"), _in_yuan(project.disbursed)),
                    (_("剩余"), _in_yuan(project.remaining)),
                ]
            ),
            _table([_("拨付日期"), _("金额（元）"), _("收款方"), _("用途")], rows)
            if rows
            else format_html("<p>{}</p>", _("尚未拨付资金。")),
        )
    )


def _acceptance_section(project: FundProject) -> str:
    parts = [format_html("<h2>{}</h2>", _("项目验收"))]
    for acceptance in project.acceptances.order_by("inspected_on", "id"):
        parts.append(
            _facts(
                [
                    (_("验收日期"), acceptance.inspected_on.isoformat()),
                    (_("验收人员"), acceptance.inspectors),
                    (_("验收结果"), acceptance.get_result_display()),
                    (_("决算金额"), _in_yuan(acceptance.final_accounts)),
                    (_("验收意见"), acceptance.note or "—"),
                ]
            )
        )
    return "".join(str(part) for part in parts)


def stage_record_body(project: FundProject, row: ProjectStage) -> str:
    """What the village publishes when a stage is reached: the project, its money so
    far and the facts of that stage, in Chinese (payees who are persons masked)."""
    stage = row.stage
    parts = [
        format_html(
            "<p>{}</p>",
            _("%(date)s，项目进入“%(stage)s”阶段。")
            % {
                "date": timezone.localdate(row.reached_at).isoformat(),
                "stage": row.get_stage_display(),
            },
        ),
    ]
    if row.note and stage != Stage.CANCELLED:  # a cancellation's note is its reason, below
        parts.append(format_html("<p>{}：{}</p>", _("说明"), row.note))
    parts.append(_project_section(project))
    if stage == Stage.APPROVED:
        allocation = VillageAllocation.objects.filter(
            region_id=project.region_id, year=project.year
        ).first()
        if allocation is not None:
            parts.append(
                format_html(
                    "<p>{}</p>",
                    _("%(year)d年度本村（社区）专项资金额度%(amount)s元。")
                    % {"year": project.year, "amount": _yuan(allocation.amount)},
                )
            )
    if stage in (Stage.IMPLEMENTING, Stage.ACCEPTED, Stage.EVALUATED, Stage.CLOSED):
        parts.append(_disbursement_section(project))
    if stage in (Stage.ACCEPTED, Stage.EVALUATED, Stage.CLOSED):
        parts.append(_acceptance_section(project))
    if stage in (Stage.EVALUATED, Stage.CLOSED):
        for item in project.rectifications.all():
            state = _("已销号") if item.closed_at else _("整改中")
            parts.append(
                format_html(
                    "<h2>{}</h2><p>{}</p>{}",
                    _("整改事项"),
                    state,
                    linebreaks(item.answer, True) if item.answer else "",
                )
            )
    if stage == Stage.CANCELLED:
        parts.append(format_html("<h2>{}</h2><p>{}</p>", _("撤销原因"), project.cancel_reason))
    return "".join(str(part) for part in parts)


@transaction.atomic
def stage_publish(*, project: FundProject, stage: str, actor: Any) -> ProjectStage:
    """The village publishes a reached stage as a record of its catalog (立项公示 …):
    submitted for review or published at once, as the unit's setting says. A stage whose
    record was withdrawn may be published again."""
    project = _locked(project)
    _require_runner(actor, project)
    row = (
        ProjectStage.objects.select_for_update(of=("self",))
        .filter(project=project, stage=stage)
        .select_related("record")
        .first()
    )
    if row is None:
        label = Stage(stage).label if stage in Stage.values else stage
        raise Conflict(_("项目尚未进入“%(stage)s”阶段，不能公开。") % {"stage": label})
    if row.record is not None and row.record.status != RecordStatus.WITHDRAWN:
        raise Conflict(
            _("该阶段已经公开（%(status)s）。") % {"status": row.record.get_status_display()}
        )
    project = FundProject.objects.select_related("unit", "region", "decision").get(pk=project.pk)
    with translation.override(RECORD_LANGUAGE):
        title = record_title(project, stage)
        body = stage_record_body(project, row)
    record = disclosure.record_create(
        unit=project.unit,
        item=_catalog_item(project, stage),
        title=title,
        body=body,
        info_date=timezone.localdate(row.reached_at),
        actor=actor,
    )
    record = disclosure.record_submit(record=record, actor=actor)
    before = row.record_id
    row.record = record
    row.save(update_fields=["record"])
    audit_record(
        actor=actor,
        action=AuditAction.PUBLISH,
        obj=project,
        changes={f"record_{stage}": [before, str(record.pk)]},
    )
    return row


@transaction.atomic
def stage_document_add(
    *, stage: ProjectStage, title: str, name: str, data: bytes, actor: Any
) -> StageDocument:
    """Attach a document to a reached stage (the decision, the approval notice, the
    acceptance report …): the village or the township office. The type is read from the
    content; the file is stored privately and served through the project's visibility."""
    stage = ProjectStage.objects.get(pk=stage.pk)
    project = _locked(stage.project)
    if not (can_run_project(actor, project) or can_supervise_project(actor, project)):
        raise NotAllowed(_("只有本村（社区）或所在乡镇（街道）的工作人员可以上传项目文件。"))
    if project.stage == Stage.CANCELLED:
        raise Conflict(_("项目已撤销，不能再上传文件。"))
    name = _text(name) or _("附件")
    title = _text(title) or name
    errors: Errors = {}
    if len(title) > MAX_DOCUMENT_TITLE:
        _add(errors, "title", _("文件名称不能超过%(n)d个字。") % {"n": MAX_DOCUMENT_TITLE})
    sniffed = None
    try:
        sniffed = files.check_upload(
            name, data or b"", limit=settings.DISCLOSURE_MAX_ATTACHMENT_BYTES
        )
    except ValidationError as exc:
        errors["file"] = exc.messages
    _raise_if(errors)
    document = StageDocument(
        stage=stage,
        token=files.new_token(),
        title=title,
        content_type=sniffed.content_type,
        size=len(data),
    )
    document.file.save(document.token, ContentFile(data), save=False)
    document.save()
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=project,
        changes={f"documents_{stage.stage}": [None, title]},
    )
    return document
