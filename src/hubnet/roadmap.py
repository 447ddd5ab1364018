"""The roadmap pipeline: one network and model per planning year, the myopic pass (year by
year, earlier builds kept), the whole horizon from its plan (perfect foresight), then per-year
extraction, the checker on every year and on the horizon, and one results folder."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pyomo.environ as pyo

from hubnet.instance import Instance
from hubnet.model.data import Key, build_data
from hubnet.model.periods import Period, build_roadmap_model, kept_open
from hubnet.report import Progress, SolveOptions, SolveReport
from hubnet.results.extract import extract
from hubnet.results.roadmap import roadmap_table
from hubnet.results.solution import TABLE_NAMES, Solution
from hubnet.solve.horizon import both_passes, second_pass
from hubnet.solve.roadmap import (
    never_shrinks,
    passes_beside,
    prepared,
    solve_fixed,
    solve_roadmap,
    with_levels_fixed,
    within,
    year_by_year,
)

logger = logging.getLogger(__name__)

FORESIGHTS = ("perfect", "myopic")
#: tables whose content decides the lanes (`run.lanes_of`); years equal in them share lanes
NETWORK_TABLES = ("sites", "facilities", "commodities", "links", "lanes", "modes", "freight_bands")


@dataclass(frozen=True)
class Year:
    """One planning year: its single-year instance, lanes and model data."""

    instance: Instance
    lanes: pd.DataFrame
    period: Period

    @property
    def year(self) -> int:
        return self.period.year


@dataclass(frozen=True)
class Horizon:
    """The solved roadmap: the model with its values loaded and how the solve went."""

    model: pyo.ConcreteModel
    report: SolveReport
    foresight: str
    #: net present cost of the myopic plan (perfect foresight: its start), None if unsolved
    myopic_cost: float | None
    #: (year, report) of each year of the myopic pass
    myopic_reports: tuple[tuple[int, SolveReport], ...]
    #: the year the myopic pass found no plan for (None: every year had one)
    failed_year: int | None = None
    #: the horizon's weight in the objective solved (a future's in a two-stage model)
    weight: float = 1.0


def build_costs(instance: Instance) -> dict[Key, float]:
    """One-off build cost of each capacity level (optional column `build_cost_jpy`)."""
    lev = instance.capacity_levels
    if "build_cost_jpy" not in lev.columns:
        return {}
    cost = lev["build_cost_jpy"].fillna(0.0).astype(float)
    keys = zip(lev["facility"], lev["level"], strict=True)
    return {k: c for k, c in zip(keys, cost, strict=True) if c}


def _network_key(instance: Instance) -> tuple:
    """What the lanes of a year depend on, hashed."""
    parts = [
        pd.util.hash_pandas_object(instance.table(n), index=False).sum() for n in NETWORK_TABLES
    ]
    for name in ("supply", "imports", "exports"):
        parts.append(pd.util.hash_pandas_object(instance.table(name)[["site", "commodity"]]).sum())
    return (*parts, instance.collection, instance.policy.co2_price_jpy_per_t)


def plan_years(instance: Instance, lanes_of: Callable[[Instance], pd.DataFrame]) -> list[Year]:
    """Every planning year of a roadmap instance, with lanes shared where the network is."""
    periods = instance.periods
    lanes_by_key: dict[tuple, pd.DataFrame] = {}
    out = []
    for y, w, d in zip(periods.years, periods.weights(), periods.discounts(), strict=True):
        inst = instance.at(y)
        key = _network_key(inst)
        if key not in lanes_by_key:
            lanes_by_key[key] = lanes_of(inst)
        lanes = lanes_by_key[key]
        data = build_data(inst, lanes)
        out.append(Year(inst, lanes, Period(y, data, w, d, build_costs(inst))))
    return out


def solve_horizon(
    name: str,
    years: list[Year],
    foresight: str,
    options: SolveOptions,
    progress: Callable[[Progress], None] | None = None,
) -> Horizon:
    """The myopic pass; then (myopic) its plan's operations over the horizon, or (perfect)
    the priced pass for a lower bound and a second plan (`second_pass`), and the whole
    horizon started from the better plan. On large years the passes run on worker processes,
    the myopic pass beside the relaxation (`passes_beside`). A time limit is shared: a third of
    it per pass, then the rest."""
    t0 = time.perf_counter()
    periods = [y.period for y in years]
    limit = options.time_limit_s
    share = dataclasses.replace(options, time_limit_s=limit / (3 * len(years)) if limit else None)
    compiled = second = None
    if foresight == "perfect" and passes_beside(options, periods):
        myopic, second, model, compiled = both_passes(name, periods, share, options, t0)
    else:
        model = build_roadmap_model(name, periods)
        myopic = year_by_year(name, periods, share, myopic=True)
    if myopic.levels is None:
        year, failed = myopic.reports[-1]
        report = dataclasses.replace(failed, termination=f"{year}: {failed.termination}")
        return Horizon(model, report, foresight, None, myopic.reports, year)
    if foresight == "myopic":
        report = solve_fixed(model, options, myopic.levels)
        return Horizon(model, report, foresight, report.objective, myopic.reports)
    known = None
    if compiled is None or second is None:
        compiled = prepared(model, options)
        known = [with_levels_fixed(compiled, myopic.levels)]
        cost = known[0][1] if known[0] is not None else None
        second = second_pass(name, periods, compiled, share, within(options, t0), cost)
    plans = [myopic.levels]
    if second.levels is not None:
        # the years' own plans, or where a later year would close a level, those kept open
        grown = second.levels
        plans.append(grown if never_shrinks(periods, grown) else kept_open(periods, grown))
    report, costs = solve_roadmap(
        model, within(options, t0), plans, second.bound, progress, compiled, known
    )
    return Horizon(model, report, foresight, costs[0], myopic.reports)


def extract_years(horizon: Horizon, years: list[Year], scenario: str) -> list[Solution]:
    """One single-year solution per year, each with its own year's annual cost."""
    out = []
    for y in years:
        block = horizon.model.period[y.year]
        annual = float(pyo.value(block.annual_cost))
        report = dataclasses.replace(horizon.report, objective=annual, best_bound=None, gap=None)
        data, weight = y.period.data, y.period.weight * horizon.weight
        out.append(extract(block, data, y.instance, y.lanes, report, scenario, weight))
    return out


