"""Writing and reading result tables: results.xlsx holds the same cells as the CSVs, typed;
declared tables are written and read as results/schema.py declares them."""

from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest

from hubnet.errors import ResultsError
from hubnet.export.tables import read_summary, read_table, write_tables


def test_workbook_holds_every_table_typed(tmp_path):
    sample = pd.DataFrame(
        {
            "lane": ["a", "b", "c"],
            "tonnes_per_yr": [1.5, 0.0, math.nan],
            "count": [3, 0, 7],
            "open": [True, False, True],
            "name_ja": ["北海道", "", "東京都"],
            "level": pd.array([1, None, 3], dtype="Int64"),
            "share": pd.array([0.5, None, 1.0], dtype="Float64"),
        }
    )
    kpis = pd.DataFrame({"term": ["fixed_cost"], "value_jpy_per_yr": [-1.25e11]})
    # "sample" is no declared table: written as given
    write_tables(tmp_path, {"sample": sample, "kpis": kpis}, {"status": "optimal", "gap": 0.001})

    book = openpyxl.load_workbook(tmp_path / "results.xlsx", read_only=True)
    assert book.sheetnames == ["summary", "sample", "kpis"]
    rows = list(book["sample"].iter_rows(values_only=True))
    assert rows[0] == ("lane", "tonnes_per_yr", "count", "open", "name_ja", "level", "share")
    # numbers stay numbers, booleans booleans, Japanese text intact, NaN and NA empty cells
    assert rows[1] == ("a", 1.5, 3, True, "北海道", 1, 0.5)
    assert rows[2] == ("b", 0, 0, False, "", None, None)
    assert rows[3] == ("c", None, 7, True, "東京都", 3, 1)
    assert list(book["kpis"].iter_rows(values_only=True))[1] == ("fixed_cost", -1.25e11)
    summary = dict(list(book["summary"].iter_rows(values_only=True))[1:])
    assert summary == {"status": '"optimal"', "gap": "0.001"}
    # and the CSV beside it says the same
    assert pd.read_csv(tmp_path / "sample.csv")["count"].tolist() == [3, 0, 7]


def metals(**columns: list) -> pd.DataFrame:
    """A metals table, columns in an order of its own: Pb before Au, value before name."""
    base = {
        "value_jpy_per_yr": [10.0, 2e6],
        "element": ["Pb", "Au"],
        "domestic_capture_share": [0.5, math.nan],
        "name": ["Lead", "Gold"],
        "recovered_t_per_yr": [1, 2],  # integers on purpose: declared float
        "domestic_content_t_per_yr": [2.0, 0.0],
        "recovered_domestic_origin_t_per_yr": [1.0, 0.5],
        "recovered_import_origin_t_per_yr": [0.0, 1.5],
        "min_supply_share": [math.nan, 0.5],
        "supply_share": [math.nan, 0.25],
        "import_origin_supply_share": [math.nan, 0.1875],
        "domestic_origin_supply_share": [math.nan, 0.0625],
        "demand_t_per_yr": [math.nan, 8.0],
    }
    return pd.DataFrame({**base, **columns})


def test_a_declared_table_is_written_in_declared_order_and_read_back_typed(tmp_path):
    write_tables(tmp_path, {"metals": metals()}, {})
    lines = (tmp_path / "metals.csv").read_text(encoding="utf-8").splitlines()
    assert lines == [
        "element,name,recovered_t_per_yr,value_jpy_per_yr,domestic_content_t_per_yr,"
        "recovered_domestic_origin_t_per_yr,recovered_import_origin_t_per_yr,"
        "domestic_capture_share,demand_t_per_yr,supply_share,domestic_origin_supply_share,"
        "import_origin_supply_share,min_supply_share",
        "Au,Gold,2,2000000,0,0.5,1.5,,8,0.25,0.0625,0.1875,0.5",
        "Pb,Lead,1,10,2,1,0,0.5,,,,,",
    ]
    back = read_table(tmp_path, "metals")
    assert back["recovered_t_per_yr"].dtype == float
    assert back["element"].tolist() == ["Au", "Pb"]


def test_a_column_missing_or_extra_is_a_bug_of_the_writer(tmp_path):
    with pytest.raises(ValueError, match="metals"):
        write_tables(tmp_path, {"metals": metals().drop(columns=["name"])}, {})


def test_ids_stay_text_and_flags_are_read_as_flags(tmp_path):
    (tmp_path / "sites.csv").write_text(
        "id,name,name_ja,kind,lat,lon,country,region\nNA,Namibia,,origin,-22.5,17.0,NA,\n",
        encoding="utf-8",
    )
    sites = read_table(tmp_path, "sites")
    assert sites.loc[0, "id"] == "NA" and sites.loc[0, "country"] == "NA"
    assert sites.loc[0, "region"] == "" and sites.loc[0, "lat"] == -22.5


def test_a_missing_file_column_or_bad_value_names_file_row_and_column(tmp_path):
    with pytest.raises(ResultsError, match=r"metals\.csv"):
        read_table(tmp_path, "metals")
    write_tables(tmp_path, {"metals": metals()}, {})
    text = (tmp_path / "metals.csv").read_text(encoding="utf-8")
    (tmp_path / "metals.csv").write_text(text.replace("Pb,Lead,1,", "Pb,Lead,one,"))
    # the header is row 1, Au row 2, Pb row 3
    with pytest.raises(ResultsError, match=r"metals\.csv, row 3, column 'recovered_t_per_yr'"):
        read_table(tmp_path, "metals")
    pd.read_csv(tmp_path / "metals.csv").drop(columns=["name"]).to_csv(
        tmp_path / "metals.csv", index=False
    )
    with pytest.raises(ResultsError, match=r"metals\.csv, row 1, column 'name'"):
        read_table(tmp_path, "metals")


def test_a_value_outside_the_declared_choices_is_refused(tmp_path):
    (tmp_path / "kpis.csv").write_text("term,value_jpy_per_yr\nfixed_costs,1\n")
    with pytest.raises(ResultsError, match=r"row 2, column 'term'.*fixed_cost"):
        read_table(tmp_path, "kpis")


def test_a_summary_without_the_keys_every_run_writes_is_refused(tmp_path):
    with pytest.raises(ResultsError, match="summary.json"):
        read_summary(tmp_path)
    (tmp_path / "summary.json").write_text('{"instance": "x", "status": "optimal"}')
    with pytest.raises(ResultsError, match="scenario"):
        read_summary(tmp_path)
