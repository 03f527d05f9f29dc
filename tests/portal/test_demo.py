"""The demo data: the generators (pure, several seeds) and `seed_demo` (loaded once for
the module, inside a transaction that is rolled back so the reused database stays empty)."""

import datetime as dt
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.db import transaction

from portal import hierarchy, identity
from portal.demo.geography import PlaceKind, build_geography
from portal.demo.loader import demo_load
from portal.demo.people import DEMO_LOGINS, DEMO_PASSWORD, make_people
from portal.demo.units import plan_units
from portal.models import (
    MembershipRole,
    Region,
    Residency,
    ResidencyStatus,
    Sector,
    Tier,
    Unit,
    UnitKind,
    User,
)
from portal.permissions import Action, can

# Written out here rather than imported, so a slip in the generator's table shows.
CHENGDU_COUNTIES = {
    "510104000000": "锦江区",
    "510105000000": "青羊区",
    "510106000000": "金牛区",
    "510107000000": "武侯区",
    "510108000000": "成华区",
    "510112000000": "龙泉驿区",
    "510113000000": "青白江区",
    "510114000000": "新都区",
    "510115000000": "温江区",
    "510116000000": "双流区",
    "510117000000": "郫都区",
    "510118000000": "新津区",
    "510121000000": "金堂县",
    "510129000000": "大邑县",
    "510131000000": "蒲江县",
    "510181000000": "都江堰市",
    "510182000000": "彭州市",
    "510183000000": "邛崃市",
    "510184000000": "崇州市",
    "510185000000": "简阳市",
}
XINJIN_TOWNSHIPS = {
    "五津街道", "花源街道", "普兴街道", "花桥街道", "永商镇", "兴义镇", "安西镇", "宝墩镇",
}  # fmt: skip


# --- generators, no database -----------------------------------------------------------


def test_same_seed_builds_the_same_city_and_another_seed_a_different_one():
    first, again, other = build_geography(7), build_geography(7), build_geography(8)
    assert first.rows() == again.rows()
    assert plan_units(first, 7) == plan_units(again, 7)
    assert first.rows() != other.rows()
    # The real parts do not depend on the seed.
    assert [(c.code, c.name) for c in other.counties] == list(CHENGDU_COUNTIES.items())


@pytest.mark.parametrize("seed", [1, 2026, 424242])
def test_generated_places_follow_the_code_conventions(seed):
    geography = build_geography(seed)
    rows = geography.rows()
    codes = [code for code, _name in rows]
    assert len(codes) == len(set(codes))
    tiers = Counter(hierarchy.tier_of(code) for code in codes)
    assert tiers[Tier.COUNTY] == 20
    assert 240 <= tiers[Tier.TOWNSHIP] <= 280
    assert 3900 <= tiers[Tier.VILLAGE] <= 4300

    names_in_parent = defaultdict(set)
    for place in geography.walk():
        for child in place.children:
            assert hierarchy.parent_code(child.code) == place.code
            assert child.name not in names_in_parent[place.code]
            names_in_parent[place.code].add(child.name)
            segment = int(child.code[6:9]) if child.code.endswith("000") else int(child.code[9:])
            kind_ranges = {
                PlaceKind.SUBDISTRICT: (1, 99, "街道"),
                PlaceKind.TOWN: (100, 199, "镇"),
                PlaceKind.RURAL_TOWNSHIP: (200, 299, "乡"),
                PlaceKind.COMMUNITY: (1, 199, "社区"),
                PlaceKind.VILLAGE: (200, 399, "村"),
            }
            if child.kind in kind_ranges:
                low, high, suffix = kind_ranges[child.kind]
                assert low <= segment <= high, child
                assert child.name.endswith(suffix), child


@pytest.mark.parametrize("seed", [1, 2026, 424242])
def test_planned_units_are_many_unique_and_well_formed(seed):
    units = plan_units(build_geography(seed), seed)
    assert len(units) >= 10_000
    assert len({unit.key for unit in units}) == len(units)
    keys = {unit.key for unit in units}
    for unit in units:
        assert bool(unit.sector) == (unit.kind == UnitKind.DEPARTMENT), unit
        assert unit.parent is None or unit.parent in keys
        assert unit.phone.startswith("028-8") and len(unit.phone) == 12
    approval = [u for u in units if u.sector == Sector.APPROVAL]
    assert len(approval) == 20
    assert all(hierarchy.tier_of(u.region_code) == Tier.COUNTY for u in approval)


