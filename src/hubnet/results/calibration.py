"""The calibration report: each observed figure of the instance (observed.csv) beside the
same quantity computed from a run's result tables.

Reads only the result tables and the instance, never the model, so a results folder and a
fresh solution give the same report.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from hubnet.instance import Instance
from hubnet.results.schema import conform

#: a modelled value within this many tonnes of a range end counts as inside (solver noise)
TOL_T = 1e-6
#: informal tonnes in leakage_by_commodity.csv, by the name the column may have
INFORMAL_COLUMNS = ("informal_t_per_yr", "informal_t")

Tables = dict[str, pd.DataFrame]


def _pick(values: pd.Series, wanted: tuple[str, ...]) -> pd.Series:
    """Rows whose value is among `wanted`; all rows when `wanted` is empty."""
    return values.isin(wanted) if wanted else pd.Series(True, index=values.index)


def _smelter_intake(obs: dict, tables: Tables, instance: Instance) -> tuple[float, str]:
    """Tonnes delivered (hub output) to the listed smelters, of the listed commodities."""
    f = tables["flows"]
    smelters = obs["facilities"] or tuple(
        instance.facilities.loc[instance.facilities["role"] == "smelter", "site"]
    )
    rows = (
        (f["stage"] == "delivery")
        & f["destination"].isin(smelters)
        & _pick(f["commodity"], obs["commodities"])
    )
    return float(f.loc[rows, "tonnes_per_yr"].sum()), ""


def _imports(obs: dict, tables: Tables, instance: Instance) -> tuple[float, str]:
    imp = tables["imports"]
    rows = _pick(imp["region"], obs["regions"]) & _pick(imp["commodity"], obs["commodities"])
    return float(imp.loc[rows, "imported_t_per_yr"].sum()), ""


def _exports(obs: dict, tables: Tables, instance: Instance) -> tuple[float, str]:
    exp = tables["exports"]
    rows = _pick(exp["market"], obs["markets"]) & _pick(exp["commodity"], obs["commodities"])
    return float(exp.loc[rows, "exported_t_per_yr"].sum()), ""


def _domestic(obs: dict, tables: Tables) -> pd.DataFrame:
    """Rows of leakage_by_commodity.csv for the listed commodities."""
    t = tables["leakage_by_commodity"]
    return t[_pick(t["commodity"], obs["commodities"])]


def _collected(obs: dict, tables: Tables, instance: Instance) -> tuple[float, str]:
    t = _domestic(obs, tables)
    return float((t["generation_t_per_yr"] - t["uncollected_t_per_yr"]).sum()), ""


def _leaked(obs: dict, tables: Tables, instance: Instance) -> tuple[float, str]:
    """Uncollected plus exported raw tonnes, as the leakage cap (8a) counts them."""
    return float(_domestic(obs, tables)["leakage_t_per_yr"].sum()), ""


def _informal(obs: dict, tables: Tables, instance: Instance) -> tuple[float, str]:
    """Tonnes the informal channels of the listed commodities take; a note where the
    instance gives none of them a channel (the model cannot produce the figure)."""
    t = _domestic(obs, tables)
    column = next((c for c in INFORMAL_COLUMNS if c in t.columns), None)
    com = instance.commodities
    listed = com[_pick(com["id"], obs["commodities"])]
    has_channel = (
        "informal_capacity_t_per_yr" in listed.columns
        and listed["informal_capacity_t_per_yr"].notna().any()
    )
    if column is None or not has_channel:
        return 0.0, "the instance has no informal channel for these commodities"
    return float(t[column].fillna(0.0).sum()), ""


def _recovered(obs: dict, tables: Tables, instance: Instance) -> tuple[float, str]:
    """Tonnes of the listed elements recovered at the listed smelters: delivered tonnes x
    content per tonne of hub output (content / hub yield) x the smelter's recovery share."""
    f = tables["flows"]
    deliv = f[(f["stage"] == "delivery") & _pick(f["destination"], obs["facilities"])]
    yields = instance.commodities.set_index("id")["hub_yield_share"].astype(float)
    contents = instance.contents[_pick(instance.contents["element"], obs["elements"])]
    grades: dict[str, list[tuple[str, float]]] = {}
    for k, e, g in contents[["commodity", "element", "content_g_per_t"]].itertuples(index=False):
        grades.setdefault(k, []).append((e, float(g) / 1e6))
    rec = instance.recovery.set_index(["facility", "element"])["recovery_share"].to_dict()
    total = 0.0
    for dest, k, x in deliv[["destination", "commodity", "tonnes_per_yr"]].itertuples(index=False):
        for e, t_per_t in grades.get(k, ()):
            total += x * t_per_t / float(yields[k]) * float(rec.get((dest, e), 0.0))
    return total, ""


MODELLED: dict[str, Callable[[dict, Tables, Instance], tuple[float, str]]] = {
    "smelter_intake": _smelter_intake,
    "imports": _imports,
    "exports": _exports,
    "collected": _collected,
    "leaked": _leaked,
    "informal": _informal,
    "recovered": _recovered,
}


def calibration_table(instance: Instance, tables: Tables) -> pd.DataFrame | None:
    """calibration.csv of a run (None when the instance has no observed figures)."""
    if instance.observed.empty:
        return None
    rows = []
    for obs in instance.observed.to_dict("records"):
        modelled, note = MODELLED[obs["quantity"]](obs, tables, instance)
        observed = float(obs["observed_t_per_yr"])
        low, high = float(obs["low_t_per_yr"]), float(obs["high_t_per_yr"])
        diff = modelled - observed
        rows.append(
            {
                "id": obs["id"],
                "quantity": obs["quantity"],
                "observed_t_per_yr": observed,
                "low_t_per_yr": low,
                "high_t_per_yr": high,
                "modelled_t_per_yr": modelled,
                "difference_t_per_yr": diff,
                "difference_share": diff / observed if observed > 0 else math.nan,
                "within_range": low - TOL_T <= modelled <= high + TOL_T,
                "year": obs["year"] or "",
                "source": obs["source"],
                "note": note,
            }
        )
    return conform("calibration", pd.DataFrame(rows))


def calibration_brief(table: pd.DataFrame | None) -> dict:
    """The brief's calibration keys (summary.json): counts and the ids outside range."""
    if table is None:
        return {"calibration_count": 0, "calibration_within_range": 0, "calibration_misses": []}
    return {
        "calibration_count": int(len(table)),
        "calibration_within_range": int(table["within_range"].sum()),
        "calibration_misses": [str(i) for i in table.loc[~table["within_range"], "id"]],
    }


def _amount(t: float) -> str:
    return f"{t:,.0f} t" if abs(t) >= 10 else f"{t:,.3g} t"


def calibration_lines(table: pd.DataFrame | None) -> list[str]:
    """The brief's calibration block: the count within range, then one line per miss."""
    if table is None or table.empty:
        return []
    ok = int(table["within_range"].sum())
    lines = [f"Calibration: {ok} of {len(table)} observed figures within range"]
    for r in table[~table["within_range"]].itertuples(index=False):
        line = (
            f"  {r.id} ({r.quantity}): observed {_amount(r.observed_t_per_yr)} "
            f"[{_amount(r.low_t_per_yr)} - {_amount(r.high_t_per_yr)}], "
            f"modelled {_amount(r.modelled_t_per_yr)}"
        )
        lines.append(line + (f" ({r.note})" if r.note else ""))
    return lines
