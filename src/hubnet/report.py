"""Solver options and the typed solve report (plain data: no solver or Pyomo import here)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

#: cost terms in the order the planner's brief shows them; sign in the total
COST_TERMS: dict[str, int] = {
    "fixed_cost": 1,
    "transport_cost": 1,
    "processing_cost": 1,
    "import_cost": 1,
    "co2_cost": 1,
    "leakage_penalty": 1,
    "informal_match_cost": 1,
    "export_revenue": -1,
    "metal_value": -1,
}


class Status(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NO_SOLUTION = "no_solution"
    #: the solver returned a plan, but the independent checker rejects it
    INVALID = "invalid"

    @property
    def has_solution(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE)


@dataclass(frozen=True, slots=True)
class SolveOptions:
    """What the planner may set; the CLI flags map onto these one to one."""

    time_limit_s: float | None = None
    mip_rel_gap: float = 1e-4
    threads: int | None = None
    seed: int = 0
    #: let HiGHS rescale costs and bounds by powers of two (see `solve.highs.scale_exponents`)
    auto_scale: bool = True
    #: start HiGHS from a plan found by the level search (`hubnet.solve.search`)
    mip_start: bool = True
    #: seconds the level search may take before the branch and bound (at most a third of
    #: the time limit); None: a third of the time limit, or 30 s without one
    search_s: float | None = None
    #: log HiGHS's own output to the console (off: hubnet shows its own progress)
    solver_log: bool = False
    #: after the branch and bound, re-solve the LP with the integers fixed: its operations are
    #: the answer, its duals the marginal values (`hubnet.solve.fixed`)
    marginals: bool = True


@dataclass(frozen=True, slots=True)
class Progress:
    elapsed_s: float
    best_solution: float | None
    best_bound: float | None
    gap: float | None


@dataclass(frozen=True, slots=True)
class SolveReport:
    status: Status
    termination: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    handoff_s: float
    solve_s: float
    n_variables: int
    n_binaries: int
    n_constraints: int
    n_nonzeros: int
    #: seconds of the start stage (relaxation and level search) before HiGHS; None if none ran
    start_s: float | None = None
    #: seconds of the LP with the integers fixed (marginal values); None if none ran
    marginals_s: float | None = None

    @property
    def headline(self) -> str:
        if self.status is Status.OPTIMAL:
            return "optimal" + (f" (gap {self.gap:.2%})" if self.gap and self.gap > 1e-9 else "")
        if self.status is Status.FEASIBLE:
            gap = "unknown" if self.gap is None else f"{self.gap:.2%}"
            return f"feasible, gap {gap} ({self.termination})"
        if self.status is Status.INVALID:
            return "invalid: the independent checker rejects this plan"
        return f"{self.status.value} ({self.termination})"


@dataclass(frozen=True, slots=True)
class Conflict:
    """One row (or variable bound) in conflict: its family, its index and how it binds."""

    family: str
    index: tuple
    #: "upper" / "lower" for an IIS member; the amount it had to stretch for elastic
    bound: str
    stretch: float | None = None


#: a plan of levels: facility -> its open level (absent: closed)
Plan = dict[str, str]


@dataclass(frozen=True)
class Facility:
    """A facility whose level is decided: its options (level, capacity, column), smallest
    first, whether it must open, and the sites that compete for the same sources."""

    name: str
    options: tuple[tuple[str, float, int], ...]
    must_open: bool = False
    neighbours: tuple[str, ...] = ()
    #: flow (or share) columns that must be 0 while the facility opens no level
    linked: tuple[int, ...] = ()
