"""The base of the scale data: the demo's places, units, logins, calendar and catalogs,
for the whole city or for the village preset's slice of it."""

from __future__ import annotations

import copy

from portal.demo.geography import XINJIN_CODE, Geography, build_geography
from portal.demo.loader import DemoLoad, demo_base_load
from portal.demo.units import plan_units

# The village preset: 新津区 with its first three townships (五津街道 first: the demo
# logins live there) and about 40 of their villages and communities.
SLICE_TOWNSHIPS = 3
SLICE_VILLAGES = 40


def village_slice(geography: Geography) -> Geography:
    """1/100 of the city: one county of 20, 3 townships of ~260, ~40 villages of ~4,000."""
    sliced = copy.deepcopy(geography)
    county = next(c for c in sliced.counties if c.code == XINJIN_CODE)
    sliced.city.children = [county]
    county.children = county.children[:SLICE_TOWNSHIPS]
    per_township = -(-SLICE_VILLAGES // SLICE_TOWNSHIPS)
    for township in county.children:
        township.children = township.children[:per_township]
    return sliced


def base_load(preset: str, *, seed: int) -> DemoLoad:
    from disclosure import catalogs

    geography = build_geography(seed)
    units = plan_units(geography, seed)
    if preset == "village":
        # The slice's units are the city's own (same names, same addresses), kept where
        # their place is in the slice.
        geography = village_slice(geography)
        codes = {place.code for place in geography.walk()}
        units = [plan for plan in units if plan.region_code in codes]
    result = demo_base_load(geography, seed=seed, units=units)
    catalogs.catalog_load_all(actor=None)
    return result
