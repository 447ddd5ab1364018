"""Sets and decision variables, indexed by instance ids."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.environ import quicksum

from hubnet.model.data import ModelData


@dataclass(frozen=True)
class _Layout:
    variables: list
    var_of: np.ndarray
    factor: np.ndarray
    flow_pos: dict
    supply_pos: dict
    supply_of_flow: np.ndarray
    generation: np.ndarray


class SharedCollection:
    """`m.flow` / `m.uncollected` when a source hands each hub one share of all its grades.

    Collection flows are then expressions of `m.share[s, h]` (attainable share x collectable
    share x generation x share), not variables; every other flow stays a variable. Builders
    index it exactly as they index a variable, so no constraint family needs to know which
    form is in use.
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
        return (self.d.reachable[s, k] / self.d.inverse_reach[a]) * self.m.share[s, h]

    def __getitem__(self, key):  # noqa: ANN001, ANN204
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = self._build(key)
        return hit

    def linear(self, coefs: dict) -> tuple[float, list]:
        """`sum(c * self[key])` over `coefs` as a constant and one coefficient per variable:
        a cost per tonne on every grade of a collection lane becomes one coefficient on its
        share (the objective then has 16,000 terms at municipality scale, not 120,000)."""
        lay = self._layout
        weights = np.zeros(len(lay.variables))
        constant = 0.0
        if coefs:
            c = np.fromiter(coefs.values(), dtype=float, count=len(coefs))
            if self.uncollected:
                at = np.fromiter((lay.supply_pos[i] for i in coefs), dtype=np.int64)
                per_supply = np.zeros(len(self.d.supply_index))
                per_supply[at] = c
                constant = float(c @ lay.generation[at])
                col = lay.supply_of_flow >= 0
                got = -per_supply[lay.supply_of_flow[col]] * lay.factor[col]
                np.add.at(weights, lay.var_of[col], got)
            else:
                at = np.fromiter((lay.flow_pos[i] for i in coefs), dtype=np.int64)
                np.add.at(weights, lay.var_of[at], c * lay.factor[at])
        used = np.flatnonzero(weights)
        return constant, [(float(weights[i]), lay.variables[i]) for i in used]

    @functools.cached_property
    def _layout(self) -> _Layout:
        """Where each flow (lane, k) stands: its variable (its share, or its own) and the
        tonnes per unit of it; and which supply (source, k) a collection flow draws on."""
        d, m = self.d, self.m
        variables: list = []
        number: dict = {}
        var_of = np.empty(len(d.flow_index), dtype=np.int64)
        factor = np.ones(len(d.flow_index))
        supply_pos = {key: i for i, key in enumerate(d.supply_index)}
        supply_of_flow = np.full(len(d.flow_index), -1, dtype=np.int64)
        for i, (a, k) in enumerate(d.flow_index):
            if a in self.pair:
                s, h = self.pair[a]
                key = ("share", s, h)
                factor[i] = d.reachable[s, k] / d.inverse_reach[a]
                supply_of_flow[i] = supply_pos[s, k]
            else:
                key = ("flow", a, k)
            j = number.get(key)
            if j is None:
                j = number[key] = len(variables)
                variables.append(m.share[key[1:]] if key[0] == "share" else m.flow_var[a, k])
            var_of[i] = j
        return _Layout(
            variables,
            var_of,
            factor,
            {key: i for i, key in enumerate(d.flow_index)},
            supply_pos,
            supply_of_flow,
            np.array([d.generation[key] for key in d.supply_index], dtype=float),
        )

    def values(self) -> dict:
        """Numeric values over every key, from the variables' loaded values (no expression
        walk: at municipality scale that took seconds)."""
        lay = self._layout
        x = np.array([v.value or 0.0 for v in lay.variables], dtype=float)
        flows = x[lay.var_of] * lay.factor
        if not self.uncollected:
            return dict(zip(self.d.flow_index, flows.tolist(), strict=True))
        collected = np.zeros(len(self.d.supply_index))
        col = lay.supply_of_flow >= 0
        np.add.at(collected, lay.supply_of_flow[col], flows[col])
        return dict(zip(self.d.supply_index, (lay.generation - collected).tolist(), strict=True))

    def _build(self, key):  # noqa: ANN001, ANN202
        if self.uncollected:
            s, k = key
            got = quicksum(self.collected(a, kk) for a, kk in self.hubs_of.get(key, []))
            return self.d.generation[s, k] - got
        a, k = key
        return self.collected(a, k) if a in self.pair else self.m.flow_var[a, k]


def linear_sum(m: pyo.ConcreteModel, family: str, coefs: dict):  # noqa: ANN201 - expression
    """`sum(c * m.<family>[key] for key, c in coefs)` over the model's own variables."""
    var = getattr(m, family)
    if isinstance(var, SharedCollection):
        constant, terms = var.linear(coefs)
        return constant + quicksum(c * v for c, v in terms)
    return quicksum(c * var[i] for i, c in coefs.items())


def solution_values(m: pyo.ConcreteModel, data: ModelData) -> dict[str, dict]:
    """The loaded solution as numbers: "flow" (lane, k), "uncollected" (source, k),
    "open_level" (facility, level), "imported" (lane, k, pricing) and "won_back" (commodity),
    whichever collection form the model uses."""

    def of(var, index: list) -> dict:  # noqa: ANN001
        if isinstance(var, SharedCollection):
            return var.values()
        return {i: var[i].value or 0.0 for i in index}

    return {
        "flow": of(m.flow, data.flow_index),
        "uncollected": of(m.uncollected, data.supply_index),
        "open_level": of(m.open_level, data.level_index),
        "imported": of(m.imported, data.imported.index),
        "won_back": of(m.won_back, list(data.informal_capacity)),
    }


def variables(m: pyo.ConcreteModel, data: ModelData) -> None:
    """flow[lane, k] >= 0 t/yr; uncollected[source, k] >= 0 t/yr; open_level[f, l] binary;
    imported[lane, k, pricing] >= 0 t/yr, the import-origin part of a flow out of a hub.
    won_back[k] in [0, informal capacity] t/yr, the tonnes the formal system wins back from
    grade k's informal channel (8d).

    With `whole_source`, collection is decided by share[source, hub] in [0, 1] instead, and
    collection flows and uncollected tonnes are expressions of it.
    """
    m.FLOWS = pyo.Set(initialize=data.flow_index, dimen=2, ordered=True)
    m.SUPPLY = pyo.Set(initialize=data.supply_index, dimen=2, ordered=True)
    m.LEVELS = pyo.Set(initialize=data.level_index, dimen=2, ordered=True)
    m.open_level = pyo.Var(m.LEVELS, domain=pyo.Binary)
    m.IMPORTED = pyo.Set(initialize=data.imported.index, dimen=3, ordered=True)
    m.imported = pyo.Var(m.IMPORTED, domain=pyo.NonNegativeReals)
    m.INFORMAL = pyo.Set(initialize=sorted(data.informal_capacity))
    m.won_back = pyo.Var(m.INFORMAL, bounds=lambda m, k: (0.0, data.informal_capacity[k]))
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
