"""Benchmark: hubnet on OR-Library `cap` files against the published optima and HiGHS alone.

Refreshes bench/RESULTS.md, "OR-Library".

For every cap file in a folder and every capacity setting optima.csv lists for it, the file is
imported to a temporary instance folder and

- solved with hubnet (`run_one`, the whole call timed: read, lanes, build, hand-off, solve,
  extract, check), and
- the same Pyomo model (`hubnet.run.prepare` + `build`) is written once to MPS and solved by
  HiGHS alone (`Highs.readModel` + `run`, timed together) with the same gap, threads and
  time limit,

so the table shows what hubnet's layers cost on top of the solver, and whether both reach the
published optimum. A cap file with no row in optima.csv is run at the file's capacities (if it
has numbers) with no published value to compare.

    PYTHONPATH=src .venv/bin/python bench/orlib.py [--include-capa] [--time-limit S]
"""

from __future__ import annotations

import argparse
import csv
import logging
import math
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import highspy
import pyomo.environ as pyo

from hubnet.orlib import capacity_setting, import_orlib, read_cap
from hubnet.run import RunOptions, build, prepare, run_one
from hubnet.solve import SolveOptions

logger = logging.getLogger("bench.orlib")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDER = ROOT / "tests" / "data" / "orlib"
#: files with more warehouse x customer pairs than this count as large (capa/b/c: 100 x 1000)
LARGE_PAIRS = 10_000


@dataclass
class Case:
    path: Path
    label: str
    capacity: float | None
    uncapacitated: bool
    published: float | None
    large: bool


@dataclass
class Outcome:
    case: Case
    hubnet_s: float
    hubnet_status: str
    hubnet_obj: float | None
    hubnet_solve_s: float | None
    highs_s: float | None
    highs_status: str
    highs_obj: float | None
    stages: dict[str, float]


def _hubnet_model(instance_dir: Path) -> pyo.ConcreteModel:
    """The Pyomo model run_one solves for this folder (its own read and build stages)."""
    instance, _scenario = prepare(instance_dir)
    model, _data, _lanes = build(instance)
    return model


def _cases(folder: Path, include_large: bool) -> list[Case]:
    """Every cap file in `folder` x every capacity setting optima.csv gives for it."""
    optima: dict[str, list[tuple[str, float]]] = {}
    optima_csv = folder / "optima.csv"
    if optima_csv.exists():
        with open(optima_csv, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                optima.setdefault(row["instance"], []).append(
                    (row["capacity_setting"], float(row["optimal_value"]))
                )
    cases = []
    for path in sorted(folder.glob("*.txt")):
        problem = read_cap(path)
        large = problem.n_warehouses * problem.n_customers > LARGE_PAIRS
        if large and not include_large:
            continue
        settings: list[tuple[str, float | None]] = list(optima.get(path.stem, []))
        if not settings:
            if any(c is None for c in problem.capacities):
                print(f"# {path.name}: no optima.csv row and no capacities in the file; skipped")
                continue
            settings = [("file", None)]
        for text, value in settings:
            capacity, uncapacitated = capacity_setting(text)
            label = "uncap" if uncapacitated else ("file" if capacity is None else f"{capacity:g}")
            cases.append(Case(path, label, capacity, uncapacitated, value, large))
    return cases


def _highs_alone(
    instance_dir: Path, mps: Path, options: SolveOptions
) -> tuple[float, str, float | None]:
    """Build hubnet's model, write it to MPS once, and time HiGHS reading and solving it."""
    model = _hubnet_model(instance_dir)
    model.write(str(mps), io_options={"symbolic_solver_labels": False}, format="mps")
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", int(options.seed))
    h.setOptionValue("mip_rel_gap", float(options.mip_rel_gap))
    if options.time_limit_s is not None:
        h.setOptionValue("time_limit", float(options.time_limit_s))
    if options.threads is not None:
        h.setOptionValue("threads", int(options.threads))
    t0 = time.perf_counter()
    h.readModel(str(mps))
    h.run()
    seconds = time.perf_counter() - t0
    status = h.modelStatusToString(h.getModelStatus())
    has_solution = h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
    objective = h.getInfo().objective_function_value if has_solution else None
    return seconds, status, objective


def _run(case: Case, options: SolveOptions) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="hubnet-orlib-") as tmp:
        folder = import_orlib(case.path, Path(tmp) / "inst", case.capacity, case.uncapacitated)
        t0 = time.perf_counter()
        rec = run_one(folder, options=RunOptions(solve=options, write=False, maps=False))
        hubnet_s = time.perf_counter() - t0
        highs_s, highs_status, highs_obj = _highs_alone(folder, Path(tmp) / "model.mps", options)
    if rec.violations:
        print(f"# {case.path.stem} {case.label}: checker reports {len(rec.violations)} violations")
    return Outcome(
        case,
        hubnet_s,
        str(rec.status),
        rec.objective,
        (rec.times or {}).get("solve"),
        highs_s,
        highs_status,
        highs_obj,
        dict(rec.times or {}),
    )


