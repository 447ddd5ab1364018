"""What marginal values add to a solve: the default instance solved as `hubnet solve` does
(the planner's gap), with and without the LP re-solve, runs alternated (a script, not a test).

Refreshes bench/RESULTS.md, "Marginal values".

python bench/marginals.py [INSTANCE] [--repeat N] [--gap G]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from hubnet.cli import PLANNER_GAP
from hubnet.report import SolveOptions
from hubnet.run import RunOptions, run_one

ROOT = Path(__file__).resolve().parents[1]


def once(instance: str, gap: float, marginals: bool) -> tuple[float, dict, object]:
    """End-to-end seconds (maps off; tables written), the stage times and the record."""
    with tempfile.TemporaryDirectory() as tmp:
        options = RunOptions(
            solve=SolveOptions(mip_rel_gap=gap, marginals=marginals),
            out_dir=Path(tmp) / "out",
            maps=False,
        )
        t0 = time.perf_counter()
        rec = run_one(instance, options=options)
        return time.perf_counter() - t0, rec.times, rec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("instance", nargs="?", default=str(ROOT / "instances" / "japan"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--gap", type=float, default=PLANNER_GAP)
    args = ap.parse_args()
    totals: dict[bool, list[float]] = {False: [], True: []}
    solves: dict[bool, list[float]] = {False: [], True: []}
    lp: list[float] = []
    for i in range(args.repeat):
        for marginals in (False, True):
            total, times, rec = once(args.instance, args.gap, marginals)
            totals[marginals].append(total)
            solver = ("handoff", "start", "solve")
            solves[marginals].append(sum(times.get(k, 0.0) for k in solver))
            if marginals:
                lp.append(times.get("marginals", 0.0))
            rows = (
                0
                if rec.solution is None or rec.solution.marginals is None
                else len(rec.solution.marginals)
            )
            print(
                f"run {i + 1} marginals={'on' if marginals else 'off'}: {rec.status}, "
                f"objective {rec.objective:,.0f}, end to end {total:.2f} s, "
                f"LP re-solve {times.get('marginals', 0.0):.2f} s, {rows} marginal rows"
            )
    off, on = statistics.median(totals[False]), statistics.median(totals[True])
    print(f"\nmedian end to end: without {off:.2f} s, with {on:.2f} s ({on / off - 1:+.0%})")
    s_off, s_on = statistics.median(solves[False]), statistics.median(solves[True])
    print(f"median hand-off + start + solve: without {s_off:.2f} s, with {s_on:.2f} s")
    lp_s = statistics.median(lp)
    print(
        f"median LP re-solve: {lp_s:.2f} s = {lp_s / s_off:.0%} of the solver's stages and "
        f"{lp_s / off:.0%} of the end-to-end run without it"
    )


if __name__ == "__main__":
    main()
