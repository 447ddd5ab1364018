"""Roadmap instances: `Periods` arithmetic, the step rule of `Instance.at`, policy by year, and
every check of the format at each planning year. Expected values are worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import base_tables, write_instance

from hubnet.errors import InputError
from hubnet.instance import Periods, load_instance

YEARS = [2025, 2030, 2040]
ROADMAP = {"periods": {"years": YEARS}}


def problems(tmp_path, tables=None, settings=None) -> list[str]:
    folder = write_instance(tmp_path / "inst", tables, settings)
    with pytest.raises(InputError) as info:
        load_instance(folder)
    return [str(i) for i in info.value.issues]


def test_periods_lengths_weights_and_discounts_by_hand():
    p = Periods((2025, 2030), discount_rate=0.05, last_period_years=2)
    assert p.lengths() == (5, 2)
    # 2025..2029: 1 + 1/1.05 + 1/1.1025 + 1/1.157625 + 1/1.21550625
    # 2030..2031: 1/1.2762815625 + 1/1.340095640625
    assert p.weights() == pytest.approx((4.5459505, 1.5297416), abs=1e-6)
    assert p.discounts() == pytest.approx((1.0, 0.7835262), abs=1e-6)


def test_periods_without_discounting_weigh_each_period_by_its_years():
    p = Periods((2025, 2030, 2040), last_period_years=10)
    assert p.lengths() == (5, 10, 10)
    assert p.weights() == (5.0, 10.0, 10.0)
    assert p.discounts() == (1.0, 1.0, 1.0)


def stepped_tables() -> dict[str, list[dict]]:
    """Supply of S1 without a year (100 t) and from 2030 (150 t); a level XL of H1 that exists
    only from 2040; the smelter M1 retired in 2040 (a row with no existing capacity)."""
    t = base_tables()
    t["supply"].append({"site": "S1", "commodity": "pcb", "generation_t_per_yr": 150, "year": 2030})
    t["capacity_levels"].append(
        {
            "facility": "H1",
            "level": "XL",
            "capacity_t_per_yr": 400,
            "fixed_cost_jpy_per_yr": 8000,
            "build_cost_jpy": 90000,
            "year": 2040,
        }
    )
    retired = {**t["facilities"][1], "existing_capacity_t_per_yr": 0, "year": 2040}
    t["facilities"].append(retired)
    return t


def test_step_rule_by_hand(tmp_path):
    inst = load_instance(write_instance(tmp_path / "inst", stepped_tables(), ROADMAP))
    assert inst.is_roadmap and inst.periods == Periods((2025, 2030, 2040))
    # a roadmap keeps the year column (nullable integers), also in tables without one in file
    assert inst.supply["year"].dtype == "Int64"
    assert inst.supply["year"].tolist()[1] == 2030 and pd.isna(inst.supply["year"].iloc[0])
    assert inst.sites["year"].isna().all()
    want = {  # year -> (S1 generation, levels of H1, M1 existing capacity)
        2020: (100.0, ["L"], 1000.0),  # before the first planning year: rows without a year
        2025: (100.0, ["L"], 1000.0),
        2030: (150.0, ["L"], 1000.0),
        2035: (150.0, ["L"], 1000.0),  # between planning years: the 2030 rows still hold
        2040: (150.0, ["L", "XL"], 0.0),
    }
    for year, (gen, levels, cap) in want.items():
        at = inst.at(year)
        assert not at.is_roadmap and at.periods is None
        assert "year" not in at.supply.columns and "year" not in at.facilities.columns
        assert at.supply["generation_t_per_yr"].tolist() == [gen]
        assert at.capacity_levels["level"].tolist() == levels
        m1 = at.facilities[at.facilities["site"] == "M1"]
        assert m1["existing_capacity_t_per_yr"].tolist() == [cap]
    assert inst.at(2040).capacity_levels["build_cost_jpy"].tolist() == [0.0, 90000.0]


def test_policy_from_year_holds_until_a_later_year_sets_the_same_key(tmp_path):
    settings = {
        **ROADMAP,
        "policy": {
            "co2_price_jpy_per_t": 100,
            "import_permits_t_per_yr": {"eu": 40, "asean": 60},
            "from_year": {
                "2030": {"co2_price_jpy_per_t": 10000, "co2_cap_t_per_yr": 5},
                "2040": {"import_permits_t_per_yr": {"eu": 0}},
            },
        },
    }
    inst = load_instance(write_instance(tmp_path / "inst", None, settings))
    assert inst.policy.co2_price_jpy_per_t == 100  # the base policy is the first year's
    p25, p30, p40 = (inst.at(y).policy for y in YEARS)
    assert (p25.co2_price_jpy_per_t, p25.co2_cap_t_per_yr) == (100, None)
    assert (p30.co2_price_jpy_per_t, p30.co2_cap_t_per_yr) == (10000, 5)
    assert p30.import_permits_t_per_yr == {"eu": 40, "asean": 60}
    assert (p40.co2_price_jpy_per_t, p40.co2_cap_t_per_yr) == (10000, 5)
    assert p40.import_permits_t_per_yr == {"eu": 0, "asean": 60}
    assert inst.at(2040).policy_from_year == {}


def test_a_single_year_instance_has_no_year_column_and_is_its_own_view(tmp_path):
    inst = load_instance(write_instance(tmp_path / "inst"))
    assert not inst.is_roadmap and inst.periods is None
    assert all("year" not in inst.table(n).columns for n in ("supply", "facilities", "sites"))
    assert inst.at(2030) is inst


@pytest.mark.parametrize(
    ("periods", "column", "expected"),
    [
        ({"years": [2030, 2025]}, "years", "ascending, unique integers"),
        ({"years": [2025, 2025]}, "years", "ascending, unique integers"),
        ({"years": [2025, 2030.5]}, "years", "ascending, unique integers"),
        ({"years": []}, "years", "ascending, unique integers"),
        ({"discount_rate": 0.03}, "years", "a list of planning years"),
        ({"years": [2025], "discount_rate": 1.0}, "discount_rate", "a number 0 <= r < 1"),
        ({"years": [2025], "discount_rate": -0.1}, "discount_rate", "a number 0 <= r < 1"),
        ({"years": [2025], "last_period_years": 0}, "last_period_years", "an integer >= 1"),
        ({"years": [2025], "last_period_years": 2.5}, "last_period_years", "an integer >= 1"),
        ({"years": [2025], "foresight": "clairvoyant"}, "foresight", "one of perfect, myopic"),
        ({"years": [2025], "horizon": 3}, "horizon", "a known key (years, discount_rate"),
    ],
)
def test_bad_periods(tmp_path, periods, column, expected):
    [msg] = problems(tmp_path, None, {"periods": periods})
    assert msg.startswith(f"instance.toml, column 'periods.{column}'")
    assert expected in msg


def test_a_year_column_without_periods(tmp_path):
    # the three tables given a year column, each named at its header row
    msgs = problems(tmp_path, stepped_tables())
    assert msgs == [
        f"{f}.csv, row 1, column 'year'; expected no year column: instance.toml has no "
        "[periods] section listing the years"
        for f in ("supply", "facilities", "capacity_levels")
    ]


def test_a_from_year_section_without_periods(tmp_path):
    settings = {"policy": {"from_year": {"2030": {"co2_price_jpy_per_t": 1}}}}
    [msg] = problems(tmp_path, None, settings)
    assert msg == (
        "instance.toml, column '[policy.from_year]'; expected a [periods] section listing the "
        "planning years (from_year needs them)"
    )


def test_bad_from_year_sections(tmp_path):
    settings = {
        **ROADMAP,
        "policy": {
            "from_year": {
                "soon": {"co2_price_jpy_per_t": 1},
                "2030": {"co2_price_jpy_per_t": -1, "carbon_tax": 3},
            }
        },
    }
    msgs = problems(tmp_path, None, settings)
    assert msgs[0] == (
        "instance.toml, column '[policy.from_year.soon]': got 'soon'; expected an integer "
        "year, e.g. 2030"
    )
    assert msgs[1].startswith(
        "instance.toml, column 'policy.from_year.2030.co2_price_jpy_per_t': got -1; expected "
        "a non-negative number"
    )
    assert msgs[2].startswith("instance.toml, column 'policy.from_year.2030.carbon_tax'")
    assert len(msgs) == 3


@pytest.mark.parametrize("year", ["20x0", "2030.5", "-2030"])
def test_a_non_integer_year(tmp_path, year):
    t = base_tables()
    t["supply"][0]["year"] = year
    [msg] = problems(tmp_path, t, ROADMAP)
    assert msg == (
        f"supply.csv, row 2, column 'year': got '{year}'; expected an integer year "
        "(e.g. 2030), or empty"
    )


def test_a_key_twice_in_one_year(tmp_path):
    t = stepped_tables()
    t["supply"].append({"site": "S1", "commodity": "pcb", "generation_t_per_yr": 7, "year": 2030})
    [msg] = problems(tmp_path, t, ROADMAP)
    assert msg == (
        "supply.csv, row 4, column 'site+commodity+year': got 'S1 / pcb / 2030'; expected a "
        "unique site + commodity + year (this one appears earlier)"
    )


def test_a_row_of_a_later_year_naming_a_missing_site_is_reported_at_its_file_row(tmp_path):
    t = stepped_tables()
    t["supply"].append({"site": "S9", "commodity": "pcb", "generation_t_per_yr": 5, "year": 2040})
    [msg] = problems(tmp_path, t, ROADMAP)
    assert msg == (
        "supply.csv, row 4, column 'site': got 'S9'; expected an id listed in sites.csv (id) "
        "(at planning year 2040)"
    )


def test_cross_table_checks_hold_at_each_planning_year(tmp_path):
    """H1 is a facility only from 2030, but its level has no year: in 2025 the level names a
    facility that does not exist yet (and supply has no hub to go to)."""
    t = base_tables()
    t["facilities"][0]["year"] = 2030
    msgs = problems(tmp_path, t, ROADMAP)
    assert msgs == [
        "capacity_levels.csv, row 2, column 'facility': got 'H1'; expected an id listed in "
        "facilities.csv (site) (at planning year 2025)",
        "commodities.csv, row 2, column 'id': got 'pcb'; expected a hub in facilities.csv "
        "accepting it (at planning year 2025)",
    ]


def test_an_issue_of_every_year_is_reported_once_without_a_year(tmp_path):
    t = base_tables()
    t["supply"][0]["site"] = "S9"
    [msg] = problems(tmp_path, t, ROADMAP)
    assert msg == (
        "supply.csv, row 2, column 'site': got 'S9'; expected an id listed in sites.csv (id)"
    )


def test_new_columns_are_validated(tmp_path):
    t = base_tables()
    t["capacity_levels"][0]["build_cost_jpy"] = -1
    t["elements"][0].update(demand_t_per_yr=-2, min_supply_share=1.5)
    msgs = problems(tmp_path, t)
    assert msgs == [
        "elements.csv, row 2, column 'demand_t_per_yr': got '-2'; expected a non-negative number",
        "elements.csv, row 2, column 'min_supply_share': got '1.5'; expected a share between "
        "0 and 1",
        "capacity_levels.csv, row 2, column 'build_cost_jpy': got '-1'; expected a "
        "non-negative number",
    ]


def test_new_columns_default_to_no_cost_and_no_target(tmp_path):
    inst = load_instance(write_instance(tmp_path / "inst"))
    assert inst.capacity_levels["build_cost_jpy"].tolist() == [0.0]
    assert inst.elements[["demand_t_per_yr", "min_supply_share"]].isna().all().all()


def test_observed_keeps_its_own_year_column_in_a_roadmap(tmp_path):
    """observed.csv's year is the figure's (e.g. FY2020), not a planning year."""
    t = base_tables()
    figure = {"quantity": "collected", "observed_t_per_yr": 90, "low_t_per_yr": 80}
    figure.update(high_t_per_yr=100, year="FY2020", source="a survey")
    t["observed"] = [{"id": "c1", **figure}, {"id": "c2", **figure}]
    inst = load_instance(write_instance(tmp_path / "inst", t, ROADMAP))
    assert inst.at(2030).observed["year"].tolist() == ["FY2020", "FY2020"]
    t["observed"][1]["id"] = "c1"  # one id twice, though the year is the same: still an error
    [msg] = problems(tmp_path, t, ROADMAP)
    assert msg.startswith("observed.csv, row 3, column 'id': got 'c1'; expected a unique id")