def _rel(value: float | None, known: float | None) -> str:
    if value is None or known is None:
        return "-"
    return f"{abs(value - known) / max(abs(known), 1e-12):.1e}"


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None or not math.isfinite(value) else format(value, fmt)


HEADER = (
    f"{'instance':<8} {'capacity':>8} {'hubnet_s':>9} {'solve_s':>8} {'highs_s':>8} "
    f"{'hubnet_obj':>16} {'highs_obj':>16} {'published':>16} {'err_hub':>8} {'err_hi':>8} "
    f"status"
)


def _line(o: Outcome) -> str:
    c = o.case
    return (
        f"{c.path.stem:<8} {c.label:>8} {o.hubnet_s:>9.2f} {_num(o.hubnet_solve_s, '.2f'):>8} "
        f"{_num(o.highs_s, '.2f'):>8} {_num(o.hubnet_obj, '.3f'):>16} "
        f"{_num(o.highs_obj, '.3f'):>16} {_num(c.published, '.3f'):>16} "
        f"{_rel(o.hubnet_obj, c.published):>8} {_rel(o.highs_obj, c.published):>8} "
        f"{o.hubnet_status}/{o.highs_status}"
    )


def _totals(name: str, outcomes: list[Outcome]) -> None:
    if not outcomes:
        return
    hub = sum(o.hubnet_s for o in outcomes)
    hi = [o.highs_s for o in outcomes]
    line = f"{name}: {len(outcomes)} runs, hubnet {hub:.2f} s"
    if all(h is not None for h in hi):
        total_hi = sum(h for h in hi if h is not None)
        ratio = hub / total_hi if total_hi > 0 else math.inf
        line += f", HiGHS alone {total_hi:.2f} s, ratio hubnet / HiGHS {ratio:.2f}"
    else:
        line += ", HiGHS alone n/a"
    worst = [
        abs(o.hubnet_obj - o.case.published) / o.case.published
        for o in outcomes
        if o.hubnet_obj is not None and o.case.published
    ]
    if worst:
        line += f", worst hubnet relative error {max(worst):.1e}"
    print(line)
    stages: dict[str, float] = {}
    for o in outcomes:
        for stage, seconds in o.stages.items():
            stages[stage] = stages.get(stage, 0.0) + seconds
    print("  hubnet stages (s): " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument(
        "--include-capa",
        action="store_true",
        help=f"also run the large files (more than {LARGE_PAIRS} warehouse x customer pairs, "
        "e.g. capa: minutes each)",
    )
    parser.add_argument("--time-limit", type=float, default=None, help="seconds per solve")
    parser.add_argument("--gap", type=float, default=1e-9, help="relative MIP gap")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--no-auto-scale",
        action="store_true",
        help="turn off hubnet's HiGHS user scaling (HiGHS alone never uses it)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    options = SolveOptions(
        time_limit_s=args.time_limit,
        mip_rel_gap=args.gap,
        threads=args.threads,
        auto_scale=not args.no_auto_scale,
    )
    cases = _cases(args.folder, args.include_capa)
    print(
        f"# {len(cases)} runs from {args.folder}; gap {args.gap:g}, "
        f"time limit {args.time_limit}, threads {args.threads}, "
        f"hubnet auto-scale {'off' if args.no_auto_scale else 'on'}"
    )
    print(HEADER)
    outcomes = []
    for case in cases:
        outcome = _run(case, options)
        outcomes.append(outcome)
        print(_line(outcome), flush=True)
    print()
    _totals("small sets", [o for o in outcomes if not o.case.large])
    _totals("large sets (capa size)", [o for o in outcomes if o.case.large])
    return 0


if __name__ == "__main__":
    sys.exit(main())
