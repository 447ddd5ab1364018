"""Time a two-stage plan end to end (read to written folder, maps optional) and print its
gap, EVPI, VSS and peak memory (a script, not a test). Refreshes bench/RESULTS.md,
"Two-stage plan".

python bench/stochastic.py [--instance japan|japan-roadmap] [--gap 0.001] [--time-limit S]
    [--workers N] [--maps] [--futures a,b,c]

The futures are the instance's shipped `futures/*.toml` (or those named), at equal weights.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from hubnet.report import SolveOptions
from hubnet.run import RunOptions
from hubnet.stochastic import dask_solver, run_futures

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--instance", default="japan")
    ap.add_argument("--gap", type=float, default=0.001)
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--maps", action="store_true")
    ap.add_argument("--futures", default=None, help="names of futures/*.toml, comma-separated")
    args = ap.parse_args()
    instance = ROOT / "instances" / args.instance
    futures = sorted((instance / "futures").glob("*.toml"))
    if args.futures:
        futures = [instance / "futures" / f"{n}.toml" for n in args.futures.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        opts = RunOptions(
            solve=SolveOptions(time_limit_s=args.time_limit, mip_rel_gap=args.gap),
            out_dir=Path(tmp) / "out",
            maps=args.maps,
        )
        t0 = time.perf_counter()
        with dask_solver(args.workers, None) as solver:
            rec = run_futures(instance, futures, None, opts, own_solver=solver)
        total = time.perf_counter() - t0
        summary = json.loads((Path(tmp) / "out" / "summary.json").read_text(encoding="utf-8"))
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"{args.instance}, {len(futures)} futures: {rec.status} ({summary['termination']})")
    print(f"gap {rec.gap}, expected cost {summary['stochastic_cost_jpy']:,.0f} JPY")
    for key in ("wait_and_see_cost_jpy", "average_plan_cost_jpy", "evpi_jpy", "vss_jpy"):
        value = summary[key]
        print(f"  {key}: " + ("-" if value is None else f"{value:,.0f}"))
    for key in ("evpi_range_jpy", "vss_range_jpy"):
        pair = summary[key]
        print(f"  {key}: " + ("-" if pair is None else " to ".join(f"{v:,.0f}" for v in pair)))
    print("  " + "; ".join(summary["brief_lines"][-1:]))
    print("stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in rec.times.items()))
    print(
        f"end to end {total:.1f} s, peak memory {peak_gb:.2f} GB (this process; Dask workers "
        f"not counted), violations {len(rec.violations)}"
    )


if __name__ == "__main__":
    main()
