"""What the console shows of plans tested in other futures (rich renderables, printed by the
CLI): an evaluated run's plan beside its own future's cost, and compare_regret.csv as a
table with the plan of smallest worst-case regret."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from rich.markup import escape
from rich.table import Table

from hubnet.compare_regret import choice, matrix
from hubnet.export.tables import read_summary
from hubnet.units import yen


def _yen(x: object) -> str:
    return yen(x, missing="-")


def evaluated_line(result_dir: Path) -> str:
    """Which plan an evaluated run kept, and its cost here beside that in its own future
    (rich markup)."""
    summary = read_summary(result_dir)
    plan = summary["evaluated_plan"]
    key = "npv_cost_jpy" if summary.get("years") else "objective_jpy_per_yr"
    what = "net present cost" if key == "npv_cost_jpy" else "annual cost"
    own, here = plan.get(key), summary.get(key)
    line = (
        f"Plan of {plan['result_dir']} (built for {plan['scenario']}) kept, tested in "
        f"{summary['scenario']}: {what} {_yen(here)}, against {_yen(own)} in its own future"
    )
    if own is not None and here is not None:
        line += f" ({'+' if here >= own else '-'}{_yen(abs(here - own))})"
    return escape(line + ".")


def read_regret(path: Path) -> pd.DataFrame:
    """compare_regret.csv as `compare_regret.regret_table` wrote it."""
    regret = pd.read_csv(path, keep_default_na=False, na_values=[""])
    for c in ("plan", "future", "worst_future"):
        regret[c] = regret[c].fillna("").astype(str)
    return regret


def _regret(x: float) -> str:
    if math.isnan(x):
        return "-"
    return "infeasible" if math.isinf(x) else _yen(x)


def regret_renderables(path: Path) -> list:
    """The regret table (plans as rows, futures as columns, each plan's worst), the plan of
    smallest worst-case regret, and the regret the optima's gaps leave open."""
    regret = read_regret(path)
    gap = matrix(regret)
    basis = " / ".join(dict.fromkeys(regret["basis"]))
    t = Table(title=f"Regret ({basis} - the future's own optimum)")
    t.add_column("plan \\ future")
    for f in gap.columns:
        t.add_column(escape(str(f)), justify="right")
    t.add_column("worst", justify="right")
    worst = regret.drop_duplicates("plan").set_index("plan")["worst_regret_jpy"]
    for p in gap.index:
        cells = [_regret(float(gap.at[p, f])) for f in gap.columns]
        t.add_row(escape(str(p)), *cells, _regret(float(worst[p])))
    out: list = [t]
    best = choice(regret)
    if best is not None:
        out.append(
            f"Smallest worst-case regret: [bold]{escape(best['plan'])}[/bold], at most "
            f"{_yen(best['worst_regret_jpy'])} (in {escape(best['worst_future'])})."
        )
    own = regret.drop_duplicates("future")
    within = float((own["optimum_gap"].fillna(0.0) * own["optimum_jpy"].abs()).max())
    if within > 0:
        out.append(
            "[dim]The futures' own optima were solved to a gap: a regret under "
            f"{_yen(within)} may be the solver's tolerance.[/dim]"
        )
    return out


__all__ = ["evaluated_line", "read_regret", "regret_renderables"]
