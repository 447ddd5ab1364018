"""HiGHS's thread scheduler is one per process: a solve asking one thread after solves with
HiGHS's default count must still run (batch workers ask one thread each)."""

from __future__ import annotations

import json

import pytest
from builders import PERIODS, two_hubs, write_instance

from hubnet.instance import load_instance
from hubnet.model import build_from_data
from hubnet.model.periods import year_data
from hubnet.report import SolveOptions
from hubnet.roadmap import plan_years
from hubnet.run import RunOptions, lanes_of, run_one
from hubnet.solve import entry
from hubnet.solve.roadmap import solve_year


@pytest.mark.parametrize("threads", [None, 1, None])
def test_a_roadmap_solves_whatever_thread_count_came_before(tmp_path, threads):
    """The two-hub roadmap of tests/model/test_periods.py: NPV -1,952,000, myopia 3,500 (its
    fixed-level LP and branch and bound both run on a HiGHS set to `threads`)."""
    folder = write_instance(tmp_path / "inst", two_hubs(1000, 3000), PERIODS)
    opts = RunOptions(solve=SolveOptions(threads=threads), out_dir=tmp_path / "out", maps=False)
    run_one(folder, options=opts)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["npv_cost_jpy"] == pytest.approx(-1_952_000)
    assert summary["myopia_cost_jpy"] == pytest.approx(3_500)


def test_progress_reports_the_objective_in_yen(tmp_path):
    """HiGHS's callbacks see the objective it scaled by powers of two (objective and bounds:
    2^-23 on the default instance): the progress line must show the incumbent in yen, so its
    last value is near the plan's cost (a later incumbent may come between two polls; scaled,
    it was 2^23 times too small)."""
    from hubnet.instance import load_instance
    from hubnet.run import build
    from hubnet.solve.highs import branch_and_bound, handoff

    model, _, _ = build(load_instance("instances/japan"))
    options = SolveOptions(mip_rel_gap=1e-6, time_limit_s=3)
    seen = []
    report = branch_and_bound(model, options, seen.append, handoff(model, options))
    last = [p.best_solution for p in seen if p.best_solution is not None][-1]
    assert last == pytest.approx(report.objective, rel=0.05)


def test_a_roadmaps_years_run_without_sub_mips_or_restarts(tmp_path, monkeypatch):
    """`solve_year` hands HiGHS a year with RINS, RENS, the root reduced-cost sub-MIP and
    restarts off (each on by HiGHS's default); a single-year solve keeps them on."""
    names = (
        "mip_heuristic_run_rins",
        "mip_heuristic_run_rens",
        "mip_heuristic_run_root_reduced_cost",
        "mip_allow_restart",
    )
    seen = []
    real = entry.branch_and_bound

    def spy(model, options, progress, compiled):  # noqa: ANN001, ANN202
        seen.append([compiled.highs.getOptionValue(n)[1] for n in names])
        return real(model, options, progress, compiled)

    monkeypatch.setattr(entry, "branch_and_bound", spy)
    folder = write_instance(tmp_path / "inst", two_hubs(1000, 3000), PERIODS)
    data = year_data(plan_years(load_instance(folder), lanes_of)[0].period, {}, 0.0)
    _, plan = solve_year("t", data, SolveOptions(), None, "priced", [])
    entry.solve_model(build_from_data("t", data), data, SolveOptions())
    assert plan == {"H1": "a"}  # 2025 alone: H1 (tests/solve/test_lagrangian.py)
    assert seen == [[False] * 4, [True] * 4]
