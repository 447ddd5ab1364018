"""Sets and decision variables, indexed by instance ids."""

from __future__ import annotations

import pyomo.environ as pyo

from hubnet.model.data import ModelData


def variables(m: pyo.ConcreteModel, data: ModelData) -> None:
    """flow[lane, k] >= 0 t/yr; uncollected[source, k] >= 0 t/yr; open_level[f, l] binary."""
    m.FLOWS = pyo.Set(initialize=data.flow_index, dimen=2, ordered=True)
    m.SUPPLY = pyo.Set(initialize=data.supply_index, dimen=2, ordered=True)
    m.LEVELS = pyo.Set(initialize=data.level_index, dimen=2, ordered=True)
    m.flow = pyo.Var(m.FLOWS, domain=pyo.NonNegativeReals)
    m.uncollected = pyo.Var(m.SUPPLY, domain=pyo.NonNegativeReals)
    m.open_level = pyo.Var(m.LEVELS, domain=pyo.Binary)
    if data.single_sourcing:
        m.COLLECTION_PAIRS = pyo.Set(initialize=sorted(data.collection_lanes), dimen=2)
        m.assign = pyo.Var(m.COLLECTION_PAIRS, domain=pyo.Binary)
