"""How the time limit is shared between the relaxation, the level search, its regions and the
branch and bound: the tuning constants (`Strategy`) and the decisions made from them."""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass

from hubnet.report import Facility, SolveOptions
from hubnet.solve.highs import Compiled
from hubnet.solve.relaxation import Relaxed


@dataclass(frozen=True, slots=True)
class Strategy:
    """The solve strategy's tuning constants."""

    #: the relaxation under the level search may take at most this share of the time limit.
    #: With a quarter, the generated 1,700 x 150 instance at 60 s ended at gap 1.16-1.65 %
    #: (8 of its 18 rounds, the search from that rounding); with half, at 0.91-1.27 % (10-12
    #: rounds). 5,000 x 300 at 600 s: 4.2-4.6 % with a quarter, 3.56-3.91 % with half
    relaxation_share: float = 0.5
    #: a branch and bound needs at least this many times the relaxation's time left to follow it
    root_factor: float = 2.0
    #: capacity cuts (Eq. 12) go on while a round lifts the relaxation's bound by more than
    #: this share of the gap asked for
    cut_gain: float = 0.01
    #: seconds for the level search when neither a budget nor a time limit is given
    search_s: float = 30.0
    #: the level search runs at gaps from this one up, or on models with this many columns
    start_min_gap: float = 1e-3
    start_min_columns: int = 10_000
    #: a roadmap's passes run on worker processes, the myopic pass beside the relaxation,
    #: where its years have this many flow columns each (japan-roadmap: 6,700-7,200
    #: of 7,500-8,100 columns)
    beside_min_flows: int = 2_000
    #: ... and, under a time limit, at least this many seconds a year: starting the processes
    #: takes a few (a two-stage roadmap's futures alone, 9 s a year, found poorer plans)
    beside_min_s_per_year: float = 30.0
    #: the level search re-optimises regions by branch and bound (`regions.RegionSolver`)
    #: where this many facilities have levels: with fewer, a region is much of the whole
    #: model (on `japan-municipal`, 25 hubs, the search took 6.0 s with regions against 1.3
    #: s without)
    region_min_facilities: int = 100
    #: seconds for the relaxation when there is no time limit
    relaxation_s: float = 600.0
    #: HiGHS's sub-MIP heuristics (RINS, RENS, root reduced cost) and its restarts after the
    #: root. A roadmap's passes turn them off: their years are small models (japan-roadmap:
    #: 68 binaries) whose time these took much of. Its five priced years at 0.05 % took
    #: 49.2 s with both and 36.3 s without RINS and RENS (one set of prices), 50.8 s without
    #: them and 42.2 s without restarts too (another); its myopic pass 36.7, 30.4 and 21.9 s:
    #: same plans. The root reduced-cost sub-MIP off as well: 26.1-31.2 s against 34.9-37.1 s
    #: for the priced years holding their cuts
    sub_mips_and_restarts: bool = True


#: the strategy every run uses
STRATEGY = Strategy()


def wants_start(
    options: SolveOptions, compiled: Compiled, warm: bool, strategy: Strategy = STRATEGY
) -> bool:
    """Give HiGHS a starting plan: from the level search where it pays, or a warm start's
    previous plan (`warm`). Never with single sourcing: its plans would leave the
    assignments fractional."""
    from hubnet.model.start import levels_only

    if not (options.mip_start and compiled.n_binaries and levels_only(compiled.columns)):
        return False
    return warm or wants_search(options, compiled, strategy)


def wants_search(options: SolveOptions, compiled: Compiled, strategy: Strategy = STRATEGY) -> bool:
    """Run the level search where it pays: at a loose gap (its plan may be the answer) or on
    a large model (HiGHS alone finds poor plans there). On the default instance at gap
    0.01 % it cost time: 19.1 s end to end against 12.5 s without it."""
    return (
        options.mip_rel_gap >= strategy.start_min_gap
        or len(compiled.columns) >= strategy.start_min_columns
    )


def beside_search(options: SolveOptions) -> bool:
    """Whether a relaxation cut short by its time share (there is one only under a time
    limit) may go on beside the level search: more than one thread allowed and a second
    core. Batch workers run with one thread each."""
    return options.threads != 1 and (os.cpu_count() or 1) > 1


def races(options: SolveOptions, facilities: list[Facility], by_region: bool) -> bool:
    """Whether HiGHS's own branch and bound races the level search, on a core of its own from
    the start (`portfolio.BranchAndBound`): where regions give the search the last word under
    a time limit and every facility is open or closed (one level). There HiGHS's cuts on the
    capacity rows prove what the search only finds (OR-Library's capa 14000: optimal in 71 s
    alone); where levels are chosen the search leads and keeps both cores."""
    from hubnet.processes import in_daemon

    return (
        bool(options.time_limit_s)
        and by_region
        and beside_search(options)
        and not in_daemon()
        and all(len(f.options) == 1 for f in facilities)
    )


def regional(n_facilities: int, strategy: Strategy = STRATEGY) -> bool:
    """Whether regions re-optimised by branch and bound stand in for HiGHS's over the whole
    model."""
    return n_facilities >= strategy.region_min_facilities


def search_budget(options: SolveOptions, strategy: Strategy = STRATEGY) -> float:
    """Seconds for the level search before the branch and bound: the planner's budget (at
    most a third of the time limit), else a third of the time limit, else `search_s`."""
    limit = options.time_limit_s
    if options.search_s is not None:
        return options.search_s if not limit else min(options.search_s, limit / 3)
    return limit / 3 if limit else strategy.search_s


def cost_within_gap(bound: float, gap: float) -> float:
    """The highest cost whose relative gap to `bound` is within `gap` (a hair inside it, so
    that the check in `branch_and_bound` agrees); minus infinity without a bound."""
    if not math.isfinite(bound):
        return -math.inf
    g = 0.999 * gap
    if bound <= 0:
        return bound / (1 + g)
    return bound / (1 - g) if g < 1 else math.inf


def search_has_last_word(
    limit_s: float | None,
    relaxed: Relaxed | None,
    relaxation_s: float,
    elapsed_s: float,
    regional: bool = False,
    strategy: Strategy = STRATEGY,
) -> bool:
    """Whether the level search's plan is the answer, with no branch and bound after it.

    A branch and bound starts by solving the relaxation, and HiGHS's own is slower than the
    lazy one (generated 1,700 x 150: 88 s against 29 s). If the lazy one did not finish in
    its share of the time limit, or what is left is under `root_factor` times what it took,
    the branch and bound would not get past its root: the search gets that time instead.

    Under a time limit, always where the search re-optimises regions by branch and bound
    (`regional`): on the generated 1,700 x 150 instance (seed 2) with a 300 s limit, HiGHS's
    branch and bound over the whole model found nothing better than the search's plan in
    207 s, where a walk with regions was within 0.5 % of the bound after 72 s.
    """
    if limit_s is None:
        return False
    if regional or relaxed is None or not relaxed.complete:
        return True
    return limit_s - elapsed_s < strategy.root_factor * relaxation_s


def remaining(options: SolveOptions, spent_s: float | None) -> SolveOptions:
    """The options for HiGHS: the time limit covers what was spent before it (the level
    search; None: nothing ran) and the branch and bound."""
    if not options.time_limit_s or spent_s is None:
        return options
    left = max(options.time_limit_s - spent_s, 1.0)
    return dataclasses.replace(options, time_limit_s=left)
