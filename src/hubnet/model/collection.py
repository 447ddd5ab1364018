"""Collection: how much of each source's generation hubs can reach, and what is left."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.environ import quicksum

from hubnet.model.data import ModelData


def collection_reach(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (1): sum over hubs of flow / reach(distance) <= generation, per source and k;
    with whole-source collection (1'): the shares a source hands its hubs sum to at most 1."""
    if data.whole_source:
        hubs: dict[str, list[str]] = {}
        for s, h in data.collection_lanes:
            hubs.setdefault(s, []).append(h)
        m.COLLECTING_SOURCES = pyo.Set(initialize=sorted(hubs))
        m.collection_reach = pyo.Constraint(
            m.COLLECTING_SOURCES, rule=lambda m, s: quicksum(m.share[s, h] for h in hubs[s]) <= 1
        )
        return
    inv = data.inverse_reach

    def rule(m, s, k):  # noqa: ANN001, ANN202
        flows = data.collected.get((s, k), [])
        if not flows:
            return pyo.Constraint.Skip
        return quicksum(inv[a] * m.flow[a, k] for a, _ in flows) <= data.generation[s, k]

    m.collection_reach = pyo.Constraint(m.SUPPLY, rule=rule)


def uncollected_leakage(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (2): uncollected = generation - collected, per source and k (informal leakage).

    With whole-source collection `m.uncollected` is that expression itself: no rows."""
    if data.whole_source:
        return

    def rule(m, s, k):  # noqa: ANN001, ANN202
        flows = data.collected.get((s, k), [])
        collected = quicksum(m.flow[f] for f in flows) if flows else 0.0
        return m.uncollected[s, k] + collected == data.generation[s, k]

    m.uncollected_leakage = pyo.Constraint(m.SUPPLY, rule=rule)


def single_sourcing(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (10a): each source ships to at most one hub (all commodities to the same one)."""
    sources = sorted({s for s, _ in data.collection_lanes})
    by_source: dict[str, list[str]] = {}
    for s, h in data.collection_lanes:
        by_source.setdefault(s, []).append(h)
    m.SINGLE_SOURCES = pyo.Set(initialize=sources)
    m.single_sourcing = pyo.Constraint(
        m.SINGLE_SOURCES, rule=lambda m, s: quicksum(m.assign[s, h] for h in by_source[s]) <= 1
    )

    def link(m, s, h):  # noqa: ANN001, ANN202
        a = data.collection_lanes[s, h]
        bound = sum(data.generation[s, k] for _, k in data.lane_flows[a]) / data.inverse_reach[a]
        return quicksum(m.flow[f] for f in data.lane_flows[a]) <= bound * m.assign[s, h]

    m.single_sourcing_linking = pyo.Constraint(m.COLLECTION_PAIRS, rule=link)
