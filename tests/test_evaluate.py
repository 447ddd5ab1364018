"""`hubnet evaluate`: a solved run's network kept, everything else re-optimised in another
future, on a tiny instance worked out by hand.

The instance (`builders.two_hubs`, one year): source S, 100 t of PCB worth 1,000 JPY/t
smelted at M; every tonne collected nets 1,000 - 10 - 5 = 985 JPY. Hub H1 opens 150 t for
1,000 JPY/yr, H2 400 t for 1,500 JPY/yr. Future A is the instance as it is, future B has
three times the supply (300 t).

* A's optimum: H1 takes 100 t: -98,500 + 1,000 = -97,500 (H2 would cost -97,000).
* B's optimum: H2 takes 300 t: -295,500 + 1,500 = -294,000 (H1 alone: -146,750).
* Plan A in B: H1 kept, 150 t collected, 150 t left: -147,750 + 1,000 = -146,750.
* Plan B in A: H2 kept, 100 t: -98,500 + 1,500 = -97,000.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from builders import PERIODS, gold, hub, lane, site, smelter, two_hubs, write_instance
from builders import cli as hubnet

from hubnet.errors import InputError
from hubnet.evaluate import evaluate
from hubnet.run import RunOptions, check_folder, run_one

SCALE_B = '[[scale]]\ntable = "supply"\ncolumn = "generation_t_per_yr"\nfactor = 3\n'
CLOSE_H1 = (
    '[[update]]\ntable = "facilities"\ncolumn = "status"\nvalue = "closed"\n'
    'where = { site = "H1" }\n'
)
CAP_40 = '[[update]]\ntable = "commodities"\ncolumn = "max_leakage_share"\nvalue = 0.4\n'


def one_year() -> dict:
    t = two_hubs()
    t["supply"] = t["supply"][:1]
    return t


def scenario(root: Path, name: str, body: str) -> Path:
    path = root / f"{name}.toml"
    path.write_text(f'name = "{name}"\n{body}', encoding="utf-8")
    return path


def opts(out: Path) -> RunOptions:
    return RunOptions(out_dir=out, maps=False)


def summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> Path:
    """The instance, scenario B, and the own optima of A (`a`) and B (`b`)."""
    root = tmp_path_factory.mktemp("plans")
    inst = write_instance(root / "inst", one_year())
    b = scenario(root, "b", SCALE_B)
    for name, scen in (("a", None), ("b", b)):
        rec = run_one(inst, scen, opts(root / name))
        assert rec.status == "optimal" and rec.violations == [], rec.message
    return root


def test_a_plan_in_its_own_scenario_costs_its_own_optimum(plans, tmp_path):
    """A in A: -97,500; B in B: -294,000 (docstring), both as their own runs found."""
    a = evaluate(plans / "a", None, opts(tmp_path / "a_in_a"))
    b = evaluate(plans / "b", plans / "b.toml", opts(tmp_path / "b_in_b"))
    assert a.objective == pytest.approx(-97_500, abs=1e-6)
    assert b.objective == pytest.approx(-294_000, abs=1e-6)
    assert a.objective == pytest.approx(summary(plans / "a")["objective_jpy_per_yr"], abs=1e-6)
    assert a.violations == [] and b.violations == []


def test_a_plan_built_for_one_future_priced_in_another(plans, tmp_path):
    """Plan A in B: -146,750; plan B in A: -97,000 (docstring)."""
    a_in_b = evaluate(plans / "a", plans / "b.toml", opts(tmp_path / "a_in_b"))
    b_in_a = evaluate(plans / "b", None, opts(tmp_path / "b_in_a"))
    assert a_in_b.status == "optimal" and a_in_b.violations == []
    assert a_in_b.objective == pytest.approx(-146_750, abs=1e-6)
    assert b_in_a.objective == pytest.approx(-97_000, abs=1e-6)
    fac = pd.read_csv(tmp_path / "a_in_b" / "facilities.csv", keep_default_na=False)
    hubs = fac.set_index("facility")
    assert hubs.at["H1", "level"] == "a" and hubs.at["H2", "level"] == ""
    assert hubs.at["H1", "throughput_t_per_yr"] == pytest.approx(150)
    s = summary(tmp_path / "a_in_b")
    assert s["scenario"] == "b"
    assert s["evaluated_plan"]["scenario"] == "baseline"
    assert s["evaluated_plan"]["result_dir"] == str((plans / "a").resolve())
    assert s["evaluated_plan"]["objective_jpy_per_yr"] == pytest.approx(-97_500)
    assert s["check"]["passed"]


def test_the_checker_verifies_that_the_plan_was_kept(plans, tmp_path):
    """The evaluated folder passes `hubnet check`; once the plan's folder says it opened H2
    instead of H1, the same operations break the plan-kept rule (and only it)."""
    out = tmp_path / "a_in_b"
    evaluate(plans / "a", plans / "b.toml", opts(out))
    _, violations = check_folder(out)
    assert violations == []
    plan = tmp_path / "plan"
    run_one(plans / "inst", None, opts(plan))
    fac = pd.read_csv(plan / "facilities.csv", keep_default_na=False, dtype=str)
    fac.loc[fac["facility"] == "H1", "level"] = ""
    fac.loc[fac["facility"] == "H2", "level"] = "b"
    fac.to_csv(plan / "facilities.csv", index=False)
    s = summary(out)
    s["evaluated_plan"]["result_dir"] = str(plan)
    (out / "summary.json").write_text(json.dumps(s), encoding="utf-8")
    _, violations = check_folder(out)
    assert sorted((v.family, v.ids) for v in violations) == [
        ("plan_kept", "H1 (a)"),
        ("plan_kept", "H2 (b)"),
    ]


def test_a_level_the_future_closed_is_an_infeasible_run_with_its_diagnosis(plans, tmp_path):
    """Plan A opened H1, which future C closes: no solve, a diagnosis naming H1."""
    c = scenario(tmp_path, "c", CLOSE_H1)
    rec = evaluate(plans / "a", c, opts(tmp_path / "a_in_c"))
    assert rec.status == "infeasible" and rec.solution is None
    assert "H1 at level a: H1 is closed in the scenario" in rec.message
    s = summary(tmp_path / "a_in_c")
    assert s["status"] == "infeasible" and s["evaluated_plan"]["scenario"] == "baseline"
    assert sorted(p.name for p in (tmp_path / "a_in_c").iterdir()) == [
        "diagnosis.txt",
        "summary.json",
    ]


def test_a_kept_network_that_cannot_meet_the_rules_is_diagnosed(plans, tmp_path):
    """Future D: 300 t and at most 40 % (120 t) may leak. H1 takes 150 t, so 150 t leak:
    the cap and H1's capacity conflict, each by 30 t."""
    d = scenario(tmp_path, "d", SCALE_B + CAP_40)
    rec = evaluate(plans / "a", d, opts(tmp_path / "a_in_d"))
    assert rec.status == "infeasible"
    assert "[export_leakage]" in rec.message and "[hub_capacity]" in rec.message
    assert "kept fixed" in rec.message
    # its own optimum exists: H2 takes all 300 t
    own = run_one(plans / "inst", d, RunOptions(write=False, maps=False))
    assert own.objective == pytest.approx(-294_000)


