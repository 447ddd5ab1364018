"""Import-origin tonnes through the hubs (4i), (4j): what lets imports be paid at the terms of
the smelter they reach and recovered metal split by origin."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.environ import quicksum

from hubnet.model.data import ModelData


def imported_balance(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (4i): a hub sends on as import-origin tonnes its yield times the imports of each
    pricing it takes in, per commodity."""
    rows = data.imported.balance
    m.IMPORTED_BALANCE = pyo.Set(initialize=sorted(rows), dimen=3)

    def rule(m, h, k, p):  # noqa: ANN001, ANN202
        out, imports = rows[h, k, p]
        sent = quicksum(m.imported[key] for key in out)
        return sent == data.hub_yield[k] * quicksum(m.flow[x] for x in imports)

    m.imported_balance = pyo.Constraint(m.IMPORTED_BALANCE, rule=rule)


def imported_within_flow(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (4j): the import-origin tonnes of a flow are at most the flow."""
    of_flow = data.imported.of_flow
    m.IMPORTED_FLOWS = pyo.Set(initialize=sorted(of_flow), dimen=2)
    m.imported_within_flow = pyo.Constraint(
        m.IMPORTED_FLOWS,
        rule=lambda m, a, k: quicksum(m.imported[key] for key in of_flow[a, k]) <= m.flow[a, k],
    )
