"""The two-stage stochastic plan (one set of levels shared by every future, Eq. (15a); the
weighted cost of the futures, Eq. (0s)) on tiny instances worked out by hand, with its
expected value of perfect information (EVPI) and value of the stochastic solution (VSS).

**Single year: where will the scrap be?** Sources S1 and S2, smelter M (1,000 t). Gold at
100 g/t and 10,000 JPY/kg: 1,000 JPY per tonne smelted; every hub sends on to M at 5 JPY/t.
Three candidate hubs, one level each:

    hub  level  capacity  fixed JPY/yr   lane from S1   lane from S2
    X    x      100 t     50,000         10  (nets 985)  600 (nets 395)
    Y    y      100 t     47,000         600 (nets 395)  10  (nets 985)
    Z    z      200 t     115,000        200 (nets 795)  200 (nets 795)

Future `north` (weight 1/2): S1 generates 200 t, S2 none. Future `south` (1/2): S2 200 t,
S1 none. A tonne not collected costs nothing. Cost of each plan (operations optimal for it):

    plan   north                                   south                                   mean
    X      -100 x 985 + 50,000 = -48,500            -100 x 395 + 50,000 = 10,500             -19,000
    Y      -100 x 395 + 47,000 = 7,500              -100 x 985 + 47,000 = -51,500            -22,000
    Z      -200 x 795 + 115,000 = -44,000           -44,000                                 -44,000
    X+Y    -(98,500 + 39,500) + 97,000 = -41,000    -41,000                                 -41,000
    X+Z    -(98,500 + 79,500) + 165,000 = -13,000   -159,000 + 165,000 = 6,000               -3,500
    Y+Z    -159,000 + 162,000 = 3,000               -(98,500 + 79,500) + 162,000 = -16,000   -6,500
    X+Y+Z  -178,000 + 212,000 = 34,000              34,000                                  34,000
    none   0                                       0                                       0

* Own optima: north opens X (-48,500), south opens Y (-51,500).
  Wait and see: (-48,500 - 51,500) / 2 = -50,000.
* Stochastic plan: Z alone, the only hub that serves either future well: -44,000 in each,
  weighted -44,000 (next best X+Y, -41,000).
* EVPI = -44,000 - (-50,000) = 6,000.
* Average future: S1 and S2 100 t each. X+Y collects both at 985: -197,000 + 97,000 =
  -100,000 (Y -51,500, X -48,500, Z -44,000): it opens X and Y. That plan operated in each
  future: -41,000 and -41,000 (table), EEV -41,000.
* VSS = -41,000 - (-44,000) = 3,000.

**Roadmap: how fast will the scrap grow?** `builders.two_hubs(1000, 3000)` over 2025 and 2030
(5 years each, undiscounted; tests/model/test_periods.py): S has 100 t in 2025; every tonne
nets 985; H1 150 t for 1,000 JPY/yr (build 1,000), H2 400 t for 1,500 JPY/yr (build 3,000).
Future `steady` (weight 3/4): 100 t in 2030 too. Future `growth` (1/4): 300 t in 2030.
Levels, once open, stay open. Net present cost of each plan (5 x each year + builds):

    plan (2025; 2030)   steady                                  growth
    H1; H1              10 x -97,500 + 1,000 = -974,000         5 x -97,500 + 5 x -146,750 + 1,000
                                                                = -1,220,250
    H2; H2              10 x -97,000 + 3,000 = -967,000         5 x -97,000 + 5 x -294,000 + 3,000
                                                                = -1,952,000
    H1; H1+H2           5 x -97,500 + 5 x -96,000 + 4,000      5 x -97,500 + 5 x -293,000 + 4,000
                        = -963,500                              = -1,948,500

* Own optima: steady H1; H1 (-974,000), growth H2; H2 (-1,952,000).
  Wait and see: 0.75 x -974,000 + 0.25 x -1,952,000 = -730,500 - 488,000 = -1,218,500.
* Stochastic plan H2; H2: 0.75 x -967,000 + 0.25 x -1,952,000 = -725,250 - 488,000 =
  -1,213,250 (H1; H1+H2: -722,625 - 487,125 = -1,209,750; H1; H1: -730,500 - 305,062.5 =
  -1,035,562.5). EVPI = -1,213,250 + 1,218,500 = 5,250.
* Average future: 0.75 x 100 + 0.25 x 300 = 150 t in 2030, which H1 holds: H1; H1 costs
  5 x -97,500 + 5 x (-147,750 + 1,000) + 1,000 = -1,220,250 there (H2; H2: -1,213,250).
  EEV = that plan in each future: -1,035,562.5. VSS = -1,035,562.5 + 1,213,250 = 177,687.5.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from builders import PERIODS, gold, lane, site, smelter, two_hubs, write_instance
from builders import cli as hubnet

from hubnet.report import SolveOptions
from hubnet.run import RunOptions, check_folder, run_one

NORTH = '[[update]]\ntable = "supply"\ncolumn = "generation_t_per_yr"\nvalue = 0\n'
NORTH += 'where = { site = "S2" }\n'
SOUTH = NORTH.replace('"S2"', '"S1"')
STEADY = '[[update]]\ntable = "supply"\ncolumn = "generation_t_per_yr"\nvalue = 100\n'
STEADY += "where = { year = 2030 }\n"
GROWTH = 'description = "the instance as it is: 300 t from 2030"\n'


def close(value: float):  # noqa: ANN201 - pytest.approx
    return pytest.approx(value, rel=1e-6, abs=1e-6)


def hub_row(id_: str) -> dict:
    return {"site": id_, "role": "hub", "processing_cost_jpy_per_t": 0, "accepts": "pcb"}


def level(facility: str, name: str, capacity: float, fixed: float) -> dict:
    return {
        "facility": facility,
        "level": name,
        "capacity_t_per_yr": capacity,
        "fixed_cost_jpy_per_yr": fixed,
    }


def three_hubs() -> dict:
    """The single-year instance of the module docstring (200 t at each source)."""
    sources = [("S1", "X", 10), ("S1", "Y", 600), ("S1", "Z", 200)]
    sources += [("S2", "X", 600), ("S2", "Y", 10), ("S2", "Z", 200)]
    return {
        "sites": [site(i, "source") for i in ("S1", "S2")]
        + [site(i, "hub") for i in ("X", "Y", "Z")]
        + [site("M", "smelter")],
        **gold(100),
        "supply": [
            {"site": s, "commodity": "pcb", "generation_t_per_yr": 200} for s in ("S1", "S2")
        ],
        "facilities": [hub_row("X"), hub_row("Y"), hub_row("Z"), smelter("M")],
        "capacity_levels": [
            level("X", "x", 100, 50_000),
            level("Y", "y", 100, 47_000),
            level("Z", "z", 200, 115_000),
        ],
        "recovery": [{"facility": "M", "element": "Au", "recovery_share": 1.0}],
        "lanes": [lane(o, d, c) for o, d, c in sources] + [lane(h, "M", 5) for h in "XYZ"],
    }


def future(root: Path, name: str, body: str) -> Path:
    path = root / f"{name}.toml"
    path.write_text(f'name = "{name}"\n{body}', encoding="utf-8")
    return path


def options(out: Path) -> RunOptions:
    return RunOptions(out_dir=out, maps=False, solve=SolveOptions(mip_rel_gap=1e-9))


def summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False)


def opened(table: pd.DataFrame) -> set[tuple]:
    """(year?, facility, level, capacity) of every row with a level."""
    rows = table[table["level"].astype(str) != ""]
    cols = ["year"] * ("year" in table.columns) + ["facility", "level", "capacity_t_per_yr"]
    return {tuple(r) for r in rows[cols].itertuples(index=False, name=None)}


@pytest.fixture(scope="module")
def single(tmp_path_factory) -> Path:
    """The single-year instance, its two futures, and the stochastic run (`out`), equal
    weights by default."""
    from hubnet.stochastic import run_futures

    root = tmp_path_factory.mktemp("single")
    inst = write_instance(root / "inst", three_hubs())
    files = [future(root, "north", NORTH), future(root, "south", SOUTH)]
    rec = run_futures(inst, futures=files, weights=None, options=options(root / "out"))
    assert rec.status == "optimal", rec.message
    return root


def test_the_hedge_and_its_value_worked_by_hand(single):
    """summary.json: stochastic -44,000, wait and see -50,000, the average future's plan
    -41,000, EVPI 6,000, VSS 3,000 (module docstring)."""
    s = summary(single / "out")
    assert s["status"] == "optimal"
    assert s["stochastic_cost_jpy"] == close(-44_000)
    assert s["wait_and_see_cost_jpy"] == close(-50_000)
    assert s["average_plan_cost_jpy"] == close(-41_000)
    assert s["evpi_jpy"] == close(6_000)
    assert s["vss_jpy"] == close(3_000)
    futures = {f["name"]: f for f in s["futures"]}
    assert sorted(futures) == ["north", "south"]
    assert futures["north"]["weight"] == close(0.5) and futures["south"]["weight"] == close(0.5)
    assert Path(futures["north"]["scenario_file"]).name == "north.toml"


def test_each_future_priced_three_ways(single):
    """futures.csv: own optimum (X: -48,500; Y: -51,500), the shared plan Z (-44,000 in each)
    and the average future's plan X+Y (-41,000 in each)."""
    f = read(single / "out" / "futures.csv").set_index("future")
    assert sorted(f.index) == ["north", "south"]
    assert f.at["north", "weight"] == close(0.5)
    assert f.at["north", "own_cost_jpy"] == close(-48_500)
    assert f.at["south", "own_cost_jpy"] == close(-51_500)
    for name in ("north", "south"):
        assert f.at[name, "stochastic_cost_jpy"] == close(-44_000)
        assert f.at[name, "average_plan_cost_jpy"] == close(-41_000)


