"""Single sourcing (10a) with the textbook rows (10f) and (10g): root bounds and optima worked
out by hand, and the checker's view of the same rules."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import base_tables, full_lp, write_instance

from hubnet.model import build_model
from hubnet.model.data import build_data
from hubnet.report import SolveOptions
from hubnet.results import check
from hubnet.run import RunOptions, build, prepare, run_one
from hubnet.solve import handoff

EXACT = RunOptions(solve=SolveOptions(mip_rel_gap=1e-9), write=False, maps=False)
SINGLE = {"policy": {"single_sourcing": True}}


def _site(i: str, kind: str) -> dict:
    return {"id": i, "name": i, "kind": kind, "lat": 35.0, "lon": 135.0}


def two_hubs() -> dict[str, list[dict]]:
    """S1 generates 100 t of pcb, which may not leak (cap 0); hubs A and B have one level each
    of 400 t at 1,000 JPY/yr; S1 -> A costs 1 JPY/t, S1 -> B 2 JPY/t; no metal value."""
    t = base_tables()
    t["sites"] = [_site("S1", "source"), _site("A", "hub"), _site("B", "hub")]
    t["sites"].append(_site("M1", "smelter"))
    t["commodities"] = [
        {"id": "pcb", "name": "PCB", "hub_yield_share": 1.0, "max_leakage_share": 0.0}
    ]
    t["contents"] = []
    t["recovery"] = []
    hub = {"role": "hub", "processing_cost_jpy_per_t": 0, "accepts": "*"}
    smelter = t["facilities"][1] | {"accepts": "*"}
    t["facilities"] = [hub | {"site": "A"}, hub | {"site": "B"}, smelter]
    level = {"level": "L", "capacity_t_per_yr": 400, "fixed_cost_jpy_per_yr": 1000}
    t["capacity_levels"] = [level | {"facility": "A"}, level | {"facility": "B"}]
    t["lanes"] = [
        {"origin": "S1", "destination": "A", "cost_jpy_per_t": 1},
        {"origin": "S1", "destination": "B", "cost_jpy_per_t": 2},
        {"origin": "A", "destination": "M1", "cost_jpy_per_t": 0},
        {"origin": "B", "destination": "M1", "cost_jpy_per_t": 0},
    ]
    return t


def _root_bound(folder, skip: frozenset[str]) -> float:  # noqa: ANN001 - Path
    instance, _ = prepare(folder)
    _, _, lanes = build(instance)
    model, _ = build_model(instance, lanes, skip=skip)
    return full_lp(handoff(model, SolveOptions()))


def test_the_textbook_rows_lift_the_root_bound_to_the_optimum(tmp_path):
    """The loose form is (10a) without (10f), (10g) and the linking rows (9) (which the
    relaxation may leave out of what HiGHS holds). By hand:

    - loose: x_A <= 100 w_A and w_A + w_B <= 1 cost nothing (w_A = x_A / 100); capacity
      x_A <= 400 z_A and the cover 400 (z_A + z_B) >= 100 let a quarter of A take all 100 t:
      per tonne 1 + 1,000 / 400 = 3.5 through A (4.5 through B), bound 350;
    - strong: x_A <= 100 w_A <= 100 z_A, so the 100 t cost at least 1,000 per 100 t of fixed
      cost on top of transport: 1,000 z_A + 1,000 z_B + x_A + 2 x_B >= 11 (x_A + x_B) = 1,100,
      reached at z_A = w_A = 1: the integer optimum, 1,000 + 100."""
    folder = write_instance(tmp_path / "inst", two_hubs(), SINGLE)
    loose = _root_bound(folder, frozenset({"open_flow_linking", "assign_open", "assign_whole"}))
    strong = _root_bound(folder, frozenset({"open_flow_linking"}))
    assert loose == pytest.approx(350.0, abs=1e-6)
    assert strong == pytest.approx(1100.0, abs=1e-6)
    assert _root_bound(folder, frozenset()) == pytest.approx(1100.0, abs=1e-6)
    rec = run_one(folder, options=EXACT)
    assert rec.status == "optimal"
    assert rec.violations == []
    assert rec.objective == pytest.approx(1100.0, abs=1e-6)


def test_only_the_grades_that_may_not_leak_go_whole(tmp_path):
    """S1 generates 60 t of pcb (may not leak) and 60 t of lib (may all leak, 10 JPY/t
    penalty); one hub A of 100 t at 100 JPY/yr, lane 1 JPY/t. (10g) sends pcb whole,
    x = 60 w; sending lib whole too (120 t > 100 t) would forbid the only plan.
    By hand: all pcb and 40 t of lib to A: 100 + 100 x 1 + 20 x 10 = 400 (collecting no lib
    costs 100 + 60 + 600 = 760)."""
    t = two_hubs()
    t["sites"] = [s for s in t["sites"] if s["id"] != "B"]
    t["commodities"].append(
        {
            "id": "lib",
            "name": "Li-ion",
            "hub_yield_share": 1.0,
            "max_leakage_share": 1.0,
            "leakage_penalty_jpy_per_t": 10,
        }
    )
    t["supply"] = [
        {"site": "S1", "commodity": "pcb", "generation_t_per_yr": 60},
        {"site": "S1", "commodity": "lib", "generation_t_per_yr": 60},
    ]
    t["facilities"] = [f for f in t["facilities"] if f["site"] != "B"]
    t["capacity_levels"] = [
        {"facility": "A", "level": "L", "capacity_t_per_yr": 100, "fixed_cost_jpy_per_yr": 100}
    ]
    t["lanes"] = [r for r in t["lanes"] if "B" not in (r["origin"], r["destination"])]
    folder = write_instance(tmp_path / "inst", t, SINGLE)
    instance, _ = prepare(folder)
    _, data, _ = build(instance)
    assert [k for _, k in data.whole_flows] == ["pcb"]
    rec = run_one(folder, options=EXACT)
    assert rec.status == "optimal"
    assert rec.violations == []
    assert rec.objective == pytest.approx(400.0, abs=1e-6)


def test_a_lane_carries_at_most_the_hub_s_largest_capacity(tmp_path):
    """(10a)'s bound: S1's 100 t, but hub A's only level holds 40 t: V = min(100, 40) = 40;
    B (400 t) keeps 100. The plain form used to explain infeasibility keeps what the source
    can send (100), so that capacity is named as its own rule."""
    t = two_hubs()
    t["capacity_levels"][0]["capacity_t_per_yr"] = 40
    folder = write_instance(tmp_path / "inst", t, SINGLE)
    instance, _ = prepare(folder)
    _, data, lanes = build(instance)
    by_hub = {data.lane_destination[a]: v for a, v in data.assign_bound.items()}
    assert by_hub == {"A": 40.0, "B": 100.0}
    plain = build_data(instance, lanes, cap_links=False)
    assert sorted(plain.assign_bound.values()) == [100.0, 100.0]


# --------------------------------------------------------------------------------------------
# the checker


@pytest.fixture
def solved(tmp_path):
    folder = write_instance(tmp_path / "inst", two_hubs(), SINGLE)
    rec = run_one(folder, options=EXACT)
    instance, _ = prepare(folder)
    return instance, rec


def test_a_source_shipping_to_a_hub_without_a_level_is_caught(solved):
    instance, rec = solved
    tables = rec.solution.tables()
    assert check(instance, tables, rec.objective) == []
    fac = tables["facilities"].copy()
    fac.loc[fac["facility"] == "A", "level"] = ""
    tables["facilities"] = fac
    families = {v.family for v in check(instance, tables, None)}
    assert "assign_open" in families


def test_a_grade_that_may_not_leak_sent_in_part_is_caught(solved):
    """S1 must send its 100 t of pcb whole to A; the tables say 90 t."""
    instance, rec = solved
    tables = rec.solution.tables()
    flows = tables["flows"].copy()
    flows.loc[flows["stage"] == "collection", "tonnes_per_yr"] = 90.0
    tables["flows"] = flows
    found = check(instance, tables, None)
    assert [v.ids for v in found if v.family == "assign_whole"] == ["S1, pcb"]


def test_a_source_split_over_two_hubs_is_caught(solved):
    instance, rec = solved
    tables = rec.solution.tables()
    flows = tables["flows"].copy()
    row = flows[flows["stage"] == "collection"].iloc[[0]].copy()
    row["destination"] = "B"
    tables["flows"] = pd.concat([flows, row], ignore_index=True)
    families = {v.family for v in check(instance, tables, None)}
    assert "single_sourcing" in families
