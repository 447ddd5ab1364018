"""OR-Library `cap` import: parser, instance writer, and hubnet against the published optima.

Expected values come from the literature (tests/data/orlib/optima.csv, uncap/*.opt) or are worked
out by hand in comments; nothing here depends on which cap files happen to be in the folder.
"""

from __future__ import annotations

import csv
import itertools
import math
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubnet import orlib
from hubnet.instance.schema import SETTINGS, TABLE_BY_NAME, TABLES
from hubnet.orlib import capacity_setting, import_orlib, read_cap, write_instance

if TYPE_CHECKING:
    from hubnet.run import RunRecord

DATA = Path(__file__).parent / "data" / "orlib"
REL_TOL = 1e-6
#: instances with more warehouse x customer pairs than this (capa: 100 x 1000, minutes each) are
#: reproduced by bench/orlib.py --include-capa, not here
LARGE_PAIRS = 10_000

# A hand-solvable CFLP: 2 warehouses x 3 customers (wrapped oddly on purpose: line breaks carry no
# meaning). Warehouse 1: capacity 15, fixed 100; warehouse 2: capacity 8, fixed 50.
# Demands 6, 5, 4 (total 15). Costs of serving a WHOLE customer (per tonne in brackets):
#   customer 1: w1 60 (10/t), w2 120 (20/t)
#   customer 2: w1 60 (12/t), w2  25 ( 5/t)
#   customer 3: w1 40 (10/t), w2  16 ( 4/t)
TINY = """2 3
15 100
8 50
6 60
120
5
60 25 4 40 16
"""
# Capacitated (file capacities 15 and 8):
#   {w1} alone: 100 + 60 + 60 + 40 = 260.  {w2} alone: capacity 8 < 15, infeasible.
#   {w1, w2}: 150 + transport. Cheapest assignment c1->w1, c2->w2, c3->w2 costs 60 + 25 + 16 =
#   101 but loads w2 with 9 > 8, so 1 t must move to w1: from c3 (+10 - 4 = +6/t) rather than
#   c2 (+12 - 5 = +7/t) -> 107, total 257 (customer 3 split: 3 t at w2, 1 t at w1).
#   Optimum 257 < 260.
KNOWN_TINY_CFLP = 257.0
# Uncapacitated: {w1} 260; {w2} 50 + 120 + 25 + 16 = 211; {w1, w2} 150 + 60 + 25 + 16 = 251.
KNOWN_TINY_UFLP = 211.0
# Capacity 9 at both: no single warehouse holds 15 t; {w1, w2}: c1->w1, c2 + c3 -> w2 (9 t fits)
#   = 150 + 101 = 251.
KNOWN_TINY_CAP9 = 251.0


def _cap_text(
    capacities: list[float | None],
    fixed: list[float],
    demands: list[float],
    costs: list[list[float]],
) -> str:
    """A cap file: one warehouse per line, then each customer's demand and costs on one line."""
    lines = [f"{len(capacities)} {len(demands)}"]
    for cap, f in zip(capacities, fixed, strict=True):
        lines.append(f"{'capacity' if cap is None else repr(float(cap))} {float(f)!r}")
    for d, row in zip(demands, costs, strict=True):
        lines.append(" ".join([repr(float(d)), *(repr(float(c)) for c in row)]))
    return "\n".join(lines) + "\n"


