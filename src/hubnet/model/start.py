"""What the level search (`hubnet.solve.search`) needs to know of the model: which columns open
which level of which facility, what must open, and which hubs compete for the same sources.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from hubnet.model.data import ModelData
from hubnet.report import Facility, Plan

#: a hub's neighbours for swap moves: the hubs sharing the most sources with it
NEIGHBOURS = 4


def _neighbours(data: ModelData) -> dict[str, tuple[str, ...]]:
    sources: dict[str, set[str]] = defaultdict(set)
    for s, h in data.collection_lanes:
        sources[h].add(s)
    hubs_of: dict[str, list[str]] = defaultdict(list)
    for h, ss in sources.items():
        for s in ss:
            hubs_of[s].append(h)
    out = {}
    for h, ss in sources.items():
        shared: dict[str, int] = defaultdict(int)
        for s in ss:
            for g in hubs_of[s]:
                if g != h:
                    shared[g] += 1
        ranked = sorted(shared, key=lambda g: (-shared[g], g))
        out[h] = tuple(ranked[:NEIGHBOURS])
    return out


def level_facilities(m: pyo.ConcreteModel, data: ModelData, columns: list) -> list[Facility]:
    """Every facility with levels, its options as (level, capacity, column), smallest first."""
    position = {id(v): i for i, v in enumerate(columns)}
    options: dict[str, list[tuple[float, str, int]]] = defaultdict(list)
    for f, lv in data.level_index:
        col = position.get(id(m.open_level[f, lv]))
        if col is not None:
            options[f].append((data.level_capacity[f, lv], lv, col))
    must = set(data.must_open)
    near = _neighbours(data)
    return [
        Facility(
            name=f,
            options=tuple((lv, cap, col) for cap, lv, col in sorted(opts)),
            must_open=f in must,
            neighbours=near.get(f, ()),
        )
        for f, opts in sorted(options.items())
    ]


def plan_of(m: pyo.ConcreteModel, data: ModelData) -> Plan:
    """The levels open in the values loaded into `m` (a previous solution's plan)."""
    return {f: lv for f, lv in data.level_index if (pyo.value(m.open_level[f, lv]) or 0) > 0.5}
