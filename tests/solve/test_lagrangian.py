"""A roadmap's Lagrangian bound (the rows tying the years priced into each year's levels) and
the merge of plans, on the two-hub roadmap worked out in tests/model/test_periods.py: two
planning years of 5 undiscounted years each, build costs H1 1,000 and H2 3,000 JPY; perfect
foresight opens H2 alone in both years, NPV -1,952,000."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from builders import PERIODS, full_lp, hub, lane, site, two_hubs, write_instance

from hubnet.instance import load_instance
from hubnet.model.periods import build_roadmap_model
from hubnet.report import SolveOptions
from hubnet.roadmap import plan_years
from hubnet.run import lanes_of
from hubnet.solve.highs import row_matrix
from hubnet.solve.lagrangian import Prices, year_prices
from hubnet.solve.roadmap import (
    level_columns,
    merged,
    prepared,
    root_cuts,
    with_levels_fixed,
    year_by_year,
)

OPTIMUM = -1_952_000.0
EXACT = SolveOptions(mip_rel_gap=1e-9)


def horizon(tmp_path, tables):
    folder = write_instance(tmp_path / "inst", tables, PERIODS)
    periods = [y.period for y in plan_years(load_instance(folder), lanes_of)]
    compiled = prepared(build_roadmap_model("t", periods), EXACT)
    return periods, compiled


def abel_duals(compiled, scale: float = 1.0) -> np.ndarray:
    """Duals pricing each build-cost row (14b) at its year's discount (1 here): the build
    column's cost, so that it pays nothing; 0 on every other row. `scale` > 1 asks too much."""
    a = row_matrix(compiled.highs.getLp()).tocsr()
    levels = set(level_columns(compiled).values())
    y = np.zeros(a.shape[0])
    for i, family in enumerate(compiled.families()):
        if family == "build_cost":
            row = a[i]
            (b,) = [k for k, j in enumerate(row.indices) if j not in levels]
            y[i] = scale * compiled.cost[row.indices[b]] / row.data[b]
    return y


def test_build_costs_priced_at_their_discount_are_the_independent_years(tmp_path):
    """Priced at the discount (1), a level pays its build cost in its own year's row and gets
    it back in the next year's: 2025's levels cost 1,000 - 1,000 = 0 more, 2030's their build
    cost spread over 5 years (H1 +200, H2 +600 a year): the independent pass's shares.
    2025 alone: H1, -985 x 100 + 1,000 = -97,500. 2030 alone: H2, -985 x 300 + 1,500 + 600 =
    -293,400. Bound 5 x -97,500 + 5 x -293,400 = -1,954,500, below the optimum."""
    periods, compiled = horizon(tmp_path, two_hubs(1000, 3000))
    prices = year_prices(compiled, abel_duals(compiled), periods)
    changed = {k: v for k, v in prices.level_cost.items() if abs(v) > 1e-9}
    assert changed == pytest.approx({(2030, "H1", "a"): 200.0, (2030, "H2", "b"): 600.0})
    assert prices.constant == pytest.approx(0.0)
    priced = year_by_year("t", periods, EXACT, myopic=False, prices=prices)
    assert priced.bound == pytest.approx(-1_954_500)
    independent = year_by_year("t", periods, EXACT, myopic=False)
    assert independent.bound == pytest.approx(-1_954_500)


def test_prices_of_the_wrong_sign_or_past_a_columns_cost_are_cut_back(tmp_path):
    """A build-cost row priced at twice the discount would pay a build column to grow without
    end: it is cut back to the column's cost (the same prices as above). A dual of the sign
    its row's side forbids counts as 0."""
    periods, compiled = horizon(tmp_path, two_hubs(1000, 3000))
    exact = year_prices(compiled, abel_duals(compiled), periods)
    too_much = year_prices(compiled, abel_duals(compiled, scale=2.0), periods)
    assert too_much.level_cost == pytest.approx(exact.level_cost)
    lp = compiled.highs.getLp()
    y = abel_duals(compiled)
    lower = np.asarray(lp.row_lower_)
    for i, family in enumerate(compiled.families()):
        if family == "levels_stay":
            y[i] = -1e6 if np.isfinite(lower[i]) else 1e6
    wrong = year_prices(compiled, y, periods)
    assert wrong.level_cost == pytest.approx(exact.level_cost)


def test_the_relaxations_prices_bound_the_roadmap(tmp_path):
    """With the duals of the relaxation lifted by capacity cuts, the priced years bound the
    roadmap from below (at most the optimum, -1,952,000) and keep each year's integrality,
    so they are no weaker than the relaxation itself."""
    periods, compiled = horizon(tmp_path, two_hubs(1000, 3000))
    plain = full_lp(compiled)
    lifted = root_cuts(compiled, EXACT)
    assert plain - 1e-6 <= lifted.bound <= OPTIMUM + 1e-6
    prices = year_prices(compiled, lifted.row_dual, periods)
    priced = year_by_year("t", periods, EXACT, myopic=False, prices=prices)
    assert lifted.bound - 1e-6 <= priced.bound <= OPTIMUM + 1e-6
    # no prices at all leave the build costs out: H1 in 2025, H2 alone in 2030,
    # 5 x -97,500 + 5 x -294,000 = -1,957,500, below the relaxation: the prices matter
    unpriced = year_by_year("t", periods, EXACT, myopic=False, prices=Prices({}, 0.0))
    assert unpriced.bound == pytest.approx(-1_957_500)
    assert priced.bound > unpriced.bound + 1_000


