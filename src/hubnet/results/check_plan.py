"""Independent check of an evaluated run: the network it operated is the plan's network.

From the two facilities tables alone (the plan's folder and the evaluated folder), never
the model: every level the plan opened (per year in a roadmap) is open in the evaluated run,
and nothing else is.
"""

from __future__ import annotations

import pandas as pd

from hubnet.results.check_context import Violation
from hubnet.results.schema import YEAR

FAMILY = "plan_kept"


def opened_levels(facilities: pd.DataFrame) -> set[tuple]:
    """(facility, level), or (year, facility, level) in a roadmap, of every level chosen."""
    rows = facilities[facilities["level"].fillna("").astype(str) != ""]
    cols = [YEAR] * (YEAR in facilities.columns) + ["facility", "level"]
    return {tuple(str(x) for x in key) for key in rows[cols].itertuples(index=False, name=None)}


def _ids(key: tuple) -> str:
    *year, f, lv = key
    return f"{f} ({lv})" + (f"; {year[0]}" if year else "")


def check_plan_kept(plan: pd.DataFrame, evaluated: pd.DataFrame) -> list[Violation]:
    """Violations where the evaluated run's open levels differ from the plan's."""
    want, got = opened_levels(plan), opened_levels(evaluated)
    out = [
        Violation(FAMILY, _ids(k), "level opened by the evaluated plan, not in this run")
        for k in sorted(want - got)
    ]
    out += [
        Violation(FAMILY, _ids(k), "level open in this run that the evaluated plan did not open")
        for k in sorted(got - want)
    ]
    return out


__all__ = ["FAMILY", "check_plan_kept", "opened_levels"]
