"""HiGHS's thread scheduler is one per process: a solve asking one thread after solves with
HiGHS's default count must still run (batch workers ask one thread each)."""

from __future__ import annotations

import json

import pytest
from builders import PERIODS, two_hubs, write_instance

from hubnet.report import SolveOptions
from hubnet.run import RunOptions, run_one


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
