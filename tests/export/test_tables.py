"""results.xlsx: every table is a sheet holding the same cells as its CSV, typed."""

from __future__ import annotations

import math

import openpyxl
import pandas as pd

from hubnet.export.tables import write_tables


def test_workbook_holds_every_table_typed(tmp_path):
    flows = pd.DataFrame(
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
    write_tables(tmp_path, {"flows": flows, "kpis": kpis}, {"status": "optimal", "gap": 0.001})

    book = openpyxl.load_workbook(tmp_path / "results.xlsx", read_only=True)
    assert book.sheetnames == ["summary", "flows", "kpis"]
    rows = list(book["flows"].iter_rows(values_only=True))
    assert rows[0] == ("lane", "tonnes_per_yr", "count", "open", "name_ja", "level", "share")
    # numbers stay numbers, booleans booleans, Japanese text intact, NaN and NA empty cells
    assert rows[1] == ("a", 1.5, 3, True, "北海道", 1, 0.5)
    assert rows[2] == ("b", 0, 0, False, "", None, None)
    assert rows[3] == ("c", None, 7, True, "東京都", 3, 1)
    assert list(book["kpis"].iter_rows(values_only=True))[1] == ("fixed_cost", -1.25e11)
    summary = dict(list(book["summary"].iter_rows(values_only=True))[1:])
    assert summary == {"status": '"optimal"', "gap": "0.001"}
    # and the CSV beside it says the same
    assert pd.read_csv(tmp_path / "flows.csv")["count"].tolist() == [3, 0, 7]
