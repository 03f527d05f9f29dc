"""Every write of the proxy service (代办). A resident asks for help with a guide's matter;
the village's agents (or the township's, when the village cannot do it) take it, finish
it or return it with a reason; the resident rates it once. Each step appends a
ProxyEvent, which the resident sees, and an audit row, in the same transaction.

Status machine: received → in_progress → done; received or in_progress → returned.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import identity
from portal.codes import DIGITS, new_code
from portal.models import AuditAction, Region, Tier
from portal.ratelimit import ip_key, rate_check
from portal.services.audit import audit_record
from portal.services.errors import Conflict, NotAllowed
from portal.workdays import add_working_days, end_of_day
from services import permissions
from services.models import (
    GuideStatus,
    ProxyEvent,
    ProxyRating,
    ProxyRequest,
    ProxyStatus,
    ServiceGuide,
)
from services.selectors import proxy as selectors

NOTE_MAX = 300


def due_days(guide: ServiceGuide) -> int:
    """The agent's working days: the local default, or the matter's promised time limit
    when that is longer (the agent cannot promise less than the office does)."""
    return max(settings.SERVICES_PROXY_DUE_DAYS, guide.promised_limit_days or 0)


def due_after(moment: dt.datetime, guide: ServiceGuide) -> tuple[dt.datetime, bool]:
    """End of the N-th working day after `moment` on the portal's calendar, and whether
    that is provisional (a year whose holidays are not yet published)."""
    result = add_working_days(moment, due_days(guide))
    return end_of_day(result.date), result.provisional


def _actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _event(proxy_request: ProxyRequest, status: str, actor: Any, at: dt.datetime, note: str = ""):
    return ProxyEvent.objects.create(
        request=proxy_request, status=status, actor=_actor(actor), at=at, note=note[:NOTE_MAX]
    )


def validate_request(
    *, guide: ServiceGuide | None, region: Region | None, name: str, phone: str, detail: str
) -> dict[str, Any]:
    """Normalised fields and the agent unit, or a ValidationError naming every field that
    is wrong."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    if guide is None or guide.status != GuideStatus.PUBLISHED:
        errors["guide"] = [_("请选择要办理的事项（已发布的办事指南）。")]
    if region is None or not region.is_active or region.tier != Tier.VILLAGE:
        errors["region"] = [_("请选择您所在的村（社区）。")]
    elif "guide" not in errors:
        if not selectors.guide_applies_in(guide, region.code):
            errors["region"] = [
                _("“%(guide)s”不适用于%(place)s，请选择适用地区内的村（社区）。")
                % {"guide": guide.name, "place": region.name}
            ]
        else:
            clean["agent_unit"] = selectors.agent_unit_for(guide, region)
            if clean["agent_unit"] is None:
                errors["region"] = [
                    _("%(place)s暂未开通代办服务，请直接联系办理单位。") % {"place": region.name}
                ]
    name, detail = (name or "").strip(), (detail or "").strip()
    if not name:
        errors["name"] = [_("请填写姓名。")]
    elif len(name) > 40:
        errors["name"] = [_("姓名不能超过40个字。")]
    try:
        clean["phone"] = identity.validate_phone(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    limit = settings.SERVICES_PROXY_MAX_DETAIL_CHARS
    if not detail:
        errors["detail"] = [_("请说明需要代办员帮您办什么。")]
    elif len(detail) > limit:
        errors["detail"] = [_("代办需求不能超过%(n)d个字。") % {"n": limit}]
    if errors:
        raise ValidationError(errors)
    clean.update(name=name, detail=identity.mask_id_numbers(detail))
    return clean


def _rate_check(phone_hash: str, ip: str | None) -> None:
    checks = [(f"proxy:phone:{phone_hash}", settings.SERVICES_PROXY_RATE_PER_PHONE)]
    if ip:
        checks.append((f"proxy:ip:{ip_key(ip)}", settings.SERVICES_PROXY_RATE_PER_IP))
    rate_check(checks)


def proxy_request_submit(
    *,
    guide: ServiceGuide | None,
    region: Region | None,
    name: str,
    phone: str,
    detail: str,
    user: Any = None,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[ProxyRequest, bool]:
    """Store a request with its agent unit and due date. Returns (request, created): the
    same request (matter, village, text) from the same phone within
    SERVICES_PROXY_DUPLICATE_MINUTES returns the first one, uncounted by the rate limit."""
    clean = validate_request(guide=guide, region=region, name=name, phone=phone, detail=detail)
    now = now or timezone.now()
    phone_hash = identity.phone_hash(clean["phone"])
    since = now - dt.timedelta(minutes=settings.SERVICES_PROXY_DUPLICATE_MINUTES)
    with transaction.atomic():
        # One writer at a time per phone, so two identical submissions cannot both pass
        # the duplicate check (as letters do).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"proxy:{phone_hash}"])
        first = (
            ProxyRequest.objects.filter(
                phone_hash=phone_hash,
                guide=guide,
                region=region,
                detail=clean["detail"],
                received_at__gte=since,
            )
            .order_by("received_at", "id")
            .first()
        )
        if first is not None:
            return first, False
        _rate_check(phone_hash, ip)
        due_at, provisional = due_after(now, guide)
        proxy_request = ProxyRequest.objects.create(
            tracking_code=new_code(10),
            query_code=new_code(6, DIGITS),
            guide=guide,
            region=region,
            agent_unit=clean["agent_unit"],
            user=_actor(user),
            name=clean["name"],
            phone=clean["phone"],
            phone_hash=phone_hash,
            detail=clean["detail"],
            status=ProxyStatus.RECEIVED,
            received_at=now,
            due_at=due_at,
            due_is_provisional=provisional,
        )
        _event(proxy_request, ProxyStatus.RECEIVED, user, now)
        # No name, phone or text in the trail: it is read by more people than the agents.
        audit_record(
            actor=user,
            action=AuditAction.CREATE,
            obj=proxy_request,
            unit=proxy_request.agent_unit,
            changes={
                "guide": [None, str(guide.pk)],
                "agent_unit": [None, str(proxy_request.agent_unit_id)],
                "due_at": [None, str(due_at)],
            },
        )
    return proxy_request, True


# --- The agents' steps ------------------------------------------------------------------


def _locked(proxy_request: ProxyRequest) -> ProxyRequest:
    return (
        ProxyRequest.objects.select_for_update(of=("self",))
        .select_related("agent_unit")
        .get(pk=proxy_request.pk)
    )


def _agent(proxy_request: ProxyRequest, actor: Any) -> None:
    if not permissions.can_act_as_agent(actor, proxy_request):
        raise NotAllowed(_("只有代办单位的工作人员可以办理该代办申请。"))


def _require(proxy_request: ProxyRequest, statuses: tuple[str, ...], message: str) -> None:
    if proxy_request.status not in statuses:
        raise Conflict(message)


def _change(
    proxy_request: ProxyRequest, actor: Any, before: str, fields: list[str], note: str = ""
) -> None:
    proxy_request.save(update_fields=["status", *fields])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=proxy_request,
        unit=proxy_request.agent_unit,
        changes={"status": [before, proxy_request.status]},
        note=note,
    )


@transaction.atomic
def proxy_request_take(*, proxy_request: ProxyRequest, actor: Any) -> ProxyRequest:
    """An agent takes the request on: it is now theirs and in progress."""
    proxy_request = _locked(proxy_request)
    _agent(proxy_request, actor)
    _require(
        proxy_request,
        (ProxyStatus.RECEIVED,),
        _("只有已受理、尚未开始办理的申请可以接单。"),
    )
    now = timezone.now()
    before = proxy_request.status
    proxy_request.status = ProxyStatus.IN_PROGRESS
    proxy_request.agent = actor
    proxy_request.started_at = now
    _change(proxy_request, actor, before, ["agent", "started_at"])
    _event(proxy_request, ProxyStatus.IN_PROGRESS, actor, now)
    return proxy_request


@transaction.atomic
def proxy_request_finish(
    *, proxy_request: ProxyRequest, actor: Any, note: str = ""
) -> ProxyRequest:
    """The matter is done; the note tells the resident how (where to collect …)."""
    proxy_request = _locked(proxy_request)
    _agent(proxy_request, actor)
    _require(proxy_request, (ProxyStatus.IN_PROGRESS,), _("只有办理中的申请可以办结。"))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [_("办理说明不能超过%(n)d个字。") % {"n": NOTE_MAX}]})
    now = timezone.now()
    before = proxy_request.status
    proxy_request.status = ProxyStatus.DONE
    proxy_request.finished_at = now
    _change(proxy_request, actor, before, ["finished_at"], note)
    _event(proxy_request, ProxyStatus.DONE, actor, now, note)
    return proxy_request