def test_the_shared_plan_differs_from_both_futures_own(single):
    """plan.csv opens Z alone; each future's folder operates Z only, at 200 t (north from
    S1, south from S2), and costs -44,000."""
    assert opened(read(single / "out" / "plan.csv")) == {("Z", "z", 200)}
    for name, src in (("north", "S1"), ("south", "S2")):
        folder = single / "out" / "futures" / name
        assert summary(folder)["objective_jpy_per_yr"] == close(-44_000)
        fac = read(folder / "facilities.csv").set_index("facility")
        assert {f for f in fac.index if fac.at[f, "level"] != ""} == {"Z"}
        assert fac.at["Z", "throughput_t_per_yr"] == close(200)
        flows = read(folder / "flows.csv")
        collected = flows[flows["stage"] == "collection"]
        assert set(zip(collected["origin"], collected["destination"], strict=True)) == {(src, "Z")}


def test_one_future_of_weight_one_is_the_deterministic_optimum(single, tmp_path):
    """north alone: X, -48,500 (docstring), as `run_one` finds it; nothing to learn or to
    hedge, so EVPI = VSS = 0."""
    from hubnet.stochastic import run_futures

    north = single / "north.toml"
    run_futures(single / "inst", futures=[north], weights=[1.0], options=options(tmp_path / "s"))
    alone = run_one(single / "inst", north, options(tmp_path / "d"))
    assert alone.objective == close(-48_500)
    s = summary(tmp_path / "s")
    assert s["stochastic_cost_jpy"] == close(alone.objective)
    assert s["wait_and_see_cost_jpy"] == close(-48_500)
    assert s["evpi_jpy"] == close(0) and s["vss_jpy"] == close(0)
    assert opened(read(tmp_path / "s" / "plan.csv")) == {("X", "x", 100)}


