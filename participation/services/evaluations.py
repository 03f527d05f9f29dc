"""Every write of democratic evaluations (民主评议).

An organising unit's officials create a round (one cycle, a year), add its subjects while
it is a draft and publish it; people who may take part (participation.eligibility) rate
each subject once; when the window ends the task closes the round, freezes the counts and
flags every subject that a majority rated 不满意 in this year and in the year before.
Supervisors mark such flags handled. Officials' actions are audited; citizens' ratings
are anonymous (a keyed hash per subject and person, no user column).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from participation import eligibility
from participation.models import (
    Eligibility,
    Evaluation,
    EvaluationFlag,
    EvaluationRound,
    EvaluationSubject,
    Rating,
    RoundStatus,
    SubjectKind,
    VotingBody,
)
from participation.models.common import Phase
from participation.permissions import can_handle_evaluation_flag, can_manage
from portal.models import AuditAction, Region, Unit
from portal.services.audit import audit_record, diff, snapshot
from portal.services.errors import Conflict, DomainError, NotAllowed

MAX_TITLE = EvaluationRound._meta.get_field("title").max_length
MAX_REASON = EvaluationRound._meta.get_field("cancel_reason").max_length
MAX_NAME = EvaluationSubject._meta.get_field("name").max_length
MAX_ROLE = EvaluationSubject._meta.get_field("role").max_length
MAX_KEY = EvaluationSubject._meta.get_field("subject_key").max_length
MAX_COMMENT = Evaluation._meta.get_field("comment").max_length
MAX_NOTE = EvaluationFlag._meta.get_field("handling_note").max_length
YEARS = (2000, 2100)
# The fields of a round an official sets; the rest follows from its status.
ROUND_FIELDS = (
    "title",
    "year",
    "description",
    "opens_at",
    "closes_at",
    "eligibility",
    "electorate_region",
    "body",
)
# Free identifiers of projects and services: what an official types, e.g. "XJ-2026-003".
_IDENTIFIER = re.compile(r"^\S+$")


class NotEligible(NotAllowed):
    """The person may not take part in this round (the API answers 403)."""


class EvaluationConflict(Conflict):
    """The submission conflicts with the round's state (the API answers 409)."""


class WindowNotOpen(EvaluationConflict):
    """The window has not opened yet, has ended, or the round was cancelled."""


class AlreadyEvaluated(EvaluationConflict):
    """The person has already rated one of the subjects."""


# --- Helpers -------------------------------------------------------------------------