@transaction.atomic
def proxy_request_return(*, proxy_request: ProxyRequest, actor: Any, reason: str) -> ProxyRequest:
    """The agent cannot do it (materials missing, not eligible …) and says why."""
    proxy_request = _locked(proxy_request)
    _agent(proxy_request, actor)
    _require(proxy_request, selectors.OPEN_STATUSES, _("该申请已办结或已退回。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("退回须说明原因。")]})
    if len(reason) > NOTE_MAX:
        raise ValidationError({"reason": [_("退回原因不能超过%(n)d个字。") % {"n": NOTE_MAX}]})
    now = timezone.now()
    before = proxy_request.status
    proxy_request.status = ProxyStatus.RETURNED
    proxy_request.return_reason = reason
    proxy_request.finished_at = now
    _change(proxy_request, actor, before, ["return_reason", "finished_at"], reason)
    _event(proxy_request, ProxyStatus.RETURNED, actor, now, reason)
    return proxy_request


# --- The resident's rating ----------------------------------------------------------------


@transaction.atomic
def proxy_request_rate(
    *,
    proxy_request: ProxyRequest,
    rating: str,
    comment: str = "",
    query_code: str | None = None,
    actor: Any = None,
) -> ProxyRequest:
    """The applicant (with the query code, or signed in as the owner) rates the request
    once it is done or returned, once."""
    proxy_request = _locked(proxy_request)
    if not permissions.can_follow(actor, proxy_request, query_code):
        raise NotAllowed(_("只有申请人可以评价。"))
    _require(proxy_request, selectors.FINISHED_STATUSES, _("办结或退回后才能评价。"))
    if proxy_request.rating:
        raise Conflict(_("您已评价过该申请，每个申请只能评价一次。"))
    if rating not in ProxyRating.values:
        raise ValidationError({"rating": [_("请选择满意、基本满意或不满意。")]})
    comment = (comment or "").strip()
    if len(comment) > NOTE_MAX:
        raise ValidationError({"comment": [_("评价意见不能超过%(n)d个字。") % {"n": NOTE_MAX}]})
    proxy_request.rating = rating
    proxy_request.rating_comment = comment
    proxy_request.rated_at = timezone.now()
    proxy_request.save(update_fields=["rating", "rating_comment", "rated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=proxy_request,
        unit=proxy_request.agent_unit,
        changes={"rating": ["", rating]},
    )
    return proxy_request
