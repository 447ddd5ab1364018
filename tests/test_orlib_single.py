"""OR-Library `cap` files solved single-source (`policy.single_sourcing`) against the published
single-source optima (tests/data/orlib/single_source_optima.csv, each row naming its source)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from hubnet.orlib import capacity_setting, import_orlib, read_cap
from hubnet.report import SolveOptions
from hubnet.run import RunOptions, run_one

DATA = Path(__file__).parent / "data" / "orlib"
#: the published values are rounded to the cent
REL_TOL = 1e-8
#: files with more warehouse x customer pairs than this (capa: 100 x 1000, minutes to prove
#: single-source) are left to bench/single_source.py, to keep CI within its time
LARGE_PAIRS = 10_000
SCENARIO = '[set]\n"policy.single_sourcing" = true\n'
EXACT = RunOptions(solve=SolveOptions(mip_rel_gap=1e-9), write=False, maps=False)


def _pairs(path: Path) -> int:
    with open(path, encoding="utf-8") as fh:
        m, n = fh.read(200).split()[:2]
    return int(m) * int(n)


def _cases() -> list:
    with open(DATA / "single_source_optima.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    cases = []
    for row in rows:
        path = DATA / f"{row['instance']}.txt"
        capacity, _ = capacity_setting(row["capacity_setting"])
        label = "file" if capacity is None else f"{capacity:g}"
        if _pairs(path) > LARGE_PAIRS:
            continue
        value = float(row["optimal_value"])
        cases.append(pytest.param(path, capacity, value, id=f"{row['instance']}-{label}"))
    return cases


def _single(tmp_path: Path, path: Path, capacity: float | None) -> tuple[Path, Path]:
    folder = import_orlib(path, tmp_path / "inst", capacity)
    scenario = tmp_path / "single.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    return folder, scenario


@pytest.mark.parametrize(("path", "capacity", "known"), _cases())
def test_published_single_source_optimum(
    tmp_path: Path, path: Path, capacity: float | None, known: float
) -> None:
    folder, scenario = _single(tmp_path, path, capacity)
    rec = run_one(folder, scenario, EXACT)
    assert rec.status == "optimal"
    assert rec.violations == []
    assert abs(rec.objective - known) <= REL_TOL * known + 0.005, (rec.objective, known)


def test_a_customer_larger_than_every_warehouse_is_infeasible_single_source(tmp_path: Path):
    """cap41: customer 34 demands 12,912 t and every warehouse holds 5,000 t, so no warehouse
    can serve it whole (split over three it can: the multi-source optimum is published)."""
    path = DATA / "cap41.txt"
    problem = read_cap(path)
    assert problem.demands[33] == 12912.0 and set(problem.capacities) == {5000.0}
    folder, scenario = _single(tmp_path, path, None)
    rec = run_one(folder, scenario, EXACT)
    assert rec.status == "infeasible"
    assert "hub_capacity" in (rec.message or "")
