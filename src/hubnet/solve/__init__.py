"""HiGHS, handed the model in memory: Pyomo's standard-form compiler -> highspy.passModel.

This package is the only one that imports the solver (`search` holds the level search). It
returns a typed `SolveReport` and writes the values back into the Pyomo variables; a
time-limited run is `feasible` with its gap, never `optimal`.
"""

from __future__ import annotations

import dataclasses
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

from hubnet.report import Conflict, Facility, Progress, SolveOptions, SolveReport, Status
from hubnet.solve.cuts import (
    CapacityRow,
    Cut,
    add_cuts,
    capacity_rows,
    implied_upper,
    separate,
)

logger = logging.getLogger(__name__)

__all__ = ["Progress", "SolveOptions", "SolveReport", "Status", "handoff", "solve", "write_mps"]


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
    #: the answer as it stands: no branch and bound follows (see `run.mip_start`)
    final: bool = False


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


def new_highs() -> highspy.Highs:
    """A HiGHS instance, without the banner HiGHS prints on stdout the first time."""
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


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
        raise RuntimeError("HiGHS refused the model")
    compiled = Compiled(h, cols, sf.rows, integer, int(a.nnz), time.perf_counter() - t0)
    compiled.built_rows = len(sf.rows)
    compiled.cost, compiled.offset = cost, offset
    # a row of integer columns alone is kept exact by integrality, whatever the tolerance
    continuous = np.diff(a[:, ~integer].tocsr().indptr) > 0
    bounds = np.concatenate([rhs[continuous], lower[~integer], upper[~integer]])
    compiled.scale = scale_exponents(cost, bounds)
    apply_options(compiled, options)
    return compiled


def apply_options(compiled: Compiled, options: SolveOptions) -> None:
    """Set the planner's options on the HiGHS instance (each solve may bring its own)."""
    h = compiled.highs
    h.setOptionValue("output_flag", options.solver_log)
    h.setOptionValue("random_seed", int(options.seed))
    h.setOptionValue("mip_rel_gap", float(options.mip_rel_gap))
    h.setOptionValue("time_limit", float(options.time_limit_s or np.inf))
    h.setOptionValue("threads", int(options.threads or 0))
    obj_exp, bound_exp = compiled.scale if options.auto_scale else (0, 0)
    h.setOptionValue("user_objective_scale", obj_exp)
    h.setOptionValue("user_bound_scale", bound_exp)


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


def run_highs(
    compiled: Compiled,
    progress: Callable[[Progress], None] | None = None,
    poll_s: float = 0.25,
) -> None:
    """Run HiGHS in a worker thread so Ctrl-C cancels it cleanly and progress can be shown."""
    h = compiled.highs
    latest: dict[str, float] = {}

    def on_interrupt(event) -> None:  # noqa: ANN001 - highspy callback event
        out = event.data_out
        latest["primal"] = out.mip_primal_bound
        latest["dual"] = out.mip_dual_bound

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


def solve(
    model: pyo.ConcreteModel,
    options: SolveOptions | None = None,
    progress: Callable[[Progress], None] | None = None,
    compiled: Compiled | None = None,
) -> SolveReport:
    """Solve `model` with HiGHS and load the values into its variables."""
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
        status, text, values, bound = Status.OPTIMAL, START_WITHIN_GAP, start.values, start.bound
    elif start is not None and start.final:
        status, text, values = Status.FEASIBLE, START_FINAL, start.values
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
    objective = None
    if status.has_solution:
        if compiled.n_binaries:
            values = _round_integers(values, compiled.integer)
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
    )
    logger.info("HiGHS: %s, objective %s, bound %s", report.headline, objective, bound)
    return report


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


#: families whose rows may be stretched when looking for the smallest change that makes an
#: infeasible model feasible (definitions such as mass balance and linking stay hard)
ELASTIC_FAMILIES = frozenset(
    {
        "collection_reach",
        "hub_capacity",
        "smelter_capacity",
        "min_throughput",
        "one_level",
        "import_availability",
        "import_permits",
        "export_leakage",
        "element_leakage",
        "market_limit",
        "recovery_targets",
        "co2_cap",
        "port_throughput",
        "capital_budget",
    }
)


def _split_name(name: str) -> tuple[str, tuple]:
    if "[" not in name:
        return name, ()
    fam, rest = name.split("[", 1)
    return fam, tuple(p.strip() for p in rest.rstrip("]").split(","))


