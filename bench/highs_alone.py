"""hubnet against HiGHS alone on the same model and time limit.

Refreshes bench/RESULTS.md, "Against HiGHS alone at 120 s".

For OR-Library's capa at the capacities given and for generated instances of the sizes given,
it runs hubnet end to end (`run_one`, nothing written) and HiGHS alone on the model hubnet
builds (written once to MPS, read and solved by highspy with the same gap, time limit and
scaling; its own default threads), and prints, per instance, each one's status, objective,
bound, gap and seconds, and whether hubnet proved what HiGHS alone proved and ended no worse.

    PYTHONPATH=src .venv/bin/python bench/highs_alone.py [--time-limit 120] [--gap 1e-9]
        [--capa 8000,10000,12000,14000] [--generated small,medium] [--hubnet-only]
"""

from __future__ import annotations

import argparse
import csv
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import highspy

from hubnet.generate import generate
from hubnet.orlib import import_orlib
from hubnet.report import SolveOptions
from hubnet.run import RunOptions, Timer, build, prepare, run_one
from hubnet.solve import handoff, write_mps

ROOT = Path(__file__).resolve().parents[1]
ORLIB = ROOT / "tests" / "data" / "orlib"
#: sources, hubs, commodities, origins (as bench/scale.py)
SIZES = {"small": (200, 20, 6, 10), "medium": (1700, 150, 8, 23), "large": (5000, 300, 8, 23)}


@dataclass(frozen=True)
class Solved:
    status: str
    objective: float | None
    bound: float | None
    seconds: float

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None or not math.isfinite(self.bound):
            return None
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)


def hubnet(folder: Path, options: SolveOptions) -> Solved:
    t0 = time.perf_counter()
    rec = run_one(folder, options=RunOptions(solve=options, write=False))
    return Solved(rec.status, rec.objective, rec.best_bound, time.perf_counter() - t0)


def alone(folder: Path, options: SolveOptions, mps: Path) -> Solved:
    instance, _ = prepare(folder)
    model, _, _ = build(instance, Timer())
    compiled = handoff(model, options)
    write_mps(compiled, mps)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", float(options.mip_rel_gap))
    h.setOptionValue("time_limit", float(options.time_limit_s or math.inf))
    h.setOptionValue("user_objective_scale", compiled.scale[0])
    h.setOptionValue("user_bound_scale", compiled.scale[1])
    t0 = time.perf_counter()
    h.readModel(str(mps))
    h.run()
    info = h.getInfo()
    feasible = info.primal_solution_status == 2  # kSolutionStatusFeasible
    status = "optimal" if h.getModelStatus() == highspy.HighsModelStatus.kOptimal else "feasible"
    status = status if feasible else "no_solution"
    objective = float(info.objective_function_value) if feasible else None
    return Solved(status, objective, float(info.mip_dual_bound), time.perf_counter() - t0)


def _published() -> dict[float, float]:
    with open(ORLIB / "optima.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["instance"] == "capa"]
    return {
        float(r["capacity_setting"]): float(r["optimal_value"])
        for r in rows
        if r["capacity_setting"][0].isdigit()
    }


def _cases(args: argparse.Namespace, tmp: Path) -> list[tuple[str, Path, float | None]]:
    published = _published()
    cases = []
    for cap in filter(None, args.capa.split(",")):
        q = float(cap)
        folder = import_orlib(ORLIB / "capa.txt", tmp / f"capa-{cap}", q, False)
        cases.append((f"capa {cap}", folder, published.get(q)))
    for size in filter(None, args.generated.split(",")):
        s, h, k, f = SIZES[size]
        folder = generate(tmp / size, sources=s, hubs=h, commodities=k, origins=f, seed=1)
        cases.append((f"generated {size} {s} x {h} x {k}", folder, None))
    return cases


def _fmt(s: Solved) -> str:
    obj = "-" if s.objective is None else f"{s.objective:,.0f}"
    gap = "-" if s.gap is None else f"{s.gap:.3%}"
    return f"{s.status:<11} {obj:>18} {gap:>8} {s.seconds:7.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--gap", type=float, default=1e-9)
    ap.add_argument("--capa", default="8000,10000,12000,14000")
    ap.add_argument("--generated", default="small,medium")
    ap.add_argument(
        "--hubnet-only",
        action="store_true",
        help="run hubnet alone (HiGHS alone's figures as recorded)",
    )
    args = ap.parse_args()
    options = SolveOptions(time_limit_s=args.time_limit, mip_rel_gap=args.gap)
    print(f"# time limit {args.time_limit:g} s, gap {args.gap:g}")
    print(f"{'instance':<34} {'hubnet: status, objective, gap, s':<48} HiGHS alone: same")
    kept = 0
    with tempfile.TemporaryDirectory() as tmp:
        cases = _cases(args, Path(tmp))
        for name, folder, known in cases:
            ours = hubnet(folder, options)
            if args.hubnet_only:
                extra = "" if known is None else f"  published {known:,.0f}"
                print(f"{name:<34} {_fmt(ours)}{extra}", flush=True)
                continue
            theirs = alone(folder, options, Path(tmp) / "model.mps")
            proved = theirs.status != "optimal" or ours.status == "optimal"
            no_worse = theirs.objective is None or (
                ours.objective is not None
                and ours.objective <= theirs.objective + 1e-9 * abs(theirs.objective)
            )
            kept += proved and no_worse
            extra = "" if known is None else f"  published {known:,.0f}"
            print(f"{name:<34} {_fmt(ours)}   {_fmt(theirs)}{extra}", flush=True)
    if not args.hubnet_only:
        print(f"\nhubnet proves what HiGHS alone proves and ends no worse: {kept} of {len(cases)}")


if __name__ == "__main__":
    main()
