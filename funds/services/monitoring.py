"""Writes of the monitoring of village money: the scan that raises and clears alerts, and
an official's note of what was done about one.

The scan is the source of truth ("县级监控、镇乡监管"): every hour (funds.tasks.scan) each
rule of funds.selectors.monitoring gives the causes as they stand now, and the Alert rows
are brought in step with them. A new cause is inserted once whatever runs at the same time
(the key is unique; the insert skips a key that exists), a cause that is gone clears its
alert, and a cause that comes back reopens the alert it had, which keeps its first
`raised_at`. A missed run delays alerts; a doubled one changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from funds.models import Alert
from funds.permissions import can_monitor
from funds.selectors import monitoring as selectors
from funds.selectors.monitoring import Cause
from portal.models import AuditAction
from portal.services.audit import audit_record
from portal.services.errors import Conflict, NotAllowed

logger = logging.getLogger(__name__)

# Keys and ids go to the database in slices of this many (one statement each).
CHUNK = 2000
MAX_NOTE = Alert._meta.get_field("handling_note").max_length

T = TypeVar("T")


@dataclass
class ScanResult:
    """What one scan changed, per kind of alert."""

    raised: dict[str, int] = field(default_factory=dict)
    reopened: dict[str, int] = field(default_factory=dict)
    cleared: dict[str, int] = field(default_factory=dict)
    open: dict[str, int] = field(default_factory=dict)

    @property
    def total_raised(self) -> int:
        return sum(self.raised.values())

    @property
    def total_cleared(self) -> int:
        return sum(self.cleared.values())


def _chunks(items: list[T]) -> Iterator[list[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _sync(kind: str, causes: Iterable[Cause], now: dt.datetime) -> tuple[int, int, int, int]:
    """Bring the alerts of one kind in step with its causes: (raised, reopened, cleared,
    open). Reads the kind's open alerts and the rows of causes not among them, so the work
    follows what is open and what changed, not the history of cleared alerts."""
    wanted = {cause.key: cause for cause in causes}
    open_rows = {
        key: (pk, detail)
        for pk, key, detail in Alert.objects.filter(kind=kind, cleared_at__isnull=True).values_list(
            "id", "key", "detail"
        )
    }

    gone = [pk for key, (pk, _detail) in open_rows.items() if key not in wanted]
    cleared = sum(
        Alert.objects.filter(pk__in=ids, cleared_at__isnull=True).update(cleared_at=now)
        for ids in _chunks(gone)
    )

    fresh = [key for key in wanted if key not in open_rows]
    known: dict[str, tuple[int, str]] = {}
    for keys in _chunks(fresh):
        known.update(
            (key, (pk, detail))
            for pk, key, detail in Alert.objects.filter(key__in=keys).values_list(
                "id", "key", "detail"
            )
        )
    new = [wanted[key] for key in fresh if key not in known]
    # A scan running at the same time may insert the same keys first: skipped here, and
    # only the rows carrying this scan's `raised_at` are counted as raised by it.
    Alert.objects.bulk_create(
        [
            Alert(
                kind=cause.kind,
                key=cause.key,
                region_id=cause.region_id,
                project_id=cause.project_id,
                collective_id=cause.collective_id,
                entry_id=cause.entry_id,
                detail=cause.detail[:300],
                raised_at=now,
            )
            for cause in new
        ],
        batch_size=CHUNK,
        ignore_conflicts=True,
    )
    raised = sum(
        Alert.objects.filter(key__in=[cause.key for cause in keys], raised_at=now).count()
        for keys in _chunks(new)
    )
    returning = [pk for pk, _detail in known.values()]
    reopened = sum(
        Alert.objects.filter(pk__in=ids, cleared_at__isnull=False).update(cleared_at=None)
        for ids in _chunks(returning)
    )

    # The detail follows the cause (the share disbursed, the cash held, the answer given).
    stale = [
        Alert(pk=pk, detail=wanted[key].detail[:300])
        for key, (pk, detail) in [*open_rows.items(), *known.items()]
        if key in wanted and detail != wanted[key].detail[:300]
    ]
    Alert.objects.bulk_update(stale, ["detail"], batch_size=CHUNK)
    return raised, reopened, cleared, len(wanted)


def alerts_scan(*, now: dt.datetime | None = None) -> ScanResult:
    """Run every rule over the whole database and raise, reopen and clear alerts.

    Each rule is applied in its own transaction: a scan of the city holds no lock for
    longer than one rule takes, and a failing rule leaves the others' alerts current.
    The details are written in the site's language, whoever triggers the scan."""
    now = now or timezone.now()
    result = ScanResult()
    with translation.override(settings.LANGUAGE_CODE):
        for kind, rule in selectors.RULES.items():
            with transaction.atomic():
                counts = _sync(kind, rule(now), now)
            (
                result.raised[kind],
                result.reopened[kind],
                result.cleared[kind],
                result.open[kind],
            ) = counts
    logger.info(
        "funds alerts scan: raised %s, reopened %s, cleared %s, open %s",
        result.total_raised,
        sum(result.reopened.values()),
        result.total_cleared,
        sum(result.open.values()),
    )
    return result


@transaction.atomic
def alert_handle(*, alert: Alert, note: str, actor: Any, now: dt.datetime | None = None) -> Alert:
    """An official who watches the alert's place notes what was done about it. The note
    replaces the last one (the audit trail keeps every note); the alert itself clears
    only when the scan finds its cause gone."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if not can_monitor(actor, alert.region_id):
        raise NotAllowed(_("只有该地的监督人员和镇（街道）监管人员可以处理此预警。"))
    if alert.cleared_at is not None:
        raise Conflict(_("该预警已消除，无需再记录处理情况。"))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("请填写处理情况。")]})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": [_("处理情况不能超过%(n)d个字。") % {"n": MAX_NOTE}]})
    before = alert.handling_note
    alert.handling_note = note
    alert.handled_by = actor
    alert.handled_at = now or timezone.now()
    alert.save(update_fields=["handling_note", "handled_by", "handled_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=alert,
        changes={"handling_note": [before, note]},
        note=note,
    )
    return alert
