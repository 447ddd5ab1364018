"""Scale benchmark (a script, not a test): hubnet's stages against HiGHS alone.

Refreshes bench/RESULTS.md, "Scale: hubnet against HiGHS alone", "Medium (seed 1)",
"Medium, seeds 2-5", "Large (5,000 x 300)", "`japan-municipal`" and "Build time against lanes".

    python bench/scale.py [--sizes small,medium,large] [--gap 0.005] [--time-limit 600]
                          [--per-commodity] [--nearest K] [--instance DIR] [--build-only]

For each size it generates an instance (`hubnet.generate`), runs the whole pipeline with a
stage timer (read, network, build, handoff, start = relaxation and level search, solve =
branch and bound, extract, check, write), prints the model size and peak memory (max RSS of
this process), and splits the total into HiGHS's own time (the relaxation's LPs, the plans
the search priced, the branch and bound) and the engine's (everything else). It writes the
model as built to MPS (not timed) and solves it with highspy alone, with the same gap, time
limit, threads and scaling: the ratio of hubnet's total to HiGHS alone. Finally a linear fit
of build time per lane (`--build-only` times just the builds, for that fit over all sizes).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import resource
import shutil
import tempfile
import time
from pathlib import Path

import highspy
import numpy as np

from hubnet.generate import generate
from hubnet.report import SolveOptions
from hubnet.run import Timer, build, prepare
from hubnet.solve import branch_and_bound, handoff, write_mps

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
    from hubnet.run import summary_of
    from hubnet.solve import mip_start, remaining

    t0 = time.perf_counter()
    timer = Timer()
    instance, scen = prepared(folder, timer, whole_source, nearest)
    model, data, lanes = build(instance, timer)
    with timer.stage("handoff"):
        compiled = handoff(model, opts)
    tmp = Path(tempfile.mkdtemp(prefix="hubnet-scale-mps-"))
    mps = tmp / "model.mps"
    if SOLVE_ALONE:
        # the model as built, before the search drops the linking rows it did not need
        t_mps = time.perf_counter()
        write_mps(compiled, mps)
        t0 += time.perf_counter() - t_mps  # not part of hubnet's run
    started = None
    if opts.mip_start and compiled.n_binaries:
        with timer.stage("start"):
            started = mip_start(model, data, compiled, opts)
    report = branch_and_bound(model, remaining(opts, timer.times.get("start")), compiled=compiled)
    timer.times["solve"] = report.solve_s
    violations: list = []
    if report.status.has_solution:
        with timer.stage("extract"):
            sol = extract(model, data, instance, lanes, report, scen)
        with timer.stage("check"):
            violations = check(instance, sol.tables(), report.objective)
        with tempfile.TemporaryDirectory() as out_tmp, timer.stage("write"):
            with atomic_folder(Path(out_tmp) / "out") as out:
                summary = summary_of(instance, scen, None, sol, timer.times)
                write_tables(out, sol.tables(), summary)
    total = time.perf_counter() - t0
    relaxed = started.relaxation if started is not None else None
    # the relaxation's HiGHS time that the run waited on: beside the level search, its rounds
    # overlap the search's own HiGHS time and count only while the run had nothing else to do
    relax_s = min(relaxed.lp_s, started.relaxation_wait_s) if relaxed else 0.0
    highs_s = report.solve_s + (started.lp_s if started else 0.0) + relax_s
    rss_gb = peak_rss_gb()  # hubnet's own peak, before HiGHS alone runs in this process
    if SOLVE_ALONE:
        alone, alone_status, alone_obj = _alone(mps, compiled, opts)
    else:
        alone, alone_status, alone_obj = math.nan, "not run (--no-alone)", math.nan
    shutil.rmtree(tmp, ignore_errors=True)
    return {
        "times": timer.times,
        "total": total,
        "highs": highs_s,
        "report": report,
        "start": started,
        "lanes": len(lanes),
        "violations": len(violations),
        "alone": alone,
        "alone_status": alone_status,
        "alone_objective": alone_obj,
        "rss_gb": rss_gb,
    }


def build_only(folder: Path, whole_source: bool, nearest: int | None) -> tuple[int, float, int]:
    """Lanes, seconds of the model build and columns, without solving."""
    timer = Timer()
    instance, _ = prepared(folder, timer, whole_source, nearest)
    model, _, lanes = build(instance, timer)
    compiled = handoff(model, SolveOptions())
    return len(lanes), timer.times["build"], len(compiled.columns)


def _alone(mps: Path, compiled, opts: SolveOptions) -> tuple[float, str, float]:  # noqa: ANN001
    """The very model hubnet built, read from MPS and solved by highspy alone, with the same
    gap, time limit, threads and scaling as hubnet gives HiGHS."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(mps))
    h.setOptionValue("mip_rel_gap", opts.mip_rel_gap)
    h.setOptionValue("threads", int(opts.threads or 0))
    if opts.time_limit_s:
        h.setOptionValue("time_limit", opts.time_limit_s)
    if opts.auto_scale:
        h.setOptionValue("user_objective_scale", compiled.scale[0])
        h.setOptionValue("user_bound_scale", compiled.scale[1])
    t1 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t1
    info = h.getInfo()
    objective = info.objective_function_value if info.primal_solution_status == 2 else math.nan
    return seconds, h.modelStatusToString(h.getModelStatus()), objective


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
        rep, t, st = r["report"], r["times"], r["start"]
        print(
            f"\n[{name}] {rep.headline}; objective {_money(rep.objective)}; bound "
            f"{_money(rep.best_bound)}; lanes {r['lanes']:,}; variables {rep.n_variables:,} "
            f"({rep.n_binaries} binary), constraints {rep.n_constraints:,}, nonzeros "
            f"{rep.n_nonzeros:,}; checker violations {r['violations']}; peak memory "
            f"{r['rss_gb']:.2f} GB"
        )
        print("  " + " / ".join(f"{k} {v:.2f}s" for k, v in t.items()))
        if st is not None:
            rx = st.relaxation
            if rx is not None:
                print(
                    f"  relaxation: {rx.rounds} rounds, {rx.rows_added:,} linking rows, "
                    f"{'complete' if rx.complete else 'stopped'}, {len(rx.cuts)} capacity cuts "
                    f"in {rx.cut_rounds} rounds, HiGHS {rx.lp_s:.1f} s (the run waited "
                    f"{st.relaxation_wait_s:.1f} s on it), bound {_money(rx.bound)}"
                )
            print(
                f"  level search: {st.evaluations} plans in {st.walks} walk(s) and "
                f"{st.regions} regions ({st.improvements} better), "
                f"{st.seconds:.1f} s of which HiGHS {st.lp_s:.1f} s, plan {_money(st.objective)}"
            )
        overhead = r["total"] - r["highs"]
        print(
            f"  hubnet total {r['total']:.1f} s: HiGHS {r['highs']:.1f} s, engine "
            f"{overhead:.1f} s ({overhead / r['total']:.0%}); HiGHS alone on the same model "
            f"(MPS) {r['alone']:.1f} s, {r['alone_status']}, objective "
            f"{r['alone_objective']:,.0f}; ratio {r['total'] / r['alone']:.2f}"
        )
        fit.append((r["lanes"], t["build"]))
    if len(fit) >= 2:
        x, y = np.array(fit, dtype=float).T
        slope, icpt = np.polyfit(x, y, 1)
        print(
            f"\nbuild time ~ {icpt:.2f} s + {slope * 1e6:.1f} us per lane "
            f"(sizes: {', '.join(f'{int(a):,} lanes {b:.2f} s' for a, b in fit)})"
        )


if __name__ == "__main__":
    main()
