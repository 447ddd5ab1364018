"""The solve: HiGHS, handed the model in memory, with the strategy around it.

`solve_model` is the one entry point (`entry`). The rest is split by job: `highs` (hand-off,
options, the run, status, values), `relaxation` (the lazy LP relaxation and its thread),
`cuts` (capacity cuts by level), `strategy` (how the time limit is shared), `start` (the
start stage), `search`, `pricer`, `moves` and `regions` (the level search) and `diagnosis`
(why an infeasible model is infeasible). This package is the only one that imports the
solver. A time-limited run is `feasible` with its gap, never `optimal`.
"""

from __future__ import annotations

from hubnet.report import Progress, SolveOptions, SolveReport, Status
from hubnet.solve.diagnosis import conflicts_of, find_conflicts
from hubnet.solve.entry import solve_model
from hubnet.solve.highs import (
    START_FINAL,
    START_WITHIN_GAP,
    Compiled,
    branch_and_bound,
    handoff,
    write_mps,
)
from hubnet.solve.start import mip_start
from hubnet.solve.strategy import STRATEGY, Strategy, remaining

__all__ = [
    "START_FINAL",
    "START_WITHIN_GAP",
    "STRATEGY",
    "Compiled",
    "Progress",
    "SolveOptions",
    "SolveReport",
    "Status",
    "Strategy",
    "branch_and_bound",
    "conflicts_of",
    "find_conflicts",
    "handoff",
    "mip_start",
    "remaining",
    "solve_model",
    "write_mps",
]
