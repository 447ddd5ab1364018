"""Collection: how much of each source's generation hubs can reach, and what is left."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.environ import quicksum

from hubnet.model.data import ModelData


def collection_reach(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (1): sum over hubs of flow / reach(distance) <= collectable share x generation, per
    source and k;
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
        return quicksum(inv[a] * m.flow[a, k] for a, _ in flows) <= data.reachable[s, k]

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


def _hubs_by_source(data: ModelData) -> dict[str, list[str]]:
    by_source: dict[str, list[str]] = {}
    for s, h in data.collection_lanes:
        by_source.setdefault(s, []).append(h)
    return by_source


def _levels(data: ModelData) -> dict[str, list[str]]:
    levels: dict[str, list[str]] = {}
    for f, lv in data.level_index:
        levels.setdefault(f, []).append(lv)
    return levels


def single_sourcing(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (10a): each source is assigned to at most one hub (all commodities to the same one),
    and a lane carries nothing unless its source is assigned to its hub."""
    by_source = _hubs_by_source(data)
    m.SINGLE_SOURCES = pyo.Set(initialize=sorted(by_source))
    m.single_sourcing = pyo.Constraint(
        m.SINGLE_SOURCES, rule=lambda m, s: quicksum(m.assign[s, h] for h in by_source[s]) <= 1
    )

    def link(m, s, h):  # noqa: ANN001, ANN202
        a = data.collection_lanes[s, h]
        flows = quicksum(m.flow[f] for f in data.lane_flows[a])
        return flows <= data.assign_bound[a] * m.assign[s, h]

    m.single_sourcing_linking = pyo.Constraint(m.COLLECTION_PAIRS, rule=link)


def assign_open(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (10f): a source is assigned only to a hub that opens a level (hubs with existing
    capacity are always open). The textbook's per-pair row: held by HiGHS whatever linking
    rows (9) the relaxation leaves out."""
    levels = _levels(data)
    pairs = [(s, h) for s, h in data.collection_lanes if data.existing_capacity.get(h, 0.0) <= 0]
    m.ASSIGN_OPEN = pyo.Set(initialize=sorted(pairs), dimen=2)

    def rule(m, s, h):  # noqa: ANN001, ANN202
        return m.assign[s, h] <= quicksum(m.open_level[h, x] for x in levels.get(h, []))

    m.assign_open = pyo.Constraint(m.ASSIGN_OPEN, rule=rule)


def assign_whole(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (10g): a grade that may not leak (commodity cap 0) goes whole to the hub its source
    is assigned to, x_ak = g_sk w_sh. HiGHS's presolve then substitutes the flows and keeps
    the textbook model over assignments: capacity (3a) becomes its knapsack."""
    pairs = {a: key for key, a in data.collection_lanes.items()}
    m.ASSIGN_WHOLE = pyo.Set(initialize=data.whole_flows, dimen=2, ordered=True)

    def rule(m, a, k):  # noqa: ANN001, ANN202
        s, h = pairs[a]
        return m.flow[a, k] == data.generation[s, k] * m.assign[s, h]

    m.assign_whole = pyo.Constraint(m.ASSIGN_WHOLE, rule=rule)
