"""Capacity cuts by level (Eq. 12): what they cut is worked out by hand, and they never cut
off a plan (the proved optimum of generated instances satisfies every one)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp
from builders import base_tables, full_lp, write_instance
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubnet.generate import generate
from hubnet.report import SolveOptions
from hubnet.run import RunOptions, Timer, build, prepare, run_one
from hubnet.solve.cuts import CapacityRow, Cut, add_cuts, binding, cut_for, implied_upper
from hubnet.solve.highs import START_WITHIN_GAP, branch_and_bound, handoff
from hubnet.solve.relaxation import capacity_cut_rows, keep_needed_links, linking, relaxation
from hubnet.solve.start import mip_start


def _row(existing: float = 0.0) -> CapacityRow:
    """Three inflows of at most 10 t each (columns 0-2), levels of 10 t and 60 t (3, 4)."""
    return CapacityRow(
        flows=np.array([0, 1, 2]),
        coef=np.array([10.0, 10.0, 10.0]),
        most=np.array([10.0, 10.0, 10.0]),
        levels=np.array([3, 4]),
        capacity=np.array([10.0, 60.0]),
        existing=existing,
    )


def test_the_cut_is_the_most_broken_set_of_fullest_inflows():
    """Inflows full, full, half (25 t) with the levels open 0.7 and 0.3: capacity row and
    linking rows hold (7 + 18 = 25 t; each share <= 1). Fullest first, the sets bring
    10, 20, 25 t against 10 x 0.7 + min(60, Q) x 0.3 = 10, 13, 16 t: all three, broken by 9 t.
    The cut 10 x0 + 10 x1 + 10 x2 <= 10 z3 + 30 z4 (level 60 t admits at most the 30 t
    the inflows can bring)."""
    x = np.array([1.0, 1.0, 0.5, 0.7, 0.3])
    cut = cut_for(_row(), x)
    assert sorted(zip(cut.cols.tolist(), cut.coef.tolist(), strict=True)) == [
        (0, 10.0),
        (1, 10.0),
        (2, 10.0),
        (3, -10.0),
        (4, -30.0),
    ]
    assert cut.rhs == 0.0
    assert cut.coef @ x[cut.cols] - cut.rhs == pytest.approx(9.0)


def test_existing_capacity_enters_the_cut():
    """With 5 t existing, level 10 t adds min(15, Q) - 5 and level 60 t min(65, Q) - 5:
    for all three (Q = 30) the cut is 10 x0 + 10 x1 + 10 x2 <= 5 + 10 z3 + 25 z4,
    at x: 25 > 5 + 7 + 7.5 = 19.5."""
    x = np.array([1.0, 1.0, 0.5, 0.7, 0.3])
    cut = cut_for(_row(existing=5.0), x)
    assert cut.rhs == 5.0
    assert dict(zip(cut.cols.tolist(), cut.coef.tolist(), strict=True)) == {
        0: 10.0,
        1: 10.0,
        2: 10.0,
        3: -10.0,
        4: -25.0,
    }
    assert cut.coef @ x[cut.cols] - cut.rhs == pytest.approx(5.5)


def test_a_plan_breaks_no_cut():
    """At integer levels the cut holds wherever the capacity row does."""
    for x in ([1.0, 0.0, 0.0, 1.0, 0.0], [1.0, 1.0, 1.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0, 0.0]):
        assert cut_for(_row(), np.array(x)) is None


def _two_levels(folder):
    """One source of 100 t (1,000 JPY/t of gold, collected in full, carried free) and one
    hub with a 40 t level for 1,000 JPY/yr and a 200 t level for 20,000 JPY/yr. By hand:
      large level: 100,000 - 20,000 -> cost -80,000 (the optimum); small: 40,000 - 1,000.
      LP: share 1 needs z_small + z_large = 1 (linking) and 40 z_small + 200 z_large >= 100:
          z_large = 0.375, z_small = 0.625 -> 8,125 of fixed cost, cost -91,875.
      With the cut 100 share <= 40 z_small + 100 z_large the blend is gone: cost -80,000.
    """
    tables = base_tables()
    tables["capacity_levels"] = [
        {"facility": "H1", "level": "S", "capacity_t_per_yr": 40, "fixed_cost_jpy_per_yr": 1000},
        {
            "facility": "H1",
            "level": "L",
            "capacity_t_per_yr": 200,
            "fixed_cost_jpy_per_yr": 20000,
        },
    ]
    for lane in tables["lanes"]:
        lane["cost_jpy_per_t"] = 0
    settings_ = {"collection": {"reach_at_zero_km": 1.0, "whole_source": True}}
    instance, _ = prepare(write_instance(folder, tables, settings_))
    model, _, _ = build(instance, Timer())
    return handoff(model, SolveOptions())


def test_cuts_lift_the_relaxation_to_the_hand_worked_bound(tmp_path):
    compiled = _two_levels(tmp_path / "two")
    plain = relaxation(compiled, 60.0)
    assert plain.bound == pytest.approx(-91875.0, abs=1e-6)
    cut = relaxation(compiled, 60.0, cut_gain=1e-9)
    assert cut.complete and len(cut.cuts) >= 1
    assert cut.bound == pytest.approx(-80000.0, abs=1e-6)


def test_with_the_cuts_the_search_plan_is_proved_without_a_branch_and_bound(tmp_path):
    """At gap 0.5 % the plain relaxation (-91,875) leaves the plan (-80,000) 14.8 % off, and
    a branch and bound would have to run; the cuts' bound proves it at once."""
    tables_dir = tmp_path / "two"
    _two_levels(tables_dir)
    loose = RunOptions(solve=SolveOptions(mip_rel_gap=0.005), write=False, maps=False)
    rec = run_one(tables_dir, options=loose)
    assert rec.violations == []
    assert rec.report.termination == START_WITHIN_GAP
    assert rec.objective == pytest.approx(-80000.0, abs=1e-6)
    assert rec.best_bound == pytest.approx(-80000.0, abs=1e-6)


