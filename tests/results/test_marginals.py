"""Marginal values from the LP with the plan's levels fixed, against values worked out by hand
(arithmetic in each docstring)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from builders import PERIODS, far_hub, lane, site, two_hubs, write_instance

from hubnet.report import SolveOptions
from hubnet.results.marginals import marginal_lines
from hubnet.run import RunOptions, build, prepare, run_one
from hubnet.solve import solve_model

QUIET = RunOptions(write=False, maps=False)


def solved(tmp_path, tables, settings=None, options=QUIET):
    rec = run_one(write_instance(tmp_path / "inst", tables, settings), options=options)
    assert rec.status == "optimal" and rec.violations == []
    return rec


def values(rec) -> dict[tuple[str, str], float]:
    m = rec.solution.marginals
    return {(c, k): v for c, k, v in zip(m["constraint"], m["key"], m["value"], strict=True)}


def test_a_binding_capacity_and_a_binding_cap_are_worth_what_a_unit_more_saves(tmp_path):
    """Cost: 1,000 - 150 x 985 + 30 x 205 = -140,600.

    One more tonne allowed to leak: one tonne less through H2, saves 205.
    One more tonne of H1 capacity: a tonne moves from H2 to H1 (leakage unchanged), saves
    985 + 205 = 1,190. The element cap on gold (50 %: 15 kg of the 30 kg generated) sees
    12 kg leave: slack, worth 0; so are M's and H2's capacities.
    """
    tables = far_hub()
    tables["elements"][0]["max_leakage_share"] = 0.5
    rec = solved(tmp_path, tables)
    assert rec.objective == pytest.approx(-140_600.0, abs=1e-6)
    got = values(rec)
    known = {
        ("hub_capacity", "H1"): 1190.0,
        ("hub_capacity", "H2"): 0.0,
        ("smelter_capacity", "M"): 0.0,
        ("export_leakage", "pcb"): 205.0,
        ("element_leakage", "Au"): 0.0,
    }
    assert got == pytest.approx(known, abs=1e-6)
    table = rec.solution.marginals
    assert set(table["unit"]) == {"JPY/yr per t/yr"}
    assert rec.solution.brief["marginals_largest"] == [
        "One more tonne a year of capacity at H1 saves ¥1,190 a year",
        "One more tonne a year of PCB allowed to leak saves ¥205 a year",
    ]


def test_a_recovery_target_is_worth_the_cost_of_its_last_tonne(tmp_path):
    """A target of 0.02 t of gold recovered needs 200 t smelted (1e-4 t of gold per tonne):
    50 t through H2, and the 40 % cap (at most 120 t left) no longer binds: worth 0.

    One tonne of gold less to recover: 10,000 t less through H2, saves 205 x 1e4 = 2.05 M.
    H1: a tonne more there, one less through H2: 1,190.
    """
    tables = far_hub()
    tables["elements"][0]["min_recovered_t_per_yr"] = 0.02
    rec = solved(tmp_path, tables)
    assert rec.objective == pytest.approx(1000 - 150 * 985 + 50 * 205, abs=1e-6)
    got = values(rec)
    assert got[("recovery_targets", "Au")] == pytest.approx(2_050_000.0, rel=1e-9)
    assert got[("export_leakage", "pcb")] == pytest.approx(0.0, abs=1e-6)
    assert got[("hub_capacity", "H1")] == pytest.approx(1190.0, abs=1e-6)


def test_a_shut_hub_has_no_capacity_row_and_a_scalar_cap_has_an_empty_key(tmp_path):
    """H1's fixed cost raised to 200,000 (more than 150 t x 1,190 can earn): H1 stays shut,
    and 180 t go through H2 (cost 180 x 205 = 36,900). A CO2 cap far above the emissions
    (lanes without distance emit nothing) is worth 0; the capital budget too, as levels
    alone spend it and they are held fixed."""
    tables = far_hub()
    tables["capacity_levels"][0]["fixed_cost_jpy_per_yr"] = 200_000
    settings = {"policy": {"co2_cap_t_per_yr": 1e6, "capital_budget_jpy_per_yr": 1e6}}
    rec = solved(tmp_path, tables, settings)
    assert rec.objective == pytest.approx(36_900.0, abs=1e-6)
    got = values(rec)
    assert ("hub_capacity", "H1") not in got
    assert got[("export_leakage", "pcb")] == pytest.approx(205.0, abs=1e-6)
    assert got[("co2_cap", "")] == 0.0
    assert got[("capital_budget", "")] == 0.0


def test_a_binding_import_permit_is_worth_the_margin_of_its_last_tonne(tmp_path):
    """far_hub without a cap, and an EU origin F offering 100 t of PCB at 0 JPY/t over a free
    lane to H2 (existing 1,000 t): each imported tonne nets 1,000 - 5 = 995. The EU permit
    of 20 t binds: one more tonne of it saves 995. Cost: 1,000 - 150 x 985 - 20 x 995 =
    -166,650. H2 takes 20 t of its 1,000: slack, 0."""
    tables = far_hub(cap=None)
    tables["sites"].append(site("F", "origin", lat=51.9, lon=4.4, region="eu"))
    tables["imports"] = [
        {"site": "F", "commodity": "pcb", "available_t_per_yr": 100, "price_jpy_per_t": 0}
    ]
    tables["lanes"].append(lane("F", "H2", 0))
    permits = {"policy": {"import_permits_t_per_yr": {"eu": 20}}}
    rec = solved(tmp_path, tables, permits)
    assert rec.objective == pytest.approx(-166_650.0, abs=1e-6)
    got = values(rec)
    assert got[("import_permits", "eu")] == pytest.approx(995.0, abs=1e-6)
    assert got[("hub_capacity", "H2")] == pytest.approx(0.0, abs=1e-6)
    assert got[("hub_capacity", "H1")] == pytest.approx(985.0, abs=1e-6)


def test_without_marginals_no_table_and_the_same_plan(tmp_path):
    options = RunOptions(write=False, maps=False, solve=SolveOptions(marginals=False))
    rec = solved(tmp_path, far_hub(), options=options)
    assert rec.objective == pytest.approx(-140_600.0, abs=1e-6)
    assert rec.solution.marginals is None
    assert rec.solution.brief["marginals_largest"] == []
    assert "marginals" not in rec.times


def test_the_lp_with_levels_fixed_never_costs_more_than_the_branch_and_bound(tmp_path):
    """The same model solved with and without the LP re-solve: the LP's objective may only
    fall or stay equal (it optimises the operations of the same levels)."""
    from hubnet.generate import generate

    folder = generate(tmp_path / "g", sources=12, hubs=4, commodities=2, origins=1, seed=7)
    instance, _ = prepare(folder)
    plain_model, plain_data, _ = build(instance)
    options = SolveOptions(marginals=False)
    plain = solve_model(plain_model, plain_data, options)
    model, data, _ = build(instance)
    priced = solve_model(model, data, SolveOptions(), start=None)
    assert plain.status.has_solution and priced.status.has_solution
    assert priced.objective <= plain.objective + 1e-9 * abs(plain.objective)
    assert priced.marginals_s is not None and plain.marginals_s is None


def test_a_roadmap_reports_each_year_s_capacity_per_year_of_it(tmp_path):
    """two_hubs without H2, over 2025 and 2030 (five years each, discounted at 5 %): S makes
    100 t then 300 t, each tonne nets 985 JPY through H1 (150 t for 1,000 JPY/yr). 2025: H1
    takes the 100 t, its capacity slack: 0. 2030: H1 is full at 150 t, so one more tonne of
    its capacity nets 985 JPY in each year 2030 stands for; the dual in the net present cost
    is 985 x W_2030, and W_2030 is divided out."""
    tables = two_hubs()
    tables["sites"] = [s for s in tables["sites"] if s["id"] != "H2"]
    tables["facilities"] = [f for f in tables["facilities"] if f["site"] != "H2"]
    tables["capacity_levels"] = [r for r in tables["capacity_levels"] if r["facility"] != "H2"]
    tables["lanes"] = [r for r in tables["lanes"] if "H2" not in (r["origin"], r["destination"])]
    settings = {"periods": {**PERIODS["periods"], "discount_rate": 0.05}}
    rec = solved(tmp_path, tables, settings)
    m = rec.solution.marginals
    h1 = m[(m["constraint"] == "hub_capacity") & (m["key"] == "H1")].set_index("year")["value"]
    assert h1.to_dict() == pytest.approx({2025: 0.0, 2030: 985.0}, abs=1e-6)
    assert rec.solution.brief["marginals_largest"] == []  # the first year's: all slack
    assert marginal_lines(m) == [
        "One more tonne a year of capacity at H1 in 2030 saves ¥985 a year"
    ]


def test_marginals_csv_is_written_with_its_declared_columns(tmp_path):
    out = tmp_path / "out"
    options = RunOptions(out_dir=out, maps=False)
    solved(tmp_path, far_hub(), options=options)
    df = pd.read_csv(out / "marginals.csv", keep_default_na=False)
    assert list(df.columns) == ["constraint", "key", "name", "value", "unit"]
    assert not any(math.isnan(v) for v in df["value"])
