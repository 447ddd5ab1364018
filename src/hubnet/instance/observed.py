"""Checks of observed.csv: each figure names only what its quantity counts, and only ids
the instance has (smelters, commodities, origin regions, market sites, elements)."""

from __future__ import annotations

import pandas as pd

from hubnet.errors import Issue

FILE = "observed.csv"

#: the list columns each quantity reads; any other list column must stay empty
USES: dict[str, tuple[str, ...]] = {
    "smelter_intake": ("facilities", "commodities"),
    "imports": ("regions", "commodities"),
    "exports": ("markets", "commodities"),
    "collected": ("commodities",),
    "leaked": ("commodities",),
    "informal": ("commodities",),
    "recovered": ("facilities", "elements"),
}
LISTS = ("facilities", "commodities", "regions", "markets", "elements")


def known_ids(tables: dict[str, pd.DataFrame]) -> dict[str, tuple[set[str], str]]:
    """List column -> (the ids it may hold, what to call them in an issue)."""
    sites, fac = tables["sites"], tables["facilities"]
    origins = sites[sites["kind"] == "origin"]
    return {
        "facilities": (
            set(fac.loc[fac["role"] == "smelter", "site"]),
            "smelter ids of facilities.csv",
        ),
        "commodities": (set(tables["commodities"]["id"]), "ids of commodities.csv"),
        "regions": (
            set(origins["region"]) - {""},
            "regions of origin sites in sites.csv",
        ),
        "markets": (set(sites.loc[sites["kind"] == "market", "id"]), "market sites of sites.csv"),
        "elements": (set(tables["elements"]["id"]), "ids of elements.csv"),
    }


def check_observed(tables: dict[str, pd.DataFrame]) -> list[Issue]:
    """Every problem of observed.csv beyond its column types."""
    obs = tables["observed"]
    if obs.empty:
        return []
    known = known_ids(tables)
    issues: list[Issue] = []
    for i, r in enumerate(obs.to_dict("records")):
        row = i + 2
        uses = USES.get(r["quantity"], LISTS)
        for col in LISTS:
            ids = r[col]
            if ids and col not in uses:
                issues.append(
                    Issue(FILE, row, col, ";".join(ids), f"empty for quantity {r['quantity']}")
                )
                continue
            allowed, what = known[col]
            issues.extend(
                Issue(FILE, row, col, v, f"one of the {what}") for v in ids if v not in allowed
            )
        issues.extend(_range_issues(r, row))
    return issues


def _range_issues(r: dict, row: int) -> list[Issue]:
    low, obs, high = r["low_t_per_yr"], r["observed_t_per_yr"], r["high_t_per_yr"]
    if any(v != v for v in (low, obs, high)):  # a bad number is already an issue
        return []
    out = []
    if low > obs:
        out.append(Issue(FILE, row, "low_t_per_yr", low, "at most observed_t_per_yr"))
    if high < obs:
        out.append(Issue(FILE, row, "high_t_per_yr", high, "at least observed_t_per_yr"))
    return out