def find_conflicts(
    compiled: Compiled, time_limit_s: float = 60.0, rounds: int = 4
) -> tuple[str, list[Conflict]]:
    """Why an infeasible model is infeasible.

    HiGHS's IIS when it isolates one. Otherwise an elastic search: a copy of the model whose
    planner-facing rows may stretch (each stretch costs its size relative to the row's
    bound) finds the cheapest set of rules to give; those rules are then held hard and the
    search repeated, so each side of the conflict is named (e.g. a leakage cap, then the hub
    capacity that could absorb it instead), until holding them all hard leaves no way out.
    """
    h = compiled.highs
    try:
        _, iis = h.getIis()
    except Exception:  # noqa: BLE001 - highspy without IIS: fall through to elastic
        iis = None
    if iis is not None and iis.valid_ and (len(iis.row_index_) or len(iis.col_index_)):
        out = []
        for i, b in zip(iis.row_index_, iis.row_bound_, strict=True):
            fam, idx = _split_name(compiled.rows[i][0].name)
            out.append(Conflict(fam, idx, "lower" if b == 1 else "upper"))
        for j, b in zip(iis.col_index_, iis.col_bound_, strict=True):
            fam, idx = _split_name(compiled.columns[j].name)
            out.append(Conflict(fam, idx, "lower" if b == 1 else "upper"))
        return "iis", out
    hard: set[int] = set()
    found: list[Conflict] = []
    for _ in range(rounds):
        stretched = _elastic(compiled, hard, time_limit_s)
        if not stretched:
            break
        for row, conflict in stretched:
            hard.add(row)
            found.append(conflict)
    return "elastic", found


def _elastic(compiled: Compiled, hard: set[int], time_limit_s: float) -> list[tuple[int, Conflict]]:
    src = compiled.highs
    h = new_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.passModel(src.getModel())
    lp = src.getLp()
    n = lp.num_col_
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    lo, up = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    slacks: list[tuple[int, float]] = []  # (row, sign)
    for i, (row, _) in enumerate(compiled.rows):
        fam, _ = _split_name(row.name)
        if fam not in ELASTIC_FAMILIES or i in hard:
            continue
        if np.isfinite(up[i]):
            slacks.append((i, -1.0))
        if np.isfinite(lo[i]):
            slacks.append((i, 1.0))
    for i, sign in slacks:
        scale = max(1.0, abs(up[i]) if np.isfinite(up[i]) else abs(lo[i]))
        h.addCol(1.0 / scale, 0.0, np.inf, 1, np.array([i], dtype=np.int32), np.array([sign]))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return []
    values = np.asarray(h.getSolution().col_value)[n:]
    out = []
    for (i, sign), v in zip(slacks, values, strict=True):
        if v > 1e-6:
            fam, idx = _split_name(compiled.rows[i][0].name)
            out.append((i, Conflict(fam, idx, "upper" if sign < 0 else "lower", float(v))))
    return out


def _copy(compiled: Compiled, relax: bool, time_limit_s: float) -> highspy.Highs:
    h = new_highs()
    h.passModel(compiled.highs.getModel())
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    n = h.getNumCol()
    if relax and compiled.n_binaries:
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
    return h


#: rows that only say "nothing reaches a hub that opened no level" (Eq. 9)
LINKING_FAMILIES = frozenset({"open_flow_linking"})
#: after this many rounds the relaxation takes every linking row left: where most of them
#: bind (OR-Library's capa at 12,000, 100 x 1,000) it took 93 rounds and 399 s, 206 s with
#: this rule, against 152 s for the whole LP; japan-municipal needs 3 rounds, the generated
#: 1,700 x 150 instance 18
ALL_ROWS_AFTER = 20


@dataclass(frozen=True)
class Linking:
    """The opening links of a compiled model: their rows, and for each row the flow (or
    share) columns it holds at 0 and the level columns that release them."""

    rows: np.ndarray
    matrix: sp.csr_matrix
    lower: np.ndarray
    upper: np.ndarray
    flows: list[np.ndarray]
    levels: list[np.ndarray]
    #: how far past its bounds each row may be and still count as kept
    tol: np.ndarray

    def violated(self, values: np.ndarray, done: np.ndarray) -> np.ndarray:
        """Positions (in `rows`) not yet in the model whose row `values` break."""
        act = self.matrix @ values
        excess = np.maximum(act - self.upper, self.lower - act)
        return np.flatnonzero((excess > self.tol) & ~done)