def test_rows_of_positive_terms_bound_their_columns():
    """x0/0.5 + x1/0.25 <= 100 (a reach row) bounds x0 by 50 and x1 by 25; x1 + x2 <= 10
    (an availability) bounds x1 by 10 and x2 by 10; a row with a negative term, an equality
    and a row over a column that may be negative bound nothing."""
    matrix = sp.csr_matrix(
        np.array(
            [
                [2.0, 4.0, 0.0, 0.0],
                [0.0, 1.0, 1.0, 0.0],
                [0.0, 0.0, 1.0, -1.0],
                [0.0, 0.0, 0.0, 1.0],
                [1.0, 0.0, 0.0, 1.0],
            ]
        )
    )
    lower = np.array([-np.inf, -np.inf, -np.inf, 5.0, -np.inf])
    upper = np.array([100.0, 10.0, 1.0, 5.0, 1.0])
    col_lower = np.array([0.0, 0.0, 0.0, -1.0])
    got = implied_upper(matrix, lower, upper, col_lower, np.full(4, np.inf))
    assert got.tolist() == [50.0, 10.0, 10.0, np.inf]


def _proved(folder, whole_source: bool = True):
    instance, _ = prepare(folder)
    collection = dataclasses.replace(instance.collection, whole_source=whole_source)
    model, _, _ = build(instance.replace(collection=collection), Timer())
    tight = SolveOptions(mip_rel_gap=1e-7, mip_start=False)
    report = branch_and_bound(model, tight)
    assert report.status.value == "optimal"
    return model, tight, report


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), whole_source=st.booleans())
def test_cuts_never_cut_off_the_optimum(tmp_path_factory, seed, whole_source):
    """The proved optimum satisfies every cut the relaxation found; the bound with cuts lies
    between the plain relaxation's and that optimum; a branch and bound given the cuts proves
    the same optimum. Per grade, the flows' bounds are those their rows imply."""
    folder = generate(
        tmp_path_factory.mktemp("gen") / "g",
        sources=30,
        hubs=6,
        commodities=2,
        origins=3,
        seed=seed,
    )
    model, tight, report = _proved(folder, whole_source)
    compiled = handoff(model, tight)
    x = np.zeros(len(compiled.columns))
    for i, v in enumerate(compiled.columns):
        x[i] = v.value or 0.0
    plain = relaxation(compiled, 60.0)
    cut = relaxation(compiled, 60.0, cut_gain=1e-9)
    assert capacity_cut_rows(compiled)
    for c in cut.cuts:
        assert c.coef @ x[c.cols] <= c.rhs + 1e-6 * max(1.0, np.abs(c.coef).max())
    tol = 1e-6 * abs(report.objective)
    assert plain.bound - tol <= cut.bound <= report.objective + tol
    add_cuts(compiled.highs, list(cut.cuts))
    again = branch_and_bound(model, tight, compiled=compiled)
    assert again.objective == pytest.approx(report.objective, rel=1e-6)


