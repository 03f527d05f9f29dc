"""Permissions matrix, admin door: every role × every admin write × every target unit.

For each registered ModelAdmin that holds unit objects, one object per target unit
(tests/permissions/makers.py). Each case is one line of ADMIN_CASES; `change` and
`delete` say what the write needs on the object's unit (see world.may). A person who
may not read the object gets 404 on its change and delete pages, as for a missing one;
one who may read but not write gets 403; either way the row is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEntry
from tests.permissions.makers import MAKERS
from tests.permissions.world import BACK_OFFICE, ROLES, TARGETS, may, reads, relation

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class AdminCase:
    model: str  # app_label.ModelName, as registered in admin.site
    change: str  # what changing an existing object needs on its unit (world.may)
    delete: str = "never"  # nothing published is deleted from the back office
    # The targets that have such an object (None: all; see makers.py).
    targets: tuple[str, ...] | None = None
    # What this model's "unit" is called on its add form, and what adding there needs;
    # None: the add form has no unit to choose (platform data or not added here).
    add_field: str | None = None
    add: str = "never"
    read: str = "view"  # who may open it (world.reads)


VILLAGES = ("V", "V2", "X")

ADMIN_CASES = [
    AdminCase("portal.Unit", change="manage"),
    AdminCase("portal.Membership", change="never", delete="manage", add_field="unit", add="manage"),
    # The village committee's admins confirm who lives in their village.
    AdminCase("portal.Residency", change="manage", targets=VILLAGES, read="manage_or_supervise"),
    AdminCase("disclosure.Record", change="edit_or_review", add_field="unit", add="edit"),
    AdminCase("disclosure.PublishingSetting", change="manage", add_field="unit", add="manage"),
    AdminCase("disclosure.GazetteIssue", change="edit", add_field="publisher", add="edit"),
    AdminCase("disclosure.AnnualReport", change="edit"),
    AdminCase("disclosure.InfoRequest", change="edit"),
    AdminCase("mailbox.Letter", change="edit_or_supervise"),
    AdminCase(
        "participation.Decision", change="edit", targets=VILLAGES, add_field="unit", add="edit"
    ),
    AdminCase(
        "participation.Meeting", change="edit", targets=VILLAGES, add_field="unit", add="edit"
    ),
    AdminCase("participation.Vote", change="edit", add_field="unit", add="edit"),
    AdminCase("participation.Solicitation", change="edit", add_field="unit", add="edit"),
    AdminCase("participation.EvaluationRound", change="edit", add_field="unit", add="edit"),
    AdminCase("participation.VotingBody", change="edit", add_field="unit", add="edit"),
    AdminCase(
        "funds.FundProject",
        change="edit_or_township",
        targets=VILLAGES,
        add_field="unit",
        add="edit",
        read="monitor",
    ),
    AdminCase("services.ServiceGuide", change="edit", add_field="unit", add="edit"),
    AdminCase("services.ProxyRequest", change="edit"),
    # Citizens' posts: read by the moderators of the place, changed only on the
    # moderation page (tests/permissions/test_doors_matrix.py).
    AdminCase("participation.AidPost", change="never", read="moderate"),
    # Funds warnings: read by whoever monitors the place, handled on the supervision page.
    AdminCase("funds.Alert", change="never", read="monitor_alerts"),
    # Read by the unit's people and supervisors, handled on the supervision page.
    AdminCase("participation.EvaluationFlag", change="never"),
]

CASES = {case.model: case for case in ADMIN_CASES}


def _url(obj, view: str) -> str:
    meta = obj._meta
    return f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/{view}/"


def _state(obj) -> dict:
    model = type(obj)
    return {
        "row": model.objects.filter(pk=obj.pk).values().first(),
        "rows": model.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def _client(w, role: str) -> Client:
    return w.clients[role]


def _matrix():
    for case in ADMIN_CASES:
        for target in case.targets or TARGETS:
            for role in ROLES:
                yield pytest.param(
                    role, case, target, id=f"{case.model}-{role}-{relation(role, target)}"
                )


@pytest.mark.parametrize(("role", "case", "target"), list(_matrix()))
def test_admin_object(w, role, case, target):
    obj = w.objects[case.model, target]
    assert obj is not None, f"no {case.model} for {target}"
    client = _client(w, role)
    before = _state(obj)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(_url(obj, "change"))
    if role not in BACK_OFFICE:
        # Not back office at all: every admin page sends them to the login.
        assert page.status_code == 302 and "/admin/login/" in page["Location"]
        refused = (
            client.post(_url(obj, "change"), {}),
            client.post(_url(obj, "delete"), {"post": "yes"}),
        )
        assert all(r.status_code == 302 for r in refused)
        assert _state(obj) == before
        return
    visible = reads(role, case.read, target)
    if not visible:
        assert page.status_code == 404, "an outsider must not learn that the object exists"
        # Refused on the object's scope alone: the session, the person, their grants and
        # the object (at most 8 queries), nothing of the page is loaded.
        assert len(queries) <= 8, [q["sql"] for q in queries]
    else:
        assert page.status_code == 200
        assert page.context["has_change_permission"] == may(role, case.change, target)
    if not (visible and may(role, case.change, target)):
        refused = client.post(_url(obj, "change"), {})
        assert refused.status_code == (403 if visible else 404)
    delete = _url(obj, "delete")
    if may(role, case.delete, target):
        assert client.get(delete).status_code == 200
    else:
        refused = client.post(delete, {"post": "yes"})
        assert refused.status_code == (403 if visible else 404)
    assert _state(obj) == before


def _add_matrix():
    for case in ADMIN_CASES:
        if case.add_field:
            for role in ROLES:
                yield pytest.param(role, case, id=f"{case.model}-add-{role}")


@pytest.mark.parametrize(("role", "case"), list(_add_matrix()))
def test_admin_add_offers_only_units_the_role_may_write_for(w, role, case):
    """The add form's unit choices are exactly the targets the role may write for; with
    none, the add page is refused. Adding for a unit outside them (the id sent anyway) is
    refused by the form and writes nothing."""
    model = next(m for m in admin.site._registry if m._meta.label == case.model)
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
    client = _client(w, role)
    targets = case.targets or TARGETS
    allowed = {t for t in targets if may(role, case.add, t)}
    denied = [t for t in targets if t not in allowed]
    rows, audit = model.objects.count(), AuditEntry.objects.count()
    page = client.get(url) if not (allowed and denied) else None
    if role not in BACK_OFFICE or not allowed:
        assert page.status_code == (403 if role in BACK_OFFICE else 302)
        refused = client.post(url, {case.add_field: w.units[targets[0]].pk})
        assert refused.status_code == page.status_code
        assert (model.objects.count(), AuditEntry.objects.count()) == (rows, audit)
        return
    if denied:
        # One request shows both: the choices offered, and the refusal of a unit
        # outside them, its id sent anyway.
        page = client.post(url, {case.add_field: w.units[denied[0]].pk})
        assert case.add_field in page.context["adminform"].form.errors
    assert page.status_code == 200
    field = page.context["adminform"].form.fields[case.add_field]
    offered = set(field.queryset.values_list("pk", flat=True))
    for target in targets:
        unit = w.units[target]
        assert (unit.pk in offered) == (target in allowed), (target, relation(role, target))
    assert (model.objects.count(), AuditEntry.objects.count()) == (rows, audit)


# --- Custom admin actions ------------------------------------------------------------


@dataclass(frozen=True)
class ActionCase:
    model: str
    action: str
    need: str
    targets: tuple[str, ...] | None = None


ACTION_CASES = [
    ActionCase("portal.Residency", "approve_selected", need="manage", targets=VILLAGES),
    ActionCase("services.ServiceGuide", "confirm_verified", need="edit"),
]


def _action_matrix():
    for case in ACTION_CASES:
        for target in case.targets or TARGETS:
            for role in ROLES:
                yield pytest.param(
                    role,
                    case,
                    target,
                    id=f"{case.model}.{case.action}-{role}-{relation(role, target)}",
                )


@pytest.mark.parametrize(("role", "case", "target"), list(_action_matrix()))
def test_admin_action(w, role, case, target):
    obj = w.objects[case.model, target]
    meta = obj._meta
    before = _state(obj)
    response = _client(w, role).post(
        f"/admin/{meta.app_label}/{meta.model_name}/",
        {"action": case.action, "_selected_action": [obj.pk], "index": 0},
    )
    assert response.status_code == 302
    if may(role, case.need, target):
        assert _state(obj)["row"] != before["row"]
    else:
        assert _state(obj) == before


# --- Completeness: a new admin or admin action must get a line above ------------------

# Admins without unit objects of their own, each with why it is not in ADMIN_CASES;
# "platform" and "never" are checked by test_platform_data_and_logs_are_not_added_by_officials.
ADMIN_WITHOUT_UNIT_OBJECTS = {
    # Platform data: only the platform admin adds or changes it.
    "auth.Group": "platform",
    "authtoken.TokenProxy": "platform",
    "portal.Region": "platform",
    "portal.SupervisorScope": "platform",
    "portal.WorkdayYear": "platform",
    "portal.CalendarDay": "platform",
    "portal.User": "platform",
    "disclosure.CatalogTemplate": "platform",
    "disclosure.CatalogItem": "platform",
    # Read-only logs and rows derived by services: nobody adds or changes them here.
    "portal.AuditEntry": "never",
    "portal.WorkerHeartbeat": "never",
    "participation.Evaluation": "never",
    "funds.Disbursement": "never",
    "funds.Acceptance": "never",
    "funds.Rectification": "never",
    "funds.VoucherView": "never",
    "funds.VoucherGrant": "never",
    # Rows of a parent object, written through the parent's page (its own cases cover
    # them) or by the accounting centre's booking rules (tests/funds/test_ledger_admin.py).
    "participation.Opinion": "rows",
    "participation.PaperBatch": "rows",
    "funds.Collective": "rows",
    "funds.Member": "rows",
    "funds.LedgerEntry": "rows",
    "funds.FixedAsset": "rows",
    "funds.Resource": "rows",
    "funds.MonthlyStatement": "rows",
    "funds.LedgerImport": "rows",
    "funds.VillageAllocation": "rows",
    "services.ApprovalMatter": "rows",
    "services.CommitmentScheme": "rows",
    "services.CommitmentProject": "rows",
    # A school's parents and staff, confirmed by the school's admins (no school among the
    # targets): tests/disclosure/test_doors.py.
    "disclosure.AudienceMembership": "school",
}
# Admin actions not in ACTION_CASES: they act on rows listed above, whose own app tests
# check them (tests/participation/test_solicitations_admin.py, tests/funds/).
ACTIONS_ELSEWHERE = {
    ("participation.Opinion", "publish_selected"),
    ("funds.MonthlyStatement", "regenerate_selected"),
    ("funds.MonthlyStatement", "publish_selected"),
}


def test_every_admin_is_in_the_matrix():
    registered = {model._meta.label for model in admin.site._registry}
    covered = set(CASES) | set(ADMIN_WITHOUT_UNIT_OBJECTS)
    assert registered - covered == set(), "add a line to ADMIN_CASES for each new admin"
    assert covered - registered == set(), "a line for an admin that is gone"
    assert set(CASES) <= set(MAKERS)


def test_every_admin_action_is_in_the_matrix():
    actions = {
        (model._meta.label, name if isinstance(name, str) else name.__name__)
        for model, model_admin in admin.site._registry.items()
        for name in model_admin.actions or ()
    }
    covered = {(case.model, case.action) for case in ACTION_CASES} | ACTIONS_ELSEWHERE
    assert actions == covered


def _platform_matrix():
    for label, kind in ADMIN_WITHOUT_UNIT_OBJECTS.items():
        if kind in ("platform", "never"):
            for role in ROLES:
                yield pytest.param(label, kind, role, id=f"{label}-add-{role}")


@pytest.mark.parametrize(("label", "kind", "role"), list(_platform_matrix()))
def test_platform_data_and_logs_are_not_added_by_officials(w, label, kind, role):
    """Platform data is added only by the platform admin, logs and derived rows by
    nobody: everyone else is refused the add page (403 for the back office, the login
    for the rest), and a POST there writes nothing."""
    model = next(m for m in admin.site._registry if m._meta.label == label)
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
    client = _client(w, role)
    allowed = kind == "platform" and role == "platform_admin"
    expected = 200 if allowed else 403 if role in BACK_OFFICE else 302
    assert client.get(url).status_code == expected
    if not allowed:
        rows = model.objects.count()
        assert client.post(url, {}).status_code == expected
        assert model.objects.count() == rows
