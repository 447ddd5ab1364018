"""Solving a roadmap: the levels of a plan (per year) as a start, the operations they allow
found by one LP with every level fixed, then HiGHS's branch and bound over the whole horizon."""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import highspy
import numpy as np
import pyomo.environ as pyo

from hubnet.model import build_from_data
from hubnet.model.data import ModelData
from hubnet.model.periods import Period, Reached, year_data
from hubnet.model.start import plan_of
from hubnet.processes import may_start_processes, spawned
from hubnet.report import Plan, Progress, SolveOptions, SolveReport, Status
from hubnet.solve.cuts import NamedCut, add_cuts, binding
from hubnet.solve.entry import solve_model
from hubnet.solve.fixed import FixedLP, fixed_lp, load_duals, price_network
from hubnet.solve.highs import (
    Compiled,
    apply_options,
    branch_and_bound,
    callback_scale,
    copy_of,
    handoff,
    load_values,
    relative_gap,
    scaling,
    set_start,
)
from hubnet.solve.relaxation import Relaxed, relaxation
from hubnet.solve.strategy import STRATEGY

if TYPE_CHECKING:
    from hubnet.solve.lagrangian import Prices

logger = logging.getLogger(__name__)

#: termination text when a plan priced before the branch and bound is within the gap
PLAN_WITHIN_GAP = "A plan priced before the branch and bound, within the gap of the bound"
#: most seconds the root's relaxation with capacity cuts may take without a time limit (with
#: one: a quarter of what is left)
ROOT_CUTS_S = 120.0

#: most seconds merging the plans may take without a time limit (with one: a quarter of what
#: is left); on japan-roadmap it found its plan within 5-20 s
MERGE_S = 60.0

#: (year, facility, level) -> 1 if the level is open that year; (facility, level) -> 1 in a
#: single-year model
YearLevels = Mapping[tuple, float]


def level_columns(compiled: Compiled) -> dict[tuple, int]:
    """Column of each `open_level[facility, level]`: keyed (facility, level) in a single-year
    model, (year, facility, level) in a roadmap's `period[year]` blocks, (future, year,
    facility, level) in a two-stage model's `future[name].period[year]`."""
    out = {}
    for j, v in enumerate(compiled.columns):
        comp = v.parent_component()
        if comp.local_name == "open_level":
            out[(*_block_path(comp.parent_block()), *v.index())] = j
    return out


def _block_path(block: pyo.Block) -> tuple:
    """The indices of the indexed blocks around a component, outermost first."""
    path = []
    while block.parent_block() is not None:
        path.append(block.index())
        block = block.parent_block()
    return tuple(reversed(path))


def levels_vector(compiled: Compiled, levels: YearLevels) -> np.ndarray:
    """Column values of `levels`: 1 for each level open (that year), 0 for every other."""
    fixed = np.zeros(len(compiled.columns))
    for key, j in level_columns(compiled).items():
        fixed[j] = round(levels.get(key, 0.0))
    return fixed


def _fixed(compiled: Compiled, levels: YearLevels) -> FixedLP | None:
    """`fixed_lp` with the level columns fixed; other integers (single sourcing's
    assignments, which are operations) are decided again."""
    cols = np.array(sorted(level_columns(compiled).values()), dtype=np.int32)
    return fixed_lp(compiled, levels_vector(compiled, levels), cols=cols)


def with_levels_fixed(compiled: Compiled, levels: YearLevels) -> tuple[np.ndarray, float] | None:
    """The best operations for `levels` (every level column fixed; absent levels closed):
    one LP, or a MIP over what other integers are left. None if the levels allow no
    feasible plan."""
    got = _fixed(compiled, levels)
    return None if got is None else (got.values, got.objective)


@dataclass(frozen=True)
class Pass:
    """A year-by-year pass: the levels of every year (None if a year has no plan), each
    year's report, and the lower bound it proves on the whole horizon (-inf: none)."""

    levels: YearLevels | None
    reports: tuple[tuple[int, SolveReport], ...]
    bound: float = -math.inf


