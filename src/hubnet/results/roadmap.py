"""roadmap.csv: from the facilities table of every year, what each facility's level does when."""

from __future__ import annotations

import pandas as pd

from hubnet.results.schema import YEAR, conform


def _action(before: tuple[str, float], now: tuple[str, float]) -> str | None:
    """open / expand / retire between two years' (level, existing capacity); None: no change."""
    (lv0, ex0), (lv1, ex1) = before, now
    if lv1 and not lv0:
        return "open"
    if lv1 and lv1 != lv0:
        return "expand"
    if lv0 and not lv1:
        return "retire"
    if ex0 > 0 and ex1 <= 0 and not lv1:
        return "retire"
    return None


def roadmap_table(facilities: pd.DataFrame, built: dict[tuple[int, str], float]) -> pd.DataFrame:
    """One row per facility and year in which its level changes (stacked `facilities` with a
    `year` column; `built`: (year, facility) -> build cost paid)."""
    rows = []
    fac = facilities.sort_values([YEAR, "facility"], kind="stable")
    fac = fac.assign(added=fac["capacity_t_per_yr"] - fac["existing_capacity_t_per_yr"])
    for f, group in fac.groupby("facility", sort=True):
        state = ("", 0.0)
        for year, lv, ex, added in group[
            [YEAR, "level", "existing_capacity_t_per_yr", "added"]
        ].itertuples(index=False):
            now = (lv, float(ex))
            action = _action(state, now)
            state = now
            if action is None:
                continue
            rows.append(
                {
                    YEAR: int(year),
                    "site": f,
                    "action": action,
                    "level": lv,
                    "capacity_t_per_yr": float(added) if lv else 0.0,
                    "build_cost_jpy": built.get((int(year), f), 0.0),
                }
            )
    table = pd.DataFrame(
        rows, columns=[YEAR, "site", "action", "level", "capacity_t_per_yr", "build_cost_jpy"]
    )
    return conform("roadmap", table)
