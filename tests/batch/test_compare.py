"""The comparison: rows read from hand-written results folders, differences against the
baseline, runs without results, and a self-contained HTML report."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from builders import exporting_tables, write_instance

from hubnet.compare import add_deltas, collect, compare
from hubnet.compare_charts import sweeps
from hubnet.errors import ResultsError
from hubnet.export.tables import write_tables
from hubnet.results.schema import TABLE_BY_NAME, empty
from hubnet.run import RunOptions, run_one

KPI_TERMS = (
    "fixed_cost",
    "transport_cost",
    "processing_cost",
    "import_cost",
    "co2_cost",
    "leakage_penalty",
    "export_revenue",
    "metal_value",
)


def table(name: str, rows: list[dict]) -> pd.DataFrame:
    """Declared table `name` from the rows given; columns they leave out are empty."""
    blank = {"str": "", "float": math.nan, "bool": False}
    columns = TABLE_BY_NAME[name].columns
    return pd.DataFrame([{c.name: r.get(c.name, blank[c.type]) for c in columns} for r in rows])


def write_run(
    folder: Path,
    name: str,
    kpis: dict[str, float],
    hubs: dict[str, str],
    uncollected: dict[str, float],
    imports: dict[str, float],
    exported_bat: float,
    gold_t: float,
    co2_t: float,
    map_html: bool = False,
) -> Path:
    """A results folder with every declared table, numbers chosen by hand where compare
    reads them (the instance behind it does not exist)."""
    folder.mkdir(parents=True)
    total = sum(v for k, v in kpis.items() if k not in ("export_revenue", "metal_value"))
    total -= kpis["export_revenue"] + kpis["metal_value"]
    summary = {
        "instance": "tiny",
        "scenario": name,
        "instance_dir": "/nonexistent/tiny",
        "scenario_file": None,
        "status": "optimal",
        "termination": "Optimal",
        "gap": 0.0,
        "kpis": {},
        "brief": {"co2_t_per_yr": co2_t},
    }
    fac = [{"facility": h, "role": "hub", "level": lv} for h, lv in hubs.items()]
    fac += [
        {"facility": "H9", "role": "hub", "level": ""},
        {"facility": "M1", "role": "smelter", "level": "expand"},
    ]
    gen = {"pcb": 100.0, "bat": 50.0}
    # batteries leave hubs at half their weight: exported tonnes stand for twice as much
    raw = {"pcb": 0.0, "bat": exported_bat / 0.5}
    tables = {
        "kpis": table(
            "kpis",
            [{"term": t, "value_jpy_per_yr": v} for t, v in [*kpis.items(), ("total_cost", total)]],
        ),
        "facilities": table("facilities", fac),
        "leakage": table(
            "leakage",
            [
                {
                    "source": "S1",
                    "commodity": k,
                    "generation_t_per_yr": gen[k],
                    "collected_t_per_yr": gen[k] - uncollected[k],
                    "uncollected_t_per_yr": uncollected[k],
                }
                for k in gen
            ],
        ),
        "leakage_by_commodity": table(
            "leakage_by_commodity",
            [
                {
                    "commodity": k,
                    "generation_t_per_yr": gen[k],
                    "leakage_t_per_yr": uncollected[k] + raw[k],
                    "leakage_share": (uncollected[k] + raw[k]) / gen[k],
                }
                for k in gen
            ]
            + [{"commodity": "imported_only", "generation_t_per_yr": 0.0}],
        ),
        "imports": table(
            "imports",
            [
                {"origin": f"O{i}", "region": r, "imported_t_per_yr": t}
                for i, (r, t) in enumerate(imports.items())
            ],
        ),
        "exports": table(
            "exports", [{"market": "X1", "commodity": "bat", "exported_t_per_yr": exported_bat}]
        ),
        "metals": table("metals", [{"element": "Au", "recovered_t_per_yr": gold_t}]),
    }
    tables.update({t: empty(t) for t in ("sites", "flows")})
    write_tables(folder, tables, summary)
    if map_html:
        (folder / "map.html").write_text("<html></html>")
    return folder


BASE_KPIS = dict(zip(KPI_TERMS, (1000, 200, 300, 400, 50, 60, 70, 5000), strict=True))


@pytest.fixture()
def runs(tmp_path) -> list[Path]:
    base = write_run(
        tmp_path / "batch" / "baseline",
        "baseline",
        BASE_KPIS,
        hubs={"H1": "small", "H2": "large"},
        uncollected={"pcb": 20.0, "bat": 0.0},
        imports={"asean": 30.0, "eu": 10.0},
        exported_bat=10.0,
        gold_t=0.5,
        co2_t=12.5,
    )
    more = write_run(
        tmp_path / "batch" / "more",
        "more",
        {**BASE_KPIS, "fixed_cost": 2060},
        hubs={"H1": "large", "H3": "small"},
        uncollected={"pcb": 5.0, "bat": 10.0},
        imports={"asean": 45.0, "eu": 0.0},
        exported_bat=0.0,
        gold_t=0.75,
        co2_t=10.0,
        map_html=True,
    )
    infeasible = tmp_path / "batch" / "tight"
    infeasible.mkdir()
    (infeasible / "summary.json").write_text(
        json.dumps(
            {
                "instance": "tiny",
                "scenario": "tight",
                "instance_dir": "/nonexistent/tiny",
                "scenario_file": None,
                "status": "infeasible",
                "termination": "Infeasible",
                "diagnosis": ["hub H1 is full"],
            }
        )
    )
    return [base, more, infeasible, tmp_path / "batch" / "gone"]


def test_rows_hold_the_hand_written_numbers_and_their_differences(runs, tmp_path):
    table = compare(runs, tmp_path / "out").set_index("run")
    assert list(table.index) == ["baseline", "more", "tight", "gone"]
    b, m = table.loc["baseline"], table.loc["more"]
    # 1000 + 200 + 300 + 400 + 50 + 60 - 70 - 5000
    assert b["total_cost_jpy_per_yr"] == -3060
    assert m["total_cost_jpy_per_yr"] == -2000
    assert m["delta_total_cost_jpy_per_yr"] == 1060
    assert m["delta_fixed_cost_jpy_per_yr"] == 1060 and m["delta_metal_value_jpy_per_yr"] == 0
    assert (b["hubs_opened"], b["hubs_opened_list"]) == (2, "H1 (small);H2 (large)")
    assert (b["smelter_expansions"], b["smelter_expansions_list"]) == (1, "M1 (expand)")
    assert (m["hubs_added"], m["hubs_removed"], m["hubs_resized"]) == (
        "H3",
        "H2",
        "H1 (small->large)",
    )
    assert b["collected_t_per_yr"] == 130 and b["collection_share"] == pytest.approx(130 / 150)
    assert (b["import_asean_t_per_yr"], b["import_eu_t_per_yr"]) == (30, 10)
    assert m["delta_import_eu_t_per_yr"] == -10 and m["delta_imported_t_per_yr"] == 5
    # batteries: nothing uncollected, but 10 t of hub output exported at yield 0.5 = 20 t;
    # a commodity without domestic generation gets no leakage column
    assert "leakage_imported_only_t_per_yr" not in table.columns
    assert b["leakage_bat_t_per_yr"] == 20 and b["leakage_bat_share"] == pytest.approx(0.4)
    assert b["leakage_pcb_t_per_yr"] == 20 and b["leakage_pcb_share"] == pytest.approx(0.2)
    assert b["leakage_share"] == pytest.approx(40 / 150)
    assert m["leakage_share"] == pytest.approx(15 / 150)
    assert m["delta_metal_Au_t_per_yr"] == pytest.approx(0.25)
    assert m["delta_co2_t_per_yr"] == pytest.approx(-2.5)
    assert table.loc["tight", "status"] == "infeasible"
    assert "hub H1 is full" in table.loc["tight", "message"]
    assert pd.isna(table.loc["tight", "total_cost_jpy_per_yr"])
    assert table.loc["gone", "status"] == "missing"
    assert set(table["baseline"]) == {"baseline"}
    written = pd.read_csv(tmp_path / "out" / "compare.csv")
    assert written["run"].tolist() == ["baseline", "more", "tight", "gone"]


def test_the_first_run_with_results_is_the_baseline_without_one(runs, tmp_path):
    summary = json.loads((runs[0] / "summary.json").read_text())
    (runs[0] / "summary.json").write_text(json.dumps({**summary, "scenario": "status-quo"}))
    table = add_deltas(collect([runs[2], runs[1], runs[0]])).set_index("run")
    assert set(table["baseline"]) == {"more"}  # "tight" has no results
    assert table.loc["status-quo", "delta_total_cost_jpy_per_yr"] == -1060


def test_a_batch_folder_stands_for_its_runs(runs, tmp_path):
    table = collect([tmp_path / "batch"])
    assert sorted(table["run"]) == ["baseline", "more", "tight"]


def test_html_is_one_file_with_inline_charts_and_relative_map_links(runs, tmp_path):
    out = tmp_path / "out"
    compare(runs, out)
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=['"](https?:)?//""", html)  # no external assets
    assert "<link" not in html and "<script" not in html
    assert html.count("data:image/png;base64,") >= 3
    assert "href='../batch/more/map.html'" in html
    assert "infeasible" in html and "hub H1 is full" in html
    assert "+1,060" in html  # the cost difference of "more", in JPY (a tiny instance)
    assert (out / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sweeps_are_grouped_by_name_and_ordered_by_value():
    table = pd.DataFrame(
        {
            "run": [
                "leak__max_leakage_share=0.3",
                "baseline",
                "leak__max_leakage_share=0.1",
                "leak__max_leakage_share=0.2",
                "two__a=1__b=2",
            ],
            "has_results": [True, True, True, True, True],
            "total_cost_jpy_per_yr": [1.0, 0.0, 3.0, 2.0, 5.0],
        }
    )
    groups = sweeps(table)
    assert list(groups) == ["leak__max_leakage_share"]
    assert groups["leak__max_leakage_share"]["sweep_value"].tolist() == [0.1, 0.2, 0.3]


def test_compare_needs_only_the_results_folders(tmp_path):
    inst = write_instance(tmp_path / "inst", exporting_tables())
    rec = run_one(inst, options=RunOptions(out_dir=tmp_path / "solved" / "baseline", maps=False))
    assert rec.status == "optimal" and rec.violations == []
    shutil.rmtree(inst)
    table = compare([tmp_path / "solved" / "baseline"], tmp_path / "out").set_index("run")
    b = table.loc["baseline"]
    # batteries (see exporting_tables): 30 t uncollected + 10 t exported at yield 0.5 = 50 t
    # of 50 generated; the PCB is all collected
    assert b["leakage_bat_t_per_yr"] == pytest.approx(50.0)
    assert b["leakage_bat_share"] == pytest.approx(1.0)
    assert b["leakage_pcb_t_per_yr"] == pytest.approx(0.0)
    assert b["leakage_share"] == pytest.approx(50 / 150)
    assert b["exported_t_per_yr"] == pytest.approx(10.0)
    # 5,000 fixed + 100 x (10 + 5) + 20 x 10 transport - 10 x 1,000 sold - 100 x 1,000 gold
    assert b["total_cost_jpy_per_yr"] == pytest.approx(-103_300.0)


def test_a_folder_missing_a_declared_table_is_a_clear_error(runs, tmp_path):
    (runs[0] / "leakage_by_commodity.csv").unlink()
    with pytest.raises(ResultsError, match=r"baseline/leakage_by_commodity\.csv"):
        collect([runs[0]])


def test_the_command_line_names_file_row_and_column_and_exits_2(runs, tmp_path):
    import subprocess
    import sys

    leak = pd.read_csv(runs[1] / "leakage.csv").drop(columns=["uncollected_t_per_yr"])
    leak.to_csv(runs[1] / "leakage.csv", index=False)
    p = subprocess.run(
        [sys.executable, "-c", "from hubnet.cli import main; main()", "compare", str(runs[1])]
        + ["--out", str(tmp_path / "cmp")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 2, p.stderr
    said = "".join(p.stderr.split())  # the console may wrap a long path
    assert "more/leakage.csv,row1,column'uncollected_t_per_yr'" in said, p.stderr
    assert "Traceback" not in p.stderr
    assert not (tmp_path / "cmp").exists()
