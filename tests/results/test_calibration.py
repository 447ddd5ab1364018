"""The calibration report: observed figures beside the plan's values, worked out by hand on
tiny instances solved for real; bad observed.csv rows; the comparison carrying it."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from builders import base_tables, exporting_tables, write_instance

from hubnet.compare import compare
from hubnet.errors import InputError
from hubnet.instance import load_instance
from hubnet.results.calibration import calibration_lines
from hubnet.run import RunOptions, run_one


def observed(id_: str, quantity: str, obs: float, low: float, high: float, **lists: str) -> dict:
    return {
        "id": id_,
        "quantity": quantity,
        "observed_t_per_yr": obs,
        "low_t_per_yr": low,
        "high_t_per_yr": high,
        "year": "2022",
        "source": "made up for the test",
        **lists,
    }


def two_figures(generation_t: float = 100.0) -> dict[str, list[dict]]:
    """The base instance (gold 100 g/t worth 1,000 JPY a tonne, against 15 JPY/t of freight
    and 5,000 JPY of hub: every tonne is collected and smelted) with two observed figures.

    By hand: M1 takes all 100 t (inside 90-150); it recovers 100 t x 100 g/t = 10 kg of
    gold, 0.010 t, below the observed range 0.015-0.030 t.
    """
    t = base_tables()
    t["supply"][0]["generation_t_per_yr"] = generation_t
    t["observed"] = [
        observed("intake_m1", "smelter_intake", 120, 90, 150, facilities="M1", commodities="pcb"),
        observed("gold", "recovered", 0.02, 0.015, 0.03, elements="Au"),
    ]
    return t


def solve(tmp_path: Path, tables: dict, name: str = "inst"):
    folder = write_instance(tmp_path / name, tables)
    rec = run_one(folder, options=RunOptions(out_dir=tmp_path / f"{name}_out", maps=False))
    assert rec.status == "optimal" and rec.violations == []
    return rec


def test_two_figures_one_inside_one_outside_their_range(tmp_path):
    rec = solve(tmp_path, two_figures())
    cal = pd.read_csv(rec.result_dir / "calibration.csv", keep_default_na=False).set_index("id")
    assert cal.at["intake_m1", "modelled_t_per_yr"] == pytest.approx(100.0)
    assert cal.at["intake_m1", "difference_t_per_yr"] == pytest.approx(-20.0)
    assert cal.at["intake_m1", "difference_share"] == pytest.approx(-20.0 / 120.0)
    assert bool(cal.at["intake_m1", "within_range"]) is True
    assert cal.at["gold", "modelled_t_per_yr"] == pytest.approx(0.010)
    assert cal.at["gold", "difference_share"] == pytest.approx(-0.5)
    assert bool(cal.at["gold", "within_range"]) is False
    assert cal.at["gold", "source"] == "made up for the test"
    brief = json.loads((rec.result_dir / "summary.json").read_text())["brief"]
    assert brief["calibration_count"] == 2
    assert brief["calibration_within_range"] == 1
    assert brief["calibration_misses"] == ["gold"]
    lines = calibration_lines(rec.solution.calibration)
    assert lines[0] == "Calibration: 1 of 2 observed figures within range"
    assert len(lines) == 2 and lines[1].startswith("  gold (recovered): observed 0.02 t")
    assert "modelled 0.01 t" in lines[1]


def test_a_run_without_observed_figures_writes_no_calibration(tmp_path):
    rec = solve(tmp_path, base_tables())
    assert not (rec.result_dir / "calibration.csv").exists()
    brief = json.loads((rec.result_dir / "summary.json").read_text())["brief"]
    assert (brief["calibration_count"], brief["calibration_misses"]) == (0, [])
    assert calibration_lines(rec.solution.calibration) == []


def test_every_quantity_on_an_instance_that_imports_and_exports(tmp_path):
    """exporting_tables (batteries: 20 t collected, 10 t of output sold to X1, 30 t left)
    plus an origin O1 (region asean) selling 50 t of pcb at 100 JPY/t, which is worth
    1,000 JPY/t smelted: all bought. By hand: M1 takes 100 + 50 = 150 t of pcb and
    recovers 150 t x 100 g/t = 0.015 t of gold; battery leakage 30 + 10 / 0.5 = 50 t."""
    t = exporting_tables()
    t["sites"].append(
        {
            "id": "O1",
            "name": "Origin",
            "kind": "origin",
            "lat": 1.0,
            "lon": 104.0,
            "region": "asean",
        }
    )
    t["imports"] = [
        {"site": "O1", "commodity": "pcb", "available_t_per_yr": 50, "price_jpy_per_t": 100}
    ]
    t["lanes"].append({"origin": "O1", "destination": "H1", "cost_jpy_per_t": 10})
    t["observed"] = [
        observed("intake", "smelter_intake", 150, 140, 160),
        observed("imp", "imports", 50, 40, 60, regions="asean", commodities="pcb"),
        observed("exp", "exports", 10, 9, 11, markets="X1", commodities="bat"),
        observed("col_bat", "collected", 20, 19, 21, commodities="bat"),
        observed("col_all", "collected", 120, 119, 121),
        observed("leak_bat", "leaked", 50, 45, 55, commodities="bat"),
        observed("inf_bat", "informal", 30, 20, 40, commodities="bat"),
        observed("au", "recovered", 0.015, 0.014, 0.016, facilities="M1", elements="Au"),
    ]
    rec = solve(tmp_path, t)
    cal = rec.solution.calibration.set_index("id")
    want = {
        "intake": 150.0,
        "imp": 50.0,
        "exp": 10.0,
        "col_bat": 20.0,
        "col_all": 120.0,
        "leak_bat": 50.0,
        "au": 0.015,
    }
    for i, value in want.items():
        assert cal.at[i, "modelled_t_per_yr"] == pytest.approx(value), i
        assert bool(cal.at[i, "within_range"]), i
        assert cal.at[i, "note"] == "", i
    # without an informal channel in the instance, the figure is 0 with a note, not an error
    assert cal.at["inf_bat", "modelled_t_per_yr"] == 0.0
    assert not cal.at["inf_bat", "within_range"]
    assert "informal" in cal.at["inf_bat", "note"]


def test_informal_tonnes_are_read_from_leakage_by_commodity_when_there():
    from types import SimpleNamespace

    from hubnet.results.calibration import MODELLED

    leak = pd.DataFrame({"commodity": ["bat", "pcb"], "informal_t_per_yr": [7.0, 3.0]})
    channels = pd.DataFrame({"id": ["bat", "pcb"], "informal_capacity_t_per_yr": [10.0, None]})
    instance = SimpleNamespace(commodities=channels)
    value, note = MODELLED["informal"](
        {"commodities": ("bat",)}, {"leakage_by_commodity": leak}, instance
    )
    assert (value, note) == (7.0, "")
    # a grade without a channel: the model cannot produce the figure, and says so
    value, note = MODELLED["informal"](
        {"commodities": ("pcb",)}, {"leakage_by_commodity": leak}, instance
    )
    assert value == 0.0 and "no informal channel" in note


def issues_of(tmp_path: Path, rows: list[dict]) -> list[str]:
    t = exporting_tables()
    t["sites"].append(
        {
            "id": "O1",
            "name": "Origin",
            "kind": "origin",
            "lat": 1.0,
            "lon": 104.0,
            "region": "asean",
        }
    )
    t["observed"] = rows
    with pytest.raises(InputError) as info:
        load_instance(write_instance(tmp_path / "bad", t))
    return [str(i) for i in info.value.issues]


def test_bad_observed_rows_name_file_row_column_and_what_was_expected(tmp_path):
    rows = [
        observed("a", "smelter_intake", 1, 0, 2, facilities="H1;M1"),  # H1 is a hub
        observed("b", "imports", 1, 0, 2, regions="eu", commodities="gold_bars"),
        observed("c", "exports", 1, 0, 2, markets="S1"),  # S1 is a source
        observed("d", "recovered", 1, 0, 2, elements="Pt", commodities="pcb"),
        observed("e", "collected", 5, 6, 4),  # range that excludes the figure
        observed("f", "exported", 1, 0, 2),
    ]
    got = issues_of(tmp_path, rows)
    expect = [
        "observed.csv, row 2, column 'facilities': got 'H1'; expected one of the smelter ids",
        "observed.csv, row 3, column 'regions': got 'eu'; expected one of the regions of origin",
        "observed.csv, row 3, column 'commodities': got 'gold_bars'; expected one of the ids of "
        "commodities.csv",
        "observed.csv, row 4, column 'markets': got 'S1'; expected one of the market sites",
        "observed.csv, row 5, column 'commodities': got 'pcb'; expected empty for quantity "
        "recovered",
        "observed.csv, row 5, column 'elements': got 'Pt'; expected one of the ids of elements",
        "observed.csv, row 6, column 'low_t_per_yr': got 6.0; expected at most observed_t_per_yr",
        "observed.csv, row 6, column 'high_t_per_yr': got 4.0; expected at least observed_t_per_yr",
        "observed.csv, row 7, column 'quantity': got 'exported'; expected one of smelter_intake",
    ]
    for e in expect:
        assert any(g.startswith(e) for g in got), (e, got)
    assert len(got) == len(expect), got


def test_a_figure_without_its_source_or_range_is_refused(tmp_path):
    row = observed("a", "collected", 1, 0, 2)
    del row["source"]
    row["high_t_per_yr"] = ""
    got = issues_of(tmp_path, [row])
    assert any("column 'source'" in g for g in got), got
    assert any("row 2, column 'high_t_per_yr'" in g for g in got), got


def test_the_brief_prints_the_calibration_block(tmp_path):
    folder = write_instance(tmp_path / "inst", two_figures())
    p = subprocess.run(
        [sys.executable, "-c", "from hubnet.cli import main; main()", "solve", str(folder)]
        + ["--out", str(tmp_path / "out"), "--no-maps"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    assert "Calibration: 1 of 2 observed figures within range" in p.stdout
    assert "gold (recovered): observed 0.02 t [0.015 t - 0.03 t], modelled 0.01 t" in p.stdout


def test_compare_carries_the_calibration_of_each_folder(tmp_path):
    """The two figures at generation 100 t (baseline) and 80 t (scenario `low`: M1 takes
    80 t, below the range 90-150; gold 0.008 t), and a run of an instance without observed
    figures (scenario `plain`): its row has no calibration, and nothing fails."""
    folder = write_instance(tmp_path / "inst", two_figures(100.0))
    low = tmp_path / "low.toml"
    low.write_text('[[scale]]\ntable = "supply"\ncolumn = "generation_t_per_yr"\nfactor = 0.8\n')
    plain = tmp_path / "plain.toml"
    plain.write_text('[[scale]]\ntable = "supply"\ncolumn = "generation_t_per_yr"\nfactor = 1\n')
    opts = RunOptions(results_root=tmp_path / "res", maps=False)
    a = run_one(folder, None, opts).result_dir
    b = run_one(folder, low, opts).result_dir
    c = run_one(write_instance(tmp_path / "bare"), plain, opts).result_dir
    table = compare([a, b, c], tmp_path / "cmp").set_index("run")
    assert list(table.index) == ["baseline", "low", "plain"]
    assert table.at["baseline", "calibration_within_range"] == 1
    assert table.at["low", "calibration_within_range"] == 0
    assert table.at["baseline", "calibration_count"] == table.at["low", "calibration_count"] == 2
    assert math.isnan(table.at["plain", "calibration_count"])
    assert table.at["low", "calibration_intake_m1_t_per_yr"] == pytest.approx(80.0)
    assert table.at["low", "calibration_gold_t_per_yr"] == pytest.approx(0.008)
    across = pd.read_csv(tmp_path / "cmp" / "compare_calibration.csv").set_index("id")
    assert across.at["intake_m1", "observed_t_per_yr"] == 120
    assert across.at["intake_m1", "baseline"] == pytest.approx(100.0)
    assert across.at["intake_m1", "low"] == pytest.approx(80.0)
    assert "plain" not in across.columns
    assert not across.at["intake_m1", "low within_range"]
    html = (tmp_path / "cmp" / "compare.html").read_text(encoding="utf-8")
    assert "baseline: 1 of 2 observed figures within range" in html
    assert "low: 0 of 2 observed figures within range" in html


def test_recovered_metal_counts_what_the_hub_concentrates(tmp_path):
    """A hub that passes on half the weight keeps the metal: 100 t of pcb at 100 g/t reach
    M1 as 50 t, which still hold 10 kg of gold (intake 50 t, gold 0.010 t)."""
    t = two_figures()
    t["commodities"][0]["hub_yield_share"] = 0.5
    cal = solve(tmp_path, t).solution.calibration.set_index("id")
    assert cal.at["intake_m1", "modelled_t_per_yr"] == pytest.approx(50.0)
    assert cal.at["gold", "modelled_t_per_yr"] == pytest.approx(0.010)