def _write(tmp_path: Path, text: str, name: str = "tiny.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _solve(instance_dir: Path) -> RunRecord:
    """Solve with hubnet to proven optimality (tight gap, no time limit), writing nothing.

    Imported here so that the parser and writer tests run even when the engine does not import.
    """
    from hubnet.run import RunOptions, run_one
    from hubnet.solve import SolveOptions

    options = RunOptions(
        solve=SolveOptions(time_limit_s=None, mip_rel_gap=1e-7, threads=None),
        write=False,
        maps=False,
    )
    return run_one(instance_dir, options=options)


# --------------------------------------------------------------------------------------------
# parser


def test_read_tiny(tmp_path: Path) -> None:
    p = read_cap(_write(tmp_path, TINY))
    assert p.name == "tiny"
    assert (p.n_warehouses, p.n_customers) == (2, 3)
    assert p.capacities == (15.0, 8.0)
    assert p.fixed_costs.tolist() == [100.0, 50.0]
    assert p.demands.tolist() == [6.0, 5.0, 4.0]
    assert p.costs.tolist() == [[60.0, 120.0], [60.0, 25.0], [40.0, 16.0]]
    assert p.total_demand == 15.0


def test_line_breaks_carry_no_meaning(tmp_path: Path) -> None:
    tokens = TINY.split()
    one_line = read_cap(_write(tmp_path, " ".join(tokens), "a.txt"))
    one_per_line = read_cap(_write(tmp_path, "\n".join(tokens) + "\n\n", "b.txt"))
    crlf = read_cap(_write(tmp_path, TINY.replace("\n", "\r\n"), "c.txt"))
    bom = read_cap(_write(tmp_path, "\ufeff" + TINY, "d.txt"))
    tiny = read_cap(_write(tmp_path, TINY))
    for other in (one_line, one_per_line, crlf, bom):
        assert other.capacities == tiny.capacities
        assert np.array_equal(other.costs, tiny.costs)
        assert np.array_equal(other.demands, tiny.demands)


def test_capacity_word(tmp_path: Path) -> None:
    text = TINY.replace("15 100", "capacity 100.").replace("8 50", "CAPACITY 50.")
    p = read_cap(_write(tmp_path, text))
    assert p.capacities == (None, None)
    assert p.fixed_costs.tolist() == [100.0, 50.0]


# token positions in TINY: 1 m, 2 n, 3-6 warehouses (capacity, fixed), 7 d1, 8-9 c11 c12,
# 10 d2, 11-12, 13 d3, 14-15; 15 tokens = 2 + 2*2 + 3*(1 + 2)
MALFORMED = {
    "too few tokens": (
        TINY.rsplit(" ", 1)[0],
        [
            "need 2 + 2m + n(1 + m) = 15 tokens",
            "has 14",
            "token 15",
            "customer 3's cost at warehouse 2",
        ],
    ),
    "too many tokens": (TINY + "7\n", ["has 16", "extra token '7' at token 16 (line 8)"]),
    "non-numeric demand": (
        TINY.replace("6 60", "six 60"),
        ["token 7 (line 4)", "customer 1's demand", "not a number", "'six'"],
    ),
    "negative cost": (
        TINY.replace("6 60", "6 -60"),
        ["token 8 (line 4)", "customer 1's cost at warehouse 1", "non-negative", "'-60'"],
    ),
    "nan": (TINY.replace("120", "nan"), ["token 9 (line 5)", "not a number", "'nan'"]),
    "capacity word as fixed cost": (
        TINY.replace("8 50", "8 capacity"),
        ["token 6 (line 3)", "warehouse 2's fixed cost", "not a number", "'capacity'"],
    ),
    "capacity word as demand": (
        TINY.replace("\n5\n", "\ncapacity\n"),
        ["token 10 (line 6)", "customer 2's demand", "'capacity'"],
    ),
    "negative capacity": (TINY.replace("8 50", "-8 50"), ["token 5", "warehouse 2's capacity"]),
    "fractional header": (TINY.replace("2 3", "2.5 3"), ["token 1", "number of warehouses"]),
    "zero customers": (TINY.replace("2 3", "2 0"), ["token 2", "number of customers"]),
    "empty file": ("", ["ends after 0 token(s)", "token 1"]),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed(tmp_path: Path, case: str) -> None:
    text, fragments = MALFORMED[case]
    path = _write(tmp_path, text, "bad.txt")
    with pytest.raises(ValueError) as info:
        read_cap(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_not_text(tmp_path: Path) -> None:
    path = tmp_path / "binary.txt"
    path.write_bytes(b"2 3\n\xa7\xa7\n")
    with pytest.raises(ValueError, match="binary.txt: not a text file"):
        read_cap(path)


def test_capacity_setting() -> None:
    assert capacity_setting("file (5000 each)") == (None, False)
    assert capacity_setting("uncapacitated") == (None, True)
    assert capacity_setting("8000") == (8000.0, False)
    with pytest.raises(ValueError, match="expected"):
        capacity_setting("lots")


@pytest.mark.parametrize(
    "opt_file", sorted((DATA / "uncap").glob("*.opt")), ids=lambda p: p.name.split(".")[0]
)
def test_published_uflp_assignment_cost(opt_file: Path) -> None:
    """The published optimal UFLP assignment, costed from our parse, gives the published value.

    Checks the parser (token order, which index is the warehouse) against the literature
    without any solver.
    """
    tokens = opt_file.read_text(encoding="ascii").split()
    problem = read_cap(DATA / opt_file.name.removesuffix(".opt"))
    assign = [int(t) for t in tokens[:-1]]
    known_value = float(tokens[-1])
    assert len(assign) == problem.n_customers
    opened = sorted(set(assign))
    observed = math.fsum(problem.fixed_costs[i] for i in opened) + math.fsum(
        problem.costs[j, i] for j, i in enumerate(assign)
    )
    assert observed == pytest.approx(known_value, rel=1e-12, abs=1e-3)
    published = {
        r["instance"]: float(r["optimal_value"])
        for r in _read_csv(DATA / "optima.csv")
        if r["capacity_setting"] == "uncapacitated"
    }
    assert observed == pytest.approx(published[problem.name], abs=1e-3)


# --------------------------------------------------------------------------------------------
# instance writer


def test_written_instance_follows_schema(tmp_path: Path) -> None:
    out = write_instance(read_cap(_write(tmp_path, TINY)), tmp_path / "inst")
    ids: dict[tuple[str, str], set[str]] = {}
    tables = {}
    for table in TABLES:
        raw = (out / table.file).read_bytes()
        assert b"\r" not in raw and raw.endswith(b"\n")
        raw.decode("utf-8")
        with open(out / table.file, encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert header == [c.name for c in table.columns], table.file
        rows = _read_csv(out / table.file)
        tables[table.name] = rows
        if not table.may_be_empty:
            assert rows, f"{table.file} may not be empty"
        keys = [tuple(r[k] for k in table.key) for r in rows]
        assert keys == sorted(keys) and len(set(keys)) == len(keys), table.file
        for r in rows:
            for c in table.columns:
                if c.required:
                    assert r[c.name] != "", (table.file, c.name)
                if c.choices and r[c.name]:
                    assert r[c.name] in c.choices
                if c.type in ("float", "share") and r[c.name]:
                    value = float(r[c.name])
                    assert not c.nonnegative or value >= 0
                    assert c.type != "share" or 0 <= value <= 1
        for c in table.columns:
            ids[(table.name, c.name)] = {r[c.name] for r in rows}
    for table in TABLES:
        for c in table.columns:
            if c.references:
                assert ids[(table.name, c.name)] <= ids[c.references], (table.name, c.name)
    settings_ = tomllib.loads((out / "instance.toml").read_text(encoding="utf-8"))
    for key, value in settings_.items():
        if isinstance(value, dict):
            assert set(value) <= set(SETTINGS[key]), key
        else:
            assert key in SETTINGS[""]
    assert settings_["name"] == "tiny"
    assert "Beasley" in settings_["description"] and "OR-Library" in settings_["description"]
    assert settings_["collection"] == {
        "reach_at_zero_km": 1.0,
        "reach_loss_per_100_km": 0.0,
        "reach_floor": 0.0,
    }
    assert TABLE_BY_NAME["lanes"].key == ("origin", "destination")


def test_written_tiny_values(tmp_path: Path) -> None:
    out = write_instance(read_cap(_write(tmp_path, TINY)), tmp_path / "inst")
    sites = {r["id"]: r for r in _read_csv(out / "sites.csv")}
    assert {k: r["kind"] for k, r in sites.items()} == {
        "c0001": "source",
        "c0002": "source",
        "c0003": "source",
        "w001": "hub",
        "w002": "hub",
        "sink": "smelter",
    }
    for r in sites.values():
        assert 0 <= float(r["lat"]) <= 10 and 150 <= float(r["lon"]) <= 160
    assert len({(r["lat"], r["lon"]) for r in sites.values()}) == len(sites)
    (commodity,) = _read_csv(out / "commodities.csv")
    assert commodity["id"] == "demand"
    assert float(commodity["hub_yield_share"]) == 1.0
    assert float(commodity["max_leakage_share"]) == 0.0
    assert float(commodity["leakage_penalty_jpy_per_t"]) == 0.0
    supply = {r["site"]: float(r["generation_t_per_yr"]) for r in _read_csv(out / "supply.csv")}
    assert supply == {"c0001": 6.0, "c0002": 5.0, "c0003": 4.0}
    facilities = {r["site"]: r for r in _read_csv(out / "facilities.csv")}
    assert {k: r["role"] for k, r in facilities.items()} == {
        "w001": "hub",
        "w002": "hub",
        "sink": "smelter",
    }
    assert float(facilities["sink"]["existing_capacity_t_per_yr"]) == 15.0
    assert float(facilities["w001"]["existing_capacity_t_per_yr"]) == 0.0
    assert all(r["accepts"] == "*" for r in facilities.values())
    assert all(float(r["processing_cost_jpy_per_t"]) == 0 for r in facilities.values())
    levels = {
        r["facility"]: (
            r["level"],
            float(r["capacity_t_per_yr"]),
            float(r["fixed_cost_jpy_per_yr"]),
        )
        for r in _read_csv(out / "capacity_levels.csv")
    }
    assert levels == {"w001": ("open", 15.0, 100.0), "w002": ("open", 8.0, 50.0)}
    lanes = {(r["origin"], r["destination"]): r for r in _read_csv(out / "lanes.csv")}
    # per-tonne costs worked out in the TINY comment
    assert {k: float(r["cost_jpy_per_t"]) for k, r in lanes.items()} == {
        ("c0001", "w001"): 10.0,
        ("c0001", "w002"): 20.0,
        ("c0002", "w001"): 12.0,
        ("c0002", "w002"): 5.0,
        ("c0003", "w001"): 10.0,
        ("c0003", "w002"): 4.0,
        ("w001", "sink"): 0.0,
        ("w002", "sink"): 0.0,
    }
    assert all(r["distance_km"] == "" and float(r["co2_kg_per_t"]) == 0 for r in lanes.values())
    for table in ("elements", "contents", "recovery", "links", "modes", "imports", "exports"):
        assert _read_csv(out / f"{table}.csv") == []


@pytest.mark.parametrize("cap_file", sorted(DATA.glob("*.txt")), ids=lambda p: p.stem)
def test_lane_costs_reproduce_file_costs(tmp_path: Path, cap_file: Path) -> None:
    """cost per tonne x demand gives back the file's c_ij to ~1e-15 relative (repr-exact CSV)."""
    problem = read_cap(cap_file)
    out = write_instance(problem, tmp_path / "inst", uncapacitated=True)
    demand = {r["site"]: float(r["generation_t_per_yr"]) for r in _read_csv(out / "supply.csv")}
    n = 0
    for r in _read_csv(out / "lanes.csv"):
        if r["destination"] == "sink":
            assert float(r["cost_jpy_per_t"]) == 0.0
            continue
        j, i = int(r["origin"][1:]) - 1, int(r["destination"][1:]) - 1
        known = problem.costs[j, i]
        observed = float(r["cost_jpy_per_t"]) * demand[r["origin"]]
        assert abs(observed - known) <= 1e-15 * max(abs(known), 1.0)
        n += 1
    assert n == int(np.count_nonzero(problem.demands)) * problem.n_warehouses


def test_names(tmp_path: Path) -> None:
    p = read_cap(_write(tmp_path, TINY, "cap99.txt"))
    assert orlib.default_name(p) == "cap99"
    assert orlib.default_name(p, capacity=8000) == "cap99-cap8000"
    assert orlib.default_name(p, capacity=5750.5) == "cap99-cap5750.5"
    assert orlib.default_name(p, uncapacitated=True) == "cap99-uncap"
    out = write_instance(p, tmp_path / "a", capacity=9)
    assert tomllib.loads((out / "instance.toml").read_text())["name"] == "cap99-cap9"
    out = write_instance(p, tmp_path / "b", name="mine")
    assert tomllib.loads((out / "instance.toml").read_text())["name"] == "mine"


def _levels(folder: Path) -> dict[str, float]:
    return {
        r["facility"]: float(r["capacity_t_per_yr"])
        for r in _read_csv(folder / "capacity_levels.csv")
    }


def test_capacity_word_needs_a_capacity(tmp_path: Path) -> None:
    path = _write(tmp_path, TINY.replace("15 100", "capacity 100"))
    p = read_cap(path)
    with pytest.raises(ValueError) as info:
        write_instance(p, tmp_path / "x")
    assert str(path) in str(info.value) and "capacity" in str(info.value)
    assert not (tmp_path / "x").exists()
    assert _levels(write_instance(p, tmp_path / "y", capacity=9)) == {"w001": 9.0, "w002": 9.0}
    assert _levels(write_instance(p, tmp_path / "z", uncapacitated=True)) == {
        "w001": 15.0,
        "w002": 15.0,
    }


def test_capacity_options(tmp_path: Path) -> None:
    p = read_cap(_write(tmp_path, TINY))
    with pytest.raises(ValueError, match="not both"):
        write_instance(p, tmp_path / "x", capacity=9, uncapacitated=True)
    for bad in (0, -1, math.nan, math.inf):
        with pytest.raises(ValueError, match="positive"):
            write_instance(p, tmp_path / "x", capacity=bad)
    assert not (tmp_path / "x").exists()
    assert _levels(write_instance(p, tmp_path / "c", capacity=9)) == {"w001": 9.0, "w002": 9.0}


def test_zero_demand_customer(tmp_path: Path) -> None:
    free = _cap_text([15, 8], [100, 50], [6, 0, 4], [[60, 120], [0, 0], [40, 16]])
    out = write_instance(read_cap(_write(tmp_path, free)), tmp_path / "ok")
    assert [r["site"] for r in _read_csv(out / "supply.csv")] == ["c0001", "c0003"]
    assert "c0002" not in {r["origin"] for r in _read_csv(out / "lanes.csv")}
    assert "c0002" not in {r["id"] for r in _read_csv(out / "sites.csv")}

    costly = _cap_text([15, 8], [100, 50], [6, 0, 4], [[60, 120], [0, 7], [40, 16]])
    path = _write(tmp_path, costly, "costly.txt")
    with pytest.raises(ValueError) as info:
        write_instance(read_cap(path), tmp_path / "bad")
    message = str(info.value)
    assert str(path) in message and "customer 2 has demand 0" in message
    assert "warehouse 2" in message and "cannot be represented" in message
    assert not (tmp_path / "bad").exists()


def test_never_overwrites(tmp_path: Path) -> None:
    p = read_cap(_write(tmp_path, TINY))
    out = write_instance(p, tmp_path / "inst")
    before = {f.name: f.read_bytes() for f in out.iterdir()}
    with pytest.raises(FileExistsError):
        write_instance(p, out, capacity=9)
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before
    (tmp_path / "empty").mkdir()
    assert (write_instance(p, tmp_path / "empty") / "lanes.csv").exists()


def test_failure_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = read_cap(_write(tmp_path, TINY))
    real = orlib._write_files

    def half_then_fail(folder: Path, files: list[tuple[str, str]]) -> None:
        real(folder, list(files)[:3])
        raise OSError("disk full")

    monkeypatch.setattr(orlib, "_write_files", half_then_fail)
    parent = tmp_path / "out"
    parent.mkdir()
    with pytest.raises(OSError, match="disk full"):
        write_instance(p, parent / "inst")
    assert list(parent.iterdir()) == []


def test_deterministic(tmp_path: Path) -> None:
    path = _write(tmp_path, TINY)
    a = import_orlib(path, tmp_path / "a", None, False)
    b = import_orlib(path, tmp_path / "b", None, False)
    assert sorted(f.name for f in a.iterdir()) == sorted(f.name for f in b.iterdir())
    for f in a.iterdir():
        assert f.read_bytes() == (b / f.name).read_bytes()


small_problems = st.integers(1, 4).flatmap(
    lambda m: st.tuples(
        st.lists(st.integers(1, 60), min_size=m, max_size=m),
        st.lists(st.integers(0, 500), min_size=m, max_size=m),
        st.lists(
            st.tuples(
                st.integers(1, 30),
                st.lists(
                    st.floats(0, 1e6, allow_nan=False, allow_subnormal=False),
                    min_size=m,
                    max_size=m,
                ),
            ),
            min_size=1,
            max_size=5,
        ),
    )
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(small_problems)
def test_round_trip_any_file(
    tmp_path_factory: pytest.TempPathFactory,
    problem: tuple[list[int], list[int], list[tuple[int, list[float]]]],
) -> None:
    """Any well-formed cap text reads back exactly and writes lanes that reproduce its costs."""
    caps, fixed, customers = problem
    demands = [d for d, _ in customers]
    costs = [c for _, c in customers]
    tmp = tmp_path_factory.mktemp("rt")
    p = read_cap(_write(tmp, _cap_text(caps, fixed, demands, costs)))
    assert p.capacities == tuple(float(c) for c in caps)
    assert p.costs.tolist() == costs and p.demands.tolist() == demands
    out = write_instance(p, tmp / "inst")
    for r in _read_csv(out / "lanes.csv"):
        if r["destination"] != "sink":
            j, i = int(r["origin"][1:]) - 1, int(r["destination"][1:]) - 1
            observed = float(r["cost_jpy_per_t"]) * demands[j]
            assert abs(observed - costs[j][i]) <= 1e-15 * max(costs[j][i], 1.0)


# --------------------------------------------------------------------------------------------
# end to end: hubnet solves


@pytest.mark.parametrize(
    ("capacity", "uncapacitated", "known"),
    [(None, False, KNOWN_TINY_CFLP), (None, True, KNOWN_TINY_UFLP), (9.0, False, KNOWN_TINY_CAP9)],
    ids=["file-capacities", "uncapacitated", "capacity-9"],
)
def test_tiny_solved_by_hand(
    tmp_path: Path, capacity: float | None, uncapacitated: bool, known: float
) -> None:
    folder = import_orlib(_write(tmp_path, TINY), tmp_path / "inst", capacity, uncapacitated)
    rec = _solve(folder)
    assert rec.status == "optimal"
    assert rec.violations == []
    assert rec.objective == pytest.approx(known, rel=1e-9)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.integers(1, 3).flatmap(
        lambda m: st.tuples(
            st.lists(st.integers(0, 300), min_size=m, max_size=m),
            st.lists(
                st.tuples(
                    st.integers(1, 20), st.lists(st.integers(0, 400), min_size=m, max_size=m)
                ),
                min_size=1,
                max_size=4,
            ),
        )
    )
)
def test_uflp_matches_enumeration(
    tmp_path_factory: pytest.TempPathFactory, problem: tuple[list[int], list[tuple[int, list[int]]]]
) -> None:
    """Random tiny UFLPs: hubnet's optimum equals brute-force enumeration of open sets."""
    fixed, customers = problem
    m = len(fixed)
    costs = [c for _, c in customers]
    known = min(
        sum(fixed[i] for i in opened) + sum(min(row[i] for i in opened) for row in costs)
        for r in range(1, m + 1)
        for opened in itertools.combinations(range(m), r)
    )
    tmp = tmp_path_factory.mktemp("uflp")
    text = _cap_text([None] * m, fixed, [d for d, _ in customers], costs)
    folder = import_orlib(_write(tmp, text), tmp / "inst", None, True)
    rec = _solve(folder)
    assert rec.status == "optimal"
    assert rec.violations == []
    assert rec.objective == pytest.approx(known, rel=1e-9, abs=1e-6)


def _header_pairs(path: Path) -> int:
    """m x n from the first two tokens (cheap: no full parse at collection time)."""
    with open(path, encoding="utf-8") as fh:
        m, n = fh.read(200).split()[:2]
    return int(m) * int(n)


def _optima_cases() -> list:
    cases = []
    for row in _read_csv(DATA / "optima.csv"):
        path = DATA / f"{row['instance']}.txt"
        capacity, uncapacitated = capacity_setting(row["capacity_setting"])
        if _header_pairs(path) > LARGE_PAIRS:
            continue
        label = "uncap" if uncapacitated else ("file" if capacity is None else f"{capacity:g}")
        cases.append(
            pytest.param(
                path,
                capacity,
                uncapacitated,
                float(row["optimal_value"]),
                id=f"{row['instance']}-{label}",
            )
        )
    return cases


@pytest.mark.parametrize(("path", "capacity", "uncapacitated", "known"), _optima_cases())
def test_published_optimum(
    tmp_path: Path, path: Path, capacity: float | None, uncapacitated: bool, known: float
) -> None:
    """hubnet reproduces Beasley's published optimum (OR-Library capopt / uncapopt)."""
    folder = import_orlib(path, tmp_path / "inst", capacity, uncapacitated)
    rec = _solve(folder)
    assert rec.status == "optimal"
    assert rec.violations == []
    assert abs(rec.objective - known) <= REL_TOL * known, (rec.objective, known)
