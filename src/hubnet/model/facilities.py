"""Hubs and smelters: capacity levels, minimum throughput, mass balance, opening links."""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo
from pyomo.environ import quicksum

from hubnet.model.data import ModelData


def _levels(data: ModelData) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for f, lv in data.level_index:
        out[f].append(lv)
    return out


def _capacity(m: pyo.ConcreteModel, data: ModelData, facilities: list[str], name: str) -> None:
    levels = _levels(data)
    rows = {f: (data.into[f], levels.get(f, [])) for f in facilities if data.into.get(f)}
    m.add_component(name.upper(), pyo.Set(initialize=sorted(rows)))

    def rule(m, f):  # noqa: ANN001, ANN202
        flows, lv = rows[f]
        added = quicksum(data.level_capacity[f, x] * m.open_level[f, x] for x in lv)
        return quicksum(m.flow[a] for a in flows) <= data.existing_capacity[f] + added

    m.add_component(name, pyo.Constraint(getattr(m, name.upper()), rule=rule))


def hub_capacity(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (3a): what a hub takes in <= its existing capacity + the capacity of its level."""
    _capacity(m, data, data.hubs, "hub_capacity")


def min_throughput(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (3b): a hub or smelter that opens a level takes at least the level's minimum."""
    levels = _levels(data)
    idx = [f for f in sorted(levels) if any(data.level_min_throughput[f, x] > 0 for x in levels[f])]
    m.MIN_THROUGHPUT = pyo.Set(initialize=idx)

    def rule(m, f):  # noqa: ANN001, ANN202
        flows = data.into.get(f, [])
        least = quicksum(data.level_min_throughput[f, x] * m.open_level[f, x] for x in levels[f])
        return quicksum(m.flow[a] for a in flows) >= least

    m.min_throughput = pyo.Constraint(m.MIN_THROUGHPUT, rule=rule)


def one_level(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (3c): at most one level per hub or smelter; exactly one where it must open."""
    levels = _levels(data)
    must = set(data.must_open)
    m.LEVELLED = pyo.Set(initialize=sorted(levels))

    def rule(m, f):  # noqa: ANN001, ANN202
        chosen = quicksum(m.open_level[f, x] for x in levels[f])
        return chosen == 1 if f in must else chosen <= 1

    m.one_level = pyo.Constraint(m.LEVELLED, rule=rule)


def hub_mass_balance(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (4): what a hub sends on = yield x what it takes in, per commodity."""
    yield_share = data.hub_yield

    def rule(m, h, k):  # noqa: ANN001, ANN202
        out = quicksum(m.flow[f] for f in data.hub_out.get((h, k), []))
        inn = quicksum(m.flow[f] for f in data.hub_in.get((h, k), []))
        return out - yield_share[k] * inn == 0

    m.HUB_BALANCE = pyo.Set(initialize=data.hub_balance_index, dimen=2)
    m.hub_mass_balance = pyo.Constraint(m.HUB_BALANCE, rule=rule)


def smelter_capacity(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (5): what a smelter takes in <= existing capacity + its chosen expansion."""
    _capacity(m, data, data.smelters, "smelter_capacity")


def open_flow_linking(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (9): nothing travels a lane into a hub that has opened no level.

    One row per lane (all commodities together), bounded by the lesser of what the lane
    could carry and the hub's largest level: tight like the textbook per-lane form, with K
    times fewer rows than one per lane and commodity.
    """
    levels = _levels(data)
    m.LINKED_LANES = pyo.Set(initialize=sorted(data.linked_lanes))

    def rule(m, a):  # noqa: ANN001, ANN202
        h, bound = data.linked_lanes[a]
        opened = quicksum(m.open_level[h, x] for x in levels.get(h, []))
        if data.whole_source and a in data.inverse_reach:
            # (9'): a share is at most 1, so share <= opened is the tight form
            return m.share[data.lane_origin[a], h] <= opened
        return quicksum(m.flow[f] for f in data.lane_flows[a]) <= bound * opened

    m.open_flow_linking = pyo.Constraint(m.LINKED_LANES, rule=rule)


def hub_cover(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (11), a valid inequality: hub capacity opened >= what the leakage caps force in."""
    levels = _levels(data)
    existing = sum(data.existing_capacity[h] for h in data.hubs)
    terms = [(h, x) for h in data.hubs for x in levels.get(h, [])]
    if not terms or existing >= data.hub_cover_t:
        return
    m.hub_cover = pyo.Constraint(
        expr=quicksum(data.level_capacity[i] * m.open_level[i] for i in terms)
        >= data.hub_cover_t - existing
    )
