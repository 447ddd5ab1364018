"""Run the shipped scenarios serially and on a 2-worker Dask cluster; print the speedup.

Refreshes bench/RESULTS.md, "Batch".

python bench/batch.py [INSTANCE] [--workers N] [--maps] [--only NAME ...]

Both passes give HiGHS one thread per run (`SolveOptions(threads=1)`, as `hubnet batch`
does), so the parallel pass is N solves on N cores and the serial pass one solve on one
core: the speedup is what the cluster buys, not HiGHS threads fighting over cores. The
serial pass runs in this process without Dask; the parallel one includes starting the
cluster and its workers.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from hubnet.batch import run_batch
from hubnet.report import SolveOptions
from hubnet.run import RunOptions

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("instance", nargs="?", default=str(ROOT / "instances" / "japan"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--maps", action="store_true", help="also write the maps of every run")
    ap.add_argument("--only", nargs="*", help="scenario file names (default: all shipped)")
    args = ap.parse_args()
    folder = Path(args.instance) / "scenarios"
    files = sorted(folder.glob("*.toml"))
    if args.only:
        files = [f for f in files if f.stem in set(args.only)]
    print(
        f"{len(files)} scenario files from {folder}; {os.cpu_count()} cores; "
        f"load average before {os.getloadavg()[0]:.1f}"
    )
    times, tables = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, workers in (("serial", 0), (f"{args.workers} workers", args.workers)):
            opts = RunOptions(
                solve=SolveOptions(threads=1),
                maps=args.maps,
                out_dir=Path(tmp) / label.replace(" ", "-"),
            )
            t0 = time.perf_counter()
            table = run_batch(args.instance, files, workers=workers, options=opts, compare=False)
            times[label] = time.perf_counter() - t0
            tables[label] = table
            ok = table["status"].isin(["optimal", "feasible"]).sum()
            print(
                f"{label:>10}: {len(table)} runs ({ok} solved) in {times[label]:7.1f} s; "
                f"sum of run times {table['seconds'].sum():7.1f} s; "
                f"load average after {os.getloadavg()[0]:.1f} (other processes share the cores)"
            )
    serial, parallel = times["serial"], times[f"{args.workers} workers"]
    print(f"\nspeedup on {args.workers} workers: {serial / parallel:.2f}x")
    print(f"total wall time of both passes: {serial + parallel:.1f} s")
    a, b = (t.set_index("run") for t in tables.values())
    print("\nrun                                              status    serial s  parallel s")
    for run in a.index:
        print(
            f"{run:<48} {a.loc[run, 'status']:<9} {a.loc[run, 'seconds']:8.1f}"
            f"  {b.loc[run, 'seconds']:10.1f}"
        )
    differ = [
        r
        for r in a.index
        if a.loc[r, "status"] == "optimal"
        and b.loc[r, "status"] == "optimal"
        and abs(a.loc[r, "objective_jpy_per_yr"] - b.loc[r, "objective_jpy_per_yr"])
        > 1e-3 * abs(a.loc[r, "objective_jpy_per_yr"])
    ]
    print(f"\nsame objectives (0.1 %) in both passes: {not differ}")
    for r in differ:
        print(
            f"  {r}: {a.loc[r, 'objective_jpy_per_yr']:,.0f} serial, "
            f"{b.loc[r, 'objective_jpy_per_yr']:,.0f} on workers"
        )


if __name__ == "__main__":
    main()