def _local(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def _locked(round: EvaluationRound) -> EvaluationRound:
    return (
        EvaluationRound.objects.select_for_update(of=("self",))
        .select_related("unit", "electorate_region", "body")
        .get(pk=round.pk)
    )


def _require_manager(actor: Any, unit: Unit | None) -> None:
    if unit is None or not can_manage(actor, unit):
        raise DomainError(_("只有组织单位的工作人员可以管理该民主评议。"))


def _require_draft(round: EvaluationRound) -> None:
    if round.status != RoundStatus.DRAFT:
        raise DomainError(_("评议已发布，评议对象和评议设置不能再修改。"))


def _round_errors(round: EvaluationRound) -> dict[str, list[str]]:
    """Everything wrong with a round's own fields, by field."""
    errors: dict[str, list[str]] = {}
    if not round.title:
        errors["title"] = [_("请填写评议名称。")]
    elif len(round.title) > MAX_TITLE:
        errors["title"] = [_("评议名称不能超过%(n)d个字。") % {"n": MAX_TITLE}]
    if not isinstance(round.year, int) or not YEARS[0] <= round.year <= YEARS[1]:
        errors["year"] = [_("请填写评议年度，例如 2026。")]
    if round.opens_at is None:
        errors["opens_at"] = [_("请填写开始时间。")]
    if round.closes_at is None:
        errors["closes_at"] = [_("请填写截止时间。")]
    elif round.opens_at is not None and round.closes_at <= round.opens_at:
        errors["closes_at"] = [_("截止时间应晚于开始时间。")]
    if round.eligibility not in Eligibility.values:
        errors["eligibility"] = [_("请选择参与范围。")]
    else:
        errors.update(eligibility.electorate_errors(round, round.unit))
    return errors


def _normalise_electorate(round: EvaluationRound) -> None:
    """Keep only what the chosen rule reads: a place for residents and households, a
    body for a body, nothing for every registered user."""
    if round.eligibility != Eligibility.BODY:
        round.body = None
    if round.eligibility not in (Eligibility.RESIDENTS, Eligibility.HOUSEHOLDS):
        round.electorate_region = None


def _clean_round(round: EvaluationRound) -> None:
    round.title = (round.title or "").strip()
    round.description = (round.description or "").strip()
    _normalise_electorate(round)
    errors = _round_errors(round)
    if errors:
        raise ValidationError(errors)


def _year_taken(keys: Iterable[str], year: int, *, exclude_round: int | None = None):
    """Subjects of `keys` already in another (not cancelled) round of `year`."""
    taken = EvaluationSubject.objects.filter(
        subject_key__in=list(keys), year=year, cancelled=False
    ).select_related("round")
    if exclude_round is not None:
        taken = taken.exclude(round_id=exclude_round)
    return taken


def _taken_message(subject: EvaluationSubject) -> str:
    return _("%(name)s已在%(year)d年度的“%(title)s”中评议，每个对象每年只评议一次。") % {
        "name": subject.name,
        "year": subject.year,
        "title": subject.round.title,
    }


# --- Rounds --------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    unit: Unit | None,
    title: str,
    year: int,
    opens_at: dt.datetime | None,
    closes_at: dt.datetime | None,
    eligibility: str,
    electorate_region: Region | None = None,
    body: VotingBody | None = None,
    description: str = "",
    actor: Any,
) -> EvaluationRound:
    """A draft round organised by `unit`; subjects are added before it is published."""
    _require_manager(actor, unit)
    if not unit.is_active:
        raise ValidationError({"unit": [_("该单位已停用。")]})
    round = EvaluationRound(
        unit=unit,
        region_id=unit.region_id,
        created_by=actor,
        title=title,
        year=year,
        description=description,
        opens_at=opens_at,
        closes_at=closes_at,
        eligibility=eligibility,
        electorate_region=electorate_region,
        body=body,
    )
    _clean_round(round)
    round.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=round,
        changes=diff({}, snapshot(round, ["title", "year", "opens_at", "closes_at"])),
    )
    return round


@transaction.atomic
def round_update(*, round: EvaluationRound, actor: Any, **changes: Any) -> EvaluationRound:
    """Change a draft's settings (ROUND_FIELDS). A new year moves its subjects along,
    unless one of them is already evaluated in that year."""
    unknown = set(changes) - set(ROUND_FIELDS)
    if unknown:
        raise TypeError(f"round_update() got unexpected fields: {sorted(unknown)}")
    round = _locked(round)
    _require_manager(actor, round.unit)
    _require_draft(round)
    before = snapshot(round, [EvaluationRound._meta.get_field(f).attname for f in ROUND_FIELDS])
    for field, value in changes.items():
        setattr(round, field, value)
    _clean_round(round)
    year_changed = round.year != before["year"]
    if year_changed:
        keys = round.subjects.values_list("subject_key", flat=True)
        taken = list(_year_taken(keys, round.year, exclude_round=round.pk)[:3])
        if taken:
            raise ValidationError({"year": [_taken_message(subject) for subject in taken]})
    round.save(update_fields=list(ROUND_FIELDS))
    if year_changed:
        try:
            with transaction.atomic():
                round.subjects.update(year=round.year)
        except IntegrityError:
            # A subject was added to another round of that year a moment ago.
            raise ValidationError(
                {"year": [_("有评议对象刚刚被加入该年度的另一次评议，请核对后再改年度。")]}
            ) from None
    after = snapshot(round, list(before))
    changed = diff(before, after)
    if changed:
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=round, changes=changed)
    return round


