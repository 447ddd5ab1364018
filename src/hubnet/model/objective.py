"""One named expression per cost term, and the total-cost objective (Eq. 0).

`term_coefficients` is the single statement of what each term charges per unit of which
variable: the Pyomo expressions are built from it, and `term_values` evaluates it on a
solution's numbers (so extraction never walks the large expressions).
"""

from __future__ import annotations

from collections.abc import Mapping

import pyomo.environ as pyo
from pyomo.environ import quicksum

from hubnet.model.data import Key, ModelData
from hubnet.model.variables import linear_sum
from hubnet.report import COST_TERMS

#: per family of values ("flow" (lane, k), "uncollected" (source, k), "open_level"
#: (facility, level), "imported" (lane, k, pricing), "won_back" (commodity)), what a term
#: charges per unit of each
Coefficients = dict[str, dict]


def term_coefficients(data: ModelData, co2_cost: bool = True) -> dict[str, Coefficients]:
    """Per term (and for CO2 tonnes, recovered metal per element and its import-origin part,
    and the smelters' payments at their terms): what it charges on.

    The model prices CO2 as price x `co2_emissions` (`co2_cost=False` leaves out the
    per-flow form it does not need)."""
    out: dict[str, Coefficients] = {
        "fixed_cost": {"open_level": dict(data.level_fixed_cost)},
        "transport_cost": {"flow": {(a, k): data.lane_cost[a] for a, k in data.flow_index}},
        "processing_cost": {"flow": {i: c for i, c in data.processing_cost.items() if c}},
        "import_cost": {
            "flow": dict(data.import_price),
            "imported": dict(data.imported.terms_price),
        },
        "leakage_penalty": {
            "uncollected": {
                (s, k): data.leakage_penalty[k]
                for s, k in data.supply_index
                if data.leakage_penalty[k]
            }
        },
        "informal_match_cost": {
            "won_back": {k: p for k, p in data.informal_match_price.items() if p},
        },
        "export_revenue": {"flow": dict(data.export_price)},
        "metal_value": {"flow": dict(data.metal_value)},
        "co2_emissions": {"flow": {(a, k): data.lane_co2_t[a] for a, k in data.flow_index}},
        **_payments(data),
    }
    if co2_cost:
        out["co2_cost"] = {
            "flow": {(a, k): data.co2_price * data.lane_co2_t[a] for a, k in data.flow_index}
        }
    for e in data.elements:
        out[f"recovered_t[{e}]"] = {"flow": {}}
        out[f"recovered_import_t[{e}]"] = {"imported": {}}
    for i, per_t in data.recovered_t_per_t.items():
        for e, t in per_t.items():
            out[f"recovered_t[{e}]"]["flow"][i] = t
    for key in data.imported.index:
        for e, t in data.recovered_t_per_t.get(key[:2], {}).items():
            out[f"recovered_import_t[{e}]"]["imported"][key] = t
    return out


def _payments(data: ModelData) -> dict[str, Coefficients]:
    """What smelters pay at their terms (cash flows, not costs of the objective): for
    domestic-origin tonnes (each delivery x V_mk / y_k, less its import-origin part) and for
    imports bought at terms (the terms part of `import_cost`)."""
    per_t = {
        (a, k): data.payable_value[data.lane_destination[a], k] / data.hub_yield[k]
        for a, k in data.recovered_t_per_t
        if (data.lane_destination[a], k) in data.payable_value
    }
    return {
        "smelter_payments_domestic": {
            "flow": per_t,
            "imported": {key: -per_t[key[:2]] for key in data.imported.index if key[:2] in per_t},
        },
        "smelter_payments_import": {"imported": dict(data.imported.terms_price)},
    }


def term_values(data: ModelData, values: Mapping[str, Mapping[Key, float]]) -> dict[str, float]:
    """Every entry of `term_coefficients` evaluated on `values[family][key]` (absent: 0)."""
    out = {}
    for name, families in term_coefficients(data).items():
        total = 0.0
        for family, coefs in families.items():
            got = values[family]
            total += sum(c * got.get(i, 0.0) for i, c in coefs.items())
        out[name] = float(total)
    return out


def cost_terms(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Named expressions for every cost term, recovered metal and CO2."""
    coefs = term_coefficients(data, co2_cost=False)

    def expr(name: str):  # noqa: ANN202 - a Pyomo expression
        return quicksum(linear_sum(m, family, c) for family, c in coefs[name].items() if c)

    for term in COST_TERMS:
        if term != "co2_cost":
            m.add_component(term, pyo.Expression(expr=expr(term)))
    m.co2_emissions = pyo.Expression(expr=expr("co2_emissions"))
    m.co2_cost = pyo.Expression(expr=data.co2_price * m.co2_emissions)
    m.ELEMENTS = pyo.Set(initialize=data.elements)
    m.recovered_t = pyo.Expression(m.ELEMENTS, rule=lambda m, e: expr(f"recovered_t[{e}]"))


def total_cost(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (0): minimise fixed + transport + processing + imports + CO2 + leakage penalty
    + the price of tonnes won back from informal channels - export revenue - recovered metal
    value (JPY a year)."""
    m.total_cost = pyo.Objective(
        expr=quicksum(sign * getattr(m, term) for term, sign in COST_TERMS.items()),
        sense=pyo.minimize,
    )
