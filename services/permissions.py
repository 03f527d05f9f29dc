"""Who may act on a proxy request (代办). One answer for the HTML pages, the admin and the
API:

- the agents (代办员) are the editors and admins of the request's agent unit (the
  village committee, or the township office for matters the village cannot do): they
  see the request with the applicant's contact details and take, finish or return it;
- supervisors of a place read the requests of the villages inside it (read-only, the
  applicant masked), and platform admins read everything;
- the applicant follows and rates it with its two codes, or signed in as its owner.

Anyone else is told the request does not exist (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from portal import hierarchy
from portal import permissions as core
from portal.codes import codes_match
from portal.models import Unit
from portal.permissions import Action
from services.models import ProxyRequest


def agent_units(user: Any) -> QuerySet[Unit]:
    """The units for which this person acts as agent: those they may edit for."""
    return core.units_for(user, Action.EDIT)


def can_act_as_agent(user: Any, proxy_request: ProxyRequest) -> bool:
    """An editor or admin of the request's agent unit (platform admins too, as in every
    app)."""
    return core.can(user, Action.EDIT, proxy_request.agent_unit)


def can_supervise_proxy(user: Any, proxy_request: ProxyRequest) -> bool:
    """Supervisors of the village or of a place around it, and platform admins."""
    return core.can_supervise_place(user, proxy_request.region_id)


def can_read_proxy(user: Any, proxy_request: ProxyRequest) -> bool:
    return can_act_as_agent(user, proxy_request) or can_supervise_proxy(user, proxy_request)


def can_see_contact(user: Any, proxy_request: ProxyRequest) -> bool:
    """The applicant's name and phone in full: only the agents, who call them back."""
    return can_act_as_agent(user, proxy_request)


def is_owner(user: Any, proxy_request: ProxyRequest) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and proxy_request.user_id is not None
        and proxy_request.user_id == user.pk
    )


def can_follow(user: Any, proxy_request: ProxyRequest | None, query_code: str | None) -> bool:
    """The applicant: with the request's query code, or signed in as its owner."""
    if proxy_request is None:
        return False
    if query_code is not None and codes_match(proxy_request.query_code, query_code):
        return True
    return is_owner(user, proxy_request)


def proxy_requests_for(user: Any) -> QuerySet[ProxyRequest]:
    """Every request this person may read in the back office: those of their agent
    units and those inside the places they supervise."""
    requests = ProxyRequest.objects.all()
    if core.is_platform_admin(user):
        return requests
    if not getattr(user, "is_authenticated", False):
        return requests.none()
    condition = Q(agent_unit__in=agent_units(user).values("pk"))
    for code in core.supervised_codes(user):
        low, high = hierarchy.subtree_bounds(code)
        condition |= Q(region__gte=low, region__lte=high)
    return requests.filter(condition)
