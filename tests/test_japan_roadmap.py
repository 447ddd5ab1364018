"""The shipped roadmap instance: its base year is japan, later years follow the sources."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

from hubnet.instance import load_instance
from hubnet.scenario import apply_scenario_file

ROOT = Path(__file__).resolve().parents[1]
ROADMAP = ROOT / "instances" / "japan-roadmap"
JAPAN = ROOT / "instances" / "japan"


@pytest.fixture(scope="module")
def roadmap():
    return load_instance(ROADMAP)


def per_head_share(inst, year: int, site: str) -> float:
    """A prefecture's share of a per-head grade: its population share that year."""
    s = inst.at(year).supply
    s = s[s.commodity == "pcb_low"].set_index("site").generation_t_per_yr
    return float(s[site] / s.sum())


def test_the_first_year_is_the_calibrated_base_year(roadmap):
    base, first = load_instance(JAPAN), roadmap.at(2025)
    assert roadmap.periods.years == (2025, 2030, 2035, 2040, 2050)
    assert roadmap.periods.discount_rate == 0.04  # MLIT cost-benefit manuals
    assert roadmap.periods.last_period_years == 10
    assert first.policy == base.policy and first.collection == base.collection
    for name in ("sites", "links", "supply", "facilities", "commodities", "contents", "terms"):
        pd.testing.assert_frame_equal(
            getattr(first, name).reset_index(drop=True),
            getattr(base, name).reset_index(drop=True),
            check_dtype=False,
        )


def test_capital_is_paid_once_not_also_in_the_fixed_cost(roadmap):
    # FACTS §5: a large hub costs ¥5 bn; 4 % O&M and 30 staff at ¥6 M a year operate it; the
    # single-year instance adds the annuity 5 bn x CRF 0.117 to make ¥965 M a year
    levels = roadmap.at(2025).capacity_levels.set_index(["facility", "level"])
    large = levels.loc[("hub_kobe", "large")]
    assert large.build_cost_jpy == pytest.approx(5e9)
    assert large.fixed_cost_jpy_per_yr == pytest.approx(5e9 * 0.04 + 30 * 6e6)
    base = load_instance(JAPAN).capacity_levels.set_index(["facility", "level"])
    annuity = base.loc[("hub_kobe", "large")].fixed_cost_jpy_per_yr - large.fixed_cost_jpy_per_yr
    assert annuity == pytest.approx(5e9 * 0.117, abs=1e5)


def test_prefecture_split_follows_the_ipss_projection(roadmap):
    # IPSS 2023, Table 12-6 (thousands): Tokyo 14,399 and Akita 560 of 104,686 in 2050; IPSS
    # headline: Tokyo's share rises from 11.1 % (2020) to 13.8 % (2050)
    assert per_head_share(roadmap, 2025, "src_13_tokyo") == pytest.approx(0.1114, abs=5e-4)
    assert per_head_share(roadmap, 2050, "src_13_tokyo") == pytest.approx(14399 / 104686, abs=1e-4)
    assert per_head_share(roadmap, 2050, "src_05_akita") == pytest.approx(560 / 104686, abs=1e-4)
    # every year's 47 prefectures add up to the national IPSS total (build/population_by_year)
    pop = pd.read_csv(ROADMAP / "build" / "population_by_year.csv")
    assert pop.k_2030.sum() == pytest.approx(120116, abs=1)
    assert pop.k_2050.sum() == pytest.approx(104686, abs=1)


def test_national_generation_by_year(roadmap):
    def total(year: int, grade: str) -> float:
        s = roadmap.at(year).supply
        return float(s[s.commodity == grade].generation_t_per_yr.sum())

    # per head: japan's 15 kt in 2025 x IPSS population 104,686 / 123,262 in 2050
    assert total(2050, "pcb_high") == pytest.approx(15000 * 104686 / 123262, abs=1)
    # PV waste: 4-ministry review 2022, ~22 kt in 2030, 170-280 kt at the 2035-37 peak
    assert total(2030, "pv_panels") == pytest.approx(22000, abs=1)
    assert total(2035, "pv_panels") == pytest.approx(170000, abs=1)
    # EV cells: none in the base year, ~20 kt in 2030 (Nikkei 2024-10-07)
    assert total(2025, "ev_li_ion") == 0
    assert total(2030, "ev_li_ion") == pytest.approx(20000, abs=1)


