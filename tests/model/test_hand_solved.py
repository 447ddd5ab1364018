"""Tiny instances whose optimum is worked out by hand (arithmetic in each docstring)."""

from __future__ import annotations

import pytest
from builders import gold, hub, lane, site, smelter, write_instance

from hubnet.run import RunOptions, run_one

QUIET = RunOptions(write=False, maps=False)


def solve(tmp_path, tables, settings=None):
    rec = run_one(write_instance(tmp_path / "inst", tables, settings), options=QUIET)
    assert rec.violations == []
    return rec


def test_reach_makes_the_closer_hub_worth_its_fixed_cost(tmp_path):
    """Source S, 100 t of PCB worth 1,000 JPY/t smelted; lanes cost 10 JPY/t.

    Reach: 100 % next door, minus 10 % per 100 km. H_far (existing, free) is 500 km away, so
    it can collect only 50 % of S: 50 t x (1,000 - 10) = 49,500 -> cost -49,500.
    Opening H_near (0 km, fixed 20,000) collects all: 100 x 990 - 20,000 = 79,000 -> -79,000.
    Without reach H_far would collect everything (-99,000) and H_near would stay shut.
    """
    tables = {
        "sites": [
            site("S", "source"),
            site("H_far", "hub"),
            site("H_near", "hub"),
            site("M", "smelter"),
        ],
        **gold(100),
        "supply": [{"site": "S", "commodity": "pcb", "generation_t_per_yr": 100}],
        "facilities": [hub("H_far", existing=1000), hub("H_near"), smelter("M")],
        "capacity_levels": [
            {
                "facility": "H_near",
                "level": "L",
                "capacity_t_per_yr": 500,
                "fixed_cost_jpy_per_yr": 20000,
            }
        ],
        "recovery": [{"facility": "M", "element": "Au", "recovery_share": 1.0}],
        "lanes": [
            lane("S", "H_far", 10, km=500),
            lane("S", "H_near", 10, km=0),
            lane("H_far", "M", 0),
            lane("H_near", "M", 0),
        ],
    }
    settings = {"collection": {"reach_at_zero_km": 1.0, "reach_loss_per_100_km": 0.1}}
    rec = solve(tmp_path, tables, settings)
    known_objective = -79000.0
    assert rec.objective == pytest.approx(known_objective, abs=1e-6)
    fac = rec.solution.facilities.set_index("facility")
    assert fac.at["H_near", "level"] == "L"
    assert fac.at["H_near", "throughput_t_per_yr"] == pytest.approx(100.0)
    assert fac.at["H_far", "throughput_t_per_yr"] == pytest.approx(0.0, abs=1e-6)

    # the same instance with reach switched off: H_far collects everything, no hub opens
    flat = solve(tmp_path / "flat", tables, {"collection": {"reach_loss_per_100_km": 0.0}})
    assert flat.objective == pytest.approx(-99000.0, abs=1e-6)


def test_export_leakage_cap_forces_collection_from_a_remote_source(tmp_path):
    """S_near and S_far each generate 100 t of PCB worth 500 JPY/t smelted.

    S_near's lane costs 10 JPY/t (net +490/t), S_far's 600 JPY/t (net -100/t): uncapped, only
    S_near is collected: cost -49,000. A cap of 20 % of the 200 t generated lets at most
    40 t leak, so 60 t must come from S_far: -49,000 + 60 x 100 = -43,000.
    """
    tables = {
        "sites": [
            site("S_near", "source"),
            site("S_far", "source"),
            site("H", "hub"),
            site("M", "smelter"),
        ],
        **gold(50),
        "supply": [
            {"site": "S_near", "commodity": "pcb", "generation_t_per_yr": 100},
            {"site": "S_far", "commodity": "pcb", "generation_t_per_yr": 100},
        ],
        "facilities": [hub("H", existing=1000), smelter("M")],
        "capacity_levels": [],
        "recovery": [{"facility": "M", "element": "Au", "recovery_share": 1.0}],
        "lanes": [lane("S_near", "H", 10), lane("S_far", "H", 600), lane("H", "M", 0)],
    }
    free = solve(tmp_path / "free", tables)
    assert free.objective == pytest.approx(-49000.0, abs=1e-6)
    tables["commodities"][0]["max_leakage_share"] = 0.2
    capped = solve(tmp_path / "capped", tables)
    assert capped.objective == pytest.approx(-43000.0, abs=1e-6)
    leak = capped.solution.leakage.set_index("source")
    assert leak.at["S_far", "collected_t_per_yr"] == pytest.approx(60.0)
    assert leak.at["S_far", "uncollected_t_per_yr"] == pytest.approx(40.0)


