"""Reminders of requests for information that fall due, and escalation of overdue ones.

The same engine as the letters' (portal.reminders: the tiers, the catch-up, the claim
before sending, the takeover of abandoned claims); this module is the requests'
adapter to it:

- open: status processing or third_party. A request waiting for its correction (补正)
  is not reminded: its clock is suspended until the corrected application arrives, and
  deadlines.py then gives it a new due_on. A pending request (receipt not registered
  yet) has no due_on and is not reminded either.
- the deadline is due_on, a date: in time until the end of that day in Asia/Shanghai. An
  extension, a correction or a third party's pause moves due_on, and the reminders of the
  new date are a new round (the claim's key is request, due_on, kind, tier).
- the claims are InfoRequestReminder rows; a sent reminder appends the event "reminded"
  (InfoRequestEventKind.REMINDED), which the applicant sees: counts and places only.
- texts carry the tracking code, applicant type, dates and unit: never the applicant's
  name, ID number, phone or the request's wording (which may name people).

The scan is the Celery task disclosure.tasks.scan_info_request_reminders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from disclosure.models.requests import (
    InfoRequest,
    InfoRequestEvent,
    InfoRequestEventKind,
    InfoRequestReminder,
)
from disclosure.requests.services import CLOCK_STATUSES
from mailbox import notify
from portal import reminders as engine
from portal.workdays import end_of_day, local_date

# Reminded: the statuses in which the reply is owed and its clock runs (processing, third
# party; a third party's pause moves due_on rather than stopping the reminders).
OPEN_STATUSES = CLOCK_STATUSES
LAW = "《中华人民共和国政府信息公开条例》第三十三条"


@dataclass(frozen=True)
class PlannedReminder(engine.PlannedReminder):
    @property
    def request(self) -> InfoRequest:
        return self.case


class InfoRequestReminders(engine.ReminderAdapter):
    label = "info request reminder"
    claim_model = InfoRequestReminder
    case_field = "request"
    deadline_field = "due_on"
    plan_class = PlannedReminder

    def open_cases(self, *, due_by: dt.date) -> list[InfoRequest]:
        return list(
            InfoRequest.objects.filter(
                status__in=OPEN_STATUSES, due_on__isnull=False, due_on__lte=due_by
            )
            .select_related("unit")
            .order_by("due_on", "pk")
        )

    def due_at(self, case: InfoRequest) -> dt.datetime:
        return end_of_day(case.due_on)

    def still_applies(self, reminder: engine.PlannedReminder) -> bool:
        request = reminder.case
        return InfoRequest.objects.filter(
            pk=request.pk,
            status__in=OPEN_STATUSES,
            due_on=request.due_on,
            unit_id=request.unit_id,
        ).exists()

    def message(self, reminder: engine.PlannedReminder, *, now: dt.datetime) -> tuple[str, str]:
        return reminder_message(reminder, now=now)

    def record_sent(self, reminder: engine.PlannedReminder) -> None:
        InfoRequestEvent.objects.create(
            request_id=reminder.case.pk,
            kind=InfoRequestEventKind.REMINDED,
            at=timezone.now(),
            note=event_note(reminder),
        )

    def notifier(self) -> notify.Notifier:
        return notify.notifier()


INFO_REQUESTS = InfoRequestReminders()


def reminders_applicable(*, now: dt.datetime | None = None) -> list[PlannedReminder]:
    """Every request reminder that applies at `now`, sent or not."""
    return engine.reminders_applicable(INFO_REQUESTS, now=now)


def reminders_scan(
    *,
    now: dt.datetime | None = None,
    notifier: notify.Notifier | None = None,
    budget_seconds: float = engine.SCAN_BUDGET_SECONDS,
) -> engine.ScanResult:
    """Send every request reminder that applies at `now` and was not sent or claimed."""
    return engine.reminders_scan(
        INFO_REQUESTS, now=now, notifier=notifier, budget_seconds=budget_seconds
    )


def reminder_message(reminder: Any, *, now: dt.datetime) -> tuple[str, str]:
    """Subject and body in Chinese, for the unit's officials or the supervisors."""
    request: InfoRequest = reminder.case
    code = request.tracking_code
    due = engine.date_text(request.due_on, request.due_is_provisional)
    received = engine.date_text(request.received_on) if request.received_on else "—"
    about = (
        f"政府信息公开申请（申请编号 {code}，申请人类型：{request.get_applicant_type_display()}，"
        f"收到申请日期 {received}）"
    )
    extended = "（已延长答复期限）" if request.extension_days else ""
    if reminder.kind == engine.DUE_SOON:
        subject = f"【依申请公开即将到期】{code} 请于{due}前答复"
        greeting = f"{request.unit.name}："
        lines = [f"{about}的答复期限为{due}{extended}，目前尚未答复，请在期限前答复。"]
    elif reminder.kind == engine.DUE and local_date(now) == request.due_on:
        subject = f"【依申请公开今日到期】{code}"
        greeting = f"{request.unit.name}："
        lines = [f"{about}的答复期限为今天（{due}）{extended}，目前尚未答复，请今日内答复。"]
    elif reminder.kind == engine.DUE:
        subject = f"【依申请公开已到期】{code}"
        greeting = f"{request.unit.name}："
        lines = [f"{about}的答复期限为{due}{extended}，已到期仍未答复，请尽快答复。"]
    else:
        place = reminder.region.name if reminder.region else ""
        subject = (
            f"【依申请公开超期督办·第{reminder.tier}级】{code} "
            f"已超期{reminder.working_days_late}个工作日"
        )
        greeting = f"{place}监督人员："
        lines = [
            f"{request.unit.name}办理的{about}答复期限为{due}{extended}，"
            f"已超过{reminder.working_days_late}个工作日仍未答复，请督促办理。",
            f"（第{reminder.tier}级督办：每再超期{engine.ESCALATION_WORKING_DAYS}个工作日，"
            "提请上一级监督人员督办。）",
        ]
    lines.append(f"答复期限依据{LAW}计算，遇法定节假日顺延，调休上班日计入工作日。")
    body = "\n".join([greeting, "", *lines, "", engine.footer()])
    return subject, body


def event_note(reminder: Any) -> str:
    """Shown to the applicant too: counts and places, no names."""
    count = len(reminder.recipients)
    if reminder.kind == engine.DUE_SOON:
        return f"即将到期提醒：已通知受理机关工作人员（{count}人）"
    if reminder.kind == engine.DUE:
        return f"到期提醒：已通知受理机关负责人（{count}人）"
    place = reminder.region.name if reminder.region else ""
    return f"超期督办（第{reminder.tier}级）：已提请{place}监督人员督办（{count}人）"
