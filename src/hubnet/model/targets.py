"""Optional targets and caps: element recovery, CO2, port throughput, capital budget."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.environ import quicksum

from hubnet.model.data import ModelData


def _recovered_at_least(
    m: pyo.ConcreteModel, data: ModelData, least: dict[str, float], name: str, zero: str
) -> None:
    """`m.<name>[e]`: recovered tonnes of element e >= least[e]. An element no delivery can
    recover gets a column held at 0 (`m.<zero>`) as its recovered tonnes: its row then reaches
    HiGHS, which finds it infeasible and diagnosis names it, where a row without columns would
    fail to compile."""
    recoverable = {e for per_t in data.recovered_t_per_t.values() for e in per_t}
    m.add_component(zero.upper(), pyo.Set(initialize=sorted(set(least) - recoverable)))
    m.add_component(zero, pyo.Var(getattr(m, zero.upper()), bounds=(0.0, 0.0)))
    m.add_component(f"{name.upper()}_ELEMENTS", pyo.Set(initialize=sorted(least)))

    def rule(m, e):  # noqa: ANN001, ANN202
        got = m.recovered_t[e] if e in recoverable else getattr(m, zero)[e]
        return got >= least[e]

    m.add_component(name, pyo.Constraint(getattr(m, f"{name.upper()}_ELEMENTS"), rule=rule))


def recovery_targets(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (10b): smelters recover at least the target tonnes of an element."""
    _recovered_at_least(m, data, data.element_target_t, "recovery_targets", "unrecoverable")


def supply_share(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (10h): metal recovered in Japan, from domestic and imported scrap, meets at least
    the target share of the element's national demand."""
    _recovered_at_least(m, data, data.element_supply_t, "supply_share", "unsupplied")


def co2_cap(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (10c): transport CO2 <= the cap."""
    if data.co2_cap is not None:
        m.co2_cap = pyo.Constraint(expr=m.co2_emissions <= data.co2_cap)


def port_throughput(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (10d): tonnes on lanes through a port <= its capacity."""
    m.CAPPED_PORTS = pyo.Set(initialize=sorted(data.port_lanes))
    m.port_throughput = pyo.Constraint(
        m.CAPPED_PORTS,
        rule=lambda m, p: (
            quicksum(m.flow[f] for a in data.port_lanes[p] for f in data.lane_flows[a])
            <= data.port_capacity[p]
        ),
    )


def capital_budget(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Eq. (10e): annualised fixed cost of the levels opened <= the budget."""
    if data.capital_budget is not None:
        m.capital_budget = pyo.Constraint(expr=m.fixed_cost <= data.capital_budget)
