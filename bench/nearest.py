"""Collection-lane pruning benchmark (a script, not a test): `nearest_hubs = k` against all lanes.

Refreshes bench/RESULTS.md, "Nearest-k pruning".

    python bench/nearest.py [--sources 400] [--hubs 40] [--commodities 8] [--origins 23]
                            [--seed 1] [--ks 3,5,10,20,all] [--gap 0.005] [--time-limit 300]
                            [--per-commodity] [--no-start] [--instance DIR]

Generates an instance (`hubnet.generate`, or takes `--instance`), then for each k keeps only
each source's k cheapest hubs ("all": every hub within `max_collection_km`), builds, hands off
and solves (whole-source collection unless `--per-commodity`), and prints one row per k:
collection lanes, model size, status and gap, objective, its difference from the all-lanes
objective (JPY/yr and %), the loss proven by the bounds (this k's best bound above the
all-lanes objective, in %), build+handoff time (network, build, handoff) and solve time (MIP
start and HiGHS). A restricted lane set can only cost more at the optimum; with a gap above
zero a difference smaller than the gap is noise, so use `--gap 1e-4` or less on small sizes.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from scale import prepared  # bench/scale.py, beside this script

from hubnet.generate import generate
from hubnet.report import SolveOptions, Status
from hubnet.run import Timer, build
from hubnet.solve import branch_and_bound, handoff, mip_start, remaining


def run(folder: Path, opts: SolveOptions, whole_source: bool, nearest: int | None) -> dict:
    """Solve `folder` with `nearest_hubs = nearest` (None: all lanes); sizes, times, report."""
    timer = Timer()
    instance, _ = prepared(folder, timer, whole_source, nearest)
    model, data, lanes = build(instance, timer)
    with timer.stage("handoff"):
        compiled = handoff(model, opts)
    if opts.mip_start and compiled.n_binaries:
        with timer.stage("start"):
            mip_start(model, data, compiled, opts)
    report = branch_and_bound(model, remaining(opts, timer.times.get("start")), compiled=compiled)
    t = timer.times
    return {
        "k": "all" if nearest is None else str(nearest),
        "lanes": int((lanes["stage"] == "collection").sum()),
        "report": report,
        "build_s": t["network"] + t["build"] + t["handoff"],
        "solve_s": t.get("start", 0.0) + report.solve_s,
    }


def _status(report) -> str:  # noqa: ANN001 - SolveReport
    if report.status is Status.OPTIMAL:
        gap = report.gap or 0.0
        return f"optimal {gap:.3%}"
    if report.status is Status.FEASIBLE:
        return "feasible " + ("?" if report.gap is None else f"{report.gap:.3%}")
    return report.status.value


def table(rows: list[dict]) -> str:
    """The rows as a fixed-width table; differences against the row with k = all."""
    ref = next((r["report"].objective for r in rows if r["k"] == "all"), None)
    head = (
        f"{'k':>4} {'coll. lanes':>11} {'variables':>10} {'constraints':>11} "
        f"{'status, gap':>15} {'objective JPY/yr':>18} {'vs all JPY/yr':>15} {'vs all':>9} "
        f"{'proven':>9} {'build+handoff':>13} {'solve':>8}"
    )
    out = [head, "-" * len(head)]
    for r in rows:
        rep = r["report"]
        obj = rep.objective
        diff, pct, proven = "-", "-", "-"
        if obj is not None and ref:
            d = round(obj - ref)
            diff = f"{d:+,}" if d else "0"
            pct = f"{d / abs(ref):+.4%}" if d else "0"
        if rep.best_bound is not None and ref:
            proven = f"{max(0.0, rep.best_bound - ref) / abs(ref):.4%}"
        out.append(
            f"{r['k']:>4} {r['lanes']:>11,} {rep.n_variables:>10,} {rep.n_constraints:>11,} "
            f"{_status(rep):>15} {'-' if obj is None else f'{obj:,.0f}':>18} {diff:>15} "
            f"{pct:>9} {proven:>9} {r['build_s']:>12.1f}s {r['solve_s']:>7.1f}s"
        )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sources", type=int, default=400)
    ap.add_argument("--hubs", type=int, default=40)
    ap.add_argument("--commodities", type=int, default=8)
    ap.add_argument("--origins", type=int, default=23)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ks", default="3,5,10,20,all", help="comma-separated k values, 'all'")
    ap.add_argument("--gap", type=float, default=0.005)
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--per-commodity", action="store_true", help="one share per grade")
    ap.add_argument("--no-start", action="store_true", help="no level-search MIP start")
    ap.add_argument("--instance", type=Path, help="an instance folder instead of a generated one")
    args = ap.parse_args()
    opts = SolveOptions(
        time_limit_s=args.time_limit, mip_rel_gap=args.gap, mip_start=not args.no_start
    )
    ks = [None if k.strip() == "all" else int(k) for k in args.ks.split(",")]
    if args.instance:
        folder = args.instance
        print(f"instance {folder}")
    else:
        out = Path(tempfile.mkdtemp(prefix="hubnet-nearest-")) / "instance"
        t = time.perf_counter()
        folder = generate(
            out,
            sources=args.sources,
            hubs=args.hubs,
            commodities=args.commodities,
            origins=args.origins,
            seed=args.seed,
        )
        print(
            f"generated {args.sources} sources x {args.hubs} hubs x {args.commodities} "
            f"commodities x {args.origins} origins, seed {args.seed}, in "
            f"{time.perf_counter() - t:.1f} s"
        )
    form = "per-commodity" if args.per_commodity else "whole-source"
    print(
        f"{form} collection, gap {args.gap:g}, time limit {args.time_limit:g} s, "
        f"MIP start {'off' if args.no_start else 'on'}; load average at start "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    rows = []
    for k in ks:
        rows.append(run(folder, opts, not args.per_commodity, k))
        r = rows[-1]
        print(f"  k={r['k']}: {_status(r['report'])} in {r['solve_s']:.1f} s", flush=True)
    print("load average at end " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
