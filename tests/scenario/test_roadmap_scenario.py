"""Scenarios on roadmap instances: [periods] keys, [policy.from_year.Y] sections, and table
overrides of one year's rows. Expected values are written out by hand from the tables below."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest
from builders import base_tables, write_instance

from hubnet.errors import ScenarioError
from hubnet.instance import Instance, Periods, load_instance
from hubnet.scenario import apply, expand, load

ROADMAP = {"periods": {"years": [2025, 2030, 2040], "discount_rate": 0.03}}


@pytest.fixture
def roadmap(tmp_path) -> Instance:
    """S1 generates 100 t (no year) and 150 t from 2030; permits eu 40 from the start."""
    t = base_tables()
    t["supply"].append({"site": "S1", "commodity": "pcb", "generation_t_per_yr": 150, "year": 2030})
    settings = {**ROADMAP, "policy": {"import_permits_t_per_yr": {"eu": 40}}}
    return load_instance(write_instance(tmp_path / "inst", t, settings))


def applied(inst: Instance, tmp_path: Path, text: str) -> Instance:
    before = {n: inst.table(n).copy(deep=True) for n in ("supply", "capacity_levels")}
    before_from_year = copy.deepcopy(inst.policy_from_year)
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    out = apply(inst, load(path))
    for name, df in before.items():  # the input is untouched
        pd.testing.assert_frame_equal(inst.table(name), df)
    assert inst.policy_from_year == before_from_year
    return out


def errors(inst: Instance, tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        applied(inst, tmp_path, text)
    return [str(i) for i in info.value.issues]


def test_periods_keys_as_a_section_and_in_set(roadmap, tmp_path):
    out = applied(
        roadmap,
        tmp_path,
        "[periods]\nyears = [2025, 2035]\nlast_period_years = 5\n\n"
        '[set]\n"periods.foresight" = "myopic"\n',
    )
    assert out.periods == Periods((2025, 2035), 0.03, 5, "myopic")
    assert roadmap.periods == Periods((2025, 2030, 2040), 0.03)


def test_policy_from_year_sections_add_to_the_instance(roadmap, tmp_path):
    text = (
        "[policy.from_year.2030]\nco2_price_jpy_per_t = 10000\n"
        "[policy.from_year.2040.import_permits_t_per_yr]\neu = 0\n"
    )
    out = applied(roadmap, tmp_path, text)
    policies = [out.at(y).policy for y in (2025, 2030, 2040)]
    assert [p.co2_price_jpy_per_t for p in policies] == [0.0, 10000.0, 10000.0]
    assert [p.import_permits_t_per_yr for p in policies] == [{"eu": 40}, {"eu": 40}, {"eu": 0}]


def test_a_discount_rate_sweep_but_years_are_never_one(roadmap, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        '[set]\n"periods.discount_rate" = [0.0, 0.05]\n[periods]\nyears = [2025, 2030]\n'
    )
    runs = expand(path)
    assert [r.name for r in runs] == ["s__discount_rate=0", "s__discount_rate=0.05"]
    assert [apply(roadmap, r).periods.discount_rate for r in runs] == [0.0, 0.05]


def test_update_changes_the_row_of_one_year_only(roadmap, tmp_path):
    text = (
        '[[update]]\ntable = "supply"\ncolumn = "generation_t_per_yr"\nvalue = 175\n'
        'where = { site = "S1", year = 2030 }\n'
    )
    out = applied(roadmap, tmp_path, text)
    gen = [out.at(y).supply["generation_t_per_yr"].tolist() for y in (2025, 2030, 2040)]
    assert gen == [[100.0], [175.0], [175.0]]
    assert out.supply["year"].dtype == "Int64"


def test_add_site_with_a_level_from_a_later_year(roadmap, tmp_path):
    text = """
[[add_site]]
id = "H2"
name = "Hub 2"
kind = "hub"
lat = 35.2
lon = 135.2
facility = { role = "hub", processing_cost_jpy_per_t = 12, accepts = "pcb" }
levels = [{ level = "small", capacity_t_per_yr = 60, fixed_cost_jpy_per_yr = 2000, year = 2040 }]
"""
    out = applied(roadmap, tmp_path, text)
    assert out.capacity_levels["year"].dtype == "Int64"
    levels = {y: out.at(y).capacity_levels["facility"].tolist() for y in (2030, 2040)}
    assert levels == {2030: ["H1"], 2040: ["H1", "H2"]}


def test_an_override_breaking_a_later_year_names_the_year(roadmap, tmp_path):
    text = '[[update]]\ntable = "supply"\ncolumn = "site"\nvalue = "S9"\nwhere = { year = 2030 }\n'
    [msg] = errors(roadmap, tmp_path, text)
    assert msg == (
        "s.toml, column 'supply.site': got 'S9'; expected an id listed in sites.csv (id) (at "
        "planning year 2030, 2040) (after applying the scenario: supply.csv row 3)"
    )


def test_bad_periods_in_a_scenario(roadmap, tmp_path):
    [msg] = errors(roadmap, tmp_path, "[periods]\ndiscount_rate = 1.5\n")
    assert msg == (
        "s.toml, column 'periods.discount_rate': got 1.5; expected a number 0 <= r < 1 "
        "(periods.discount_rate)"
    )
    [msg] = errors(roadmap, tmp_path, "[periods]\nhorizon = 3\n")
    assert msg.startswith("s.toml, column 'periods.horizon': got 'horizon'; expected a key of")


def test_from_year_on_a_single_year_instance_needs_periods(tmp_path):
    inst = load_instance(write_instance(tmp_path / "inst"))
    [msg] = errors(inst, tmp_path, "[policy.from_year.2030]\nco2_price_jpy_per_t = 1\n")
    assert msg == (
        "s.toml, column 'policy.from_year.2030.co2_price_jpy_per_t'; expected [periods] in "
        "the instance or the scenario"
    )


def test_a_scenario_may_make_a_roadmap_of_a_single_year_instance(tmp_path):
    inst = load_instance(write_instance(tmp_path / "inst"))
    text = "[periods]\nyears = [2025, 2030]\n[policy.from_year.2030]\nco2_price_jpy_per_t = 5\n"
    out = applied(inst, tmp_path, text)
    assert out.is_roadmap and out.supply["year"].isna().all()
    assert out.at(2030).policy.co2_price_jpy_per_t == 5.0
    assert out.at(2025).supply.equals(inst.supply)


def test_policy_settings_other_than_from_year_go_in_set(roadmap, tmp_path):
    [msg] = errors(roadmap, tmp_path, "[policy]\nco2_price_jpy_per_t = 1\n")
    assert msg == (
        "s.toml, column '[policy]'; expected only [policy.from_year.<year>] sections (other "
        "policy settings: [set])"
    )