def test_import_ban_changes_which_smelter_expands(tmp_path):
    """100 t domestic + 100 t on offer from an EU origin (price 0), all lanes free, PCB worth
    1,000 JPY/t smelted. Smelters have no capacity until expanded: M_big +200 t for 30,000,
    M_small +100 t for 12,000.

    Imports allowed: 200 t; M_big gives 200,000 - 30,000 = 170,000, M_small 88,000, both
    200,000 - 42,000 = 158,000 -> M_big, cost -170,000.
    EU permit 0 (a ban): 100 t; M_big 70,000 vs M_small 88,000 -> M_small, cost -88,000.
    """
    tables = {
        "sites": [
            site("S", "source"),
            site("F", "origin", lat=51.9, lon=4.4, region="eu"),
            site("H", "hub"),
            site("M_big", "smelter"),
            site("M_small", "smelter"),
        ],
        **gold(100),
        "supply": [{"site": "S", "commodity": "pcb", "generation_t_per_yr": 100}],
        "imports": [
            {"site": "F", "commodity": "pcb", "available_t_per_yr": 100, "price_jpy_per_t": 0}
        ],
        "facilities": [hub("H", existing=1000), smelter("M_big", 0), smelter("M_small", 0)],
        "capacity_levels": [
            {
                "facility": "M_big",
                "level": "x200",
                "capacity_t_per_yr": 200,
                "fixed_cost_jpy_per_yr": 30000,
            },
            {
                "facility": "M_small",
                "level": "x100",
                "capacity_t_per_yr": 100,
                "fixed_cost_jpy_per_yr": 12000,
            },
        ],
        "recovery": [
            {"facility": "M_big", "element": "Au", "recovery_share": 1.0},
            {"facility": "M_small", "element": "Au", "recovery_share": 1.0},
        ],
        "lanes": [
            lane("S", "H", 0),
            lane("F", "H", 0),
            lane("H", "M_big", 0),
            lane("H", "M_small", 0),
        ],
    }
    open_ = solve(tmp_path / "open", tables, {"policy": {"import_permits_t_per_yr": {"eu": 1000}}})
    assert open_.objective == pytest.approx(-170000.0, abs=1e-6)
    assert open_.solution.brief["smelter_expansions"] == ["M_big (+x200)"]
    ban = solve(tmp_path / "ban", tables, {"policy": {"import_permits_t_per_yr": {"eu": 0}}})
    assert ban.objective == pytest.approx(-88000.0, abs=1e-6)
    assert ban.solution.brief["smelter_expansions"] == ["M_small (+x100)"]
    assert ban.solution.brief["imported_t_per_yr"] == pytest.approx(0.0, abs=1e-9)


def _levels_instance(generation: float, min_large: float) -> dict:
    return {
        "sites": [site("S", "source"), site("H", "hub"), site("M", "smelter")],
        **gold(100),
        "supply": [{"site": "S", "commodity": "pcb", "generation_t_per_yr": generation}],
        "facilities": [hub("H"), smelter("M")],
        "capacity_levels": [
            {
                "facility": "H",
                "level": "small",
                "capacity_t_per_yr": 100,
                "fixed_cost_jpy_per_yr": 10000,
            },
            {
                "facility": "H",
                "level": "large",
                "capacity_t_per_yr": 200,
                "fixed_cost_jpy_per_yr": 40000,
                "min_throughput_t_per_yr": min_large,
            },
        ],
        "recovery": [{"facility": "M", "element": "Au", "recovery_share": 1.0}],
        "lanes": [lane("S", "H", 0), lane("H", "M", 0)],
    }


@pytest.mark.parametrize(
    ("generation", "min_large", "known_level", "known_objective"),
    [
        # 300 t worth 1,000 JPY/t; one level only. small: 100,000 - 10,000 = 90,000;
        # large: 200,000 - 40,000 = 160,000 (small + large would be 250,000, but a site
        # opens one level) -> large, -160,000
        (300.0, 0.0, "large", -160000.0),
        # 140 t: large 140,000 - 40,000 = 100,000 beats small's 90,000 ...
        (140.0, 0.0, "large", -100000.0),
        # ... unless large must take at least 150 t: then small, -90,000
        (140.0, 150.0, "small", -90000.0),
    ],
)
def test_capacity_level_choice(tmp_path, generation, min_large, known_level, known_objective):
    rec = solve(tmp_path, _levels_instance(generation, min_large))
    assert rec.objective == pytest.approx(known_objective, abs=1e-6)
    assert rec.solution.facilities.set_index("facility").at["H", "level"] == known_level


