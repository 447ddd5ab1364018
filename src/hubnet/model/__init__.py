"""The Pyomo formulation: one function per constraint family, built in registry order.

`FAMILIES` lists every family with its equation number in models/formulation.md; the
model knows nothing of files, geometry or the solver.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from hubnet.instance import Instance
from hubnet.model.collection import (
    assign_open,
    assign_whole,
    collection_reach,
    single_sourcing,
    uncollected_leakage,
)
from hubnet.model.data import ModelData, build_data
from hubnet.model.facilities import (
    hub_capacity,
    hub_cover,
    hub_mass_balance,
    hub_min_throughput,
    one_level,
    open_flow_linking,
    smelter_capacity,
)
from hubnet.model.objective import COST_TERMS, cost_terms, total_cost
from hubnet.model.targets import capital_budget, co2_cap, port_throughput, recovery_targets
from hubnet.model.trade import (
    element_leakage,
    export_leakage,
    import_availability,
    import_permits,
    market_limit,
)
from hubnet.model.variables import variables

logger = logging.getLogger(__name__)

Builder = Callable[[pyo.ConcreteModel, ModelData], None]


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    equation: str
    builder: Builder
    #: a family that applies only when this returns True for the data
    applies: Callable[[ModelData], bool] = lambda d: True


FAMILIES: tuple[Family, ...] = (
    Family("variables", "-", variables),
    Family("cost_terms", "0", cost_terms),
    Family("collection_reach", "1", collection_reach),
    Family("uncollected_leakage", "2", uncollected_leakage),
    Family("hub_capacity", "3a", hub_capacity),
    Family("hub_min_throughput", "3b", hub_min_throughput),
    Family("one_level", "3c", one_level),
    Family("hub_mass_balance", "4", hub_mass_balance),
    Family("smelter_capacity", "5", smelter_capacity),
    Family("import_availability", "6", import_availability),
    Family("import_permits", "7", import_permits),
    Family("export_leakage", "8a", export_leakage),
    Family("element_leakage", "8b", element_leakage),
    Family("market_limit", "8c", market_limit),
    Family("open_flow_linking", "9", open_flow_linking),
    Family("single_sourcing", "10a", single_sourcing, lambda d: d.single_sourcing),
    Family("assign_open", "10f", assign_open, lambda d: d.single_sourcing),
    Family("assign_whole", "10g", assign_whole, lambda d: d.single_sourcing),
    Family("recovery_targets", "10b", recovery_targets),
    Family("co2_cap", "10c", co2_cap),
    Family("port_throughput", "10d", port_throughput),
    Family("capital_budget", "10e", capital_budget),
    Family("hub_cover", "11", hub_cover),
    Family("total_cost", "0", total_cost),
)


#: families that are derived cuts, not rules of the instance: left out when explaining
#: infeasibility, so a diagnosis names the planner's constraints
VALID_INEQUALITIES = frozenset({"hub_cover", "assign_whole"})


def build_model(
    instance: Instance,
    lanes: pd.DataFrame,
    skip: frozenset[str] = frozenset(),
    diagnostic: bool = False,
) -> tuple[pyo.ConcreteModel, ModelData]:
    """The Pyomo model of `instance` over `lanes`, and the data it was built from.

    `skip` leaves families out; `diagnostic` builds the plain form used to explain
    infeasibility (linking rows not capped by level capacity).
    """
    data = build_data(instance, lanes, cap_links=not diagnostic)
    m = pyo.ConcreteModel(name=instance.name)
    with PauseGC():
        for fam in FAMILIES:
            if not fam.applies(data) or fam.name in skip:
                continue
            t0 = time.perf_counter()
            fam.builder(m, data)
            logger.debug("built %s in %.3f s", fam.name, time.perf_counter() - t0)
    return m, data


__all__ = [
    "COST_TERMS",
    "FAMILIES",
    "VALID_INEQUALITIES",
    "ModelData",
    "build_data",
    "build_model",
]
