"""The LP with every integer column fixed: the best operations of a given network, and the
marginal value of each row in it (its dual, from the same HiGHS instance)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp

from hubnet.errors import SolveError
from hubnet.model import LINKING_FAMILIES, VALID_INEQUALITIES

if TYPE_CHECKING:
    from hubnet.solve.highs import Compiled

logger = logging.getLogger(__name__)

#: rows implied by the others once the integers are fixed: freed in the LP that prices a plan
#: so that a derived row binding beside a planner's limit takes none of its dual
IMPLIED_FAMILIES = LINKING_FAMILIES | VALID_INEQUALITIES


@dataclass(frozen=True)
class FixedLP:
    """The optimum of the LP with the integers fixed, and the dual of every row of
    `Compiled.rows` (d objective / d right-hand side, as HiGHS reports it: unscaled)."""

    values: np.ndarray
    objective: float
    row_dual: np.ndarray


def fixed_lp(
    compiled: Compiled,
    fixed: np.ndarray,
    free: np.ndarray | None = None,
    cols: np.ndarray | None = None,
) -> FixedLP | None:
    """Solve the model HiGHS holds with the integer columns `cols` (default: every one) fixed
    at `fixed` and the rows `free` (positions in what HiGHS holds) unbounded; the model is
    restored after. Integer columns left out stay integer (a MIP over them). None if the
    fixed columns allow no feasible plan."""
    h = compiled.highs
    lp = h.getLp()
    if cols is None:
        cols = np.flatnonzero(compiled.integer)
    cols = cols.astype(np.int32)
    lower, upper = np.array(lp.col_lower_)[cols], np.array(lp.col_upper_)[cols]
    free = np.empty(0, dtype=np.int32) if free is None else free.astype(np.int32)
    row_lo, row_up = np.array(lp.row_lower_)[free], np.array(lp.row_upper_)[free]
    at = np.round(fixed[cols])
    # HiGHS counts a time limit over every run of the instance: the LP has its own
    limit = float(h.getOptionValue("time_limit")[1])
    h.setOptionValue("time_limit", highspy.kHighsInf)
    try:
        h.changeColsIntegrality(
            len(cols), cols, np.full(len(cols), highspy.HighsVarType.kContinuous)
        )
        h.changeColsBounds(len(cols), cols, at, at)
        if len(free):
            inf = np.full(len(free), highspy.kHighsInf)
            h.changeRowsBounds(len(free), free, -inf, inf)
        if h.run() == highspy.HighsStatus.kError:
            raise SolveError("HiGHS refused to solve the model with its levels fixed")
        ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        solution = h.getSolution() if ok else None
    finally:
        h.setOptionValue("time_limit", limit)
        h.changeColsBounds(len(cols), cols, lower, upper)
        h.changeColsIntegrality(len(cols), cols, np.full(len(cols), highspy.HighsVarType.kInteger))
        if len(free):
            h.changeRowsBounds(len(free), free, row_lo, row_up)
    if solution is None:
        return None
    values = np.where(compiled.integer, np.round(solution.col_value), solution.col_value)
    duals = np.asarray(solution.row_dual)[: len(compiled.rows)].copy()
    return FixedLP(values, compiled.objective(values), duals)


def implied_rows(compiled: Compiled) -> np.ndarray:
    """Rows HiGHS holds that fixed integers make redundant: linking rows, valid inequalities
    and the capacity cuts appended after `Compiled.rows`."""
    own = [i for i, f in enumerate(compiled.families()) if f in IMPLIED_FAMILIES]
    cuts = range(len(compiled.rows), compiled.highs.getNumRow())
    return np.array([*own, *cuts], dtype=np.int32)


def price_network(compiled: Compiled, values: np.ndarray) -> FixedLP | None:
    """The LP of the network in `values` (its integer columns fixed): its operations, at
    least as good as those of `values`, and the marginal value of every row. A row of
    integer columns alone is decided by the network: its dual is 0."""
    got = fixed_lp(compiled, values, implied_rows(compiled))
    if got is None:
        logger.warning("the LP with the plan's levels fixed has no optimum: no marginal values")
        return None
    network_only = _integer_only_rows(compiled)
    got.row_dual[network_only] = 0.0
    return got


def _integer_only_rows(compiled: Compiled) -> np.ndarray:
    """Rows of `Compiled.rows` without a continuous column."""
    lp = compiled.highs.getLp()
    m = lp.a_matrix_
    kind = sp.csr_matrix if m.format_ == highspy.MatrixFormat.kRowwise else sp.csc_matrix
    a = kind((m.value_, m.index_, m.start_), shape=(lp.num_row_, lp.num_col_)).tocsc()
    continuous = a[: len(compiled.rows), ~compiled.integer].tocsr()
    return np.diff(continuous.indptr) == 0


def load_duals(model: pyo.ConcreteModel, compiled: Compiled, row_dual: np.ndarray) -> None:
    """Write each row's dual into `model.dual` (an import Suffix; d objective / d right-hand
    side in the Pyomo constraint's own orientation; a ranged row's two sides add up, only
    one of them can bind)."""
    suffix = model.component("dual")
    if suffix is None:
        model.dual = suffix = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    suffix.clear()
    for (con, _), d in zip(compiled.rows, row_dual, strict=True):
        suffix[con] = suffix.get(con, 0.0) + float(d)