def _imported_only_tables() -> dict:
    """Domestic PCB and an imported-only grade (`imp`), both 100 g/t of gold."""
    return {
        "sites": [
            site("S", "source"),
            site("F", "origin", lat=51.9, lon=4.4, region="eu"),
            site("H", "hub"),
            site("M", "smelter"),
            site("X", "market", lat=22.3, lon=114.2),
        ],
        "commodities": [
            {"id": "pcb", "name": "PCB", "hub_yield_share": 1.0},
            {"id": "imp", "name": "Imported scrap", "hub_yield_share": 1.0},
        ],
        "elements": [
            {"id": "Au", "name": "Gold", "price_jpy_per_kg": 10000, "max_leakage_share": 0.1}
        ],
        "contents": [
            {"commodity": "pcb", "element": "Au", "content_g_per_t": 100},
            {"commodity": "imp", "element": "Au", "content_g_per_t": 100},
        ],
        "supply": [{"site": "S", "commodity": "pcb", "generation_t_per_yr": 100}],
        "imports": [
            {"site": "F", "commodity": "imp", "available_t_per_yr": 100, "price_jpy_per_t": 0}
        ],
        "exports": [
            {"site": "X", "commodity": "imp", "max_t_per_yr": 1000, "price_jpy_per_t": 1500}
        ],
        "facilities": [
            {**hub("H", existing=1000), "accepts": "pcb;imp"},
            smelter("M"),
        ],
        "capacity_levels": [],
        "recovery": [{"facility": "M", "element": "Au", "recovery_share": 1.0}],
        "lanes": [lane("S", "H", 0), lane("F", "H", 0), lane("H", "M", 0), lane("H", "X", 0)],
    }


def test_element_leakage_cap_counts_an_imported_only_commodity(tmp_path):
    """(8b) sums over every commodity with gold, the imported-only `imp` included.

    PCB smelted is worth 1,000 JPY/t; `imp` (100 t offered free) can only be exported, at
    1,500 JPY/t (the smelter does not take it). Uncapped: 100,000 + 150,000 -> -250,000.
    Gold cap 10 % of the gold generated: 0.1 x 100 t x 100 g/t = 1 kg, i.e. leaked PCB +
    exported `imp` <= 10 t. Exporting (1,500/t) beats collecting PCB (1,000/t) only when it
    does not displace it: export 10 t, collect all 100 t of PCB:
    100,000 + 15,000 = 115,000 -> -115,000.
    """
    tables = _imported_only_tables()
    rec = solve(tmp_path, tables)
    assert rec.objective == pytest.approx(-115000.0, abs=1e-3)
    assert rec.solution.brief["exported_t_per_yr"] == pytest.approx(10.0)
    tables["elements"][0]["max_leakage_share"] = None
    free = solve(tmp_path / "free", tables)
    assert free.objective == pytest.approx(-250000.0, abs=1e-3)


def test_smelter_level_minimum_throughput_binds(tmp_path):
    """(3b) binds smelters as well as hubs.

    100 t of PCB worth 1,000 JPY/t smelted. M_new has no capacity until it opens level x
    (200 t, fixed 10,000, at least 150 t); M_old has 1,000 t but its lane costs 200 JPY/t.
    Without the minimum: M_new, 100,000 - 10,000 = 90,000 -> -90,000. With it, M_new
    cannot take 150 t of the 100 t there are: M_old, 100 x (1,000 - 200) -> -80,000.
    """
    tables = {
        "sites": [
            site("S", "source"),
            site("H", "hub"),
            site("M_new", "smelter"),
            site("M_old", "smelter"),
        ],
        **gold(100),
        "supply": [{"site": "S", "commodity": "pcb", "generation_t_per_yr": 100}],
        "facilities": [hub("H", existing=1000), smelter("M_new", 0), smelter("M_old")],
        "capacity_levels": [
            {
                "facility": "M_new",
                "level": "x",
                "capacity_t_per_yr": 200,
                "fixed_cost_jpy_per_yr": 10000,
                "min_throughput_t_per_yr": 150,
            }
        ],
        "recovery": [
            {"facility": "M_new", "element": "Au", "recovery_share": 1.0},
            {"facility": "M_old", "element": "Au", "recovery_share": 1.0},
        ],
        "lanes": [lane("S", "H", 0), lane("H", "M_new", 0), lane("H", "M_old", 200)],
    }
    rec = solve(tmp_path, tables)
    assert rec.objective == pytest.approx(-80000.0, abs=1e-3)
    fac = rec.solution.facilities.set_index("facility")
    assert fac.at["M_new", "level"] == ""
    assert fac.at["M_old", "throughput_t_per_yr"] == pytest.approx(100.0)
    tables["capacity_levels"][0]["min_throughput_t_per_yr"] = 0
    free = solve(tmp_path / "free", tables)
    assert free.objective == pytest.approx(-90000.0, abs=1e-3)
