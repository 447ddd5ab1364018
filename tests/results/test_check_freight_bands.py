"""The checker costs banded road legs from freight_bands.csv on its own (no call into network/)."""

from __future__ import annotations

import pytest
from builders import base_tables, write_instance

from hubnet.instance import load_instance
from hubnet.results.check_context import LaneCoster


def coster(tmp_path) -> LaneCoster:
    """Road 40 JPY/t-km with bands up to 20 km (2,000 JPY/t) and 50 km (3,000 JPY/t), handling
    100 JPY/t; rail 10 JPY/t-km without bands, handling 500 JPY/t. S1 -road 20- J, J -rail 30-
    H1, J -road 25- H1, S1 -road 80- H1."""
    tables = base_tables()
    tables["sites"].append({"id": "J", "name": "J", "kind": "junction", "lat": 35.0, "lon": 135.2})
    tables["modes"] = [
        {"mode": "road", "cost_jpy_per_t_km": 40, "co2_kg_per_t_km": 0.2}
        | {"handling_jpy_per_t": 100},
        {"mode": "rail", "cost_jpy_per_t_km": 10, "co2_kg_per_t_km": 0.02}
        | {"handling_jpy_per_t": 500},
    ]
    tables["freight_bands"] = [
        {"mode": "road", "up_to_km": 20, "fare_jpy_per_trip": 20000, "load_t_per_trip": 10},
        {"mode": "road", "up_to_km": 50, "fare_jpy_per_trip": 30000, "load_t_per_trip": 10},
    ]
    tables["links"] = [
        {"from": "S1", "to": "H1", "mode": "road", "distance_km": 80},
        {"from": "S1", "to": "J", "mode": "road", "distance_km": 20},
        {"from": "J", "to": "H1", "mode": "rail", "distance_km": 30},
        {"from": "J", "to": "H1", "mode": "road", "distance_km": 25},
    ]
    return LaneCoster(load_instance(write_instance(tmp_path / "inst", tables)))


def test_a_leg_past_the_last_band(tmp_path):
    cost, km, _ = coster(tmp_path)("S1;H1", "road")
    # 3,000 for the first 50 km, then 30 km x 40; loaded and unloaded at 100
    assert cost == pytest.approx(100 + 3000 + 30 * 40 + 100)
    assert km == pytest.approx(80)


def test_a_banded_leg_on_its_band_edge_then_an_unbanded_one(tmp_path):
    cost, km, _ = coster(tmp_path)("S1;J;H1", "road;rail")
    # road 20 km: the 20 km band (2,000); transfer 100 + 500; rail 30 km x 10; unload 500
    assert cost == pytest.approx(100 + 2000 + 100 + 500 + 30 * 10 + 500)
    assert km == pytest.approx(50)


def test_consecutive_road_links_are_one_trip(tmp_path):
    cost, km, _ = coster(tmp_path)("S1;J;H1", "road;road")
    # 20 + 25 km: one 45 km trip in the 50 km band (3,000), not 2,000 + 3,000
    assert cost == pytest.approx(100 + 3000 + 100)
    assert km == pytest.approx(45)


def test_a_rail_leg_ends_a_road_run(tmp_path):
    cost, km, _ = coster(tmp_path)("S1;J;H1;J", "road;rail;road")
    # road 20 km (2,000), transfer 100 + 500, rail 30 x 10, transfer 500 + 100, road 25 km
    # (3,000), unload 100: two trips, not one 45 km trip
    assert cost == pytest.approx(100 + 2000 + 600 + 300 + 600 + 3000 + 100)
    assert km == pytest.approx(75)
