"""Solving a two-stage plan: candidate shared plans (each future's own, the average future's)
priced in every future by one LP with their levels fixed, the cheapest handed to HiGHS as
its start, and the branch and bound over all futures at once, stopped within the gap of the
futures' own bounds (wait-and-see bounds the two-stage optimum from below)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from hubnet.report import Progress, SolveOptions, SolveReport
from hubnet.solve.fixed import load_duals, price_network
from hubnet.solve.highs import Compiled, load_values
from hubnet.solve.roadmap import from_best_plan, prepared, with_levels_fixed, within

#: (year, facility, level) -> 1.0 for each level a shared plan opens (year 0: a single-year
#: instance)
SharedPlan = Mapping[tuple[int, str, str], float]


@dataclass(frozen=True)
class Priced:
    """A shared plan operated in every future: the weighted cost and each future's."""

    expected: float
    by_future: dict[str, float]


def in_every_future(plan: SharedPlan, futures: Sequence[str]) -> dict[tuple, float]:
    """The plan's levels keyed as the two-stage model's columns: (future, year, facility,
    level)."""
    return {(k, *key): x for k in futures for key, x in plan.items()}


def price(
    compiled: Compiled, model: pyo.ConcreteModel, plan: SharedPlan
) -> tuple[tuple[np.ndarray, float] | None, Priced | None]:
    """The best operations of `plan` in every future (one LP), and what it costs in each."""
    names = list(model.FUTURES)
    got = with_levels_fixed(compiled, in_every_future(plan, names))
    if got is None:
        return None, None
    load_values(model, compiled.columns, got[0])
    by_future = {k: float(pyo.value(model.future[k].npv)) for k in names}
    return got, Priced(got[1], by_future)


def solve_stochastic(
    model: pyo.ConcreteModel,
    options: SolveOptions,
    plans: list[SharedPlan],
    bound: float = -math.inf,
    progress: Callable[[Progress], None] | None = None,
) -> tuple[SolveReport, list[Priced | None]]:
    """The two-stage model from the cheapest of `plans` (each priced in every future);
    `bound`: the weighted sum of the futures' own lower bounds. With marginal values asked,
    the answer's operations and duals come from the LP with its integers fixed."""
    t0 = time.perf_counter()
    compiled = prepared(model, options)
    both = [price(compiled, model, plan) for plan in plans]
    report = from_best_plan(
        compiled, model, within(options, t0), [g for g, _ in both], bound, progress, lift=True
    )
    if options.marginals and report.status.has_solution:
        values = np.array([v.value or 0.0 for v in compiled.columns])
        fixed = price_network(compiled, values)
        if fixed is not None:
            load_values(model, compiled.columns, fixed.values)
            load_duals(model, compiled, fixed.row_dual)
    return report, [p for _, p in both]


__all__ = ["Priced", "SharedPlan", "in_every_future", "price", "solve_stochastic"]