#: how far past its bound a row may be and still count as kept (HiGHS's own default)
FEASIBILITY_TOL = 1e-7


def linking(compiled: Compiled) -> Linking:
    """The rows of the linking families, read off the matrix HiGHS holds."""
    rows = np.array(
        [i for i, fam in enumerate(compiled.families()) if fam in LINKING_FAMILIES],
        dtype=np.int32,
    )
    lp = compiled.highs.getLp()
    a = _row_matrix(lp)
    sub = a[rows] if len(rows) else sp.csr_matrix((0, lp.num_col_))
    integer = compiled.integer
    flows, levels = [], []
    for r in range(sub.shape[0]):
        cols = sub.indices[sub.indptr[r] : sub.indptr[r + 1]]
        flows.append(cols[~integer[cols]])
        levels.append(cols[integer[cols]])
    largest = abs(sub).max(axis=1).toarray().ravel() if sub.shape[0] else np.zeros(0)
    return Linking(
        rows,
        sub,
        np.asarray(lp.row_lower_)[rows],
        np.asarray(lp.row_upper_)[rows],
        flows,
        levels,
        FEASIBILITY_TOL * np.maximum(1.0, largest),
    )


def _row_matrix(lp: highspy.HighsLp) -> sp.csr_matrix:
    return sp.csc_matrix(
        (lp.a_matrix_.value_, lp.a_matrix_.index_, lp.a_matrix_.start_),
        shape=(lp.num_row_, lp.num_col_),
    ).tocsr()


def capacity_cut_rows(compiled: Compiled) -> list[CapacityRow]:
    """The capacity rows of the model HiGHS holds that a cut by level can strengthen."""
    lp = compiled.highs.getLp()
    a = _row_matrix(lp)
    row_lo, row_up = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    col_lo = np.asarray(lp.col_lower_)
    col_up = implied_upper(a, row_lo, row_up, col_lo, np.asarray(lp.col_upper_))
    return capacity_rows(a, compiled.families(), row_lo, row_up, col_lo, col_up, compiled.integer)


def with_linked(facilities: list[Facility], links: Linking) -> list[Facility]:
    """Each facility with the columns its linking rows hold at 0 while it is closed."""
    owner = {col: f.name for f in facilities for _, _, col in f.options}
    linked: dict[str, list[np.ndarray]] = {}
    for flows, levels in zip(links.flows, links.levels, strict=True):
        names = {owner.get(int(c)) for c in levels}
        if len(names) == 1 and None not in names:
            linked.setdefault(names.pop(), []).append(flows)
    return [
        dataclasses.replace(f, linked=tuple(int(c) for c in np.concatenate(linked[f.name])))
        if f.name in linked
        else f
        for f in facilities
    ]


#: rows that share a source's collection out over hubs (and leave the rest uncollected)
SOURCE_FAMILIES = frozenset({"collection_reach", "uncollected_leakage"})


@dataclass(frozen=True)
class LocalColumns:
    """What a region's branch and bound frees (`search.RegionSolver`): with each facility,
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
    a = _row_matrix(compiled.highs.getLp())
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


def without_linking(compiled: Compiled, links: Linking, relax: bool = True) -> highspy.Highs:
    """A copy of the model without its linking rows (integrality relaxed unless told not)."""
    h = _copy(compiled, relax=relax, time_limit_s=np.inf)
    if len(links.rows):
        h.deleteRows(len(links.rows), links.rows)
    return h


@dataclass(frozen=True)
class Relaxed:
    """The LP relaxation's values and optimum; `complete` False if it stopped early, when
    `bound` (the optimum of a relaxation of it) is still a valid, weaker lower bound.
    Complete with `cuts`, the bound is at least the full relaxation's."""

    values: np.ndarray
    bound: float
    complete: bool
    rounds: int
    #: which linking rows (positions in `Linking.rows`) the relaxation needed
    needed: np.ndarray
    #: seconds HiGHS spent solving
    lp_s: float = 0.0
    #: capacity cuts by level (Eq. 12) found once every broken linking row was in
    cuts: tuple[Cut, ...] = ()
    cut_rounds: int = 0

    @property
    def rows_added(self) -> int:
        return int(self.needed.sum())


#: most rounds of capacity cuts after the relaxation is complete
MAX_CUT_ROUNDS = 30


