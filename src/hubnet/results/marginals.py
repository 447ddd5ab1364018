"""marginals.csv: what one more unit of each limit of the plan is worth, read from the duals
of the LP with the integer decisions fixed (`model.dual`, written by `hubnet.solve.fixed`)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyomo.environ as pyo

from hubnet.instance import Instance
from hubnet.model.data import ModelData
from hubnet.results.schema import MARGINAL_FAMILIES, YEAR, conform
from hubnet.units import yen

#: values below this many JPY a year per unit are solver noise: 0
TOL_JPY = 1e-3
#: how many marginal values the brief words
LARGEST = 5

PER_T = "JPY/yr per t/yr"


@dataclass(frozen=True, slots=True)
class Limit:
    """How a family's rows read: the unit of their value, and the brief's phrase for one
    more unit ({name}: the row's key in the planner's words)."""

    unit: str
    phrase: str


LIMITS: dict[str, Limit] = {
    "hub_capacity": Limit(PER_T, "one more tonne a year of capacity at {name}"),
    "smelter_capacity": Limit(PER_T, "one more tonne a year of capacity at {name}"),
    "import_permits": Limit(PER_T, "one more tonne a year of import permits from {name}"),
    "export_leakage": Limit(PER_T, "one more tonne a year of {name} allowed to leak"),
    "element_leakage": Limit(PER_T, "one more tonne a year of {name} allowed to leak"),
    "recovery_targets": Limit(PER_T, "one tonne a year less of the {name} recovery target"),
    "supply_share": Limit(PER_T, "one tonne a year less of the {name} supply-share target"),
    "co2_cap": Limit("JPY/yr per t CO2/yr", "one more tonne of CO2 a year under the cap"),
    "port_throughput": Limit(PER_T, "one more tonne a year through {name}"),
    "capital_budget": Limit("JPY/yr per JPY/yr", "one more yen a year of capital budget"),
}
assert tuple(LIMITS) == MARGINAL_FAMILIES


def _capacity(m: pyo.Block, data: ModelData, f: str) -> float:
    """Existing capacity of facility f plus that of the level the plan opened."""
    levels = [x for g, x in data.level_index if g == f]
    added = sum(data.level_capacity[f, x] * round(m.open_level[f, x].value or 0.0) for x in levels)
    return data.existing_capacity.get(f, 0.0) + added


def _saving(duals: pyo.Suffix, con: pyo.Constraint, weight: float) -> float:
    """The fall of the objective per unit the row is relaxed, per year of its weight: the
    dual is d objective / d right-hand side, so a <= row saves -dual, a >= row +dual."""
    d = float(duals.get(con, 0.0))
    value = (-d if con.has_ub() else d) / weight
    return 0.0 if abs(value) < TOL_JPY else value


def marginals_table(
    m: pyo.Block, data: ModelData, instance: Instance, weight: float = 1.0
) -> pd.DataFrame | None:
    """One row per limit of `m` (a model, or a roadmap year's block) with its marginal value;
    None if the solve wrote no duals. `weight`: that of the block's cost in the objective
    solved (a roadmap year's discounted years), divided out to give a value per year."""
    duals = m.model().component("dual")
    if duals is None or not len(duals):
        return None
    names = names_of(instance)
    rows = []
    for family, limit in LIMITS.items():
        component = m.component(family)
        if component is None:
            continue
        capacity = family.endswith("_capacity")
        for index, con in component.items():
            if capacity and _capacity(m, data, index) <= 0:
                continue  # held shut by the network: no limit of the plan
            key = "" if index is None else str(index)
            value = _saving(duals, con, weight)
            rows.append((family, key, names.get(key, key), value, limit.unit))
    table = pd.DataFrame(rows, columns=["constraint", "key", "name", "value", "unit"])
    return conform("marginals", table)


def names_of(instance: Instance) -> dict[str, str]:
    """id -> English name of every site, commodity and element of an instance."""
    out: dict[str, str] = {}
    for table in (instance.sites, instance.commodities, instance.elements):
        out.update(zip(table["id"], table["name"], strict=True))
    return out


def marginal_lines(table: pd.DataFrame | None, largest: int = LARGEST) -> list[str]:
    """The brief's sentences for the `largest` positive values, largest first: "One more
    tonne a year of capacity at Naoshima (in 2035) saves ¥x a year"."""
    if table is None or table.empty:
        return []
    top = table[table["value"] > 0].sort_values("value", ascending=False, kind="stable")
    lines = []
    for r in top.head(largest).to_dict("records"):
        phrase = LIMITS[r["constraint"]].phrase.format(name=r["name"] or r["key"])
        when = f" in {r[YEAR]}" if YEAR in r else ""
        lines.append(f"{phrase[0].upper()}{phrase[1:]}{when} saves {yen(r['value'])} a year")
    return lines
