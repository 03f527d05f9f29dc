import pytest
from django.db import connection

from portal import hierarchy
from portal.models import Region, Tier, Unit


@pytest.mark.parametrize(
    ("code", "tier", "prefix", "parent"),
    [
        ("510000000000", Tier.PROVINCE, "51", None),
        ("510100000000", Tier.CITY, "5101", "510000000000"),
        ("510118000000", Tier.COUNTY, "510118", "510100000000"),
        ("510118001000", Tier.TOWNSHIP, "510118001", "510118000000"),
        ("510118001001", Tier.VILLAGE, "510118001001", "510118001000"),
        ("510118100000", Tier.TOWNSHIP, "510118100", "510118000000"),
    ],
)
def test_code_arithmetic(code, tier, prefix, parent):
    assert hierarchy.tier_of(code) == tier
    assert hierarchy.prefix_of(code) == prefix
    assert hierarchy.parent_code(code) == parent


@pytest.mark.parametrize(
    "bad", ["", "5101", "51011800100a", "000000000000", "510118000001", "5101180010011", None]
)
def test_invalid_codes_are_refused(bad):
    assert not hierarchy.is_valid_code(bad)
    with pytest.raises(hierarchy.InvalidRegionCode):
        hierarchy.tier_of(bad)


def test_ancestors_and_within():
    assert hierarchy.ancestor_codes("510118001001") == [
        "510000000000",
        "510100000000",
        "510118000000",
        "510118001000",
    ]
    assert hierarchy.is_within("510118001001", "510118000000")
    assert hierarchy.is_within("510118000000", "510118000000")
    assert not hierarchy.is_within("510104020001", "510118000000")
    # 5101180 is not a prefix boundary: a township of 510118 is not inside 510110.
    assert not hierarchy.is_within("510118001000", "510110000000")
    assert hierarchy.subtree_bounds("510118000000") == ("510118000000", "510118999999")


def test_subtree_of_units_is_one_query_without_join(geo, django_assert_num_queries):
    with django_assert_num_queries(1) as ctx:
        names = set(
            hierarchy.in_subtree(Unit.objects.all(), "510118000000").values_list("name", flat=True)
        )
    assert names == {"平岗社区居民委员会", "新津区五津街道办事处", "新津区教育局"}
    sql = ctx.captured_queries[0]["sql"]
    assert "JOIN" not in sql.upper()


def test_subtree_of_places_and_breadcrumbs(geo, django_assert_num_queries):
    codes = set(hierarchy.subtree("510118000000").values_list("code", flat=True))
    assert codes == {"510118000000", "510118001000", "510118001001"}
    with django_assert_num_queries(1):
        trail = [r.name for r in hierarchy.breadcrumbs(geo.village)][:-1]
    assert trail == ["成都市", "新津区", "五津街道"]
    assert [r.code for r in hierarchy.children("510100000000")] == ["510104000000", "510118000000"]


def test_subtree_query_uses_an_index(geo):
    """The range on the code column is answered by the primary key / FK indexes."""
    low, high = hierarchy.subtree_bounds("510118000000")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for table, column in (("portal_region", "code"), ("portal_unit", "region_id")):
            cursor.execute(
                f"EXPLAIN SELECT * FROM {table} WHERE {column} >= %s AND {column} <= %s",  # noqa: S608
                [low, high],
            )
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Index" in plan, plan


def test_database_refuses_a_code_that_does_not_match_its_tier(geo):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="510118001000", name="错", tier=Tier.VILLAGE, parent=geo.county)


def test_ancestor_at_a_tier():
    assert hierarchy.ancestor_at("510118001001", "township") == "510118001000"
    assert hierarchy.ancestor_at("510118001001", "county") == "510118000000"
    assert hierarchy.ancestor_at("510118001001", "village") == "510118001001"
    assert hierarchy.ancestor_at("510118000000", "village") is None
