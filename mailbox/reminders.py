"""Reminders of letters that fall due, and escalation of overdue ones (催办、督办).

The rules and the claim–send–mark protocol are portal.reminders, shared with requests
for information; this module is the letters' adapter to it: open letters
(OPEN_STATUSES) with their due_at, the LetterReminder claims, the LetterEvent
"reminded", and the texts. A periodic scan (mailbox.tasks.scan_letter_reminders, every
15 minutes) sends what is due.

For letters: due Saturday 10 Oct 2026 (a make-up working day) → due_soon to the handlers
on Friday 9 Oct, due to the admins on the 10th, overdue tier 1 (五津街道's supervisors for
a village letter) on Mon 12 Oct, tier 2 (新津区) on Wed 14 Oct, tier 3 (成都市) on Fri 16
Oct. The deadline (due_at) is part of a reminder's identity: after an extension or a
reopening the reminders start again. Claims left unsent by a worker that died are taken
over after MAILBOX_REMINDER_RECLAIM_MINUTES.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mailbox import notify
from mailbox.models import EventKind, Letter, LetterEvent, LetterReminder, ReminderKind
from mailbox.models.letters import OPEN_STATUSES
from portal import reminders as engine
from portal.reminders import (
    ESCALATION_WORKING_DAYS,
    FIRST_OVERDUE_DAYS,
    SCAN_BUDGET_SECONDS,
    SCAN_SOFT_TIME_LIMIT,
    SCAN_TIME_LIMIT,
    ScanResult,
    overdue_tier,
    reclaim_after,
)
from portal.workdays import end_of_day, local_date

__all__ = [
    "ESCALATION_WORKING_DAYS",
    "FIRST_OVERDUE_DAYS",
    "LETTERS",
    "SCAN_BUDGET_SECONDS",
    "SCAN_SOFT_TIME_LIMIT",
    "SCAN_TIME_LIMIT",
    "LetterReminders",
    "PlannedReminder",
    "ScanResult",
    "overdue_tier",
    "reclaim_after",
    "reminder_message",
    "reminder_send",
    "reminders_applicable",
    "reminders_scan",
]


@dataclass(frozen=True)
class PlannedReminder(engine.PlannedReminder):
    @property
    def letter(self) -> Letter:
        return self.case


class LetterReminders(engine.ReminderAdapter):
    label = "letter reminder"
    claim_model = LetterReminder
    case_field = "letter"
    deadline_field = "due_at"
    plan_class = PlannedReminder

    def open_cases(self, *, due_by: dt.date) -> list[Letter]:
        return list(
            Letter.objects.filter(status__in=OPEN_STATUSES, due_at__lte=end_of_day(due_by))
            .select_related("unit")
            .order_by("due_at", "pk")
        )

    def due_at(self, case: Letter) -> dt.datetime:
        return case.due_at

    def still_applies(self, reminder: engine.PlannedReminder) -> bool:
        letter = reminder.case
        return Letter.objects.filter(
            pk=letter.pk, status__in=OPEN_STATUSES, due_at=letter.due_at, unit_id=letter.unit_id
        ).exists()

    def message(self, reminder: engine.PlannedReminder, *, now: dt.datetime) -> tuple[str, str]:
        return reminder_message(reminder, now=now)

    def record_sent(self, reminder: engine.PlannedReminder) -> None:
        LetterEvent.objects.create(
            letter_id=reminder.case.pk,
            kind=EventKind.REMINDED,
            unit_id=reminder.case.unit_id,
            note=_event_note(reminder),
        )

    def notifier(self) -> notify.Notifier:
        return notify.notifier()


LETTERS = LetterReminders()


def reminders_applicable(*, now: dt.datetime | None = None) -> list[PlannedReminder]:
    """Every letter reminder that applies at `now`, sent or not."""
    return engine.reminders_applicable(LETTERS, now=now)


def reminders_scan(
    *,
    now: dt.datetime | None = None,
    notifier: notify.Notifier | None = None,
    budget_seconds: float = SCAN_BUDGET_SECONDS,
) -> ScanResult:
    """Send every letter reminder that applies at `now` and has not been sent or claimed."""
    return engine.reminders_scan(LETTERS, now=now, notifier=notifier, budget_seconds=budget_seconds)


def reminder_send(
    *,
    reminder: PlannedReminder,
    notifier: notify.Notifier,
    now: dt.datetime,
    stale_before: dt.datetime,
) -> bool | None:
    return engine.reminder_send(
        LETTERS, reminder=reminder, notifier=notifier, now=now, stale_before=stale_before
    )


# --- Messages --------------------------------------------------------------------------


def reminder_message(reminder: Any, *, now: dt.datetime) -> tuple[str, str]:
    """Subject and body in Chinese. Only the tracking code, subject, type, dates and the
    handling unit: never the writer's name, phone or ID number."""
    letter = reminder.case
    code, title = letter.tracking_code, engine.short(letter.subject)
    due = engine.date_text(letter.due_at, letter.due_is_provisional)
    about = (
        f"来信「{letter.subject}」（{letter.get_type_display()}，查询编号 {code}，"
        f"收信日期 {engine.date_text(letter.received_at)}）"
    )
    if reminder.kind == ReminderKind.DUE_SOON:
        subject = f"【来信即将到期】{code}「{title}」请于{due}前答复"
        greeting = f"{letter.unit.name}："
        lines = [f"{about}的答复期限为{due}，目前尚未答复，请在期限前答复。"]
    elif reminder.kind == ReminderKind.DUE and local_date(now) == local_date(letter.due_at):
        subject = f"【来信今日到期】{code}「{title}」"
        greeting = f"{letter.unit.name}："
        lines = [f"{about}的答复期限为今天（{due}），目前尚未答复，请今日内答复。"]
    elif reminder.kind == ReminderKind.DUE:
        subject = f"【来信已到期】{code}「{title}」"
        greeting = f"{letter.unit.name}："
        lines = [f"{about}的答复期限为{due}，已到期仍未答复，请尽快答复。"]
    else:
        place = reminder.region.name if reminder.region else ""
        subject = (
            f"【来信超期督办·第{reminder.tier}级】{code}「{title}」"
            f"已超期{reminder.working_days_late}个工作日"
        )
        greeting = f"{place}监督人员："
        lines = [
            f"{letter.unit.name}办理的{about}答复期限为{due}，"
            f"已超过{reminder.working_days_late}个工作日仍未答复，请督促办理。",
            f"（第{reminder.tier}级督办：每再超期{ESCALATION_WORKING_DAYS}个工作日，"
            "提请上一级监督人员督办。）",
        ]
    body = "\n".join([greeting, "", *lines, "", engine.footer()])
    return subject, body


def _event_note(reminder: Any) -> str:
    """Shown to the writer too: counts and places, no names."""
    count = len(reminder.recipients)
    if reminder.kind == ReminderKind.DUE_SOON:
        return f"即将到期提醒：已通知办理单位工作人员（{count}人）"
    if reminder.kind == ReminderKind.DUE:
        return f"到期提醒：已通知办理单位负责人（{count}人）"
    place = reminder.region.name if reminder.region else ""
    return f"超期督办（第{reminder.tier}级）：已提请{place}监督人员督办（{count}人）"