def built_by_year(horizon: Horizon) -> dict[tuple[int, str], float]:
    """(year, facility) -> build cost paid that year (undiscounted JPY)."""
    m = horizon.model
    return {(y, f): float(m.built[y, f].value or 0.0) for y, f in m.BUILDS}


def stacked_tables(solutions: list[Solution], years: list[Year], built: dict) -> dict:
    """Every table of the years stacked with a leading `year` column, roadmap.csv, the
    years' marginal values and the first year's calibration."""
    out: dict[str, pd.DataFrame] = {}
    for name in TABLE_NAMES:
        parts = [
            getattr(s, name).assign(year=y.year) for s, y in zip(solutions, years, strict=True)
        ]
        out[name] = pd.concat(parts, ignore_index=True)
    out["roadmap"] = roadmap_table(out["facilities"], built)
    if solutions[0].marginals is not None:
        parts = [s.marginals.assign(year=y.year) for s, y in zip(solutions, years, strict=True)]
        out["marginals"] = pd.concat(parts, ignore_index=True)
    if solutions[0].calibration is not None:
        out["calibration"] = solutions[0].calibration
    return out


def supply_shares(metals: pd.DataFrame) -> dict[str, float]:
    """`supply_share_<element>`: metal recovered in Japan over national demand, where the
    instance states a demand."""
    known = metals[metals["demand_t_per_yr"] > 0]
    return {
        f"supply_share_{e}": float(x)
        for e, x in zip(known["element"], known["supply_share"], strict=True)
    }


def _equivalent_annual(x: float | None, weight_sum: float) -> float | None:
    return None if x is None else x / weight_sum


def roadmap_summary(
    base: dict, horizon: Horizon, years: list[Year], solutions: list[Solution]
) -> dict:
    """summary.json of a roadmap run: `base` (the first year's, as a single-year run writes
    it) with the horizon's figures as equivalent annual costs, and the roadmap keys."""
    r = horizon.report
    weight_sum = sum(y.period.weight for y in years)
    built = built_by_year(horizon)
    by_year = {}
    for y, s in zip(years, solutions, strict=True):
        by_year[str(y.year)] = {
            "objective_jpy_per_yr": s.report.objective,
            "build_cost_jpy": sum(c for (yy, _), c in built.items() if yy == y.year),
            "kpis": {
                **dict(zip(s.kpis["term"], s.kpis["value_jpy_per_yr"], strict=True)),
                **supply_shares(s.metals),
            },
            "brief": s.brief,
        }
    myopia = None
    if (
        horizon.foresight == "perfect"
        and horizon.myopic_cost is not None
        and r.objective is not None
    ):
        myopia = max(0.0, horizon.myopic_cost - r.objective)  # the answer is never worse
    return {
        **base,
        "status": r.status.value,
        "termination": r.termination,
        "objective_jpy_per_yr": _equivalent_annual(r.objective, weight_sum),
        "best_bound_jpy_per_yr": _equivalent_annual(r.best_bound, weight_sum),
        "gap": r.gap,
        "years": [y.year for y in years],
        "foresight": horizon.foresight,
        "npv_cost_jpy": r.objective,
        "npv_bound_jpy": r.best_bound,
        "myopia_cost_jpy": myopia,
        "myopia_cost_max_jpy": (
            horizon.myopic_cost - r.best_bound
            if myopia is not None and r.best_bound is not None
            else None
        ),
        "by_year": by_year,
    }


__all__ = [
    "FORESIGHTS",
    "Horizon",
    "Year",
    "build_costs",
    "built_by_year",
    "extract_years",
    "plan_years",
    "solve_horizon",
    "stacked_tables",
]
