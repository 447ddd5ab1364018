"""Planning periods of a roadmap instance, and the step rule that gives a table at one year."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

FORESIGHT = ("perfect", "myopic")
#: the optional column every yearly table may carry (declared once in `schema.YEAR_COLUMN`)
YEAR = "year"


@dataclass(frozen=True, slots=True)
class Periods:
    """Planning years; period t stands for the years from `years[t]` up to the next planning
    year (the last one for `last_period_years`)."""

    years: tuple[int, ...]
    discount_rate: float = 0.0
    last_period_years: int = 1
    foresight: str = "perfect"

    def lengths(self) -> tuple[int, ...]:
        """Years each period stands for."""
        steps = [b - a for a, b in zip(self.years, self.years[1:], strict=False)]
        return (*steps, self.last_period_years)

    def weights(self) -> tuple[float, ...]:
        """Present value of one unit a year over each period: the sum over the period's years
        y of (1+r)^-(y - years[0]) (yearly costs are multiplied by it)."""
        first, r = self.years[0], self.discount_rate
        return tuple(
            sum((1.0 + r) ** -(y + k - first) for k in range(n))
            for y, n in zip(self.years, self.lengths(), strict=True)
        )

    def discounts(self) -> tuple[float, ...]:
        """(1+r)^-(years[t] - years[0]): the present value of a one-off cost paid in years[t]."""
        first, r = self.years[0], self.discount_rate
        return tuple((1.0 + r) ** -(y - first) for y in self.years)


def rows_at(df: pd.DataFrame, key: tuple[str, ...], year: int) -> np.ndarray:
    """Positions (ascending) of the rows holding at `year`: per key, the row with the largest
    `year <= year`; a row without a year holds from the start."""
    if YEAR not in df.columns or not df[YEAR].notna().any():
        return np.arange(len(df))
    y = df[YEAR].astype("Float64").fillna(-np.inf).to_numpy(dtype=float)
    pos = np.flatnonzero(y <= year)
    order = pos[np.argsort(y[pos], kind="stable")]
    later = df.iloc[order][list(key)].duplicated(keep="last").to_numpy()
    return np.sort(order[~later])


def table_at(df: pd.DataFrame, key: tuple[str, ...], year: int) -> pd.DataFrame:
    """The table as it stands at `year`, without its year column, rows in file order."""
    if YEAR not in df.columns:
        return df
    out = df.iloc[rows_at(df, key, year)].drop(columns=YEAR)
    return out.reset_index(drop=True)


def policy_changes_at(
    changes: dict[int, dict[str, object]], year: int
) -> tuple[dict[str, object], dict[str, float]]:
    """The `[policy.from_year.Y]` settings holding at `year` (the latest Y <= year setting each
    key wins), and the import permits they set, per region."""
    settings: dict[str, object] = {}
    permits: dict[str, float] = {}
    for y in sorted(changes):
        if y > year:
            break
        for key, value in changes[y].items():
            if key == "import_permits_t_per_yr":
                permits.update(value)  # type: ignore[arg-type]
            else:
                settings[key] = value
    return settings, permits
