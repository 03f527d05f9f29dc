"""The demo city: real province, city and county-level divisions of Chengdu; townships and
villages generated from a seed, except 新津区, whose townships are the real ones.

Codes follow the statistical convention: in a county, 街道 are numbered from 001, 镇 from
100, 乡 from 200; in a township, 社区 (residents' committees) from 001 and 村 from 200.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

DEFAULT_SEED = 2026

PROVINCE_CODE = "510000000000"
CITY_CODE = "510100000000"
XINJIN_CODE = "510118000000"
WUJIN_CODE = "510118001000"
PINGGANG_CODE = "510118001001"


class PlaceKind(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"  # 区
    COUNTY = "county"  # 县
    COUNTY_CITY = "county_city"  # 县级市
    SUBDISTRICT = "subdistrict"  # 街道
    TOWN = "town"  # 镇
    RURAL_TOWNSHIP = "rural_township"  # 乡
    COMMUNITY = "community"  # 社区
    VILLAGE = "village"  # 村


SUFFIX = {
    PlaceKind.SUBDISTRICT: "街道",
    PlaceKind.TOWN: "镇",
    PlaceKind.RURAL_TOWNSHIP: "乡",
    PlaceKind.COMMUNITY: "社区",
    PlaceKind.VILLAGE: "村",
}
# Where each kind's segment numbering starts (see the module docstring).
FIRST_SEGMENT = {
    PlaceKind.SUBDISTRICT: 1,
    PlaceKind.TOWN: 100,
    PlaceKind.RURAL_TOWNSHIP: 200,
    PlaceKind.COMMUNITY: 1,
    PlaceKind.VILLAGE: 200,
}


@dataclass(frozen=True)
class CountyPlan:
    code: str  # the 6-digit GB/T 2260 code
    name: str
    subdistricts: int
    towns: int
    rural_townships: int
    places: int  # villages and communities in total
    # Central districts have no villages left: every place is a community.
    central: bool = False


# The 20 county-level divisions of Chengdu with their real names and codes. The township
# mixes and totals are plausible, not official: about 260 townships, 4,100 villages.
COUNTIES: tuple[CountyPlan, ...] = (
    CountyPlan("510104", "锦江区", 11, 0, 0, 112, central=True),
    CountyPlan("510105", "青羊区", 11, 0, 0, 112, central=True),
    CountyPlan("510106", "金牛区", 13, 0, 0, 142, central=True),
    CountyPlan("510107", "武侯区", 13, 0, 0, 132, central=True),
    CountyPlan("510108", "成华区", 14, 0, 0, 152, central=True),
    CountyPlan("510112", "龙泉驿区", 6, 6, 0, 202),
    CountyPlan("510113", "青白江区", 5, 5, 0, 172),
    CountyPlan("510114", "新都区", 10, 3, 0, 252),
    CountyPlan("510115", "温江区", 6, 3, 0, 152),
    CountyPlan("510116", "双流区", 12, 1, 0, 232),
    CountyPlan("510117", "郫都区", 10, 3, 0, 222),
    CountyPlan("510118", "新津区", 4, 4, 0, 132),
    CountyPlan("510121", "金堂县", 2, 14, 1, 322),
    CountyPlan("510129", "大邑县", 3, 10, 1, 242),
    CountyPlan("510131", "蒲江县", 1, 7, 0, 132),
    CountyPlan("510181", "都江堰市", 6, 5, 0, 202),
    CountyPlan("510182", "彭州市", 5, 14, 1, 332),
    CountyPlan("510183", "邛崃市", 5, 12, 1, 302),
    CountyPlan("510184", "崇州市", 6, 9, 0, 282),
    CountyPlan("510185", "简阳市", 5, 12, 2, 342),
)

CENTRAL_CODES = frozenset(plan.code + "000000" for plan in COUNTIES if plan.central)

# 新津区's real townships, in the order of their codes.
XINJIN_TOWNSHIPS: tuple[tuple[str, str, PlaceKind], ...] = (
    ("510118001000", "五津街道", PlaceKind.SUBDISTRICT),
    ("510118002000", "花源街道", PlaceKind.SUBDISTRICT),
    ("510118003000", "普兴街道", PlaceKind.SUBDISTRICT),
    ("510118004000", "花桥街道", PlaceKind.SUBDISTRICT),
    ("510118100000", "永商镇", PlaceKind.TOWN),
    ("510118101000", "兴义镇", PlaceKind.TOWN),
    ("510118102000", "安西镇", PlaceKind.TOWN),
    ("510118103000", "宝墩镇", PlaceKind.TOWN),
)

# 五津街道 is where the demo logins live, so its places are fixed (and match
# docs/divisions-sample.csv): 平岗社区 is the residents' committee of the demo.
WUJIN_PLACES: tuple[tuple[str, str, PlaceKind], ...] = (
    ("510118001001", "平岗社区", PlaceKind.COMMUNITY),
    ("510118001002", "南河社区", PlaceKind.COMMUNITY),
    ("510118001003", "顺江社区", PlaceKind.COMMUNITY),
    ("510118001004", "文庙社区", PlaceKind.COMMUNITY),
    ("510118001005", "太平社区", PlaceKind.COMMUNITY),
    ("510118001006", "白鹤社区", PlaceKind.COMMUNITY),
    ("510118001007", "方兴社区", PlaceKind.COMMUNITY),
    ("510118001008", "金华社区", PlaceKind.COMMUNITY),
    ("510118001009", "桂花社区", PlaceKind.COMMUNITY),
    ("510118001010", "梨花社区", PlaceKind.COMMUNITY),
    ("510118001011", "杨柳社区", PlaceKind.COMMUNITY),
    ("510118001012", "顺安社区", PlaceKind.COMMUNITY),
    ("510118001200", "石桥村", PlaceKind.VILLAGE),
    ("510118001201", "万和村", PlaceKind.VILLAGE),
    ("510118001202", "柳江村", PlaceKind.VILLAGE),
    ("510118001203", "渡口村", PlaceKind.VILLAGE),
)

# Place-name characters: the first says what the place is like, the second what it is
# (a dam, a ridge, a bend in a river). Both pools hold only neutral characters, so any
# pairing reads as an ordinary Sichuan place name.
_FIRST = (
    "安白柏宝碧长崇大东凤福高观广和红怀黄金九乐莲龙南平清青仁瑞三石双顺太天万文西"
    "仙新兴永玉元云中竹紫桂梅兰松桃杨柳五鹤樟"
)
_SECOND = "安坝滨川店峰岗沟湖江桥林岭宁坪泉山水台塘田湾溪堰园场河坡庙亭苑洲城丰盛华阳源"
# Pairings that name somewhere famous (or another Sichuan city), or sound doubled.
_AVOID = frozenset(
    {
        "长江", "黄河", "天山", "黄山", "太阳", "中华", "长城", "天安", "中山", "太湖",
        "西湖", "西安", "南宁", "西宁", "锦江", "龙泉", "九江", "松江", "三亚", "青城",
        "天水", "天河", "大同", "长安", "平安", "五台", "黄台", "龙山", "福田", "广安",
        "乐山", "东坡", "三台", "宝山", "中江", "南江", "青川", "杨阳", "柳阳", "清青",
    }
)  # fmt: skip


@dataclass
class Place:
    code: str
    name: str
    kind: PlaceKind
    children: list[Place] = field(default_factory=list)

    @property
    def short_name(self) -> str:
        """五津 for 五津街道: the part used to name roads and schools after the place."""
        suffix = SUFFIX.get(self.kind, "")
        return self.name.removesuffix(suffix) if suffix else self.name


@dataclass
class Geography:
    province: Place
    city: Place

    @property
    def counties(self) -> list[Place]:
        return self.city.children

    def walk(self) -> Iterator[Place]:
        """Every place, each before the places inside it."""
        stack = [self.province]
        while stack:
            place = stack.pop()
            yield place
            stack.extend(reversed(place.children))

    def rows(self) -> list[tuple[str, str]]:
        """(code, name) for portal.services.regions.divisions_import."""
        return [(place.code, place.name) for place in self.walk()]


class _Names:
    """Draws two-character names that no place in the same scope already has."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken = set(taken or ())

    def draw(self, rng: random.Random) -> str:
        while True:
            name = rng.choice(_FIRST) + rng.choice(_SECOND)
            if name[0] != name[1] and name not in _AVOID and name not in self.taken:
                self.taken.add(name)
                return name


