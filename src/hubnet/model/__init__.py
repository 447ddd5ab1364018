"""The Pyomo formulation: one function per constraint family, built in registry order.

`FAMILIES` lists every family with its equation number in models/formulation.md; the
model knows nothing of files, geometry or the solver.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

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
    min_throughput,
    one_level,
    open_flow_linking,
    smelter_capacity,
)
from hubnet.model.imported import imported_balance, imported_within_flow
from hubnet.model.objective import COST_TERMS, cost_terms, total_cost
from hubnet.model.targets import (
    capital_budget,
    co2_cap,
    port_throughput,
    recovery_targets,
    supply_share,
)
from hubnet.model.trade import (
    element_leakage,
    export_leakage,
    import_availability,
    import_permits,
    informal_channel,
    market_limit,
)
from hubnet.model.variables import variables

logger = logging.getLogger(__name__)

Builder = Callable[[pyo.ConcreteModel, ModelData], None]


class Role(StrEnum):
    """What the solver and the diagnosis may do with a family's rows."""

    #: a planner's rule that may be stretched when explaining infeasibility
    ELASTIC = "elastic"
    #: opening links (Eq. 9): the lazy relaxation adds them only once broken
    LINKING = "linking"
    #: rows that share a source's collection out over hubs (a region frees them together)
    SOURCE = "source"
    #: capacity rows a capacity cut by level (Eq. 12) strengthens
    CAPACITY = "capacity"
    #: derived cuts, not rules of the instance: left out when explaining infeasibility
    VALID_INEQUALITY = "valid_inequality"


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    equation: str
    builder: Builder
    #: a family that applies only when this returns True for the data
    applies: Callable[[ModelData], bool] = lambda d: True
    roles: frozenset[Role] = frozenset()


#: a planner's rule
_RULE = frozenset({Role.ELASTIC})

FAMILIES: tuple[Family, ...] = (
    Family("variables", "-", variables),
    Family("cost_terms", "0", cost_terms),
    Family("collection_reach", "1", collection_reach, roles=_RULE | {Role.SOURCE}),
    Family("uncollected_leakage", "2", uncollected_leakage, roles=frozenset({Role.SOURCE})),
    Family("hub_capacity", "3a", hub_capacity, roles=_RULE | {Role.CAPACITY}),
    Family("min_throughput", "3b", min_throughput, roles=_RULE),
    Family("one_level", "3c", one_level, roles=_RULE),
    Family("hub_mass_balance", "4", hub_mass_balance),
    Family("imported_balance", "4i", imported_balance, lambda d: bool(d.imported.balance)),
    Family("imported_within_flow", "4j", imported_within_flow, lambda d: bool(d.imported.of_flow)),
    Family("smelter_capacity", "5", smelter_capacity, roles=_RULE | {Role.CAPACITY}),
    Family("import_availability", "6", import_availability, roles=_RULE),
    Family("import_permits", "7", import_permits, roles=_RULE),
    Family("export_leakage", "8a", export_leakage, roles=_RULE),
    Family("element_leakage", "8b", element_leakage, roles=_RULE),
    Family("market_limit", "8c", market_limit, roles=_RULE),
    # a definition, never stretched: winning every tonne back always satisfies it
    Family("informal_channel", "8d", informal_channel, lambda d: bool(d.informal_capacity)),
    Family("open_flow_linking", "9", open_flow_linking, roles=frozenset({Role.LINKING})),
    Family("single_sourcing", "10a", single_sourcing, lambda d: d.single_sourcing),
    Family("assign_open", "10f", assign_open, lambda d: d.single_sourcing),
    Family(
        "assign_whole",
        "10g",
        assign_whole,
        lambda d: d.single_sourcing,
        roles=frozenset({Role.VALID_INEQUALITY}),
    ),
    Family("recovery_targets", "10b", recovery_targets, roles=_RULE),
    Family("supply_share", "10h", supply_share, lambda d: bool(d.element_supply_t), roles=_RULE),
    Family("co2_cap", "10c", co2_cap, roles=_RULE),
    Family("port_throughput", "10d", port_throughput, roles=_RULE),
    Family("capital_budget", "10e", capital_budget, roles=_RULE),
    Family("hub_cover", "11", hub_cover, roles=frozenset({Role.VALID_INEQUALITY})),
    Family("total_cost", "0", total_cost),
)


def families_with(role: Role) -> frozenset[str]:
    """The names of the families that carry `role`."""
    return frozenset(f.name for f in FAMILIES if role in f.roles)


#: rows that may stretch when explaining infeasibility (definitions such as mass balance and
#: linking stay hard)
ELASTIC_FAMILIES = families_with(Role.ELASTIC)
#: rows that only say "nothing reaches a facility that opened no level" (Eq. 9)
LINKING_FAMILIES = families_with(Role.LINKING)
#: rows that share a source's collection out over hubs (and leave the rest uncollected)
SOURCE_FAMILIES = families_with(Role.SOURCE)
#: the capacity rows the cuts by level strengthen (Eq. 3a and 5)
CAPACITY_FAMILIES = families_with(Role.CAPACITY)
#: derived cuts: left out when explaining infeasibility, so a diagnosis names the planner's
#: constraints
VALID_INEQUALITIES = families_with(Role.VALID_INEQUALITY)


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
    return build_from_data(instance.name, data, skip), data


def build_from_data(
    name: str, data: ModelData, skip: frozenset[str] = frozenset()
) -> pyo.ConcreteModel:
    """The Pyomo model of `data` (every family that applies, but those in `skip`)."""
    m = pyo.ConcreteModel(name=name)
    with PauseGC():
        for fam in FAMILIES:
            if not fam.applies(data) or fam.name in skip:
                continue
            t0 = time.perf_counter()
            fam.builder(m, data)
            logger.debug("built %s in %.3f s", fam.name, time.perf_counter() - t0)
    return m


__all__ = [
    "CAPACITY_FAMILIES",
    "COST_TERMS",
    "ELASTIC_FAMILIES",
    "FAMILIES",
    "LINKING_FAMILIES",
    "SOURCE_FAMILIES",
    "VALID_INEQUALITIES",
    "Family",
    "Role",
    "ModelData",
    "build_data",
    "build_from_data",
    "build_model",
    "families_with",
]
