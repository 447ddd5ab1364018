"""Plans evaluated in many futures: `hubnet batch --evaluate` and the regret table of
`hubnet compare`, worked out by hand on the instance of tests/test_evaluate.py.

Futures: A (`baseline`, 100 t), B (`b`, 300 t), C (`c`, 100 t with H1 closed).
Own optima: A -97,500 (H1), B -294,000 (H2), C -97,000 (H2).
Plan `baseline` (H1): in A -97,500 (regret 0), in B -146,750 (regret 147,250), in C
infeasible (H1 closed: regret infinite). Plan `b` (H2): in A -97,000 (regret 500), in B
-294,000 (0), in C -97,000 (0). Worst regrets: `baseline` infinite, `b` 500 (in A), so `b`
is the plan with the smallest worst-case regret.
"""

from __future__ import annotations

import math
import subprocess
import sys

import pandas as pd
import pytest
from builders import two_hubs, write_instance

from hubnet.batch import run_batch
from hubnet.compare import compare
from hubnet.compare_regret import NPV, choice, regret_table
from hubnet.report import SolveOptions
from hubnet.run import RunOptions

SCALE_B = '[[scale]]\ntable = "supply"\ncolumn = "generation_t_per_yr"\nfactor = 3\n'
CLOSE_H1 = (
    '[[update]]\ntable = "facilities"\ncolumn = "status"\nvalue = "closed"\n'
    'where = { site = "H1" }\n'
)


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    """The futures' own optima (a batch), then each plan evaluated in every future."""
    root = tmp_path_factory.mktemp("regret")
    t = two_hubs()
    t["supply"] = t["supply"][:1]
    inst = write_instance(root / "inst", t)
    (root / "b.toml").write_text(f'name = "b"\n{SCALE_B}', encoding="utf-8")
    (root / "c.toml").write_text(f'name = "c"\n{CLOSE_H1}', encoding="utf-8")
    futures = [None, root / "b.toml", root / "c.toml"]
    # HiGHS's default threads: a process that already ran HiGHS on more threads refuses 1
    opts = RunOptions(solve=SolveOptions(threads=0), out_dir=root / "runs", maps=False)
    own = run_batch(inst, futures, workers=0, options=opts, show_progress=False, compare=False)
    assert list(own["status"]) == ["optimal"] * 3
    run_batch(inst, futures, workers=0, options=opts, show_progress=False,
              evaluate=root / "runs" / "baseline")  # fmt: skip
    evaluated = run_batch(inst, futures, workers=1, options=opts, show_progress=False,
                          evaluate=root / "runs" / "b")  # fmt: skip
    return root, evaluated


def test_an_evaluation_batch_runs_on_dask_and_names_its_folders(batches):
    root, table = batches
    assert list(table["status"]) == ["optimal"] * 3
    assert table["objective_jpy_per_yr"].tolist() == pytest.approx([-97_000, -294_000, -97_000])
    names = sorted(p.name for p in (root / "runs").iterdir())
    assert names == [
        "_compare", "b", "b-in-b", "b-in-baseline", "b-in-c", "baseline",
        "baseline-in-b", "baseline-in-baseline", "baseline-in-c", "c",
    ]  # fmt: skip


def test_the_regret_table_worked_by_hand(batches):
    root, _ = batches
    regret = pd.read_csv(root / "runs" / "_compare" / "compare_regret.csv")
    got = {(r.plan, r.future): r.regret_jpy for r in regret.itertuples()}
    assert got[("baseline", "baseline")] == pytest.approx(0, abs=1e-6)
    assert got[("baseline", "b")] == pytest.approx(147_250)
    assert math.isinf(got[("baseline", "c")])
    assert got[("b", "baseline")] == pytest.approx(500)
    assert got[("b", "b")] == pytest.approx(0, abs=1e-6)
    assert got[("b", "c")] == pytest.approx(0, abs=1e-6)
    cost = {(r.plan, r.future): r.cost_jpy for r in regret.itertuples()}
    assert cost[("baseline", "b")] == pytest.approx(-146_750)
    worst = regret.drop_duplicates("plan").set_index("plan")
    assert math.isinf(worst.at["baseline", "worst_regret_jpy"])
    assert worst.at["b", "worst_regret_jpy"] == pytest.approx(500)
    assert worst.at["b", "worst_future"] == "baseline"
    assert choice(regret)["plan"] == "b"
    html = (root / "runs" / "_compare" / "compare.html").read_text(encoding="utf-8")
    assert "Smallest worst-case regret: <b>b</b>" in html


def test_compare_of_the_folders_shows_the_regret_table(batches, tmp_path):
    """`hubnet compare` on the batch folder: the evaluated runs by name, the table printed."""
    root, _ = batches
    table = compare([root / "runs"], tmp_path / "cmp")
    assert {"baseline in b", "b in baseline", "b"} <= set(table["run"])
    p = subprocess.run(
        [sys.executable, "-c", "from hubnet.cli import main; main()", "compare",
         str(root / "runs"), "--out", str(tmp_path / "cli")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert "Smallest worst-case regret: b" in p.stdout and "infeasible" in p.stdout


def test_roadmap_runs_compare_on_net_present_cost():
    """Two roadmap futures X and Y with own optima -1,952,000 and -1,000,000 (net present
    cost); plan X in Y -990,000 and plan Y in X -1,948,500: regrets 10,000 and 3,500, so Y."""

    def row(run, npv, plan=None, future=None):
        return {
            "run": run, "status": "optimal", "has_results": True, "years": "2025;2030",
            "npv_cost_jpy": npv, "total_cost_jpy_per_yr": 0.0,
            "evaluated_plan": plan, "future": future,
        }  # fmt: skip

    table = pd.DataFrame(
        [
            row("X", -1_952_000),
            row("Y", -1_000_000),
            row("X in Y", -990_000, "X", "Y"),
            row("Y in X", -1_948_500, "Y", "X"),
        ]
    )
    regret = regret_table(table)
    assert set(regret["basis"]) == {NPV}
    got = {(r.plan, r.future): r.regret_jpy for r in regret.itertuples()}
    assert got == pytest.approx({("X", "Y"): 10_000, ("X", "X"): 0, ("Y", "X"): 3_500,
                                 ("Y", "Y"): 0})  # fmt: skip
    assert choice(regret) == {
        "plan": "Y", "worst_regret_jpy": 3_500, "worst_future": "X", "basis": NPV,
    }  # fmt: skip
