"""The brief of a roadmap run: the timeline read from roadmap.csv, headline numbers per year,
net present cost and the cost of myopia."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import roadmap_folder
from rich.console import Console

from hubnet.errors import ResultsError
from hubnet.export.roadmap import headlines, read_roadmap, read_timeline

SITES = [("H_KITA", "Kitakyushu hub"), ("S_NAO", "Naoshima smelter"), ("H_SEN", "Sendai hub")]
# year, facility, level, capacity: Naoshima has 100 kt before it is expanded to 130 kt
CAPACITY = [
    (2030, "H_KITA", "medium", 50_000.0),
    (2030, "S_NAO", "", 100_000.0),
    (2030, "H_SEN", "small", 20_000.0),
    (2035, "H_KITA", "medium", 50_000.0),
    (2035, "S_NAO", "large", 130_000.0),
    (2035, "H_SEN", "", 0.0),
]
ROADMAP = """site,year,action,level,capacity_t_per_yr,build_cost_jpy
S_NAO,2035,expand,large,130000,9000000
H_KITA,2030,open,medium,50000,4000000
H_SEN,2030,open,small,20000,1000000
H_SEN,2035,retire,,0,0
"""


def _hand_folder(folder: Path, roadmap: str = ROADMAP) -> Path:
    folder.mkdir(parents=True)
    sites = [
        {"year": y, "id": i, "name": n, "name_ja": "", "kind": "hub", "lat": 34, "lon": 131}
        for y in (2030, 2035)
        for i, n in SITES
    ]
    pd.DataFrame(sites).assign(country="JP", region="").to_csv(folder / "sites.csv", index=False)
    fac = pd.DataFrame(CAPACITY, columns=["year", "facility", "level", "capacity_t_per_yr"])
    fac = fac.assign(name="", name_ja="", role="hub", lat=34.0, lon=131.0, status="candidate")
    fac = fac.assign(open=fac["capacity_t_per_yr"] > 0, existing_capacity_t_per_yr=0.0)
    fac = fac.assign(throughput_t_per_yr=0.0, utilisation_share=0.0)
    fac = fac.assign(fixed_cost_jpy_per_yr=0.0, processing_cost_jpy_per_yr=0.0)
    fac.to_csv(folder / "facilities.csv", index=False)
    (folder / "roadmap.csv").write_text(roadmap)
    return folder


def test_timeline_of_a_hand_made_roadmap(tmp_path: Path) -> None:
    folder = _hand_folder(tmp_path / "run")
    assert read_timeline(folder) == [
        "2030: open Kitakyushu hub (medium, 50 kt); open Sendai hub (small, 20 kt)",
        # +30 kt: 130 kt in 2035 less the 100 kt of 2030 (facilities.csv)
        "2035: expand Naoshima smelter +30 kt (large); retire Sendai hub",
    ]
    steps = read_roadmap(folder)
    assert [(s.year, s.site) for s in steps] == [
        (2030, "H_KITA"),
        (2030, "H_SEN"),
        (2035, "S_NAO"),
        (2035, "H_SEN"),
    ]
    assert sum(s.build_cost_jpy for s in steps) == 14_000_000


@pytest.mark.parametrize(
    ("cell", "column", "value"),
    [("build", "action", "build"), ("20x5", "year", "20x5"), ("lots", "capacity_t_per_yr", "lots")],
)
def test_a_bad_roadmap_row_names_file_row_and_column(
    tmp_path: Path, cell: str, column: str, value: str
) -> None:
    rows = ROADMAP.splitlines()
    parts = rows[2].split(",")  # the second data row: H_KITA,2030,open,medium,50000,...
    parts[{"action": 2, "year": 1, "capacity_t_per_yr": 4}[column]] = cell
    rows[2] = ",".join(parts)
    folder = _hand_folder(tmp_path / "run", "\n".join(rows) + "\n")
    with pytest.raises(ResultsError) as err:
        read_roadmap(folder)
    issue = err.value.issues[0]
    assert issue.file.endswith("roadmap.csv")
    assert (issue.row, issue.column, issue.value) == (3, column, value)


def test_a_roadmap_without_its_file_or_a_column_is_a_clear_error(tmp_path: Path) -> None:
    folder = _hand_folder(tmp_path / "run", ROADMAP.replace("action,", "what,"))
    with pytest.raises(ResultsError, match="column 'action'"):
        read_roadmap(folder)
    (folder / "roadmap.csv").unlink()
    with pytest.raises(ResultsError, match="roadmap.csv"):
        read_roadmap(folder)


@pytest.fixture(scope="module")
def roadmap(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, Path]]:
    return roadmap_folder.build(tmp_path_factory.mktemp("roadmap"))


def test_headlines_per_year_equal_each_single_year_solve(roadmap) -> None:
    folder, singles = roadmap
    summary = json.loads((folder / "summary.json").read_text())
    table = headlines(folder, summary)
    assert list(table.index) == [2030, 2035]
    for year, single in singles.items():
        own = json.loads((single / "summary.json").read_text())
        row = table.loc[year]
        assert row["total_cost_jpy_per_yr"] == pytest.approx(own["objective_jpy_per_yr"])
        assert row["collected_t_per_yr"] == pytest.approx(own["brief"]["collected_t_per_yr"])
        assert row["generation_t_per_yr"] == pytest.approx(own["brief"]["generation_t_per_yr"])
        assert row["imported_t_per_yr"] == pytest.approx(own["brief"]["imported_t_per_yr"])
        assert row["exported_t_per_yr"] == pytest.approx(own["brief"]["exported_t_per_yr"])
        assert row["hubs_opened"] == own["brief"]["hubs_opened"]
    # by hand (tests/roadmap_folder.py): 100 t then 500 t, all collected; 1 hub, then 2
    assert list(table["collected_t_per_yr"]) == [100.0, 500.0]
    assert list(table["hubs_opened"]) == [1, 2]
    assert list(table["collection_share"]) == [1.0, 1.0]


def _printed(folder: Path, monkeypatch) -> str:
    from hubnet import cli_brief

    console = Console(record=True, width=140)
    monkeypatch.setattr(cli_brief, "console", console)
    cli_brief.print_roadmap(folder)
    return console.export_text()


def test_the_brief_prints_timeline_numbers_and_costs(roadmap, tmp_path, monkeypatch) -> None:
    folder, singles = roadmap
    copy = tmp_path / "run"
    shutil.copytree(folder, copy)
    summary = json.loads((copy / "summary.json").read_text())
    summary["myopia_cost_jpy"] = 2_500.0
    # a supply-share KPI per element, as the roadmap model reports it
    summary["by_year"]["2030"]["kpis"]["domestic_supply_share_Au"] = 0.25
    summary["by_year"]["2035"]["kpis"]["domestic_supply_share_Au"] = 0.5
    (copy / "summary.json").write_text(json.dumps(summary))
    text = _printed(copy, monkeypatch)
    # NPV by hand: 5 years of 2030's cost and 10 of 2035's (tests/roadmap_folder.py)
    costs = {
        y: json.loads((f / "summary.json").read_text())["objective_jpy_per_yr"]
        for y, f in singles.items()
    }
    npv = 5 * costs[2030] + 10 * costs[2035]
    assert f"net present cost -¥{-npv / 1e6:.1f} M" in text
    assert "2 planning years, myopic foresight" in text
    assert "Cost of myopia: ¥2,500" in text
    assert "  2030: open Hub 1 (L, 200 t)" in text
    assert "  2035: open Hub 2 (L, 200 t); expand Hub 1 +200 t (XL)" in text
    lines = {line.split("│")[1].strip(): line for line in text.splitlines() if "│" in line}
    assert (
        "25.0%" in lines["domestic supply share Au"]
        and "50.0%" in lines["domestic supply share Au"]
    )
    assert "100" in lines["collected (t/yr)"] and "500" in lines["collected (t/yr)"]


def test_a_single_year_folder_prints_no_roadmap(roadmap, monkeypatch) -> None:
    _, singles = roadmap
    assert _printed(singles[2030], monkeypatch) == ""
