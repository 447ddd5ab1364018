"""Line-haul cost per tonne of a leg: per tonne-km, or by distance band (freight_bands.csv).

A banded leg of d km costs the fare of the first band with up_to_km >= d over its load; beyond
the last band, that band's cost plus the mode's cost_jpy_per_t_km per km past its end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def haul_cost_per_t(
    modes: pd.DataFrame, bands: pd.DataFrame, mode: np.ndarray, km: np.ndarray
) -> np.ndarray:
    """Cost per tonne (JPY) of legs of `mode` over `km`, elementwise (handling not included).

    `modes`, `bands`: modes.csv and freight_bands.csv as the instance holds them.
    """
    mode = np.asarray(mode, dtype=object)
    km = np.asarray(km, dtype=float)
    rate = modes.set_index("mode")["cost_jpy_per_t_km"].astype(float)
    per_km = pd.Series(mode).map(rate).to_numpy(dtype=float)
    cost = km * per_km
    for name, band in bands.groupby("mode", sort=False):
        legs = mode == name
        if not legs.any():
            continue
        ends = band["up_to_km"].to_numpy(dtype=float)
        order = np.argsort(ends, kind="stable")
        ends = ends[order]
        per_t = (band["fare_jpy_per_trip"] / band["load_t_per_trip"]).to_numpy(dtype=float)[order]
        d = km[legs]
        # first band whose end reaches d (a leg exactly on an end belongs to that band)
        i = np.searchsorted(ends, d, side="left")
        beyond = i >= len(ends)
        within = per_t[np.minimum(i, len(ends) - 1)]
        past = per_t[-1] + per_km[legs] * (d - ends[-1])
        cost[legs] = np.where(beyond, past, within)
    return cost