def year_by_year(
    name: str,
    periods: list[Period],
    options: SolveOptions,
    myopic: bool,
    prices: Prices | None = None,
    cuts: Mapping[int, list[NamedCut]] | None = None,
) -> Pass:
    """Each year solved as a single-year model with the full solve strategy (with `cuts`,
    its year's capacity cuts held from the start).

    Myopic: each year sees only itself, with the levels reached before kept. Independent
    (not myopic): nothing is kept and build costs are shared out by discount steps, so the
    weighted sum of the years' bounds bounds the horizon (when build costs do not change by
    year). With `prices` (not myopic): each year's levels cost what the prices say instead,
    and the weighted bounds plus the prices' constant bound the horizon (always)."""
    reached: dict[str, Reached] = {}
    solved: list[tuple[Period, SolveReport, Plan | None]] = []
    got: Plan | None = None
    steps = [p.discount for p in periods[1:]] + [0.0]
    for p, next_discount in zip(periods, steps, strict=True):
        share = p.discount if myopic else p.discount - next_discount
        if prices is None:
            data = year_data(p, reached if myopic else {}, share)
        else:
            data = prices.year(p)
        # the year before's levels: under myopic foresight a plan of this year too
        kind, held = _pass_name(myopic, prices), (cuts or {}).get(p.year, [])
        report, got = solve_year(f"{name}-{p.year}", data, options, got, kind, held)
        solved.append((p, report, got))
        if got is None:
            break
        reached = {
            f: Reached(p.data.level_capacity[f, lv], p.build_cost.get((f, lv), 0.0))
            for f, lv in got.items()
        }
    return _assembled(solved, periods, myopic, prices)


def priced_pass(
    name: str,
    periods: list[Period],
    prices: Prices,
    options: SolveOptions,
    pool: Executor,
    cuts: Mapping[int, list[NamedCut]],
) -> Pass:
    """`year_by_year` at `prices` with `cuts`, its years solved at once by the workers of
    `pool` (they share nothing but the prices)."""
    jobs = [
        pool.submit(
            solve_year,
            f"{name}-{p.year}",
            prices.year(p),
            options,
            None,
            _pass_name(False, prices),
            cuts.get(p.year, []),
        )
        for p in periods
    ]
    solved = [(p, *job.result()) for p, job in zip(periods, jobs, strict=True)]
    return _assembled(solved, periods, False, prices)


def solve_year(
    name: str,
    data: ModelData,
    options: SolveOptions,
    start: Plan | None,
    kind: str,
    cuts: list[NamedCut],
) -> tuple[SolveReport, Plan | None]:
    """One year of a pass (`kind`: its name in the log), from `start` if given, holding
    `cuts`; its report and the levels it opens (None if it found no plan). HiGHS's sub-MIPs
    and restarts are off (`Strategy.sub_mips_and_restarts`)."""
    model = build_from_data(name, data)
    strategy = dataclasses.replace(STRATEGY, sub_mips_and_restarts=False)
    report = solve_model(model, data, options, start=start, strategy=strategy, cuts=cuts)
    logger.info("%s %s: %s, gap %s", kind, name, report.status.value, report.gap)
    return report, plan_of(model, data) if report.status.has_solution else None


def _assembled(
    solved: list[tuple[Period, SolveReport, Plan | None]],
    periods: list[Period],
    myopic: bool,
    prices: Prices | None,
) -> Pass:
    """The pass from its years' reports and plans (in order; the last may have none)."""
    reports = tuple((p.year, report) for p, report, _ in solved)
    plan: dict[tuple[int, str, str], float] = {}
    bound = 0.0
    for p, report, got in solved:
        if got is None:
            return Pass(None, reports)
        plan.update({(p.year, f, lv): 1.0 for f, lv in got.items()})
        found = report.best_bound if report.best_bound is not None else -math.inf
        bound += p.weight * found
    if prices is not None:
        bound += prices.constant
    elif myopic or not _constant_build_costs(periods):
        bound = -math.inf
    return Pass(plan, reports, bound)


