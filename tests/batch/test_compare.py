"""The comparison: rows read from hand-written results folders, differences against the
baseline, runs without results, and a self-contained HTML report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from builders import base_tables, write_instance

from hubnet.compare import add_deltas, collect, compare, sweeps

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


def tiny_instance(folder: Path) -> Path:
    """The builders' instance plus batteries whose hubs pass on half their intake."""
    t = base_tables()
    t["commodities"].append({"id": "bat", "name": "Batteries", "hub_yield_share": 0.5})
    for f in t["facilities"]:
        f["accepts"] = "pcb;bat"
    return write_instance(folder, t)


def write_run(
    folder: Path,
    name: str,
    instance_dir: Path,
    kpis: dict[str, float],
    hubs: dict[str, str],
    uncollected: dict[str, float],
    imports: dict[str, float],
    exported_bat: float,
    gold_t: float,
    co2_t: float,
    map_html: bool = False,
) -> Path:
    """A results folder with just what `hubnet compare` reads, numbers chosen by hand."""
    folder.mkdir(parents=True)
    total = sum(v for k, v in kpis.items() if k not in ("export_revenue", "metal_value"))
    total -= kpis["export_revenue"] + kpis["metal_value"]
    summary = {
        "instance": "tiny",
        "scenario": name,
        "instance_dir": str(instance_dir.resolve()),
        "scenario_file": None,
        "status": "optimal",
        "gap": 0.0,
        "brief": {"co2_t_per_yr": co2_t},
    }
    (folder / "summary.json").write_text(json.dumps(summary))
    rows = [*kpis.items(), ("total_cost", total)]
    pd.DataFrame(rows, columns=["term", "value_jpy_per_yr"]).to_csv(
        folder / "kpis.csv", index=False
    )
    fac = [{"facility": h, "role": "hub", "level": lv} for h, lv in hubs.items()]
    fac += [
        {"facility": "H9", "role": "hub", "level": ""},
        {"facility": "M1", "role": "smelter", "level": "expand"},
    ]
    pd.DataFrame(fac).to_csv(folder / "facilities.csv", index=False)
    gen = {"pcb": 100.0, "bat": 50.0}
    pd.DataFrame(
        [
            {
                "source": "S1",
                "commodity": k,
                "generation_t_per_yr": gen[k],
                "collected_t_per_yr": gen[k] - uncollected[k],
                "uncollected_t_per_yr": uncollected[k],
            }
            for k in gen
        ]
    ).to_csv(folder / "leakage.csv", index=False)
    pd.DataFrame(
        [{"origin": f"O{i}", "region": r, "imported_t_per_yr": t} for i, (r, t) in
         enumerate(imports.items())]
    ).to_csv(folder / "imports.csv", index=False)  # fmt: skip
    pd.DataFrame([{"market": "X1", "commodity": "bat", "exported_t_per_yr": exported_bat}]).to_csv(
        folder / "exports.csv", index=False
    )
    pd.DataFrame([{"element": "Au", "recovered_t_per_yr": gold_t}]).to_csv(
        folder / "metals.csv", index=False
    )
    if map_html:
        (folder / "map.html").write_text("<html></html>")
    return folder


BASE_KPIS = dict(zip(KPI_TERMS, (1000, 200, 300, 400, 50, 60, 70, 5000), strict=True))


@pytest.fixture()
def runs(tmp_path) -> list[Path]:
    inst = tiny_instance(tmp_path / "inst")
    base = write_run(
        tmp_path / "batch" / "baseline",
        "baseline",
        inst,
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
        inst,
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
        json.dumps({"scenario": "tight", "status": "infeasible", "diagnosis": ["hub H1 is full"]})
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
    # batteries: nothing uncollected, but 10 t of hub output exported at yield 0.5 = 20 t
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
