"""One named expression per cost term, and the total-cost objective (Eq. 0)."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.environ import quicksum

from hubnet.model.data import ModelData
from hubnet.report import COST_TERMS


def cost_terms(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Named expressions for every cost term, recovered metal and CO2."""
    f = m.flow
    m.fixed_cost = pyo.Expression(
        expr=quicksum(data.level_fixed_cost[i] * m.open_level[i] for i in data.level_index)
    )
    m.transport_cost = pyo.Expression(
        expr=quicksum(data.lane_cost[a] * f[a, k] for a, k in data.flow_index)
    )
    m.processing_cost = pyo.Expression(
        expr=quicksum(c * f[i] for i, c in data.processing_cost.items() if c)
    )
    m.import_cost = pyo.Expression(expr=quicksum(p * f[i] for i, p in data.import_price.items()))
    m.co2_emissions = pyo.Expression(
        expr=quicksum(data.lane_co2_t[a] * f[a, k] for a, k in data.flow_index)
    )
    m.co2_cost = pyo.Expression(expr=data.co2_price * m.co2_emissions)
    penalty = data.leakage_penalty
    m.leakage_penalty = pyo.Expression(
        expr=quicksum(penalty[k] * m.uncollected[s, k] for s, k in data.supply_index if penalty[k])
    )
    m.export_revenue = pyo.Expression(expr=quicksum(p * f[i] for i, p in data.export_price.items()))
    m.metal_value = pyo.Expression(expr=quicksum(v * f[i] for i, v in data.metal_value.items()))
    m.ELEMENTS = pyo.Set(initialize=data.elements)
    by_e: dict[str, list] = {e: [] for e in data.elements}
    for i, per_t in data.recovered_t_per_t.items():
        for e, t in per_t.items():
            by_e[e].append((i, t))
    m.recovered_t = pyo.Expression(
        m.ELEMENTS, rule=lambda m, e: quicksum(t * f[i] for i, t in by_e[e])
    )


def total_cost(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (0): minimise fixed + transport + processing + imports + CO2 + leakage penalty
    - export revenue - recovered metal value (JPY a year)."""
    m.total_cost = pyo.Objective(
        expr=quicksum(sign * getattr(m, term) for term, sign in COST_TERMS.items()),
        sense=pyo.minimize,
    )
