"""A primal heuristic: search facility levels, with HiGHS pricing every plan as an LP.

Once every facility's level is fixed, what is left is an LP that HiGHS re-solves from the
previous basis in a few hundredths of a second even at municipality scale. The search starts
from the best of a few roundings of the LP relaxation and moves one facility at a time (close
it, resize it, open it, or move it to a neighbouring site), keeping any move that lowers the
cost, until a whole sweep finds none or the time budget is spent. The branch and bound then
starts from that plan; if it is already within the requested gap of the relaxation's bound,
the plan is the answer (the relaxation's optimum is a valid lower bound).

It works on column indices of the model HiGHS holds, and never on Pyomo objects.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import highspy
import numpy as np

from hubnet.report import Facility, Plan
from hubnet.solve import new_highs

logger = logging.getLogger(__name__)

#: a move must lower the cost by at least this share to count
MIN_IMPROVEMENT = 1e-7
#: at most this many seconds for one LP of a plan from a previous basis (a plan that takes
#: longer is skipped); the first, cold LPs may take what is left of the budget
EVAL_LIMIT_S = 20.0


@dataclass
class SearchResult:
    plan: Plan
    objective: float
    values: np.ndarray
    evaluations: int
    improvements: int
    seconds: float
    trace: list[tuple[float, float]] = field(default_factory=list)


class PlanPricer:
    """The LP left when each facility's level is fixed, hot-started from the last basis."""

    def __init__(self, model: highspy.HighsModel, facilities: list[Facility], options: dict):
        self.h = new_highs()
        self.h.setOptionValue("output_flag", False)
        self.h.passModel(model)
        n = self.h.getNumCol()
        self.h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
        for key, value in options.items():
            self.h.setOptionValue(key, value)
        self.facilities = facilities
        self.current: dict[int, float] = {}
        self.evaluations = 0
        self.good_basis: highspy.HighsBasis | None = None

    def __call__(self, plan: Plan, limit_s: float | None = None) -> float | None:
        """The plan's cost, or None if no flows fit it (within `limit_s`, default
        EVAL_LIMIT_S)."""
        for f in self.facilities:
            chosen = plan.get(f.name)
            for level, _, col in f.options:
                value = 1.0 if level == chosen else 0.0
                if self.current.get(col) != value:
                    self.h.changeColBounds(col, value, value)
                    self.current[col] = value
        self.evaluations += 1
        # cold, presolve makes the first solve fast; warm, it would throw the basis away
        self.h.setOptionValue("presolve", "off" if self.good_basis is not None else "on")
        # HiGHS counts its time limit over the instance's whole life, not per run
        allowed = EVAL_LIMIT_S if limit_s is None else max(limit_s, EVAL_LIMIT_S)
        self.h.setOptionValue("time_limit", self.h.getRunTime() + allowed)
        self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            # an infeasible or stopped solve leaves a basis far from any good plan
            if self.good_basis is not None:
                self.h.setBasis(self.good_basis)
            return None
        self.good_basis = self.h.getBasis()
        return float(self.h.getInfo().objective_function_value)

    def values(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().col_value)


def roundings(facilities: list[Facility], relaxed: np.ndarray) -> list[Plan]:
    """Plans from the relaxation: open a facility whose relaxed opening is at least a
    threshold, at the smallest level holding the capacity the relaxation bought there."""
    plans: list[Plan] = []
    for threshold in (0.5, 0.2, 0.05):
        plan: Plan = {}
        for f in facilities:
            opened = sum(relaxed[col] for _, _, col in f.options)
            bought = sum(cap * relaxed[col] for _, cap, col in f.options)
            if opened >= threshold - 1e-9 or f.must_open:
                fits = [lv for lv, cap, _ in f.options if cap >= bought - 1e-6]
                plan[f.name] = fits[0] if fits else f.options[-1][0]
        if plan not in plans:
            plans.append(plan)
    return plans


def _moves(
    plan: Plan, facilities: list[Facility], relaxed_open: dict[str, float]
) -> Iterator[tuple[tuple[str, str | None], ...]]:
    """Closing, then resizing by one level, the least promising open facilities first; then
    opening what the relaxation opened in part; then moving a facility to a neighbour."""
    by_name = {f.name: f for f in facilities}
    opened = sorted(plan, key=lambda n: (relaxed_open.get(n, 0.0), n))
    for name in opened:
        if not by_name[name].must_open:
            yield ((name, None),)
    for name in opened:
        levels = [lv for lv, _, _ in by_name[name].options]
        at = levels.index(plan[name])
        for other in (at - 1, at + 1):
            if 0 <= other < len(levels):
                yield ((name, levels[other]),)
    closed = sorted(
        (f for f in facilities if f.name not in plan and relaxed_open.get(f.name, 0.0) > 1e-6),
        key=lambda f: (-relaxed_open[f.name], f.name),
    )
    for f in closed:
        for level, _, _ in f.options:
            yield ((f.name, level),)
    for name in opened:
        f = by_name[name]
        if f.must_open:
            continue
        capacity = dict((lv, cap) for lv, cap, _ in f.options)[plan[name]]
        for other in f.neighbours:
            g = by_name.get(other)
            if g is None or other in plan:
                continue
            fits = [lv for lv, cap, _ in g.options if cap >= capacity - 1e-6]
            yield ((name, None), (other, fits[0] if fits else g.options[-1][0]))


def search_levels(
    model: highspy.HighsModel,
    facilities: list[Facility],
    relaxed: np.ndarray,
    starts: list[Plan],
    budget_s: float,
    highs_options: dict | None = None,
    progress: Callable[[float, float], None] | None = None,
) -> SearchResult | None:
    """The best plan found from `starts` within the budget (`relaxed`, the relaxation's
    values, orders the moves); `progress(seconds, best cost)` is told after every plan."""
    t0 = time.perf_counter()
    price = PlanPricer(model, facilities, highs_options or {})
    relaxed_open = {f.name: float(sum(relaxed[c] for _, _, c in f.options)) for f in facilities}
    best_plan, best, best_x = None, np.inf, None
    for plan in starts:
        cost = price(plan, budget_s - (time.perf_counter() - t0))
        if cost is not None and cost < best:
            best_plan, best, best_x = dict(plan), cost, price.values()
    if best_plan is None:
        return None
    trace = [(time.perf_counter() - t0, best)]
    improvements = 0
    swept_clean = False
    while not swept_clean and time.perf_counter() - t0 < budget_s:
        swept_clean = True
        for move in list(_moves(best_plan, facilities, relaxed_open)):
            if time.perf_counter() - t0 >= budget_s:
                break
            trial = dict(best_plan)
            for name, level in move:
                if level is None:
                    trial.pop(name, None)
                else:
                    trial[name] = level
            if trial == best_plan:
                continue
            cost = price(trial)
            if cost is not None and cost < best - MIN_IMPROVEMENT * max(abs(best), 1.0):
                best_plan, best, best_x = trial, cost, price.values()
                improvements += 1
                swept_clean = False
                trace.append((time.perf_counter() - t0, best))
            if progress is not None:
                progress(time.perf_counter() - t0, best)
    seconds = time.perf_counter() - t0
    logger.info(
        "level search: %d plans priced, %d improvements, %.1f s, cost %.6g",
        price.evaluations,
        improvements,
        seconds,
        best,
    )
    return SearchResult(best_plan, best, best_x, price.evaluations, improvements, seconds, trace)
