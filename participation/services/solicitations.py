"""Every write of opinion solicitations (民意征集).

A unit drafts a text with a comment window and publishes it; signed-in citizens send
opinions while the window is open; the unit's officials publish or hide each opinion
(hiding needs a reason); after the window they group the published opinions, say for
each group whether it was adopted and why not, and publish the feedback report. Every
official's step is audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.models import (
    Adoption,
    Opinion,
    OpinionGroup,
    OpinionStatus,
    Phase,
    Solicitation,
    SolicitationAttachment,
    SolicitationStatus,
)
from participation.permissions import can_manage
from portal import identity
from portal import uploads as files
from portal.models import AuditAction, Unit
from portal.ratelimit import rate_check
from portal.richtext import sanitize
from portal.services.audit import audit_record, diff, snapshot
from portal.services.errors import Conflict, DomainError, NotAllowed

EDITABLE_FIELDS = ("title", "summary", "body", "opens_at", "closes_at")
TITLE_MAX, SUMMARY_MAX, NAME_MAX, REASON_MAX = 200, 500, 40, 300
GROUP_SUMMARY_MAX = 500


# --- helpers -----------------------------------------------------------------------------


def _locked(solicitation: Solicitation) -> Solicitation:
    return Solicitation.objects.select_for_update().select_related("unit").get(pk=solicitation.pk)


def _require_manager(actor: Any, solicitation: Solicitation) -> None:
    if not can_manage(actor, solicitation):
        raise DomainError(_("只有征集单位的工作人员可以进行此操作。"))


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def content_hash(text: str) -> str:
    """The same words with different spacing are the same opinion."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def _draft_errors(
    *, title: str, summary: str, body: str, opens_at: Any, closes_at: Any
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("请填写征集标题。")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("征集标题不能超过%(n)d个字。") % {"n": TITLE_MAX}]
    if len(summary) > SUMMARY_MAX:
        errors["summary"] = [_("内容提要不能超过%(n)d个字。") % {"n": SUMMARY_MAX}]
    if not body.strip():
        errors["body"] = [_("请填写征求意见稿。")]
    if not isinstance(opens_at, dt.datetime):
        errors["opens_at"] = [_("请填写开始时间。")]
    if not isinstance(closes_at, dt.datetime):
        errors["closes_at"] = [_("请填写截止时间。")]
    elif isinstance(opens_at, dt.datetime) and closes_at <= opens_at:
        errors["closes_at"] = [_("截止时间应晚于开始时间。")]
    return errors


# --- the solicitation --------------------------------------------------------------------


@transaction.atomic
def solicitation_create(
    *,
    unit: Unit,
    title: str,
    body: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    actor: Any,
    summary: str = "",
) -> Solicitation:
    """A draft; nobody but the unit's officials and supervisors sees it until published."""
    if unit is None or not unit.is_active or not can_manage(actor, unit):
        raise DomainError(_("您不能以该单位的名义发起民意征集。"))
    title, summary, body = (title or "").strip(), (summary or "").strip(), sanitize(body)
    _raise(
        _draft_errors(
            title=title, summary=summary, body=body, opens_at=opens_at, closes_at=closes_at
        )
    )
    solicitation = Solicitation.objects.create(
        unit=unit,
        region_id=unit.region_id,
        created_by=actor,
        title=title,
        summary=summary,
        body=body,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=solicitation,
        changes=diff({}, snapshot(solicitation, list(EDITABLE_FIELDS))),
    )
    return solicitation


@transaction.atomic
def solicitation_update(
    *,
    solicitation: Solicitation,
    actor: Any,
    title: str | None = None,
    summary: str | None = None,
    body: str | None = None,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
) -> Solicitation:
    """Change a draft. Once published the text and the window are what citizens saw."""
    solicitation = _locked(solicitation)
    _require_manager(actor, solicitation)
    if solicitation.status != SolicitationStatus.DRAFT:
        raise DomainError(_("只有草稿可以修改；已发布的征集不能再改动征求意见稿和征集时间。"))
    before = snapshot(solicitation, list(EDITABLE_FIELDS))
    if title is not None:
        solicitation.title = title.strip()
    if summary is not None:
        solicitation.summary = summary.strip()
    if body is not None:
        solicitation.body = sanitize(body)
    if opens_at is not None:
        solicitation.opens_at = opens_at
    if closes_at is not None:
        solicitation.closes_at = closes_at
    _raise(
        _draft_errors(
            title=solicitation.title,
            summary=solicitation.summary,
            body=solicitation.body,
            opens_at=solicitation.opens_at,
            closes_at=solicitation.closes_at,
        )
    )
    changes = diff(before, snapshot(solicitation, list(EDITABLE_FIELDS)))
    if changes:
        solicitation.save(update_fields=list(changes))
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=solicitation, changes=changes)
    return solicitation