def test_demo_people_have_well_formed_ids_and_mobiles_and_repr_masks_them():
    persons = make_people(300, seed=5)
    assert make_people(300, seed=5) == persons
    for person in persons:
        assert identity.validate_id_number(person.id_number) == person.id_number
        assert person.id_number.startswith("510118")
        assert person.id_number[6:14] == person.birth_date.strftime("%Y%m%d")
        assert (int(person.id_number[14:17]) % 2 == 1) == person.male
        assert dt.date(1950, 1, 1) < person.birth_date < dt.date(2007, 1, 1)
        assert identity.validate_phone(person.mobile) == person.mobile
        assert 2 <= len(person.full_name) <= 3
        assert person.id_number not in repr(person) and person.mobile not in repr(person)
    assert len({p.id_number for p in persons}) == len(persons)
    assert {p.male for p in persons} == {True, False}


def test_demo_password_passes_the_site_password_rules():
    validate_password(DEMO_PASSWORD)


# --- seed_demo --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return seeded


def test_seed_builds_chengdu_with_its_real_counties(demo):
    assert Region.objects.get(code="510000000000").name == "四川省"
    city = Region.objects.get(code="510100000000")
    assert (city.name, city.parent_id) == ("成都市", "510000000000")
    counties = dict(Region.objects.filter(parent=city).values_list("code", "name"))
    assert counties == CHENGDU_COUNTIES

    xinjin = set(Region.objects.filter(parent_id="510118000000").values_list("name", flat=True))
    assert xinjin == XINJIN_TOWNSHIPS
    wujin = Region.objects.get(code="510118001000")
    assert (wujin.name, wujin.tier) == ("五津街道", Tier.TOWNSHIP)
    pinggang = Region.objects.get(code="510118001001")
    assert (pinggang.name, pinggang.parent_id, pinggang.tier) == (
        "平岗社区",
        "510118001000",
        Tier.VILLAGE,
    )

    for code, parent_id, tier in Region.objects.values_list("code", "parent_id", "tier"):
        assert parent_id == hierarchy.parent_code(code), code
        assert tier == hierarchy.tier_of(code), code


def test_seed_builds_ten_thousand_units_in_their_places(demo):
    assert Unit.objects.count() >= 10_000
    tiers = dict(Region.objects.values_list("code", "tier"))
    kinds_by_region = defaultdict(Counter)
    for region_id, kind in Unit.objects.values_list("region_id", "kind"):
        kinds_by_region[region_id][kind] += 1
    for code, tier in tiers.items():
        kinds = kinds_by_region[code]
        if tier == Tier.TOWNSHIP:
            assert kinds[UnitKind.TOWNSHIP_OFFICE] == 1, code
            assert kinds[UnitKind.ACCOUNTING_CENTRE] == 1, code
            assert 1 <= kinds[UnitKind.SCHOOL] <= 3, code
        elif tier == Tier.VILLAGE:
            assert kinds == {UnitKind.VILLAGE_COMMITTEE: 1, UnitKind.SUPERVISORY_COMMITTEE: 1}
        elif tier == Tier.COUNTY:
            assert kinds[UnitKind.GOVERNMENT] == 1, code
            assert kinds[UnitKind.DEPARTMENT] >= 20, code

    for code, name in CHENGDU_COUNTIES.items():
        sectors = dict(
            Unit.objects.filter(region_id=code, kind=UnitKind.DEPARTMENT).values_list(
                "name", "sector"
            )
        )
        assert sectors[f"{name}教育局"] == Sector.EDUCATION
        assert sectors[f"{name}民政局"] == Sector.CIVIL_AFFAIRS
        assert sectors[f"{name}行政审批局"] == Sector.APPROVAL

    # Every school answers to the education bureau of its own county.
    for school in Unit.objects.filter(kind=UnitKind.SCHOOL).select_related("parent_unit"):
        bureau = school.parent_unit
        assert bureau.sector == Sector.EDUCATION
        assert hierarchy.is_within(school.region_id, bureau.region_id)

    office = Unit.objects.get(region_id="510118001000", kind=UnitKind.TOWNSHIP_OFFICE)
    assert office.name == "新津区五津街道办事处"
    assert office.address.startswith("新津区五津街道") and office.office_hours
    committee = Unit.objects.get(region_id="510118001001", kind=UnitKind.VILLAGE_COMMITTEE)
    assert committee.name == "平岗社区居民委员会"
    assert committee.address.startswith("新津区五津街道平岗路")


