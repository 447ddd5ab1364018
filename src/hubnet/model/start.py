"""A MIP start: round the LP relaxation's hub and smelter sizes up to real levels.

The relaxation knows roughly how much each facility should take; opening, for each, the
smallest level that holds it (if it takes anything worth a level) gives a plan whose flows
one more LP completes. HiGHS then starts its search from a good incumbent instead of none.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from hubnet.model.data import ModelData

#: open nothing at a facility whose relaxed throughput is below this share of its
#: smallest level (it is cheaper to send that little elsewhere)
MIN_SHARE = 0.05


def round_levels(m: pyo.ConcreteModel, data: ModelData) -> list[tuple[pyo.Var, float]]:
    """(open_level variable, 0/1) pairs, from the relaxation's values loaded into `m`."""
    levels: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (f, lv), cap in data.level_capacity.items():
        levels[f].append((cap, lv))
    fixed = []
    for f, options in levels.items():
        options.sort()
        through = sum(pyo.value(m.flow[x]) for x in data.into.get(f, []))
        need = through - data.existing_capacity.get(f, 0.0)
        chosen = None
        if need > MIN_SHARE * options[0][0] or f in data.must_open:
            fits = [lv for cap, lv in options if cap >= need]
            chosen = fits[0] if fits else options[-1][1]
        for _, lv in options:
            fixed.append((m.open_level[f, lv], 1.0 if lv == chosen else 0.0))
    return fixed