def corrupted(path: Path, change) -> None:  # noqa: ANN001 - a function of the table
    table = pd.read_csv(path, keep_default_na=False, dtype=str)
    change(table)
    table.to_csv(path, index=False)


def test_the_checker_verifies_every_future(single, tmp_path):
    """Each future's folder passes `check_folder`. In a copy of the run, north's folder that
    says X was open too breaks the plan (plan_kept); one tonne more delivered from Z breaks
    Z's balance (hub_mass_balance)."""
    for name in ("north", "south"):
        _, violations = check_folder(single / "out" / "futures" / name)
        assert violations == [], (name, violations)
    out = tmp_path / "out"
    shutil.copytree(single / "out", out)
    north = out / "futures" / "north"

    def open_x(fac: pd.DataFrame) -> None:
        fac.loc[fac["facility"] == "X", "level"] = "x"

    def one_more_tonne(flows: pd.DataFrame) -> None:
        i = flows.index[(flows["stage"] == "delivery") & (flows["origin"] == "Z")][0]
        flows.loc[i, "tonnes_per_yr"] = str(float(flows.loc[i, "tonnes_per_yr"]) + 1)

    original = (north / "facilities.csv").read_bytes()
    corrupted(north / "facilities.csv", open_x)
    _, violations = check_folder(north)
    assert ("plan_kept", "X (x)") in {(v.family, v.ids) for v in violations}, violations
    (north / "facilities.csv").write_bytes(original)
    corrupted(north / "flows.csv", one_more_tonne)
    _, violations = check_folder(north)
    assert "hub_mass_balance" in {v.family for v in violations}, violations
    assert "plan_kept" not in {v.family for v in violations}


