"""Who may do what with a request for information. One answer for the pages, the admin
and the API:

- the unit's editors and admins handle it (register receipt, correction notice, third
  party, reply); its reviewers and admins approve the one extension (an editor may not
  approve their own delay);
- every official of the unit sees the applicant's contact details, which the reply is
  delivered to; supervisors of the place read the request with the applicant masked;
- the applicant follows it with its two codes, or signed in as its owner.

Anyone else is told the request does not exist (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from disclosure.models import InfoRequest
from portal import permissions as core
from portal.codes import codes_match
from portal.permissions import Action

# The tracking codes whose track page this browser session opened with both codes, so
# the reply letter (HTML, PDF) and the reply's files can be opened from that page
# without the query code in a URL.
SESSION_KEY = "info_request_codes"
SESSION_MAX = 20


def can_handle(user: Any, info_request: InfoRequest) -> bool:
    """Editors and admins of the unit (and platform admins)."""
    return core.can(user, Action.EDIT, info_request.unit)


def can_approve_extension(user: Any, info_request: InfoRequest) -> bool:
    """Reviewers and admins of the unit (and platform admins); not a plain editor."""
    return core.can(user, Action.REVIEW, info_request.unit)


def is_unit_official(user: Any, info_request: InfoRequest) -> bool:
    """Any role in the unit: editor, reviewer or admin (platform admins too)."""
    return any(
        core.can(user, action, info_request.unit)
        for action in (Action.EDIT, Action.REVIEW, Action.MANAGE)
    )


def can_read(user: Any, info_request: InfoRequest) -> bool:
    """The back office: the unit's officials and the supervisors of its place."""
    return core.can(user, Action.VIEW, info_request)


def can_see_contact(user: Any, info_request: InfoRequest) -> bool:
    """The applicant's name, phone, e-mail and address in full: the unit's officials,
    who deliver the reply; supervisors see them masked."""
    return is_unit_official(user, info_request)


def is_owner(user: Any, info_request: InfoRequest) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and info_request.user_id is not None
        and info_request.user_id == user.pk
    )


def can_follow(user: Any, info_request: InfoRequest | None, query_code: str | None) -> bool:
    """The applicant: with the query code, or signed in as the owner."""
    if info_request is None:
        return False
    if query_code is not None and codes_match(info_request.query_code, query_code):
        return True
    return is_owner(user, info_request)


def info_requests_for(user: Any) -> QuerySet[InfoRequest]:
    """The requests a person reads in the back office: their units' and those inside the
    places they supervise."""
    return core.scope_queryset(InfoRequest.objects.all(), user, Action.VIEW)


def session_remember(session: Any, tracking_code: str) -> None:
    """The track page was opened with both codes: this session may open the letter."""
    codes = [code for code in session.get(SESSION_KEY, []) if code != tracking_code]
    session[SESSION_KEY] = [*codes, tracking_code][-SESSION_MAX:]


def session_allows(request: Any, info_request: InfoRequest) -> bool:
    """May this browser open the request's reply letter and files? The applicant who
    opened the track page with both codes in this session, the signed-in owner, and the
    unit's officials (the letter and the files carry the applicant's details, which
    supervisors see only masked)."""
    session = getattr(request, "session", None)
    if session is not None and info_request.tracking_code in session.get(SESSION_KEY, []):
        return True
    user = getattr(request, "user", None)
    return is_owner(user, info_request) or is_unit_official(user, info_request)
