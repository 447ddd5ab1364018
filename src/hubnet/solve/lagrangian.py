"""A roadmap's Lagrangian bound: the rows that tie one year to another, (14a) and (14b), moved
into the objective at prices (the duals of the horizon's relaxation lifted by capacity cuts),
so that each year is a single-year model of its own whose levels cost more or less. Every
year's lower bound, weighted, plus the prices' constant bounds the net present cost (0r) for
any prices of the right sign; with the relaxation's own duals it is at least the relaxation's
bound, and it keeps each year's integrality, which the relaxation loses."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from hubnet.model.data import ModelData
from hubnet.model.periods import Period, year_data
from hubnet.solve.highs import Compiled, row_matrix
from hubnet.solve.roadmap import level_columns

#: the families whose rows tie one year to another
YEAR_LINKS = frozenset({"levels_stay", "build_cost"})


@dataclass(frozen=True)
class Prices:
    """What each level costs more (JPY a year, per unit of its year's weight) once the rows
    tying the years are priced, and the constant those rows add to the net present cost."""

    #: (year, facility, level) -> change of the level's fixed cost
    level_cost: Mapping[tuple[int, str, str], float]
    constant: float

    def year(self, period: Period) -> ModelData:
        """`period` alone (nothing reached, no build cost), its levels' fixed costs changed
        by the prices."""
        data = year_data(period, {}, 0.0)
        fixed = {
            key: cost + self.level_cost.get((period.year, *key), 0.0)
            for key, cost in data.level_fixed_cost.items()
        }
        return dataclasses.replace(data, level_fixed_cost=fixed)


def year_prices(compiled: Compiled, row_dual: np.ndarray, periods: list[Period]) -> Prices | None:
    """Prices from the duals of a relaxation of the roadmap model in `compiled` (HiGHS's
    sign: d objective / d right-hand side). A dual of the wrong sign for its row's side is
    taken as 0, and one that would make a build-cost column pay to grow is cut back to its
    cost: any such prices give a valid bound. None if a priced row holds a column other
    than a level or a build cost's (one row, at least 0, not paid to grow)."""
    lp = compiled.highs.getLp()
    a = row_matrix(lp).tocsr()
    families = compiled.families()
    rows = np.array([i for i, f in enumerate(families) if f in YEAR_LINKS], dtype=np.int64)
    if not len(rows):
        return None
    lower = np.asarray(lp.row_lower_)[rows]
    upper = np.asarray(lp.row_upper_)[rows]
    y = np.asarray(row_dual)[rows].astype(float)
    only_lower = np.isfinite(lower) & ~np.isfinite(upper)
    only_upper = np.isfinite(upper) & ~np.isfinite(lower)
    y = np.where(only_lower, np.maximum(y, 0.0), np.where(only_upper, np.minimum(y, 0.0), y))
    sub = a[rows]
    levels = level_columns(compiled)
    is_level = np.zeros(a.shape[1], dtype=bool)
    is_level[list(levels.values())] = True
    cost = compiled.cost
    others = np.unique(sub.indices[~is_level[sub.indices]])
    col_lower = np.asarray(lp.col_lower_)
    by_col = sub.tocsc()
    rows_of = np.bincount(a.indices, minlength=a.shape[1])  # rows each column stands in
    for j in others:
        held = by_col.indices[by_col.indptr[j] : by_col.indptr[j + 1]]
        coef = by_col.data[by_col.indptr[j] : by_col.indptr[j + 1]]
        if len(held) != 1 or rows_of[j] != 1:
            return None
        if col_lower[j] != 0.0 or cost[j] < 0.0:
            return None
        r, c = held[0], coef[0]
        # the column is >= 0 and in no other row: its priced cost must stay >= 0
        if cost[j] - y[r] * c < 0.0:
            y[r] = cost[j] / c
    change = -(sub.T @ y)
    side = np.where(y > 0, lower, upper)
    constant = float(np.sum(np.where(y != 0, y * np.where(np.isfinite(side), side, 0.0), 0.0)))
    weight = {p.year: p.weight for p in periods}
    level_cost = {
        key: float(change[j]) / weight[key[0]] for key, j in levels.items() if change[j] != 0.0
    }
    return Prices(level_cost, constant)


__all__ = ["YEAR_LINKS", "Prices", "year_prices"]