def test_the_checker_adds_up_the_two_stage_folder(single, tmp_path):
    """The whole folder passes; a copy whose futures.csv prices the shared plan in south at
    -45,000 (its folder: -44,000) and whose summary claims an EVPI of 7,000 (-44,000 + 50,000
    = 6,000) is reported on both (family two_stage)."""
    summary_, violations = check_folder(single / "out")
    assert violations == [] and summary_["evpi_jpy"] == close(6_000)
    out = tmp_path / "out"
    shutil.copytree(single / "out", out)

    def south_cheaper(f: pd.DataFrame) -> None:
        f.loc[f["future"] == "south", "stochastic_cost_jpy"] = "-45000"

    corrupted(out / "futures.csv", south_cheaper)
    s = summary(out)
    s["evpi_jpy"] = 7_000
    (out / "summary.json").write_text(json.dumps(s), encoding="utf-8")
    _, violations = check_folder(out)
    assert {(v.family, v.ids) for v in violations} == {
        ("two_stage", "south"),
        ("two_stage", "evpi_jpy"),
    }


def test_a_roadmap_shares_its_plan_year_by_year(tmp_path):
    """Weights 3 and 1 (normalised to 0.75 and 0.25): H2 open in 2025 and 2030, expected net
    present cost -1,213,250, wait and see -1,218,500, EVPI 5,250; the average future's plan
    (H1 in both years) -1,035,562.5, VSS 177,687.5 (module docstring)."""
    from hubnet.stochastic import run_futures

    inst = write_instance(tmp_path / "inst", two_hubs(1000, 3000), PERIODS)
    files = [future(tmp_path, "steady", STEADY), future(tmp_path, "growth", GROWTH)]
    out = tmp_path / "out"
    rec = run_futures(inst, futures=files, weights=[3, 1], options=options(out))
    assert rec.status == "optimal", rec.message
    s = summary(out)
    assert [(f["name"], f["weight"]) for f in s["futures"]] == [
        ("steady", close(0.75)),
        ("growth", close(0.25)),
    ]
    assert s["stochastic_cost_jpy"] == close(-1_213_250)
    assert s["wait_and_see_cost_jpy"] == close(-1_218_500)
    assert s["average_plan_cost_jpy"] == close(-1_035_562.5)
    assert s["evpi_jpy"] == close(5_250)
    assert s["vss_jpy"] == close(177_687.5)
    assert opened(read(out / "plan.csv")) == {(2025, "H2", "b", 400), (2030, "H2", "b", 400)}
    f = read(out / "futures.csv").set_index("future")
    # own optimum, the shared plan, the average future's plan (docstring table)
    expected = {
        "steady": (-974_000, -967_000, -974_000),
        "growth": (-1_952_000, -1_952_000, -1_220_250),
    }
    for name, (own, shared, average) in expected.items():
        assert f.at[name, "own_cost_jpy"] == close(own)
        assert f.at[name, "stochastic_cost_jpy"] == close(shared)
        assert f.at[name, "average_plan_cost_jpy"] == close(average)
        folder = out / "futures" / name
        assert summary(folder)["npv_cost_jpy"] == close(shared)
        assert check_folder(folder)[1] == []


@pytest.mark.parametrize("weights", ["0.5", "1,0", "0.5,-0.5", "1,x"])
def test_weights_of_the_wrong_count_or_not_positive_are_refused(single, tmp_path, weights):
    """Two futures need two positive weights: exit 2, a message naming --weights, no
    traceback, nothing written."""
    files = [str(single / "north.toml"), str(single / "south.toml")]
    out = tmp_path / "out"
    p = hubnet("solve", str(single / "inst"), "--futures", *files, "--weights", weights,
               "--no-maps", "--out", str(out))  # fmt: skip
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert "--weights" in p.stderr
    assert "Traceback" not in p.stderr + p.stdout
    assert not out.exists()


def test_the_command_line_prints_the_value_of_information(single, tmp_path):
    """`hubnet solve --futures A B` (space-separated) runs the two-stage plan and prints
    EVPI 6,000 and VSS 3,000 (worked out above); `hubnet check` passes on its folder."""
    files = [str(single / "north.toml"), str(single / "south.toml")]
    out = tmp_path / "out"
    p = hubnet("solve", str(single / "inst"), "--futures", *files, "--gap", "1e-9",
               "--no-maps", "--out", str(out))  # fmt: skip
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert "(EVPI): ¥6,000" in p.stdout and "(VSS): ¥3,000" in p.stdout
    assert "Shared plan: Z (z)" in p.stdout
    c = hubnet("check", str(out))
    assert c.returncode == 0, c.stderr


