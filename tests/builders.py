"""Tiny instances built in code: compose a base with overrides, write it as a folder; and the
LP relaxation of a compiled model, by definition."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import tomli_w

from hubnet.instance.schema import TABLE_BY_NAME

BASE_SETTINGS: dict = {"name": "tiny", "description": "built in a test"}


def base_tables() -> dict[str, list[dict]]:
    """One source S1, one candidate hub H1, one smelter M1, explicit lanes.

    Gold content 100 g/t at 10,000 JPY/kg, recovered in full: 1,000 JPY per tonne smelted.
    """
    return {
        "sites": [
            {"id": "S1", "name": "Source 1", "kind": "source", "lat": 35.0, "lon": 135.0},
            {"id": "H1", "name": "Hub 1", "kind": "hub", "lat": 35.0, "lon": 135.5},
            {"id": "M1", "name": "Smelter 1", "kind": "smelter", "lat": 35.0, "lon": 136.0},
        ],
        "commodities": [{"id": "pcb", "name": "PCB", "hub_yield_share": 1.0}],
        "elements": [{"id": "Au", "name": "Gold", "price_jpy_per_kg": 10000}],
        "contents": [{"commodity": "pcb", "element": "Au", "content_g_per_t": 100}],
        "supply": [{"site": "S1", "commodity": "pcb", "generation_t_per_yr": 100}],
        "facilities": [
            {"site": "H1", "role": "hub", "processing_cost_jpy_per_t": 0, "accepts": "pcb"},
            {
                "site": "M1",
                "role": "smelter",
                "existing_capacity_t_per_yr": 1000,
                "processing_cost_jpy_per_t": 0,
                "accepts": "pcb",
            },
        ],
        "capacity_levels": [
            {
                "facility": "H1",
                "level": "L",
                "capacity_t_per_yr": 200,
                "fixed_cost_jpy_per_yr": 5000,
            }
        ],
        "recovery": [{"facility": "M1", "element": "Au", "recovery_share": 1.0}],
        "lanes": [
            {"origin": "S1", "destination": "H1", "cost_jpy_per_t": 10},
            {"origin": "H1", "destination": "M1", "cost_jpy_per_t": 5},
        ],
    }


def exporting_tables() -> dict[str, list[dict]]:
    """The base plus 50 t of batteries at S1, which hubs pass on at half their weight and
    which only a foreign market X1 buys: at most 10 t of hub output, at 1,000 JPY/t.

    Optimum: collect 20 t of batteries (10 JPY/t) to sell their 10 t of output; 30 t stay
    uncollected, and the 10 t exported stand for 20 t generated.
    """
    t = base_tables()
    t["sites"].append({"id": "X1", "name": "Market", "kind": "market", "lat": 36.0, "lon": 130.0})
    t["commodities"].append({"id": "bat", "name": "Batteries", "hub_yield_share": 0.5})
    t["supply"].append({"site": "S1", "commodity": "bat", "generation_t_per_yr": 50})
    t["facilities"][0]["accepts"] = "pcb;bat"
    t["exports"] = [{"site": "X1", "commodity": "bat", "max_t_per_yr": 10, "price_jpy_per_t": 1000}]
    t["lanes"].append({"origin": "H1", "destination": "X1", "cost_jpy_per_t": 0})
    return t


def cli(*args: str) -> subprocess.CompletedProcess:
    """The `hubnet` command with `args`, in a process of its own (exit code, stdout, stderr)."""
    return subprocess.run(
        [sys.executable, "-c", "from hubnet.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def write_instance(
    folder: Path, tables: dict[str, list[dict]] | None = None, settings: dict | None = None
) -> Path:
    """Write tables (list of row dicts) and settings as an instance folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = base_tables() if tables is None else tables
    merged = copy.deepcopy(BASE_SETTINGS)
    for key, value in (settings or {}).items():
        if isinstance(value, dict):
            merged.setdefault(key, {}).update(value)
        else:
            merged[key] = value
    (folder / "instance.toml").write_text(tomli_w.dumps(merged), encoding="utf-8")
    for name, rows in tables.items():
        columns = [c.name for c in TABLE_BY_NAME[name].columns] if not rows else None
        pd.DataFrame(rows, columns=columns).to_csv(folder / f"{name}.csv", index=False)
    return folder


