"""Scale benchmark (a script, not a test): hubnet's stages against HiGHS alone.

    python bench/scale.py [--sizes small,medium,large] [--gap 0.005] [--time-limit 600]
                          [--per-commodity] [--nearest K] [--instance DIR] [--build-only]

For each size it generates an instance (`hubnet.generate`), runs the whole pipeline with a
stage timer (read, network, build, handoff, start, solve, extract, check, write), prints the
model size and peak memory (max RSS of this process), then writes the very model HiGHS was
given to MPS and solves it with highspy alone, with the same options: the ratio of hubnet's
total to HiGHS alone is the engine's overhead. Finally a linear fit of build time per lane
(`--build-only` times just the builds, for that fit over all sizes).
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import tempfile
import time
from pathlib import Path

import highspy
import numpy as np

from hubnet.generate import generate
from hubnet.report import SolveOptions
from hubnet.run import Timer, build, prepare
from hubnet.solve import handoff, solve, write_mps

SIZES = {
    "small": (200, 20, 6, 10),
    "medium": (1700, 150, 8, 23),
    "large": (5000, 300, 8, 23),
}


#: solve the same model with HiGHS alone (off with --no-alone, e.g. to rerun hubnet's side)
SOLVE_ALONE = True


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def prepared(folder: Path, timer: Timer, whole_source: bool, nearest: int | None):  # noqa: ANN201
    """The instance and scenario name, with the collection form and hubs per source set."""
    instance, scen = prepare(folder, timer=timer)
    collection = dataclasses.replace(
        instance.collection, whole_source=whole_source, nearest_hubs=nearest
    )
    return instance.replace(collection=collection), scen


def run(folder: Path, opts: SolveOptions, whole_source: bool, nearest: int | None) -> dict:
    from hubnet.export.tables import atomic_folder, write_tables
    from hubnet.results import check
    from hubnet.results.extract import extract
    from hubnet.run import mip_start, remaining, sites_table, summary_of

    t0 = time.perf_counter()
    timer = Timer()
    instance, scen = prepared(folder, timer, whole_source, nearest)
    model, data, lanes = build(instance, timer)
    with timer.stage("handoff"):
        compiled = handoff(model, opts)
    if opts.mip_start:
        with timer.stage("start"):
            mip_start(model, data, compiled, opts)
    report = solve(model, remaining(opts, timer), compiled=compiled)
    timer.times["solve"] = report.solve_s
    violations: list = []
    if not report.status.has_solution:
        return _alone(compiled, opts, timer, report, lanes, violations, time.perf_counter() - t0)
    with timer.stage("extract"):
        sol = extract(model, data, instance, lanes, report, scen)
    with timer.stage("check"):
        violations = check(instance, sol.tables(), report.objective)
    with tempfile.TemporaryDirectory() as tmp, timer.stage("write"):
        with atomic_folder(Path(tmp) / "out") as out:
            summary = summary_of(instance, scen, None, sol, timer.times)
            write_tables(out, {"sites": sites_table(instance), **sol.tables()}, summary)
    return _alone(compiled, opts, timer, report, lanes, violations, time.perf_counter() - t0)


def build_only(folder: Path, whole_source: bool, nearest: int | None) -> tuple[int, float, int]:
    """Lanes, seconds of the model build and columns, without solving."""
    timer = Timer()
    instance, _ = prepared(folder, timer, whole_source, nearest)
    model, _, lanes = build(instance, timer)
    compiled = handoff(model, SolveOptions())
    return len(lanes), timer.times["build"], len(compiled.columns)


def _alone(compiled, opts, timer, report, lanes, violations, total) -> dict:  # noqa: ANN001
    """Solve the very model HiGHS was given, written to MPS, with highspy alone."""
    alone, alone_status, alone_obj = float("nan"), "not run (--no-alone)", float("nan")
    if SOLVE_ALONE:
        with tempfile.TemporaryDirectory() as tmp:
            mps = Path(tmp) / "model.mps"
            write_mps(compiled, mps)
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            h.readModel(str(mps))
            h.setOptionValue("mip_rel_gap", opts.mip_rel_gap)
            if opts.time_limit_s:
                h.setOptionValue("time_limit", opts.time_limit_s)
            t1 = time.perf_counter()
            h.run()
            alone = time.perf_counter() - t1
            alone_status = h.modelStatusToString(h.getModelStatus())
            alone_obj = h.getInfo().objective_function_value
    return {
        "times": timer.times,
        "total": total,
        "report": report,
        "lanes": len(lanes),
        "violations": len(violations),
        "alone": alone,
        "alone_status": alone_status,
        "alone_objective": alone_obj,
        "rss_gb": peak_rss_gb(),
    }


def _money(x: float | None) -> str:
    return "none" if x is None else f"{x:,.0f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="small,medium")
    ap.add_argument("--gap", type=float, default=0.005)
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-commodity", action="store_true", help="textbook collection form")
    ap.add_argument("--nearest", type=int, default=10, help="hubs per source (0: all)")
    ap.add_argument("--instance", type=Path, help="an instance folder instead of generated ones")
    ap.add_argument("--build-only", action="store_true", help="time the model build, no solve")
    ap.add_argument("--no-alone", action="store_true", help="skip the HiGHS-alone solve")
    args = ap.parse_args()
    global SOLVE_ALONE
    SOLVE_ALONE = not args.no_alone
    opts = SolveOptions(time_limit_s=args.time_limit, mip_rel_gap=args.gap)
    jobs: list[tuple[str, Path]] = []
    tmp = Path(tempfile.mkdtemp(prefix="hubnet-scale-"))
    if args.instance:
        jobs.append((args.instance.name, args.instance))
    else:
        for name in args.sizes.split(","):
            s, h, k, f = SIZES[name]
            t = time.perf_counter()
            folder = generate(
                tmp / name, sources=s, hubs=h, commodities=k, origins=f, seed=args.seed
            )
            print(
                f"[{name}] generated {s} sources x {h} hubs x {k} commodities x {f} origins "
                f"in {time.perf_counter() - t:.1f} s"
            )
            jobs.append((name, folder))
    fit = []
    if args.build_only:
        for name, folder in jobs:
            lanes, seconds, n_cols = build_only(
                folder, not args.per_commodity, args.nearest or None
            )
            print(f"[{name}] {lanes:,} lanes, {n_cols:,} variables: build {seconds:.2f} s")
            fit.append((lanes, seconds))
        jobs = []
    for name, folder in jobs:
        r = run(folder, opts, not args.per_commodity, args.nearest or None)
        rep = r["report"]
        print(
            f"\n[{name}] {rep.headline}; objective {_money(rep.objective)}; lanes {r['lanes']:,}; "
            f"variables {rep.n_variables:,} ({rep.n_binaries} binary), constraints "
            f"{rep.n_constraints:,}, nonzeros {rep.n_nonzeros:,}; checker violations "
            f"{r['violations']}; peak memory {r['rss_gb']:.2f} GB"
        )
        print("  " + " / ".join(f"{k} {v:.2f}s" for k, v in r["times"].items()))
        overhead = r["total"] - r["times"]["solve"]
        print(
            f"  hubnet total {r['total']:.1f} s (overhead outside the solve {overhead:.1f} s, "
            f"{overhead / r['total']:.0%}); HiGHS alone on the same model (MPS) "
            f"{r['alone']:.1f} s, {r['alone_status']}, objective {r['alone_objective']:,.0f}; "
            f"ratio {r['total'] / r['alone']:.2f}"
        )
        fit.append((r["lanes"], r["times"]["build"]))
    if len(fit) >= 2:
        x, y = np.array(fit, dtype=float).T
        slope, icpt = np.polyfit(x, y, 1)
        print(
            f"\nbuild time ~ {icpt:.2f} s + {slope * 1e6:.1f} us per lane "
            f"(sizes: {', '.join(f'{int(a):,} lanes {b:.2f} s' for a, b in fit)})"
        )


if __name__ == "__main__":
    main()
