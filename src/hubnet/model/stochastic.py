"""The two-stage plan: one roadmap block per future (a single-year instance is a roadmap of
one year), the capacity levels shared by every future (15a), and the weighted sum of the
futures' costs as the objective (0e). First stage: the levels (per year); second stage:
every other decision, each future its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.environ import quicksum

from hubnet.model.periods import Period, roadmap_block


@dataclass(frozen=True)
class Future:
    """One future as the model sees it: its name, weight (probability) and planning years."""

    name: str
    weight: float
    periods: tuple[Period, ...]


def level_keys(future: Future) -> set[tuple[int, str, str]]:
    """(year, facility, level) of every level the future offers."""
    return {(p.year, f, lv) for p in future.periods for f, lv in p.data.level_index}


def build_stochastic_model(name: str, futures: Sequence[Future]) -> pyo.ConcreteModel:
    """`m.future[name]` holds each future's roadmap block (`period[year]`, `npv`)."""
    m = pyo.ConcreteModel(name=name)
    m.FUTURES = pyo.Set(initialize=[f.name for f in futures], ordered=True)
    m.future = pyo.Block(m.FUTURES)
    with PauseGC():
        for f in futures:
            roadmap_block(m.future[f.name], list(f.periods), {})
        shared_levels(m, futures)
    m.expected_cost = pyo.Objective(
        expr=quicksum(f.weight * m.future[f.name].npv for f in futures), sense=pyo.minimize
    )
    return m


def shared_levels(m: pyo.ConcreteModel, futures: Sequence[Future]) -> None:
    """Eq. (15a): every future opens the same levels in the same years as the first; a level
    that some future does not offer (its instance closes or lacks it) is opened in none."""
    offered = [level_keys(f) for f in futures]
    everywhere = set.intersection(*offered)
    first = futures[0].name
    rows = []
    for f, keys in zip(futures, offered, strict=True):
        for key in sorted(keys):
            if key not in everywhere:
                rows.append((f.name, key, None))
            elif f.name != first:
                rows.append((f.name, key, first))
    m.SHARED = pyo.Set(initialize=range(len(rows)))

    def rule(m, i):  # noqa: ANN001, ANN202
        name, (year, fac, lv), same_as = rows[i]
        x = m.future[name].period[year].open_level[fac, lv]
        if same_as is None:
            return x == 0
        return x == m.future[same_as].period[year].open_level[fac, lv]

    m.shared_levels = pyo.Constraint(m.SHARED, rule=rule)


__all__ = ["Future", "build_stochastic_model", "level_keys", "shared_levels"]
