"""Informal channels (8d): the channel takes its capacity of a grade unless the formal system
matches its price, less the collection incentive, for each tonne it wins back.

The hand-worked instance: source S generates 100 t of PCB worth 1,000 JPY/t smelted (100 g/t
of gold at 10,000 JPY/kg, recovered in full); the lane to the existing hub H costs 10 JPY/t,
the hub's lane to the smelter nothing, so a collected tonne is worth 990 JPY. The informal
channel takes up to Q t at P JPY/t. Collecting c tonnes leaves 100 - c uncollected, of which
the channel keeps min(Q, 100 - c); the formal system pays P for the rest of Q it takes, so

    cost(c) = -990 c + P max(0, c - (100 - Q)).

Below the break-even P = 990 every tonne is worth collecting (c = 100); above it the formal
system stops at 100 - Q and the channel keeps Q.
"""

from __future__ import annotations

import pytest
from builders import base_tables, write_instance

from hubnet.errors import InputError, ScenarioError
from hubnet.instance import load_instance
from hubnet.model import ELASTIC_FAMILIES
from hubnet.report import SolveOptions
from hubnet.results import check
from hubnet.run import RunOptions, run_one
from hubnet.scenario import apply, parse

QUIET = RunOptions(solve=SolveOptions(mip_rel_gap=0.0), write=False, maps=False)


def tables(price: float | None, capacity: float | None) -> dict:
    t = base_tables()
    t["facilities"][0]["existing_capacity_t_per_yr"] = 1000
    t["capacity_levels"] = []
    t["lanes"][1]["cost_jpy_per_t"] = 0
    com = t["commodities"][0]
    if price is not None:
        com["informal_price_jpy_per_t"] = price
    if capacity is not None:
        com["informal_capacity_t_per_yr"] = capacity
    return t


def solve(tmp_path, t, settings=None):
    rec = run_one(write_instance(tmp_path, t, settings), options=QUIET)
    assert rec.status == "optimal"
    assert rec.violations == []
    return rec


def leak(rec) -> tuple[float, float]:
    row = rec.solution.leakage_by_commodity.set_index("commodity").loc["pcb"]
    return float(row["leakage_t_per_yr"]), float(row["informal_t_per_yr"])


def kpi(rec, term: str) -> float:
    return float(rec.solution.kpis.set_index("term").at[term, "value_jpy_per_yr"])


def test_below_the_break_even_the_formal_system_wins_the_tonnes_back(tmp_path):
    """Q = 60 t at 900 JPY/t: c = 100, -99,000 + 900 x 60 = -45,000; nothing informal."""
    rec = solve(tmp_path, tables(900, 60))
    assert rec.objective == pytest.approx(-45000.0, abs=1e-6)
    assert kpi(rec, "informal_match_cost") == pytest.approx(54000.0, abs=1e-6)
    assert leak(rec) == pytest.approx((0.0, 0.0), abs=1e-6)
    assert rec.solution.brief["informal_t_per_yr"] == pytest.approx(0.0, abs=1e-6)


def test_above_the_break_even_the_informal_channel_keeps_its_capacity(tmp_path):
    """Q = 60 t at 1,100 JPY/t: c = 40, -990 x 40 = -39,600; the channel keeps 60 t."""
    rec = solve(tmp_path, tables(1100, 60))
    assert rec.objective == pytest.approx(-39600.0, abs=1e-6)
    assert kpi(rec, "informal_match_cost") == pytest.approx(0.0, abs=1e-6)
    assert leak(rec) == pytest.approx((60.0, 60.0), abs=1e-6)
    assert rec.solution.brief["informal_t_per_yr"] == pytest.approx(60.0, abs=1e-6)


def test_whole_source_collection_reads_the_same_channel(tmp_path):
    """With one grade the whole-source form describes the same plans: -39,600 again."""
    rec = solve(tmp_path, tables(1100, 60), {"collection": {"whole_source": True}})
    assert rec.objective == pytest.approx(-39600.0, abs=1e-6)
    assert leak(rec) == pytest.approx((60.0, 60.0), abs=1e-6)


def test_a_crackdown_lowers_leakage(tmp_path):
    """Q cut from 60 to 20 t at 1,100 JPY/t: c = 80, -990 x 80 = -79,200; 20 t leak."""
    before = solve(tmp_path / "before", tables(1100, 60))
    after = solve(tmp_path / "after", tables(1100, 20))
    assert after.objective == pytest.approx(-79200.0, abs=1e-6)
    assert leak(after) == pytest.approx((20.0, 20.0), abs=1e-6)
    assert leak(after)[0] < leak(before)[0]


