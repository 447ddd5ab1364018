"""The hand-off to HiGHS and the run: Pyomo's standard-form compiler -> highspy.passModel, the
planner's options, a run that Ctrl-C cancels and that reports progress, the status, and the
values loaded back into the Pyomo variables. A time-limited run is `feasible` with its gap,
never `optimal`.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.common.gc_manager import PauseGC
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from hubnet.errors import SolveError
from hubnet.report import Progress, SolveOptions, SolveReport, Status
from hubnet.solve.fixed import load_duals, price_network

logger = logging.getLogger(__name__)

#: termination text when the level search's plan is within the gap of the relaxation's bound
START_WITHIN_GAP = "Level search within the gap of the LP relaxation's bound"
#: termination text when the relaxation was too slow for a branch and bound to follow
START_FINAL = (
    "Time limit reached in the level search (the relaxation left too little time for a branch "
    "and bound)"
)


@dataclass(frozen=True)
class Start:
    """A feasible solution found before the branch and bound, and the relaxation's bound."""

    values: np.ndarray
    objective: float
    bound: float
    #: the answer as it stands: no branch and bound follows (see `strategy.search_has_last_word`)
    final: bool = False
    #: how the run ended if this is the answer (None: the level search's words)
    termination: str | None = None


@dataclass
class Compiled:
    """A model handed to HiGHS, with the map back to Pyomo's variables and rows."""

    highs: highspy.Highs
    columns: list
    rows: list
    #: which columns are integer (the levels, and assignments with single sourcing)
    integer: np.ndarray
    nnz: int
    seconds: float
    scale: tuple[int, int] = (0, 0)
    start: Start | None = None
    #: the objective's coefficients by column and its constant
    cost: np.ndarray | None = None
    offset: float = 0.0
    #: rows as built (`keep_needed_links` may drop linking rows from what HiGHS holds)
    built_rows: int = 0

    @property
    def n_binaries(self) -> int:
        return int(self.integer.sum())

    def objective(self, values: np.ndarray) -> float:
        """The objective at `values` (exact for the model: the same linear form HiGHS has)."""
        return float(self.offset + self.cost @ values) if self.cost is not None else math.nan

    def families(self) -> list[str]:
        """The constraint family of every row HiGHS holds (a tenth of the time of reading
        each row's full name: 14 against 157 ms on the generated 1,700 x 150 instance)."""
        return [con.parent_component().local_name for con, _ in self.rows]


#: HiGHS threads of every instance this process creates: HiGHS's thread scheduler is one per
#: process, and a run asking another count than it was started with fails
_THREADS = {"count": 0}


def use_threads(count: int) -> None:
    """Make `count` HiGHS threads the process's setting (0: HiGHS's default), restarting the
    scheduler where it changes; called as a solve begins, before any HiGHS of it runs."""
    if count != _THREADS["count"]:
        highspy.Highs.resetGlobalScheduler(True)
        _THREADS["count"] = count


def new_highs() -> highspy.Highs:
    """A HiGHS instance, without the banner HiGHS prints on stdout the first time, set to the
    process's thread count."""
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    h.setOptionValue("threads", _THREADS["count"])
    return h


def listen_for_cancel(h: highspy.Highs) -> None:
    """Make `h.cancelSolve()` reach HiGHS: highspy passes a cancel only to a solve that listens
    for user interrupts (a callback each simplex iteration: 1.93 against 1.88 s on the
    generated 1,700 x 150 instance's LP), so only solves that may be cancelled listen. A
    cancel is never cleared: a cancelled instance stops every later solve at once."""
    h.HandleUserInterrupt = True


def scale_exponents(cost: np.ndarray, bounds: np.ndarray) -> tuple[int, int]:
    """Powers of two that bring the largest cost near 1e3 and the largest bound near 1e2,
    without scaling the smallest bound below 1.

    Money in yen and mass in tonnes put costs near 1e9 and bounds near 1e5; HiGHS then
    warns of bad scaling and its LPs crawl. On the default instance the scaled solve took
    10 s instead of 15-20 s, to the same optimum (HiGHS unscales what it reports). HiGHS's
    feasibility tolerances are absolute in the scaled model, so a bound scaled by 2^-13
    lets a row with bound 1 (a source's collection shares) be broken by 0.8 %: a
    whole-source plan came back "optimal" with shares summing to 1.0047 and a cost below
    the true optimum. `bounds` are those of the continuous columns and of the rows that
    hold one.
    """
    c = np.abs(cost[np.isfinite(cost) & (cost != 0)])
    b = np.abs(bounds[np.isfinite(bounds) & (bounds != 0)])
    obj = -int(np.floor(np.log2(c.max()))) + 10 if c.size else 0
    bnd = -int(np.floor(np.log2(b.max()))) + 6 if b.size else 0
    smallest = -int(np.floor(np.log2(b.min()))) if b.size else 0
    return max(min(obj, 0), -40), max(min(bnd, 0), min(smallest, 0), -20)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)


