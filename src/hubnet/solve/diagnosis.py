"""Why an infeasible model is infeasible: HiGHS's irreducible infeasible subset, or the
cheapest set of planner rules to stretch (`find_conflicts`)."""

from __future__ import annotations

import highspy
import numpy as np
import pyomo.environ as pyo

from hubnet.model import ELASTIC_FAMILIES
from hubnet.report import Conflict, SolveOptions
from hubnet.solve.highs import Compiled, handoff, new_highs, run_highs


def conflicts_of(model: pyo.ConcreteModel, options: SolveOptions) -> tuple[str, list[Conflict]]:
    """Hand an infeasible model (built for diagnosis) to HiGHS, run it, isolate the conflict."""
    compiled = handoff(model, options)
    run_highs(compiled)
    return find_conflicts(compiled)


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