def _pass_name(myopic: bool, prices: Prices | None) -> str:
    return "myopic" if myopic else "independent" if prices is None else "priced"


def passes_beside(options: SolveOptions, periods: list[Period]) -> bool:
    """Whether the passes may run on worker processes (`workers`), the myopic pass beside the
    relaxation: a second core, more than one thread allowed, a process that may start them
    (not a batch worker), and years large enough, and time enough for each, to repay
    starting them (a few seconds). Judged on the years' data, before the horizon's model is
    built, so that the workers start while it is."""
    limit, years = options.time_limit_s, len(periods)
    flows = sum(len(p.data.flow_index) for p in periods)
    return (
        options.threads != 1
        and may_start_processes()
        and (limit is None or limit >= years * STRATEGY.beside_min_s_per_year)
        and flows >= years * STRATEGY.beside_min_flows
    )


def workers(count: int) -> AbstractContextManager[Executor]:
    """The passes' pool of `count` spawned processes, each importing this module at once."""
    return spawned(count, _ready)


def _ready() -> None:
    """Nothing: a worker that ran it has imported this module."""


def _constant_build_costs(periods: list[Period]) -> bool:
    seen: dict = {}
    for p in periods:
        for key, c in p.build_cost.items():
            if seen.setdefault(key, c) != c:
                return False
    return True


def never_shrinks(periods: list[Period], levels: YearLevels) -> bool:
    """Whether no facility's level capacity falls from one year to the next (a facility the
    instance closes may drop its level)."""
    before: dict[str, float] = {}
    for p in periods:
        now = {
            f: p.data.level_capacity[f, lv]
            for (y, f, lv), x in levels.items()
            if y == p.year and x > 0.5
        }
        still = {f for f, _ in p.data.level_index}
        if any(now.get(f, 0.0) < c - 1e-9 for f, c in before.items() if f in still):
            return False
        before = now
    return True


def solve_roadmap(
    model: pyo.ConcreteModel,
    options: SolveOptions,
    plans: list[YearLevels],
    bound: float = -math.inf,
    progress: Callable[[Progress], None] | None = None,
    compiled: Compiled | None = None,
    known: list[Priced] | None = None,
) -> tuple[SolveReport, list[float | None]]:
    """Solve the whole horizon: each plan's levels priced with their operations re-optimised
    (one LP each), the best of them handed to HiGHS as its start with `bound` (a lower bound
    proved elsewhere), and the branch and bound run only if they are not within the gap.
    `compiled`: the model already handed to HiGHS (`prepared`); `known`: what the first
    plans were priced at already. Returns the report and each plan's net present cost (None:
    infeasible)."""
    t0 = time.perf_counter()
    compiled = compiled or prepared(model, options)
    priced = list(known or [])
    priced += [with_levels_fixed(compiled, plan) for plan in plans[len(priced) :]]
    best, gap = cheapest(priced, bound)
    logger.info(
        "plans priced: %s, bound %.6g, gap %s",
        ", ".join(f"{got[1]:.6g}" if got is not None else "none" for got in priced),
        bound,
        f"{gap:.4%}" if gap is not None else "none",
    )
    if len(plans) > 1 and best is not None and (gap is None or gap > options.mip_rel_gap):
        better = merged(compiled, plans, best, bound, within(options, t0))
        if better is not None and better[1] < best[1]:
            priced.append(better)
    report = from_best_plan(compiled, model, within(options, t0), priced, bound, progress)
    priced = priced[: len(plans)]
    return report, [got[1] if got is not None else None for got in priced]


#: a plan's operations and net present cost (`with_levels_fixed`), None if it has none
Priced = tuple[np.ndarray, float] | None