def test_merging_plans_searches_only_their_levels(tmp_path):
    """A third hub H3 (400 t for 1,000 JPY/yr, no build cost) would beat H2:
    5 x (-98,500 + 1,000) + 5 x (-295,500 + 1,000) = -1,960,000. Neither plan opens it:
    A, both H1 and H2 in both years (5 x -96,000 + 5 x -293,000 + 4,000 = -1,941,000), and
    B, the myopic plan (H1, then H1 and H2: -1,948,500). Their levels merged hold H2 alone
    in both years, -1,952,000, better than either, and never H3."""
    t = two_hubs(1000, 3000)
    t["sites"].append(site("H3", "hub"))
    t["facilities"].append(hub("H3"))
    t["capacity_levels"].append(
        {"facility": "H3", "level": "c", "capacity_t_per_yr": 400, "fixed_cost_jpy_per_yr": 1000}
    )
    t["lanes"] += [lane("S", "H3", 10), lane("H3", "M", 5)]
    periods, compiled = horizon(tmp_path, t)
    both = {(y, f, lv): 1.0 for y in (2025, 2030) for f, lv in (("H1", "a"), ("H2", "b"))}
    myopic = {(2025, "H1", "a"): 1.0, (2030, "H1", "a"): 1.0, (2030, "H2", "b"): 1.0}
    a, b = with_levels_fixed(compiled, both), with_levels_fixed(compiled, myopic)
    assert (a[1], b[1]) == pytest.approx((-1_941_000, -1_948_500))
    values, cost = merged(compiled, [both, myopic], b, -np.inf, EXACT)
    assert cost == pytest.approx(OPTIMUM)
    opened = {k for k, j in level_columns(compiled).items() if values[j] > 0.5}
    assert opened == {(2025, "H2", "b"), (2030, "H2", "b")}


def test_no_year_is_priced_when_the_first_plan_is_within_the_gap_of_the_relaxation(tmp_path):
    """`second_pass` solves the priced years only when the first plan is not already within
    the gap of the lifted relaxation: with the optimum as the first plan at a 1 % gap it
    returns the relaxation's bound and no year; 10 % above the optimum it prices both years."""
    from hubnet.solve.horizon import second_pass

    loose = SolveOptions(mip_rel_gap=0.01)
    periods, compiled = horizon(tmp_path / "a", two_hubs(1000, 3000))
    lp = full_lp(compiled)
    within = second_pass("t", periods, compiled, loose, loose, OPTIMUM)
    assert (within.levels, within.reports) == (None, ())
    assert within.bound >= lp - 1e-6
    assert OPTIMUM - within.bound <= 0.01 * abs(OPTIMUM)
    periods, compiled = horizon(tmp_path / "b", two_hubs(1000, 3000))
    above = second_pass("t", periods, compiled, loose, loose, 0.9 * OPTIMUM)
    assert [year for year, _ in above.reports] == [2025, 2030]
    assert above.bound <= OPTIMUM + 1e-6


def test_the_passes_on_worker_processes_give_the_same_roadmap(tmp_path, monkeypatch):
    """Made to run on worker processes (as on years of 2,000 flow columns and more), the
    myopic pass, submitted before the horizon's model is built, and the priced years give
    the hand-worked answers: perfect foresight
    -1,952,000, cost of myopia 3,500 (tests/model/test_periods.py)."""
    import dataclasses
    import json

    import hubnet.solve.horizon as horizon_module
    import hubnet.solve.roadmap as srm
    from hubnet.run import RunOptions, run_one

    monkeypatch.setattr(srm, "STRATEGY", dataclasses.replace(srm.STRATEGY, beside_min_flows=0))
    submitted = []
    real = horizon_module.workers

    class Spy:
        def __init__(self, pool):  # noqa: ANN001
            self.pool = pool

        def submit(self, fn, *args):  # noqa: ANN001, ANN002, ANN202
            submitted.append(fn.__name__)
            return self.pool.submit(fn, *args)

    @contextlib.contextmanager
    def spy(count):  # noqa: ANN001, ANN202
        with real(count) as pool:
            yield Spy(pool)

    built = horizon_module.build_roadmap_model

    def build(*args):  # noqa: ANN002, ANN202
        submitted.append("the horizon's model")
        return built(*args)

    monkeypatch.setattr(horizon_module, "workers", spy)
    monkeypatch.setattr(horizon_module, "build_roadmap_model", build)
    folder = write_instance(tmp_path / "inst", two_hubs(1000, 3000), PERIODS)
    rec = run_one(folder, options=RunOptions(out_dir=tmp_path / "out", maps=False))
    assert rec.violations == []
    # the myopic pass is on its way before the horizon's model is built here
    assert submitted == ["year_by_year", "the horizon's model", "solve_year", "solve_year"]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["npv_cost_jpy"] == pytest.approx(OPTIMUM)
    assert summary["myopia_cost_jpy"] == pytest.approx(3_500)


def test_the_myopic_pass_goes_beside_only_with_time_and_threads_to_spare(tmp_path, monkeypatch):
    """Not on years of a few flows; with no size asked of them, the pass goes beside without
    a time limit, not under a limit of 10 s for two years (30 s a year asked), nor with one
    thread."""
    import dataclasses

    import hubnet.solve.roadmap as srm

    folder = write_instance(tmp_path / "inst", two_hubs(1000, 3000), PERIODS)
    periods = [y.period for y in plan_years(load_instance(folder), lanes_of)]
    # a few flows a year: too small to repay starting processes
    assert not srm.passes_beside(SolveOptions(), periods)
    monkeypatch.setattr(srm, "STRATEGY", dataclasses.replace(srm.STRATEGY, beside_min_flows=0))
    assert srm.passes_beside(SolveOptions(), periods)
    assert srm.passes_beside(SolveOptions(time_limit_s=60.0), periods)
    assert not srm.passes_beside(SolveOptions(time_limit_s=10.0), periods)
    assert not srm.passes_beside(SolveOptions(threads=1), periods)
