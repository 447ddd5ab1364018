"""Road freight by distance band: a trip fare per band over its load, per tonne-km beyond."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from builders import write_instance

from hubnet.instance import load_instance
from hubnet.network import build_lanes
from hubnet.network.graph import great_circle_km
from hubnet.results.check_context import LaneCoster
from hubnet.run import RunOptions, run_one

#: Kanto 10-t fares (JPY per trip) up to 20, 100 and 200 km: 2,611 / 5,048 / 8,011 JPY/t
BANDS = [
    {"mode": "road", "up_to_km": 20, "fare_jpy_per_trip": 26110, "load_t_per_trip": 10},
    {"mode": "road", "up_to_km": 100, "fare_jpy_per_trip": 50480, "load_t_per_trip": 10},
    {"mode": "road", "up_to_km": 200, "fare_jpy_per_trip": 80110, "load_t_per_trip": 10},
]
ROAD = {"mode": "road", "cost_jpy_per_t_km": 30, "co2_kg_per_t_km": 0.2, "circuity": 1.3}


def site(id_, kind, lat=35.0, lon=135.0):
    return {"id": id_, "name": id_, "kind": kind, "lat": lat, "lon": lon}


def facility(id_, role, processing=0):
    return {
        "site": id_,
        "role": role,
        "existing_capacity_t_per_yr": 1000,
        "processing_cost_jpy_per_t": processing,
        "accepts": "pcb",
    }


def road(a, b, km=None):
    return {"from": a, "to": b, "mode": "road", "distance_km": km}


def banded_tables() -> dict:
    """Source S; hubs by road 12, 60, 100 and 260 km away, H24 over two 12 km links through
    junction J, H_circ with no distance given (great circle ~90 km, x1.3 circuity); smelter M
    by rail (no bands) from H60, by explicit lanes from the others. Road handling 300 JPY/t."""
    hubs = ["H12", "H24", "H60", "H100", "H260", "H_circ"]
    return {
        "sites": [
            site("S", "source"),
            site("J", "junction"),
            *(site(h, "hub") for h in hubs[:-1]),
            site("H_circ", "hub", lat=35.0 + 90 / 111.2),
            site("M", "smelter", lon=136.0),
        ],
        "commodities": [{"id": "pcb", "name": "PCB", "hub_yield_share": 1.0}],
        "elements": [],
        "contents": [],
        "supply": [{"site": "S", "commodity": "pcb", "generation_t_per_yr": 10}],
        "facilities": [*(facility(h, "hub") for h in hubs), facility("M", "smelter")],
        "capacity_levels": [],
        "recovery": [],
        "modes": [
            {**ROAD, "handling_jpy_per_t": 300},
            {"mode": "rail", "cost_jpy_per_t_km": 13, "co2_kg_per_t_km": 0.02}
            | {"handling_jpy_per_t": 1000},
        ],
        "freight_bands": BANDS,
        "links": [
            road("S", "H12", 12),
            road("S", "J", 12),
            road("J", "H24", 12),
            road("S", "H60", 60),
            road("S", "H100", 100),
            road("S", "H260", 260),
            road("S", "H_circ"),
            {"from": "H60", "to": "M", "mode": "rail", "distance_km": 40},
        ],
        "lanes": [
            {"origin": h, "destination": "M", "cost_jpy_per_t": 0} for h in hubs if h != "H60"
        ],
    }


@pytest.fixture
def lanes(tmp_path):
    inst = load_instance(write_instance(tmp_path / "i", banded_tables()))
    return build_lanes(inst).set_index("lane")["cost_jpy_per_t"]


def test_a_leg_inside_the_first_band_costs_its_fare_over_the_load(lanes):
    # load 300 + 26,110 / 10 t + unload 300
    assert lanes["S>H12"] == pytest.approx(300 + 2611 + 300)


def test_a_leg_in_a_middle_band(lanes):
    # 60 km: the band up to 100 km, 50,480 / 10 t
    assert lanes["S>H60"] == pytest.approx(300 + 5048 + 300)


def test_a_leg_exactly_on_a_band_edge_belongs_to_that_band(lanes):
    # 100 km: still the 100 km band, not the 200 km one
    assert lanes["S>H100"] == pytest.approx(300 + 5048 + 300)


def test_beyond_the_last_band_the_per_km_rate_runs_on(lanes):
    # 80,110 / 10 t for the first 200 km, then 60 km x 30 JPY/t-km
    assert lanes["S>H260"] == pytest.approx(300 + 8011 + 60 * 30 + 300)


def test_the_band_is_read_from_the_distance_after_circuity(lanes):
    gc = float(great_circle_km(35.0, 135.0, 35.0 + 90 / 111.2, 135.0))
    assert gc <= 100 < gc * 1.3 <= 200  # the great circle alone would fall in the 100 km band
    assert lanes["S>H_circ"] == pytest.approx(300 + 8011 + 300)


def test_a_road_run_through_a_junction_pays_one_fare(lanes):
    # 12 + 12 km through J is one 24 km trip: the 100 km band (5,048), not two 20 km fares
    assert lanes["S>H24"] == pytest.approx(300 + 5048 + 300)


def test_a_mode_without_bands_costs_per_tonne_km(lanes):
    # rail 40 km x 13 JPY/t-km, loaded and unloaded at 1,000 JPY/t each
    assert lanes["H60>M"] == pytest.approx(1000 + 40 * 13 + 1000)


def choice_tables(bands: bool) -> dict:
    """100 t of PCB at S worth 10,000 JPY/t smelted (1,000 g/t gold at 10,000 JPY/kg).

    H_near is 10 km away but charges 3,500 JPY/t more to process; H_far is 100 km away.
    Road 50 JPY/t-km, no handling; both hubs existing, free, and deliver to M at no cost.
    Per tonne-km: near 500 + 3,500 = 4,000 < far 5,000, so H_near: -1,000,000 + 400,000.
    Banded (Kanto 10-t, 10 km: 23,060, 100 km: 50,480 per 10 t): near 2,306 + 3,500 =
    5,806 > far 5,048, so H_far: -1,000,000 + 504,800 = -495,200.
    """
    kanto = [(10, 23060), (20, 26110), (100, 50480)]
    return {
        "sites": [site("S", "source"), site("H_near", "hub"), site("H_far", "hub")]
        + [site("M", "smelter")],
        "commodities": [{"id": "pcb", "name": "PCB", "hub_yield_share": 1.0}],
        "elements": [{"id": "Au", "name": "Gold", "price_jpy_per_kg": 10000}],
        "contents": [{"commodity": "pcb", "element": "Au", "content_g_per_t": 1000}],
        "supply": [{"site": "S", "commodity": "pcb", "generation_t_per_yr": 100}],
        "facilities": [
            facility("H_near", "hub", processing=3500),
            facility("H_far", "hub"),
            facility("M", "smelter"),
        ],
        "capacity_levels": [],
        "recovery": [{"facility": "M", "element": "Au", "recovery_share": 1.0}],
        "modes": [{**ROAD, "cost_jpy_per_t_km": 50, "handling_jpy_per_t": 0}],
        "freight_bands": [
            {"mode": "road", "up_to_km": km, "fare_jpy_per_trip": fare, "load_t_per_trip": 10}
            for km, fare in kanto
        ]
        if bands
        else [],
        "links": [road("S", "H_near", 10), road("S", "H_far", 100)],
        "lanes": [
            {"origin": h, "destination": "M", "cost_jpy_per_t": 0} for h in ("H_near", "H_far")
        ],
    }


@pytest.mark.parametrize(
    ("bands", "hub", "objective"),
    [(False, "H_near", -600000.0), (True, "H_far", -495200.0)],
)
def test_the_short_haul_fare_moves_the_collection_to_the_far_hub(tmp_path, bands, hub, objective):
    folder = write_instance(tmp_path / "i", choice_tables(bands))
    rec = run_one(folder, options=RunOptions(write=False, maps=False))
    assert rec.violations == []  # the independent checker costs the bands the same way
    assert rec.objective == pytest.approx(objective, abs=1e-6)
    fac = rec.solution.facilities.set_index("facility")
    assert fac.at[hub, "throughput_t_per_yr"] == pytest.approx(100.0)


def run_tables(sites: list[dict], links: list[dict], bands: list[dict]) -> dict:
    """Source S, hub H (delivering to smelter M by an explicit free lane), the given extra
    sites and links; road as in BANDS' tests (handling 300), rail 13 JPY/t-km (handling 1,000)."""
    return {
        "sites": [site("S", "source"), site("H", "hub"), site("M", "smelter"), *sites],
        "commodities": [{"id": "pcb", "name": "PCB", "hub_yield_share": 1.0}],
        "elements": [],
        "contents": [],
        "supply": [{"site": "S", "commodity": "pcb", "generation_t_per_yr": 10}],
        "facilities": [facility("H", "hub"), facility("M", "smelter")],
        "capacity_levels": [],
        "recovery": [],
        "modes": [
            {**ROAD, "handling_jpy_per_t": 300},
            {"mode": "rail", "cost_jpy_per_t_km": 13, "co2_kg_per_t_km": 0.02}
            | {"handling_jpy_per_t": 1000},
        ],
        "freight_bands": bands,
        "links": links,
        "lanes": [{"origin": "H", "destination": "M", "cost_jpy_per_t": 0}],
    }