@transaction.atomic
def solicitation_attach(
    *, solicitation: Solicitation, name: str, data: bytes, actor: Any
) -> SolicitationAttachment:
    """Attach a file to a draft or a published solicitation; the type is read from the
    content and the file is stored privately (served through the visibility check)."""
    solicitation = _locked(solicitation)
    _require_manager(actor, solicitation)
    if solicitation.status not in (SolicitationStatus.DRAFT, SolicitationStatus.PUBLISHED):
        raise DomainError(_("征集已反馈或已撤回，不能再上传附件。"))
    name = (name or "").strip() or _("附件")
    try:
        sniffed = files.check_upload(name, data, limit=settings.PARTICIPATION_MAX_ATTACHMENT_BYTES)
    except ValidationError as exc:
        raise ValidationError({"attachment": exc.messages}) from None
    attachment = SolicitationAttachment(
        solicitation=solicitation,
        token=files.new_token(),
        original_name=name[-200:],
        content_type=sniffed.content_type,
        size=len(data),
    )
    attachment.file.save(attachment.token, ContentFile(data), save=False)
    attachment.save()
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=solicitation,
        changes={"attachments": [None, attachment.original_name]},
    )
    return attachment


@transaction.atomic
def solicitation_publish(
    *, solicitation: Solicitation, actor: Any, now: dt.datetime | None = None
) -> Solicitation:
    solicitation = _locked(solicitation)
    _require_manager(actor, solicitation)
    if solicitation.status != SolicitationStatus.DRAFT:
        raise DomainError(_("该征集已经发布过了。"))
    now = now or timezone.now()
    if solicitation.closes_at <= now:
        raise ValidationError({"closes_at": [_("截止时间已过，请先把截止时间改到将来再发布。")]})
    solicitation.status = SolicitationStatus.PUBLISHED
    solicitation.published_at = now
    solicitation.save(update_fields=["status", "published_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PUBLISH,
        obj=solicitation,
        changes={"status": [SolicitationStatus.DRAFT, SolicitationStatus.PUBLISHED]},
    )
    return solicitation


@transaction.atomic
def solicitation_withdraw(*, solicitation: Solicitation, actor: Any, reason: str) -> Solicitation:
    """Take a published solicitation back; the reason is shown to the public."""
    solicitation = _locked(solicitation)
    _require_manager(actor, solicitation)
    if solicitation.status != SolicitationStatus.PUBLISHED:
        if solicitation.status == SolicitationStatus.DRAFT:
            raise DomainError(_("草稿尚未发布，无需撤回。"))
        raise DomainError(_("该征集已反馈或已撤回，不能撤回。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("撤回须说明原因，原因将向公众公开。")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("撤回原因不能超过%(n)d个字。") % {"n": REASON_MAX}]})
    solicitation.status = SolicitationStatus.WITHDRAWN
    solicitation.withdrawn_at = timezone.now()
    solicitation.withdraw_reason = reason
    solicitation.save(update_fields=["status", "withdrawn_at", "withdraw_reason"])
    audit_record(
        actor=actor,
        action=AuditAction.WITHDRAW,
        obj=solicitation,
        changes={"status": [SolicitationStatus.PUBLISHED, SolicitationStatus.WITHDRAWN]},
        note=reason,
    )
    return solicitation


# --- opinions ----------------------------------------------------------------------------


def window_refusal(solicitation: Solicitation, now: dt.datetime | None = None) -> str | None:
    """Why this solicitation takes no opinions now, in words for the citizen; or None."""
    if solicitation.status == SolicitationStatus.WITHDRAWN:
        return _("该征集已撤回，不再接收意见。")
    if solicitation.status == SolicitationStatus.DRAFT:
        return _("该征集尚未发布。")
    if solicitation.status != SolicitationStatus.PUBLISHED:
        return _("该征集已结束，不再接收意见。")
    phase = solicitation.phase(now)
    if phase == Phase.UPCOMING:
        return _("征集尚未开始，请在开始后再提交意见。")
    if phase == Phase.ENDED:
        return _("征集已截止，不再接收意见。")
    return None


@transaction.atomic
def opinion_submit(
    *,
    solicitation: Solicitation,
    user: Any,
    text: str,
    name: str = "",
    now: dt.datetime | None = None,
) -> tuple[Opinion, bool]:
    """Send an opinion; it waits for moderation before the public sees it.

    Returns (opinion, created): the same text twice from one person is one opinion, and
    the repeat returns the first (a double click, a retry after a lost answer)."""
    if not (user and user.is_authenticated and user.is_active):
        raise NotAllowed(_("请先登录。"))
    text = (text or "").strip()
    name = (name or "").strip() or (user.full_name or "").strip()
    errors: dict[str, list[str]] = {}
    limit = settings.PARTICIPATION_MAX_TEXT_CHARS
    if not text:
        errors["text"] = [_("请填写意见内容。")]
    elif len(text) > limit:
        errors["text"] = [_("意见内容不能超过%(n)d个字。") % {"n": limit}]
    if not name:
        errors["name"] = [_("请填写署名。")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("署名不能超过%(n)d个字。") % {"n": NAME_MAX}]
    _raise(errors)
    text = identity.mask_id_numbers(text)
    digest = content_hash(text)
    mine = Opinion.objects.filter(solicitation=solicitation, author=user, content_hash=digest)
    first = mine.first()
    if first is not None:
        # Before the window check: a retry after the close is still the opinion received.
        return first, False
    refusal = window_refusal(solicitation, now)
    if refusal:
        raise Conflict(refusal)
    # Counted per person, not per solicitation: one person filling every open one with
    # opinions is what the limit is for.
    rate_check([(f"participation:opinion:user:{user.pk}", settings.PARTICIPATION_RATE_PER_USER)])
    try:
        # A savepoint: of two identical submissions racing each other, the second meets
        # the unique constraint and returns the first one's row.
        with transaction.atomic():
            opinion = Opinion.objects.create(
                solicitation=solicitation,
                region_id=solicitation.region_id,
                author=user,
                author_name=name,
                text=text,
                content_hash=digest,
            )
    except IntegrityError:
        first = mine.first()
        if first is None:
            raise
        return first, False
    return opinion, True


@transaction.atomic
def opinion_moderate(*, opinion: Opinion, actor: Any, publish: bool, reason: str = "") -> Opinion:
    """Publish an opinion, or hide it with a reason (also one published earlier)."""
    # The solicitation first, then the opinion: the order every service here locks in.
    solicitation = _locked(opinion.solicitation)
    opinion = Opinion.objects.select_for_update().get(pk=opinion.pk)
    if not can_manage(actor, solicitation):
        raise DomainError(_("只有征集单位的工作人员可以审核意见。"))
    before = opinion.status
    reason = (reason or "").strip()
    if publish:
        if opinion.status == OpinionStatus.PUBLISHED:
            raise DomainError(_("该意见已经公开。"))
        if solicitation.status == SolicitationStatus.REPORTED:
            # The report answers every published opinion; a new one would go unanswered.
            raise DomainError(_("反馈报告已发布，不能再公开新的意见。"))
        opinion.status = OpinionStatus.PUBLISHED
        opinion.hidden_reason = ""
    else:
        if not reason:
            raise ValidationError({"reason": [_("不予公开须说明理由。")]})
        if len(reason) > REASON_MAX:
            raise ValidationError({"reason": [_("理由不能超过%(n)d个字。") % {"n": REASON_MAX}]})
        if opinion.status == OpinionStatus.HIDDEN:
            raise DomainError(_("该意见已不予公开。"))
        opinion.status = OpinionStatus.HIDDEN
        opinion.hidden_reason = reason
    opinion.moderated_by = actor
    opinion.moderated_at = timezone.now()
    opinion.save(update_fields=["status", "hidden_reason", "moderated_by", "moderated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PUBLISH if publish else AuditAction.REJECT,
        obj=opinion,
        unit=solicitation.unit,
        changes={"status": [before, opinion.status]},
        note=reason,
    )
    return opinion


# --- the feedback report -----------------------------------------------------------------


def _grouping_refusal(solicitation: Solicitation, now: dt.datetime | None = None) -> str | None:
    if solicitation.status == SolicitationStatus.REPORTED:
        return _("反馈报告已发布，意见归类不能再修改。")
    if solicitation.status != SolicitationStatus.PUBLISHED:
        return _("只有已发布的征集可以归类意见。")
    if solicitation.phase(now) != Phase.ENDED:
        return _("征集截止后才能归类意见。")
    return None


def group_errors(
    *,
    solicitation: Solicitation,
    summary: str,
    adoption: str,
    reason: str,
    opinions: Iterable[Opinion],
) -> dict[str, list[str]]:
    """What is wrong with a group as typed; the admin asks before saving."""
    errors: dict[str, list[str]] = {}
    summary, reason = (summary or "").strip(), (reason or "").strip()
    if not summary:
        errors["summary"] = [_("请归纳这一类意见。")]
    elif len(summary) > GROUP_SUMMARY_MAX:
        errors["summary"] = [_("意见归纳不能超过%(n)d个字。") % {"n": GROUP_SUMMARY_MAX}]
    if adoption not in Adoption.values:
        errors["adoption"] = [_("请选择采纳情况：采纳、部分采纳或未采纳。")]
    elif adoption != Adoption.ADOPTED and not reason:
        errors["reason"] = [_("部分采纳或未采纳须说明理由。")]
    opinions = list(opinions)
    if any(o.solicitation_id != solicitation.pk for o in opinions):
        errors["opinions"] = [_("只能归入本次征集收到的意见。")]
    elif any(o.status != OpinionStatus.PUBLISHED for o in opinions):
        errors["opinions"] = [_("只能归入已公开的意见。")]
    return errors


def _fresh(opinions: Iterable[Opinion]) -> list[Opinion]:
    """The opinions as they are now (the caller's copies may be older than a moderation)."""
    return list(Opinion.objects.filter(pk__in=[o.pk for o in opinions]).order_by("id"))


def _set_members(group: OpinionGroup, opinions: list[Opinion]) -> None:
    ids = [o.pk for o in opinions]
    Opinion.objects.filter(group=group).exclude(pk__in=ids).update(group=None)
    Opinion.objects.filter(pk__in=ids).update(group=group)


@transaction.atomic
def group_create(
    *,
    solicitation: Solicitation,
    summary: str,
    adoption: str,
    reason: str,
    opinions: Iterable[Opinion],
    actor: Any,
) -> OpinionGroup:
    """Answer opinions of the same substance together: adopted, partly, or not, and why.
    An opinion already in another group moves to this one."""
    solicitation = _locked(solicitation)
    _require_manager(actor, solicitation)
    refusal = _grouping_refusal(solicitation)
    if refusal:
        raise DomainError(refusal)
    opinions = _fresh(opinions)
    _raise(
        group_errors(
            solicitation=solicitation,
            summary=summary,
            adoption=adoption,
            reason=reason,
            opinions=opinions,
        )
    )
    seq = (solicitation.groups.aggregate(top=Max("seq"))["top"] or 0) + 1
    group = OpinionGroup.objects.create(
        solicitation=solicitation,
        seq=seq,
        summary=summary.strip(),
        adoption=adoption,
        reason=(reason or "").strip(),
    )
    _set_members(group, opinions)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=group,
        unit=solicitation.unit,
        changes={
            **diff({}, snapshot(group, ["summary", "adoption", "reason"])),
            "opinions": [[], sorted(o.pk for o in opinions)],
        },
    )
    return group


@transaction.atomic
def group_update(
    *,
    group: OpinionGroup,
    actor: Any,
    summary: str | None = None,
    adoption: str | None = None,
    reason: str | None = None,
    opinions: Iterable[Opinion] | None = None,
) -> OpinionGroup:
    """Change a group before the report; `opinions`, when given, is its new membership."""
    solicitation = _locked(group.solicitation)
    group = OpinionGroup.objects.select_for_update().get(pk=group.pk)
    _require_manager(actor, solicitation)
    refusal = _grouping_refusal(solicitation)
    if refusal:
        raise DomainError(refusal)
    before = snapshot(group, ["summary", "adoption", "reason"])
    before_ids = sorted(group.opinions.values_list("pk", flat=True))
    if summary is not None:
        group.summary = summary.strip()
    if adoption is not None:
        group.adoption = adoption
    if reason is not None:
        group.reason = reason.strip()
    members = _fresh(opinions) if opinions is not None else []
    _raise(
        group_errors(
            solicitation=solicitation,
            summary=group.summary,
            adoption=group.adoption,
            reason=group.reason,
            # Without `opinions` the membership stays as it is (hidden ones included).
            opinions=members,
        )
    )
    group.save(update_fields=["summary", "adoption", "reason"])
    changes = diff(before, snapshot(group, ["summary", "adoption", "reason"]))
    if opinions is not None:
        _set_members(group, members)
        after_ids = sorted(o.pk for o in members)
        if after_ids != before_ids:
            changes["opinions"] = [before_ids, after_ids]
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=group,
            unit=solicitation.unit,
            changes=changes,
        )
    return group


@transaction.atomic
def group_delete(*, group: OpinionGroup, actor: Any) -> None:
    """Drop a group made by mistake, before the report; its opinions become ungrouped."""
    solicitation = _locked(group.solicitation)
    _require_manager(actor, solicitation)
    refusal = _grouping_refusal(solicitation)
    if refusal:
        raise DomainError(refusal)
    group = OpinionGroup.objects.select_for_update().get(pk=group.pk)
    Opinion.objects.filter(group=group).update(group=None)
    group.delete()
    # Keep the numbering without gaps; one row at a time, upwards, so that the unique
    # (solicitation, seq) constraint holds after every statement.
    for later in solicitation.groups.filter(seq__gt=group.seq).order_by("seq"):
        OpinionGroup.objects.filter(pk=later.pk).update(seq=later.seq - 1)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=solicitation,
        changes={"groups": [f"{group.seq}. {group.summary}", None]},
        note=_("删除意见归类"),
    )


@transaction.atomic
def opinion_assign(*, opinion: Opinion, group: OpinionGroup | None, actor: Any) -> Opinion:
    """Put one published opinion into a group of its solicitation (None: take it out)."""
    solicitation = _locked(opinion.solicitation)
    opinion = Opinion.objects.select_for_update().get(pk=opinion.pk)
    _require_manager(actor, solicitation)
    refusal = _grouping_refusal(solicitation)
    if refusal:
        raise DomainError(refusal)
    if group is not None:
        if group.solicitation_id != solicitation.pk:
            raise ValidationError({"group": [_("只能归入本次征集的意见归类。")]})
        if opinion.status != OpinionStatus.PUBLISHED:
            raise ValidationError({"group": [_("只能归类已公开的意见。")]})
    before = opinion.group_id
    if before == (group.pk if group else None):
        return opinion
    opinion.group = group
    opinion.save(update_fields=["group"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=opinion,
        unit=solicitation.unit,
        changes={"group": [before, group.pk if group else None]},
    )
    return opinion


def report_refusal(solicitation: Solicitation, now: dt.datetime | None = None) -> str | None:
    """Why the feedback report cannot be published now, or None."""
    if solicitation.status == SolicitationStatus.REPORTED:
        return _("反馈报告已经发布。")
    if solicitation.status != SolicitationStatus.PUBLISHED:
        return _("只有已发布的征集可以发布反馈报告。")
    if solicitation.phase(now) != Phase.ENDED:
        return _("征集截止后才能发布反馈报告。")
    opinions = Opinion.objects.filter(solicitation=solicitation)
    pending = opinions.filter(status=OpinionStatus.PENDING).count()
    if pending:
        return _("还有%(n)d条意见待审核，请审核后再发布反馈报告。") % {"n": pending}
    ungrouped = opinions.filter(status=OpinionStatus.PUBLISHED, group__isnull=True).count()
    if ungrouped:
        return _("还有%(n)d条已公开的意见未归类，每条公开的意见都须在反馈中答复。") % {
            "n": ungrouped
        }
    unexplained = solicitation.groups.exclude(adoption=Adoption.ADOPTED).filter(reason="")
    if unexplained.exists():
        return _("部分采纳或未采纳的意见归类须说明理由。")
    empty = (
        solicitation.groups.annotate(
            shown=Count("opinions", filter=Q(opinions__status=OpinionStatus.PUBLISHED))
        )
        .filter(shown=0)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    if empty is not None:
        return _("第%(n)d项意见归类中没有公开的意见，请归入意见或删除该归类。") % {"n": empty}
    return None


@transaction.atomic
def report_publish(*, solicitation: Solicitation, report: str, actor: Any) -> Solicitation:
    """Publish what was adopted and why not. After this the groups are fixed."""
    solicitation = _locked(solicitation)
    _require_manager(actor, solicitation)
    report = (report or "").strip()
    if not report:
        raise ValidationError({"report": [_("请填写意见采纳情况说明。")]})
    refusal = report_refusal(solicitation)
    if refusal:
        raise DomainError(refusal)
    solicitation.status = SolicitationStatus.REPORTED
    solicitation.report = report
    solicitation.reported_at = timezone.now()
    solicitation.reported_by = actor
    solicitation.save(update_fields=["status", "report", "reported_at", "reported_by"])
    audit_record(
        actor=actor,
        action=AuditAction.PUBLISH,
        obj=solicitation,
        changes={"status": [SolicitationStatus.PUBLISHED, SolicitationStatus.REPORTED]},
        note=_("发布意见采纳情况反馈"),
    )
    return solicitation
