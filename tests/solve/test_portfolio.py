"""HiGHS's branch and bound beside the level search, where regions give the search the last
word: hubnet proves what HiGHS alone proves within the same limit."""

from __future__ import annotations

import os

import pytest

from hubnet.generate import generate
from hubnet.report import SolveOptions, Status
from hubnet.run import Timer, build, prepare
from hubnet.solve import branch_and_bound, handoff, solve_model
from hubnet.solve import start as start_stage
from hubnet.solve.portfolio import BranchAndBound
from hubnet.solve.start import BESIDE_PROVED
from hubnet.solve.strategy import Strategy

needs_two_cores = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs a second core")

#: the level search on any model, and regions (so its last word) from six facilities with levels
SIX = Strategy(region_min_facilities=6, start_min_columns=0)


@pytest.fixture(scope="module")
def six_hubs(tmp_path_factory):
    folder = generate(
        tmp_path_factory.mktemp("g") / "g", sources=30, hubs=6, commodities=2, origins=3, seed=5
    )
    instance, _ = prepare(folder)
    return instance


def _solve(instance, options: SolveOptions, strategy: Strategy | None = None):  # noqa: ANN001, ANN202
    model, data, _ = build(instance, Timer())
    if strategy is None:  # HiGHS alone on the same model
        return branch_and_bound(model, options, compiled=handoff(model, options))
    return solve_model(model, data, options, strategy=strategy)


@needs_two_cores
def test_where_highs_alone_proves_the_optimum_so_does_hubnet(six_hubs):
    """A tight gap the search's plan does not meet against the relaxation's bound: before, the
    search's plan was the answer (`feasible`); the branch and bound beside it proves the
    optimum HiGHS alone proves on the same model."""
    options = SolveOptions(mip_rel_gap=1e-9, time_limit_s=60.0)
    alone = _solve(six_hubs, options)
    assert alone.status is Status.OPTIMAL
    report = _solve(six_hubs, options, SIX)
    assert report.status is Status.OPTIMAL
    assert report.termination == BESIDE_PROVED
    assert report.objective == pytest.approx(alone.objective, rel=1e-9)


@needs_two_cores
def test_without_it_the_search_has_the_last_word(six_hubs, monkeypatch):
    """The same run with the branch and bound beside taken away ends `feasible` (so the test
    above fails without it)."""

    class Never(BranchAndBound):
        def __init__(self, compiled, options, deadline):  # noqa: ANN001
            super().__init__(compiled, options, 0.0)  # out of time before it starts

    monkeypatch.setattr(start_stage, "BranchAndBound", Never)
    options = SolveOptions(mip_rel_gap=1e-9, time_limit_s=60.0)
    report = _solve(six_hubs, options, SIX)
    assert report.status is Status.FEASIBLE
    assert report.gap > 1e-9


@needs_two_cores
def test_the_search_hands_its_plans_to_the_branch_and_bound(six_hubs, monkeypatch):
    """Every better plan of the search reaches the branch and bound beside as an incumbent."""
    offered: list[float] = []
    real = BranchAndBound.offer

    def spy(self, values):  # noqa: ANN001, ANN202
        offered.append(float(values.sum()))
        return real(self, values)

    monkeypatch.setattr(BranchAndBound, "offer", spy)
    _solve(six_hubs, SolveOptions(mip_rel_gap=1e-9, time_limit_s=60.0), SIX)
    assert offered
