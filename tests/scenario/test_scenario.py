"""Scenario files: each override changes exactly what it names; bad ones say where they are.

Expected values are written out by hand from the tables below, never read back from the
code under test.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from builders import base_tables, write_instance
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubnet.errors import ScenarioError
from hubnet.instance import Instance, load_instance
from hubnet.instance.schema import TABLES
from hubnet.report import SolveOptions
from hubnet.run import RunOptions, check_folder, prepare, run_one
from hubnet.scenario import Scenario, apply, apply_scenario_file, expand, load, parse

PERMITS = {"asean": 60.0, "eu": 40.0}


def rich_tables() -> dict[str, list[dict]]:
    """The one-hub instance of builders plus two regions of sources, two origins, a second
    commodity and an element price per kg that is easy to scale."""
    t = base_tables()
    t["sites"][0]["region"] = "kansai"
    t["sites"] += [
        {"id": "S2", "name": "Source 2", "kind": "source", "lat": 35.6, "lon": 139.7,
         "region": "kanto"},
        {"id": "O1", "name": "Singapore", "kind": "origin", "lat": 1.2, "lon": 103.8,
         "country": "SG", "region": "asean"},
        {"id": "O2", "name": "Rotterdam", "kind": "origin", "lat": 51.9, "lon": 4.4,
         "country": "NL", "region": "eu"},
    ]  # fmt: skip
    t["commodities"].append({"id": "bat", "name": "Batteries", "hub_yield_share": 0.5})
    t["supply"] += [
        {"site": "S2", "commodity": "pcb", "generation_t_per_yr": 40},
        {"site": "S1", "commodity": "bat", "generation_t_per_yr": 20},
    ]
    t["facilities"][0]["accepts"] = "pcb;bat"
    t["facilities"][1]["accepts"] = "pcb;bat"
    t["imports"] = [
        {"site": "O1", "commodity": "pcb", "available_t_per_yr": 50, "price_jpy_per_t": 500},
        {"site": "O2", "commodity": "pcb", "available_t_per_yr": 30, "price_jpy_per_t": 700},
    ]
    t["lanes"] += [
        {"origin": "S2", "destination": "H1", "cost_jpy_per_t": 30},
        {"origin": "O1", "destination": "H1", "cost_jpy_per_t": 60},
        {"origin": "O2", "destination": "H1", "cost_jpy_per_t": 90},
    ]
    return t


@pytest.fixture()
def inst(tmp_path) -> Instance:
    folder = write_instance(
        tmp_path / "inst",
        rich_tables(),
        {"policy": {"import_permits_t_per_yr": PERMITS}, "collection": {"max_collection_km": 800}},
    )
    return load_instance(folder)


def scen(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(instance: Instance) -> dict:
    """Deep copies of everything a scenario could touch (to prove the input is untouched)."""
    out = {t.name: instance.table(t.name).copy(deep=True) for t in TABLES}
    out["collection"] = copy.deepcopy(instance.collection)
    out["policy"] = copy.deepcopy(instance.policy)
    return out


def same_except(before: Instance, after: Instance, *changed: str) -> None:
    """Every table and setting not named in `changed` is equal between the two."""
    for t in TABLES:
        if t.name not in changed:
            pd.testing.assert_frame_equal(before.table(t.name), after.table(t.name))
    if "collection" not in changed:
        assert before.collection == after.collection
    if "policy" not in changed:
        assert before.policy == after.policy


def applied(inst: Instance, path: Path) -> Instance:
    before = snapshot(inst)
    out = apply(inst, load(path))
    for t in TABLES:  # the input instance is never mutated
        pd.testing.assert_frame_equal(inst.table(t.name), before[t.name])
    assert inst.collection == before["collection"] and inst.policy == before["policy"]
    return out


# ----------------------------------------------------------------------------- each override


def test_set_a_policy_value_and_a_collection_setting(inst, tmp_path):
    out = applied(
        inst,
        scen(
            tmp_path,
            '[set]\n"policy.co2_price_jpy_per_t" = 12000\n'
            '"collection.reach_loss_per_100_km" = 0.05\n',
        ),
    )
    assert out.policy.co2_price_jpy_per_t == 12000.0
    assert out.policy.import_permits_t_per_yr == PERMITS
    assert out.collection.reach_loss_per_100_km == 0.05
    assert out.collection.max_collection_km == 800.0
    same_except(inst, out, "policy", "collection")


def test_set_empty_clears_an_optional_setting(inst, tmp_path):
    out = applied(inst, scen(tmp_path, '[set]\n"collection.max_collection_km" = ""\n'))
    assert out.collection.max_collection_km is None
    same_except(inst, out, "collection")


def test_permit_caps_one_region_and_ban_sets_zero(inst, tmp_path):
    out = applied(inst, scen(tmp_path, '[set]\n"policy.import_permits_t_per_yr.asean" = 25\n'))
    assert out.policy.import_permits_t_per_yr == {"asean": 25.0, "eu": 40.0}
    same_except(inst, out, "policy")
    out = applied(inst, scen(tmp_path, 'ban = ["eu"]\n'))
    assert out.policy.import_permits_t_per_yr == {"asean": 60.0, "eu": 0.0}
    assert out.policy.co2_price_jpy_per_t == inst.policy.co2_price_jpy_per_t
    same_except(inst, out, "policy")


def test_set_a_column_for_every_row_then_one_row_wins(inst, tmp_path):
    # the per-row key is written first: the more specific key still wins
    out = applied(
        inst,
        scen(
            tmp_path,
            '[set]\n"commodities.max_leakage_share.bat" = 0.4\n'
            '"commodities.max_leakage_share" = 0.1\n',
        ),
    )
    assert out.commodities.set_index("id")["max_leakage_share"].to_dict() == {
        "pcb": 0.1,
        "bat": 0.4,
    }
    rest = ["id", "name", "hub_yield_share", "leakage_penalty_jpy_per_t"]
    pd.testing.assert_frame_equal(out.commodities[rest], inst.commodities[rest])
    same_except(inst, out, "commodities")


def test_scale_import_availability_of_one_region(inst, tmp_path):
    out = applied(
        inst,
        scen(
            tmp_path,
            '[[scale]]\ntable = "imports"\ncolumn = "available_t_per_yr"\nfactor = 1.5\n'
            'where = { region = "asean" }\n',
        ),
    )
    got = out.imports.set_index("site")["available_t_per_yr"].to_dict()
    assert got == {"O1": 75.0, "O2": 30.0}  # 50 x 1.5; Rotterdam (eu) unchanged
    pd.testing.assert_series_equal(out.imports["price_jpy_per_t"], inst.imports["price_jpy_per_t"])
    same_except(inst, out, "imports")


def test_scale_generation_of_one_commodity_and_every_metal_price(inst, tmp_path):
    out = applied(
        inst,
        scen(
            tmp_path,
            '[[scale]]\ntable = "supply"\ncolumn = "generation_t_per_yr"\nfactor = 3\n'
            'where = { commodity = "bat" }\n'
            '[[scale]]\ntable = "elements"\ncolumn = "price_jpy_per_kg"\nfactor = 0.8\n',
        ),
    )
    supply = {(s, k): g for s, k, g in out.supply.itertuples(index=False)}
    assert supply == {("S1", "pcb"): 100.0, ("S2", "pcb"): 40.0, ("S1", "bat"): 60.0}
    assert out.elements["price_jpy_per_kg"].tolist() == [8000.0]
    same_except(inst, out, "supply", "elements")


def test_scale_supply_of_a_region_through_the_sites(inst, tmp_path):
    out = applied(
        inst,
        scen(
            tmp_path,
            '[[scale]]\ntable = "supply"\ncolumn = "generation_t_per_yr"\nfactor = 2\n'
            'where = { region = "kanto" }\n',
        ),
    )
    assert out.supply["generation_t_per_yr"].tolist() == [100.0, 80.0, 20.0]
    same_except(inst, out, "supply")


def test_update_forces_a_site_open_and_another_closed(inst, tmp_path):
    out = applied(
        inst,
        scen(
            tmp_path,
            '[[update]]\ntable = "facilities"\ncolumn = "status"\nvalue = "open"\n'
            'where = { site = "H1" }\n'
            '[set]\n"facilities.status.M1" = "closed"\n',
        ),
    )
    assert out.facilities.set_index("site")["status"].to_dict() == {"H1": "open", "M1": "closed"}
    rest = [c for c in inst.facilities.columns if c != "status"]
    pd.testing.assert_frame_equal(out.facilities[rest], inst.facilities[rest])
    same_except(inst, out, "facilities")


def test_update_with_two_conditions_and_a_list(inst, tmp_path):
    out = applied(
        inst,
        scen(
            tmp_path,
            '[[update]]\ntable = "imports"\ncolumn = "price_jpy_per_t"\nvalue = 650\n'
            'where = { site = ["O1", "O2"], commodity = "pcb" }\n'
            '[[update]]\ntable = "facilities"\ncolumn = "accepts"\nvalue = "*"\n'
            'where = { role = "smelter" }\n',
        ),
    )
    assert out.imports["price_jpy_per_t"].tolist() == [650.0, 650.0]
    assert out.facilities.set_index("site")["accepts"].to_dict() == {
        "H1": ("pcb", "bat"),
        "M1": ("*",),
    }
    same_except(inst, out, "imports", "facilities")


def test_add_a_candidate_site_with_levels_and_a_link(inst, tmp_path):
    text = """
