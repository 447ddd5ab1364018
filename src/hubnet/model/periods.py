"""The roadmap: one block per planning year holding every single-year family, linked by levels
that stay once reached (14a) and build costs paid once (14b); the objective is the net present
cost (0r). The model knows years, weights and data only: how they are read is the instance's
business."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.environ import quicksum

from hubnet.model.data import Key, ModelData
from hubnet.report import COST_TERMS


@dataclass(frozen=True)
class Period:
    """One planning year as the model sees it."""

    year: int
    data: ModelData
    #: sum of the discount factors of the years the period stands for (its annual cost's weight)
    weight: float = 1.0
    #: discount factor of the period's first year (what a build in it costs today)
    discount: float = 1.0
    #: one-off build cost of each level (facility, level) in this year, JPY
    build_cost: Mapping[Key, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Reached:
    """A facility's level reached before the first period modelled (myopic foresight)."""

    capacity_t_per_yr: float
    build_cost_jpy: float = 0.0


def _levels(data: ModelData) -> dict[str, list[tuple[str, float]]]:
    """Each facility's levels with their capacity, smallest first."""
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for f, lv in data.level_index:
        out[f].append((lv, data.level_capacity[f, lv]))
    return {f: sorted(v, key=lambda x: x[1]) for f, v in out.items()}


def build_roadmap_model(
    name: str,
    periods: list[Period],
    reached: Mapping[str, Reached] | None = None,
) -> pyo.ConcreteModel:
    """`m.period[year]` holds the single-year model of each year (without its objective);
    `reached` fixes where facilities stood before the first year (myopic foresight)."""
    m = pyo.ConcreteModel(name=name)
    with PauseGC():
        roadmap_block(m, periods, reached or {})
    m.net_present_cost = pyo.Objective(expr=m.npv, sense=pyo.minimize)
    return m


def roadmap_block(m: pyo.Block, periods: list[Period], reached: Mapping[str, Reached]) -> None:
    """Every family of every year, (14a), (14b) and the net present cost `m.npv` (0r) on `m`
    (a model, or one future's block of a two-stage model)."""
    from hubnet.model import FAMILIES

    m.YEARS = pyo.Set(initialize=[p.year for p in periods], ordered=True)
    m.period = pyo.Block(m.YEARS)
    for p in periods:
        block = m.period[p.year]
        for fam in FAMILIES:
            if fam.name != "total_cost" and fam.applies(p.data):
                fam.builder(block, p.data)
        block.annual_cost = pyo.Expression(
            expr=quicksum(sign * getattr(block, t) for t, sign in COST_TERMS.items())
        )
    levels_stay(m, periods, reached)
    build_costs(m, periods, reached)
    net_present_cost(m, periods)


def _pairs(periods: list[Period]):  # noqa: ANN202
    """(period, the period before it or None), in order."""
    before = None
    for p in periods:
        yield p, before
        before = p


def levels_stay(
    m: pyo.ConcreteModel, periods: list[Period], reached: Mapping[str, Reached]
) -> None:
    """Eq. (14a): a facility that stood at a level of capacity C in the year before stands at a
    level of capacity >= C now, unless the instance closes it (no level left this year)."""
    rows = []
    for p, before in _pairs(periods):
        now = _levels(p.data)
        if before is None:
            for f, r in reached.items():
                if f in now and r.capacity_t_per_yr > 0:
                    rows.append((p.year, f, _at_least(now[f], r.capacity_t_per_yr), None, ()))
            continue
        then = _levels(before.data)
        for f, lv in then.items():
            if f not in now:
                continue
            for _, c in lv:
                above_then = tuple(x for x, cx in lv if cx >= c)
                rows.append((p.year, f, _at_least(now[f], c), before.year, above_then))
    m.LEVELS_STAY = pyo.Set(initialize=range(len(rows)))

    def rule(m, i):  # noqa: ANN001, ANN202
        year, f, above_now, year_before, above_then = rows[i]
        lhs = quicksum(m.period[year].open_level[f, x] for x in above_now)
        if year_before is None:
            return lhs >= 1
        return lhs >= quicksum(m.period[year_before].open_level[f, x] for x in above_then)

    m.levels_stay = pyo.Constraint(m.LEVELS_STAY, rule=rule)


def _at_least(levels: list[tuple[str, float]], capacity: float) -> tuple[str, ...]:
    """The levels of capacity >= `capacity`; the largest if none is as large."""
    got = tuple(x for x, c in levels if c >= capacity - 1e-9)
    return got or (levels[-1][0],)


