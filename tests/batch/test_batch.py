"""Batches on a real dask.distributed LocalCluster: one failing run does not stop the others.

The tiny instance of builders: one source (100 t of PCB at 100 g/t Au, 10,000 JPY/kg), one
hub (level of 200 t for 5,000 JPY a year), one smelter; lanes 10 and 5 JPY a tonne. Its
optimum is 5,000 + 100 x 15 - 100 t x 0.1 kg x 10,000 = -93,500 JPY; the other values below
are worked the same way.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from builders import write_instance

from hubnet.batch import plan_runs, run_batch
from hubnet.run import RunOptions

SCENARIOS = {
    "baseline.toml": 'name = "baseline"\n',
    # metal at half price: 5,000 + 1,500 - 50,000
    "cheap-metal.toml": (
        '[[scale]]\ntable = "elements"\ncolumn = "price_jpy_per_kg"\nfactor = 0.5\n'
    ),
    # a dearer hub level: 20,000 + 1,500 - 100,000
    "dear-hub.toml": '[set]\n"capacity_levels.fixed_cost_jpy_per_yr" = 20000\n',
    # all 100 t must be collected, but the hub holds 50 t
    "infeasible.toml": (
        '[set]\n"commodities.max_leakage_share" = 0\n"capacity_levels.capacity_t_per_yr" = 50\n'
    ),
}
EXPECTED = {"baseline": -93_500.0, "cheap-metal": -43_500.0, "dear-hub": -78_500.0}


def write_scenarios(folder: Path, texts: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    return paths


def test_batch_on_a_local_cluster_with_one_infeasible_run(tmp_path):
    inst = write_instance(tmp_path / "inst")
    files = write_scenarios(tmp_path / "scenarios", SCENARIOS)
    opts = RunOptions(results_root=tmp_path / "results", maps=True)
    table = run_batch(inst, files, workers=2, options=opts, show_progress=False)

    assert table["run"].tolist() == ["baseline", "cheap-metal", "dear-hub", "infeasible"]
    by_run = table.set_index("run")
    assert by_run.loc["infeasible", "status"] == "infeasible"
    for run, cost in EXPECTED.items():
        assert by_run.loc[run, "status"] == "optimal"
        assert by_run.loc[run, "objective_jpy_per_yr"] == pytest.approx(cost)
        folder = tmp_path / "results" / "tiny" / run
        assert Path(by_run.loc[run, "result_dir"]) == folder
        assert (folder / "summary.json").exists() and (folder / "map.html").exists()
    # the runs ran in worker processes, not here
    assert os.getpid() not in set(table["worker"].dropna().astype(int))

    compare = pd.read_csv(tmp_path / "results" / "tiny" / "_compare" / "compare.csv")
    row = compare.set_index("run").loc["infeasible"]
    assert row["status"] == "infeasible"
    assert pd.isna(row["total_cost_jpy_per_yr"])
    assert "infeasible" in row["message"]
    deltas = compare.set_index("run")["delta_total_cost_jpy_per_yr"]
    assert deltas["cheap-metal"] == pytest.approx(50_000)
    assert deltas["dear-hub"] == pytest.approx(15_000)
    html = (tmp_path / "results" / "tiny" / "_compare" / "compare.html").read_text()
    assert "href='../cheap-metal/map.html'" in html


def test_unreadable_and_failing_scenarios_are_rows_and_the_rest_run(tmp_path):
    inst = write_instance(tmp_path / "inst")
    files = write_scenarios(
        tmp_path / "scenarios",
        {
            "baseline.toml": "",
            "typo.toml": 'colour = "red"\n',  # unknown key: fails when read
            "ghost.toml": '[set]\n"facilities.status.H9" = "open"\n',  # fails when applied
            "twice.toml": 'name = "baseline"\n',  # a run name already taken
        },
    )
    opts = RunOptions(results_root=tmp_path / "results", maps=False)
    table = run_batch(inst, files, workers=0, options=opts, show_progress=False, compare=False)
    first, second = table[table["run"] == "baseline"].to_dict("records")
    assert first["objective_jpy_per_yr"] == pytest.approx(-93_500)
    assert second["status"] == "error" and "used twice" in second["message"]
    by_run = table.drop_duplicates("run").set_index("run")
    assert by_run.loc["typo", "status"] == "error" and "colour" in by_run.loc["typo", "message"]
    assert by_run.loc["ghost", "status"] == "error"
    assert "facilities.status.H9" in by_run.loc["ghost", "message"]
    assert (table["status"] == "error").sum() == 3  # typo, ghost and the second "baseline"


def test_sweep_files_expand_into_their_runs(tmp_path):
    (sweep,) = write_scenarios(
        tmp_path, {"co2.toml": '[set]\n"policy.co2_price_jpy_per_t" = [0, 100, 1000]\n'}
    )
    runs, failed = plan_runs([None, sweep])
    assert failed == []
    assert [None if r is None else r.name for r in runs] == [
        None,
        "co2__co2_price_jpy_per_t=0",
        "co2__co2_price_jpy_per_t=100",
        "co2__co2_price_jpy_per_t=1000",
    ]


def test_cli_batch_then_compare(tmp_path):
    inst = write_instance(tmp_path / "inst")
    files = write_scenarios(
        tmp_path / "s",
        {k: SCENARIOS[k] for k in ("baseline.toml", "cheap-metal.toml", "infeasible.toml")},
    )
    out = tmp_path / "batch"
    cmd = [sys.executable, "-c", "from hubnet.cli import main; main()"]
    p = subprocess.run(
        [*cmd, "batch", str(inst), *map(str, files), "--workers", "1", "--no-maps", "--out",
         str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert p.returncode == 3, p.stderr  # one run has no solution: the table says which
    assert "infeasible" in p.stdout and "cheap-metal" in p.stdout
    assert (out / "_compare" / "compare.html").exists()
    assert "Traceback" not in p.stderr
    p = subprocess.run(
        [*cmd, "compare", str(out / "baseline"), str(out / "cheap-metal"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    rows = pd.read_csv(tmp_path / "compare.csv").set_index("run")
    assert rows.loc["cheap-metal", "delta_metal_value_jpy_per_yr"] == pytest.approx(-50_000)
