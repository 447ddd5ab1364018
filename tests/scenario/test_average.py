"""The average future (hubnet.scenario.average): every number of the futures replaced by its
weighted mean, a missing permit counted as the region's offer, rows that differ an error.

Expected values are worked out by hand from the tables below.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from builders import base_tables, write_instance

from hubnet.errors import InputError
from hubnet.instance import Instance, load_instance
from hubnet.run import prepare
from hubnet.scenario import apply, parse
from hubnet.scenario.average import average_instance, average_years

ROOT = Path(__file__).resolve().parents[2]
FILES = ["a.toml", "b.toml"]


def origin(id_: str, region: str) -> dict:
    return {"id": id_, "name": id_, "kind": "origin", "lat": 1.0, "lon": 104.0, "region": region}


def tables() -> dict[str, list[dict]]:
    """The one-hub instance of builders with three origins: O1 (asean) offers 50 t, O2 and O3
    (eu) 30 t and 20 t, so the EU offers 50 t. No permit in instance.toml."""
    t = base_tables()
    t["sites"] += [origin("O1", "asean"), origin("O2", "eu"), origin("O3", "eu")]
    t["imports"] = [
        {"site": "O1", "commodity": "pcb", "available_t_per_yr": 50, "price_jpy_per_t": 500},
        {"site": "O2", "commodity": "pcb", "available_t_per_yr": 30, "price_jpy_per_t": 700},
        {"site": "O3", "commodity": "pcb", "available_t_per_yr": 20, "price_jpy_per_t": 700},
    ]
    t["lanes"] += [
        {"origin": o, "destination": "H1", "cost_jpy_per_t": 60} for o in ("O1", "O2", "O3")
    ]
    return t


@pytest.fixture
def base(tmp_path) -> Instance:
    return load_instance(write_instance(tmp_path / "inst", tables()))


def future(inst: Instance, raw: dict, file: str = "a.toml") -> Instance:
    return apply(inst, parse(raw, file))


def messages(info: pytest.ExceptionInfo) -> list[str]:
    return [str(i) for i in info.value.issues]


def test_prices_average_by_weight(base):
    # 0.25 x 1,000 + 0.75 x 3,000 = 250 + 2,250 = 2,500; weights 1 and 3 are the same weights
    a = future(base, {"set": {"elements.price_jpy_per_kg.Au": 1000}})
    b = future(base, {"set": {"elements.price_jpy_per_kg.Au": 3000}}, "b.toml")
    for weights in ([0.25, 0.75], [1, 3]):
        avg = average_instance([a, b], weights, FILES)
        assert avg.elements["price_jpy_per_kg"].tolist() == [2500.0]
        assert avg.contents["content_g_per_t"].tolist() == [100.0]  # equal: kept
        assert avg.supply["generation_t_per_yr"].tolist() == [100.0]
    assert a.elements["price_jpy_per_kg"].tolist() == [1000.0]  # the futures are untouched


def test_a_ban_in_one_future_averages_the_offer(base):
    # EU offers 30 + 20 = 50 t; banned (0) at weight 1/2, no permit (= the offer) at 1/2: 25 t;
    # at weights 1/4 (ban) and 3/4: 0.25 x 0 + 0.75 x 50 = 37.5 t. ASEAN has no permit anywhere.
    a = future(base, {"ban": ["eu"]})
    b = future(base, {}, "b.toml")
    assert average_instance([a, b], [1, 1], FILES).policy.import_permits_t_per_yr == {"eu": 25.0}
    avg = average_instance([a, b], [0.25, 0.75], FILES)
    assert avg.policy.import_permits_t_per_yr == {"eu": 37.5}


def test_permits_and_settings_in_every_future_average(base):
    # eu 40 and 10 at 1/2 each: 25; carbon price 0 and 3,000 at 1/3, 2/3: 2,000
    a = future(base, {"set": {"policy.import_permits_t_per_yr.eu": 40}})
    raw_b = {"set": {"policy.import_permits_t_per_yr.eu": 10, "policy.co2_price_jpy_per_t": 3000}}
    b = future(base, raw_b, "b.toml")
    avg = average_instance([a, b], [0.5, 0.5], FILES)
    assert avg.policy.import_permits_t_per_yr == {"eu": 25.0}
    avg = average_instance([a, b], [1, 2], FILES)
    assert avg.policy.co2_price_jpy_per_t == pytest.approx(2000.0, rel=1e-12)


def test_a_text_that_differs_names_table_files_row_and_column(base):
    # H1 is the first facility: data row 1 is row 2 as a spreadsheet shows it
    a = future(base, {})
    update = {"table": "facilities", "column": "status", "value": "open", "where": {"site": "H1"}}
    b = future(base, {"update": [update]}, "b.toml")
    with pytest.raises(InputError) as info:
        average_instance([a, b], [1, 1], FILES)
    [msg] = messages(info)
    assert msg.startswith("facilities.csv of b.toml, row 2, column 'status': got 'open'")
    assert "'candidate' as in a.toml" in msg
    assert "the same rows in every future" in msg


def test_a_site_added_in_one_future_is_an_error(base):
    # six sites (rows 2-7); the added one is row 8 of b's sites.csv, and 7 rows of facilities
    a = future(base, {})
    hub = {
        "id": "HX",
        "name": "HX",
        "kind": "hub",
        "lat": 35.0,
        "lon": 135.2,
        "facility": {"role": "hub", "processing_cost_jpy_per_t": 0, "accepts": "*"},
    }
    b = future(base, {"add_site": [hub]}, "b.toml")
    with pytest.raises(InputError) as info:
        average_instance([a, b], [1, 1], FILES)
    msgs = messages(info)
    assert (
        "sites.csv of b.toml, row 8, column 'id': got 'HX'; expected 6 rows as in a.toml"
        in (msgs[0])
    )
    assert msgs[1].startswith("facilities.csv of b.toml, row 4, column 'site': got 'HX'")
    assert "cannot be averaged" in str(info.value)


def test_a_number_in_one_future_and_empty_in_another_is_an_error(base):
    a = future(base, {"set": {"commodities.max_leakage_share": 0.3}})
    b = future(base, {}, "b.toml")
    with pytest.raises(InputError) as info:
        average_instance([a, b], [1, 1], FILES)
    [msg] = messages(info)
    assert msg.startswith("commodities.csv of b.toml, row 2, column 'max_leakage_share'")
    assert "got 'empty'; expected 0.3 as in a.toml (a number in every future or in none" in msg


def test_settings_that_cannot_be_averaged(base):
    a = future(base, {"set": {"policy.co2_cap_t_per_yr": 500, "policy.single_sourcing": True}})
    b = future(base, {"set": {"collection.nearest_hubs": 3}}, "b.toml")
    with pytest.raises(InputError) as info:
        average_instance([a, b], [1, 1], FILES)
    msgs = messages(info)
    assert msgs == [
        "instance.toml of b.toml, column 'collection.nearest_hubs': got 3; expected empty as in "
        "a.toml (the same value in every future: the average future averages only numbers)",
        "instance.toml of b.toml, column 'policy.co2_cap_t_per_yr': got 'empty'; expected 500.0 "
        "as in a.toml (a number in every future or in none: the average future averages numbers)",
        "instance.toml of b.toml, column 'policy.single_sourcing': got False; expected True as "
        "in a.toml (the same value in every future: the average future averages only numbers)",
    ]


@pytest.mark.parametrize("bad", [0, -1.0, math.nan, math.inf])
def test_weights_must_be_positive(base, bad):
    with pytest.raises(InputError) as info:
        average_instance([base, base], [1.0, bad], FILES)
    [msg] = messages(info)
    assert msg.startswith("b.toml, column 'weight'")
    assert "a positive number" in msg


def test_one_future_is_itself(base):
    a = future(base, {"ban": ["eu"], "set": {"elements.price_jpy_per_kg.Au": 1234.5}})
    avg = average_instance([a], [0.3], ["a.toml"])
    assert avg.elements["price_jpy_per_kg"].tolist() == [1234.5]
    assert avg.policy.import_permits_t_per_yr == {"eu": 0.0}


# --- roadmaps -------------------------------------------------------------------------------

PERIODS = {"periods": {"years": [2025, 2030, 2040], "discount_rate": 0.03}}


@pytest.fixture
def roadmap(tmp_path) -> Instance:
    """The tables above as a roadmap; O2 (eu) offers 60 t from 2030, so the EU offers
    30 + 20 = 50 t in 2025 and 60 + 20 = 80 t from 2030."""
    t = tables()
    o2 = {"site": "O2", "commodity": "pcb", "available_t_per_yr": 60, "price_jpy_per_t": 700}
    t["imports"].append({**o2, "year": 2030})
    return load_instance(write_instance(tmp_path / "road", t, PERIODS))


def test_a_roadmap_averages_each_planning_year(roadmap):
    # a: EU permit 0 and carbon price 100 from 2030; b: neither (price 0, no permit = offer).
    # 2025: no permit anywhere, price 0. 2030 and 2040: eu (0 + 80) / 2 = 40, price 50.
    a = future(
        roadmap,
        {
            "policy": {
                "from_year": {
                    "2030": {"co2_price_jpy_per_t": 100, "import_permits_t_per_yr": {"eu": 0}}
                }
            }
        },
    )
    b = future(roadmap, {}, "b.toml")
    avg = average_instance([a, b], [1, 1], FILES)
    assert avg.periods == roadmap.periods
    assert avg.at(2025).policy.import_permits_t_per_yr == {}
    assert avg.at(2025).policy.co2_price_jpy_per_t == 0.0
    for y in (2030, 2040):
        assert avg.at(y).policy.import_permits_t_per_yr == {"eu": 40.0}
        assert avg.at(y).policy.co2_price_jpy_per_t == 50.0
    years = average_years([a, b], [1, 1], FILES)
    assert sorted(years) == [2025, 2030, 2040]
    assert years[2030].policy.import_permits_t_per_yr == {"eu": 40.0}
    assert years[2025].imports["available_t_per_yr"].tolist() == [50.0, 30.0, 20.0]
    assert years[2030].imports["available_t_per_yr"].tolist() == [50.0, 20.0, 60.0]


def test_a_roadmap_averages_the_rows_of_each_year(roadmap):
    # the 2030 row of O2 scaled x0.5 in a: (30 + 60) / 2 = 45 t from 2030, 30 t before
    scale = {
        "table": "imports",
        "column": "available_t_per_yr",
        "factor": 0.5,
        "where": {"site": "O2", "year": 2030},
    }
    a = future(roadmap, {"scale": [scale]})
    b = future(roadmap, {}, "b.toml")
    avg = average_instance([a, b], [1, 1], FILES)
    assert avg.at(2025).imports["available_t_per_yr"].tolist() == [50.0, 30.0, 20.0]
    assert avg.at(2030).imports["available_t_per_yr"].tolist() == [50.0, 20.0, 45.0]


def test_roadmaps_with_other_periods_cannot_be_averaged(roadmap):
    a = future(roadmap, {})
    b = future(roadmap, {"periods": {"foresight": "myopic"}}, "b.toml")
    with pytest.raises(InputError) as info:
        average_instance([a, b], [1, 1], FILES)
    [msg] = messages(info)
    assert msg == (
        "instance.toml of b.toml, column 'periods': got 'years 2025, 2030, 2040, discount rate "
        "0.03, last period 1 years, foresight myopic'; expected years 2025, 2030, 2040, "
        "discount rate 0.03, last period 1 years, foresight perfect as in a.toml (the same "
        "planning years in every future)"
    )


# --- the shipped futures --------------------------------------------------------------------

#: the weights futures/README.md proposes, by file
JAPAN_WEIGHTS = {
    "central.toml": 0.4,
    "low-metal-prices.toml": 0.15,
    "high-metal-prices.toml": 0.15,
    "eu-restriction.toml": 0.15,
    "fast-ev-wave.toml": 0.15,
}


def test_the_japan_futures_average():
    # EU permit 35,000 t in every future but eu-restriction (0): 0.85 x 35,000 = 29,750 t.
    # Gold (JPY/kg, the scenarios' figures): 0.7 x 15,191,227.8 + 0.15 x 11,091,999.3
    # + 0.15 x 19,290,433.6 = 15,191,224.395. Li-ion in Tokyo x3 at weight 0.15: x1.3.
    folder = ROOT / "instances" / "japan"
    files = list(JAPAN_WEIGHTS)
    futures = [prepare(folder, folder / "futures" / f)[0] for f in files]
    avg = average_instance(futures, list(JAPAN_WEIGHTS.values()), files)
    assert avg.policy.import_permits_t_per_yr["eu"] == pytest.approx(29750.0, rel=1e-12)
    assert avg.policy.import_permits_t_per_yr["asean"] == 30000.0
    au = avg.elements.set_index("id").loc["Au", "price_jpy_per_kg"]
    assert au == pytest.approx(15191224.395, rel=1e-12)
    central = futures[0].supply.set_index(["site", "commodity"])["generation_t_per_yr"]
    got = avg.supply.set_index(["site", "commodity"])["generation_t_per_yr"]
    key = ("src_13_tokyo", "li_ion")
    assert got[key] == pytest.approx(1.3 * central[key], rel=1e-12)


def test_the_japan_roadmap_futures_average():
    # EV cells in 2050: the central C in four futures, 2C (fast) and C/2 (slow), at the README's
    # weights 0.3 + 3 x 0.15, 0.1 and 0.15: (0.75 + 0.2 + 0.075) C = 1.025 C (C about 160 kt).
    # EU permit 35 kt in 2025; from 2030 0 at weight 0.15: 0.85 x 35 = 29.75 kt.
    weights = {
        "central.toml": 0.3,
        "low-metal-prices.toml": 0.15,
        "high-metal-prices.toml": 0.15,
        "eu-restriction-2030.toml": 0.15,
        "fast-ev-wave.toml": 0.1,
        "slow-ev-wave.toml": 0.15,
    }
    folder = ROOT / "instances" / "japan-roadmap"
    files = list(weights)
    futures = [prepare(folder, folder / "futures" / f)[0] for f in files]
    avg = average_instance(futures, list(weights.values()), files)

    def ev(inst: Instance) -> float:
        supply = inst.at(2050).supply
        return supply.loc[supply["commodity"] == "ev_li_ion", "generation_t_per_yr"].sum()

    assert ev(futures[0]) == pytest.approx(160_000, rel=1e-3)  # rounded by prefecture
    assert ev(avg) == pytest.approx(1.025 * ev(futures[0]), rel=1e-12)
    assert avg.at(2025).policy.import_permits_t_per_yr["eu"] == 35000.0
    assert avg.at(2030).policy.import_permits_t_per_yr["eu"] == pytest.approx(29750.0)
