"""The LP relaxation, lazily: the opening links (Eq. 9) go in only once its solution breaks
them, then capacity cuts by level (Eq. 12) lift it; a `Background` thread runs it beside the
level search, and `Stop` ends it between or in its rounds.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from hubnet.model import LINKING_FAMILIES
from hubnet.report import Facility
from hubnet.solve.cuts import CapacityRow, Cut, add_cuts, capacity_rows, implied_upper, separate
from hubnet.solve.highs import Compiled, copy_of, listen_for_cancel, row_matrix

logger = logging.getLogger(__name__)

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
    a = row_matrix(lp)
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


def capacity_cut_rows(compiled: Compiled) -> list[CapacityRow]:
    """The capacity rows of the model HiGHS holds that a cut by level can strengthen."""
    lp = compiled.highs.getLp()
    a = row_matrix(lp)
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


def without_linking(compiled: Compiled, links: Linking, relax: bool = True) -> highspy.Highs:
    """A copy of the model without its linking rows (integrality relaxed unless told not)."""
    h = copy_of(compiled, relax=relax, time_limit_s=np.inf)
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
    #: the dual of each row HiGHS held when the relaxation began (0 for a linking row not in
    #: the LP), as HiGHS reports it: d objective / d right-hand side
    row_dual: np.ndarray | None = None

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
    held = np.setdiff1d(np.arange(compiled.highs.getNumRow()), links.rows)
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
            logger.info("relaxation: round %d ended %s", rounds + 1, h.getModelStatus())
            # the round cut short by the time limit was HiGHS's time too
            return dataclasses.replace(last, lp_s=lp_s) if last is not None else None
        rounds += 1
        cut_rounds += complete
        solution = h.getSolution()
        x = np.asarray(solution.col_value)
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
        dual = np.zeros(compiled.highs.getNumRow())
        dual[held] = np.asarray(solution.row_dual)[: len(held)]
        last = Relaxed(x, bound, complete, rounds, done.copy(), lp_s, tuple(cuts), cut_rounds, dual)
        if on_round is not None:
            on_round(last)
        if max_rounds is not None and rounds >= max_rounds:
            return last
        if complete and (not (len(new) or found) or not lifted or cut_rounds >= MAX_CUT_ROUNDS):
            logger.info(
                "relaxation: %d rounds, %d of %d linking rows, %d cuts in %d rounds, %.1f s",
                *(rounds, done.sum(), len(done), len(cuts), cut_rounds, time.perf_counter() - t0),
            )
            return last
        if not complete and rounds >= all_rows_after:
            new = np.flatnonzero(~done)
        _add_linking_rows(h, links, new)
        done[new] = True
        add_cuts(h, found)
        cuts.extend(found)


def _add_linking_rows(h: highspy.Highs, links: Linking, new: np.ndarray) -> None:
    """Append the linking rows at positions `new` (in `links.rows`) to the LP `h` holds."""
    if not len(new):
        return
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