def build_costs(
    m: pyo.ConcreteModel, periods: list[Period], reached: Mapping[str, Reached]
) -> None:
    """Eq. (14b): built[f, year] >= the build cost of the level now - that of the level the
    year before (both at this year's costs where listed), >= 0: a level is paid once, and an
    expansion pays the difference."""
    rows: dict = {}
    for p, before in _pairs(periods):
        now = _levels(p.data)
        then = _levels(before.data) if before is not None else {}
        for f, lv in now.items():
            cost_now = {x: p.build_cost.get((f, x), 0.0) for x, _ in lv}
            if not any(cost_now.values()):
                continue
            old = {
                x: p.build_cost.get((f, x), before.build_cost.get((f, x), 0.0))
                for x, _ in then.get(f, [])
            }
            prior = reached.get(f).build_cost_jpy if f in reached else 0.0
            rows[p.year, f] = (cost_now, before.year if before else None, old, prior)
    m.BUILDS = pyo.Set(initialize=list(rows), dimen=2, ordered=True)
    m.built = pyo.Var(m.BUILDS, domain=pyo.NonNegativeReals)

    def rule(m, year, f):  # noqa: ANN001, ANN202
        cost_now, year_before, old, prior = rows[year, f]
        now = quicksum(c * m.period[year].open_level[f, x] for x, c in cost_now.items() if c)
        if year_before is None:
            return m.built[year, f] >= now - prior
        then = quicksum(c * m.period[year_before].open_level[f, x] for x, c in old.items() if c)
        return m.built[year, f] >= now - then

    m.build_cost = pyo.Constraint(m.BUILDS, rule=rule)


def net_present_cost(m: pyo.Block, periods: list[Period]) -> None:
    """Eq. (0r), `m.npv`: the sum over years of weight x annual cost (Eq. 0 of that year) +
    discount x build costs paid that year."""
    by_year = {p.year: p for p in periods}
    m.npv_build = pyo.Expression(
        expr=quicksum(by_year[y].discount * m.built[y, f] for y, f in m.BUILDS)
    )
    m.npv = pyo.Expression(
        expr=quicksum(p.weight * m.period[p.year].annual_cost for p in periods) + m.npv_build
    )


def year_data(period: Period, reached: Mapping[str, Reached], build_share: float) -> ModelData:
    """The single-year data of one year decided on its own: levels below the one reached are
    gone, a facility that reached one must open one (Eq. 3c with "= 1"), and `build_share` x
    each level's build cost (less that of the level reached), spread over the year's weight, is
    part of its fixed cost.

    Myopic foresight: `build_share` = the year's discount (the whole cost falls in the year it
    sees), exact for a one-year roadmap (its objective is (0r) divided by the weight).
    Independent years: `build_share` = d_t - d_(t+1), nothing reached; over a plan whose levels
    never shrink these shares add up to the build costs (14b) when they do not change by year,
    so the sum of the years' optima is a lower bound of (0r) (see models/formulation.md)."""
    d = period.data
    keep = []
    for f, levels in _levels(d).items():
        floor = reached[f].capacity_t_per_yr if f in reached else 0.0
        names = _at_least(levels, floor) if floor > 0 else tuple(lv for lv, _ in levels)
        keep += [(f, lv) for lv in names]
    order = {k: i for i, k in enumerate(d.level_index)}
    keep.sort(key=order.__getitem__)
    spread = build_share / period.weight
    fixed = {}
    for f, lv in keep:
        paid = reached[f].build_cost_jpy if f in reached else 0.0
        build = max(0.0, period.build_cost.get((f, lv), 0.0) - paid)
        fixed[f, lv] = d.level_fixed_cost[f, lv] + spread * build
    kept = {f for f, _ in keep}
    return dataclasses.replace(
        d,
        level_index=keep,
        level_capacity={k: d.level_capacity[k] for k in keep},
        level_fixed_cost=fixed,
        level_min_throughput={k: d.level_min_throughput[k] for k in keep},
        must_open=sorted(set(d.must_open) | (set(reached) & kept)),
    )


def kept_open(periods: list[Period], levels: Mapping[tuple[int, str, str], float]) -> dict:
    """`levels` made to never shrink: each year a facility stands at the smallest level as
    large as the largest it has had so far (none once the instance closes it)."""
    out: dict[tuple[int, str, str], float] = {}
    most: dict[str, float] = {}
    for p in periods:
        now = _levels(p.data)
        chosen = {
            f: p.data.level_capacity[f, lv]
            for (y, f, lv), x in levels.items()
            if y == p.year and x > 0.5
        }
        most = {f: max(c, chosen.get(f, 0.0)) for f, c in most.items() if f in now}
        most.update({f: c for f, c in chosen.items() if f not in most})
        for f, c in most.items():
            out[p.year, f, _at_least(now[f], c)[0]] = 1.0
    return out