def test_a_roadmap_plan_keeps_its_levels_year_by_year(tmp_path):
    """`two_hubs(1000, 3000)` over 2025 and 2030 (tests/model/test_periods.py): the myopic
    plan (H1 from 2025, H2 added in 2030) costs -1,948,500 over the horizon and the
    perfect-foresight plan (H2 from 2025) -1,952,000. Each in its own future gives back its
    own cost; the myopic plan in the perfect-foresight run's future is the same instance, so
    it costs -1,948,500 there: 3,500 more than that future's optimum."""
    inst = write_instance(tmp_path / "inst", two_hubs(1000, 3000), PERIODS)
    myopic = run_one(inst, None, RunOptions(out_dir=tmp_path / "myopic", maps=False,
                                            foresight="myopic"))  # fmt: skip
    perfect = run_one(inst, None, opts(tmp_path / "perfect"))
    assert myopic.violations == [] and perfect.violations == []
    for name, npv in (("myopic", -1_948_500), ("perfect", -1_952_000)):
        rec = evaluate(tmp_path / name, None, opts(tmp_path / f"{name}_again"))
        assert rec.violations == [], rec.violations
        s = summary(tmp_path / f"{name}_again")
        assert s["npv_cost_jpy"] == pytest.approx(npv)
        assert s["evaluated_plan"]["npv_cost_jpy"] == pytest.approx(npv)
    roadmap = (tmp_path / "myopic_again" / "roadmap.csv").read_text(encoding="utf-8")
    assert roadmap.splitlines()[1:] == ["2025,H1,open,a,150,1000", "2030,H2,open,b,400,3000"]
    assert check_folder(tmp_path / "myopic_again")[1] == []


