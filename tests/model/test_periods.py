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


def one_hub(levels: list[dict], supply: list[dict]) -> dict:
    """Source S, one candidate hub H, smelter M: every tonne through H nets 985 JPY."""
    t = two_hubs()
    t["sites"] = [site("S", "source"), site("H", "hub"), site("M", "smelter")]
    t["facilities"] = [hub("H"), smelter("M")]
    t["capacity_levels"] = [{"facility": "H", **lv} for lv in levels]
    t["supply"] = [{"site": "S", "commodity": "pcb", **row} for row in supply]
    t["lanes"] = [lane("S", "H", 10), lane("H", "M", 5)]
    return t


def test_a_level_listed_from_a_later_year_cannot_be_built_before(tmp_path):
    """300 t a year in both years; H's small level (150 t, 1,000 JPY/yr) is there from the
    start, its large one (400 t, 1,500 JPY/yr) only from 2030 (its lead time).
    2025: small only, 150 t: -985 x 150 + 1,000 = -146,750. 2030: large, 300 t:
    -985 x 300 + 1,500 = -294,000. NPV 5 x -146,750 + 5 x -294,000 = -2,203,750; were large
    open in 2025 too, it would be 10 x -294,000 = -2,940,000."""
    t = one_hub(
        [
            {"level": "small", "capacity_t_per_yr": 150, "fixed_cost_jpy_per_yr": 1000},
            {"level": "large", "capacity_t_per_yr": 400, "fixed_cost_jpy_per_yr": 1500,
             "year": 2030},
        ],
        [{"generation_t_per_yr": 300}],
    )  # fmt: skip
    _, s = solve(tmp_path / "late", t, PERIODS)
    assert s["npv_cost_jpy"] == pytest.approx(-2_203_750)
    assert s["by_year"]["2025"]["objective_jpy_per_yr"] == pytest.approx(-146_750)
    roadmap = (tmp_path / "late" / "out" / "roadmap.csv").read_text(encoding="utf-8")
    assert roadmap.splitlines()[1:] == ["2025,H,open,small,150,0", "2030,H,expand,large,400,0"]
    del t["capacity_levels"][1]["year"]
    _, early = solve(tmp_path / "early", t, PERIODS)
    assert early["npv_cost_jpy"] == pytest.approx(-2_940_000)


def test_an_existing_hub_that_retires_is_replaced(tmp_path):
    """100 t a year; hub HE has 1,000 t already (no fixed cost) until its 2030 row sets its
    existing capacity to 0. Candidate H2 (400 t, 1,500 JPY/yr, build 2,000) is not worth
    opening while HE stands. 2025: through HE, -985 x 100 = -98,500. 2030: H2 opens (leaving
    the 100 t uncollected would cost 0 > -97,000): -98,500 + 1,500 = -97,000, build 2,000.
    NPV 5 x -98,500 + 5 x -97,000 + 2,000 = -975,500; roadmap.csv retires HE in 2030."""
    t = two_hubs(build_h2=2000)
    t["sites"][1] = site("HE", "hub")
    t["facilities"] = [
        hub("HE", existing=1000),
        {**hub("HE"), "year": 2030},
        hub("H2"),
        smelter("M"),
    ]
    t["capacity_levels"] = t["capacity_levels"][1:]
    t["supply"] = t["supply"][:1]
    t["lanes"] = [lane("S", "HE", 10), lane("S", "H2", 10), lane("HE", "M", 5), lane("H2", "M", 5)]
    _, s = solve(tmp_path, t, PERIODS)
    assert s["npv_cost_jpy"] == pytest.approx(-975_500)
    assert s["by_year"]["2030"]["objective_jpy_per_yr"] == pytest.approx(-97_000)
    roadmap = (tmp_path / "out" / "roadmap.csv").read_text(encoding="utf-8").splitlines()
    assert sorted(roadmap[1:]) == ["2030,H2,open,b,400,2000", "2030,HE,retire,,0,0"]


