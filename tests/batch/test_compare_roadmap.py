"""`hubnet compare` of roadmap runs (folders stacked from real single-year solves, see
tests/roadmap_folder.py), alone and beside a single-year run."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import roadmap_folder

from hubnet.compare import compare

LATER = """site,year,action,level,capacity_t_per_yr,build_cost_jpy
H1,2035,open,XL,400,0
"""


class _Tables(HTMLParser):
    """The tables of a page, each under the text of the heading before it."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.heading = ""
        self.in_heading = False
        self.cell: list[str] | None = None
        self.rows: list[list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("h2", "h3"):
            self.in_heading, self.heading = True, ""
        elif tag == "table":
            self.rows = []
            self.tables[self.heading] = self.rows
        elif tag == "tr" and self.rows is not None:
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h2", "h3"):
            self.in_heading = False
        elif tag in ("td", "th") and self.cell is not None and self.rows:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table":
            self.rows = None

    def handle_data(self, data: str) -> None:
        if self.in_heading:
            self.heading += data
        if self.cell is not None:
            self.cell.append(data)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[int, Path]]:
    """(roadmap run, a second roadmap run `later` with a hand-made roadmap.csv, the
    single-year folders)."""
    root = tmp_path_factory.mktemp("cmp")
    folder, singles = roadmap_folder.build(root)
    later = root / "later"
    shutil.copytree(folder, later)
    summary = json.loads((later / "summary.json").read_text())
    summary["scenario"] = "later"
    summary["foresight"] = "perfect"
    (later / "summary.json").write_text(json.dumps(summary))
    (later / "roadmap.csv").write_text(LATER)
    return folder, later, singles


def test_per_year_values_equal_the_summaries(runs, tmp_path: Path) -> None:
    folder, _, singles = runs
    table = compare([folder], tmp_path / "out").set_index("run")
    years = pd.read_csv(tmp_path / "out" / "compare_years.csv")
    assert list(years["year"]) == [2030, 2035]
    assert set(years["run"]) == {"roadmap"}
    for year, single in singles.items():
        own = json.loads((single / "summary.json").read_text())
        row = years[years["year"] == year].iloc[0]
        assert row["total_cost_jpy_per_yr"] == pytest.approx(own["objective_jpy_per_yr"])
        assert row["collected_t_per_yr"] == pytest.approx(own["brief"]["collected_t_per_yr"])
        assert row["imported_t_per_yr"] == pytest.approx(own["brief"]["imported_t_per_yr"])
        assert row["hubs_opened"] == own["brief"]["hubs_opened"]
    summary = json.loads((folder / "summary.json").read_text())
    r = table.loc["roadmap"]
    assert r["years"] == "2030;2035" and r["foresight"] == "myopic"
    assert r["npv_cost_jpy"] == pytest.approx(summary["npv_cost_jpy"])
    assert r["timeline"] == (
        "2030: open Hub 1 (L, 200 t) | 2035: open Hub 2 (L, 200 t); expand Hub 1 +200 t (XL)"
    )


def test_a_roadmap_beside_a_single_year_run(runs, tmp_path: Path) -> None:
    """The roadmap's row holds its first year, so it equals the single-year solve of 2030;
    the single-year run has no years and stays out of the per-year table."""
    folder, _, singles = runs
    table = compare([singles[2030], folder], tmp_path / "out").set_index("run")
    assert list(table.index) == ["baseline", "roadmap"]
    base, road = table.loc["baseline"], table.loc["roadmap"]
    for column in ("total_cost_jpy_per_yr", "collected_t_per_yr", "hubs_opened"):
        assert road[column] == pytest.approx(base[column]), column
    assert road["hubs_opened_list"] == "H1 (L)"  # 2030's plan, not 2035's
    assert road["delta_total_cost_jpy_per_yr"] == pytest.approx(0.0)
    assert pd.isna(base["years"]) and pd.isna(base["npv_cost_jpy"])
    years = pd.read_csv(tmp_path / "out" / "compare_years.csv")
    assert set(years["run"]) == {"roadmap"}
    page = (tmp_path / "out" / "compare.html").read_text(encoding="utf-8")
    assert "Headline numbers per planning year" in page
    assert "dashed flat lines" in page


def test_timelines_side_by_side_and_per_year_table(runs, tmp_path: Path) -> None:
    folder, later, _ = runs
    compare([folder, later], tmp_path / "out")
    parser = _Tables()
    parser.feed((tmp_path / "out" / "compare.html").read_text(encoding="utf-8"))
    timelines = parser.tables["Opening timelines"]
    assert timelines[0] == ["year", "roadmap", "later"]
    assert timelines[1:] == [
        ["2030", "open Hub 1 (L, 200 t)", ""],
        ["2035", "open Hub 2 (L, 200 t); expand Hub 1 +200 t (XL)", "open Hub 1 (XL, 400 t)"],
    ]
    per_year = parser.tables["Headline numbers per planning year"]
    assert [r[:2] for r in per_year[1:]] == [
        ["roadmap", "2030"],
        ["roadmap", "2035"],
        ["later", "2030"],
        ["later", "2035"],
    ]
    costs = parser.tables["Roadmaps"]
    assert [r[:3] for r in costs[1:]] == [
        ["roadmap", "2030, 2035", "myopic"],
        ["later", "2030, 2035", "perfect"],
    ]


def test_per_year_charts_have_a_curve_per_roadmap_and_a_line_per_single_run(runs) -> None:
    from hubnet.compare import add_deltas, collect, years_across
    from hubnet.compare_charts import money, year_figure, year_metrics

    folder, later, singles = runs
    table = add_deltas(collect([singles[2035], folder, later]))
    by_year = years_across(table)
    fig = year_figure(table, by_year)
    assert len(fig.axes) == len(year_metrics(by_year)) == 5
    cost = fig.axes[0]
    curves = {line.get_label(): line for line in cost.get_lines()}
    assert set(curves) == {"baseline", "roadmap", "later"}
    # a roadmap: one point per year; the single-year run (2035's solve): a flat line at its cost
    assert list(curves["roadmap"].get_xdata()) == [2030, 2035]
    own = json.loads((singles[2035] / "summary.json").read_text())["objective_jpy_per_yr"]
    div, unit = money(table)
    assert unit == "M JPY / yr"  # costs of a few 100,000 JPY are drawn in millions
    assert list(curves["baseline"].get_ydata()) == pytest.approx([own / div] * 2)
    assert curves["roadmap"].get_ydata()[1] == pytest.approx(own / div)


def test_the_command_line_compares_roadmaps_and_names_the_per_year_file(runs, tmp_path) -> None:
    from typer.testing import CliRunner

    from hubnet.cli import app

    folder, later, _ = runs
    out = tmp_path / "cmp"
    result = CliRunner().invoke(app, ["compare", str(folder), str(later), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "compare_years.csv" in "".join(result.output.split())
    assert len(pd.read_csv(out / "compare_years.csv")) == 4  # 2 runs x 2 years