def collection_lane(tmp_path, tables: dict) -> pd.Series:
    inst = load_instance(write_instance(tmp_path / "i", tables))
    return build_lanes(inst).set_index("lane").loc["S>H"]


def test_road_rail_road_pays_one_fare_per_road_run(tmp_path):
    """S -road 15- T1 =rail 100= T2 -road 12- J -road 6- H: the second road run is one 18 km
    trip (2,611), not two first-band fares (5,222)."""
    sites = [site(x, kind) for x, kind in (("T1", "port"), ("T2", "port"), ("J", "junction"))]
    links = [
        road("S", "T1", 15),
        {"from": "T1", "to": "T2", "mode": "rail", "distance_km": 100},
        road("T2", "J", 12),
        road("J", "H", 6),
    ]
    lane = collection_lane(tmp_path, run_tables(sites, links, BANDS))
    # load 300, road 2,611, transfer 300 + 1,000, rail 100 x 13, transfer 1,000 + 300,
    # road 2,611, unload 300
    assert lane["cost_jpy_per_t"] == pytest.approx(300 + 2611 + 1300 + 1300 + 1300 + 2611 + 300)
    assert lane["path"] == "S;T1;T2;J;H"
    assert lane["path_modes"] == "road;rail;road;road"
    assert lane["distance_km"] == pytest.approx(15 + 100 + 12 + 6)


