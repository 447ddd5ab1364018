"""Imports, permits, exports, the export-leakage caps and the informal channels."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.environ import quicksum

from hubnet.model.data import ModelData


def import_availability(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (6): imports from an origin <= what it offers, per commodity."""
    m.OFFERS = pyo.Set(initialize=sorted(data.offered), dimen=2)
    m.import_availability = pyo.Constraint(
        m.OFFERS,
        rule=lambda m, f, k: (
            quicksum(m.flow[x] for x in data.offered[f, k]) <= data.available[f, k]
        ),
    )


def import_permits(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (7): imports from all origins of a region <= its permit (0 = a ban)."""
    m.PERMIT_REGIONS = pyo.Set(initialize=sorted(data.permit_regions))
    m.import_permits = pyo.Constraint(
        m.PERMIT_REGIONS,
        rule=lambda m, r: quicksum(m.flow[x] for x in data.permit_regions[r]) <= data.permits[r],
    )


def market_limit(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (8c): exports to a foreign buyer <= what it takes, per commodity."""
    m.MARKETS_K = pyo.Set(initialize=sorted(data.market_in), dimen=2)
    m.market_limit = pyo.Constraint(
        m.MARKETS_K,
        rule=lambda m, mk, k: (
            quicksum(m.flow[x] for x in data.market_in[mk, k]) <= data.market_limit[mk, k]
        ),
    )


def _leaked_t(m: pyo.ConcreteModel, data: ModelData, k: str):  # noqa: ANN202
    """Raw-equivalent tonnes of k that leave the domestic circuit: uncollected + exported."""
    left = quicksum(m.uncollected[s, kk] for s, kk in data.supply_index if kk == k)
    sold = quicksum(data.raw_per_t[x] * m.flow[x] for x in data.exported.get(k, []))
    return left + sold


def export_leakage(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (8a): uncollected + exported <= the policy share of domestic generation, per k."""
    m.CAPPED_COMMODITIES = pyo.Set(initialize=sorted(data.commodity_cap))
    m.export_leakage = pyo.Constraint(
        m.CAPPED_COMMODITIES,
        rule=lambda m, k: (
            _leaked_t(m, data, k) <= data.commodity_cap[k] * data.commodity_generation[k]
        ),
    )


def element_leakage(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (8b): the same cap by content: element leaving <= share of element generated.

    The left side counts every commodity with content, imported-only ones included (they
    leak only by export); elements with no domestic generation have no cap, as in (8a).
    """
    by_e: dict[str, dict[str, float]] = {}
    for (k, e), t in data.content_t_per_t.items():
        if k in data.commodity_generation or k in data.exported:
            by_e.setdefault(e, {})[k] = t
    generated = {
        e: sum(t * data.commodity_generation.get(k, 0.0) for k, t in content.items())
        for e, content in by_e.items()
    }
    idx = sorted(e for e in data.element_cap if generated.get(e, 0.0) > 0)
    m.CAPPED_ELEMENTS = pyo.Set(initialize=idx)

    def rule(m, e):  # noqa: ANN001, ANN202
        left = quicksum(t * _leaked_t(m, data, k) for k, t in by_e[e].items())
        return left <= data.element_cap[e] * generated[e]

    m.element_leakage = pyo.Constraint(m.CAPPED_ELEMENTS, rule=rule)


def informal_channel(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (8d): grade k's informal channel takes its capacity Q_k of the uncollected tonnes
    unless the formal system wins tonnes back: sum_s uncollected_sk >= Q_k - won_back_k.

    Winning a tonne back costs the channel's price less the collection incentive (the cost
    term `informal_match_cost`); won_back_k = Q_k always satisfies the row, so it never
    makes a model infeasible."""

    def rule(m, k):  # noqa: ANN001, ANN202
        left = quicksum(m.uncollected[s, kk] for s, kk in data.supply_index if kk == k)
        return left + m.won_back[k] >= data.informal_capacity[k]

    m.informal_channel = pyo.Constraint(m.INFORMAL, rule=rule)