def handoff(model: pyo.ConcreteModel, options: SolveOptions) -> Compiled:
    """Compile `model` to a sparse standard form and pass it to a fresh HiGHS in memory."""
    use_threads(int(options.threads or 0))
    t0 = time.perf_counter()
    with PauseGC():
        sf = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    cols = sf.columns
    n, nrow = len(cols), len(sf.rows)
    lower = np.array([-np.inf if v.lb is None else v.lb for v in cols], dtype=float)
    upper = np.array([np.inf if v.ub is None else v.ub for v in cols], dtype=float)
    integer = np.array([v.is_integer() for v in cols], dtype=bool)
    cost = sf.c.toarray().ravel() if sf.c.shape[0] else np.zeros(n)
    offset = float(sf.c_offset[0]) if len(sf.c_offset) else 0.0
    rhs = np.asarray(sf.rhs, dtype=float)
    sense = np.array([r[1] for r in sf.rows], dtype=int)
    row_lo = np.where(sense >= 0, np.where(sense == 0, rhs, -np.inf), rhs)
    row_up = np.where(sense <= 0, np.where(sense == 0, rhs, np.inf), rhs)
    a = sf.A.tocsc()
    h = new_highs()
    h.setOptionValue("output_flag", False)
    status = h.passModel(
        n,
        nrow,
        int(a.nnz),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        offset,
        cost,
        lower,
        upper,
        row_lo,
        row_up,
        a.indptr.astype(np.int32),
        a.indices.astype(np.int32),
        a.data.astype(float),
        integer.astype(np.int32),
    )
    if status == highspy.HighsStatus.kError:
        raise SolveError("HiGHS refused the model")
    compiled = Compiled(h, cols, sf.rows, integer, int(a.nnz), time.perf_counter() - t0)
    compiled.built_rows = len(sf.rows)
    compiled.cost, compiled.offset = cost, offset
    # a row of integer columns alone is kept exact by integrality, whatever the tolerance
    continuous = np.diff(a[:, ~integer].tocsr().indptr) > 0
    bounds = np.concatenate([rhs[continuous], lower[~integer], upper[~integer]])
    compiled.scale = scale_exponents(cost, bounds)
    apply_options(compiled, options)
    return compiled


def scaling(compiled: Compiled, options: SolveOptions) -> dict[str, int]:
    """HiGHS's options for the scaling `handoff` chose (none without `auto_scale`): every LP
    and branch and bound on a copy of the model needs them as much as the model does."""
    obj_exp, bound_exp = compiled.scale if options.auto_scale else (0, 0)
    return {"user_objective_scale": obj_exp, "user_bound_scale": bound_exp}


#: HiGHS's options for its sub-MIP heuristics and its restarts after the root
SUB_MIPS_AND_RESTARTS = (
    "mip_heuristic_run_rins",
    "mip_heuristic_run_rens",
    "mip_heuristic_run_root_reduced_cost",
    "mip_allow_restart",
)


def without_sub_mips_or_restarts(compiled: Compiled) -> None:
    """Turn HiGHS's sub-MIP heuristics (RINS, RENS, root reduced cost) and its restarts after
    the root off for the model's branch and bound."""
    for name in SUB_MIPS_AND_RESTARTS:
        compiled.highs.setOptionValue(name, False)


def apply_options(compiled: Compiled, options: SolveOptions) -> None:
    """Set the planner's options on the HiGHS instance (each solve may bring its own)."""
    h = compiled.highs
    h.setOptionValue("output_flag", options.solver_log)
    h.setOptionValue("random_seed", int(options.seed))
    h.setOptionValue("mip_rel_gap", float(options.mip_rel_gap))
    h.setOptionValue("time_limit", float(options.time_limit_s or np.inf))
    h.setOptionValue("threads", _THREADS["count"])
    for name, value in scaling(compiled, options).items():
        h.setOptionValue(name, value)


