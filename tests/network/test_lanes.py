"""Lanes over the multimodal graph: cost, handling, circuity, and roads that stop at the sea."""

from __future__ import annotations

import dataclasses

import networkx as nx
import pytest
from builders import write_instance

from hubnet.generate import generate
from hubnet.instance import load_instance
from hubnet.network import build_lanes
from hubnet.network.graph import END, START, build_graph, great_circle_km, path_weight
from hubnet.network.lanes import _backward_stages, candidate_pairs


def multimodal_tables() -> dict:
    """Source S on an island: road to port P1 only; ship P1 -> P2; road P2 -> hub H -> M.

    A direct road S -> H exists in the data only as a sea crossing we must not have: so none.
    """
    site = lambda i, k, lat, lon: {"id": i, "name": i, "kind": k, "lat": lat, "lon": lon}  # noqa: E731
    return {
        "sites": [
            site("S", "source", 26.2, 127.7),
            site("P1", "port", 26.2, 127.65),
            site("P2", "port", 33.9, 130.9),
            site("H", "hub", 33.9, 131.0),
            site("M", "smelter", 33.9, 131.1),
        ],
        "commodities": [{"id": "pcb", "name": "PCB", "hub_yield_share": 1.0}],
        "elements": [],
        "contents": [],
        "supply": [{"site": "S", "commodity": "pcb", "generation_t_per_yr": 10}],
        "facilities": [
            {
                "site": "H",
                "role": "hub",
                "existing_capacity_t_per_yr": 100,
                "processing_cost_jpy_per_t": 0,
                "accepts": "pcb",
            },
            {
                "site": "M",
                "role": "smelter",
                "existing_capacity_t_per_yr": 100,
                "processing_cost_jpy_per_t": 0,
                "accepts": "pcb",
            },
        ],
        "capacity_levels": [],
        "recovery": [],
        "modes": [
            {
                "mode": "road",
                "cost_jpy_per_t_km": 50,
                "co2_kg_per_t_km": 0.2,
                "handling_jpy_per_t": 0,
                "circuity": 1.3,
            },
            {
                "mode": "coastal",
                "cost_jpy_per_t_km": 8,
                "co2_kg_per_t_km": 0.04,
                "handling_jpy_per_t": 2000,
                "circuity": 1.2,
            },
        ],
        "links": [
            {"from": "S", "to": "P1", "mode": "road", "distance_km": 10},
            {"from": "P1", "to": "P2", "mode": "coastal", "distance_km": 1000},
            {"from": "P2", "to": "H", "mode": "road", "distance_km": 20},
            {"from": "H", "to": "M", "mode": "road"},
        ],
    }


def test_island_source_ships_and_pays_handling_at_both_ports(tmp_path):
    inst = load_instance(write_instance(tmp_path / "i", multimodal_tables()))
    lanes = build_lanes(inst).set_index("lane")
    lane = lanes.loc["S>H"]
    # 10 km road x 50 + load 2,000 + 1,000 km ship x 8 + unload 2,000 + 20 km road x 50
    known_cost = 10 * 50 + 2000 + 1000 * 8 + 2000 + 20 * 50
    assert lane["cost_jpy_per_t"] == pytest.approx(known_cost)
    assert lane["distance_km"] == pytest.approx(1030)
    assert lane["co2_kg_per_t"] == pytest.approx(10 * 0.2 + 1000 * 0.04 + 20 * 0.2)
    assert lane["path"] == "S;P1;P2;H"
    assert lane["path_modes"] == "road;coastal;road"


def test_missing_road_distance_is_great_circle_times_circuity(tmp_path):
    inst = load_instance(write_instance(tmp_path / "i", multimodal_tables()))
    lane = build_lanes(inst).set_index("lane").loc["H>M"]
    km = float(great_circle_km(33.9, 131.0, 33.9, 131.1)) * 1.3
    assert lane["distance_km"] == pytest.approx(km)
    assert lane["cost_jpy_per_t"] == pytest.approx(km * 50)


def test_no_sea_link_means_no_lane(tmp_path):
    tables = multimodal_tables()
    tables["links"] = [row for row in tables["links"] if row["mode"] != "coastal"]
    inst = load_instance(write_instance(tmp_path / "i", tables))
    assert "S>H" not in set(build_lanes(inst)["lane"])


def test_explicit_rate_replaces_the_computed_path(tmp_path):
    tables = multimodal_tables()
    tables["lanes"] = [{"origin": "S", "destination": "H", "cost_jpy_per_t": 7777}]
    inst = load_instance(write_instance(tmp_path / "i", tables))
    lane = build_lanes(inst).set_index("lane").loc["S>H"]
    assert lane["cost_jpy_per_t"] == 7777
    assert lane["path_modes"] == "explicit"


def test_max_collection_km_drops_long_collection_lanes(tmp_path):
    inst = load_instance(
        write_instance(
            tmp_path / "i", multimodal_tables(), {"collection": {"max_collection_km": 500}}
        )
    )
    lanes = build_lanes(inst)
    assert "S>H" not in set(lanes["lane"])
    assert "H>M" in set(lanes["lane"])  # delivery lanes are not collection lanes


def test_no_domestic_path_runs_through_a_foreign_port(tmp_path):
    """A cheap ocean detour P1 -> Busan -> P2 must not beat the direct coastal leg."""
    tables = multimodal_tables()
    tables["sites"].append(
        {"id": "KRPUS", "name": "Busan", "kind": "market", "lat": 35.1, "lon": 129.0}
    )
    tables["modes"].append(
        {
            "mode": "ocean",
            "cost_jpy_per_t_km": 0.1,
            "co2_kg_per_t_km": 0.01,
            "handling_jpy_per_t": 0,
        }
    )
    tables["links"] += [
        {"from": "P1", "to": "KRPUS", "mode": "ocean", "distance_km": 900},
        {"from": "KRPUS", "to": "P2", "mode": "ocean", "distance_km": 300},
    ]
    inst = load_instance(write_instance(tmp_path / "i", tables))
    lane = build_lanes(inst).set_index("lane").loc["S>H"]
    assert "KRPUS" not in lane["path"].split(";")
    assert lane["path"] == "S;P1;P2;H"


