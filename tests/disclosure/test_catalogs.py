import pytest

from disclosure import catalogs
from disclosure.models import CatalogTemplate, Channel, Record
from portal.models import UnitKind
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def test_exact_item_counts(catalog):
    counts = {t.key: t.items.count() for t in CatalogTemplate.objects.filter(is_current=True)}
    assert counts == {
        "city_department": 15,
        "county_department": 14,
        "township": 61,
        "village": 76,
        "education_bureau": 63,
        "school": 35,
    }


def test_items_carry_the_national_fields(catalog):
    for template in CatalogTemplate.objects.all():
        for item in template.items.all():
            assert item.level1 and item.level2 and item.elements and item.basis and item.time_limit
            assert set(item.channels) <= set(Channel.values) and item.channels
            assert item.audience in ("全社会", "特定群体") and item.mode in ("主动", "依申请")
    village = CatalogTemplate.objects.get(key="village", is_current=True)
    groups = set(village.items.values_list("level1", flat=True))
    assert {"党务公开", "村务公开", "财务公开"} <= groups


def test_each_unit_gets_the_catalog_of_its_kind_and_tier(catalog, geo):
    assert catalogs.catalog_for_unit(geo.village_committee).key == "village"
    assert catalogs.catalog_for_unit(geo.township_office).key == "township"
    assert catalogs.catalog_for_unit(geo.county_bureau).key == "education_bureau"
    health = UnitFactory(
        name="新津区卫生健康局", kind=UnitKind.DEPARTMENT, sector="health", region=geo.county
    )
    assert catalogs.catalog_for_unit(health).key == "county_department"
    city_dept = UnitFactory(
        name="成都市民政局", kind=UnitKind.DEPARTMENT, sector="civil_affairs", region=geo.city
    )
    assert catalogs.catalog_for_unit(city_dept).key == "city_department"
    school = UnitFactory(name="平岗小学", kind=UnitKind.SCHOOL, region=geo.township)
    assert catalogs.catalog_for_unit(school).key == "school"
    centre = UnitFactory(name="代理记账中心", kind=UnitKind.ACCOUNTING_CENTRE, region=geo.township)
    assert catalogs.catalog_for_unit(centre) is None


def test_reloading_unchanged_files_is_a_no_op(catalog):
    before = CatalogTemplate.objects.count()
    results = catalogs.catalog_load_all()
    assert not any(created for _template, created in results)
    assert CatalogTemplate.objects.count() == before


def test_a_revised_template_is_a_new_version_and_old_records_keep_their_item(
    catalog, geo, personas, tmp_path, monkeypatch
):
    from tests.disclosure.conftest import publish

    record = publish(geo.village_committee, personas.village_official, title="旧版目录下的信息")
    old_item = record.item
    source = (catalogs.CATALOG_DIR / "village.yaml").read_text(encoding="utf-8")
    revised = tmp_path / "village.yaml"
    revised.write_text(
        source.replace("version: 1", "version: 2", 1).replace(
            old_item.level2, old_item.level2 + "（修订）", 1
        ),
        encoding="utf-8",
    )
    template, created = catalogs.catalog_load(path=revised)
    assert created and template.version == 2
    assert CatalogTemplate.objects.get(key="village", version=1).is_current is False
    record = Record.objects.get(pk=record.pk)
    assert record.item == old_item and record.item.template.version == 1
    assert catalogs.catalog_for_unit(geo.village_committee).version == 2
