"""What the level search (`hubnet.solve.search`) needs to know of the model: which columns open
which level of which facility, what must open, and which hubs compete for the same sources.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import scipy.sparse as sp

from hubnet.model.data import ModelData
from hubnet.report import Facility, Plan

#: a hub's neighbours for swap moves: the hubs sharing the most sources with it
NEIGHBOURS = 4


def _neighbours(data: ModelData) -> dict[str, tuple[str, ...]]:
    """Each hub's NEIGHBOURS hubs sharing the most sources (ties by id), from one sparse
    product of the hub-by-source incidence with itself."""
    if not data.collection_lanes:
        return {}
    pairs = pd.DataFrame(list(data.collection_lanes), columns=["source", "hub"])
    hub_codes, hubs = pd.factorize(pairs["hub"], sort=True)
    source_codes, _ = pd.factorize(pairs["source"])
    incidence = sp.csr_matrix(
        (np.ones(len(pairs)), (hub_codes, source_codes)),
        shape=(len(hubs), int(source_codes.max()) + 1),
    )
    shared = (incidence @ incidence.T).tocoo()
    table = pd.DataFrame({"hub": shared.row, "other": shared.col, "n": shared.data})
    table = table[table["hub"] != table["other"]]
    # hubs are numbered in id order, so the other hub's number breaks ties by id
    table = table.sort_values(["hub", "n", "other"], ascending=[True, False, True])
    top = table.groupby("hub", sort=False).head(NEIGHBOURS)
    names = [str(h) for h in hubs]
    out: dict[str, tuple[str, ...]] = {h: () for h in names}
    for h, group in top.groupby("hub", sort=False)["other"]:
        out[names[h]] = tuple(names[o] for o in group)
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


def levels_only(columns: list) -> bool:
    """Whether every integer column opens a level: the level search prices a plan as the LP
    left once levels are fixed, which is the model only if no other integer (single
    sourcing's `assign`) is left to decide."""
    return all(v.parent_component().local_name == "open_level" for v in columns if v.is_integer())
