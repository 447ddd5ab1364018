"""Perfect foresight's passes (solve/horizon.py): the horizon relaxation's capacity cuts carried
to each year solved alone, on a roadmap of two equal years of the two-level hub worked out in
tests/solve/test_cuts.py (one year's LP relaxation -91,875; with the cut -80,000)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pytest
from builders import PERIODS, base_tables, full_lp, two_hubs, write_instance

import hubnet.solve.horizon as horizon_module
import hubnet.solve.roadmap as srm
from hubnet.instance import load_instance
from hubnet.model import build_from_data
from hubnet.model.periods import build_roadmap_model, year_data
from hubnet.report import SolveOptions
from hubnet.roadmap import plan_years
from hubnet.run import RunOptions, lanes_of, run_one
from hubnet.solve.cuts import NamedCut, add_cuts, placed
from hubnet.solve.highs import handoff
from hubnet.solve.horizon import year_cuts
from hubnet.solve.roadmap import merged, prepared, root_cuts, with_levels_fixed


def two_levels_over_two_years(folder):
    """Source S: 100 t a year, whole; hub H1 with a 40 t level for 1,000 JPY/yr and a 200 t
    level for 20,000 JPY/yr, free lanes: each year's optimum opens the large level (-80,000)."""
    tables = base_tables()
    tables["capacity_levels"] = [
        {"facility": "H1", "level": "S", "capacity_t_per_yr": 40, "fixed_cost_jpy_per_yr": 1000},
        {"facility": "H1", "level": "L", "capacity_t_per_yr": 200, "fixed_cost_jpy_per_yr": 20000},
    ]
    for lane in tables["lanes"]:
        lane["cost_jpy_per_t"] = 0
    settings = {"collection": {"reach_at_zero_km": 1.0, "whole_source": True}, **PERIODS}
    folder = write_instance(folder, tables, settings)
    return [y.period for y in plan_years(load_instance(folder), lanes_of)]


def test_each_year_solved_alone_holds_the_horizons_cut_and_its_bound(tmp_path):
    """The horizon's relaxation cuts the blend of levels in both years; carried by name to a
    year's own model, its cut lifts that year's LP relaxation from -91,875 to -80,000."""
    periods = two_levels_over_two_years(tmp_path / "inst")
    compiled = prepared(build_roadmap_model("t", periods), SolveOptions())
    lifted = root_cuts(compiled, SolveOptions())
    # only the binding cuts come back, and they are the rows HiGHS now holds beyond the model's
    assert len(lifted.cuts) == compiled.highs.getNumRow() - len(compiled.rows) >= 2
    cuts = year_cuts(compiled, lifted)
    assert sorted(cuts) == [2025, 2030]
    for p in periods:
        data = year_data(p, {}, 0.0)
        alone = handoff(build_from_data("y", data), SolveOptions())
        assert full_lp(alone) == pytest.approx(-91_875.0, abs=1e-6)
        held = placed(cuts[p.year], alone.columns)
        assert len(held) == len(cuts[p.year])
        assert all(
            n.startswith(("flow", "open_level", "share")) for c in cuts[p.year] for n in c.names
        )
        add_cuts(alone.highs, held)
        assert full_lp(alone) == pytest.approx(-80_000.0, abs=1e-6)


def test_a_cut_naming_a_column_the_model_lacks_is_left_out(tmp_path):
    periods = two_levels_over_two_years(tmp_path / "inst")
    alone = handoff(build_from_data("y", year_data(periods[0], {}, 0.0)), SolveOptions())
    name = alone.columns[0].local_name
    cuts = [
        NamedCut((name,), np.array([1.0]), 5.0),
        NamedCut((name, "no_such_column[1]"), np.array([1.0, 1.0]), 5.0),
    ]
    (kept,) = placed(cuts, alone.columns)
    assert kept.cols.tolist() == [0] and kept.rhs == 5.0


def test_the_horizons_relaxation_is_scaled_as_its_model_is(tmp_path, monkeypatch):
    """The relaxation under the root's cuts gets the scaling `handoff` chose (without it,
    japan-roadmap's yen-sized build costs left HiGHS's LP in numerical trouble)."""

    periods = two_levels_over_two_years(tmp_path / "inst")
    compiled = prepared(build_roadmap_model("t", periods), SolveOptions())
    given = []
    real = srm.relaxation

    def spy(compiled, limit, options, **kwargs):  # noqa: ANN001, ANN003, ANN202
        given.append(options)
        return real(compiled, limit, options, **kwargs)

    monkeypatch.setattr(srm, "relaxation", spy)
    root_cuts(compiled, SolveOptions())
    exponents = {"user_objective_scale": compiled.scale[0], "user_bound_scale": compiled.scale[1]}
    assert given == [exponents]
    assert compiled.scale != (0, 0)


