"""Time a roadmap end to end, read to written results and maps, and print its gap, the cost of
myopia and the peak memory (a script, not a test). Refreshes bench/RESULTS.md, "Roadmap".

python bench/roadmap.py [--gap 0.001] [--time-limit S] [--municipal] [--foresight F]

`--municipal` builds japan-municipal with japan-roadmap's five planning years
(instances/japan-roadmap/build/build_roadmap.py) into a temporary folder and solves that.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from hubnet.report import SolveOptions
from hubnet.run import RunOptions, run_one

ROOT = Path(__file__).resolve().parents[1]
ROADMAP = ROOT / "instances" / "japan-roadmap"


def municipal(out: Path) -> Path:
    spec = importlib.util.spec_from_file_location(
        "build_roadmap", ROADMAP / "build" / "build_roadmap.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module.municipal_roadmap(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--gap", type=float, default=0.001)
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--municipal", action="store_true")
    ap.add_argument("--foresight", default=None)
    ap.add_argument("--no-maps", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        instance = municipal(Path(tmp) / "japan-municipal-roadmap") if args.municipal else ROADMAP
        opts = RunOptions(
            solve=SolveOptions(time_limit_s=args.time_limit, mip_rel_gap=args.gap),
            out_dir=Path(tmp) / "out",
            maps=not args.no_maps,
            foresight=args.foresight,
        )
        t0 = time.perf_counter()
        rec = run_one(instance, options=opts)
        total = time.perf_counter() - t0
        summary = json.loads((Path(tmp) / "out" / "summary.json").read_text(encoding="utf-8"))
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    # the passes may run on worker processes: their peak comes on top
    child_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    myopia = summary.get("myopia_cost_jpy")
    print(f"{instance.name}: {rec.status} ({summary['termination']}), gap {rec.gap}")
    print(f"net present cost {summary['npv_cost_jpy']:,.0f} JPY, bound {summary['npv_bound_jpy']}")
    if myopia is not None:
        print(f"cost of myopia {myopia:,.0f} JPY (at most {summary['myopia_cost_max_jpy']:,.0f})")
    print("stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in rec.times.items()))
    print(
        f"end to end {total:.1f} s, peak memory {peak_gb:.2f} GB (the largest process it"
        f" started: {child_gb:.2f} GB), violations {len(rec.violations)}"
    )


if __name__ == "__main__":
    main()
