"""Warm start, measured (a script, not a test): scenarios solved cold and from the baseline.

Refreshes bench/RESULTS.md, "Warm start".

    python bench/warm.py [INSTANCE] [--scenarios a.toml,b.toml] [--gap 1e-4] [--time-limit S]

Solves the instance's baseline once, then each scenario twice: cold (the level search, where
it runs, starts from roundings of its own LP relaxation) and warm (`RunOptions.warm_start`:
the baseline's open levels are one more starting plan, and the search always runs). Prints,
per scenario and start, the objective, the final gap, the seconds of the level search and of
the branch and bound, and the total.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from hubnet.report import SolveOptions
from hubnet.run import RunOptions, run_one

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = "carbon-price,high-metal-prices,leakage-crackdown,smelter-expansion"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("instance", nargs="?", type=Path, default=ROOT / "instances" / "japan")
    ap.add_argument("--scenarios", default=SCENARIOS, help="names in <instance>/scenarios/")
    ap.add_argument("--gap", type=float, default=1e-4)
    ap.add_argument("--time-limit", type=float, default=None)
    args = ap.parse_args()
    solve = SolveOptions(time_limit_s=args.time_limit, mip_rel_gap=args.gap)
    tmp = Path(tempfile.mkdtemp(prefix="hubnet-warm-"))
    base = run_one(
        args.instance, options=RunOptions(solve=solve, maps=False, out_dir=tmp / "baseline")
    )
    print(
        f"baseline: {base.status}, {base.objective:,.0f} JPY/yr in {sum(base.times.values()):.1f} s"
    )
    print(
        f"\n{'scenario':<22}{'start':<6}{'objective JPY/yr':>20}{'gap':>9}"
        f"{'search s':>10}{'B&B s':>8}{'total s':>9}"
    )
    totals = {"cold": 0.0, "warm": 0.0}
    for name in args.scenarios.split(","):
        scenario = args.instance / "scenarios" / f"{name}.toml"
        for start, warm in (("cold", None), ("warm", base.result_dir)):
            rec = run_one(
                args.instance,
                scenario,
                RunOptions(
                    solve=solve, maps=False, out_dir=tmp / f"{name}-{start}", warm_start=warm
                ),
            )
            total = sum(rec.times.values())
            totals[start] += total
            print(
                f"{name:<22}{start:<6}{rec.objective:>20,.0f}{rec.gap:>9.2e}"
                f"{rec.times.get('start', 0.0):>10.1f}{rec.times['solve']:>8.1f}{total:>9.1f}"
            )
    print(
        f"\nall scenarios: cold {totals['cold']:.1f} s, warm {totals['warm']:.1f} s "
        f"({totals['warm'] / totals['cold']:.2f} of cold)"
    )


if __name__ == "__main__":
    main()
