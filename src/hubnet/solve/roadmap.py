"""Solving a roadmap: the levels of a plan (per year) as a start, the operations they allow
found by one LP with every level fixed, then HiGHS's branch and bound over the whole horizon."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

import highspy
import numpy as np
import pyomo.environ as pyo

from hubnet.report import Progress, SolveOptions, SolveReport, Status
from hubnet.solve.highs import (
    Compiled,
    apply_options,
    branch_and_bound,
    handoff,
    load_values,
    set_start,
)

logger = logging.getLogger(__name__)

#: (year, facility, level) -> 1 if the level is open that year
YearLevels = Mapping[tuple[int, str, str], float]


def level_columns(compiled: Compiled) -> dict[tuple[int, str, str], int]:
    """Column of each `period[year].open_level[facility, level]`."""
    out = {}
    for j, v in enumerate(compiled.columns):
        comp = v.parent_component()
        if comp.local_name == "open_level":
            f, lv = v.index()
            out[int(comp.parent_block().index()), f, lv] = j
    return out


def with_levels_fixed(compiled: Compiled, levels: YearLevels) -> tuple[np.ndarray, float] | None:
    """The best operations for `levels` (every integer column fixed; absent levels closed):
    one LP over the whole horizon. None if the levels allow no feasible plan."""
    h = compiled.highs
    lp = h.getLp()
    lower = np.array(lp.col_lower_, dtype=float)
    upper = np.array(lp.col_upper_, dtype=float)
    fixed = np.zeros(len(compiled.columns))
    for key, j in level_columns(compiled).items():
        fixed[j] = round(levels.get(key, 0.0))
    cols = np.flatnonzero(compiled.integer)
    try:
        h.changeColsIntegrality(
            len(cols), cols, np.full(len(cols), highspy.HighsVarType.kContinuous)
        )
        h.changeColsBounds(len(cols), cols, fixed[cols], fixed[cols])
        h.run()
        ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        values = np.asarray(h.getSolution().col_value) if ok else None
    finally:
        h.changeColsBounds(len(cols), cols, lower[cols], upper[cols])
        h.changeColsIntegrality(len(cols), cols, np.full(len(cols), highspy.HighsVarType.kInteger))
    if values is None:
        return None
    return values, compiled.objective(values)


def solve_roadmap(
    model: pyo.ConcreteModel,
    options: SolveOptions,
    start: YearLevels | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> tuple[SolveReport, float | None]:
    """Solve the whole horizon from the levels of `start` (if any); the report and the net
    present cost of `start` with its operations re-optimised (None without a start)."""
    compiled = handoff(model, options)
    start_cost = None
    if start is not None:
        quiet = SolveOptions(threads=options.threads, auto_scale=options.auto_scale)
        apply_options(compiled, quiet)
        got = with_levels_fixed(compiled, start)
        if got is not None:
            values, start_cost = got
            set_start(compiled, values, start_cost, -np.inf)
        else:
            logger.warning("the start plan's levels allow no feasible operations")
    return branch_and_bound(model, options, progress, compiled), start_cost


def solve_fixed(model: pyo.ConcreteModel, options: SolveOptions, levels: YearLevels) -> SolveReport:
    """The best operations for the levels of a plan decided elsewhere (myopic foresight),
    loaded into the model: one LP over the whole horizon."""
    compiled = handoff(model, options)
    apply_options(compiled, SolveOptions(threads=options.threads, auto_scale=options.auto_scale))
    t0 = time.perf_counter()
    got = with_levels_fixed(compiled, levels)
    status = Status.OPTIMAL if got is not None else Status.INFEASIBLE
    objective = None
    if got is not None:
        values, objective = got
        load_values(model, compiled.columns, values)
    return SolveReport(
        status=status,
        termination="the operations of levels fixed year by year (myopic foresight)",
        objective=objective,
        best_bound=None,
        gap=None,
        handoff_s=compiled.seconds,
        solve_s=time.perf_counter() - t0,
        n_variables=len(compiled.columns),
        n_binaries=compiled.n_binaries,
        n_constraints=len(compiled.rows),
        n_nonzeros=compiled.nnz,
    )