def test_a_source_with_no_route_to_a_hub_is_reported(tmp_path):
    from hubnet.network import check_reachability

    tables = multimodal_tables()
    tables["links"] = [row for row in tables["links"] if row["mode"] != "coastal"]
    inst = load_instance(write_instance(tmp_path / "i", tables))
    [issue] = check_reachability(inst)
    assert str(issue) == (
        "supply.csv, row 2, column 'site': got 'S'; "
        "expected a route (links.csv or lanes.csv) to a hub that takes its grades"
    )


def test_nearest_hub_too_far_along_the_path_gives_way_to_the_next_cheapest(tmp_path):
    """S's cheapest hub H1 is a 300 km rail haul, over the 200 km limit though only ~9 km
    away as the crow flies; with nearest_hubs = 1, S must keep H2 (40 km road), not H3
    (60 km road) and not nothing."""
    site = lambda i, k, lon: {"id": i, "name": i, "kind": k, "lat": 35.0, "lon": lon}  # noqa: E731
    hub = lambda s: {"site": s, "role": "hub", "processing_cost_jpy_per_t": 0, "accepts": "pcb"}  # noqa: E731
    mode = lambda m, cost: {  # noqa: E731
        "mode": m,
        "cost_jpy_per_t_km": cost,
        "co2_kg_per_t_km": 0.1,
        "handling_jpy_per_t": 0,
        "circuity": 1.0,
    }
    tables = {
        "sites": [
            site("S", "source", 135.0),
            site("H1", "hub", 135.1),
            site("H2", "hub", 134.9),
            site("H3", "hub", 134.95),
            site("M", "smelter", 135.2),
        ],
        "commodities": [{"id": "pcb", "name": "PCB", "hub_yield_share": 1.0}],
        "elements": [],
        "contents": [],
        "supply": [{"site": "S", "commodity": "pcb", "generation_t_per_yr": 10}],
        "facilities": [
            hub("H1"),
            hub("H2"),
            hub("H3"),
            {"site": "M", "role": "smelter", "processing_cost_jpy_per_t": 0, "accepts": "pcb"},
        ],
        "capacity_levels": [],
        "recovery": [],
        "modes": [mode("road", 50), mode("rail", 2)],
        "links": [
            {"from": "S", "to": "H1", "mode": "rail", "distance_km": 300},
            {"from": "S", "to": "H2", "mode": "road", "distance_km": 40},
            {"from": "S", "to": "H3", "mode": "road", "distance_km": 60},
            {"from": "H1", "to": "M", "mode": "road", "distance_km": 50},
            {"from": "H2", "to": "M", "mode": "road", "distance_km": 50},
            {"from": "H3", "to": "M", "mode": "road", "distance_km": 50},
        ],
    }
    settings = {"collection": {"max_collection_km": 200, "nearest_hubs": 1}}
    inst = load_instance(write_instance(tmp_path / "i", tables, settings))
    lanes = build_lanes(inst)
    [lane] = lanes[lanes["stage"] == "collection"].itertuples()
    # S -> H1 would cost 300 x 2 = 600 JPY/t, but 300 km > 200 km; H3 costs 60 x 50 = 3,000
    assert lane.lane == "S>H2"
    assert lane.cost_jpy_per_t == pytest.approx(40 * 50)
    assert lane.distance_km == pytest.approx(40)
    assert lane.co2_kg_per_t == pytest.approx(40 * 0.1)
    assert lane.path == "S;H2"


@pytest.mark.parametrize("nearest", [None, 3])
def test_lanes_cost_what_networkx_finds_for_each_pair(tmp_path, nearest):
    """On a generated instance (40 sources into 6 hubs: collection trees grow backwards
    from the hubs, import trees forwards from the origins), every lane's price is networkx's
    own shortest path for its pair; with nearest_hubs = k each source keeps its k cheapest."""
    folder = generate(tmp_path / "g", sources=40, hubs=6, commodities=2, origins=3, seed=2)
    inst = load_instance(folder)
    collection = dataclasses.replace(inst.collection, nearest_hubs=nearest, max_collection_km=None)
    inst = inst.replace(collection=collection)
    pairs = candidate_pairs(inst)
    assert "collection" in _backward_stages(pairs) and "import" not in _backward_stages(pairs)
    lanes = build_lanes(inst, pairs)
    price = inst.policy.co2_price_jpy_per_t
    g = build_graph(inst)
    path_weight(g, price)
    shortest = {
        (o, d): nx.dijkstra_path_length(g, (START, o), (END, d), weight="weight")
        for o, d in zip(pairs["origin"], pairs["destination"], strict=True)
    }
    lanes["price"] = lanes["cost_jpy_per_t"] + price * lanes["co2_kg_per_t"] / 1000.0
    for lane in lanes.itertuples():
        assert lane.price == pytest.approx(shortest[lane.origin, lane.destination], rel=1e-9)
    coll = pairs[pairs["stage"] == "collection"]
    for source, hubs in coll.groupby("origin")["destination"]:
        ranked = sorted(hubs, key=lambda h, s=source: shortest[s, h])
        kept = lanes.loc[(lanes["stage"] == "collection") & (lanes["origin"] == source)]
        assert sorted(kept["destination"]) == sorted(ranked[:nearest] if nearest else ranked)