def test_seed_reports_counts(demo):
    assert "县（区、市）：20" in demo
    assert "公开主体：共" in demo
    assert "用时" in demo
    # The resident's synthetic ID number, for trying the voucher check; well formed.
    line = next(line for line in demo.splitlines() if line.startswith("查阅原始凭证演示"))
    assert identity.is_valid_id_number(line.split("身份证号码 ")[1][:18])


def test_second_run_is_quick_and_creates_nothing(demo, django_assert_max_num_queries, settings):
    before = (Region.objects.count(), Unit.objects.count(), User.objects.count())
    out = StringIO()
    # demo_is_loaded: three small queries, and one per app loader.
    with django_assert_max_num_queries(3 + len(settings.PORTAL_DEMO_LOADERS)):
        call_command("seed_demo", stdout=out)
    assert "已载入" in out.getvalue()
    assert (Region.objects.count(), Unit.objects.count(), User.objects.count()) == before


def test_loading_again_completes_what_is_missing(demo):
    # Two villages' supervisory committees: the committees themselves hold records and
    # projects, which protect them.
    missing = Unit.objects.filter(
        region_id__in=["510185001001", "510185001002"], kind=UnitKind.SUPERVISORY_COMMITTEE
    ).order_by("region")
    names = sorted(missing.values_list("name", flat=True))
    missing.delete()
    result = demo_load()
    assert (result.regions_created, result.units_created) == (0, 2)
    assert sorted(missing.values_list("name", flat=True)) == names


def test_demo_logins_hold_their_roles(demo, settings):
    usernames = [username for username, _role, _can in DEMO_LOGINS]
    users = {user.username: user for user in User.objects.filter(username__in=usernames)}
    assert set(users) == set(usernames)
    # The module's seed ran before the suite swapped in a fast hasher; check with the real one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    assert all(user.check_password(DEMO_PASSWORD) for user in users.values())

    committee = Unit.objects.get(name="平岗社区居民委员会")
    another_committee = (
        Unit.objects.filter(kind=UnitKind.VILLAGE_COMMITTEE).exclude(pk=committee.pk).first()
    )
    wujin_office = Unit.objects.get(name="新津区五津街道办事处")
    xinjin_bureau = Unit.objects.get(name="新津区教育局")
    jinjiang_bureau = Unit.objects.get(name="锦江区教育局")

    assert users["admin"].is_superuser and users["admin"].is_staff
    village_official = users["village_official"]
    assert can(village_official, Action.MANAGE, committee)
    assert not can(village_official, Action.MANAGE, another_committee)
    assert village_official.memberships.get().role == MembershipRole.ADMIN

    assert can(users["township_official"], Action.EDIT, wujin_office)
    assert not can(users["township_official"], Action.REVIEW, wujin_office)
    assert can(users["county_official"], Action.REVIEW, xinjin_bureau)
    assert not can(users["county_official"], Action.EDIT, xinjin_bureau)
    assert not can(users["county_official"], Action.REVIEW, jinjiang_bureau)

    assert can(users["supervisor"], Action.VIEW, committee)
    assert not can(users["supervisor"], Action.VIEW, jinjiang_bureau)
    assert can(users["city_supervisor"], Action.VIEW, jinjiang_bureau)

    resident = users["resident"].residencies.get()
    assert (resident.region_id, resident.status) == ("510118001001", ResidencyStatus.VERIFIED)
    assert resident.decided_by == village_official
    citizen = users["citizen"]
    assert not citizen.is_staff and not citizen.memberships.exists()
    assert not citizen.residencies.exists()
    pending = Residency.objects.filter(region_id="510118001001", status=ResidencyStatus.PENDING)
    assert pending.count() >= 3
    assert all(r.id_number_masked.startswith("510118****") for r in pending)