def cheapest(priced: list[Priced], bound: float) -> tuple[Priced, float | None]:
    """The cheapest of the priced plans, and its gap to `bound` (None: no plan or no bound)."""
    best = min((got for got in priced if got is not None), key=lambda g: g[1], default=None)
    return best, relative_gap(best[1], bound) if best is not None else None


def within(options: SolveOptions, t0: float) -> SolveOptions:
    """`options` with what is left of its time limit since `t0` (at least a second)."""
    if options.time_limit_s is None:
        return options
    left = max(1.0, options.time_limit_s - (time.perf_counter() - t0))
    return dataclasses.replace(options, time_limit_s=left)


def prepared(model: pyo.ConcreteModel, options: SolveOptions) -> Compiled:
    """The model handed to HiGHS with the options its LPs and branch and bound share."""
    compiled = handoff(model, options)
    apply_options(compiled, SolveOptions(threads=options.threads, auto_scale=options.auto_scale))
    return compiled


def from_best_plan(
    compiled: Compiled,
    model: pyo.ConcreteModel,
    options: SolveOptions,
    priced: list[tuple[np.ndarray, float] | None],
    bound: float,
    progress: Callable[[Progress], None] | None,
    lift: bool = False,
) -> SolveReport:
    """The branch and bound from the cheapest of the priced plans, stopped once within the
    gap of `bound` (a lower bound HiGHS does not know); with `lift`, from a root lifted by
    capacity cuts when the plan is not within the gap of `bound` already."""
    best, gap = cheapest(priced, bound)
    if lift and (gap is None or gap > options.mip_rel_gap):
        t0 = time.perf_counter()
        lifted = root_cuts(compiled, options)
        bound = max(bound, lifted.bound) if lifted is not None else bound
        options = within(options, t0)
    if best is not None:
        set_start(compiled, best[0], best[1], bound, termination=PLAN_WITHIN_GAP)
    if math.isfinite(bound):
        stop_within_gap(compiled, bound, options.mip_rel_gap)
    report = branch_and_bound(model, options, progress, compiled)
    if report.status is Status.FEASIBLE and report.gap is not None:
        if report.gap <= options.mip_rel_gap:
            text = "Within the gap of the bound proved before the branch and bound"
            report = dataclasses.replace(report, status=Status.OPTIMAL, termination=text)
    return report


def root_cuts(compiled: Compiled, options: SolveOptions) -> Relaxed | None:
    """The LP relaxation lifted by capacity cuts by level (12), its binding cuts added to
    the model HiGHS holds, so that the branch and bound starts from a stronger root (its
    own root bound over several blocks is far weaker); the result's `cuts` are those
    binding ones. None if it did not complete; its `bound` is then no better than HiGHS's
    own."""
    t0 = time.perf_counter()
    limit = ROOT_CUTS_S if options.time_limit_s is None else options.time_limit_s / 4
    gain = STRATEGY.cut_gain * options.mip_rel_gap
    relaxed = relaxation(compiled, limit, scaling(compiled, options), cut_gain=gain)
    if relaxed is None or not relaxed.complete:
        return None
    held = tuple(binding(relaxed.cuts, relaxed.values))
    add_cuts(compiled.highs, list(held))
    logger.info(
        "root: bound %.6g with %d capacity cuts (%d binding), %.1f s",
        relaxed.bound,
        len(relaxed.cuts),
        len(held),
        time.perf_counter() - t0,
    )
    return dataclasses.replace(relaxed, cuts=held)


def stop_within_gap(compiled: Compiled, bound: float, gap: float) -> None:
    """Interrupt HiGHS once its incumbent is within `gap` of `bound`, a lower bound HiGHS
    does not know (its own root bound over the horizon is far weaker)."""
    _stop_within_gap(compiled.highs, bound, gap)


