"""Roadmaps of generated instances: one planning year is the single-year model, perfect
foresight never costs more than deciding year by year, and the horizon's branch and bound
reaches its gap on a scaled objective."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomli_w

import hubnet.generate as gen
from hubnet.report import SolveOptions
from hubnet.run import RunOptions, run_one

TIGHT = SolveOptions(mip_rel_gap=1e-9)
SEEDS = [1, 2, 3]


def generated(folder: Path, seed: int) -> Path:
    return gen.generate(folder, sources=5, hubs=3, commodities=2, origins=1, seed=seed)


def add_periods(folder: Path, periods: dict) -> None:
    path = folder / "instance.toml"
    settings = tomllib.loads(path.read_text(encoding="utf-8"))
    settings["periods"] = periods
    path.write_text(tomli_w.dumps(settings), encoding="utf-8")


@pytest.mark.parametrize("seed", SEEDS)
def test_one_planning_year_is_the_single_year_optimum(tmp_path, seed):
    """With one year standing for one year, W = d = 1 and no level has a build cost: (0r) is
    Eq. (0) of that year, so both optima (proved to a 1e-9 gap) agree."""
    folder = generated(tmp_path / "inst", seed)
    opts = RunOptions(solve=TIGHT, write=False, maps=False)
    single = run_one(folder, options=opts)
    add_periods(folder, {"years": [2025], "last_period_years": 1})
    roadmap = run_one(folder, options=opts)
    for rec in (single, roadmap):
        assert rec.status == "optimal" and rec.violations == [], rec.violations
    assert roadmap.objective == pytest.approx(single.objective, rel=1e-6)


def growing_roadmap(folder: Path, seed: int) -> Path:
    """The generated instance over 2025 and 2030 (5 years each, 5 % a year): each level's build
    costs ten years of its fixed cost, and every source generates half as much in 2025 and
    1.0-1.3 times as much from 2030."""
    generated(folder, seed)
    rng = np.random.default_rng(seed)
    levels = pd.read_csv(folder / "capacity_levels.csv")
    levels["build_cost_jpy"] = 10 * levels["fixed_cost_jpy_per_yr"]
    levels.to_csv(folder / "capacity_levels.csv", index=False)
    supply = pd.read_csv(folder / "supply.csv")
    grown = supply["generation_t_per_yr"] * rng.uniform(1.0, 1.3, len(supply))
    first = supply.assign(generation_t_per_yr=supply["generation_t_per_yr"] / 2)
    pd.concat([first, supply.assign(generation_t_per_yr=grown, year=2030)]).to_csv(
        folder / "supply.csv", index=False
    )
    add_periods(folder, {"years": [2025, 2030], "discount_rate": 0.05, "last_period_years": 5})
    return folder


def npv(folder: Path, out: Path, foresight: str) -> float:
    opts = RunOptions(out_dir=out, maps=False, foresight=foresight)
    rec = run_one(folder, options=opts)
    assert rec.status == "optimal" and rec.violations == [], (rec.status, rec.violations)
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))["npv_cost_jpy"]


@pytest.mark.parametrize("seed", SEEDS)
def test_perfect_foresight_never_costs_more_than_myopic(tmp_path, seed):
    """The myopic plan keeps its levels and so is a plan of the whole roadmap: the optimum
    over every plan costs at most as much (up to the 1e-4 gap it is proved to; here the
    myopic plan, paying a build out of one period's savings, costs more)."""
    folder = growing_roadmap(tmp_path / "inst", seed)
    perfect = npv(folder, tmp_path / "perfect", "perfect")
    myopic = npv(folder, tmp_path / "myopic", "myopic")
    assert perfect <= myopic + 1e-6 * abs(myopic)


def test_the_horizon_search_runs_to_its_gap_on_a_scaled_objective(tmp_path):
    """Seed 3's roadmap costs about 1.5e9 JPY net, so its objective reaches HiGHS scaled by a
    power of two; the kept-open plan HiGHS starts from is about 5e-9 above the independent
    bound, outside a 1e-9 gap. The branch and bound must run until its own gap is 1e-9
    (stopping at the start, a scaled incumbent compared with an unscaled bound, leaves it
    merely feasible)."""
    folder = growing_roadmap(tmp_path / "inst", 3)
    opts = RunOptions(write=False, maps=False, foresight="perfect", solve=TIGHT)
    rec = run_one(folder, options=opts)
    assert rec.violations == []
    assert rec.status == "optimal"
    assert rec.gap is not None and rec.gap <= 1e-9
