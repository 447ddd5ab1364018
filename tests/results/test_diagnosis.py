"""Infeasibility is explained by the rules in conflict, in the instance's words."""

from __future__ import annotations

from builders import base_tables, write_instance

from hubnet.run import RunOptions, run_one


def island_tables(okinawa_hub_capacity: float) -> dict:
    """Mainland source (1,000 t) and an island source (300 t) of Li-ion; the island reaches
    only its own hub. A 5 % leakage cap of the 1,300 t allows 65 t to leak, so the island hub
    must take at least 235 t."""
    site = lambda i, k, lat: {"id": i, "name": i.title(), "kind": k, "lat": lat, "lon": 130.0}  # noqa: E731
    hub = lambda i, cap: {  # noqa: E731
        "site": i,
        "role": "hub",
        "existing_capacity_t_per_yr": cap,
        "processing_cost_jpy_per_t": 0,
        "accepts": "li_ion",
    }
    return {
        "sites": [
            site("mainland", "source", 35.0),
            site("okinawa", "source", 26.2),
            site("hub_main", "hub", 35.1),
            site("hub_okinawa", "hub", 26.3),
            site("smelter", "smelter", 35.2),
        ],
        "commodities": [
            {"id": "li_ion", "name": "Li-ion", "hub_yield_share": 0.4, "max_leakage_share": 0.05}
        ],
        "elements": [],
        "contents": [],
        "supply": [
            {"site": "mainland", "commodity": "li_ion", "generation_t_per_yr": 1000},
            {"site": "okinawa", "commodity": "li_ion", "generation_t_per_yr": 300},
        ],
        "facilities": [
            hub("hub_main", 5000),
            hub("hub_okinawa", okinawa_hub_capacity),
            {
                "site": "smelter",
                "role": "smelter",
                "existing_capacity_t_per_yr": 5000,
                "processing_cost_jpy_per_t": 0,
                "accepts": "li_ion",
            },
        ],
        "capacity_levels": [],
        "recovery": [],
        "lanes": [
            {"origin": "mainland", "destination": "hub_main", "cost_jpy_per_t": 1},
            {"origin": "okinawa", "destination": "hub_okinawa", "cost_jpy_per_t": 1},
            {"origin": "hub_main", "destination": "smelter", "cost_jpy_per_t": 1},
            {"origin": "hub_okinawa", "destination": "smelter", "cost_jpy_per_t": 1},
        ],
    }


def test_feasible_when_the_island_hub_is_big_enough(tmp_path):
    rec = run_one(
        write_instance(tmp_path / "i", island_tables(235)), options=RunOptions(write=False)
    )
    assert rec.status == "optimal"
    assert rec.violations == []


def test_diagnosis_names_the_leakage_cap_and_the_island_hub(tmp_path):
    out = tmp_path / "out"
    rec = run_one(
        write_instance(tmp_path / "i", island_tables(200)),
        options=RunOptions(out_dir=out, maps=False),
    )
    assert rec.status == "infeasible"
    text = rec.message
    assert "[export_leakage] export leakage of li_ion may be at most 5% of the 1,300 t" in text
    assert "[hub_capacity] hub Hub_Okinawa (hub_okinawa) can take at most 200 t" in text
    # both would have to give by the 35 t the island hub lacks (235 - 200)
    assert text.count("would have to give by 35.0") == 2
    assert (out / "diagnosis.txt").read_text(encoding="utf-8").strip() == text
    assert not (out / "flows.csv").exists()


def test_diagnosis_names_a_smelter_level_minimum(tmp_path):
    """Smelter M1 must open (status open, no existing capacity) its one level, which takes at
    least 500 t; the 100 t generated cannot feed it."""
    tables = base_tables()
    m1 = tables["facilities"][1]
    m1.update(existing_capacity_t_per_yr=0, status="open")
    tables["capacity_levels"].append(
        {
            "facility": "M1",
            "level": "x",
            "capacity_t_per_yr": 1000,
            "fixed_cost_jpy_per_yr": 0,
            "min_throughput_t_per_yr": 500,
        }
    )
    rec = run_one(write_instance(tmp_path / "i", tables), options=RunOptions(write=False))
    assert rec.status == "infeasible"
    assert (
        "[min_throughput] smelter Smelter 1 (M1) must take its level's minimum throughput"
        in rec.message
    )