# --- participation ----------------------------------------------------------------------


def test_participation_demo_keeps_the_services_rules(demo):
    from django.db.models import Count
    from django.utils import timezone

    from disclosure.models import RecordStatus
    from participation.models import (
        AidPost,
        AidStatus,
        Ballot,
        Decision,
        DecisionStatus,
        Evaluation,
        EvaluationFlag,
        EvaluationSubject,
        Opinion,
        OpinionStatus,
        RoundStatus,
        Solicitation,
        SolicitationStatus,
        Vote,
        VoteStatus,
    )
    from participation.selectors.votes import vote_tally
    from participation.services.mutual_aid import scope_code_for

    now = timezone.now()
    closed = Vote.objects.filter(status=VoteStatus.CLOSED).prefetch_related("options")
    assert closed.count() > 40
    for vote in closed:
        recount = vote_tally(vote, eligible=vote.eligible_count, final=True).as_json()
        assert recount == vote.result, vote
        assert vote.result["turnout"] <= vote.eligible_count
    assert not Ballot.objects.filter(vote__secret=True, voter__isnull=False).exists()
    assert not Ballot.objects.filter(cast_at__gt=now).exists()

    rounds = EvaluationSubject.objects.filter(round__status=RoundStatus.CLOSED)
    counted = {
        (row["subject"], row["rating"]): row["n"]
        for row in Evaluation.objects.values("subject", "rating").annotate(n=Count("id"))
    }
    for subject in rounds:
        assert subject.satisfied == counted.get((subject.pk, "satisfied"), 0)
        assert subject.unsatisfied == counted.get((subject.pk, "unsatisfied"), 0)
    flag = EvaluationFlag.objects.select_related("subject", "previous").get()
    assert flag.subject.majority_unsatisfied and flag.previous.majority_unsatisfied
    assert flag.previous.year == flag.subject.year - 1

    for solicitation in Solicitation.objects.filter(status=SolicitationStatus.REPORTED):
        opinions = Opinion.objects.filter(solicitation=solicitation)
        assert not opinions.filter(status=OpinionStatus.PENDING).exists()
        assert not opinions.filter(status=OpinionStatus.PUBLISHED, group__isnull=True).exists()
        assert not solicitation.groups.exclude(adoption="adopted").filter(reason="").exists()

    done = Decision.objects.filter(status=DecisionStatus.DONE).select_related(
        "decision_record__item", "result_record__item"
    )
    assert done.exists()
    for decision in done:
        assert decision.steps.count() == 4
        assert decision.decision_record.status == RecordStatus.PUBLISHED
        assert decision.decision_record.item.level2 == "“四议两公开”决议事项和决策过程"
        assert decision.result_record.item.level2 == "“四议两公开”实施结果"
        assert decision.result_record.published_at <= now

    for post in AidPost.objects.all():
        assert post.scope_code == scope_code_for(post.region_id, post.scope)
        assert post.created_at <= now
    for post in AidPost.objects.filter(status=AidStatus.HIDDEN):
        assert post.reports.count() >= 3
    assert Residency.objects.filter(id_number_masked__regex=r"^\d{6}\*{8}[\dX]{4}$").count() > 600


def test_the_resident_login_has_something_to_take_part_in(demo):
    from participation import eligibility
    from participation.models import EvaluationRound, Phase, Solicitation, Vote
    from participation.selectors.votes import standing as member_standing

    resident = User.objects.get(username="resident")
    pinggang = "510118001001"
    votes = [v for v in Vote.objects.filter(region_id=pinggang) if v.phase() == Phase.OPEN]
    assert len(votes) == 2
    for vote in votes:
        standing = member_standing(vote, resident)
        assert standing.eligible and standing.ballot is None and standing.may_cast
    upcoming = [v for v in Vote.objects.filter(region_id=pinggang) if v.phase() == Phase.UPCOMING]
    assert eligibility.may_take_part(resident, upcoming[0])  # a representative
    rounds = [
        r for r in EvaluationRound.objects.filter(region_id=pinggang) if r.phase() == Phase.OPEN
    ]
    assert len(rounds) == 1 and eligibility.may_take_part(resident, rounds[0])
    assert any(s.phase() == Phase.OPEN for s in Solicitation.objects.filter(region_id=pinggang))