def test_the_incentive_lowers_the_price_to_match(tmp_path):
    """1,100 JPY/t less an incentive of 300: 800 < 990, so c = 100,
    -99,000 + 800 x 60 = -51,000. An incentive above the price matches it for nothing
    (the price to match is never below 0): -99,000."""
    paid = solve(
        tmp_path / "paid", tables(1100, 60), {"policy": {"collection_incentive_jpy_per_t": 300}}
    )
    assert paid.objective == pytest.approx(-51000.0, abs=1e-6)
    assert leak(paid) == pytest.approx((0.0, 0.0), abs=1e-6)
    free = solve(
        tmp_path / "free", tables(1100, 60), {"policy": {"collection_incentive_jpy_per_t": 2000}}
    )
    assert free.objective == pytest.approx(-99000.0, abs=1e-6)
    assert kpi(free, "informal_match_cost") == pytest.approx(0.0, abs=1e-6)
    assert leak(free) == pytest.approx((0.0, 0.0), abs=1e-6)


def test_a_channel_takes_no_more_than_is_generated(tmp_path):
    """Q = 150 t of the 100 t generated: the channel can take 100 t at most. At 900 JPY/t
    collecting all costs -99,000 + 900 x 100 = -9,000 (below 0, the best); were Q not capped,
    leaving all 100 t would still cost 900 x 50 for tonnes that do not exist."""
    rec = solve(tmp_path, tables(900, 150))
    assert rec.objective == pytest.approx(-9000.0, abs=1e-6)
    assert leak(rec) == pytest.approx((0.0, 0.0), abs=1e-6)


def test_without_a_channel_nothing_changes(tmp_path):
    """No informal columns: every tonne collected, -99,000, and no informal tonnes."""
    rec = solve(tmp_path, tables(None, None))
    assert rec.objective == pytest.approx(-99000.0, abs=1e-6)
    assert leak(rec) == pytest.approx((0.0, 0.0), abs=1e-6)
    assert kpi(rec, "informal_match_cost") == 0.0


def test_a_price_without_a_capacity_names_the_missing_column(tmp_path):
    """Both or neither: a half-given channel is an input error naming file, row and column."""
    folder = write_instance(tmp_path, tables(900, None))
    with pytest.raises(InputError) as info:
        load_instance(folder)
    [issue] = info.value.issues
    assert (issue.file, issue.row, issue.column) == (
        "commodities.csv",
        2,
        "informal_capacity_t_per_yr",
    )
    assert "informal_price_jpy_per_t is given" in issue.expected


def test_a_scenario_raises_the_informal_price_and_cuts_the_capacity(tmp_path):
    """From 900 JPY/t (-45,000, nothing informal) a scenario sets 1,100 and halves Q to
    30 t: c = 70, -990 x 70 = -69,300, 30 t informal. With an incentive of 300 set in the
    same scenario the price to match is 800: c = 100, -99,000 + 800 x 30 = -75,000."""
    folder = write_instance(tmp_path / "inst", tables(900, 60))
    raised = {
        "set": {"commodities.informal_price_jpy_per_t": 1100},
        "scale": [{"table": "commodities", "column": "informal_capacity_t_per_yr", "factor": 0.5}],
    }
    rec = run_one(folder, parse(raised, name="raised"), QUIET)
    assert rec.objective == pytest.approx(-69300.0, abs=1e-6)
    assert leak(rec) == pytest.approx((30.0, 30.0), abs=1e-6)
    raised["set"]["policy.collection_incentive_jpy_per_t"] = 300
    paid = run_one(folder, parse(raised, name="paid"), QUIET)
    assert paid.objective == pytest.approx(-75000.0, abs=1e-6)
    assert paid.violations == []


def test_a_scenario_giving_a_price_alone_is_an_error(tmp_path):
    inst = load_instance(write_instance(tmp_path, tables(None, None)))
    with pytest.raises(ScenarioError) as info:
        apply(inst, parse({"set": {"commodities.informal_price_jpy_per_t": 500}}, name="half"))
    [issue] = info.value.issues
    assert issue.column == "commodities.informal_capacity_t_per_yr"


def test_the_checker_recomputes_the_channel_and_its_cost(tmp_path):
    """Above the break-even the channel keeps 60 t; writing 70 t breaks (8d) (more than Q),
    and writing 50 t claims 10 t won back at 1,100 that the objective did not pay."""
    rec = solve(tmp_path, tables(1100, 60))
    inst = load_instance(tmp_path)
    for written, family in ((70.0, "informal_channel"), (50.0, "objective")):
        t = rec.solution.tables()
        by_k = t["leakage_by_commodity"].copy()
        by_k["informal_t_per_yr"] = written
        t["leakage_by_commodity"] = by_k
        assert family in {v.family for v in check(inst, t, rec.objective)}


def test_a_leakage_cap_below_the_channel_is_met_by_winning_tonnes_back(tmp_path):
    """A cap of 0 leaves the channel nothing: all 100 t are collected and the 60 t it would
    take are won back at 1,100: -99,000 + 66,000 = -33,000. The row (8d) is a definition,
    never the cause of infeasibility, so it is never stretched in a diagnosis."""
    t = tables(1100, 60)
    t["commodities"][0]["max_leakage_share"] = 0.0
    rec = solve(tmp_path, t)
    assert rec.objective == pytest.approx(-33000.0, abs=1e-6)
    assert leak(rec) == pytest.approx((0.0, 0.0), abs=1e-6)
    assert "informal_channel" not in ELASTIC_FAMILIES