def full_lp(compiled) -> float:  # noqa: ANN001 - hubnet.solve.Compiled
    """HiGHS on the whole model HiGHS holds, integrality dropped: the relaxation by definition."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(compiled.highs.getModel())
    n = h.getNumCol()
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value


# Rows of the hand-worked instances (tests/model/test_hand_solved.py, test_periods.py)


def site(id_, kind, lat=35.0, lon=135.0, region=""):
    return {"id": id_, "name": id_, "kind": kind, "lat": lat, "lon": lon, "region": region}


def gold(g_per_t=100):
    """Gold at 10,000 JPY/kg: g_per_t grams per tonne is worth 10 x g_per_t JPY per tonne."""
    return {
        "commodities": [{"id": "pcb", "name": "PCB", "hub_yield_share": 1.0}],
        "elements": [{"id": "Au", "name": "Gold", "price_jpy_per_kg": 10000}],
        "contents": [{"commodity": "pcb", "element": "Au", "content_g_per_t": g_per_t}],
    }


def hub(id_, existing=0):
    return {
        "site": id_,
        "role": "hub",
        "existing_capacity_t_per_yr": existing,
        "processing_cost_jpy_per_t": 0,
        "accepts": "pcb",
    }


def smelter(id_, existing=1000):
    return {
        "site": id_,
        "role": "smelter",
        "existing_capacity_t_per_yr": existing,
        "processing_cost_jpy_per_t": 0,
        "accepts": "pcb",
    }


def lane(o, d, cost, km=0.0):
    return {"origin": o, "destination": d, "cost_jpy_per_t": cost, "distance_km": km}


def two_hubs(build_h1: float = 0.0, build_h2: float = 0.0) -> dict:
    """Source S: 100 t of PCB in 2025, 300 t from 2030, worth 1,000 JPY/t smelted at M; every
    tonne nets 1,000 - 10 - 5 = 985 JPY. H1 opens 150 t for 1,000 JPY/yr, H2 400 t for 1,500."""
    return {
        "sites": [site("S", "source"), site("H1", "hub"), site("H2", "hub"), site("M", "smelter")],
        **gold(100),
        "supply": [
            {"site": "S", "commodity": "pcb", "generation_t_per_yr": 100},
            {"site": "S", "commodity": "pcb", "generation_t_per_yr": 300, "year": 2030},
        ],
        "facilities": [hub("H1"), hub("H2"), smelter("M")],
        "capacity_levels": [
            {
                "facility": "H1",
                "level": "a",
                "capacity_t_per_yr": 150,
                "fixed_cost_jpy_per_yr": 1000,
                "build_cost_jpy": build_h1,
            },
            {
                "facility": "H2",
                "level": "b",
                "capacity_t_per_yr": 400,
                "fixed_cost_jpy_per_yr": 1500,
                "build_cost_jpy": build_h2,
            },
        ],
        "recovery": [{"facility": "M", "element": "Au", "recovery_share": 1.0}],
        "lanes": [
            lane("S", "H1", 10),
            lane("S", "H2", 10),
            lane("H1", "M", 5),
            lane("H2", "M", 5),
        ],
    }


PERIODS = {"periods": {"years": [2025, 2030], "discount_rate": 0.0, "last_period_years": 5}}


def far_hub(cap: float | None = 0.4, g_per_t: float = 100) -> dict:
    """Source S: 300 t of PCB at 100 g/t of gold, worth 1,000 JPY/t smelted at M. H1 opens
    150 t for 1,000 JPY/yr, 10 + 5 JPY/t of freight: each tonne through H1 nets 985. H2 has
    1,000 t already but its lane costs 1,200 JPY/t: each tonne through it nets -205.

    Without a cap: H1 opens and takes 150 t; 150 t (50 %) stay uncollected; H2 idle.
    With a leakage cap of 40 % (at most 120 t uncollected) 30 t go through H2 at a loss.
    """
    tables = {
        "sites": [site("S", "source"), site("H1", "hub"), site("H2", "hub"), site("M", "smelter")],
        **gold(g_per_t),
        "supply": [{"site": "S", "commodity": "pcb", "generation_t_per_yr": 300}],
        "facilities": [hub("H1"), hub("H2", existing=1000), smelter("M")],
        "capacity_levels": [
            {
                "facility": "H1",
                "level": "a",
                "capacity_t_per_yr": 150,
                "fixed_cost_jpy_per_yr": 1000,
            }
        ],
        "recovery": [{"facility": "M", "element": "Au", "recovery_share": 1.0}],
        "lanes": [
            lane("S", "H1", 10),
            lane("S", "H2", 1200),
            lane("H1", "M", 5),
            lane("H2", "M", 5),
        ],
    }
    if cap is not None:
        tables["commodities"][0]["max_leakage_share"] = cap
    return tables
