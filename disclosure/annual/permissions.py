"""Who may do what with an annual report: one answer for the page, the admin and the API.

Everyone reads a published report and the figures of any year (the API). The unit's
officials and the supervisors of its place (portal VIEW) also read the draft with its
narrative; its editors and admins (EDIT) write the narrative and publish; a reviewer of the
unit who is not the record's author (disclosure.permissions.can_review) approves or
returns it when the unit's publishing setting asks for review.
"""

from __future__ import annotations

from typing import Any

from disclosure.models import AnnualReport
from disclosure.permissions import can_review
from portal import permissions as core
from portal.models import Unit
from portal.permissions import Action


def can_read_draft(user: Any, unit: Unit) -> bool:
    return core.can(user, Action.VIEW, unit)


def can_edit_report(user: Any, unit: Unit) -> bool:
    return core.can(user, Action.EDIT, unit)


def can_review_report(user: Any, report: AnnualReport | None) -> bool:
    return bool(report and report.record_id and can_review(user, report.record))
