"""The regret table of a comparison: each plan evaluated in each future, against that
future's own optimum, and the plan whose worst-case regret is smallest (minimax regret).

Read from the comparison table alone (`compare.collect`). An evaluated run
(`hubnet evaluate`) is plan `evaluated_plan` in future `future`; any other solved run is the
own optimum of the future it is named after, and also that plan in its own future. Regret =
the plan's cost in a future - that future's own optimum: the annual cost for single-year runs,
the net present cost for roadmap runs. A plan that cannot be operated in a future (infeasible)
has an infinite regret there. A future without its own optimum among the folders has no
column; a plan missing from a future has no worst case and cannot be chosen. An optimum
solved to a gap (`optimum_gap`) is that much above the true optimum at most: a regret smaller
than gap x |optimum| is within the solver's tolerance (and may be negative).
"""

from __future__ import annotations

import math

import pandas as pd

COLUMNS = [
    "plan",
    "future",
    "basis",
    "status",
    "cost_jpy",
    "optimum_jpy",
    "optimum_gap",
    "regret_jpy",
    "worst_regret_jpy",
    "worst_future",
    "min_max_regret",
]
ANNUAL, NPV = "annual cost", "net present cost"


def _cost(row: dict) -> tuple[str, float]:
    """(basis, cost) of a comparison row: inf if infeasible, NaN without results."""
    roadmap = isinstance(row.get("years"), str) and bool(row.get("years"))
    basis = NPV if roadmap else ANNUAL
    if row.get("status") == "infeasible":
        return basis, math.inf
    if not row.get("has_results"):
        return basis, math.nan
    value = row.get("npv_cost_jpy" if roadmap else "total_cost_jpy_per_yr")
    return basis, float(value) if value is not None else math.nan


def _is_evaluated(row: dict) -> bool:
    plan = row.get("evaluated_plan")
    return isinstance(plan, str) and bool(plan)


def regret_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (plan, future) with a future's own optimum (see the module's docstring);
    empty when no run of `table` is an evaluated run."""
    rows = table.to_dict("records")
    evaluated = [r for r in rows if _is_evaluated(r)]
    if not evaluated:
        return pd.DataFrame(columns=COLUMNS)
    optimum: dict[str, tuple[str, float, float]] = {}
    cells: dict[tuple[str, str], tuple[str, str, float]] = {}
    for r in rows:
        basis, cost = _cost(r)
        if _is_evaluated(r):
            cells[str(r["evaluated_plan"]), str(r["future"])] = (basis, str(r["status"]), cost)
        elif math.isfinite(cost):
            name = str(r["run"])
            gap = r.get("gap")
            optimum[name] = (basis, cost, float(gap) if gap is not None else math.nan)
            cells.setdefault((name, name), (basis, str(r["status"]), cost))
    plans = list(dict.fromkeys(str(r["evaluated_plan"]) for r in evaluated))
    wanted = [*(str(r["future"]) for r in evaluated), *plans]
    futures = [f for f in dict.fromkeys(wanted) if f in optimum]
    out = []
    for p in plans:
        for f in futures:
            basis, status, cost = cells.get((p, f), (optimum[f][0], "missing", math.nan))
            best, gap = optimum[f][1:]
            out.append((p, f, basis, status, cost, best, gap, cost - best))
    long = pd.DataFrame(out, columns=COLUMNS[:8])
    return _worst_cases(long)


def _worst_cases(long: pd.DataFrame) -> pd.DataFrame:
    """Each plan's worst regret and where, and the plan(s) whose worst is smallest."""
    worst, where = {}, {}
    for p, g in long.groupby("plan", sort=False):
        if g["regret_jpy"].isna().any() or g.empty:
            worst[p], where[p] = math.nan, ""
            continue
        i = g["regret_jpy"].idxmax()
        worst[p], where[p] = float(g.at[i, "regret_jpy"]), str(g.at[i, "future"])
    finite = [w for w in worst.values() if not math.isnan(w) and math.isfinite(w)]
    best = min(finite) if finite else math.nan
    long["worst_regret_jpy"] = long["plan"].map(worst)
    long["worst_future"] = long["plan"].map(where)
    long["min_max_regret"] = long["worst_regret_jpy"].eq(best)
    return long[COLUMNS]


def matrix(regret: pd.DataFrame, value: str = "regret_jpy") -> pd.DataFrame:
    """Plans as rows, futures as columns (in the order they came), of one column of the
    regret table."""
    wide = regret.pivot(index="plan", columns="future", values=value)
    plans = list(dict.fromkeys(regret["plan"]))
    futures = list(dict.fromkeys(regret["future"]))
    return wide.reindex(index=plans, columns=futures)


def choice(regret: pd.DataFrame) -> dict | None:
    """The plan with the smallest worst-case regret: plan, worst regret, its future, basis."""
    best = regret[regret["min_max_regret"]]
    if best.empty:
        return None
    r = best.iloc[0]
    return {
        "plan": str(r["plan"]),
        "worst_regret_jpy": float(r["worst_regret_jpy"]),
        "worst_future": str(r["worst_future"]),
        "basis": str(r["basis"]),
    }


__all__ = ["ANNUAL", "COLUMNS", "NPV", "choice", "matrix", "regret_table"]