def test_new_plants_and_grades_arrive_in_their_year(roadmap):
    early, late = roadmap.at(2025), roadmap.at(2030)
    assert "sm_iwaki_lib" not in set(early.facilities.site)
    assert "ev_li_ion" not in set(early.commodities.id)
    assert "sm_iwaki_lib" in set(late.facilities.site)
    lib = late.facilities.set_index("site").accepts
    assert set(lib["sm_smm_lib"]) == {"li_ion", "ev_li_ion"}


def scenario(roadmap, name: str):
    inst, _ = apply_scenario_file(roadmap, ROADMAP / "scenarios" / f"{name}.toml")
    return inst


def share(inst, year: int, element: str) -> float:
    return inst.at(year).elements.set_index("id").at[element, "min_supply_share"]


def test_scenarios_change_their_years_only(roadmap):
    for path in sorted((ROADMAP / "scenarios").glob("*.toml")):
        apply_scenario_file(roadmap, path)  # every file applies
    target = scenario(roadmap, "self-sufficiency-2030")
    assert pd.isna(share(target, 2025, "Cu")) and pd.isna(share(roadmap, 2030, "Cu"))
    assert share(target, 2030, "Cu") == pytest.approx(0.064)
    assert share(target, 2040, "Cu") == pytest.approx(0.064)
    assert share(target, 2050, "Cu") == pytest.approx(0.080)
    assert share(target, 2035, "Pb") == pytest.approx(0.58)
    eu = scenario(roadmap, "eu-export-restriction-2030")
    assert eu.at(2025).policy.import_permits_t_per_yr["eu"] == 35000
    assert eu.at(2030).policy.import_permits_t_per_yr["eu"] == 0
    assert scenario(roadmap, "myopic").periods.foresight == "myopic"
    pv = scenario(roadmap, "pv-recycling-mandate")
    leak = {y: pv.at(y).commodities.set_index("id").at["pv_panels", "max_leakage_share"]
            for y in (2025, 2040)}  # fmt: skip
    assert pd.isna(leak[2025]) and leak[2040] == pytest.approx(0.25)


def test_municipal_roadmap_keeps_each_prefectures_total(tmp_path, roadmap):
    path = ROADMAP / "build" / "build_roadmap.py"
    spec = importlib.util.spec_from_file_location("build_roadmap", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    muni = load_instance(module.municipal_roadmap(tmp_path / "muni"))
    assert muni.periods == roadmap.periods
    got = muni.at(2050).supply.groupby("commodity").generation_t_per_yr.sum()
    want = roadmap.at(2050).supply.groupby("commodity").generation_t_per_yr.sum()
    pd.testing.assert_series_equal(got, want, atol=0.01)
    tokyo = muni.at(2050).supply
    tokyo = tokyo[tokyo.site.str.startswith("m13") & (tokyo.commodity == "pcb_low")]
    assert tokyo.generation_t_per_yr.sum() == pytest.approx(
        per_head_share(roadmap, 2050, "src_13_tokyo") * 21232, abs=1
    )


def test_its_png_is_drawn_beside_a_tiny_roadmaps_is_not(roadmap, tmp_path, monkeypatch):
    """japan-roadmap (164 sites x 5 years) draws map.png in a process of its own when maps
    are written on more than one thread; a two-year instance of a few sites does not, unless
    the threshold is lowered: then its run's map.png comes from that process (this one
    refuses to draw it)."""
    from builders import PERIODS, two_hubs, write_instance

    import hubnet.export as export
    import hubnet.run as run
    from hubnet.report import SolveOptions
    from hubnet.run import RunOptions, draws_beside

    assert draws_beside(roadmap, RunOptions())
    assert not draws_beside(roadmap, RunOptions(maps=False))
    assert not draws_beside(roadmap, RunOptions(solve=SolveOptions(threads=1)))
    folder = write_instance(tmp_path / "tiny", two_hubs(1000, 3000), PERIODS)
    assert not draws_beside(load_instance(folder), RunOptions())

    real = export._writer

    def not_png_here(fmt):  # noqa: ANN001, ANN202
        assert fmt != "png", "map.png drawn in this process"
        return real(fmt)

    monkeypatch.setattr(run, "DRAW_BESIDE_MIN_SITE_YEARS", 0)
    monkeypatch.setattr(export, "_writer", not_png_here)
    rec = run.run_one(folder, options=RunOptions(out_dir=tmp_path / "out"))
    assert rec.violations == []
    assert (tmp_path / "out" / "map.png").stat().st_size > 0
    assert (tmp_path / "out" / "map.html").exists()