def _stop_within_gap(h: highspy.Highs, bound: float, gap: float) -> None:
    """The callback sees the objective as HiGHS scaled it: it is unscaled before comparing."""
    exp = callback_scale(h)

    def listen(event) -> None:  # noqa: ANN001 - highspy callback event
        best = math.ldexp(event.data_out.mip_primal_bound, -exp)
        if math.isfinite(best) and best - bound <= gap * max(abs(best), 1e-9):
            event.interrupt()

    h.cbMipInterrupt.subscribe(listen)


def merged(
    compiled: Compiled,
    plans: list[YearLevels],
    start: tuple[np.ndarray, float],
    bound: float,
    options: SolveOptions,
) -> tuple[np.ndarray, float] | None:
    """The best plan that opens, each year, only levels some of `plans` opens that year (a
    facility may still stay closed): HiGHS's branch and bound over those few levels, every
    other level closed, on the model without the root's cuts, from `start`, until within
    the gap of `bound` or out of time (a quarter of the limit left, or `MERGE_S`). Combines
    what the myopic plan and the independently priced years each got right. None if it
    found nothing."""
    cols = level_columns(compiled)
    used = {key for plan in plans for key, x in plan.items() if x > 0.5}
    off = np.array([j for key, j in cols.items() if key not in used], dtype=np.int32)
    limit = MERGE_S if options.time_limit_s is None else options.time_limit_s / 4
    h = copy_of(compiled, relax=False, time_limit_s=limit)
    cuts = np.arange(len(compiled.rows), h.getNumRow(), dtype=np.int32)
    if len(cuts):
        # the root's capacity cuts slow its LPs more than they prune: 20.3 s with them
        # against 5.6 s without, to the same plan, on japan-roadmap at 0.1 %
        h.deleteRows(len(cuts), cuts)
    for name, value in scaling(compiled, options).items():
        h.setOptionValue(name, value)
    h.setOptionValue("mip_rel_gap", options.mip_rel_gap / 10)
    h.changeColsBounds(len(off), off, np.zeros(len(off)), np.zeros(len(off)))
    solution = highspy.HighsSolution()
    solution.col_value = list(start[0])
    h.setSolution(solution)
    if math.isfinite(bound):
        _stop_within_gap(h, bound, options.mip_rel_gap)
    t0 = time.perf_counter()
    h.run()
    found = h.getInfo().primal_solution_status == 2  # feasible
    logger.info(
        "merged plans: %d of %d levels free, %s, %.1f s",
        len(cols) - len(off),
        len(cols),
        h.getModelStatus(),
        time.perf_counter() - t0,
    )
    if not found:
        return None
    values = np.asarray(h.getSolution().col_value)
    values = np.where(compiled.integer, np.round(values), values)
    return values, compiled.objective(values)


MYOPIC = "the operations of levels fixed year by year (myopic foresight)"


def solve_fixed(
    model: pyo.ConcreteModel, options: SolveOptions, levels: YearLevels, termination: str = MYOPIC
) -> SolveReport:
    """The best operations for the levels of a plan decided elsewhere (myopic foresight, or a
    plan evaluated in another future), loaded into the model: one LP over the whole horizon
    (or the one year of a single-year model)."""
    compiled = handoff(model, options)
    apply_options(compiled, SolveOptions(threads=options.threads, auto_scale=options.auto_scale))
    t0 = time.perf_counter()
    got = _fixed(compiled, levels)
    if got is not None and options.marginals:
        # every integer now fixed at the plan's values: the LP whose duals are the marginals
        got = price_network(compiled, got.values) or got
    status = Status.OPTIMAL if got is not None else Status.INFEASIBLE
    objective = None
    if got is not None:
        objective = got.objective
        load_values(model, compiled.columns, got.values)
        if options.marginals:
            load_duals(model, compiled, got.row_dual)
    return SolveReport(
        status=status,
        termination=termination if got is not None else "the levels allow no feasible plan",
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