def test_cut_rounds_stop_once_a_round_lifts_the_bound_too_little(tmp_path):
    """A round that lifts the bound by less than `cut_gain` of it ends the cuts: asked for a
    100 % lift, the first round of cuts is the last; asked for next to none, they go on and
    lift the bound further."""
    folder = generate(tmp_path / "g", sources=30, hubs=6, commodities=2, origins=3, seed=5)
    instance, _ = prepare(folder)
    model, _, _ = build(instance, Timer())
    compiled = handoff(model, SolveOptions())
    once = relaxation(compiled, 60.0, cut_gain=1.0)
    more = relaxation(compiled, 60.0, cut_gain=1e-9)
    assert once.cut_rounds == 1
    assert more.cut_rounds > 1
    assert more.bound > once.bound


def test_the_branch_and_bound_gets_the_binding_cuts_and_the_same_root_bound(tmp_path):
    """The cuts slack at the relaxation's optimum are dropped; the LP with the rest has the
    relaxation's optimum (per grade, where some are slack)."""
    # seed 11: 8 of its 26 cuts are slack at the relaxation's optimum (most seeds keep all)
    folder = generate(tmp_path / "g", sources=30, hubs=6, commodities=2, origins=3, seed=11)
    instance, _ = prepare(folder)
    collection = dataclasses.replace(instance.collection, whole_source=False)
    model, _, _ = build(instance.replace(collection=collection), Timer())
    compiled = handoff(model, SolveOptions())
    links = linking(compiled)
    relaxed = relaxation(compiled, 60.0, links=links, cut_gain=1e-9)
    kept = binding(relaxed.cuts, relaxed.values)
    assert 0 < len(kept) < len(relaxed.cuts)
    keep_needed_links(compiled, links, relaxed)
    add_cuts(compiled.highs, kept)
    assert full_lp(compiled) == pytest.approx(relaxed.bound, rel=1e-9)


def test_binding_keeps_the_cuts_tight_at_the_point():
    x = np.array([1.0, 1.0, 0.5, 0.7, 0.3])
    tight = Cut(np.array([0, 3]), np.array([10.0, -10.0]), 3.0)  # 10 - 7 = 3
    slack = Cut(np.array([2, 4]), np.array([10.0, -10.0]), 5.0)  # 5 - 3 = 2 < 5
    assert binding([tight, slack], x) == [tight]


def test_progress_shows_the_bound_of_every_round_before_the_search(tmp_path):
    """A long relaxation is not silent: each round reports its bound (no plan yet); the
    last report before the first plan is the bound the relaxation returns."""
    folder = generate(tmp_path / "g", sources=30, hubs=6, commodities=2, origins=3, seed=5)
    instance, _ = prepare(folder)
    model, data, _ = build(instance, Timer())
    compiled = handoff(model, SolveOptions())
    seen = []
    result = mip_start(model, data, compiled, SolveOptions(mip_rel_gap=1e-6), progress=seen.append)
    rounds = [p for p in seen if p.best_solution is None]
    assert len(rounds) == result.relaxation.rounds
    assert seen[: len(rounds)] == rounds
    assert [p.best_bound for p in rounds] == sorted(p.best_bound for p in rounds)
    assert rounds[-1].best_bound == result.relaxation.bound
    assert all(p.best_bound == result.relaxation.bound for p in seen[len(rounds) :])