def test_a_roadmap_plan_needs_a_future_with_its_years(tmp_path):
    inst = write_instance(tmp_path / "inst", two_hubs(), PERIODS)
    run_one(inst, None, opts(tmp_path / "plan"))
    other = scenario(tmp_path, "longer", "[periods]\nyears = [2025, 2030, 2035]\n")
    with pytest.raises(InputError, match="planning years of the plan"):
        evaluate(tmp_path / "plan", other, opts(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_the_command_prints_the_plan_and_exits_3_when_it_cannot_be_kept(plans, tmp_path):
    p = hubnet("evaluate", str(plans / "a"), "-s", str(plans / "b.toml"), "--no-maps",
               "--out", str(tmp_path / "a_in_b"))  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert "built for baseline" in p.stdout and "tested in b" in p.stdout
    c = scenario(tmp_path, "c", CLOSE_H1)
    p = hubnet("evaluate", str(plans / "a"), "-s", str(c), "--out", str(tmp_path / "a_in_c"))
    assert p.returncode == 3
    assert "H1 is closed in the scenario" in p.stderr and "Traceback" not in p.stderr
    p = hubnet("evaluate", str(tmp_path / "nowhere"))
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_single_sourcing_assignments_are_operations_left_to_decide(tmp_path):
    """With single sourcing, which hub a source ships to is an operation, not the network.
    S (100 t worth 10 JPY/t, none may leak) ships whole to A (1 JPY/t) or B (2 JPY/t), each
    400 t for 1,000 JPY/yr: the plan opens A, 1,000 + 100 - 1,000 = 100. Evaluated in its
    own scenario it must assign S to A again (assignments held at 0 leave S nowhere to go)."""
    t = {
        "sites": [site("S", "source"), site("A", "hub"), site("B", "hub"), site("M", "smelter")],
        **gold(1),
        "supply": [{"site": "S", "commodity": "pcb", "generation_t_per_yr": 100}],
        "facilities": [hub("A"), hub("B"), smelter("M")],
        "capacity_levels": [
            {"facility": f, "level": "L", "capacity_t_per_yr": 400, "fixed_cost_jpy_per_yr": 1000}
            for f in ("A", "B")
        ],
        "recovery": [{"facility": "M", "element": "Au", "recovery_share": 1.0}],
        "lanes": [lane("S", "A", 1), lane("S", "B", 2), lane("A", "M", 0), lane("B", "M", 0)],
    }
    t["commodities"][0]["max_leakage_share"] = 0.0
    inst = write_instance(tmp_path / "inst", t, {"policy": {"single_sourcing": True}})
    rec = run_one(inst, None, opts(tmp_path / "plan"))
    assert rec.objective == pytest.approx(100, abs=1e-6)
    again = evaluate(tmp_path / "plan", None, opts(tmp_path / "again"))
    assert again.status == "optimal" and again.violations == []
    assert again.objective == pytest.approx(100, abs=1e-6)