def _status(h: highspy.Highs, has_integers: bool) -> tuple[Status, str]:
    ms = h.getModelStatus()
    text = h.modelStatusToString(ms)
    info = h.getInfo()
    feasible = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if ms == highspy.HighsModelStatus.kOptimal:
        return Status.OPTIMAL, text
    if ms == highspy.HighsModelStatus.kInfeasible:
        return Status.INFEASIBLE, text
    if ms in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return Status.UNBOUNDED, text
    return (Status.FEASIBLE if feasible else Status.NO_SOLUTION), text


def callback_scale(h: highspy.Highs) -> int:
    """Power of two by which a callback's objective values are HiGHS's scaled ones: the
    objective's scale and the bounds' (columns scaled by 2^b scale the objective by it too)."""
    obj = int(h.getOptionValue("user_objective_scale")[1])
    bound = int(h.getOptionValue("user_bound_scale")[1])
    return obj + bound


def run_highs(
    compiled: Compiled,
    progress: Callable[[Progress], None] | None = None,
    poll_s: float = 0.25,
) -> None:
    """Run HiGHS in a worker thread so Ctrl-C cancels it cleanly and progress can be shown."""
    h = compiled.highs
    latest: dict[str, float] = {}
    exp = callback_scale(h)

    def on_interrupt(event) -> None:  # noqa: ANN001 - highspy callback event
        out = event.data_out
        latest["primal"] = math.ldexp(out.mip_primal_bound, -exp)
        latest["dual"] = math.ldexp(out.mip_dual_bound, -exp)

    listen_for_cancel(h)  # Ctrl-C below
    if progress is not None and compiled.n_binaries:
        h.cbMipInterrupt.subscribe(on_interrupt)
    t0 = time.perf_counter()
    done = threading.Event()

    def target() -> None:
        try:
            h.run()
        finally:
            done.set()

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    try:
        while not done.wait(poll_s):
            if progress is not None:
                p, d = latest.get("primal"), latest.get("dual")
                p = p if p is not None and math.isfinite(p) else None
                d = d if d is not None and math.isfinite(d) else None
                progress(Progress(time.perf_counter() - t0, p, d, relative_gap(p, d)))
    except KeyboardInterrupt:
        h.cancelSolve()
        done.wait()
        raise
    worker.join()


def branch_and_bound(
    model: pyo.ConcreteModel,
    options: SolveOptions | None = None,
    progress: Callable[[Progress], None] | None = None,
    compiled: Compiled | None = None,
) -> SolveReport:
    """Solve `model` with HiGHS (from the start `set_start` gave it, which may already be the
    answer) and load the values into its variables."""
    options = options or SolveOptions()
    if compiled is None:
        compiled = handoff(model, options)
    else:
        apply_options(compiled, options)
    h = compiled.highs
    start = compiled.start
    t0 = time.perf_counter()
    start_gap = relative_gap(start.objective, start.bound) if start is not None else None
    if start_gap is not None and start_gap <= options.mip_rel_gap:
        # the plan found before the search is already within the gap of a valid lower bound
        text = start.termination or START_WITHIN_GAP
        status, values, bound = Status.OPTIMAL, start.values, start.bound
    elif start is not None and start.final:
        status, text, values = Status.FEASIBLE, start.termination or START_FINAL, start.values
        bound = start.bound if math.isfinite(start.bound) else None
    else:
        # counted by HiGHS: the capacity cuts `mip_start` adds are rows it holds too
        logger.info(
            "HiGHS: solving %d columns (%d binary), %d rows",
            h.getNumCol(),
            compiled.n_binaries,
            h.getNumRow(),
        )
        run_highs(compiled, progress)
        status, text = _status(h, compiled.n_binaries > 0)
        info = h.getInfo()
        values = np.asarray(h.getSolution().col_value) if status.has_solution else None
        bound = float(info.mip_dual_bound) if compiled.n_binaries else None
        if start is not None and math.isfinite(start.bound):
            found = bound is not None and math.isfinite(bound)
            bound = max(bound, start.bound) if found else start.bound
        if start is not None and status is Status.NO_SOLUTION:
            # stopped before it took the start in (a limit of seconds): the plan still stands
            status, text, values = Status.FEASIBLE, f"{text}; the level search's plan", start.values
    solve_s = time.perf_counter() - t0
    objective = marginals_s = None
    if status.has_solution:
        if compiled.n_binaries:
            values = _round_integers(values, compiled.integer)
        if options.marginals:
            t1 = time.perf_counter()
            values = _with_duals(model, compiled, values)
            marginals_s = time.perf_counter() - t1
        load_values(model, compiled.columns, values)
        objective = compiled.objective(values)
        if compiled.n_binaries == 0:
            bound = objective
    gap = relative_gap(objective, bound)
    report = SolveReport(
        status=status,
        termination=text,
        objective=objective,
        best_bound=bound,
        gap=gap,
        handoff_s=compiled.seconds,
        solve_s=solve_s,
        n_variables=len(compiled.columns),
        n_binaries=compiled.n_binaries,
        n_constraints=compiled.built_rows or len(compiled.rows),
        n_nonzeros=compiled.nnz,
        marginals_s=marginals_s,
    )
    logger.info("HiGHS: %s, objective %s, bound %s", report.headline, objective, bound)
    return report