[[add_site]]
id = "H2"
name = "Hub 2"
kind = "hub"
lat = 35.7
lon = 139.8
region = "kanto"
facility = { role = "hub", processing_cost_jpy_per_t = 12, accepts = "pcb" }
links = [{ to = "S2", mode = "road", distance_km = 15 }]

[[add_site.levels]]
level = "small"
capacity_t_per_yr = 60
fixed_cost_jpy_per_yr = 2000

[[add_site.levels]]
level = "big"
capacity_t_per_yr = 150
fixed_cost_jpy_per_yr = 4000
min_throughput_t_per_yr = 30

[set]
"modes.cost_jpy_per_t_km.road" = 50
"""
    tables = rich_tables()
    tables["modes"] = [{"mode": "road", "cost_jpy_per_t_km": 40, "co2_kg_per_t_km": 0.2}]
    inst = load_instance(write_instance(tmp_path / "with_modes", tables))
    out = applied(inst, scen(tmp_path, text))
    assert out.sites.iloc[:-1].equals(inst.sites)
    assert out.sites.iloc[-1][["id", "name", "kind", "lat", "lon", "region"]].tolist() == [
        "H2", "Hub 2", "hub", 35.7, 139.8, "kanto"
    ]  # fmt: skip
    new_fac = out.facilities.iloc[-1].to_dict()
    assert new_fac == {
        "site": "H2",
        "role": "hub",
        "existing_capacity_t_per_yr": 0.0,  # defaults filled as the reader fills them
        "processing_cost_jpy_per_t": 12.0,
        "accepts": ("pcb",),
        "status": "candidate",
    }
    levels = out.capacity_levels.iloc[1:].reset_index(drop=True)
    assert levels.to_dict("records") == [
        {"facility": "H2", "level": "small", "capacity_t_per_yr": 60.0,
         "fixed_cost_jpy_per_yr": 2000.0, "min_throughput_t_per_yr": 0.0,
         "build_cost_jpy": 0.0},
        {"facility": "H2", "level": "big", "capacity_t_per_yr": 150.0,
         "fixed_cost_jpy_per_yr": 4000.0, "min_throughput_t_per_yr": 30.0,
         "build_cost_jpy": 0.0},
    ]  # fmt: skip
    assert out.links.to_dict("records") == [
        {"from": "H2", "to": "S2", "mode": "road", "distance_km": 15.0}
    ]
    assert out.modes["cost_jpy_per_t_km"].tolist() == [50.0]
    same_except(inst, out, "sites", "facilities", "capacity_levels", "links", "modes")


def test_base_is_applied_first_and_the_child_wins(inst, tmp_path):
    (tmp_path / "common").mkdir()
    scen(
        tmp_path,
        '[set]\n"policy.co2_price_jpy_per_t" = 100\n"collection.reach_floor" = 0.2\n',
        "common/base.toml",
    )
    child = scen(
        tmp_path,
        'base = "common/base.toml"\nname = "child"\n[set]\n"policy.co2_price_jpy_per_t" = 300\n',
    )
    s = load(child)
    assert s.name == "child"
    out = applied(inst, child)
    assert out.policy.co2_price_jpy_per_t == 300.0  # the child's value
    assert out.collection.reach_floor == 0.2  # inherited from the base
    same_except(inst, out, "policy", "collection")


def test_every_override_is_logged(inst, tmp_path, caplog):
    path = scen(
        tmp_path,
        'ban = ["eu"]\n[set]\n"policy.co2_price_jpy_per_t" = 5\n'
        '[[scale]]\ntable = "supply"\ncolumn = "generation_t_per_yr"\nfactor = 2\n',
    )
    with caplog.at_level(logging.INFO, logger="hubnet.scenario"):
        apply(inst, load(path))
    messages = [r.getMessage() for r in caplog.records if r.name == "hubnet.scenario"]
    assert len(messages) == 3
    assert any("co2_price_jpy_per_t" in m for m in messages)
    assert any("eu" in m and "banned" in m for m in messages)
    assert any("supply.generation_t_per_yr x 2" in m for m in messages)


# ----------------------------------------------------------------------------- errors


def error_of(inst: Instance, path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as e:
        apply(inst, load(path))
    return e.value


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ('[[scale]]\ntable = "suply"\ncolumn = "x"\nfactor = 2\n', "scale[1].table", "suply"),
        (
            '[[update]]\ntable = "imports"\ncolumn = "cost"\nvalue = 1\n',
            "update[1].column",
            "cost",
        ),
        ('[set]\n"commodities.max_leak" = 0.1\n', "set.commodities.max_leak", "max_leak"),
        ('[set]\n"facilities.status.H9" = "open"\n', "set.facilities.status.H9", "H9"),
        (
            '[[update]]\ntable = "supply"\ncolumn = "generation_t_per_yr"\nvalue = 1\n'
            'where = { site = "S9" }\n',
            "update[1].where.site",
            "S9",
        ),
        (
            '[[scale]]\ntable = "imports"\ncolumn = "available_t_per_yr"\nfactor = 2\n'
            'where = { region = "mercosur" }\n',
            "scale[1].where.region",
            "mercosur",
        ),
        ('ban = ["mercosur"]\n', "ban", "mercosur"),
        (
            '[set]\n"policy.import_permits_t_per_yr.mercosur" = 5\n',
            "set.policy.import_permits_t_per_yr.mercosur",
            "mercosur",
        ),
        ('[set]\n"policy.co2_tax" = 5\n', "set.policy.co2_tax", "policy.co2_tax"),
        ('[set]\n"policy.co2_price_jpy_per_t" = -5\n', "set.policy.co2_price_jpy_per_t", -5),
        (
            '[[update]]\ntable = "facilities"\ncolumn = "status"\nvalue = "shut"\n',
            "update[1].value",
            "shut",
        ),
        (  # 0.5 x 3 = 1.5 is no share
            '[set]\n"commodities.max_leakage_share" = 0.5\n'
            '[[scale]]\ntable = "commodities"\ncolumn = "max_leakage_share"\nfactor = 3\n',
            "scale[1].factor",
            3,
        ),
        ('colour = "red"\n', "colour", None),
        (
            '[[scale]]\ntable = "supply"\ncolumn = "generation_t_per_yr"\nfactr = 2\n',
            "scale[1].factr",
            None,
        ),
        (
            '[[add_site]]\nid = "H3"\nname = "x"\nkind = "hub"\nlat = 1\nlon = 2\ncolour = 1\n',
            "add_site[1].colour",
            None,
        ),
    ],
)
def test_bad_override_names_the_file_and_the_key(inst, tmp_path, text, key, value):
    err = error_of(inst, scen(tmp_path, text, "bad.toml"))
    hits = [i for i in err.issues if i.column == key]
    assert hits, f"no issue for {key}: {err.render()}"
    assert hits[0].file == "bad.toml" and hits[0].row is None
    assert hits[0].value == value
    assert "bad.toml" in err.render() and key in err.render()


def test_a_new_site_that_breaks_a_reference_is_caught_after_applying(inst, tmp_path):
    text = (
        '[[add_site]]\nid = "S1"\nname = "again"\nkind = "source"\nlat = 1\nlon = 2\n'
        '[[update]]\ntable = "supply"\ncolumn = "site"\nvalue = "Z9"\n'
        'where = { commodity = "bat" }\n'
    )
    err = error_of(inst, scen(tmp_path, text, "bad.toml"))
    by_key = {i.column: i for i in err.issues}
    assert set(by_key) == {"add_site[1].id", "supply.site"}
    assert by_key["add_site[1].id"].value == "S1"  # the site exists already
    assert by_key["supply.site"].value == "Z9"  # found by the reference check afterwards
    assert "supply.csv row 4" in by_key["supply.site"].expected
    assert all(i.file == "bad.toml" for i in err.issues)


def test_base_cycle_is_an_error_naming_the_file_and_key(tmp_path):
    scen(tmp_path, 'base = "b.toml"\n', "a.toml")
    scen(tmp_path, 'base = "c.toml"\n', "b.toml")
    scen(tmp_path, 'base = "a.toml"\n', "c.toml")
    with pytest.raises(ScenarioError) as e:
        load(tmp_path / "a.toml")
    (issue,) = e.value.issues
    assert (issue.file, issue.column) == ("c.toml", "base")
    assert "a.toml -> b.toml -> c.toml -> a.toml" in issue.expected


def test_missing_base_and_broken_toml(tmp_path):
    with pytest.raises(ScenarioError) as e:
        load(scen(tmp_path, 'base = "nowhere.toml"\n', "a.toml"))
    assert (e.value.issues[0].file, e.value.issues[0].column) == ("a.toml", "base")
    with pytest.raises(ScenarioError) as e:
        load(scen(tmp_path, "[set\n", "broken.toml"))
    assert e.value.issues[0].file == "broken.toml"


# ----------------------------------------------------------------------------- sweeps


SWEEP = """
name = "leakage-crackdown"
[set]
"commodities.max_leakage_share" = [0.30, 0.20, 0.10]
"policy.co2_price_jpy_per_t" = [0, 5000]
[[scale]]
table = "supply"
column = "generation_t_per_yr"
factor = 2
"""


def test_sweep_expands_to_the_cartesian_product_with_names(tmp_path):
    runs = expand(scen(tmp_path, SWEEP))
    assert [r.name for r in runs] == [
        "leakage-crackdown__max_leakage_share=0.3__co2_price_jpy_per_t=0",
        "leakage-crackdown__max_leakage_share=0.3__co2_price_jpy_per_t=5000",
        "leakage-crackdown__max_leakage_share=0.2__co2_price_jpy_per_t=0",
        "leakage-crackdown__max_leakage_share=0.2__co2_price_jpy_per_t=5000",
        "leakage-crackdown__max_leakage_share=0.1__co2_price_jpy_per_t=0",
        "leakage-crackdown__max_leakage_share=0.1__co2_price_jpy_per_t=5000",
    ]
    assert runs[3].point == (("max_leakage_share", 0.2), ("co2_price_jpy_per_t", 5000))
    assert [r.name for r in expand(scen(tmp_path, SWEEP))] == [r.name for r in runs]
    assert not any(r.is_sweep for r in runs)


def test_a_sweep_run_applies_its_values(inst, tmp_path):
    run = expand(scen(tmp_path, SWEEP))[3]
    out = apply(inst, run)
    assert out.commodities["max_leakage_share"].tolist() == [0.2, 0.2]
    assert out.policy.co2_price_jpy_per_t == 5000.0
    assert out.supply["generation_t_per_yr"].tolist() == [200.0, 80.0, 40.0]


def test_scale_factor_sweep_with_a_label_and_a_plain_file(tmp_path):
    text = (
        '[[scale]]\ntable = "supply"\ncolumn = "generation_t_per_yr"\n'
        'factor = [1, 2.5]\nlabel = "pv x"\n'
    )
    assert [r.name for r in expand(scen(tmp_path, text, "pv.toml"))] == [
        "pv__pv-x=1",
        "pv__pv-x=2.5",
    ]
    plain = scen(tmp_path, '[set]\n"policy.co2_price_jpy_per_t" = 1\n', "plain.toml")
    (only,) = expand(plain)
    assert only.name == "plain" and only.point == ()


def test_a_sweep_cannot_be_applied_whole(inst, tmp_path):
    with pytest.raises(ScenarioError, match="sweep of 6 runs"):
        apply(inst, load(scen(tmp_path, SWEEP)))


def test_a_sweep_run_is_found_again_by_its_reference(inst, tmp_path):
    run = expand(scen(tmp_path, SWEEP))[4]
    assert run.reference == f"{(tmp_path / 's.toml').resolve()}#{run.name}"
    out, name = apply_scenario_file(inst, run.reference)
    assert name == run.name
    assert out.commodities["max_leakage_share"].tolist() == [0.1, 0.1]


# ----------------------------------------------------------------------------- through the run


def test_run_one_takes_a_scenario_object_and_check_rebuilds_it(tmp_path):
    """One hub, 100 t of PCB at 100 g/t Au; metal at half price: 5,000 fixed + 100 x (10 + 5)
    transport - 100 t x 0.1 kg x 5,000 JPY/kg = -43,500 JPY (the base optimum is -93,500)."""
    folder = write_instance(tmp_path / "inst")
    sweep = scen(
        tmp_path,
        '[[scale]]\ntable = "elements"\ncolumn = "price_jpy_per_kg"\nfactor = [1, 0.5]\n',
        "price.toml",
    )
    runs = expand(sweep)
    opts = RunOptions(maps=False, results_root=tmp_path / "res")
    rec = run_one(folder, runs[1], opts)
    assert rec.scenario == "price__price_jpy_per_kg_x=0.5"
    assert rec.objective == pytest.approx(-43_500)
    summary = json.loads((rec.result_dir / "summary.json").read_text())
    assert summary["scenario_file"].endswith("price.toml#price__price_jpy_per_kg_x=0.5")
    _, violations = check_folder(rec.result_dir)  # hubnet check rebuilds the same instance
    assert violations == []
    inst, name = prepare(folder, runs[0])
    assert name == "price__price_jpy_per_kg_x=1" and inst.elements["price_jpy_per_kg"][0] == 1e4


def test_a_scenario_built_in_code(tmp_path):
    s = parse({"set": {"policy.co2_price_jpy_per_t": 7}}, name="code")
    assert isinstance(s, Scenario) and s.name == "code" and s.reference is None
    inst = load_instance(write_instance(tmp_path / "inst"))
    assert apply(inst, s).policy.co2_price_jpy_per_t == 7.0


# ----------------------------------------------------------------------------- leakage sweeps


def two_source_tables(far_cost: float) -> dict[str, list[dict]]:
    """S1 (100 t, lane 10 JPY/t) and S2 (100 t, lane `far_cost`) to one hub; metal is worth
    1,000 JPY per tonne smelted, delivery costs 5 JPY/t, the hub 5,000 JPY a year."""
    t = base_tables()
    t["sites"].append({"id": "S2", "name": "Source 2", "kind": "source", "lat": 36, "lon": 137})
    t["supply"].append({"site": "S2", "commodity": "pcb", "generation_t_per_yr": 100})
    t["lanes"].append({"origin": "S2", "destination": "H1", "cost_jpy_per_t": far_cost})
    return t


def test_leakage_cap_sweep_costs_worked_by_hand(tmp_path):
    """S2 nets 1,000 - 1,200 - 5 = -205 JPY a tonne, so it is only collected when the cap
    forces it: cap 1 and 0.5 leave S2 out (-93,500); cap 0.25 (50 t may leak) takes 50 t of
    S2 (+10,250: -83,250); cap 0 takes all of it (+20,500: -73,000)."""
    folder = write_instance(tmp_path / "inst", two_source_tables(far_cost=1200))
    sweep = parse({"set": {"commodities.max_leakage_share": [1.0, 0.5, 0.25, 0.0]}}, name="leak")
    opts = RunOptions(write=False, solve=SolveOptions(mip_rel_gap=0.0))
    costs = [run_one(folder, r, opts).objective for r in expand(sweep)]
    assert costs == pytest.approx([-93_500, -93_500, -83_250, -73_000])


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    gens=st.lists(st.integers(10, 200), min_size=1, max_size=3),
    costs=st.lists(st.integers(0, 3000), min_size=3, max_size=3),
    capacity=st.integers(50, 600),
    fixed=st.integers(0, 50_000),
    penalty=st.integers(0, 2000),
)
def test_tightening_the_leakage_cap_never_lowers_the_cost(gens, costs, capacity, fixed, penalty):
    """A tighter cap only removes solutions: the optimum never falls, and once infeasible a
    tighter cap stays infeasible."""
    t = base_tables()
    t["supply"] = []
    t["lanes"] = [{"origin": "H1", "destination": "M1", "cost_jpy_per_t": 5}]
    for i, g in enumerate(gens):
        site = f"S{i + 1}"
        if i > 0:
            t["sites"].append({"id": site, "name": site, "kind": "source", "lat": 35, "lon": 135})
        t["supply"].append({"site": site, "commodity": "pcb", "generation_t_per_yr": g})
        t["lanes"].append({"origin": site, "destination": "H1", "cost_jpy_per_t": costs[i]})
    t["capacity_levels"][0].update(capacity_t_per_yr=capacity, fixed_cost_jpy_per_yr=fixed)
    t["commodities"][0]["leakage_penalty_jpy_per_t"] = penalty
    caps = [1.0, 0.8, 0.6, 0.4, 0.2, 0.0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_instance(Path(tmp) / "inst", t)
        sweep = parse({"set": {"commodities.max_leakage_share": caps}}, name="leak")
        opts = RunOptions(write=False, solve=SolveOptions(mip_rel_gap=0.0))
        results = [run_one(folder, r, opts) for r in expand(sweep)]
    objective = [r.objective if r.status == "optimal" else math.inf for r in results]
    for looser, tighter in zip(objective, objective[1:], strict=False):
        if math.isinf(looser):
            assert math.isinf(tighter)  # infeasible stays infeasible
        else:
            assert tighter >= looser - 1e-6 * max(1.0, abs(looser))
    # independent check of feasibility: the cap needs (1 - cap) x generation through the hub
    total = sum(gens)
    for cap, r in zip(caps, results, strict=True):
        assert (r.status == "optimal") == ((1 - cap) * total <= capacity + 1e-9)
