"""Sets and decision variables, indexed by instance ids."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.environ import quicksum

from hubnet.model.data import ModelData


class SharedCollection:
    """`m.flow` / `m.uncollected` when a source hands each hub one share of all its grades.

    Collection flows are then expressions of `m.share[s, h]` (attainable share x generation
    x share), not variables; every other flow stays a variable. Builders index it exactly
    as they index a variable, so no constraint family needs to know which form is in use.
    """

    def __init__(self, m: pyo.ConcreteModel, data: ModelData, uncollected: bool) -> None:
        self.m, self.d, self.uncollected = m, data, uncollected
        self.memo: dict = {}
        self.pair = {a: (data.lane_origin[a], data.lane_destination[a]) for a in data.inverse_reach}
        self.hubs_of: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for a, k in data.flow_index:
            if a in self.pair:
                self.hubs_of.setdefault((self.pair[a][0], k), []).append((a, k))

    def collected(self, a: str, k: str):  # noqa: ANN201 - a Pyomo expression
        s, h = self.pair[a]
        return (self.d.generation[s, k] / self.d.inverse_reach[a]) * self.m.share[s, h]

    def __getitem__(self, key):  # noqa: ANN001, ANN204
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = self._build(key)
        return hit

    def _build(self, key):  # noqa: ANN001, ANN202
        if self.uncollected:
            s, k = key
            got = quicksum(self.collected(a, kk) for a, kk in self.hubs_of.get(key, []))
            return self.d.generation[s, k] - got
        a, k = key
        return self.collected(a, k) if a in self.pair else self.m.flow_var[a, k]


def variables(m: pyo.ConcreteModel, data: ModelData) -> None:
    """flow[lane, k] >= 0 t/yr; uncollected[source, k] >= 0 t/yr; open_level[f, l] binary.

    With `whole_source`, collection is decided by share[source, hub] in [0, 1] instead, and
    collection flows and uncollected tonnes are expressions of it.
    """
    m.FLOWS = pyo.Set(initialize=data.flow_index, dimen=2, ordered=True)
    m.SUPPLY = pyo.Set(initialize=data.supply_index, dimen=2, ordered=True)
    m.LEVELS = pyo.Set(initialize=data.level_index, dimen=2, ordered=True)
    m.open_level = pyo.Var(m.LEVELS, domain=pyo.Binary)
    if data.single_sourcing or data.whole_source:
        m.COLLECTION_PAIRS = pyo.Set(initialize=sorted(data.collection_lanes), dimen=2)
    if data.single_sourcing:
        m.assign = pyo.Var(m.COLLECTION_PAIRS, domain=pyo.Binary)
    if data.whole_source:
        free = [(a, k) for a, k in data.flow_index if a not in data.inverse_reach]
        m.FREE_FLOWS = pyo.Set(initialize=free, dimen=2, ordered=True)
        m.flow_var = pyo.Var(m.FREE_FLOWS, domain=pyo.NonNegativeReals)
        m.share = pyo.Var(m.COLLECTION_PAIRS, bounds=(0.0, 1.0))
        m.flow = SharedCollection(m, data, uncollected=False)
        m.uncollected = SharedCollection(m, data, uncollected=True)
    else:
        m.flow = pyo.Var(m.FLOWS, domain=pyo.NonNegativeReals)
        m.uncollected = pyo.Var(m.SUPPLY, domain=pyo.NonNegativeReals)