@transaction.atomic
def round_publish(
    *, round: EvaluationRound, actor: Any, now: dt.datetime | None = None
) -> EvaluationRound:
    """Publish a draft: it needs a subject, a window that has not ended and a valid
    electorate. People may rate from `opens_at` on."""
    now = now or timezone.now()
    round = _locked(round)
    _require_manager(actor, round.unit)
    if round.status != RoundStatus.DRAFT:
        raise DomainError(_("该评议已发布过。"))
    errors = _round_errors(round)
    if not round.subjects.exists():
        errors["subjects"] = [_("请至少添加一个评议对象。")]
    if round.closes_at <= now:
        errors.setdefault("closes_at", []).append(_("截止时间已过，请修改截止时间后再发布。"))
    if errors:
        raise ValidationError(errors)
    round.status = RoundStatus.PUBLISHED
    round.published_at = now
    round.save(update_fields=["status", "published_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PUBLISH,
        obj=round,
        changes={"status": [RoundStatus.DRAFT, RoundStatus.PUBLISHED]},
    )
    return round


@transaction.atomic
def round_cancel(
    *, round: EvaluationRound, actor: Any, reason: str, now: dt.datetime | None = None
) -> EvaluationRound:
    """Cancel a published round that has not closed, with a reason shown publicly. Its
    ratings are kept but never counted, and its subjects may be evaluated again this year."""
    round = _locked(round)
    _require_manager(actor, round.unit)
    if round.status == RoundStatus.DRAFT:
        raise DomainError(_("尚未发布的评议不能取消，可以继续修改。"))
    if round.status == RoundStatus.CLOSED:
        raise DomainError(_("评议已结束，结果已公布，不能取消。"))
    if round.status == RoundStatus.CANCELLED:
        raise DomainError(_("该评议已取消。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("取消评议须说明原因。")]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [_("取消原因不能超过%(n)d个字。") % {"n": MAX_REASON}]})
    round.status = RoundStatus.CANCELLED
    round.cancelled_at = now or timezone.now()
    round.cancel_reason = reason
    round.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    round.subjects.update(cancelled=True)
    audit_record(
        actor=actor,
        action=AuditAction.WITHDRAW,
        obj=round,
        changes={"status": [RoundStatus.PUBLISHED, RoundStatus.CANCELLED]},
        note=reason,
    )
    return round


# --- Subjects ------------------------------------------------------------------------


def _key_field(kind: str) -> str:
    """The form/API field that names the subject, for its error messages."""
    return {SubjectKind.OFFICIAL: "official", SubjectKind.UNIT: "unit"}.get(kind, "identifier")


def subject_key_for(
    *, kind: str, official: Any = None, unit: Unit | None = None, identifier: str = ""
) -> tuple[str, str]:
    """(subject_key, default name) of a subject, or a ValidationError naming the field.

    Keys name the same subject across years: `official:<user id>` (a village official
    with a portal account), `unit:<unit id>`, and for fund projects and services a stable
    identifier the official types (`project:XJ-2026-003`): the funds app that will own
    projects does not exist yet, so the project's own number is the link between years.
    """
    if kind == SubjectKind.OFFICIAL:
        if official is None or not getattr(official, "is_active", False):
            raise ValidationError({"official": [_("请选择被评议的干部（平台用户）。")]})
        return f"official:{official.pk}", official.full_name or official.get_username()
    if kind == SubjectKind.UNIT:
        if unit is None:
            raise ValidationError({"unit": [_("请选择被评议的单位。")]})
        return f"unit:{unit.pk}", unit.name
    if kind in (SubjectKind.PROJECT, SubjectKind.SERVICE):
        identifier = (identifier or "").strip()
        room = MAX_KEY - len(kind) - 1
        if not identifier:
            raise ValidationError(
                {"identifier": [_("请填写项目编号或服务事项编号，用于与往年评议对应。")]}
            )
        if not _IDENTIFIER.match(identifier):
            raise ValidationError({"identifier": [_("编号中不能有空格。")]})
        if len(identifier) > room:
            raise ValidationError({"identifier": [_("编号不能超过%(n)d个字符。") % {"n": room}]})
        return f"{kind}:{identifier}", ""
    raise ValidationError({"kind": [_("请选择评议对象类型。")]})


def _subject_text_errors(name: str, role: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("请填写评议对象名称。")]
    elif len(name) > MAX_NAME:
        errors["name"] = [_("名称不能超过%(n)d个字。") % {"n": MAX_NAME}]
    if len(role) > MAX_ROLE:
        errors["role"] = [_("职务或说明不能超过%(n)d个字。") % {"n": MAX_ROLE}]
    return errors


@transaction.atomic
def subject_add(
    *,
    round: EvaluationRound,
    kind: str,
    actor: Any,
    official: Any = None,
    unit: Unit | None = None,
    identifier: str = "",
    name: str = "",
    role: str = "",
) -> EvaluationSubject:
    """Add a subject to a draft round. A subject is in one round a year (cancelled rounds
    aside): the unique (subject_key, year) constraint decides under any concurrency."""
    round = _locked(round)
    _require_manager(actor, round.unit)
    _require_draft(round)
    key, default_name = subject_key_for(
        kind=kind, official=official, unit=unit, identifier=identifier
    )
    name, role = (name or "").strip() or default_name, (role or "").strip()
    errors = _subject_text_errors(name, role)
    if errors:
        raise ValidationError(errors)
    taken = _year_taken([key], round.year).first()
    if taken is not None:
        message = (
            _("本次评议已包含该对象。") if taken.round_id == round.pk else _taken_message(taken)
        )
        raise ValidationError({_key_field(kind): [message]})
    seq = (round.subjects.aggregate(last=Max("seq"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            subject = EvaluationSubject.objects.create(
                round=round,
                kind=kind,
                subject_key=key,
                name=name,
                role=role,
                seq=seq,
                year=round.year,
            )
    except IntegrityError:
        # Another official added the same subject to a round of this year a moment ago.
        raise ValidationError(
            {_key_field(kind): [_("该对象刚刚被加入本年度的另一次评议，每个对象每年只评议一次。")]}
        ) from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=subject,
        unit=round.unit,
        changes=diff({}, {"subject_key": key, "name": name, "role": role}),
    )
    return subject


def _locked_subject(subject: EvaluationSubject) -> EvaluationSubject:
    subject = EvaluationSubject.objects.select_for_update().get(pk=subject.pk)
    subject.round = _locked(subject.round)
    return subject


@transaction.atomic
def subject_update(
    *, subject: EvaluationSubject, actor: Any, name: str, role: str = ""
) -> EvaluationSubject:
    """Correct a draft subject's name or role (who it is stays: remove it and add another)."""
    subject = _locked_subject(subject)
    _require_manager(actor, subject.round.unit)
    _require_draft(subject.round)
    name, role = (name or "").strip(), (role or "").strip()
    errors = _subject_text_errors(name, role)
    if errors:
        raise ValidationError(errors)
    before = snapshot(subject, ["name", "role"])
    subject.name, subject.role = name, role
    changed = diff(before, snapshot(subject, ["name", "role"]))
    if changed:
        subject.save(update_fields=["name", "role"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=subject,
            unit=subject.round.unit,
            changes=changed,
        )
    return subject


@transaction.atomic
def subject_remove(*, subject: EvaluationSubject, actor: Any) -> None:
    """Take a subject out of a draft round. Nobody has seen a draft, so the row goes; once
    published, subjects stay (the round is cancelled with a reason instead)."""
    subject = _locked_subject(subject)
    _require_manager(actor, subject.round.unit)
    _require_draft(subject.round)
    audit_record(
        actor=actor,
        action=AuditAction.WITHDRAW,
        obj=subject,
        unit=subject.round.unit,
        changes={"subject_key": [subject.subject_key, None]},
        note=_("从评议草稿中移除评议对象"),
    )
    subject.delete()


# --- Taking part ---------------------------------------------------------------------


def _share_lock(round: EvaluationRound) -> None:
    """Hold the round against closing while this submission is written: round_close
    takes FOR UPDATE, so it waits for submissions in flight, and a submission that comes
    after it sees the round closed. Submissions do not wait for one another."""
    table = connection.ops.quote_name(EvaluationRound._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR SHARE", [round.pk])  # noqa: S608  # nosec B608


def window_refusal(round: EvaluationRound, now: dt.datetime | None = None) -> str | None:
    """Why nobody may rate in `round` now, or None while its window is open."""
    now = now or timezone.now()
    if round.status == RoundStatus.CANCELLED:
        return _("该评议已取消：%(reason)s") % {"reason": round.cancel_reason}
    if round.status == RoundStatus.CLOSED:
        return _("评议已结束，不能再评议。")
    if round.status != RoundStatus.PUBLISHED:
        return _("该评议尚未发布。")
    phase = round.phase(now)
    if phase == Phase.UPCOMING:
        return _("评议尚未开始，开始时间：%(when)s。") % {"when": _local(round.opens_at)}
    if phase == Phase.ENDED:
        return _("评议已于%(when)s截止，不能再评议。") % {"when": _local(round.closes_at)}
    return None


def evaluator_key(subject_id: int, user: Any) -> str:
    return eligibility.participant_key("evaluation", subject_id, user)


def _clean_ratings(
    round: EvaluationRound, ratings: Any, user: Any
) -> list[tuple[EvaluationSubject, str, str]]:
    """(subject, rating, comment) for each item, or one ValidationError listing every
    bad item by its position."""
    if not isinstance(ratings, list | tuple) or not ratings:
        raise ValidationError({"ratings": [_("请至少对一个评议对象作出评价。")]})
    subjects = {subject.pk: subject for subject in round.subjects.all()}
    own_key = f"official:{user.pk}"
    problems: list[str] = []
    clean: list[tuple[EvaluationSubject, str, str]] = []
    seen: set[int] = set()
    unknown: dict[int, int] = {}
    for position, item in enumerate(ratings, start=1):
        item = item if isinstance(item, Mapping) else {}
        raw_id = item.get("subject")
        subject_id = raw_id if isinstance(raw_id, int) and not isinstance(raw_id, bool) else None
        subject = subjects.get(subject_id)
        if subject is None:
            if subject_id is None:
                problems.append(_("第%(n)d项：请指明评议对象。") % {"n": position})
            else:
                unknown[position] = subject_id
            continue
        label = {"n": position, "name": subject.name}
        if subject.pk in seen:
            problems.append(_("第%(n)d项（%(name)s）：同一对象只能评价一次。") % label)
            continue
        seen.add(subject.pk)
        if subject.subject_key == own_key:
            problems.append(_("第%(n)d项（%(name)s）：不能评议本人。") % label)
            continue
        rating = item.get("rating")
        if rating not in Rating.values:
            problems.append(_("第%(n)d项（%(name)s）：请选择满意、基本满意或不满意。") % label)
            continue
        comment = item.get("comment") or ""
        if not isinstance(comment, str):
            problems.append(_("第%(n)d项（%(name)s）：意见应为文字。") % label)
            continue
        comment = comment.strip()
        if len(comment) > MAX_COMMENT:
            problems.append(
                _("第%(n)d项（%(name)s）：意见不能超过%(max)d个字。")
                % {**label, "max": MAX_COMMENT}
            )
            continue
        clean.append((subject, rating, comment))
    if unknown:
        elsewhere = set(
            EvaluationSubject.objects.filter(pk__in=unknown.values()).values_list("pk", flat=True)
        )
        for position, subject_id in unknown.items():
            if subject_id in elsewhere:
                problems.append(_("第%(n)d项：该评议对象不属于本次评议。") % {"n": position})
            else:
                problems.append(_("第%(n)d项：没有这个评议对象。") % {"n": position})
    if problems:
        raise ValidationError({"ratings": problems})
    return clean


def already_message(names: list[str]) -> str:
    return _("您已评议过：%(names)s。每个对象每人只能评议一次。") % {"names": "、".join(names)}


@transaction.atomic
def evaluation_submit(
    *,
    round: EvaluationRound,
    ratings: Any,
    user: Any,
    now: dt.datetime | None = None,
) -> list[Evaluation]:
    """Store one person's ratings of some or all of a round's subjects, all or none.

    `ratings` is a list of {"subject": <id>, "rating": "satisfied|basic|unsatisfied",
    "comment": ""}. Raises WindowNotOpen (not open, closed, cancelled), NotEligible
    (participation.eligibility's refusal), ValidationError (bad items) or AlreadyEvaluated
    (a subject this person has rated, also when two submissions race).
    """
    now = now or timezone.now()
    if not getattr(user, "is_authenticated", False):
        raise NotEligible(_("请先登录。"))
    _share_lock(round)
    round = EvaluationRound.objects.select_related("electorate_region", "body").get(pk=round.pk)
    closed = window_refusal(round, now)
    if closed:
        raise WindowNotOpen(closed)
    refusal = eligibility.refusal(user, round)
    if refusal:
        raise NotEligible(refusal)
    items = _clean_ratings(round, ratings, user)
    keys = {subject.pk: evaluator_key(subject.pk, user) for subject, _rating, _comment in items}
    done = set(
        Evaluation.objects.filter(
            subject_id__in=list(keys), evaluator_key__in=list(keys.values())
        ).values_list("subject_id", flat=True)
    )
    if done:
        raise AlreadyEvaluated(
            already_message([subject.name for subject, *_rest in items if subject.pk in done])
        )
    evaluations = [
        Evaluation(
            subject=subject,
            round=round,
            region_id=round.region_id,
            evaluator_key=keys[subject.pk],
            rating=rating,
            comment=comment,
        )
        for subject, rating, comment in items
    ]
    try:
        with transaction.atomic():
            Evaluation.objects.bulk_create(evaluations)
    except IntegrityError:
        # The same person's other submission won the race; the unique key decided.
        raise AlreadyEvaluated(
            already_message([subject.name for subject, *_rest in items])
        ) from None
    return evaluations


# --- Closing and flags ---------------------------------------------------------------


def _flag(subject: EvaluationSubject, previous: EvaluationSubject, round: EvaluationRound) -> None:
    EvaluationFlag.objects.get_or_create(
        subject=subject,
        defaults={"previous": previous, "unit_id": round.unit_id, "region_id": round.region_id},
    )


def _raise_flags(round: EvaluationRound, subjects: list[EvaluationSubject]) -> None:
    """Flag each subject rated 不满意 by a majority this year and in the neighbouring
    year's closed round. Normally the earlier round closed first; when it closes later,
    it flags the later year's subject, so the order of closing does not matter."""
    unfit = {subject.subject_key: subject for subject in subjects if subject.majority_unsatisfied}
    if not unfit:
        return
    neighbours = EvaluationSubject.objects.filter(
        subject_key__in=list(unfit),
        year__in=[round.year - 1, round.year + 1],
        cancelled=False,
        round__status=RoundStatus.CLOSED,
    ).select_related("round")
    for other in neighbours:
        if not other.majority_unsatisfied:
            continue
        subject = unfit[other.subject_key]
        if other.year < subject.year:
            _flag(subject, other, round)
        else:
            _flag(other, subject, other.round)


@transaction.atomic
def round_close(*, round: EvaluationRound, now: dt.datetime | None = None) -> EvaluationRound:
    """Close a round whose window has ended: freeze each subject's counts and the number
    of people who could take part, then raise the two-year flags. Closing a closed round
    changes nothing."""
    now = now or timezone.now()
    round = _locked(round)
    if round.status == RoundStatus.CLOSED:
        return round
    if round.status != RoundStatus.PUBLISHED:
        raise DomainError(_("只有已发布的评议可以结束。"))
    if now < round.closes_at:
        raise DomainError(_("评议尚未截止。"))
    counts: dict[int, dict[str, int]] = {}
    rows = (
        Evaluation.objects.filter(round=round)
        .values("subject_id", "rating")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["subject_id"], {})[row["rating"]] = row["n"]
    subjects = list(round.subjects.all())
    for subject in subjects:
        tally = counts.get(subject.pk, {})
        subject.satisfied = tally.get(Rating.SATISFIED, 0)
        subject.basic = tally.get(Rating.BASIC, 0)
        subject.unsatisfied = tally.get(Rating.UNSATISFIED, 0)
    EvaluationSubject.objects.bulk_update(subjects, ["satisfied", "basic", "unsatisfied"])
    round.eligible_count = eligibility.eligible_count(round)
    round.status = RoundStatus.CLOSED
    round.closed_at = now
    round.save(update_fields=["eligible_count", "status", "closed_at"])
    _raise_flags(round, subjects)
    audit_record(
        actor=None,
        action=AuditAction.CHANGE,
        obj=round,
        changes={"status": [RoundStatus.PUBLISHED, RoundStatus.CLOSED]},
        note=_("评议截止，结果已冻结"),
    )
    return round


def rounds_close_due(*, now: dt.datetime | None = None) -> int:
    """Close every published round whose window has ended; how many were closed. Each
    round closes in its own transaction, and a round another worker is closing is left
    to it (SKIP LOCKED), so overlapping runs neither wait nor count twice."""
    now = now or timezone.now()
    due = EvaluationRound.objects.filter(
        status=RoundStatus.PUBLISHED, closes_at__lte=now
    ).values_list("pk", flat=True)
    closed = 0
    for pk in list(due):
        with transaction.atomic():
            round = (
                EvaluationRound.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=RoundStatus.PUBLISHED)
                .first()
            )
            if round is None:
                continue
            round_close(round=round, now=now)
            closed += 1
    return closed


@transaction.atomic
def flag_handle(
    *, flag: EvaluationFlag, actor: Any, note: str, now: dt.datetime | None = None
) -> EvaluationFlag:
    """A supervisor of the flag's place records what was done about it."""
    flag = (
        EvaluationFlag.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=flag.pk)
    )
    if not can_handle_evaluation_flag(actor, flag):
        raise DomainError(_("只有该地的监督人员可以处理此提示。"))
    if flag.handled_at is not None:
        raise DomainError(_("该提示已处理。"))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("请填写处理情况。")]})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": [_("处理情况不能超过%(n)d个字。") % {"n": MAX_NOTE}]})
    flag.handled_at = now or timezone.now()
    flag.handled_by = actor
    flag.handling_note = note
    flag.save(update_fields=["handled_at", "handled_by", "handling_note"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=flag,
        changes={"handled_at": [None, str(flag.handled_at)]},
        note=note,
    )
    return flag