def _county_kind(name: str) -> PlaceKind:
    return {
        "区": PlaceKind.DISTRICT,
        "县": PlaceKind.COUNTY,
        "市": PlaceKind.COUNTY_CITY,
    }[name[-1]]


def _split(total: int, weights: list[float], minimum: int) -> list[int]:
    """Share `total` among places in proportion to `weights` (largest remainder)."""
    spare = total - minimum * len(weights)
    scale = spare / sum(weights)
    shares = [w * scale for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: spare - sum(counts)]:
        counts[i] += 1
    return [minimum + c for c in counts]


def _township_kinds(plan: CountyPlan) -> list[PlaceKind]:
    return (
        [PlaceKind.SUBDISTRICT] * plan.subdistricts
        + [PlaceKind.TOWN] * plan.towns
        + [PlaceKind.RURAL_TOWNSHIP] * plan.rural_townships
    )


def _communities_in(kind: PlaceKind, total: int, central: bool, rng: random.Random) -> int:
    """How many of a township's `total` places are communities (the rest are villages)."""
    if central:
        return total
    if kind == PlaceKind.SUBDISTRICT:
        return max(3, round(total * rng.uniform(0.4, 0.8)))
    if kind == PlaceKind.TOWN:
        return rng.randint(1, 4)
    return 1


