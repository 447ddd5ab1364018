"""Benchmark: OR-Library `cap` files solved single-source, hubnet against HiGHS alone on the
textbook model.

Refreshes bench/RESULTS.md, "Single sourcing against the textbook model".

For every cap file in a folder (and every capacity optima.csv lists for capa/capb/capc) it

- imports the file as a hubnet instance and solves it with `policy.single_sourcing` on
  (`run_one`, the whole call timed), and
- solves the textbook single-source model (built below in highspy; nothing from hubnet's
  model) with HiGHS alone at the same gap, threads and time limit:

      min  sum_i f_i y_i + sum_ij c_ij w_ij
      s.t. sum_i w_ij = 1                  every customer j
           w_ij <= y_i                     every pair
           sum_j d_j w_ij <= C_i y_i       every warehouse i
           sum_i C_i y_i >= sum_j d_j      total capacity covers demand
           y, w binary

and prints one line per run with the published single-source optimum
(single_source_optima.csv beside the files) where there is one.

    PYTHONPATH=src .venv/bin/python bench/single_source.py [FOLDER] [--time-limit 120]
        [--include-capa] [--only cap61,cap62] [--threads 1] [--gap 1e-9] [--brescia]

With --brescia, FOLDER is a set of the single-source library (files p1 ... pN and `os`, the
optima, as Oscar-Oliveira/OR-Datasets keeps them under Facility-Location/SSCFLP/original/).
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
import numpy as np
import scipy.sparse as sp

from hubnet.orlib import CapProblem, capacity_setting, import_orlib, read_cap
from hubnet.run import RunOptions, run_one
from hubnet.solve import SolveOptions

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDER = ROOT / "tests" / "data" / "orlib"
#: files with more warehouse x customer pairs than this count as large (capa: 100 x 1000)
LARGE_PAIRS = 10_000
SCENARIO = '[set]\n"policy.single_sourcing" = true\n'


@dataclass(frozen=True)
class Case:
    path: Path
    label: str
    capacity: float | None
    published: float | None


@dataclass(frozen=True)
class Result:
    objective: float | None
    bound: float | None
    seconds: float
    status: str

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None or not math.isfinite(self.bound):
            return None
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)


def _optima(folder: Path) -> dict[tuple[str, str], float]:
    """(instance, capacity setting) -> single-source optimum, from single_source_optima.csv."""
    path = folder / "single_source_optima.csv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as fh:
        return {
            (r["instance"], r["capacity_setting"]): float(r["optimal_value"])
            for r in csv.DictReader(fh)
        }


def brescia_to_cap(text: str) -> str:
    """A file of the single-source library's layout (m n; m lines capacity, fixed cost; the n
    demands; the m x n costs, warehouse by warehouse, each the cost of serving a whole
    customer) as an OR-Library cap file. Some copies end in NUL bytes: ignored."""
    t = [float(x) for x in text.replace("\x00", " ").split()]
    m, n = int(t[0]), int(t[1])
    if len(t) != 2 + 2 * m + n + m * n:
        raise ValueError(f"{m} x {n} needs {2 + 2 * m + n + m * n} numbers, got {len(t)}")
    demands = t[2 + 2 * m : 2 + 2 * m + n]
    costs = np.array(t[2 + 2 * m + n :]).reshape(m, n)
    lines = [f"{m} {n}", *(f"{t[2 + 2 * i]!r} {t[3 + 2 * i]!r}" for i in range(m))]
    for j in range(n):
        lines.append(" ".join([repr(demands[j]), *(repr(float(c)) for c in costs[:, j])]))
    return "\n".join(lines) + "\n"


def brescia_folder(source: Path, out: Path) -> Path:
    """`source` (files p1 ... pN and `os`, their optima in that order) as cap files p01.txt
    ... with a single_source_optima.csv, in `out`. Files that do not parse are skipped."""
    optima = (source / "os").read_text(encoding="latin-1").split()
    rows = ["instance,capacity_setting,optimal_value,source"]
    for i, value in enumerate(optima, start=1):
        name = f"p{i:02d}"
        try:
            text = brescia_to_cap((source / f"p{i}").read_text(encoding="latin-1"))
        except (OSError, ValueError) as exc:
            print(f"# {source / f'p{i}'}: skipped ({exc})")
            continue
        (out / f"{name}.txt").write_text(text, encoding="utf-8")
        rows.append(f"{name},file,{value},{source / 'os'}")
    (out / "single_source_optima.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return out


def _cases(folder: Path, include_large: bool, only: set[str] | None) -> list[Case]:
    optima = _optima(folder)
    cases = []
    for path in sorted(folder.glob("*.txt")):
        if only is not None and path.stem not in only:
            continue
        problem = read_cap(path)
        if problem.n_warehouses * problem.n_customers > LARGE_PAIRS and not include_large:
            continue
        settings = [(k[1], v) for k, v in optima.items() if k[0] == path.stem]
        if not settings and all(c is not None for c in problem.capacities):
            settings = [("file", None)]
        for text, value in settings:
            capacity, _ = capacity_setting(text)
            label = "file" if capacity is None else f"{capacity:g}"
            cases.append(Case(path, label, capacity, value))
    return cases


def textbook(problem: CapProblem, capacity: float | None) -> highspy.Highs:
    """The textbook single-source CFLP of `problem` as a HiGHS model (columns y then w)."""
    m, n = problem.n_warehouses, problem.n_customers
    caps = np.array([capacity if capacity is not None else c for c in problem.capacities], float)
    d = np.asarray(problem.demands, float)
    nw = m * n  # w_ij at column m + i * n + j
    w = m + np.arange(nw).reshape(m, n)
    rows, cols, vals = [], [], []

    def add(r: np.ndarray, c: np.ndarray, v: np.ndarray) -> None:
        rows.append(r.ravel())
        cols.append(c.ravel())
        vals.append(np.broadcast_to(v, r.shape).ravel().astype(float))

    jj = np.broadcast_to(np.arange(n), (m, n))
    ii = np.broadcast_to(np.arange(m)[:, None], (m, n))
    add(jj, w, np.ones((m, n)))  # assignment rows 0..n-1
    pair = n + np.arange(nw).reshape(m, n)  # w_ij - y_i <= 0
    add(pair, w, np.ones((m, n)))
    add(pair, ii, -np.ones((m, n)))
    cap = n + nw + np.arange(m)  # sum_j d_j w_ij - C_i y_i <= 0
    add(np.broadcast_to(cap[:, None], (m, n)), w, np.broadcast_to(d, (m, n)))
    add(cap, np.arange(m), -caps)
    cover = n + nw + m  # sum_i C_i y_i >= sum_j d_j
    add(np.full(m, cover), np.arange(m), caps)
    nrow, ncol = cover + 1, m + nw
    a = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(nrow, ncol)
    )
    lower = np.concatenate([np.ones(n), np.full(nw + m, -np.inf), [d.sum()]])
    upper = np.concatenate([np.ones(n), np.zeros(nw + m), [np.inf]])
    cost = np.concatenate([problem.fixed_costs, problem.costs.T.ravel()])
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(
        ncol,
        nrow,
        int(a.nnz),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        cost,
        np.zeros(ncol),
        np.ones(ncol),
        lower,
        upper,
        a.indptr.astype(np.int32),
        a.indices.astype(np.int32),
        a.data,
        np.ones(ncol, dtype=np.int32),
    )
    return h


def solve_textbook(problem: CapProblem, capacity: float | None, options: SolveOptions) -> Result:
    """HiGHS alone on the textbook model (build and solve timed together)."""
    # a solve before (hubnet's diagnosis) may have started HiGHS's threads at another count
    highspy.Highs.resetGlobalScheduler(True)
    t0 = time.perf_counter()
    h = textbook(problem, capacity)
    h.setOptionValue("mip_rel_gap", float(options.mip_rel_gap))
    h.setOptionValue("time_limit", float(options.time_limit_s or np.inf))
    h.setOptionValue("threads", int(options.threads or 0))
    h.setOptionValue("random_seed", int(options.seed))
    h.run()
    seconds = time.perf_counter() - t0
    info = h.getInfo()
    found = info.primal_solution_status == 2  # kSolutionStatusFeasible
    return Result(
        info.objective_function_value if found else None,
        info.mip_dual_bound,
        seconds,
        h.modelStatusToString(h.getModelStatus()),
    )


def solve_hubnet(case: Case, options: SolveOptions, tmp: Path) -> Result:
    """hubnet end to end on the imported file with single sourcing on (nothing written)."""
    folder = import_orlib(case.path, tmp / "inst", case.capacity)
    scenario = tmp / "single.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    highspy.Highs.resetGlobalScheduler(True)
    t0 = time.perf_counter()
    rec = run_one(folder, scenario, RunOptions(solve=options, write=False, maps=False))
    seconds = time.perf_counter() - t0
    if rec.violations:
        print(f"# {case.path.stem} {case.label}: checker reports {len(rec.violations)} violations")
    return Result(rec.objective, rec.best_bound, seconds, rec.status)


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None or not math.isfinite(value) else format(value, fmt)


def _gap(r: Result) -> str:
    return "-" if r.gap is None else f"{100 * r.gap:.3f}"


HEADER = (
    f"| {'instance':<8} | {'capacity':>8} | {'published':>14} | {'hubnet obj':>14} | "
    f"{'gap %':>6} | {'s':>7} | {'textbook obj':>14} | {'gap %':>6} | {'s':>7} | status |"
)


def _line(case: Case, hub: Result, book: Result) -> str:
    return (
        f"| {case.path.stem:<8} | {case.label:>8} | {_num(case.published, '.2f'):>14} | "
        f"{_num(hub.objective, '.2f'):>14} | {_gap(hub):>6} | {hub.seconds:>7.1f} | "
        f"{_num(book.objective, '.2f'):>14} | {_gap(book):>6} | {book.seconds:>7.1f} | "
        f"{hub.status} / {book.status.lower()} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per solve")
    parser.add_argument("--gap", type=float, default=1e-9, help="relative MIP gap")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--include-capa", action="store_true", help="also the 100 x 1000 files")
    parser.add_argument("--only", default=None, help="comma-separated file stems")
    parser.add_argument(
        "--brescia",
        action="store_true",
        help="FOLDER holds p1 ... pN and os in the single-source library's layout "
        "(e.g. Holmberg et al.'s sets): read them as cap files",
    )
    args = parser.parse_args(argv)
    if args.brescia:
        with tempfile.TemporaryDirectory(prefix="hubnet-brescia-") as tmp:
            folder = brescia_folder(args.folder, Path(tmp))
            return run(folder, args)
    return run(args.folder, args)


def run(folder: Path, args: argparse.Namespace) -> int:
    """The table for every case in `folder`."""
    logging.basicConfig(level=logging.WARNING)
    options = SolveOptions(time_limit_s=args.time_limit, mip_rel_gap=args.gap, threads=args.threads)
    only = set(args.only.split(",")) if args.only else None
    cases = _cases(folder, args.include_capa, only)
    print(
        f"# {len(cases)} runs from {args.folder}: single source, gap {args.gap:g}, "
        f"time limit {args.time_limit:g} s, threads {args.threads}"
    )
    print(HEADER)
    print("|" + "|".join("-" * (len(c) - 1) + ":" for c in HEADER.split("|")[1:-1]) + "|")
    missed = 0
    for case in cases:
        with tempfile.TemporaryDirectory(prefix="hubnet-single-") as tmp:
            hub = solve_hubnet(case, options, Path(tmp))
        book = solve_textbook(read_cap(case.path), case.capacity, options)
        print(_line(case, hub, book), flush=True)
        proved = book.gap is not None and book.gap <= args.gap
        if proved and (hub.objective is None or hub.objective > book.objective * (1 + 1e-7)):
            missed += 1
    print(f"\n# optima the textbook model proved that hubnet did not reach: {missed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
