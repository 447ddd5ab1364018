"""HiGHS's branch and bound racing the level search where regions give the search the last
word and every facility is open or closed: hubnet proves what HiGHS alone proves within the
same limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hubnet.generate import generate
from hubnet.orlib import import_orlib
from hubnet.report import SolveOptions, Status
from hubnet.run import Timer, build, prepare
from hubnet.solve import solve_model
from hubnet.solve import start as start_stage
from hubnet.solve.portfolio import BranchAndBound
from hubnet.solve.start import BESIDE_PROVED
from hubnet.solve.strategy import Strategy

needs_two_cores = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs a second core")

ORLIB = Path(__file__).resolve().parents[1] / "data" / "orlib"
#: OR-Library's published optimum of cap44 (tests/data/orlib/optima.csv)
CAP44 = 1235500.45
#: the level search on any model, and regions (so its last word) from six facilities
SIX = Strategy(region_min_facilities=6, start_min_columns=0)
TIGHT = SolveOptions(mip_rel_gap=1e-9, time_limit_s=60.0)


@pytest.fixture(scope="module")
def cap44(tmp_path_factory):  # noqa: ANN201
    folder = import_orlib(ORLIB / "cap44.txt", tmp_path_factory.mktemp("o") / "cap44")
    instance, _ = prepare(folder)
    return instance


def _solve(instance, options: SolveOptions, strategy: Strategy = SIX):  # noqa: ANN001, ANN202
    model, data, _ = build(instance, Timer())
    return solve_model(model, data, options, strategy=strategy)


@needs_two_cores
def test_where_highs_alone_proves_the_optimum_so_does_hubnet(cap44) -> None:  # noqa: ANN001
    """16 warehouses, one level each, regions from six: the search has the last word (alone
    it ends 0.28 % from its bound), and the branch and bound racing it proves OR-Library's
    optimum."""
    report = _solve(cap44, TIGHT)
    assert report.status is Status.OPTIMAL
    assert report.termination == BESIDE_PROVED
    assert report.objective == pytest.approx(CAP44, rel=1e-9)


@needs_two_cores
def test_without_it_the_search_has_the_last_word(cap44, monkeypatch) -> None:  # noqa: ANN001
    """The same run with the racing branch and bound out of time before it starts ends
    `feasible`, its gap above the one asked for (so the test above fails without it)."""

    class Never(BranchAndBound):
        def __init__(self, compiled, options, deadline):  # noqa: ANN001
            super().__init__(compiled, options, 0.0)

    monkeypatch.setattr(start_stage, "BranchAndBound", Never)
    report = _solve(cap44, TIGHT)
    assert report.status is Status.FEASIBLE
    assert report.gap > 1e-9


@needs_two_cores
def test_the_search_hands_its_plans_to_the_branch_and_bound(cap44, monkeypatch) -> None:  # noqa: ANN001
    """Every better plan of the search reaches the racing branch and bound as an incumbent."""
    offered: list[float] = []
    real = BranchAndBound.offer

    def spy(self, values):  # noqa: ANN001, ANN202
        offered.append(float(values.sum()))
        return real(self, values)

    monkeypatch.setattr(BranchAndBound, "offer", spy)
    _solve(cap44, TIGHT)
    assert offered


def test_no_race_where_levels_are_chosen(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """A generated instance's hubs choose among levels: no branch and bound races there (the
    search keeps both cores)."""
    started: list[int] = []
    monkeypatch.setattr(start_stage, "BranchAndBound", lambda *a, **k: started.append(1) or None)
    folder = generate(tmp_path / "g", sources=30, hubs=6, commodities=2, origins=3, seed=5)
    instance, _ = prepare(folder)
    _solve(instance, SolveOptions(mip_rel_gap=1e-9, time_limit_s=20.0))
    assert not started