def _code(parent_prefix: str, segment: int) -> str:
    code = f"{parent_prefix}{segment:03d}"
    return code + "0" * (12 - len(code))


def _places(kinds: list[PlaceKind], names: _Names, rng: random.Random, prefix: str) -> list[Place]:
    """Places of the given kinds under the place `prefix`, numbered per kind from
    FIRST_SEGMENT (townships and villages both have 3-digit segments)."""
    next_segment = dict(FIRST_SEGMENT)
    places = []
    for kind in kinds:
        code = _code(prefix, next_segment[kind])
        next_segment[kind] += 1
        places.append(Place(code, names.draw(rng) + SUFFIX[kind], kind))
    return places


def _fill_township(
    township: Place, count: int, central: bool, names: _Names, rng: random.Random
) -> None:
    communities = min(count, _communities_in(township.kind, count, central, rng))
    kinds = [PlaceKind.COMMUNITY] * communities + [PlaceKind.VILLAGE] * (count - communities)
    township.children = _places(kinds, names, rng, township.code[:9])


def _county(plan: CountyPlan, seed: int, township_names: _Names) -> Place:
    # One generator per county, so changing one county's plan leaves the others' villages
    # as they were (township names are shared city-wide and may shift on a collision).
    rng = random.Random(f"{seed}:{plan.code}")
    county = Place(plan.code + "000000", plan.name, _county_kind(plan.name))
    # Village names are unique inside their county, not just inside their township, and
    # the fixed places of 五津街道 are unique in the city: the demo's 平岗社区 is one place.
    village_names = _Names({name.removesuffix(SUFFIX[kind]) for _c, name, kind in WUJIN_PLACES})
    if county.code == XINJIN_CODE:
        county.children = [Place(code, name, kind) for code, name, kind in XINJIN_TOWNSHIPS]
        wujin, others = county.children[0], county.children[1:]
        wujin.children = [Place(code, name, kind) for code, name, kind in WUJIN_PLACES]
        remaining = plan.places - len(wujin.children)
    else:
        county.children = _places(_township_kinds(plan), township_names, rng, plan.code)
        others, remaining = county.children, plan.places
    # Towns are larger than streets, 乡 smaller; the jitter keeps neighbours unlike.
    weight = {PlaceKind.SUBDISTRICT: 1.0, PlaceKind.TOWN: 1.3, PlaceKind.RURAL_TOWNSHIP: 0.8}
    weights = [weight[t.kind] * rng.uniform(0.75, 1.25) for t in others]
    for township, count in zip(others, _split(remaining, weights, 4), strict=True):
        _fill_township(township, count, plan.central, village_names, rng)
    return county


def build_geography(seed: int = DEFAULT_SEED) -> Geography:
    """The whole demo city as a tree of places; the same seed gives the same tree."""
    province = Place(PROVINCE_CODE, "四川省", PlaceKind.PROVINCE)
    city = Place(CITY_CODE, "成都市", PlaceKind.CITY)
    province.children = [city]
    # Township names are unique in the whole city, so a search for one finds one place.
    reserved = {name.removesuffix(SUFFIX[kind]) for _code, name, kind in XINJIN_TOWNSHIPS}
    township_names = _Names(reserved)
    city.children = [_county(plan, seed, township_names) for plan in COUNTIES]
    return Geography(province=province, city=city)
