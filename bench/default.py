"""Time the default instance end to end and print the split per stage (a script, not a test).

Refreshes bench/RESULTS.md, "Default instance".

python bench/default.py [INSTANCE] [--repeat N] [--maps]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from hubnet.run import RunOptions, run_one

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("instance", nargs="?", default=str(ROOT / "instances" / "japan"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--maps", action="store_true", help="also write the maps (timed apart)")
    args = ap.parse_args()
    totals, splits = [], []
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            rec = run_one(
                args.instance, options=RunOptions(out_dir=Path(tmp) / "out", maps=args.maps)
            )
            total = time.perf_counter() - t0
        maps = rec.times.get("maps", 0.0)
        totals.append(total - maps)
        splits.append(rec.times)
        print(
            f"run {i + 1}: {rec.status}, objective {rec.objective:,.0f}, gap {rec.gap:.2e}, "
            f"end to end {total - maps:.2f} s (maps {maps:.2f} s apart)"
        )
    print("\nstage      median s")
    for stage in splits[0]:
        print(f"{stage:<10} {statistics.median(s[stage] for s in splits):8.2f}")
    print(f"{'total':<10} {statistics.median(totals):8.2f}   (read to written, maps excluded)")


if __name__ == "__main__":
    main()