def test_the_least_cost_path_is_the_cheapest_run_not_the_cheapest_links(tmp_path):
    """Via J, 9 + 9 km: one 18 km trip, 2,611; direct, 50 km: 5,048. A fare per link would
    take the direct road (2 x 2,611 = 5,222 > 5,048); one fare per run takes J."""
    links = [road("S", "J", 9), road("J", "H", 9), road("S", "H", 50)]
    lane = collection_lane(tmp_path, run_tables([site("J", "junction")], links, BANDS))
    assert lane["path"] == "S;J;H"
    assert lane["cost_jpy_per_t"] == pytest.approx(300 + 2611 + 300)
    assert lane["distance_km"] == pytest.approx(18)


def test_a_run_is_never_split_into_two_cheaper_trips(tmp_path):
    """A table that is not subadditive (a 10 km band of 2,306 JPY/t): S -9- T -15- H by road,
    T a rail terminal. Two trips, S-T (2,306) and T-H (2,611), would cost 4,917; the truck
    runs through, one 24 km trip in the 100 km band: 5,048."""
    bands = [
        {"mode": "road", "up_to_km": 10, "fare_jpy_per_trip": 23060, "load_t_per_trip": 10},
        *BANDS,
    ]
    sites = [site("T", "port"), site("R", "port")]
    links = [
        road("S", "T", 9),
        road("T", "H", 15),
        {"from": "T", "to": "R", "mode": "rail", "distance_km": 50},
    ]
    lane = collection_lane(tmp_path, run_tables(sites, links, bands))
    assert lane["path"] == "S;T;H"
    assert lane["cost_jpy_per_t"] == pytest.approx(300 + 5048 + 300)


@pytest.mark.parametrize("seed", range(20, 40))
def test_the_lane_is_the_cheapest_of_all_simple_paths(tmp_path, seed):
    """Random road and rail links among S, H, junctions and two terminals, with the
    non-subadditive table above: the lane costs what the cheapest simple path costs when the
    independent checker prices every one of them (one fare per road run). Seeds 24, 30, 35, 36
    and 38 have a run through a terminal that two fares would make cheaper."""
    rng = np.random.default_rng(seed)
    places = ["S", "H", "J1", "J2", "J3", "T1", "T2"]
    pairs = [(a, b) for i, a in enumerate(places) for b in places[i + 1 :]]
    chosen = rng.choice(len(pairs), size=11, replace=False)
    links = [road(*pairs[i], float(rng.integers(3, 30))) for i in chosen]
    links.append({"from": "T1", "to": "T2", "mode": "rail", "distance_km": 60})
    sites = [site(x, "junction") for x in ("J1", "J2", "J3")] + [
        site("T1", "port"),
        site("T2", "port"),
    ]
    bands = [
        {"mode": "road", "up_to_km": 10, "fare_jpy_per_trip": 23060, "load_t_per_trip": 10},
        *BANDS,
    ]
    tables = run_tables(sites, links, bands)
    folder = write_instance(tmp_path / "i", tables)
    inst = load_instance(folder)
    g = nx.MultiGraph()
    for link in links:
        g.add_edge(link["from"], link["to"], mode=link["mode"])
    if not nx.has_path(g, "S", "H"):
        pytest.skip("S and H not joined")
    price = LaneCoster(inst)
    best = min(
        price(
            ";".join(["S", *(v for _, v, _ in path)]), ";".join(g.edges[e]["mode"] for e in path)
        )[0]
        for path in nx.all_simple_edge_paths(g, "S", "H")
    )
    lane = build_lanes(inst).set_index("lane").loc["S>H"]
    assert lane["cost_jpy_per_t"] == pytest.approx(best)