def relaxation(
    compiled: Compiled,
    time_limit_s: float = 60.0,
    options: dict | None = None,
    links: Linking | None = None,
    max_rounds: int | None = None,
    all_rows_after: int = ALL_ROWS_AFTER,
    cut_gain: float | None = None,
    on_round: Callable[[Relaxed], None] | None = None,
    stop: Stop | None = None,
) -> Relaxed | None:
    """The LP relaxation, with the linking rows added only once they are broken; with
    `cut_gain`, then lifted by capacity cuts by level.

    Most linking rows (Eq. 9) hold at the relaxation's optimum without being in the model;
    the LP without them solves in a fraction of the time. It is solved, the rows its
    solution breaks are added, and it is re-solved from the last basis until none is
    broken: the optimum of the full relaxation (on `japan-municipal` 0.7 s instead of
    8-10 s). Every round's optimum is a valid lower bound, so a run out of time returns
    the last one, marked incomplete (as does `max_rounds`). None if not even the first
    round solved in time. After `all_rows_after` rounds every row left goes in at once.

    With `cut_gain` set, the rounds go on from there with the cuts (Eq. 12) the solution
    breaks (and any linking row it breaks again) until a round lifts the bound by less than
    `cut_gain` of it, none is broken, or `MAX_CUT_ROUNDS` rounds have run. `on_round` is
    told every round's result (a large relaxation takes minutes). Once `stop` is set it
    returns the last round's result, cancelling the round under way.
    """
    t0 = time.perf_counter()
    links = links or linking(compiled)
    capacity: list[CapacityRow] | None = None  # read once the relaxation is complete
    h = without_linking(compiled, links)
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    if stop is not None:
        stop.attach(h)
    done = np.zeros(len(links.rows), dtype=bool)
    cuts: list[Cut] = []
    last: Relaxed | None = None
    rounds, cut_rounds, lp_s, complete = 0, 0, 0.0, False
    while True:
        left = time_limit_s - (time.perf_counter() - t0)
        if left <= 0 or (stop is not None and stop.is_set()):
            return last
        # HiGHS counts time_limit over the instance's life
        h.setOptionValue("time_limit", h.getRunTime() + left)
        t1 = time.perf_counter()
        h.run()
        lp_s += time.perf_counter() - t1
        if stop is not None and stop.is_set():
            # from here on the run may no longer wait for this thread: touch nothing shared
            return last
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            # the round cut short by the time limit was HiGHS's time too
            return dataclasses.replace(last, lp_s=lp_s) if last is not None else None
        rounds += 1
        cut_rounds += complete
        x = np.asarray(h.getSolution().col_value)
        new = links.violated(x, done)
        bound = float(h.getInfo().objective_function_value)
        lifted = not complete or bound - last.bound > (cut_gain or 0.0) * abs(bound)
        complete = complete or not len(new)
        if complete and capacity is None:
            capacity = capacity_cut_rows(compiled) if cut_gain is not None else []
        found = separate(capacity, x) if capacity else []
        logger.debug(
            "relaxation round %d: %.2f s, bound %.6g, %d rows broken, %d cuts",
            rounds,
            time.perf_counter() - t1,
            bound,
            len(new),
            len(found),
        )
        last = Relaxed(x, bound, complete, rounds, done.copy(), lp_s, tuple(cuts), cut_rounds)
        if on_round is not None:
            on_round(last)
        if max_rounds is not None and rounds >= max_rounds:
            return last
        if complete and (not (len(new) or found) or not lifted or cut_rounds >= MAX_CUT_ROUNDS):
            logger.info(
                "relaxation: %d rounds, %d of %d linking rows, %d cuts in %d rounds, %.1f s",
                rounds,
                done.sum(),
                len(done),
                len(cuts),
                cut_rounds,
                time.perf_counter() - t0,
            )
            return last
        if not complete and rounds >= all_rows_after:
            new = np.flatnonzero(~done)
        if len(new):
            rows = links.matrix[new]
            h.addRows(
                len(new),
                links.lower[new],
                links.upper[new],
                rows.nnz,
                rows.indptr[:-1].astype(np.int32),
                rows.indices.astype(np.int32),
                rows.data,
            )
            done[new] = True
        add_cuts(h, found)
        cuts.extend(found)


