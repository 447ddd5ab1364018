"""Roadmaps over planning years worked out by hand: levels that stay (14a), build costs paid
once (14b), the net present cost (0r), myopic against perfect foresight, and a supply-share
target (10h)."""

from __future__ import annotations

import json

import pytest
from builders import PERIODS, hub, lane, site, smelter, two_hubs, write_instance

from hubnet.run import RunOptions, run_one


def solve(tmp_path, tables, settings=None, **opts):
    folder = write_instance(tmp_path / "inst", tables, settings)
    rec = run_one(folder, options=RunOptions(out_dir=tmp_path / "out", maps=False, **opts))
    assert rec.violations == [], rec.violations
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    return rec, summary


def test_perfect_foresight_opens_the_hub_that_serves_both_years(tmp_path):
    """Each period stands for 5 years, undiscounted; build costs H1 1,000, H2 3,000 JPY.

    2025 alone: H1 -100 x 985 + 1,000 = -97,500 beats H2 -97,000 (+ build 1,000 vs 3,000).
    Myopic: H1 in 2025, kept in 2030, where H1 + H2 take 300 t: -295,500 + 2,500 = -293,000,
    NPV 5 x -97,500 + 5 x -293,000 + 1,000 + 3,000 = -1,948,500.
    Perfect: H2 alone in both years: 5 x -97,000 + 5 x (-295,500 + 1,500) + 3,000 = -1,952,000.
    Cost of myopia 3,500."""
    _, s = solve(tmp_path, two_hubs(1000, 3000), PERIODS, foresight="perfect")
    assert s["npv_cost_jpy"] == pytest.approx(-1_952_000)
    assert s["myopia_cost_jpy"] == pytest.approx(3_500)
    assert s["objective_jpy_per_yr"] == pytest.approx(-1_952_000 / 10)
    assert s["by_year"]["2030"]["objective_jpy_per_yr"] == pytest.approx(-294_000)
    assert s["by_year"]["2025"]["build_cost_jpy"] == pytest.approx(3_000)


def test_myopic_foresight_keeps_the_hub_it_opened_first(tmp_path):
    """The same instance decided year by year: H1 in 2025, H1 and H2 in 2030 (docstring above):
    NPV -1,948,500; roadmap.csv opens H1 in 2025 and H2 in 2030 at their build costs."""
    _, s = solve(tmp_path, two_hubs(1000, 3000), PERIODS, foresight="myopic")
    assert s["npv_cost_jpy"] == pytest.approx(-1_948_500)
    roadmap = (tmp_path / "out" / "roadmap.csv").read_text(encoding="utf-8").splitlines()
    assert roadmap[1:] == ["2025,H1,open,a,150,1000", "2030,H2,open,b,400,3000"]


def test_discounting_weighs_each_year_and_each_build(tmp_path):
    """At 10 % a year, 2025 stands for 2025-29 (W1 = sum of 1.1^-j, j = 0..4 = 4.169865) and
    2030 for 2030-34 (W2 = sum j = 5..9 = 2.589157); H2's build in 2025 is not discounted.
    Perfect opens H2 in 2025 (the myopic plan, H1 then H1 + H2, costs
    W1 x -97,500 + W2 x -293,000 + 1,000 + 3,000 x 1.1^-5 = -1,164,116, more than
    W1 x -97,000 + W2 x -294,000 + 3,000 = -1,165,688)."""
    w1 = sum(1.1**-j for j in range(5))
    w2 = sum(1.1**-j for j in range(5, 10))
    settings = {"periods": {**PERIODS["periods"], "discount_rate": 0.1}}
    _, s = solve(tmp_path, two_hubs(1000, 3000), settings)
    assert s["npv_cost_jpy"] == pytest.approx(w1 * -97_000 + w2 * -294_000 + 3_000)
    myopic = w1 * -97_500 + w2 * -293_000 + 1_000 + 3_000 * 1.1**-5
    assert s["myopia_cost_jpy"] == pytest.approx(myopic - s["npv_cost_jpy"])


