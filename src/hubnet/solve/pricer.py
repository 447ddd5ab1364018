"""Pricing a plan of levels: the LP left once every facility's level is fixed, re-solved by
HiGHS from the last basis."""

from __future__ import annotations

import math
import time

import highspy
import numpy as np

from hubnet.report import Facility, Plan
from hubnet.solve.highs import new_highs

#: at most this many seconds for one LP of a plan from a previous basis (a plan that takes
#: longer is skipped); the first, cold LPs may take what is left of the budget
EVAL_LIMIT_S = 20.0


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
        self.shut: dict[str, bool] = {}
        lp = self.h.getLp()
        self.lower, self.upper = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
        self.evaluations = 0
        self.lp_s = 0.0
        self.good_basis: highspy.HighsBasis | None = None
        #: the cost of every plan priced: a plan met again is not priced again
        self.seen: dict[frozenset, float | None] = {}
        #: no LP runs past this `time.perf_counter()` (a walk whose plans may go unpriced)
        self.deadline = math.inf

    def __call__(self, plan: Plan, limit_s: float | None = None) -> float | None:
        """The plan's cost, or None if no flows fit it (within `limit_s`, default
        EVAL_LIMIT_S). A plan priced before gets its cost as then, and `values` stays the
        last plan priced: a walk's best is never dearer than a plan it has priced, so a plan
        met again never becomes its best."""
        key = frozenset(plan.items())
        if key in self.seen:
            return self.seen[key]
        cost = self._solve(plan, limit_s)
        self.seen[key] = cost
        return cost

    def _solve(self, plan: Plan, limit_s: float | None) -> float | None:
        for f in self.facilities:
            chosen = plan.get(f.name)
            for level, _, col in f.options:
                value = 1.0 if level == chosen else 0.0
                if self.current.get(col) != value:
                    self.h.changeColBounds(col, value, value)
                    self.current[col] = value
            # with levels fixed the linking rows add nothing to capacity (a closed hub has
            # none), so the model priced has none; holding a closed hub's linked flows at 0
            # by their bounds spares the simplex those columns (60 against 66 ms a plan on
            # the generated medium instance)
            shut = chosen is None
            if f.linked and self.shut.get(f.name) != shut:
                cols = np.asarray(f.linked, dtype=np.int32)
                up = np.zeros(len(cols)) if shut else self.upper[cols]
                self.h.changeColsBounds(len(cols), cols, self.lower[cols], up)
                self.shut[f.name] = shut
        self.evaluations += 1
        # cold, presolve makes the first solve fast; warm, it would throw the basis away
        self.h.setOptionValue("presolve", "off" if self.good_basis is not None else "on")
        # HiGHS counts its time limit over the instance's whole life, not per run
        allowed = EVAL_LIMIT_S if limit_s is None else max(limit_s, EVAL_LIMIT_S)
        allowed = max(min(allowed, self.deadline - time.perf_counter()), 0.0)
        self.h.setOptionValue("time_limit", self.h.getRunTime() + allowed)
        t0 = time.perf_counter()
        self.h.run()
        self.lp_s += time.perf_counter() - t0
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            # an infeasible or stopped solve leaves a basis far from any good plan
            if self.good_basis is not None:
                self.h.setBasis(self.good_basis)
            return None
        self.good_basis = self.h.getBasis()
        return float(self.h.getInfo().objective_function_value)

    def values(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().col_value)
