"""The solve's one entry point: hand the model to HiGHS, decide whether the level search
runs, give HiGHS its start, run the branch and bound, and report."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

import pyomo.environ as pyo

from hubnet.model.data import ModelData
from hubnet.report import Plan, Progress, SolveOptions, SolveReport
from hubnet.solve.cuts import NamedCut, add_cuts, placed
from hubnet.solve.highs import branch_and_bound, handoff, without_sub_mips_or_restarts
from hubnet.solve.start import mip_start
from hubnet.solve.strategy import STRATEGY, Strategy, remaining, wants_search, wants_start


def solve_model(
    model: pyo.ConcreteModel,
    data: ModelData,
    options: SolveOptions,
    start: Plan | None = None,
    spent_s: float = 0.0,
    progress: Callable[[Progress], None] | None = None,
    strategy: Strategy = STRATEGY,
    cuts: Sequence[NamedCut] = (),
) -> SolveReport:
    """Solve `model` (built from `data`) and load the values into its variables.

    `start` is a plan solved before (a warm start); `spent_s`, seconds of the time limit
    already spent; `cuts`, capacity cuts found on another model with the same rows (a
    roadmap's year), held from the start. The report's `start_s` is the start stage's
    seconds (None if none ran).
    """
    compiled = handoff(model, options)
    if not strategy.sub_mips_and_restarts:
        without_sub_mips_or_restarts(compiled)
    add_cuts(compiled.highs, placed(cuts, compiled.columns))
    start_s = None
    if wants_start(options, compiled, start is not None, strategy):
        t0 = time.perf_counter()
        search = wants_search(options, compiled, strategy)
        mip_start(model, data, compiled, options, start, progress, search, strategy)
        start_s = time.perf_counter() - t0
    spent = spent_s + start_s if start_s is not None else spent_s or None
    report = branch_and_bound(model, remaining(options, spent), progress, compiled)
    return dataclasses.replace(report, start_s=start_s)