def test_plans_are_merged_on_the_model_without_the_roots_cuts(tmp_path, monkeypatch):
    """The merge's branch and bound holds the model's own rows only (the root's cuts slowed
    it fourfold on japan-roadmap), and still finds the optimum: the large level both years,
    2 x 5 x -80,000 = -800,000."""

    periods = two_levels_over_two_years(tmp_path / "inst")
    compiled = prepared(build_roadmap_model("t", periods), SolveOptions())
    root_cuts(compiled, SolveOptions())
    assert compiled.highs.getNumRow() > len(compiled.rows)
    copies = []
    real = srm.copy_of

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        copies.append(real(*args, **kwargs))
        return copies[-1]

    monkeypatch.setattr(srm, "copy_of", spy)
    small = {(y, "H1", "S"): 1.0 for y in (2025, 2030)}
    large = {(y, "H1", "L"): 1.0 for y in (2025, 2030)}
    start = with_levels_fixed(compiled, small)
    got = merged(compiled, [small, large], start, -math.inf, SolveOptions(mip_rel_gap=1e-9))
    assert [h.getNumRow() for h in copies] == [len(compiled.rows)]
    assert got[1] == pytest.approx(-800_000.0, abs=1e-6)


@pytest.mark.parametrize("when", ["at the first job", "after the horizon's model is built"])
def test_a_worker_that_dies_leaves_the_passes_to_this_process(tmp_path, monkeypatch, when):
    """If the worker processes break, before any job or once the horizon's model is built
    and handed over here, the passes run here and the roadmap is still the hand-worked one:
    perfect foresight -1,952,000, cost of myopia 3,500 (tests/model/test_periods.py)."""
    from concurrent.futures import Future

    class Broken:
        def submit(self, fn, *args):  # noqa: ANN001, ANN002, ANN202
            if when == "at the first job":
                raise BrokenProcessPool("a worker died")
            died = Future()
            died.set_exception(BrokenProcessPool("a worker died"))
            return died

    @contextlib.contextmanager
    def broken(count):  # noqa: ANN001, ANN202
        yield Broken()

    monkeypatch.setattr(srm, "STRATEGY", dataclasses.replace(srm.STRATEGY, beside_min_flows=0))
    monkeypatch.setattr(horizon_module, "workers", broken)
    folder = write_instance(tmp_path / "inst", two_hubs(1000, 3000), PERIODS)
    rec = run_one(folder, options=RunOptions(out_dir=tmp_path / "out", maps=False))
    assert rec.violations == []
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["npv_cost_jpy"] == pytest.approx(-1_952_000.0)
    assert summary["myopia_cost_jpy"] == pytest.approx(3_500)


def test_the_priced_years_on_a_pool_hold_their_cuts_and_give_the_bound(tmp_path):
    """On workers (threads here), each priced year gets its own year's cuts, and the pass's
    bound is the hand-worked optimum: the cuts make each year's relaxation exact (-80,000),
    so the lifted relaxation is 2 x 5 x -80,000 = -800,000, and the Lagrangian bound lies
    between it and the optimum. The plan opens the large level both years."""
    import concurrent.futures

    from hubnet.solve.lagrangian import year_prices
    from hubnet.solve.roadmap import priced_pass, solve_year

    periods = two_levels_over_two_years(tmp_path / "inst")
    compiled = prepared(build_roadmap_model("t", periods), SolveOptions())
    lifted = root_cuts(compiled, SolveOptions())
    assert lifted.bound == pytest.approx(-800_000.0, abs=1e-6)
    prices = year_prices(compiled, lifted.row_dual, periods)
    cuts = year_cuts(compiled, lifted)
    held = {}

    class Spy(concurrent.futures.ThreadPoolExecutor):
        def submit(self, fn, *args):  # noqa: ANN001, ANN002, ANN202
            assert fn is solve_year
            held[args[0]] = args[5]
            return super().submit(fn, *args)

    exact = SolveOptions(mip_rel_gap=1e-9)
    with Spy(max_workers=2) as pool:
        got = priced_pass("t", periods, prices, exact, pool, cuts)
    assert held == {"t-2025": cuts[2025], "t-2030": cuts[2030]}
    assert got.bound == pytest.approx(-800_000.0, abs=1e-6)
    assert got.levels == {(2025, "H1", "L"): 1.0, (2030, "H1", "L"): 1.0}