def _with_duals(model: pyo.ConcreteModel, compiled: Compiled, values: np.ndarray) -> np.ndarray:
    """The values to load, and the rows' duals written into `model.dual`. With integers:
    those of the LP with them fixed (at least as good, and free of the flow a binary within
    HiGHS's integrality tolerance lets into a shut hub); a pure LP's own otherwise."""
    h = compiled.highs
    if not compiled.n_binaries and h.getInfo().dual_solution_status == 2:  # feasible duals
        load_duals(model, compiled, np.asarray(h.getSolution().row_dual)[: len(compiled.rows)])
        return values
    got = price_network(compiled, values)
    if got is None:
        return values
    before = compiled.objective(values)
    if got.objective > before + 1e-9 * max(1.0, abs(before)):
        logger.info(
            "LP with the levels fixed: %.6g above the branch and bound's %.6g (its "
            "values broke a row within HiGHS's tolerances)",
            got.objective,
            before,
        )
    load_duals(model, compiled, got.row_dual)
    return got.values


def _round_integers(values: np.ndarray, integer: np.ndarray) -> np.ndarray:
    """Snap binaries to 0/1 (HiGHS returns them within its integrality tolerance)."""
    out = np.array(values, dtype=float)
    out[integer] = np.round(out[integer])
    return out


def load_values(model: pyo.ConcreteModel, columns: list, values: np.ndarray) -> None:
    """Write solver values into the Pyomo variables; those the compiler dropped get 0."""
    for v in model.component_data_objects(pyo.Var, descend_into=True):
        v.set_value(0.0, skip_validation=True)
    for v, x in zip(columns, values, strict=True):
        v.set_value(float(x), skip_validation=True)


def write_mps(compiled: Compiled, path: Path) -> None:
    """The exact model HiGHS was given, as MPS (for solving it with HiGHS alone)."""
    compiled.highs.writeModel(str(path))


def copy_of(compiled: Compiled, relax: bool, time_limit_s: float) -> highspy.Highs:
    h = new_highs()
    h.passModel(compiled.highs.getModel())
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    n = h.getNumCol()
    if relax and compiled.n_binaries:
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
    return h


def row_matrix(lp: highspy.HighsLp) -> sp.csr_matrix:
    return sp.csc_matrix(
        (lp.a_matrix_.value_, lp.a_matrix_.index_, lp.a_matrix_.start_),
        shape=(lp.num_row_, lp.num_col_),
    ).tocsr()


def set_start(
    compiled: Compiled,
    values: np.ndarray,
    objective: float,
    bound: float,
    final: bool = False,
    termination: str | None = None,
) -> None:
    """Hand HiGHS a feasible solution as its first incumbent, and remember it with the
    relaxation's bound: `branch_and_bound` skips the branch and bound if they are within the gap, or
    if the start is `final`."""
    x = _round_integers(values, compiled.integer)
    sol = highspy.HighsSolution()
    sol.col_value = list(x)
    compiled.highs.setSolution(sol)
    compiled.start = Start(x, objective, bound, final, termination)
