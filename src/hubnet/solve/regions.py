"""Regions: HiGHS's branch and bound chooses the levels of a facility and its neighbours at
once, every other facility held at a plan (`RegionSolver`), freeing only the columns the
region can move (`local_columns`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from hubnet.model import SOURCE_FAMILIES
from hubnet.report import Facility, Plan
from hubnet.solve.highs import Compiled, new_highs, row_matrix

#: at most this many seconds for one region's branch and bound (`RegionSolver`)
REGION_S = 5.0
#: rings of neighbours a region takes in at most: one until every region one ring deep has
#: been tried around the best plan, then two (slower, but they change more: on the
#: generated 1,700 x 150 instance, seed 2, from a plan at 0.565 % of the bound, one pass of
#: them reached 0.294 %)
REGION_RINGS = 2
#: HiGHS settings for a region's branch and bound: it starts from a good plan and has a few
#: dozen binaries, so restarts and sub-MIP heuristics cost more than they find (generated
#: 1,700 x 150, seed 2, two regions with every flow free: 3.9 and 4.7 s to a proved optimum,
#: against 21.2 and 12.6 s with HiGHS's defaults)
REGION_OPTIONS = {
    "mip_allow_restart": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_pscost_minreliable": 0,
    "mip_rel_gap": 1e-4,
}


@dataclass(frozen=True)
class LocalColumns:
    """What a region's branch and bound frees (`RegionSolver`): with each facility,
    the collection of the sources that reach it; and, whatever the region, every continuous
    column that is not collection (what hubs send on, imports, exports)."""

    collection: dict[str, np.ndarray]
    downstream: np.ndarray


def local_columns(compiled: Compiled, facilities: list[Facility]) -> LocalColumns:
    """The columns a region frees: with each facility its linked columns and every
    collection column of the sources those reach (a source may move to any of its hubs),
    but not the collection of the other sources of the hubs they reach; and all the rest
    downstream. Facilities without linked columns free no collection.

    Holding what hubs send on at the plan's values too made regions find much less: on the
    generated 1,700 x 150 instance (seed 2), regions two rings deep found nothing in 97 s
    from a plan at 0.564 % of the bound; with it free, from a plan at 0.565 %, they reached
    0.467 % in 61 s and 0.294 % in 119 s (the same plans as with every column free, which
    took 315 and 553 s). A region of a hub two rings deep frees 13,000-18,700 of 29,525
    columns, which HiGHS presolves to a few thousand."""
    fams = np.array(compiled.families())
    a = row_matrix(compiled.highs.getLp())
    n = a.shape[1]
    rows = a[np.flatnonzero(np.isin(fams, list(SOURCE_FAMILIES)))]
    sources = sp.csr_matrix((np.ones(rows.nnz), rows.indices, rows.indptr), shape=rows.shape)
    collected = np.zeros(n, dtype=bool)
    collected[sources.indices] = True
    continuous = ~compiled.integer
    downstream = np.flatnonzero(continuous & ~collected).astype(np.int32)
    named = [f for f in facilities if f.linked]
    if not named:
        return LocalColumns({}, downstream)
    linked = sp.csc_matrix(
        (
            np.ones(sum(len(f.linked) for f in named)),
            np.concatenate([np.asarray(f.linked, dtype=np.int64) for f in named]),
            np.cumsum([0] + [len(f.linked) for f in named]),
        ),
        shape=(n, len(named)),
    )
    reached = (linked + sources.T @ (sources @ linked)).tocsc()
    reached.eliminate_zeros()
    collection = {}
    for i, f in enumerate(named):
        cols = reached.indices[reached.indptr[i] : reached.indptr[i + 1]]
        collection[f.name] = np.sort(cols[continuous[cols] & collected[cols]]).astype(np.int32)
    return LocalColumns(collection, downstream)


@dataclass(frozen=True)
class Regions:
    """What a search needs to re-optimise regions: the whole model (linking rows, integer
    levels) and the columns each facility frees."""

    whole: highspy.HighsModel
    local: LocalColumns


class RegionSolver:
    """The whole model (linking rows, integer levels) with every facility held at a plan's
    level but those of one region, whose levels HiGHS's branch and bound chooses: a change
    of many sites at once, where a move changes at most two and a kick four. The collection
    of the sources that cannot reach the region keeps the plan's values
    (`local_columns`), so the region's model presolves to a fraction of the
    whole; the plan found is then priced with every column free (which can only lower its
    cost)."""

    def __init__(
        self,
        model: highspy.HighsModel,
        facilities: list[Facility],
        local: LocalColumns,
        options: dict,
    ):
        self.h = new_highs()
        self.h.setOptionValue("output_flag", False)
        self.h.passModel(model)
        for key, value in {**options, **REGION_OPTIONS}.items():
            self.h.setOptionValue(key, value)
        self.facilities = [f for f in facilities if f.options]
        self.local = local
        lp = self.h.getLp()
        self.lower, self.upper = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
        self.columns = np.arange(len(self.lower), dtype=np.int32)
        self.solves = 0
        self.seconds = 0.0

    def can_free(self, name: str) -> bool:
        """Whether a region may centre on `name` (it has columns of its own to free)."""
        return name in self.local.collection

    def __call__(
        self, plan: Plan, values: np.ndarray, region: set[str], limit_s: float
    ) -> Plan | None:
        """The best plan HiGHS finds within `limit_s` that differs from `plan` only in
        `region`, started from `plan` (whose LP values are `values`); None if it finds none."""
        free = np.zeros(len(self.lower), dtype=bool)
        free[self.local.downstream] = True
        for name in region:
            if name in self.local.collection:
                free[self.local.collection[name]] = True
        held = np.clip(values, self.lower, self.upper)
        lower = np.where(free, self.lower, held)
        upper = np.where(free, self.upper, held)
        for f in self.facilities:
            for level, _, col in f.options:
                if f.name in region:
                    lower[col], upper[col] = 0.0, 1.0
                else:
                    lower[col] = upper[col] = 1.0 if plan.get(f.name) == level else 0.0
        self.h.changeColsBounds(len(self.columns), self.columns, lower, upper)
        start = highspy.HighsSolution()
        start.col_value = list(np.where(free, values, held))
        self.h.setSolution(start)
        # a branch and bound's clock starts with each run (an LP's runs over the life)
        self.h.setOptionValue("time_limit", max(limit_s, 0.0))
        t0 = time.perf_counter()
        self.h.run()
        self.seconds += time.perf_counter() - t0
        self.solves += 1
        if self.h.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
            return None
        x = self.h.getSolution().col_value
        return {
            f.name: level for f in self.facilities for level, _, col in f.options if x[col] > 0.5
        }
