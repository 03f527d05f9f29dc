"""Every write of neighbourhood mutual aid (邻里互助).

Residents with a verified residency post a need or an offer in one of their villages,
seen at the scope they choose; any signed-in person replies while it is open; the
author closes it when resolved. Reports from THRESHOLD different people hide a post
until a moderator restores or removes it (participation.permissions.can_moderate_aid).

Refusals come in the two shared kinds so every door answers alike: `AidRefused`, a
NotAllowed (this person may not: 403), and `AidConflict`, a Conflict (not in this state,
or already done: 409). Bad input is a ValidationError naming the fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.models import AidCategory, AidKind, AidPost, AidReply, AidReport, AidScope
from participation.models import AidStatus as Status
from participation.permissions import can_moderate_aid
from portal import hierarchy, identity
from portal.models import AuditAction, Region, Residency, ResidencyStatus
from portal.ratelimit import rate_check
from portal.services.audit import audit_record
from portal.services.errors import Conflict, NotAllowed

# How far ahead a post may run; a longer need is posted again, so stale posts fall away.
MAX_EXPIRY_DAYS = 90
TITLE_MAX_CHARS = 100
REASON_MAX_CHARS = 300
# The publicly visible statuses: what a reader can see, reply to (open) and report.
PUBLIC_STATUSES = (Status.OPEN, Status.RESOLVED)


class AidRefused(NotAllowed):
    """This person may not do this (not signed in, not a resident, not the author)."""


class AidConflict(Conflict):
    """The post is not in a state that allows it, or it has been done already."""


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _require_signed_in(user: Any) -> None:
    if not _active(user):
        raise AidRefused(_("请先登录。"))


def _rate_check(user: Any) -> None:
    # Posts, replies and reports share one hourly allowance per person.
    rate_check([(f"participation:aid:user:{user.pk}", settings.PARTICIPATION_RATE_PER_USER)])


def _locked(post: AidPost) -> AidPost:
    return AidPost.objects.select_for_update().get(pk=post.pk)


def scope_code_for(village_code: str, scope: str) -> str:
    """The code of the place at the `scope` tier that contains the village."""
    return hierarchy.ancestor_at(village_code, scope)


def not_resident_message() -> str:
    return _(
        "只有已核实的村（居）民可以发布互助信息。请先到 %(url)s 申请村（居）民身份核实，"
        "核实通过后即可发布。"
    ) % {"url": reverse("residency-apply")}


def _text_errors(text: str, field: str, empty: str) -> dict[str, list[str]]:
    if not text:
        return {field: [empty]}
    limit = settings.PARTICIPATION_MAX_TEXT_CHARS
    if len(text) > limit:
        return {field: [_("内容不能超过%(n)d个字。") % {"n": limit}]}
    return {}


@transaction.atomic
def aid_post_create(
    *,
    user: Any,
    region: Region | str | None,
    kind: str,
    category: str,
    title: str,
    text: str,
    scope: str,
    expires_on: dt.date | None,
    now: dt.datetime | None = None,
) -> AidPost:
    """A verified resident posts a need or an offer in one of their villages."""
    _require_signed_in(user)
    residencies = {
        residency.region_id: residency
        for residency in Residency.objects.filter(user=user, status=ResidencyStatus.VERIFIED)
    }
    if not residencies:
        raise AidRefused(not_resident_message())
    today = timezone.localdate(now or timezone.now())
    code = region.code if isinstance(region, Region) else str(region or "").strip()
    title, text = (title or "").strip(), (text or "").strip()
    errors: dict[str, list[str]] = {}
    if code not in residencies:
        errors["region"] = [_("请选择您已核实居住的村（社区）。")]
    if kind not in AidKind.values:
        errors["kind"] = [_("请选择求助或帮忙。")]
    if category not in AidCategory.values:
        errors["category"] = [_("请选择类别。")]
    if scope not in AidScope.values:
        errors["scope"] = [_("请选择可见范围。")]
    if not title:
        errors["title"] = [_("请填写标题。")]
    elif len(title) > TITLE_MAX_CHARS:
        errors["title"] = [_("标题不能超过%(n)d个字。") % {"n": TITLE_MAX_CHARS}]
    errors.update(_text_errors(text, "text", _("请填写内容。")))
    if expires_on is None:
        errors["expires_on"] = [_("请填写有效期。")]
    elif expires_on <= today:
        errors["expires_on"] = [_("有效期应晚于今天。")]
    elif expires_on > today + dt.timedelta(days=MAX_EXPIRY_DAYS):
        errors["expires_on"] = [_("有效期最长%(n)d天。") % {"n": MAX_EXPIRY_DAYS}]
    if errors:
        raise ValidationError(errors)
    _rate_check(user)
    return AidPost.objects.create(
        author=user,
        author_name=residencies[code].real_name,
        kind=kind,
        category=category,
        title=identity.mask_id_numbers(title),
        text=identity.mask_id_numbers(text),
        region_id=code,
        scope=scope,
        scope_code=scope_code_for(code, scope),
        expires_on=expires_on,
    )


@transaction.atomic
def aid_reply_create(
    *, post: AidPost, user: Any, text: str, now: dt.datetime | None = None
) -> AidReply:
    """Anyone signed in replies to an open post that has not expired."""
    _require_signed_in(user)
    text = (text or "").strip()
    errors = _text_errors(text, "text", _("请填写回复内容。"))
    if errors:
        raise ValidationError(errors)
    # Taken before the status check, so a reply cannot slip in after a close or a hiding.
    post = AidPost.objects.select_for_update(no_key=True).get(pk=post.pk)
    if post.status != Status.OPEN:
        raise AidConflict(_("该信息已结束，不能再回复。"))
    if post.expires_on < timezone.localdate(now or timezone.now()):
        raise AidConflict(_("该信息已过有效期，不能再回复。"))
    _rate_check(user)
    return AidReply.objects.create(
        post=post,
        author=user,
        author_name=user.full_name or "",
        text=identity.mask_id_numbers(text),
    )


@transaction.atomic
def aid_post_close(*, post: AidPost, user: Any, now: dt.datetime | None = None) -> AidPost:
    """The author marks the post resolved."""
    _require_signed_in(user)
    post = _locked(post)
    if post.author_id != user.pk:
        raise AidRefused(_("只有发布人可以关闭该信息。"))
    if post.status == Status.RESOLVED:
        raise AidConflict(_("该信息已标记为已解决。"))
    if post.status != Status.OPEN:
        raise AidConflict(_("该信息正在审核或已被屏蔽，不能关闭。"))
    post.status = Status.RESOLVED
    post.resolved_at = now or timezone.now()
    post.save(update_fields=["status", "resolved_at"])
    return post


@transaction.atomic
def aid_report(*, post: AidPost, user: Any, reason: str) -> AidReport:
    """Report a post; once per person. At THRESHOLD reports awaiting review the post is
    hidden until a moderator decides."""
    _require_signed_in(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写举报理由。")]})
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationError(
            {"reason": [_("举报理由不能超过%(n)d个字。") % {"n": REASON_MAX_CHARS}]}
        )
    # The row lock serialises reports of one post, so the count and the hiding agree.
    post = _locked(post)
    if post.author_id == user.pk:
        raise AidRefused(_("不能举报自己发布的信息。"))
    if post.status not in PUBLIC_STATUSES:
        raise AidConflict(_("该信息已在审核中，无需再举报。"))
    already = _("您已举报过该信息，请等待审核。")
    if AidReport.objects.filter(post=post, reporter=user).exists():
        raise AidConflict(already)
    _rate_check(user)
    try:
        # The unique constraint is the rule; the savepoint keeps the transaction usable.
        with transaction.atomic():
            report = AidReport.objects.create(post=post, reporter=user, reason=reason)
    except IntegrityError:
        raise AidConflict(already) from None
    post.report_count += 1
    fields = ["report_count"]
    if post.report_count >= settings.PARTICIPATION_AID_REPORT_THRESHOLD:
        post.status = Status.HIDDEN
        fields.append("status")
    post.save(update_fields=fields)
    return report


def _require_moderator(post: AidPost, actor: Any) -> None:
    if not can_moderate_aid(actor, post):
        raise AidRefused(_("只有该地区的村（居）委会、乡镇（街道）或政府工作人员可以审核。"))


@transaction.atomic
def aid_moderate(
    *, post: AidPost, actor: Any, remove: bool, note: str = "", now: dt.datetime | None = None
) -> AidPost:
    """Decide on a reported post: restore it (to open, or resolved if the author had
    closed it) or remove it with a note the author reads. The reports are kept, marked
    reviewed, and no longer count towards hiding."""
    post = _locked(post)
    _require_moderator(post, actor)
    note = (note or "").strip()
    if len(note) > REASON_MAX_CHARS:
        raise ValidationError({"note": [_("说明不能超过%(n)d个字。") % {"n": REASON_MAX_CHARS}]})
    if post.status == Status.REMOVED:
        raise AidConflict(_("该信息已被屏蔽。"))
    if remove and not note:
        raise ValidationError({"note": [_("请填写屏蔽理由，发布人会看到该理由。")]})
    if not remove and post.status != Status.HIDDEN and post.report_count == 0:
        raise AidConflict(_("该信息没有待审核的举报。"))
    now = now or timezone.now()
    before = post.status
    if remove:
        post.status = Status.REMOVED
    elif post.status == Status.HIDDEN:
        post.status = Status.RESOLVED if post.resolved_at else Status.OPEN
    post.report_count = 0
    post.moderated_by = actor
    post.moderated_at = now
    post.moderation_note = note
    post.save(
        update_fields=["status", "report_count", "moderated_by", "moderated_at", "moderation_note"]
    )
    AidReport.objects.filter(post=post, reviewed_at__isnull=True).update(reviewed_at=now)
    audit_record(
        actor=actor,
        action=AuditAction.WITHDRAW if remove else AuditAction.CHANGE,
        obj=post,
        changes={"status": [before, post.status]},
        note=note,
    )
    return post


@transaction.atomic
def aid_reply_hide(
    *, reply: AidReply, actor: Any, reason: str, now: dt.datetime | None = None
) -> AidReply:
    """A moderator hides a reply; the public sees that a reply was hidden, not its text."""
    reply = AidReply.objects.select_for_update().select_related("post").get(pk=reply.pk)
    _require_moderator(reply.post, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写屏蔽理由。")]})
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationError(
            {"reason": [_("屏蔽理由不能超过%(n)d个字。") % {"n": REASON_MAX_CHARS}]}
        )
    if reply.hidden_at is not None:
        raise AidConflict(_("该回复已被屏蔽。"))
    reply.hidden_at = now or timezone.now()
    reply.hidden_reason = reason
    reply.save(update_fields=["hidden_at", "hidden_reason"])
    # Recorded on the post: it carries the place, so supervisors find it in their trail.
    audit_record(
        actor=actor,
        action=AuditAction.WITHDRAW,
        obj=reply.post,
        changes={"hidden_reply": [None, reply.pk]},
        note=reason,
    )
    return reply
