"""The hourly scans (disclosure.requests.tasks): requests not corrected in time are
closed; the due dates of those waiting for a third party move day by day. Each row is
claimed under its lock, so two scans at once do each thing once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.models import (
    InfoRequest,
    Outcome,
)
from disclosure.requests.services.common import (
    Kind,
    Status,
    audit,
    day_text,
    event_add,
    local_today,
    recompute_due,
)


def corrections_lapse(now: dt.datetime | None = None) -> int:
    """Close every request whose applicant did not correct it by its correction due date
    (outcome OTHER_UNCORRECTED). Each row is claimed under its lock, so two scans at once
    close it once. Returns how many were closed."""
    now = now or timezone.now()
    today = local_today(now)
    closed = 0
    candidates = InfoRequest.objects.filter(
        status=Status.CORRECTION, correction_due_on__lt=today
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            info_request = (
                InfoRequest.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("unit")
                .filter(pk=pk, status=Status.CORRECTION, correction_due_on__lt=today)
                .first()
            )
            if info_request is None:
                continue
            info_request.status = Status.CLOSED
            info_request.outcome = Outcome.OTHER_UNCORRECTED
            info_request.closed_at = now
            info_request.close_reason = _("申请人逾期未补正（补正期限%(date)s），不再处理。") % {
                "date": day_text(info_request.correction_due_on)
            }
            info_request.save(update_fields=["status", "outcome", "closed_at", "close_reason"])
            event_add(info_request, Kind.CORRECTION_LAPSED, None, now, info_request.close_reason)
            audit(
                info_request,
                None,
                {
                    "status": [Status.CORRECTION, Status.CLOSED],
                    "outcome": ["", Outcome.OTHER_UNCORRECTED],
                },
            )
            closed += 1
    return closed


def third_party_waits_refresh(now: dt.datetime | None = None) -> int:
    """Move the due date of every request still waiting for a third party: each working
    day of the wait (up to 15) pushes it one working day. Run by the hourly scan (and
    after midnight the first run of the day moves it). Returns how many moved."""
    now = now or timezone.now()
    today = local_today(now)
    moved = 0
    for pk in list(
        InfoRequest.objects.filter(status=Status.THIRD_PARTY).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            info_request = (
                InfoRequest.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("unit")
                .filter(pk=pk, status=Status.THIRD_PARTY)
                .first()
            )
            if info_request is None:
                continue
            before = (info_request.due_on, info_request.due_is_provisional)
            recompute_due(info_request, today)
            if (info_request.due_on, info_request.due_is_provisional) != before:
                info_request.save(update_fields=["due_on", "due_is_provisional"])
                audit(
                    info_request,
                    None,
                    {"due_on": [str(before[0]), str(info_request.due_on)]},
                    note=_("等待第三方意见，答复期限顺延"),
                )
                moved += 1
    return moved