def test_an_argument_after_the_instance_without_futures_is_refused(single):
    p = hubnet("solve", str(single / "inst"), str(single / "north.toml"))
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert "Traceback" not in p.stderr


def test_compare_reads_a_two_stage_folder_as_its_futures(single, tmp_path):
    """`hubnet compare` on the two-stage folder compares the shared plan in each future."""
    from hubnet.compare import compare

    table = compare([single / "out"], tmp_path / "cmp")
    assert sorted(table["run"]) == ["north", "south"]


def test_futures_that_cannot_be_averaged_still_get_their_plan(tmp_path):
    """A future that renames a site cannot be averaged (text differs): the shared plan and
    the EVPI are as worked out above (Z, -44,000, EVPI 6,000); there is no VSS, and the
    brief says why."""
    from hubnet.stochastic import run_futures

    inst = write_instance(tmp_path / "inst", three_hubs())
    renamed = NORTH + '[set]\n"sites.name.S1" = "North source"\n'
    files = [future(tmp_path, "north", renamed), future(tmp_path, "south", SOUTH)]
    rec = run_futures(inst, futures=files, options=options(tmp_path / "out"))
    s = summary(tmp_path / "out")
    assert rec.status == "optimal"
    assert s["stochastic_cost_jpy"] == close(-44_000) and s["evpi_jpy"] == close(6_000)
    assert s["average_plan_cost_jpy"] is None and s["vss_jpy"] is None
    assert any("No average future" in line for line in s["brief_lines"])
    assert check_folder(tmp_path / "out")[1] == []


def test_a_future_with_no_plan_is_an_infeasibility_with_its_diagnosis(tmp_path):
    """A future where nothing may leak (400 t generated) but the smelter takes only 10 t has
    no plan even alone: exit 3, the future named, and its diagnosis, no traceback."""
    inst = write_instance(tmp_path / "inst", three_hubs())
    body = '[set]\n"commodities.max_leakage_share.pcb" = 0\n'
    body += '"facilities.existing_capacity_t_per_yr.M" = 10\n'
    files = [str(future(tmp_path, "tight", body)), str(future(tmp_path, "south", SOUTH))]
    p = hubnet("solve", str(inst), "--futures", *files, "--no-maps", "--out", str(tmp_path / "o"))
    assert p.returncode == 3, (p.stdout, p.stderr)
    err = " ".join(p.stderr.split())
    assert "no plan on its own: tight" in err and "smelter_capacity" in err
    assert "Traceback" not in p.stderr


def test_a_scenario_beside_futures_is_refused(single):
    files = [str(single / "north.toml"), str(single / "south.toml")]
    p = hubnet("solve", str(single / "inst"), "--futures", *files, "-s", files[0])
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert "--scenario" in p.stderr and "Traceback" not in p.stderr


def test_the_futures_alone_on_a_dask_cluster_give_the_same_answer(single, tmp_path):
    """`--workers 1`: each future alone (and the average future) is solved by a real Dask
    worker process; the shared plan and its values are those worked out above."""
    from hubnet.stochastic import dask_solver, run_futures

    files = [single / "north.toml", single / "south.toml"]
    with dask_solver(1, None) as solver:
        assert solver is not None
        run_futures(single / "inst", files, None, options(tmp_path / "out"), own_solver=solver)
    s = summary(tmp_path / "out")
    assert s["stochastic_cost_jpy"] == close(-44_000)
    assert s["evpi_jpy"] == close(6_000) and s["vss_jpy"] == close(3_000)


def test_the_lifted_root_bounds_the_two_stage_optimum(single):
    """The relaxation lifted by capacity cuts (`root_cuts`) is a valid lower bound: at most
    the two-stage optimum (-44,000, worked out above) and at least the plain LP relaxation."""
    from builders import full_lp

    from hubnet.model.stochastic import build_stochastic_model
    from hubnet.solve.roadmap import prepared, root_cuts
    from hubnet.stochastic import read_futures

    cases = read_futures(single / "inst", [single / "north.toml", single / "south.toml"], None)
    compiled = prepared(build_stochastic_model("t", [c.future for c in cases]), SolveOptions())
    plain = full_lp(compiled)
    lifted = root_cuts(compiled, SolveOptions(mip_rel_gap=1e-9)).bound
    # here the LP is already tight: -44,000 = the optimum, so a bound any higher is invalid
    assert plain - 1e-6 <= lifted <= -44_000 + 1e-6