class Stop:
    """Asks a relaxation to stop: it looks between rounds, and HiGHS is cancelled mid-round."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._highs: highspy.Highs | None = None

    def attach(self, h: highspy.Highs) -> None:
        listen_for_cancel(h)
        self._highs = h
        if self._event.is_set():
            h.cancelSolve()

    def set(self) -> None:
        self._event.set()
        if self._highs is not None:
            self._highs.cancelSolve()

    def is_set(self) -> bool:
        return self._event.is_set()


#: how long a run waits for a relaxation it stopped: on the generated 5,000 x 300 instance
#: HiGHS went on with a round for 7 s after the cancel (and 28 s past its time limit), where
#: it usually stops within 30 ms
STOP_GRACE_S = 1.0


class Background:
    """The relaxation in a worker thread (HiGHS releases the interpreter while it solves), so
    that the level search can start on the other core while the relaxation goes on lifting
    the bound: the rounds its time share cut short, or its cut rounds."""

    def __init__(self, compiled: Compiled, time_limit_s: float, **kwargs: object) -> None:
        self._latest: Relaxed | None = None
        self._result: Relaxed | None = None
        self._error: BaseException | None = None
        self._stop = Stop()
        self._done = threading.Event()
        self._lock = threading.Lock()
        told = kwargs.pop("on_round", None)

        def publish(relaxed: Relaxed) -> None:
            with self._lock:
                self._latest = relaxed
            if told is not None:
                told(relaxed)

        def target() -> None:
            try:
                self._result = relaxation(
                    compiled, time_limit_s, on_round=publish, stop=self._stop, **kwargs
                )
            except BaseException as exc:  # handed to the caller by `stop`
                self._error = exc
            finally:
                self._done.set()

        # not a daemon: a round left to end on its own (see `stop`) ends before the process
        # does, and never inside an interpreter that is shutting down
        self._thread = threading.Thread(target=target, daemon=False)
        self._thread.start()

    def wait(self, timeout_s: float | None) -> bool:
        """Wait until the relaxation has finished (True) or `timeout_s` has passed."""
        return self._done.wait(timeout_s)

    @property
    def latest(self) -> Relaxed | None:
        """The last round's result so far."""
        with self._lock:
            return self._latest

    def running(self) -> bool:
        return not self._done.is_set()

    def final(self) -> np.ndarray | None:
        """The values of its last round, once it has ended (a second walk of the level
        search starts from them); None before that, and after a failure."""
        if not self._done.is_set() or self._result is None:
            return None
        return self._result.values

    def cancel(self) -> None:
        """Ask the relaxation to stop after (or in) the round under way; do not wait."""
        self._stop.set()

    def stop(self, grace_s: float = STOP_GRACE_S) -> Relaxed | None:
        """Stop the relaxation (if still running) and return its last round's result. A
        round that has not ended `grace_s` after the ask is left to end on its own: the
        relaxation returns as soon as it does, touching nothing the caller holds."""
        # one ask is enough: highspy's `run` never clears a cancel, and a relaxation not yet
        # attached to HiGHS sees it when it attaches or between rounds
        self.cancel()
        self._thread.join(grace_s)
        if self._thread.is_alive():
            logger.info("relaxation: a round has not ended %.1f s after the stop", grace_s)
            return self.latest
        if self._error is not None:
            raise self._error
        return self._result


def keep_needed_links(compiled: Compiled, links: Linking, relaxed: Relaxed) -> int:
    """Drop from the model HiGHS branches on the linking rows its relaxation did not need.

    With levels integer the linking rows are implied by capacity (a closed hub has none), so
    they only tighten the relaxation; the rows it needed give the same root bound as all of
    them, at a fraction of the LP work (on japan-municipal 1,415 of 12,311 rows). Node
    bounds may be weaker, never wrong. Returns how many rows were dropped.
    """
    drop = links.rows[~relaxed.needed]
    if not len(drop):
        return 0
    compiled.highs.deleteRows(len(drop), drop.astype(np.int32))
    gone = set(drop.tolist())
    compiled.rows = [r for i, r in enumerate(compiled.rows) if i not in gone]
    return len(drop)


def set_start(
    compiled: Compiled, values: np.ndarray, objective: float, bound: float, final: bool = False
) -> None:
    """Hand HiGHS a feasible solution as its first incumbent, and remember it with the
    relaxation's bound: `solve` skips the branch and bound if they are within the gap, or
    if the start is `final`."""
    x = _round_integers(values, compiled.integer)
    sol = highspy.HighsSolution()
    sol.col_value = list(x)
    compiled.highs.setSolution(sol)
    compiled.start = Start(x, objective, bound, final)
