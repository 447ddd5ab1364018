"""The start stage: the lazy relaxation, the level search from its roundings (with a
relaxation cut short going on beside it), and the plan handed to HiGHS as its incumbent."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo

from hubnet.model.data import ModelData
from hubnet.model.start import level_facilities
from hubnet.report import Facility, Plan, Progress, SolveOptions
from hubnet.solve import search
from hubnet.solve.cuts import add_cuts, binding
from hubnet.solve.highs import Compiled, relative_gap, scaling, set_start
from hubnet.solve.moves import roundings
from hubnet.solve.portfolio import BranchAndBound, Outcome
from hubnet.solve.regions import Regions, local_columns
from hubnet.solve.relaxation import (
    Background,
    Linking,
    Relaxed,
    keep_needed_links,
    linking,
    relaxation,
    with_linked,
    without_linking,
)
from hubnet.solve.search import SearchConfig, SearchResult
from hubnet.solve.strategy import (
    STRATEGY,
    Strategy,
    beside_search,
    cost_within_gap,
    races,
    regional,
    search_budget,
    search_has_last_word,
)

#: termination text when HiGHS's branch and bound racing the search proved its plan
BESIDE_PROVED = "HiGHS's branch and bound racing the level search proved its plan within the gap"


@dataclass(frozen=True)
class _Stage:
    """What every step of one start stage reads."""

    compiled: Compiled
    options: SolveOptions
    strategy: Strategy
    links: Linking
    facilities: list[Facility]
    #: the model a plan is priced on: no linking rows, integrality relaxed
    priced: highspy.HighsModel
    #: the scaling `handoff` chose, for every LP of the relaxation and the search
    scaling: dict[str, int]
    t0: float


def mip_start(
    model: pyo.ConcreteModel,
    data: ModelData,
    compiled: Compiled,
    options: SolveOptions,
    previous: Plan | None = None,
    progress: Callable[[Progress], None] | None = None,
    search: bool = True,
    strategy: Strategy = STRATEGY,
) -> SearchResult | None:
    """Give HiGHS a first incumbent: the level search's best plan, started from roundings
    of the LP relaxation (and from `previous`, a plan solved before). With `search` off,
    only `previous`, priced as it is: where the search does not pay, a warm start costs one
    LP and HiGHS keeps all the time. Under a time limit, with a second core, a relaxation
    its share cut short goes on beside the search (`relaxation.Background`), and the search
    aims at its rising bound."""
    t0 = time.perf_counter()
    links = linking(compiled)
    stage = _Stage(
        compiled,
        options,
        strategy,
        links,
        with_linked(level_facilities(model, data, compiled.columns), links),
        without_linking(compiled, links).getModel(),
        scaling(compiled, options),
        t0,
    )
    if not search:
        return _price_previous(stage, previous)
    return _search(stage, previous, progress)


def _price_previous(stage: _Stage, previous: Plan | None) -> SearchResult | None:
    """The previous plan priced as it is, handed to HiGHS with no bound."""
    if previous is None:
        return None
    config = SearchConfig(stage.priced, stage.facilities, stage.scaling, descend=False)
    starts = [known_levels(previous, stage.facilities)]
    result = search.search_levels(
        config,
        np.zeros(len(stage.compiled.columns)),
        starts,
        stage.options.time_limit_s or math.inf,
    )
    if result is not None:
        set_start(stage.compiled, result.values, result.objective, -math.inf)
    return result


class _Bounds:
    """The search's best cost and the relaxation's bound, as the live line shows them."""

    def __init__(self, stage: _Stage, progress: Callable[[Progress], None] | None) -> None:
        self.t0, self.progress = stage.t0, progress
        self.best: float | None = None  # the search's best cost so far
        self.bound = -math.inf
        self.beside: Background | None = None
        self.bnb: BranchAndBound | None = None

    def lower(self) -> float:
        """The bound so far: it rises while a relaxation beside the search goes on."""
        latest = self.beside.latest if self.beside is not None else None
        return latest.bound if latest is not None else self.bound

    def enough(self, gap: float) -> float:
        """The cost at which the search may stop: within `gap` of the bound, or any once
        the racing branch and bound has proved its answer."""
        if self.bnb is not None and self.bnb.proved():
            return math.inf
        return cost_within_gap(self.lower(), gap)

    def report(self, lower: float) -> None:
        """The live line: told by every relaxation round and every plan the search prices."""
        if self.progress is not None:
            elapsed = time.perf_counter() - self.t0
            gap = relative_gap(self.best, lower)
            self.progress(Progress(elapsed, self.best, lower, gap))

    def told(self, _: float, cost: float) -> None:
        # two walks may report, each its own best
        self.best = cost if self.best is None else min(self.best, cost)
        self.report(self.lower())


def _relax(stage: _Stage, bounds: _Bounds) -> Relaxed | None:
    """The relaxation within its share of the time limit; under a limit, with a second core
    no branch and bound races on, one cut short goes on beside the search (`bounds.beside`)
    for the whole limit."""
    limit, share = stage.options.time_limit_s, stage.strategy.relaxation_share
    settings = {
        "options": stage.scaling,
        "links": stage.links,
        "cut_gain": stage.strategy.cut_gain * stage.options.mip_rel_gap,
        "on_round": lambda relaxed: bounds.report(relaxed.bound),
    }
    if not (limit and beside_search(stage.options)) or bounds.bnb is not None:
        seconds = share * limit if limit else stage.strategy.relaxation_s
        return relaxation(stage.compiled, seconds, **settings)
    # the whole limit: what the share leaves it, it goes on with beside the search
    beside = Background(stage.compiled, limit - (time.perf_counter() - stage.t0), **settings)
    if beside.wait(share * limit):
        return beside.stop()
    bounds.beside = beside
    return beside.latest


def _search(
    stage: _Stage, previous: Plan | None, progress: Callable[[Progress], None] | None
) -> SearchResult | None:
    """The relaxation, the level search from its roundings, and the plan handed to HiGHS."""
    bounds = _Bounds(stage, progress)
    try:
        return _search_with(stage, previous, bounds)
    finally:
        if bounds.bnb is not None:
            bounds.bnb.stop()  # also on Ctrl-C: nothing is left running (a second stop is free)


def _search_with(stage: _Stage, previous: Plan | None, bounds: _Bounds) -> SearchResult | None:
    """`_search`, with HiGHS's branch and bound racing the search where `races` says so."""
    limit, compiled = stage.options.time_limit_s, stage.compiled
    # regions re-optimised by branch and bound stand in for HiGHS's over the whole model
    by_region = regional(len(stage.facilities), stage.strategy)
    if races(stage.options, stage.facilities, by_region):
        bounds.bnb = BranchAndBound(compiled, stage.options, stage.t0 + limit)
    t_relax = time.perf_counter()
    relaxed = _relax(stage, bounds)
    relaxation_s = time.perf_counter() - t_relax
    if relaxed is not None:
        x, bounds.bound = relaxed.values, relaxed.bound
        starts = roundings(stage.facilities, x)
    else:
        # no relaxation in time (the largest instances): no bound, and the search closes
        # what does not pay from a plan with every facility open at its smallest level
        x = np.zeros(len(compiled.columns))
        starts = [{f.name: f.options[0][0] for f in stage.facilities}]
    if previous is not None:
        starts.insert(0, known_levels(previous, stage.facilities))
    budget = search_budget(stage.options, stage.strategy)
    elapsed = time.perf_counter() - stage.t0 if limit else 0.0
    last_word = search_has_last_word(
        limit, relaxed, relaxation_s, elapsed, by_region, stage.strategy
    )
    persist = last_word and stage.options.search_s is None
    if persist:
        budget = max(limit - (time.perf_counter() - stage.t0), 0.0)
    regions = None
    if by_region:
        regions = Regions(compiled.highs.getModel(), local_columns(compiled, stage.facilities))
    config = SearchConfig(
        stage.priced,
        stage.facilities,
        stage.scaling,
        persist=persist,
        regions=regions,
        on_better=bounds.bnb.offer if bounds.bnb is not None else None,
    )
    waited = relaxation_s
    try:
        result = search.search_levels(
            config,
            x,
            starts,
            budget,
            bounds.told,
            enough=lambda: bounds.enough(stage.options.mip_rel_gap),
            beside=bounds.beside,
        )
    finally:
        # also on Ctrl-C: no relaxation is left running
        if bounds.beside is not None:
            t_stop = time.perf_counter()
            relaxed = bounds.beside.stop() or relaxed
            waited += time.perf_counter() - t_stop
    if bounds.beside is not None and relaxed is not None:
        bounds.bound = relaxed.bound
    if relaxed is not None:
        keep_needed_links(compiled, stage.links, relaxed)
        add_cuts(compiled.highs, binding(relaxed.cuts, relaxed.values))
    if result is not None:
        result.relaxation = relaxed
        result.relaxation_wait_s = waited
    outcome = None
    if bounds.bnb is not None:
        done = result is not None and result.objective <= bounds.enough(stage.options.mip_rel_gap)
        if last_word and not done:
            # the search stopped with time left (its kicks met only plans priced before)
            bounds.bnb.wait(stage.t0 + limit - time.perf_counter())
        outcome = bounds.bnb.stop()
    _hand_on(compiled, result, outcome, bounds.bound, last_word)
    return result


def _hand_on(
    compiled: Compiled,
    result: SearchResult | None,
    beside: Outcome | None,
    bound: float,
    last_word: bool,
) -> None:
    """Hand HiGHS the better of the search's plan and the racing branch and bound's, with
    the higher bound; the answer as it stands where the search has the last word or the
    racing branch and bound proved its own."""
    plans = [(result.objective, result.values)] if result is not None else []
    if beside is not None:
        bound = max(bound, beside.bound)
        if beside.values is not None:
            plans.append((beside.objective, beside.values))
    if not plans:
        return
    objective, values = min(plans, key=lambda plan: plan[0])
    proved = beside is not None and beside.proved
    text = BESIDE_PROVED if proved else None
    set_start(compiled, values, objective, bound, last_word or proved, text)


def known_levels(plan: Plan, facilities: list[Facility]) -> Plan:
    """The part of a previous plan this model has: facilities and levels it knows."""
    known = {f.name: {lv for lv, _, _ in f.options} for f in facilities}
    return {f: lv for f, lv in plan.items() if lv in known.get(f, ())}