def test_a_target_binds_only_from_its_year(tmp_path):
    """The unprofitable hub of the supply-share test (H1: 200,000 JPY/yr against 98,500 of net
    value from 100 t), with Au's target (half of a 0.01 t demand) on a row from 2030 only.
    2025: nothing opens, 0. 2030: H1 opens and takes all 100 t, 101,500 (see above).
    NPV 5 x 0 + 5 x 101,500 = 507,500 (the target in both years: 1,015,000)."""
    t = one_hub(
        [{"level": "a", "capacity_t_per_yr": 150, "fixed_cost_jpy_per_yr": 200_000}],
        [{"generation_t_per_yr": 100}],
    )
    target = {**t["elements"][0], "demand_t_per_yr": 0.01, "min_supply_share": 0.5}
    t["elements"].append({**target, "year": 2030})
    _, s = solve(tmp_path, t, PERIODS)
    assert s["by_year"]["2025"]["objective_jpy_per_yr"] == pytest.approx(0.0, abs=1e-6)
    assert s["by_year"]["2030"]["objective_jpy_per_yr"] == pytest.approx(101_500)
    assert s["npv_cost_jpy"] == pytest.approx(507_500)
    roadmap = (tmp_path / "out" / "roadmap.csv").read_text(encoding="utf-8").splitlines()
    assert roadmap[1:] == ["2030,H,open,a,150,0"]


THREE = {"periods": {"years": [2025, 2030, 2035], "last_period_years": 5}}
GROWING = [
    {"generation_t_per_yr": 10},
    {"generation_t_per_yr": 100, "year": 2030},
    {"generation_t_per_yr": 300, "year": 2035},
]


@pytest.mark.parametrize("rate", [0.0, 0.1])
def test_three_years_build_early_or_late_as_discounting_says(tmp_path, rate):
    """H (400 t, 1,000 JPY/yr, build 200,000) for 10, 100, 300 t in 2025, 2030, 2035: open,
    it saves 985 x t - 1,000 a year: 8,850, 97,500, 294,500. Weights W (years 0-4, 5-9,
    10-14 discounted) and build discounts d = 1, 1.1^-5, 1.1^-10.
    Undiscounted, building in 2025 rather than 2030 gains 5 x 8,850 at no extra build cost:
    NPV -5 x (8,850 + 97,500 + 294,500) + 200,000 = -1,804,250.
    At 10 %, building in 2030 pays 200,000 x (1 - 1.1^-5) = 75,816 less for 8,850 x W1 =
    36,903 less saved: NPV -(97,500 W2 + 294,500 W3) + 200,000 x 1.1^-5 = -601,716 (2025:
    -562,803; 2035: -396,348; never: 0)."""
    w = [sum((1 + rate) ** -j for j in range(k, k + 5)) for k in (0, 5, 10)]
    d = [(1 + rate) ** -k for k in (0, 5, 10)]
    t = one_hub(
        [{"level": "a", "capacity_t_per_yr": 400, "fixed_cost_jpy_per_yr": 1000,
          "build_cost_jpy": 200_000}],
        GROWING,
    )  # fmt: skip
    settings = {"periods": {**THREE["periods"], "discount_rate": rate}}
    _, s = solve(tmp_path, t, settings)
    saved = [8_850, 97_500, 294_500]
    first = 0 if rate == 0.0 else 1
    npv = -sum(w[k] * saved[k] for k in range(first, 3)) + 200_000 * d[first]
    assert s["npv_cost_jpy"] == pytest.approx(npv)
    assert s["npv_cost_jpy"] == pytest.approx(-1_804_250 if rate == 0.0 else -601_716, abs=1)
    roadmap = (tmp_path / "out" / "roadmap.csv").read_text(encoding="utf-8").splitlines()
    assert roadmap[1:] == [f"{2025 + 5 * first},H,open,a,400,200000"]
