"""The roadmap checker catches a level that shrinks, a net present cost that is not the sum of
the years' costs and builds, and a year's broken balance (tables doctored from a real solve)."""

from __future__ import annotations

import json

from builders import PERIODS, two_hubs, write_instance

from hubnet.export.tables import read_tables
from hubnet.results import TABLE_NAMES
from hubnet.results.check_roadmap import check_roadmap
from hubnet.run import RunOptions, prepare, run_one


def solved(tmp_path):
    folder = write_instance(tmp_path / "inst", two_hubs(1000, 3000), PERIODS)
    run_one(folder, options=RunOptions(out_dir=tmp_path / "out", maps=False, foresight="myopic"))
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    tables = read_tables(tmp_path / "out", TABLE_NAMES)
    instance, _ = prepare(folder)
    return instance, tables, summary["npv_cost_jpy"]


def test_the_written_roadmap_passes(tmp_path):
    instance, tables, npv = solved(tmp_path)
    assert check_roadmap(instance, tables, npv) == []


def test_a_level_that_shrinks_is_caught(tmp_path):
    """The myopic plan keeps H1 in 2030; closing it there breaks (14a)."""
    instance, tables, npv = solved(tmp_path)
    fac = tables["facilities"]
    fac.loc[(fac["year"] == 2030) & (fac["facility"] == "H1"), "level"] = ""
    families = {v.family for v in check_roadmap(instance, tables, npv)}
    assert "levels_stay" in families


def test_a_net_present_cost_off_by_one_build_is_caught(tmp_path):
    """NPV = 5 x each year's cost + builds (1,000 + 3,000): one build left out is caught."""
    instance, tables, npv = solved(tmp_path)
    found = check_roadmap(instance, tables, npv - 3_000)
    assert [v.family for v in found] == ["net_present_cost"]


def test_a_year_whose_balance_is_off_by_one_tonne_is_caught_in_that_year(tmp_path):
    """The myopic plan sends 2030's 300 t through H2: one more tonne on H2 > M in 2030 sends on
    301 t of 300 t taken in; the single-year checker of 2030 reports H2's balance, 2025 is
    untouched."""
    instance, tables, npv = solved(tmp_path)
    flows = tables["flows"]
    doctored = (flows["year"] == 2030) & (flows["lane"] == "H2>M")
    assert doctored.sum() == 1
    flows.loc[doctored, "tonnes_per_yr"] += 1.0
    found = check_roadmap(instance, tables, npv)
    balance = [v for v in found if v.family == "hub_mass_balance"]
    assert [v.ids for v in balance] == ["H2, pcb; 2030"]
    assert "301 t" in balance[0].message
    assert not [v for v in found if v.ids.endswith("; 2025")]
