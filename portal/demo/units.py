"""The demo's publishing units (公开主体), planned from the demo geography.

The city government and its departments; in each county the people's government, its
departments and schools; in each township its government or street office, the
accounting agency centre and a few schools; in each village its committee and
supervisory committee. About 10,000 in all, like the reference platform.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from portal.demo.geography import (
    CENTRAL_CODES,
    DEFAULT_SEED,
    Geography,
    Place,
    PlaceKind,
    build_geography,
)
from portal.models import Sector, UnitKind


@dataclass(frozen=True)
class UnitPlan:
    name: str
    kind: str
    region_code: str
    sector: str = ""
    # (region_code, name) of the supervising unit: schools answer to the county 教育局.
    parent: tuple[str, str] | None = None
    address: str = ""
    phone: str = ""
    office_hours: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.region_code, self.name)


# The city's departments (成都市…) with their sectors. No city unit takes the approval
# sector: that catalog is the county 行政审批局's.
CITY_DEPARTMENTS: tuple[tuple[str, Sector], ...] = (
    ("发展和改革委员会", Sector.DEVELOPMENT),
    ("教育局", Sector.EDUCATION),
    ("科学技术局", Sector.SCIENCE),
    ("经济和信息化局", Sector.ECONOMY),
    ("新经济发展委员会", Sector.ECONOMY),
    ("公安局", Sector.PUBLIC_SECURITY),
    ("民政局", Sector.CIVIL_AFFAIRS),
    ("司法局", Sector.JUSTICE),
    ("财政局", Sector.FINANCE),
    ("地方金融监督管理局", Sector.FINANCE),
    ("国有资产监督管理委员会", Sector.FINANCE),
    ("机关事务管理局", Sector.FINANCE),
    ("人力资源和社会保障局", Sector.HUMAN_RESOURCES),
    ("就业服务管理局", Sector.HUMAN_RESOURCES),
    ("社会保险事务中心", Sector.HUMAN_RESOURCES),
    ("规划和自然资源局", Sector.NATURAL_RESOURCES),
    ("林业和园林管理局", Sector.NATURAL_RESOURCES),
    ("生态环境局", Sector.ECOLOGY),
    ("住房和城乡建设局", Sector.HOUSING),
    ("公园城市建设和城市更新局", Sector.HOUSING),
    ("住房公积金管理中心", Sector.HOUSING),
    ("交通运输局", Sector.TRANSPORT),
    ("水务局", Sector.WATER),
    ("农业农村局", Sector.AGRICULTURE),
    ("商务局", Sector.COMMERCE),
    ("投资促进局", Sector.COMMERCE),
    ("口岸与物流办公室", Sector.COMMERCE),
    ("文化广电旅游局", Sector.CULTURE),
    ("体育局", Sector.CULTURE),
    ("卫生健康委员会", Sector.HEALTH),
    ("退役军人事务局", Sector.VETERANS),
    ("应急管理局", Sector.EMERGENCY),
    ("人民防空办公室", Sector.EMERGENCY),
    ("审计局", Sector.AUDIT),
    ("市场监督管理局", Sector.MARKET),
    ("统计局", Sector.STATISTICS),
    ("医疗保障局", Sector.MEDICAL_INSURANCE),
    ("城市管理委员会", Sector.URBAN_MANAGEMENT),
    ("粮食和物资储备局", Sector.DEVELOPMENT),
    ("公共资源交易服务中心", Sector.DEVELOPMENT),
)
CITY_SCHOOLS = (
    "成都石室中学",
    "成都市第七中学",
    "成都市树德中学",
    "成都市第二十中学",
    "成都市实验小学",
    "成都市第一幼儿园",
)
CITY_GOVERNMENT_ADDRESS = "成都市高新区锦城大道366号"

# A county's departments; central districts have no 水务局 or 农业农村局 of their own.
COUNTY_DEPARTMENTS: tuple[tuple[str, Sector], ...] = (
    ("发展和改革局", Sector.DEVELOPMENT),
    ("教育局", Sector.EDUCATION),
    ("经济科技和信息化局", Sector.ECONOMY),
    ("民政局", Sector.CIVIL_AFFAIRS),
    ("司法局", Sector.JUSTICE),
    ("财政局", Sector.FINANCE),
    ("人力资源和社会保障局", Sector.HUMAN_RESOURCES),
    ("规划和自然资源局", Sector.NATURAL_RESOURCES),
    ("生态环境局", Sector.ECOLOGY),
    ("住房和城乡建设局", Sector.HOUSING),
    ("交通运输局", Sector.TRANSPORT),
    ("水务局", Sector.WATER),
    ("农业农村局", Sector.AGRICULTURE),
    ("商务局", Sector.COMMERCE),
    ("文化体育和旅游局", Sector.CULTURE),
    ("卫生健康局", Sector.HEALTH),
    ("退役军人事务局", Sector.VETERANS),
    ("应急管理局", Sector.EMERGENCY),
    ("审计局", Sector.AUDIT),
    ("市场监督管理局", Sector.MARKET),
    ("统计局", Sector.STATISTICS),
    ("医疗保障局", Sector.MEDICAL_INSURANCE),
    ("综合行政执法局", Sector.URBAN_MANAGEMENT),
    ("行政审批局", Sector.APPROVAL),
)
_CENTRAL_WITHOUT = {Sector.WATER, Sector.AGRICULTURE}
COUNTY_SCHOOLS = (
    "实验小学",
    "第一小学",
    "第二小学",
    "第三小学",
    "实验中学",
    "第一中学",
    "第二中学",
    "第三中学",
    "职业高级中学",
    "特殊教育学校",
    "实验幼儿园",
    "第一幼儿园",
    "第二幼儿园",
    "机关幼儿园",
)

_ROADS = (
    "人民路", "文化路", "建设路", "兴业大道", "顺江路", "希望路", "迎宾大道", "育才路",
    "清源路", "永兴街", "长青路", "金桂街", "五津路", "花园路", "滨河路", "正西街",
    "南街", "北街", "东大街", "新华路", "学府路", "翠湖路", "锦绣大道", "紫荆路",
)  # fmt: skip
_OFFICE_HOURS = "周一至周五 9:00-12:00，13:30-17:30"
_SUMMER_HOURS = "周一至周五 9:00-12:00，14:00-18:00"
_VILLAGE_HOURS = "周一至周五 9:00-12:00，14:00-17:30；周末轮流值班"
_SCHOOL_HOURS = "周一至周五 8:30-11:30，14:00-17:00"
_CENTRE_HOURS = "周一至周五 9:00-12:00，13:30-17:30；每月1日至10日集中报账"


def _phone(rng: random.Random) -> str:
    """A Chengdu landline in the 8-digit numbering (028-8xxxxxxx)."""
    return f"028-8{rng.randrange(10**7):07d}"


def _street_address(rng: random.Random, place: str, road: str | None = None) -> str:
    return f"{place}{road or rng.choice(_ROADS)}{rng.randint(1, 399)}号"


def _county_suffix(county: Place) -> str:
    return {PlaceKind.DISTRICT: "区", PlaceKind.COUNTY: "县"}.get(county.kind, "市")


def _city_units(city: Place, rng: random.Random) -> list[UnitPlan]:
    central = [c.name for c in city.children if c.code in CENTRAL_CODES]
    units = [
        UnitPlan(
            "成都市人民政府",
            UnitKind.GOVERNMENT,
            city.code,
            address=CITY_GOVERNMENT_ADDRESS,
            phone=_phone(rng),
            office_hours=_OFFICE_HOURS,
        )
    ]
    for name, sector in CITY_DEPARTMENTS:
        units.append(
            UnitPlan(
                f"成都市{name}",
                UnitKind.DEPARTMENT,
                city.code,
                sector=sector,
                address=_street_address(rng, "成都市" + rng.choice(central)),
                phone=_phone(rng),
                office_hours=_OFFICE_HOURS,
            )
        )
    bureau = (city.code, "成都市教育局")
    for name in CITY_SCHOOLS:
        units.append(
            UnitPlan(
                name,
                UnitKind.SCHOOL,
                city.code,
                parent=bureau,
                address=_street_address(rng, "成都市" + rng.choice(central)),
                phone=_phone(rng),
                office_hours=_SCHOOL_HOURS,
            )
        )
    return units


def _county_units(county: Place, rng: random.Random) -> list[UnitPlan]:
    name = county.name
    hours = rng.choice((_OFFICE_HOURS, _SUMMER_HOURS))
    units = [
        UnitPlan(
            f"{name}人民政府",
            UnitKind.GOVERNMENT,
            county.code,
            address=_street_address(rng, name),
            phone=_phone(rng),
            office_hours=hours,
        ),
        # Districts' police are branches of the city bureau; counties and cities have
        # their own bureau.
        UnitPlan(
            f"成都市公安局{name}分局" if county.kind == PlaceKind.DISTRICT else f"{name}公安局",
            UnitKind.DEPARTMENT,
            county.code,
            sector=Sector.PUBLIC_SECURITY,
            address=_street_address(rng, name),
            phone=_phone(rng),
            office_hours=hours,
        ),
    ]
    for department, sector in COUNTY_DEPARTMENTS:
        if county.code in CENTRAL_CODES and sector in _CENTRAL_WITHOUT:
            continue
        units.append(
            UnitPlan(
                f"{name}{department}",
                UnitKind.DEPARTMENT,
                county.code,
                sector=sector,
                address=_street_address(rng, name),
                phone=_phone(rng),
                office_hours=hours,
            )
        )
    bureau = (county.code, f"{name}教育局")
    count = rng.randint(10, len(COUNTY_SCHOOLS))
    for school in sorted(rng.sample(COUNTY_SCHOOLS, count), key=COUNTY_SCHOOLS.index):
        units.append(
            UnitPlan(
                f"{name}{school}",
                UnitKind.SCHOOL,
                county.code,
                parent=bureau,
                address=_street_address(rng, name),
                phone=_phone(rng),
                office_hours=_SCHOOL_HOURS,
            )
        )
    return units


def _school_names(county: Place, township: Place) -> list[str]:
    short = township.short_name
    if township.kind == PlaceKind.SUBDISTRICT:
        return [f"{county.name}{short}{kind}" for kind in ("小学", "中学", "幼儿园")]
    return [
        f"{county.name}{township.name}中心小学",
        f"{county.name}{short}中学",
        f"{county.name}{township.name}中心幼儿园",
    ]


def _township_units(county: Place, township: Place, rng: random.Random) -> list[UnitPlan]:
    place = county.name + township.name
    office_address = _street_address(rng, place)
    office = f"{place}办事处" if township.kind == PlaceKind.SUBDISTRICT else f"{place}人民政府"
    units = [
        UnitPlan(
            office,
            UnitKind.TOWNSHIP_OFFICE,
            township.code,
            address=office_address,
            phone=_phone(rng),
            office_hours=_OFFICE_HOURS,
        ),
        # The centre sits in the township's service hall, so it shares the address.
        UnitPlan(
            f"{township.name}农村集体经济组织代理记账中心",
            UnitKind.ACCOUNTING_CENTRE,
            township.code,
            address=office_address + "便民服务中心",
            phone=_phone(rng),
            office_hours=_CENTRE_HOURS,
        ),
    ]
    bureau = (county.code, f"{county.name}教育局")
    names = _school_names(county, township)
    for school in sorted(rng.sample(names, rng.randint(1, 3)), key=names.index):
        units.append(
            UnitPlan(
                school,
                UnitKind.SCHOOL,
                township.code,
                parent=bureau,
                address=_street_address(rng, place),
                phone=_phone(rng),
                office_hours=_SCHOOL_HOURS,
            )
        )
    return units


def _village_units(
    county: Place, township: Place, village: Place, rng: random.Random
) -> list[UnitPlan]:
    place = county.name + township.name
    if village.kind == PlaceKind.COMMUNITY:
        committee, supervisory = "居民委员会", "居务监督委员会"
        # 新津区五津街道平岗路88号: communities sit on a road named after them.
        address = f"{place}{village.short_name}路{rng.randint(1, 199)}号"
    else:
        committee, supervisory = "村民委员会", "村务监督委员会"
        # Rural addresses go by village group (组).
        address = f"{place}{village.name}{rng.randint(1, 12)}组{rng.randint(1, 99)}号"
    phone = _phone(rng)
    # The two committees share the village's office, its phone and its hours.
    return [
        UnitPlan(
            f"{village.name}{committee}",
            UnitKind.VILLAGE_COMMITTEE,
            village.code,
            address=address,
            phone=phone,
            office_hours=_VILLAGE_HOURS,
        ),
        UnitPlan(
            f"{village.name}{supervisory}",
            UnitKind.SUPERVISORY_COMMITTEE,
            village.code,
            address=address,
            phone=phone,
            office_hours=_VILLAGE_HOURS,
        ),
    ]


def plan_units(geography: Geography, seed: int = DEFAULT_SEED) -> list[UnitPlan]:
    """Every demo unit, each supervising unit listed before the units it supervises."""
    rng = random.Random(f"{seed}:units")
    units = _city_units(geography.city, rng)
    for county in geography.counties:
        units += _county_units(county, rng)
        for township in county.children:
            units += _township_units(county, township, rng)
            for village in township.children:
                units += _village_units(county, township, village, rng)
    return units


def build_units(seed: int = DEFAULT_SEED) -> list[UnitPlan]:
    return plan_units(build_geography(seed), seed)
