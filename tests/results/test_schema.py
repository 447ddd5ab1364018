"""The results schema: its document, its declarations, and the folders a run writes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from builders import base_tables, exporting_tables, write_instance

from hubnet.results.document import format_markdown
from hubnet.results.schema import MARGINALS, TABLES
from hubnet.results.summary_schema import SUMMARY, summary_keys
from hubnet.run import RunOptions, run_one

DOC = Path(__file__).resolve().parents[2] / "models" / "results_format.md"
#: the unit each name ending stands for
SUFFIX_UNIT = {
    "_t_per_yr": "t/yr",
    "tonnes_per_yr": "t/yr",
    "_jpy_per_yr": "JPY/yr",
    "_jpy_per_t": "JPY/t",
    "_km": "km",
    "_share": "share",
    "_of_domestic": "share",
}


def test_the_document_is_the_schema_s_own_rendering():
    # after a change to results/schema.py: python -m hubnet.results models/results_format.md
    assert DOC.read_text(encoding="utf-8") == format_markdown()


def test_every_number_carries_its_unit_in_its_name():
    for t in TABLES:
        for c in t.columns:
            if c.name in ("lat", "lon"):
                assert c.unit == "deg"
                continue
            ending = [u for s, u in SUFFIX_UNIT.items() if c.name.endswith(s)]
            if c.type == "float":
                assert ending == [c.unit], f"{t.name}.{c.name}"
            else:
                assert not ending and c.unit == "", f"{t.name}.{c.name}"


def test_sort_keys_name_declared_columns():
    for t in TABLES:
        assert set(t.sort) <= set(t.names), t.name
        assert len(set(t.names)) == len(t.names), t.name


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("schema")
    inst = write_instance(root / "inst", exporting_tables())
    rec = run_one(inst, options=RunOptions(out_dir=root / "out", maps=False))
    assert rec.status == "optimal" and rec.violations == []
    return root / "out"


def test_a_solved_run_writes_every_declared_table_and_summary_key(exported):
    csvs = {p.name for p in exported.glob("*.csv")}
    # marginal values are on by default: their table is written with the others
    assert csvs == {t.file for t in TABLES} | {MARGINALS.file}
    for t in (*TABLES, MARGINALS):
        df = pd.read_csv(exported / t.file, keep_default_na=False, dtype=str)
        assert list(df.columns) == t.names, t.name
        if t.sort:
            assert df.equals(df.sort_values(list(t.sort), kind="stable")), t.name
    summary = json.loads((exported / "summary.json").read_text(encoding="utf-8"))
    assert list(summary) == summary_keys("solved")
    nested = {k.name: [m.name for m in k.keys] for k in SUMMARY if k.keys and k.name in summary}
    for key, members in nested.items():
        assert list(summary[key]) == members, key


def test_leakage_by_commodity_counts_exports_in_raw_tonnes(exported):
    by_k = pd.read_csv(exported / "leakage_by_commodity.csv").set_index("commodity")
    # exporting_tables: 20 t of the 50 t of batteries collected, 10 t of hub output sold at
    # yield 0.5 (= 20 t raw), 30 t uncollected; all 100 t of PCB collected, none sold
    bat, pcb = by_k.loc["bat"], by_k.loc["pcb"]
    assert (bat["generation_t_per_yr"], bat["uncollected_t_per_yr"]) == pytest.approx((50, 30))
    assert (bat["exported_t_per_yr"], bat["exported_raw_t_per_yr"]) == pytest.approx((10, 20))
    assert (bat["leakage_t_per_yr"], bat["leakage_share"]) == pytest.approx((50, 1.0))
    assert (pcb["leakage_t_per_yr"], pcb["leakage_share"]) == pytest.approx((0, 0))
    assert math.isnan(bat["max_leakage_share"])  # no cap in the instance
    assert list(by_k.index) == ["bat", "pcb"]


def test_an_infeasible_run_writes_the_infeasible_keys(tmp_path):
    t = base_tables()
    # at most 100 t x 100 g/t = 0.01 t of gold can be recovered
    t["elements"][0]["min_recovered_t_per_yr"] = 1.0
    inst = write_instance(tmp_path / "inst", t)
    rec = run_one(inst, options=RunOptions(out_dir=tmp_path / "out", maps=False))
    assert rec.status == "infeasible"
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert list(summary) == summary_keys("infeasible")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["diagnosis.txt", "summary.json"]