def test_a_hub_grows_and_pays_only_the_difference(tmp_path):
    """One hub H with levels small (150 t, 1,000 JPY/yr, build 2,000) and large (400 t,
    1,500 JPY/yr, build 5,000). 2025: small, -97,500 a year. 2030: large takes 300 t,
    -295,500 + 1,500 = -294,000; the expansion pays 5,000 - 2,000 = 3,000.
    NPV = 5 x -97,500 + 5 x -294,000 + 2,000 + 3,000 = -1,952,500 (large from 2025 would
    cost 5 x -97,000 + 5 x -294,000 + 5,000 = -1,950,000)."""
    t = two_hubs()
    t["sites"] = [site("S", "source"), site("H", "hub"), site("M", "smelter")]
    t["facilities"] = [hub("H"), smelter("M")]
    t["capacity_levels"] = [
        {"facility": "H", "level": "small", "capacity_t_per_yr": 150,
         "fixed_cost_jpy_per_yr": 1000, "build_cost_jpy": 2000},
        {"facility": "H", "level": "large", "capacity_t_per_yr": 400,
         "fixed_cost_jpy_per_yr": 1500, "build_cost_jpy": 5000},
    ]  # fmt: skip
    t["lanes"] = [lane("S", "H", 10), lane("H", "M", 5)]
    _, s = solve(tmp_path, t, PERIODS)
    assert s["npv_cost_jpy"] == pytest.approx(-1_952_500)
    roadmap = (tmp_path / "out" / "roadmap.csv").read_text(encoding="utf-8").splitlines()
    assert roadmap[1:] == ["2025,H,open,small,150,2000", "2030,H,expand,large,400,3000"]


def test_one_period_is_the_single_year_model(tmp_path):
    """One planning year, one year long: weight 1, so the roadmap's objective is the
    single-year optimum of the 2025 data: H1, -97,500 (the build cost 0)."""
    settings = {"periods": {"years": [2025], "last_period_years": 1}}
    _, s = solve(tmp_path, two_hubs(), settings)
    assert s["npv_cost_jpy"] == pytest.approx(-97_500)
    single = two_hubs()
    single["supply"] = single["supply"][:1]
    single_rec = run_one(
        write_instance(tmp_path / "single", single), options=RunOptions(write=False, maps=False)
    )
    assert single_rec.objective == pytest.approx(-97_500)


def test_a_supply_share_target_opens_an_unprofitable_hub(tmp_path):
    """100 t at 100 g/t hold 0.01 t of gold. H1 costs 200,000 JPY/yr against 98,500 of net
    value, so without a target nothing opens (cost 0). A target of half of a 0.01 t demand
    needs 0.005 t recovered: H1 opens, and once open takes all 100 t: 200,000 - 98,500 =
    101,500; the supply share reached is 0.01 / 0.01 = 1."""
    t = two_hubs()
    t["supply"] = t["supply"][:1]
    t["capacity_levels"] = t["capacity_levels"][:1]
    t["capacity_levels"][0]["fixed_cost_jpy_per_yr"] = 200_000
    t["facilities"] = [hub("H1"), smelter("M")]
    t["lanes"] = [lane("S", "H1", 10), lane("H1", "M", 5)]
    t["sites"] = [site("S", "source"), site("H1", "hub"), site("M", "smelter")]
    no_target = run_one(
        write_instance(tmp_path / "a", t), options=RunOptions(write=False, maps=False)
    )
    assert no_target.objective == pytest.approx(0.0)
    t["elements"][0].update(demand_t_per_yr=0.01, min_supply_share=0.5)
    rec = run_one(write_instance(tmp_path / "b", t), options=RunOptions(write=False, maps=False))
    assert rec.violations == []
    assert rec.objective == pytest.approx(101_500)
    metals = rec.solution.metals.set_index("element")
    assert metals.at["Au", "supply_share"] == pytest.approx(1.0)


def test_levels_kept_open_never_shrink(tmp_path):
    """The independent years of the two-hub roadmap pick H1 (2025) and H2 alone (2030): kept
    open, 2030 has H1 and H2."""
    from hubnet.instance import load_instance
    from hubnet.model.periods import kept_open
    from hubnet.roadmap import plan_years
    from hubnet.run import lanes_of

    folder = write_instance(tmp_path / "inst", two_hubs(), PERIODS)
    periods = [y.period for y in plan_years(load_instance(folder), lanes_of)]
    got = kept_open(periods, {(2025, "H1", "a"): 1.0, (2030, "H2", "b"): 1.0})
    assert got == {(2025, "H1", "a"): 1.0, (2030, "H1", "a"): 1.0, (2030, "H2", "b"): 1.0}
