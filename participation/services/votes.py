"""Every write of democratic votes (民主投票): the officials' lifecycle (draft → published →
closed, or cancelled with a public reason), citizens' ballots, paper ballots counted at a
meeting, and the voting bodies whose members vote.

One person, one ballot is the database's rule: `Ballot.voter_key` is a keyed hash of
(vote, person) under a unique constraint, so any number of simultaneous submissions from
one person leave one ballot. Casting locks the vote row FOR SHARE (ballots do not wait for
each other) and closing locks it FOR UPDATE, so a close waits for the ballots in flight
and counts them, and a ballot arriving during the close sees the vote closed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participation import eligibility
from participation.models import (
    Ballot,
    BallotChoice,
    BodyKind,
    BodyMember,
    Eligibility,
    PaperBatch,
    PaperCount,
    Quorum,
    Vote,
    VoteOption,
    VoteStatus,
    VotingBody,
)
from participation.permissions import can_manage
from participation.selectors import votes as selectors
from portal.models import AuditAction, Region, Unit, User
from portal.services.audit import audit_record, diff, snapshot
from portal.services.errors import Conflict, DomainError, NotAllowed

logger = logging.getLogger(__name__)

MAX_OPTIONS = 50
MAX_DESCRIPTION = 5000
MAX_REASON = 300
# The fields an official sets on a vote; everything else is the lifecycle's.
EDITABLE_FIELDS = (
    "title",
    "description",
    "multiple",
    "max_choices",
    "secret",
    "results_live",
    "allow_change",
    "quorum",
    "quorum_count",
    "registered_count",
    "eligibility",
    "electorate_region",
    "body",
    "opens_at",
    "closes_at",
)


class NotEligible(NotAllowed):
    """The person may not take part in this vote (HTTP 403)."""


class BallotConflict(Conflict):
    """The vote does not take this ballot now: not open, closed, cancelled, or the person
    has voted already and may not change it (HTTP 409)."""


# ---------------------------------------------------------------------------
# Officials: create, edit, publish, cancel, close


def _require_manager(actor: Any, obj: Any, message: str | None = None) -> None:
    if not can_manage(actor, obj):
        raise DomainError(message or _("只有组织单位的工作人员可以管理该投票。"))


def _clean_options(options: Iterable[str] | None) -> tuple[list[str], list[str]]:
    texts = [(text or "").strip() for text in (options or [])]
    texts = [text for text in texts if text]
    errors = []
    if len(texts) > MAX_OPTIONS:
        errors.append(_("选项不能超过%(n)d个。") % {"n": MAX_OPTIONS})
    if any(len(text) > 200 for text in texts):
        errors.append(_("每个选项不能超过200个字。"))
    if len(set(texts)) != len(texts):
        errors.append(_("选项不能重复。"))
    return texts, errors


def _normalise(vote: Vote) -> None:
    """Clear what the chosen rules make meaningless, so a stored vote says one thing."""
    vote.title = (vote.title or "").strip()
    vote.description = (vote.description or "").strip()
    if not vote.multiple:
        vote.max_choices = 1
    if vote.quorum != Quorum.COUNT:
        vote.quorum_count = None
    if vote.eligibility in (Eligibility.CITIZENS, Eligibility.BODY):
        vote.electorate_region = None
        vote.registered_count = None
    if vote.eligibility != Eligibility.BODY:
        vote.body = None


def vote_errors(
    vote: Vote, options: list[str], *, publishing: bool = False, now: dt.datetime | None = None
) -> dict[str, list[str]]:
    """Everything wrong with a vote and its options, by field. `publishing` adds what a
    draft may still lack: two options, a deadline in the future."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not vote.title:
        add("title", _("请填写表决事项。"))
    elif len(vote.title) > 200:
        add("title", _("表决事项不能超过200个字。"))
    if len(vote.description) > MAX_DESCRIPTION:
        add("description", _("说明不能超过%(n)d个字。") % {"n": MAX_DESCRIPTION})
    if vote.eligibility not in Eligibility.values:
        add("eligibility", _("请选择参与范围。"))
    elif vote.unit_id:
        for field, messages in eligibility.electorate_errors(vote, vote.unit).items():
            for message in messages:
                add(field, message)
    if vote.opens_at is None:
        add("opens_at", _("请填写开始时间。"))
    if vote.closes_at is None:
        add("closes_at", _("请填写截止时间。"))
    elif vote.opens_at is not None and vote.closes_at <= vote.opens_at:
        add("closes_at", _("截止时间应晚于开始时间。"))
    elif publishing and vote.closes_at <= (now or timezone.now()):
        add("closes_at", _("截止时间已过，请修改后再发布。"))
    if vote.multiple:
        if not vote.max_choices or vote.max_choices < 2:
            add("max_choices", _("可多选时，最多可选项数应不少于2。"))
        elif options and vote.max_choices > len(options):
            add("max_choices", _("最多可选项数不能超过选项数。"))
    if vote.quorum not in Quorum.values:
        add("quorum", _("请选择参与率要求。"))
    elif vote.quorum == Quorum.COUNT and not vote.quorum_count:
        add("quorum_count", _("请填写规定人数。"))
    elif vote.eligibility == Eligibility.CITIZENS and vote.quorum in (
        Quorum.HALF,
        Quorum.TWO_THIRDS,
    ):
        add(
            "quorum",
            _(
                "所有注册用户参与时没有确定的投票资格人数，参与率要求只能选“不设”或“不少于规定人数”。"
            ),
        )
    if vote.registered_count is not None:
        if vote.registered_count < 1:
            add("registered_count", _("名册人数应为正整数。"))
        elif publishing and "electorate_region" not in errors:
            on_portal = eligibility.eligible_count(vote)
            if on_portal and vote.registered_count < on_portal:
                add(
                    "registered_count",
                    _("名册人数不能少于平台上已核实的有投票资格人数（%(n)d人）。")
                    % {"n": on_portal},
                )
    if publishing and len(options) < 2:
        add("options", _("至少需要两个选项。"))
    return errors


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _public_reason(reason: str, *, missing: str, too_long: str) -> str:
    """A reason shown to the public (cancelling a vote, voiding paper ballots): required,
    at most MAX_REASON characters."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [missing]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [too_long]})
    return reason


def _set_options(vote: Vote, texts: list[str]) -> None:
    vote.options.all().delete()
    VoteOption.objects.bulk_create(
        VoteOption(vote=vote, seq=index, text=text) for index, text in enumerate(texts, start=1)
    )


@transaction.atomic
def vote_create(
    *,
    unit: Unit,
    actor: Any,
    title: str,
    options: list[str],
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    description: str = "",
    multiple: bool = False,
    max_choices: int = 1,
    secret: bool = True,
    results_live: bool = False,
    allow_change: bool = False,
    quorum: str = Quorum.HALF,
    quorum_count: int | None = None,
    registered_count: int | None = None,
    eligibility: str = Eligibility.RESIDENTS,
    electorate_region: Region | None = None,
    body: VotingBody | None = None,
) -> Vote:
    """A draft vote of `unit` with its options, in the order given."""
    _require_manager(actor, unit, _("只有本单位的工作人员可以发起投票。"))
    vote = Vote(
        unit=unit,
        region_id=unit.region_id,
        created_by=actor,
        title=title,
        description=description,
        multiple=bool(multiple),
        max_choices=max_choices or 1,
        secret=bool(secret),
        results_live=bool(results_live),
        allow_change=bool(allow_change),
        quorum=quorum,
        quorum_count=quorum_count,
        registered_count=registered_count,
        eligibility=eligibility,
        electorate_region=electorate_region,
        body=body,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    _normalise(vote)
    texts, option_errors = _clean_options(options)
    errors = vote_errors(vote, texts)
    if option_errors:
        errors.setdefault("options", []).extend(option_errors)
    _raise_if(errors)
    vote.save()
    _set_options(vote, texts)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=vote,
        changes=diff({}, {**snapshot(vote, [*_attnames()]), "options": texts}),
    )
    return vote


def _attnames() -> list[str]:
    return [Vote._meta.get_field(name).attname for name in EDITABLE_FIELDS]


def _locked(vote: Vote) -> Vote:
    return Vote.objects.select_for_update(of=("self",)).select_related("unit").get(pk=vote.pk)


@transaction.atomic
def vote_update(
    *, vote: Vote, actor: Any, options: list[str] | None = None, **changes: Any
) -> Vote:
    """Change a draft: any of EDITABLE_FIELDS, and (when given) replace its options."""
    vote = _locked(vote)
    _require_manager(actor, vote)
    if vote.status != VoteStatus.DRAFT:
        raise DomainError(_("投票发布后不能再修改，如有错误请取消投票并重新发起。"))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = {
        **snapshot(vote, _attnames()),
        "options": list(vote.options.values_list("text", flat=True)),
    }
    for field, value in changes.items():
        setattr(vote, field, value)
    _normalise(vote)
    if options is None:
        texts, option_errors = before["options"], []
    else:
        texts, option_errors = _clean_options(options)
    errors = vote_errors(vote, texts)
    if option_errors:
        errors.setdefault("options", []).extend(option_errors)
    _raise_if(errors)
    vote.save()
    if options is not None and texts != before["options"]:
        _set_options(vote, texts)
    changed = diff(before, {**snapshot(vote, _attnames()), "options": texts})
    if changed:
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=vote, changes=changed)
    return vote


@transaction.atomic
def vote_publish(*, vote: Vote, actor: Any, now: dt.datetime | None = None) -> Vote:
    now = now or timezone.now()
    vote = _locked(vote)
    _require_manager(actor, vote)
    if vote.status != VoteStatus.DRAFT:
        raise DomainError(_("只有草稿可以发布。"))
    texts = list(vote.options.values_list("text", flat=True))
    _raise_if(vote_errors(vote, texts, publishing=True, now=now))
    vote.status = VoteStatus.PUBLISHED
    vote.published_at = now
    vote.save(update_fields=["status", "published_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PUBLISH,
        obj=vote,
        changes={"status": [VoteStatus.DRAFT, VoteStatus.PUBLISHED]},
    )
    return vote


@transaction.atomic
def vote_cancel(*, vote: Vote, actor: Any, reason: str, now: dt.datetime | None = None) -> Vote:
    """Cancel a published vote before its deadline; the reason is shown to the public."""
    now = now or timezone.now()
    vote = _locked(vote)
    _require_manager(actor, vote)
    if vote.status != VoteStatus.PUBLISHED:
        raise DomainError(_("只有已发布、尚未结束的投票可以取消。"))
    if now >= vote.closes_at:
        raise DomainError(_("投票已截止，不能再取消。"))
    reason = _public_reason(
        reason, missing=_("取消投票须公开说明原因。"), too_long=_("取消原因不能超过300个字。")
    )
    vote.status = VoteStatus.CANCELLED
    vote.cancelled_at = now
    vote.cancel_reason = reason
    vote.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    audit_record(
        actor=actor,
        action=AuditAction.WITHDRAW,
        obj=vote,
        changes={"status": [VoteStatus.PUBLISHED, VoteStatus.CANCELLED]},
        note=reason,
    )
    return vote


def _close(vote_id: int, actor: Any, now: dt.datetime) -> tuple[Vote, bool]:
    # FOR UPDATE waits for the ballots and paper batches in flight (they hold FOR SHARE),
    # so the frozen tally has them all; later ones find the vote closed.
    vote = Vote.objects.select_for_update(of=("self",)).select_related("unit").get(pk=vote_id)
    if vote.status == VoteStatus.CLOSED:
        return vote, False
    if actor is not None:
        _require_manager(actor, vote)
    if vote.status != VoteStatus.PUBLISHED:
        raise DomainError(_("只有已发布的投票可以结束。"))
    if now < vote.closes_at:
        raise DomainError(_("投票尚未截止，不能提前结束。"))
    eligible = selectors.electorate_size(vote)
    tally = selectors.vote_tally(vote, eligible=eligible, final=True)
    vote.eligible_count = eligible
    vote.result = tally.as_json()
    vote.status = VoteStatus.CLOSED
    vote.closed_at = now
    vote.save(update_fields=["eligible_count", "result", "status", "closed_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=vote,
        changes={
            "status": [VoteStatus.PUBLISHED, VoteStatus.CLOSED],
            "turnout": [None, tally.turnout],
            "quorum_met": [None, tally.quorum_met],
        },
        note=_("投票截止，结果已固定并公布。"),
    )
    return vote, True


@transaction.atomic
def vote_close(*, vote: Vote, actor: Any = None, now: dt.datetime | None = None) -> Vote:
    """Close a vote whose deadline has passed: freeze who could vote and the tally, and
    publish the result. Closing a closed vote changes nothing."""
    closed, _changed = _close(vote.pk, actor, now or timezone.now())
    return closed


def votes_close_due(*, now: dt.datetime | None = None) -> int:
    """Close every published vote whose deadline has passed; returns how many this run
    closed. Each vote closes in its own transaction, so one failure holds up no other."""
    now = now or timezone.now()
    due = (
        Vote.objects.filter(status=VoteStatus.PUBLISHED, closes_at__lte=now)
        .order_by("closes_at")
        .values_list("pk", flat=True)
    )
    closed = 0
    for vote_id in list(due):
        try:
            with transaction.atomic():
                _vote, changed = _close(vote_id, None, now)
        except Exception:
            logger.exception("closing vote %s failed", vote_id)
            continue
        if changed:
            closed += 1
    return closed


# ---------------------------------------------------------------------------
# Citizens: one ballot each


def _vote_for_share(vote_id: int) -> Vote | None:
    """The vote row locked FOR SHARE: ballots in flight do not block one another, but a
    close (FOR UPDATE) waits for them and they wait for it."""
    rows = Vote.objects.raw("SELECT * FROM participation_vote WHERE id = %s FOR SHARE", [vote_id])
    return next(iter(rows), None)


def _chosen_options(vote: Vote, option_ids: Any) -> list[VoteOption]:
    if not isinstance(option_ids, list | tuple) or not option_ids:
        raise ValidationError({"options": [_("请至少选择一项。")]})
    try:
        wanted = [int(value) for value in option_ids]
    except (TypeError, ValueError):
        raise ValidationError({"options": [_("选项无效。")]}) from None
    if len(set(wanted)) != len(wanted):
        raise ValidationError({"options": [_("同一选项只能选一次。")]})
    found = {option.pk: option for option in vote.options.filter(pk__in=wanted)}
    if len(found) != len(wanted):
        raise ValidationError({"options": [_("所选选项不属于本次投票。")]})
    if not vote.multiple and len(wanted) > 1:
        raise ValidationError({"options": [_("本次投票为单选，只能选择一项。")]})
    if len(wanted) > vote.max_choices:
        raise ValidationError(
            {"options": [_("本次投票最多可选%(n)d项。") % {"n": vote.max_choices}]}
        )
    return [found[pk] for pk in wanted]


def _write_choices(ballot: Ballot, vote: Vote, options: list[VoteOption]) -> None:
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, option=option, vote=vote) for option in options
    )


def _change(vote: Vote, key: str, options: list[VoteOption], now: dt.datetime) -> Ballot:
    ballot = Ballot.objects.select_for_update().get(vote=vote, voter_key=key)
    ballot.choices.all().delete()
    _write_choices(ballot, vote, options)
    ballot.changed_at = now
    ballot.save(update_fields=["changed_at"])
    return ballot


@transaction.atomic
def ballot_cast(
    *, vote: Vote, voter: Any, option_ids: list[int], now: dt.datetime | None = None
) -> tuple[Ballot, bool]:
    """Cast `voter`'s ballot. Returns (ballot, changed): changed is True when a vote that
    allows it replaced the person's earlier choices.

    Raises BallotConflict (not open, closed, cancelled, voted already), NotEligible, or a
    ValidationError on `options`.
    """
    locked = _vote_for_share(vote.pk)
    if locked is None:
        raise BallotConflict(_("没有这项投票。"))
    vote = locked
    now = now or timezone.now()
    refusal = selectors.window_refusal(vote, now)
    if refusal:
        raise BallotConflict(refusal)
    why_not = eligibility.refusal(voter, vote)
    if why_not:
        raise NotEligible(why_not)
    options = _chosen_options(vote, option_ids)
    key = eligibility.participant_key("vote", vote.pk, voter)
    if Ballot.objects.filter(vote=vote, voter_key=key).exists():
        if not vote.allow_change:
            raise BallotConflict(_("您已投过票，本次投票不允许改票。"))
        return _change(vote, key, options, now), True
    try:
        # A savepoint: a simultaneous first ballot of the same person may win the race,
        # and then this insert breaks the unique key instead of adding a second ballot.
        with transaction.atomic():
            ballot = Ballot.objects.create(
                vote=vote, voter_key=key, voter=None if vote.secret else voter
            )
    except IntegrityError:
        if not vote.allow_change:
            raise BallotConflict(_("您已投过票，本次投票不允许改票。")) from None
        return _change(vote, key, options, now), True
    _write_choices(ballot, vote, options)
    return ballot, False


# ---------------------------------------------------------------------------
# Paper ballots counted at a meeting


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def paper_batch_errors(
    *,
    vote: Vote,
    counted_on: dt.date | None,
    ballots: int | None,
    invalid: int | None,
    counts: Mapping[int, int | None],
    note: str,
    today: dt.date | None = None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    today = today or timezone.localdate()
    if counted_on is None:
        add("counted_on", _("请填写计票日期。"))
    elif not _local_date(vote.opens_at) <= counted_on <= _local_date(vote.closes_at):
        add("counted_on", _("计票日期应在投票期间内。"))
    elif counted_on > today:
        add("counted_on", _("计票日期不能晚于今天。"))
    if ballots is None or ballots < 1:
        add("ballots", _("收回选票数应为正整数。"))
    if invalid is None or invalid < 0:
        add("invalid", _("无效票数不能为负数。"))
    elif ballots is not None and invalid > ballots:
        add("invalid", _("无效票数不能超过收回选票数。"))
    note = (note or "").strip()
    if not note:
        add("note", _("请说明计票的会议或场合，例如：居民代表会议现场计票。"))
    elif len(note) > 300:
        add("note", _("说明不能超过300个字。"))
    option_ids = set(vote.options.values_list("pk", flat=True))
    given = {int(key): value for key, value in counts.items()}
    if set(given) - option_ids:
        add("counts", _("所填选项不属于本次投票。"))
    elif set(given) != option_ids or any(value is None for value in given.values()):
        add("counts", _("请填写每个选项的得票数（没有得票填0）。"))
    elif any(value < 0 for value in given.values()):
        add("counts", _("得票数不能为负数。"))
    if errors:
        return errors
    size = selectors.electorate_size(vote)
    turnout = selectors.vote_tally(vote, eligible=size).turnout
    if size is not None and turnout + ballots > size:
        add(
            "ballots",
            _(
                "录入后参与人数（%(after)d）将超过有投票资格人数（%(size)d）。纸质投票的村（居）民"
                "大多不在平台上，发起投票时请填写名册人数。"
            )
            % {"after": turnout + ballots, "size": size},
        )
        return errors
    valid = ballots - invalid
    total = sum(given.values())
    if not vote.multiple:
        if total + invalid != ballots:
            add(
                "counts",
                _(
                    "单选投票：各选项得票数之和（%(total)d）加无效票数（%(invalid)d）"
                    "应等于收回选票数（%(ballots)d）。"
                )
                % {"total": total, "invalid": invalid, "ballots": ballots},
            )
    else:
        if any(value > valid for value in given.values()):
            add("counts", _("每个选项的得票数不能超过有效票数（%(valid)d）。") % {"valid": valid})
        if total > valid * vote.max_choices:
            add(
                "counts",
                _("得票数之和不能超过有效票数乘以最多可选项数（%(limit)d）。")
                % {"limit": valid * vote.max_choices},
            )
        elif total < valid:
            add(
                "counts",
                _("每张有效票至少选一项：得票数之和不能少于有效票数（%(valid)d）。")
                % {"valid": valid},
            )
    return errors


def _paper_vote(vote: Vote, actor: Any) -> Vote:
    locked = _vote_for_share(vote.pk)
    if locked is None:
        raise DomainError(_("没有这项投票。"))
    _require_manager(actor, locked, _("只有组织单位的工作人员可以录入或作废纸质选票。"))
    if locked.status != VoteStatus.PUBLISHED:
        raise DomainError(_("只有已发布、尚未结束的投票可以录入或作废纸质选票。"))
    return locked


@transaction.atomic
def paper_batch_enter(
    *,
    vote: Vote,
    counted_on: dt.date,
    ballots: int,
    invalid: int,
    counts: Mapping[int, int],
    note: str,
    actor: Any,
) -> PaperBatch:
    """Record the paper ballots counted at a meeting: how many came back, how many were
    invalid, and the votes for each option (every option, 0 where none)."""
    vote = _paper_vote(vote, actor)
    _raise_if(
        paper_batch_errors(
            vote=vote,
            counted_on=counted_on,
            ballots=ballots,
            invalid=invalid,
            counts=counts,
            note=note,
        )
    )
    batch = PaperBatch.objects.create(
        vote=vote,
        counted_on=counted_on,
        ballots=ballots,
        invalid=invalid,
        note=note.strip(),
        entered_by=actor,
    )
    PaperCount.objects.bulk_create(
        PaperCount(batch=batch, option_id=int(option_id), count=count)
        for option_id, count in counts.items()
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=batch,
        unit=vote.unit,
        changes={
            "vote": [None, vote.pk],
            "counted_on": [None, str(counted_on)],
            "ballots": [None, ballots],
            "invalid": [None, invalid],
            "counts": [None, {str(k): v for k, v in sorted(counts.items())}],
        },
        note=note.strip(),
    )
    return batch


@transaction.atomic
def paper_batch_void(*, batch: PaperBatch, reason: str, actor: Any) -> PaperBatch:
    """A mistaken batch is voided with a reason (and entered again correctly), never
    edited or deleted; the tally leaves voided batches out."""
    vote = _paper_vote(batch.vote, actor)
    batch = PaperBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.voided_at is not None:
        raise DomainError(_("该批纸质选票已作废。"))
    reason = _public_reason(
        reason, missing=_("作废须说明原因。"), too_long=_("作废原因不能超过300个字。")
    )
    batch.voided_at = timezone.now()
    batch.voided_by = actor
    batch.void_reason = reason
    batch.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit_record(
        actor=actor,
        action=AuditAction.WITHDRAW,
        obj=batch,
        unit=vote.unit,
        changes={"voided_at": [None, str(batch.voided_at)]},
        note=reason,
    )
    return batch


# ---------------------------------------------------------------------------
# Voting bodies and their members


@transaction.atomic
def body_create(*, unit: Unit, name: str, kind: str, actor: Any) -> VotingBody:
    _require_manager(actor, unit, _("只有本单位的工作人员可以设立议事组织。"))
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("请填写组织名称。")]
    elif len(name) > 100:
        errors["name"] = [_("组织名称不能超过100个字。")]
    elif VotingBody.objects.filter(unit=unit, name=name).exists():
        errors["name"] = [_("本单位已有同名的议事组织。")]
    if kind not in BodyKind.values:
        errors["kind"] = [_("请选择组织类型。")]
    _raise_if(errors)
    body = VotingBody.objects.create(unit=unit, region_id=unit.region_id, name=name, kind=kind)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=body,
        changes={"name": [None, name], "kind": [None, kind]},
    )
    return body


@transaction.atomic
def body_member_add(
    *,
    body: VotingBody,
    user: User | None,
    name: str,
    actor: Any,
    role: str = "",
    started_on: dt.date | None = None,
) -> BodyMember:
    """Add a portal user to a body under their real name and role (职务)."""
    body = VotingBody.objects.select_for_update(of=("self",)).select_related("unit").get(pk=body.pk)
    _require_manager(actor, body, _("只有本单位的工作人员可以调整组织成员。"))
    started_on = started_on or timezone.localdate()
    name, role = (name or "").strip(), (role or "").strip()
    errors: dict[str, list[str]] = {}
    if user is None or not user.is_active:
        errors["user"] = [_("请选择一个在用的平台用户。")]
    elif BodyMember.objects.filter(body=body, user=user, ended_on__isnull=True).exists():
        errors["user"] = [_("该用户已是本组织的现任成员。")]
    if not name:
        errors["name"] = [_("请填写成员姓名。")]
    elif len(name) > 40:
        errors["name"] = [_("姓名不能超过40个字。")]
    if len(role) > 40:
        errors["role"] = [_("职务不能超过40个字。")]
    _raise_if(errors)
    member = BodyMember.objects.create(
        body=body, user=user, name=name, role=role, started_on=started_on
    )
    audit_record(
        actor=actor,
        action=AuditAction.GRANT,
        obj=member,
        unit=body.unit,
        changes={
            "user": [None, user.pk],
            "role": [None, role],
            "started_on": [None, str(started_on)],
        },
    )
    return member


@transaction.atomic
def body_member_end(
    *, member: BodyMember, actor: Any, ended_on: dt.date | None = None
) -> BodyMember:
    """A member leaves: the row stays with its end date, so past votes keep their sense."""
    member = BodyMember.objects.select_for_update().get(pk=member.pk)
    body = VotingBody.objects.select_related("unit").get(pk=member.body_id)
    _require_manager(actor, body, _("只有本单位的工作人员可以调整组织成员。"))
    if member.ended_on is not None:
        raise DomainError(_("该成员已离任。"))
    ended_on = ended_on or timezone.localdate()
    if ended_on < member.started_on:
        raise ValidationError({"ended_on": [_("离任日期不能早于任职日期。")]})
    member.ended_on = ended_on
    member.save(update_fields=["ended_on"])
    audit_record(
        actor=actor,
        action=AuditAction.REVOKE,
        obj=member,
        unit=body.unit,
        changes={"ended_on": [None, str(ended_on)]},
    )
    return member
