"""The API fuzzed against its own OpenAPI schema with schemathesis (issue 10).

Every operation of /api/v1/ is called with data that schemathesis draws from the schema:
the schema's examples, its coverage cases (boundaries, missing and wrong-typed fields,
unexpected methods) and hypothesis' fuzzing, valid and invalid. Each answer must not be
a 5xx, must have a documented status and content type, and its body must match the
schema for that status (headers too, where the schema names required ones).

The callers, by API token past "not signed in" to the services' own checks: anonymous
for every operation; the demo's village official (平岗社区) for every write and /me/; its
verified resident for the participation writes (ballots, ratings, opinions, mutual aid).
The data is the demo's 1/100 slice of Chengdu (新津区's first three townships) with every
app's demo content at a small count, loaded once for the module in a transaction that is
rolled back at the end; most drawn cases are pointed at its real rows (REAL_ROWS below).
Each call runs in a savepoint that is rolled back too, so one example's writes never
shape the next, and hypothesis is derandomized: the same code draws the same cases.

PORTAL_FUZZ_EXAMPLES sets hypothesis' examples per operation and caller (default 25);
raise it locally for a longer hunt:

    PORTAL_FUZZ_EXAMPLES=500 scripts/test.py tests/portal/test_api_fuzz.py -p no:randomly
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import checks

from portal.models import User
from portal.scale.base import base_load
from portal.wsgi import application

EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "25"))

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]

# Calls per (operation, status code) over the module, summed up when it ends (seen with
# -s): how many calls, which statuses, and which operations never got a 2xx.
CALLS: Counter[tuple[str, int]] = Counter()

# The demo's content, at counts that keep the load to seconds: enough that every list
# has rows and every detail endpoint a real id to hit.
RECORDS = 150
LETTERS = 60

# The schema as /api/v1/schema/ serves it (SpectacularAPIView uses this generator), made
# in process: the operations must be known when pytest collects, before any database.
_served = OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
schema = schemathesis.openapi.from_dict(json.loads(_served))
schema.app = application

FUZZ = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


# Real rows for the drawn requests (filled by `world`): random ids and codes almost never
# name a row, so most generated cases get the path, query and body values of one real
# object of their operation, and half of them real values in the body fields that name a
# unit, a place, a guide … or must pass a format check (phone, ID number). The rest of the
# case stays as drawn, valid or not.
REAL_ROWS: dict[str, list[dict[str, dict[str, Any]]]] = {}
REAL_FIELDS: dict[str, Any] = {}


@schema.hook
def flatmap_case(context, case):
    rows = REAL_ROWS.get(case.operation.path, [])
    row = st.sampled_from([{}, *rows]) if rows else st.just({})
    return st.tuples(row, st.booleans()).map(lambda choice: _with_real_values(case, *choice))


def _with_real_values(case, row: dict[str, dict[str, Any]], real_fields: bool):
    if row.get("path"):
        case.path_parameters = {**(case.path_parameters or {}), **row["path"]}
    if row.get("query"):
        case.query = {**(case.query or {}), **row["query"]}
    if isinstance(case.body, dict):
        fields = {k: v for k, v in REAL_FIELDS.items() if k in case.body} if real_fields else {}
        case.body = {**case.body, **fields, **row.get("body", {})}
    return case


@dataclass
class World:
    official: str  # API token of village_official (admin of 平岗社区居民委员会)
    resident: str  # API token of resident (verified resident of 平岗社区)


# Of the participation demo's villages, 平岗社区 and this many more: every kind of vote,
# round, solicitation, decision, meeting and post is there, in a tenth of the time.
PARTICIPATION_VILLAGES = 2


def _participation_load(seed: int) -> None:
    from participation import demo

    ctx = demo.context_build(seed=seed, now=timezone.now())
    others = [village for village in ctx.villages if village is not ctx.pinggang]
    ctx.villages = [ctx.pinggang, *others[:PARTICIPATION_VILLAGES]]
    for create in (
        demo.votes_create,
        demo.evaluations_create,
        demo.solicitations_create,
        demo.decisions_create,
        demo.meetings_create,
        demo.aid_create,
    ):
        create(ctx)


def _world_load() -> World:
    from disclosure import demo as records
    from disclosure.requests import demo as info_requests
    from funds import demo as funds
    from mailbox import demo as letters
    from portal.demo.geography import DEFAULT_SEED as SEED
    from services import demo as services

    base_load("village", seed=SEED)
    records.demo_load(seed=SEED, count=RECORDS)
    letters.demo_load(seed=SEED, count=LETTERS)
    _participation_load(SEED)
    funds.demo_load(seed=SEED)
    services.demo_load(seed=SEED)
    info_requests.demo_load(seed=SEED)

    _real_rows_find()

    def token(username: str) -> str:
        return Token.objects.get_or_create(user=User.objects.get(username=username))[0].key

    return World(official=token("village_official"), resident=token("resident"))


def _real_rows_find() -> None:
    from disclosure.models import CatalogItem, CatalogTemplate, InfoRequest, Record, RecordStatus
    from funds.models import Collective, FundProject, Voucher
    from mailbox.models import Letter
    from participation.models import (
        AidPost,
        Decision,
        EvaluationRound,
        Meeting,
        Solicitation,
        Vote,
        VoteOption,
    )
    from portal.demo.geography import PINGGANG_CODE
    from portal.demo.logins import DEMO_PASSWORD
    from portal.models import Unit
    from services.models import GuideStatus, ProxyRequest, ServiceGuide

    def ids(queryset, count: int = 8) -> list[int]:
        return list(queryset.order_by("-pk").values_list("pk", flat=True)[:count])

    def by_id(paths: list[str], values: list[Any], name: str = "id") -> None:
        for path in paths:
            REAL_ROWS[f"/api/v1/{path}/"] = [{"path": {name: value}} for value in values]

    def by_code(paths: list[str], model) -> None:
        codes = model.objects.order_by("-pk").values_list("tracking_code", "query_code")[:8]
        for path in paths:
            REAL_ROWS[f"/api/v1/{path}/"] = [
                {
                    "path": {"tracking_code": t},
                    "query": {"query_code": q},
                    "body": {"query_code": q},
                }
                for t, q in codes
            ]

    places = [PINGGANG_CODE, PINGGANG_CODE[:9] + "000", PINGGANG_CODE[:6] + "000000"]
    by_id(["regions/{code}"], places, name="code")
    by_id(["units/{id}"], ids(Unit.objects.all()))
    by_id(["catalogs/{id}"], ids(CatalogTemplate.objects.all()))
    by_id(["records/{id}"], ids(Record.objects.filter(status=RecordStatus.PUBLISHED)))
    by_id(["decisions/{id}"], ids(Decision.objects.all()))
    by_id(["meetings/{id}"], ids(Meeting.objects.all()))
    by_id(["evaluations/{id}", "evaluations/{id}/ratings"], ids(EvaluationRound.objects.all()))
    by_id(["solicitations/{id}", "solicitations/{id}/opinions"], ids(Solicitation.objects.all()))
    by_id(["fund-projects/{id}"], ids(FundProject.objects.all()))
    by_id(["service-guides/{id}"], ids(ServiceGuide.objects.filter(status=GuideStatus.PUBLISHED)))
    by_id(["vouchers/{id}/file"], ids(Voucher.objects.all()))
    by_id(
        [f"mutual-aid/{{id}}{tail}" for tail in ("", "/close", "/replies", "/reports")],
        ids(AidPost.objects.all()),
    )
    by_id(["votes/{id}"], ids(Vote.objects.all()))
    REAL_ROWS["/api/v1/votes/{id}/ballots/"] = [
        {"path": {"id": vote}, "body": {"options": [option]}}
        for vote, option in VoteOption.objects.filter(seq=1)
        .order_by("-vote_id")
        .values_list("vote_id", "pk")[:8]
    ]
    by_code(["letters/{tracking_code}"], Letter)
    by_code(["info-requests/{tracking_code}"], InfoRequest)
    by_code(
        ["proxy-requests/{tracking_code}", "proxy-requests/{tracking_code}/rating"], ProxyRequest
    )

    sign_in = {"username": "citizen", "password": DEMO_PASSWORD}
    REAL_ROWS["/api/v1/auth/token/"] = [{"body": sign_in}]

    committee = Unit.objects.get(region_id=PINGGANG_CODE, name="平岗社区居民委员会")
    today = timezone.localdate()
    REAL_FIELDS.update(
        unit=committee.pk,
        item=CatalogItem.objects.filter(template__key="village").order_by("pk").first().pk,
        region=PINGGANG_CODE,
        collective=Collective.objects.filter(region_id=PINGGANG_CODE).first().pk,
        guide=ServiceGuide.objects.filter(status=GuideStatus.PUBLISHED).order_by("pk").first().pk,
        name="王建国",
        applicant_name="王建国",
        phone="13912345678",
        email="wang@example.com",
        id_number="11010519491231002X",
        info_date=today.isoformat(),
        expires_on=(today + dt.timedelta(days=10)).isoformat(),
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    # A fresh in-process cache: the rate-limit counters start at zero on every run and
    # never touch the shared Redis; the per-address limit of public POSTs is raised so
    # that fuzzing reaches the views (the services' own limits stay as they are).
    with (
        override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            PORTAL_POST_RATE_PER_IP=100_000,
            PORTAL_POST_RATE_PER_USER=100_000,
            PORTAL_POST_RATE_LIMITS={},
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        # Requests go through the WSGI handler itself, which closes the database
        # connection when a request ends; Django's test client unhooks that too.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            yield _world_load()
        finally:
            _summary_print()
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
            transaction.set_rollback(True)


def _summary_print() -> None:
    by_status: Counter[int] = Counter()
    for (_label, code), count in CALLS.items():
        by_status[code] += count
    succeeded = {label for label, code in CALLS if 200 <= code < 300}
    missed = sorted({label for label, _code in CALLS} - succeeded)
    print(f"\nAPI fuzz: {CALLS.total()} calls, by status {dict(sorted(by_status.items()))}")
    if missed:
        print(f"API fuzz: no 2xx for {len(missed)} operations: {', '.join(missed)}")


def _call_and_check(case, headers: dict[str, str] | None = None) -> None:
    with transaction.atomic():
        response = case.call(headers=headers)
        transaction.set_rollback(True)
    CALLS[(case.operation.label, response.status_code)] += 1
    case.validate_response(response, checks=CHECKS, headers=headers)


# Every write, and the one read that needs a signed-in caller (includes add up).
SIGNED_IN = schema.include(method=["POST", "PUT", "PATCH", "DELETE"]).include(path="/api/v1/me/")
# Where being a verified resident of the place is what the service checks.
RESIDENTS_WRITES = schema.include(
    method=["POST", "PUT", "PATCH", "DELETE"],
    path_regex="^/api/v1/(votes|evaluations|solicitations|mutual-aid)/",
)


@schema.parametrize()
@FUZZ
def test_api_anonymous(case, world, db):
    _call_and_check(case)


@SIGNED_IN.parametrize()
@FUZZ
def test_api_as_official(case, world, db):
    _call_and_check(case, {"Authorization": f"Token {world.official}"})


@RESIDENTS_WRITES.parametrize()
@FUZZ
def test_api_writes_as_resident(case, world, db):
    _call_and_check(case, {"Authorization": f"Token {world.resident}"})


def test_fuzzed_schema_is_the_one_served(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.json() == json.loads(_served)


def test_an_api_address_without_a_route_is_a_json_404(client):
    # /votes/<int:pk>/ does not match "abc": Django's resolver answers, not DRF.
    response = client.get("/api/v1/votes/abc/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。"}
    # The rest of the site keeps its HTML page.
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
