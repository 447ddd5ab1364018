"""HiGHS's own branch and bound over the whole model, racing the level search.

Where regions give the level search the last word under a time limit and every facility is
open or closed (one level each: OR-Library's instances), HiGHS alone can prove in the limit an
optimum the search only finds (capa at 120 s): a copy of the model goes to HiGHS's branch and
bound in a process of its own, on the second core from the start. It takes every better plan
the search finds as an incumbent and stops the search once it has proved its answer; the
better of the two plans is handed on, with the higher of the two bounds.

A process, not a thread: a thread's HiGHS would take the interpreter's lock at every simplex
iteration to listen for a cancel, and crawl while the search runs Python.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import queue
import time
from dataclasses import dataclass

import highspy
import numpy as np

from hubnet.report import SolveOptions
from hubnet.solve.highs import Compiled, scaling

logger = logging.getLogger(__name__)

#: how long the run waits for the racing branch and bound to hand over what it found
STOP_GRACE_S = 5.0


@dataclass(frozen=True)
class Outcome:
    """What the racing branch and bound ended with."""

    values: np.ndarray | None
    objective: float
    bound: float
    #: it proved its plan within the gap asked for (or the model infeasible)
    proved: bool


@dataclass(frozen=True)
class _Model:
    """The compiled model as arrays (what a spawned process can be sent)."""

    cost: np.ndarray
    offset: float
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    integrality: np.ndarray
    options: dict


def _arrays(compiled: Compiled, options: SolveOptions) -> _Model:
    lp = compiled.highs.getLp()
    a = lp.a_matrix_
    settings = {
        "output_flag": False,
        "random_seed": int(options.seed),
        "mip_rel_gap": float(options.mip_rel_gap),
        "threads": 1,
        **scaling(compiled, options),
    }
    return _Model(
        np.asarray(lp.col_cost_),
        float(lp.offset_),
        np.asarray(lp.col_lower_),
        np.asarray(lp.col_upper_),
        np.asarray(lp.row_lower_),
        np.asarray(lp.row_upper_),
        np.asarray(a.start_, dtype=np.int32),
        np.asarray(a.index_, dtype=np.int32),
        np.asarray(a.value_),
        compiled.integer.astype(np.int32),
        settings,
    )


def _solve_beside(model: _Model, deadline_s: float, plans, stop, out) -> None:  # noqa: ANN001
    """The process: HiGHS's branch and bound until `deadline_s` (seconds from now), taking
    the plans put in `plans` as incumbents, until `stop` is set; what it found goes to
    `out` as (status, objective, bound, values or None)."""
    t0 = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    n, m = len(model.cost), len(model.row_lower)
    h.passModel(
        n,
        m,
        len(model.value),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        model.offset,
        model.cost,
        model.col_lower,
        model.col_upper,
        model.row_lower,
        model.row_upper,
        model.start,
        model.index,
        model.value,
        model.integrality,
    )
    for key, value in model.options.items():
        h.setOptionValue(key, value)
    h.setOptionValue("time_limit", max(deadline_s - (time.perf_counter() - t0), 0.0))

    def take_plans(event) -> None:  # noqa: ANN001 - highspy callback event
        latest = None
        try:
            while True:
                latest = plans.get_nowait()
        except queue.Empty:
            pass
        if latest is not None:
            event.data_in.setSolution(latest)

    def listen(event) -> None:  # noqa: ANN001 - highspy callback event
        if stop.is_set():
            event.interrupt()

    h.cbMipUserSolution.subscribe(take_plans)
    for callback in (h.cbSimplexInterrupt, h.cbIpmInterrupt, h.cbMipInterrupt):
        callback.subscribe(listen)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    feasible = info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = np.asarray(h.getSolution().col_value) if feasible else None
    objective = float(info.objective_function_value) if feasible else math.inf
    proved = status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible)
    out.put((h.modelStatusToString(status), objective, float(info.mip_dual_bound), values, proved))


class BranchAndBound:
    """HiGHS's branch and bound over a copy of the compiled model, in a process of its own,
    until `deadline` (a `time.perf_counter`)."""

    def __init__(self, compiled: Compiled, options: SolveOptions, deadline: float) -> None:
        context = multiprocessing.get_context("spawn")
        self._plans = context.Queue()
        self._out = context.Queue()
        self._stop = context.Event()
        self._outcome: Outcome | None = None
        self._ended: tuple | None = None
        left = deadline - time.perf_counter()
        self._process = context.Process(
            target=_solve_beside,
            args=(_arrays(compiled, options), left, self._plans, self._stop, self._out),
            daemon=True,
        )
        self._process.start()

    def offer(self, values: np.ndarray) -> None:
        """A better plan of the search: HiGHS takes it as an incumbent at its next call."""
        self._plans.put(np.asarray(values, dtype=float))

    def _poll(self, timeout_s: float = 0.0) -> tuple | None:
        if self._ended is None:
            try:
                out = self._out
                self._ended = out.get(timeout=timeout_s) if timeout_s else out.get_nowait()
            except queue.Empty:
                pass
        return self._ended

    def wait(self, timeout_s: float) -> None:
        """Wait until it has ended (proved its answer or reached the deadline), at most
        `timeout_s`: a search that stopped early leaves it the rest of the limit."""
        if timeout_s > 0:
            self._poll(timeout_s)

    def proved(self) -> bool:
        """Whether it has ended with its answer proved (the search may stop)."""
        ended = self._poll()
        return ended is not None and ended[4]

    def stop(self, grace_s: float = STOP_GRACE_S) -> Outcome | None:
        """Stop it (if still running) and return what it found; None if it handed nothing
        over within `grace_s` (it is then ended)."""
        if self._outcome is not None:
            return self._outcome
        self._stop.set()
        ended = self._poll(grace_s)
        self._process.join(0.5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._plans.cancel_join_thread()
        if ended is None:
            logger.info(
                "racing branch and bound: nothing handed over %.1f s after the stop", grace_s
            )
            return None
        text, objective, bound, values, proved = ended
        logger.info("racing branch and bound: %s, objective %s, bound %s", text, objective, bound)
        self._outcome = Outcome(values, objective, bound, proved)
        return self._outcome
