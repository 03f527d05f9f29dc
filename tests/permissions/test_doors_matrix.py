"""Permissions matrix, the other doors: the officials' HTML pages and the API.

Each write is one line of VIEW_CASES or API_WRITES; each role × target answers as
world.may says. A refused write changes nothing, and one who may not read the target
gets 404, never 403 (the object's existence does not leak). Every route that accepts a
write is in a table or in a commented exclusion list (the completeness tests).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.syndication.views import Feed
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from disclosure.models import Record
from portal.models import AuditEntry
from tests.permissions.makers import _catalog_item
from tests.permissions.world import BACK_OFFICE, ROLES, TARGETS, may, reads, relation

pytestmark = pytest.mark.django_db


def _state(obj) -> dict:
    model = type(obj)
    return {
        "row": model.objects.filter(pk=obj.pk).values().first(),
        "rows": model.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


# --- HTML pages ------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewCase:
    name: str  # URL name
    model: str  # the object acted on (tests/permissions/makers.py)
    url: Callable[[Any], str]
    data: dict | Callable[[Any], dict]
    need: str  # world.may
    # For an allowed write: does it show in the row? (Some need a state the fresh object
    # is not in, e.g. finishing a request nobody took; those only check the door opens.)
    changes: bool = False
    read: str = "view"  # who may know the object exists (world.reads)


def _report_url(action: str) -> Callable[[Any], str]:
    return lambda report: f"/annual-reports/{report.unit_id}/{report.year}/{action}/"


def _proxy_url(action: str) -> Callable[[Any], str]:
    return lambda proxy_request: f"/services/proxy/requests/{proxy_request.pk}/{action}/"


VIEW_CASES = [
    ViewCase(
        "annual-report-edit",
        "disclosure.AnnualReport",
        _report_url("edit"),
        {"overall": "本年度总体情况（矩阵测试）", "problems": "", "other": ""},
        need="edit",
        changes=True,
    ),
    ViewCase(
        "annual-report-publish", "disclosure.AnnualReport", _report_url("publish"), {}, "edit"
    ),
    ViewCase(
        "annual-report-review",
        "disclosure.AnnualReport",
        _report_url("review"),
        {"decision": "approve", "note": ""},
        need="review",
    ),
    ViewCase("proxy-request-take", "services.ProxyRequest", _proxy_url("take"), {}, "edit", True),
    ViewCase(
        "proxy-request-finish",
        "services.ProxyRequest",
        _proxy_url("finish"),
        {"result": "已办结"},
        need="edit",
    ),
    ViewCase(
        "proxy-request-return",
        "services.ProxyRequest",
        _proxy_url("return"),
        {"reason": "材料不全"},
        need="edit",
        changes=True,
    ),
    ViewCase(
        "mutual-aid-moderate",
        "participation.AidPost",
        lambda post: f"/mutual-aid/moderation/{post.pk}/",
        lambda post: {"action": "remove", f"m{post.pk}-note": "与互助无关的广告"},
        need="moderate",
        changes=True,
        read="public",
    ),
    ViewCase(
        "mutual-aid-reply-hide",
        "participation.AidReply",
        lambda reply: f"/mutual-aid/replies/{reply.pk}/hide/",
        lambda reply: {f"hide{reply.pk}-reason": "含有联系方式"},
        need="moderate",
        changes=True,
        read="public",
    ),
    ViewCase(
        "evaluation-flag-handle",
        "participation.EvaluationFlag",
        lambda flag: f"/supervision/participation/evaluation-flags/{flag.pk}/handle/",
        {"note": "已约谈该单位负责人，限期整改。"},
        need="supervise",
        changes=True,
    ),
    ViewCase(
        "funds-alert",
        "funds.Alert",
        lambda alert: f"/supervision/funds/alerts/{alert.pk}/",
        {"note": "已约谈报账员，要求3日内补交原始凭证。"},
        need="monitor",
        changes=True,
        read="monitor_alerts",
    ),
    ViewCase(
        "mutual-aid-close",
        "participation.AidPost",
        lambda post: f"/mutual-aid/{post.pk}/close/",
        {},
        need="author",
        changes=True,
        read="public",
    ),
]


def _client(w, role: str) -> Client:
    return w.clients[role]


def _view_matrix():
    for case in VIEW_CASES:
        for target in TARGETS:
            for role in ROLES:
                yield pytest.param(
                    role, case, target, id=f"{case.name}-{role}-{relation(role, target)}"
                )


@pytest.mark.parametrize(("role", "case", "target"), list(_view_matrix()))
def test_official_page_write(w, role, case, target):
    obj = w.objects[case.model, target]
    before = _state(obj)
    data = case.data(obj) if callable(case.data) else case.data
    response = _client(w, role).post(case.url(obj), data)
    if may(role, case.need, target):
        assert response.status_code == 302, response.content.decode()[:500]
        assert "/login/" not in response["Location"]
        if case.changes:
            assert _state(obj)["row"] != before["row"]
        return
    if role == "anonymous" and response.status_code == 302:
        # Signed-in pages send the anonymous to the login before looking anything up,
        # for a missing object as for an existing one.
        assert response["Location"].startswith("/accounts/login/")
    elif not reads(role, case.read, target):
        assert response.status_code == 404, "an outsider must not learn that it exists"
    else:
        assert response.status_code in (302, 403, 404)
    assert _state(obj) == before


# --- API -------------------------------------------------------------------------------


def _api(w, role: str) -> APIClient:
    return w.api_clients[role]


def _record_matrix():
    for target in TARGETS:
        for role in ROLES:
            yield pytest.param(role, target, id=f"POST-records-{role}-{relation(role, target)}")


@pytest.mark.parametrize(("role", "target"), list(_record_matrix()))
def test_api_record_create(w, role, target):
    """POST /api/v1/records/: a draft for a unit the caller edits for; no one else."""
    records, audit = Record.objects.count(), AuditEntry.objects.count()
    response = _api(w, role).post(
        "/api/v1/records/",
        {
            "unit": w.units[target].pk,
            "item": _catalog_item().pk,
            "title": "矩阵测试草稿",
            "info_date": "2026-11-02",
            "submit": False,
        },
        format="json",
    )
    if may(role, "edit", target):
        assert response.status_code == 201, response.content.decode()[:500]
        assert Record.objects.count() == records + 1
        return
    # Units are public (GET /api/v1/units/), so a refusal may say so: 403 (or 401).
    assert response.status_code in ((401, 403) if role == "anonymous" else (403,))
    assert (Record.objects.count(), AuditEntry.objects.count()) == (records, audit)


def _close_matrix():
    for target in TARGETS:
        for role in ROLES:
            yield pytest.param(
                role, target, id=f"POST-mutual-aid-close-{role}-{relation(role, target)}"
            )


@pytest.mark.parametrize(("role", "target"), list(_close_matrix()))
def test_api_mutual_aid_close(w, role, target):
    """POST /api/v1/mutual-aid/<pk>/close/: the author only, not even an official."""
    post = w.objects["participation.AidPost", target]
    before = _state(post)
    response = _api(w, role).post(f"/api/v1/mutual-aid/{post.pk}/close/")
    if may(role, "author", target):
        assert response.status_code == 200, response.content.decode()[:500]
        assert response.json()["status"] == "resolved"
        return
    assert response.status_code in ((401, 403) if role == "anonymous" else (403,))
    assert _state(post) == before


# Detail routes of the objects the makers create, all of them drafts: whoever may not read
# the unit's drafts gets 404. Decisions (四议两公开) and fund projects have no draft: they
# are public from the first step (DOMAIN.md §5, §6), so everyone reads them.
PUBLIC_FROM_THE_START = {"participation.Decision", "funds.FundProject"}
API_DETAILS = {
    "disclosure.Record": "/api/v1/records/{pk}/",
    "participation.Decision": "/api/v1/decisions/{pk}/",
    "participation.Meeting": "/api/v1/meetings/{pk}/",
    "participation.Vote": "/api/v1/votes/{pk}/",
    "participation.Solicitation": "/api/v1/solicitations/{pk}/",
    "participation.EvaluationRound": "/api/v1/evaluations/{pk}/",
    "funds.FundProject": "/api/v1/fund-projects/{pk}/",
    "services.ServiceGuide": "/api/v1/service-guides/{pk}/",
}


def _detail_matrix():
    for label in API_DETAILS:
        for role in ROLES:
            yield pytest.param(label, role, id=f"GET-{label}-{role}")


@pytest.mark.parametrize(("label", "role"), list(_detail_matrix()))
def test_api_draft_detail_is_missing_to_outsiders(w, label, role):
    client = _api(w, role)
    for target in TARGETS:
        obj = w.objects.get((label, target))
        if obj is None:
            continue
        response = client.get(API_DETAILS[label].format(pk=obj.pk))
        # Every write method on a detail route is refused the same way: there is none.
        put = client.put(API_DETAILS[label].format(pk=obj.pk), {}, format="json")
        delete = client.delete(API_DETAILS[label].format(pk=obj.pk))
        assert put.status_code in (401, 403, 404, 405) and delete.status_code in (
            401,
            403,
            404,
            405,
        )
        if label in PUBLIC_FROM_THE_START:
            assert response.status_code == 200
        elif not reads(role, "view", target):
            assert response.status_code == 404, (target, relation(role, target))
        else:
            # The unit's own people and supervisors may or may not see a draft in the
            # API (the back office is their door), never a 403 or a 5xx.
            assert response.status_code in (200, 404), (target, response.status_code)
    assert role in ROLES  # keeps the id readable in a failure


# --- Completeness ----------------------------------------------------------------------

# Write routes not in the tables above, each with why.
API_EXCLUDED = {
    # Citizens' own doors: anyone (or any verified resident) may write, rate-limited and
    # covered by each app's API tests; no unit grant is involved.
    "api-token": "sign-in",
    "api-letters": "citizen letter",
    "api-vote-ballots": "resident ballot (tests/participation/test_votes_api.py)",
    "api-evaluation-ratings": "resident rating",
    "api-solicitation-opinions": "citizen opinion",
    "api-mutual-aid": "citizen post",
    "api-mutual-aid-replies": "citizen reply",
    "api-mutual-aid-reports": "citizen report",
    "api-voucher-access": "resident with an ID number (tests/funds/test_vouchers_api.py)",
    "api-proxy-requests": "resident request",
    "api-proxy-request-rating": "the request's own resident",
    "api-info-requests": "citizen request",
}
API_WRITES = {"api-records", "api-mutual-aid-close"}

VIEW_EXCLUDED = {
    # Sign-in, language and display settings: no object.
    "login": "sign-in",
    "logout": "sign-out",
    "register": "sign-up",
    "login-second-step": "sign-in, second factor",
    "two-factor": "a person's own second factor",
    "display-mode": "display setting",
    "set_language": "language",
    "residency-apply": "a citizen's own application",
    # Citizens' doors (see API_EXCLUDED).
    "letter-write": "citizen letter",
    "letter-track": "tracking code + query code",
    "vote": "resident ballot",
    "evaluation": "resident rating",
    "solicitation": "citizen opinion",
    "mutual-aid-new": "citizen post",
    "mutual-aid-reply": "citizen reply",
    "mutual-aid-report": "citizen report",
    "voucher-access": "resident with an ID number",
    "proxy-request-new": "resident request",
    "proxy-track": "tracking code + query code",
    "proxy-mine-detail": "the request's own resident",
    "info-request-new": "citizen request",
    "info-request-track": "tracking code + query code",
    # Moderators and supervisors acting on citizens' posts, flags and alerts: their own
    # tests check the place scope (tests/participation/test_mutual_aid_*.py,
    # tests/participation/test_evaluations_*.py, tests/funds/test_monitoring_*.py).
}


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _writes(pattern: URLPattern) -> bool:
    """Does this route accept a write? Class views: a post/put/patch/delete method;
    function views: they read request.POST or are wrapped in require_POST."""
    view = pattern.callback
    cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if cls is not None:
        return any(hasattr(cls, method) for method in ("post", "put", "patch", "delete"))
    if isinstance(view, Feed):
        return False  # RSS: read only
    func = inspect.unwrap(view)
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return True  # cannot tell: make someone list it
    return "POST" in source or _decorated_post(view)


def _decorated_post(view) -> bool:
    # require_POST / require_http_methods(["POST"]) keep the allowed methods in a closure.
    for cell in getattr(view, "__closure__", None) or ():
        contents = cell.cell_contents
        if isinstance(contents, list | tuple | set) and "POST" in contents:
            return True
    return False


def test_every_write_route_is_in_the_matrix():
    writes = {
        pattern.name or route
        for route, pattern in _routes(get_resolver().url_patterns)
        if not route.startswith("admin/") and _writes(pattern)
    }
    api = {name for name in writes if name.startswith("api-")}
    pages = writes - api
    assert api - API_WRITES - set(API_EXCLUDED) == set(), "add the API write to the matrix"
    covered = {case.name for case in VIEW_CASES}
    assert pages - covered - set(VIEW_EXCLUDED) == set(), "add the page's write to the matrix"
    assert set(API_EXCLUDED) | API_WRITES <= api
    assert covered <= pages


def test_roles_are_all_in_the_world(w):
    assert set(w.users) | {"anonymous"} == set(ROLES)
    assert set(ROLES) >= BACK_OFFICE