def test_participation_counters_on_the_home_page(demo, client, settings):
    settings.PARTICIPATION_STATS_CACHE_SECONDS = 0
    html = client.get("/").content.decode()
    assert "公众参与" in html and "意见建议" in html
    stats = client.get("/api/v1/participation/stats/", {"region": "510118000000"}).json()
    assert stats["totals"]["ballots"] > 10_000 and stats["totals"]["evaluations"] > 1_000


# --- funds ------------------------------------------------------------------------------


def test_funds_demo_keeps_the_ledger_and_project_rules(demo):
    from django.db.models import Count, F, Q, Sum
    from django.utils import timezone

    from funds.models import (
        STAGE_ORDER,
        Alert,
        Collective,
        Disbursement,
        FundProject,
        LedgerEntry,
        MonthlyStatement,
        Stage,
        Voucher,
    )
    from funds.selectors.ledger import statement_figures

    villages = Region.objects.filter(tier=Tier.VILLAGE)
    # Every village has its books and a project of this year.
    assert Collective.objects.filter(group_name="").count() == villages.count()
    this_year = timezone.localdate().year
    with_project = FundProject.objects.filter(year=this_year).values("region").distinct()
    assert with_project.count() == villages.count()

    # The disbursed total is the sum of the payments and never above the budget.
    sums = dict(
        Disbursement.objects.values("project").annotate(s=Sum("amount")).values_list("project", "s")
    )
    projects = FundProject.objects.prefetch_related("stages")
    sample = hierarchy.in_subtree(projects, "510118000000")
    assert sample.count() > 100
    for project in sample:
        assert project.disbursed == sums.get(project.pk, 0), project
        assert project.disbursed <= project.budget
        reached = [s.stage for s in sorted(project.stages.all(), key=lambda s: s.reached_at)]
        assert reached == STAGE_ORDER[: len(reached)], project
        assert reached[-1] == project.stage
    assert not FundProject.objects.filter(disbursed__gt=F("budget")).exists()
    assert not FundProject.objects.exclude(stage=Stage.PROPOSED).filter(decision=None).exists()

    # The statements are the ledger's own figures; published ones point at their record.
    statements = MonthlyStatement.objects.select_related("collective").order_by("pk")
    assert statements.filter(record__isnull=False).count() > 100
    for statement in statements[:: max(1, statements.count() // 25)]:
        assert statement.figures == statement_figures(statement.collective, statement.month)
    assert not statements.filter(Q(record__isnull=False) & Q(published_at=None)).exists()

    # Entries are well formed: unique voucher numbers per collective, vouchers private.
    duplicates = (
        LedgerEntry.objects.values("collective", "voucher_number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
    assert Voucher.objects.count() > 1000
    assert not Voucher.objects.exclude(file__startswith="private/").exists()

    # The rules found something to show on the dashboards, each kind in its subtree.
    kinds = set(Alert.objects.filter(cleared_at=None).values_list("kind", flat=True))
    assert {"no_voucher", "cash_above_float", "near_budget", "rectification"} <= kinds, kinds


def test_the_accountant_and_resident_logins_have_funds_work(demo):
    from funds import permissions
    from funds.models import Collective, Member, Rectification

    accountant = User.objects.get(username="accountant")
    pinggang = Collective.objects.get(region_id="510118001001", group_name="")
    other_township = hierarchy.in_subtree(Collective.objects, "510118002000").first()
    assert permissions.can_book(accountant, pinggang)
    assert not permissions.can_book(accountant, other_township)
    # The resident is a registered member of 平岗社区's collective (the voucher demo).
    resident = User.objects.get(username="resident").residencies.get()
    member = Member.objects.get(collective=pinggang, id_number_hash=resident.id_number_hash)
    assert member.id_number_masked == resident.id_number_masked
    # This year's project of 平岗社区 was rated badly: the township has a rectification open.
    assert Rectification.objects.filter(project__region_id="510118001001", closed_at=None).exists()
