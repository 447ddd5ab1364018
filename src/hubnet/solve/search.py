"""A primal heuristic: search facility levels, with HiGHS pricing every plan as an LP.

Once every facility's level is fixed, what is left is an LP (without the linking rows, which
capacity then implies) that HiGHS re-solves from the previous basis in a few hundredths of a
second even at municipality scale. The search starts from the best of a few roundings of the
LP relaxation and moves one facility at a time (close it, move it to a neighbouring site,
resize it, or open one), keeping any move that lowers the cost, until a whole sweep finds none.
It then kicks that plan a few moves away and descends again, keeping the best, until kicks
stop paying or the time budget is spent. On models of many facilities, where the search
goes on past the kicks' share, regions come before the kicks: HiGHS's branch and bound
chooses the levels of a hub and its neighbours at once, every other facility held at the
plan (`RegionSolver`). The branch and bound then starts from that plan; if it is already
within the requested gap of the relaxation's bound, the plan is the answer (the
relaxation's optimum is a valid lower bound).

It works on column indices of the model HiGHS holds, and never on Pyomo objects.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import highspy
import numpy as np

from hubnet.report import Facility, Plan
from hubnet.solve.highs import listen_for_cancel
from hubnet.solve.moves import apply_move, level_taking, moves, opened, roundings
from hubnet.solve.pricer import PlanPricer
from hubnet.solve.regions import REGION_RINGS, REGION_S, Regions, RegionSolver
from hubnet.solve.relaxation import Relaxed

logger = logging.getLogger(__name__)

#: a move must lower the cost by at least this share to count
MIN_IMPROVEMENT = 1e-7
#: facilities a kick moves, and kicks in a row without a better plan before the search stops
KICK_SIZE = 2
KICKS = 4
#: kicks in a row that lead only to plans priced before end the search, even where kicks
#: would go on (`_Walk.kicks_on`): a small model's plans are soon all priced
STALE_KICKS = 10


@dataclass
class SearchResult:
    plan: Plan
    objective: float
    values: np.ndarray
    evaluations: int
    improvements: int
    seconds: float
    trace: list[tuple[float, float]] = field(default_factory=list)
    #: seconds HiGHS spent pricing plans and solving regions (the rest of `seconds` is the
    #: search's own)
    lp_s: float = 0.0
    #: the relaxation the search started from (set by `start.mip_start`)
    relaxation: Relaxed | None = None
    #: seconds the run waited on the relaxation, which went on beside the search
    relaxation_wait_s: float = 0.0
    #: walks whose plans are counted (a second one starts from a relaxation beside that ended)
    walks: int = 1
    #: regions re-optimised by branch and bound (`RegionSolver`)
    regions: int = 0


class Beside(Protocol):
    """A relaxation going on beside the search (`relaxation.Background`)."""

    def running(self) -> bool:
        """Whether it is still solving."""
        ...

    def final(self) -> np.ndarray | None:
        """Its last round's values once it has ended; None before."""
        ...


@dataclass
class _Walk:
    """The search's state: the best plan so far, and what the trace and progress see."""

    price: PlanPricer
    facilities: list[Facility]
    relaxed_open: dict[str, float]
    t0: float
    deadline: float
    progress: Callable[[float, float], None] | None
    best_plan: Plan
    best: float
    best_x: np.ndarray
    trace: list[tuple[float, float]] = field(default_factory=list)
    improvements: int = 0
    max_plans: float = math.inf
    #: a cost at or below which the search is done (its plan is within the gap asked for of
    #: a bound that may rise while it runs)
    enough: Callable[[], float] = lambda: -math.inf
    #: set once any walk of the search is done for good (good enough, stopped, failed)
    halt: threading.Event = field(default_factory=threading.Event)
    #: no branch and bound follows: kick on until the budget is spent
    persist: bool = False
    #: told every better plan's values (a racing branch and bound takes them in)
    on_better: Callable[[np.ndarray], None] | None = None
    #: a relaxation going on beside the search, and what to do with its values once it ends
    beside: Beside | None = None
    on_ended: Callable[[np.ndarray], None] | None = None
    #: chooses a region's levels by branch and bound, in place of kicks while they go on
    #: past their share (`_walk`)
    regions: RegionSolver | None = None
    #: open facilities whose region has been re-optimised around the best plan as it stands
    tried: set[str] = field(default_factory=set)
    #: how many rings of neighbours a region takes in
    rings: int = 1
    by_name: dict[str, Facility] = field(init=False)
    listed_by: dict[str, set[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_name = {f.name: f for f in self.facilities}
        self.listed_by = {}
        for f in self.facilities:
            for other in f.neighbours:
                self.listed_by.setdefault(other, set()).add(f.name)

    def out_of_time(self) -> bool:
        """Done: the budget is spent, a plan is good enough, or the kicks have priced their
        share of plans (`kicks_on` lifts that)."""
        if self.best <= self.enough():
            self.halt.set()
        return (
            self.halt.is_set()
            or time.perf_counter() >= self.deadline
            or (self.price.evaluations >= self.max_plans and not self.kicks_on())
        )

    def kicks_on(self) -> bool:
        """Whether kicks go on past their share: no branch and bound follows, or a relaxation
        beside the search has yet to end (and start a walk from its roundings)."""
        return self.persist or (self.beside is not None and self.beside.running())

    def look_beside(self) -> None:
        """Hand the values of the relaxation beside, once it has ended, to `on_ended` (once:
        the walk lets go of the relaxation then)."""
        if self.beside is not None and self.on_ended is not None:
            x = self.beside.final()
            if x is not None:
                self.on_ended(x)
                self.beside = None

    def descend(
        self, plan: Plan, cost: float, focus: set[str] | None = None, once: bool = False
    ) -> None:
        """Keep every move that lowers the cost until a whole sweep keeps none. With
        `focus`, only moves of those facilities are tried (after a kick, the rest of the
        plan was already a local optimum), and every kept move widens it to the facilities
        it changed and their neighbours. With `once`, one sweep without the opens, ahead of
        regions (`_walk`)."""
        swept_clean = False
        sweeps = 1 if once else math.inf
        while not swept_clean and sweeps > 0 and not self.out_of_time():
            sweeps -= 1
            swept_clean = True
            for move in list(moves(plan, self.facilities, self.relaxed_open)):
                if self.out_of_time():
                    break
                if focus is not None and not any(name in focus for name, _ in move):
                    continue
                if once and len(move) == 1 and move[0][0] not in plan:
                    continue
                trial = apply_move(plan, move)
                if trial == plan:
                    continue
                got = self.price(trial)
                if got is not None and got < cost - MIN_IMPROVEMENT * max(abs(cost), 1.0):
                    plan, cost = trial, got
                    swept_clean = False
                    self.offer(plan, cost, self.price.values())
                    if focus is not None:
                        for name, _ in move:
                            focus |= {name, *self.by_name[name].neighbours}
                if self.progress is not None:
                    self.progress(time.perf_counter() - self.t0, self.best)
                self.look_beside()

    def offer(self, plan: Plan, cost: float, x: np.ndarray) -> None:
        if cost < self.best - MIN_IMPROVEMENT * max(abs(self.best), 1.0):
            self.best_plan, self.best, self.best_x = dict(plan), cost, x
            self.improvements += 1
            if self.on_better is not None:
                self.on_better(x)
            self.trace.append((time.perf_counter() - self.t0, cost))

    def region_of(self, centre: str) -> set[str]:
        """A facility, its neighbours and the facilities that count it as theirs; with
        `rings` 2, theirs too."""
        near = {centre}
        for _ in range(self.rings):
            near |= {
                m for n in near for m in (*self.by_name[n].neighbours, *self.listed_by.get(n, ()))
            }
        return near & self.by_name.keys()

    def next_region(self) -> str | None:
        """The open facility whose region is re-optimised next (the least opened in the
        relaxation first, as the closes go), or None once every one has been tried around
        the best plan, one ring deep and then two (REGION_RINGS)."""
        assert self.regions is not None
        while True:
            opened = sorted(
                (n for n in self.best_plan if n not in self.tried and self.regions.can_free(n)),
                key=lambda n: (self.relaxed_open.get(n, 0.0), n),
            )
            if opened or self.rings >= REGION_RINGS:
                return opened[0] if opened else None
            self.rings += 1
            self.tried = set()

    def reoptimise(self, centre: str) -> None:
        """Let the branch and bound choose the levels of `centre`'s region, the rest held at
        the best plan, and keep what it finds if the plan's LP prices it lower (reopening
        the regions that overlap what changed)."""
        assert self.regions is not None
        self.tried.add(centre)
        limit = min(REGION_S, self.deadline - time.perf_counter())
        region = self.region_of(centre)
        t0 = time.perf_counter()
        found = self.regions(self.best_plan, self.best_x, region, limit)
        got = None if found is None or found == self.best_plan else self.price(found)
        if got is not None:
            before = self.best_plan
            self.offer(found, got, self.price.values())
            self.retry_near(before)
        logger.debug(
            "region of %s (%d sites): %.2f s, cost %s, best %.6g",
            centre,
            len(region),
            time.perf_counter() - t0,
            "unchanged" if got is None else f"{got:.6g}",
            self.best,
        )

    def retry_near(self, before: Plan) -> None:
        """Once the best plan has changed from `before`, try again the regions that overlap
        what changed."""
        changed = {
            n
            for n in before.keys() | self.best_plan.keys()
            if before.get(n) != self.best_plan.get(n)
        }
        if changed:
            self.tried = {c for c in self.tried if not (self.region_of(c) & changed)}

    def kick(self, plan: Plan, rng: random.Random) -> tuple[Plan, set[str]]:
        """A plan a few moves away, and the facilities it touched with their neighbours:
        close two open facilities and open a neighbour of each at the level the closed one
        had (a jump the one-move descent cannot make)."""
        by_name = self.by_name
        movable = sorted(n for n in plan if not by_name[n].must_open)
        trial = dict(plan)
        touched: set[str] = set()
        for name in rng.sample(movable, min(KICK_SIZE, len(movable))):
            level = trial.pop(name)
            touched |= {name, *by_name[name].neighbours}
            free = [g for g in by_name[name].neighbours if g not in trial and g in by_name]
            if free:
                other = by_name[rng.choice(free)]
                trial[other.name] = level_taking(other, by_name[name], level)
                touched |= {other.name, *other.neighbours}
        return trial, touched


class _SecondWalk:
    """A walk in a thread of its own, on the core a relaxation that ended beside the search
    leaves; `run` walks with the pricer `new_price` makes there."""

    def __init__(
        self, new_price: Callable[[], PlanPricer], run: Callable[[PlanPricer], _Walk | None]
    ) -> None:
        self.price: PlanPricer | None = None
        self.walk: _Walk | None = None
        self.error: BaseException | None = None

        def target() -> None:
            try:
                self.price = new_price()
                self.walk = run(self.price)
            except BaseException as exc:  # raised by `search_levels` once the first walk ends
                self.error = exc

        # a plain thread: its LPs are short, or cancelled by `finish`, and `halt` ends it
        self.thread = threading.Thread(target=target, name="hubnet-second-walk")
        self.thread.start()

    def finish(self, cancel: bool) -> float:
        """Wait for the walk to end, cancelling its LP under way first if `cancel` (the
        search is over); the seconds waited."""
        if cancel and self.price is not None:
            self.price.h.cancelSolve()
        t0 = time.perf_counter()
        self.thread.join()
        return time.perf_counter() - t0


@dataclass(frozen=True)
class SearchConfig:
    """What a level search keeps for the whole run; `search_levels` takes what changes."""

    #: the model a plan is priced on (integrality is relaxed; the linking rows may be gone)
    model: highspy.HighsModel
    facilities: list[Facility]
    #: HiGHS options for every LP and region (e.g. the scaling `handoff` chose)
    highs_options: Mapping[str, object] = field(default_factory=dict)
    #: kicks are drawn from it: the same instance and seed give the same plan
    seed: int = 0
    #: off: only price the starts and return the best
    descend: bool = True
    #: no branch and bound follows: kick on until the budget is spent
    persist: bool = False
    #: re-optimise regions by branch and bound (None: kicks alone)
    regions: Regions | None = None
    #: told every better plan's values (a racing branch and bound takes them in)
    on_better: Callable[[np.ndarray], None] | None = None


@dataclass(frozen=True)
class _Run:
    """What every walk of one search shares."""

    config: SearchConfig
    t0: float
    deadline: float
    progress: Callable[[float, float], None] | None
    enough: Callable[[], float]
    #: set once any walk is done for good (good enough, stopped, failed)
    halt: threading.Event


def search_levels(
    config: SearchConfig,
    relaxed: np.ndarray,
    starts: list[Plan],
    budget_s: float,
    progress: Callable[[float, float], None] | None = None,
    enough: float | Callable[[], float] = -math.inf,
    beside: Beside | None = None,
) -> SearchResult | None:
    """The best plan found from `starts` within the budget (`relaxed`, the relaxation's
    values, orders the moves); `progress(seconds, best cost)` is told after every plan.

    It descends from the best start to a plan no single move improves, then kicks that plan
    (`_Walk.kick`) and descends again, keeping the best, until KICKS kicks in a row have
    found nothing better, as many plans again as the first descent have been priced, or the
    budget is spent. Kicks are drawn from `seed`: the same instance and seed give the same
    plan whenever the time budget does not cut the search short. It stops at once when a
    plan costs `enough` or less (within the gap asked for of the relaxation's bound; a
    function, when that bound rises while the search runs). With `config.persist` (no branch and
    bound follows) it kicks on until the budget is spent, the plan is good enough, or
    STALE_KICKS kicks in a row have met only plans priced before.

    With `beside`, a relaxation going on beside the search, it kicks on while that runs;
    once it ends, a second walk starts from its roundings in a thread of its own (on the
    core the relaxation leaves), while this one goes on: a relaxation cut short rounds to
    plans far from the complete one's, and neither start is reliably the better (on the
    generated 1,700 x 150 instance walks from the 19th and 20th rounds' roundings were not
    within 0.5 % of the final bound in 30 s, from the 21st to the 24th and last in 0.9-5.6
    s). Both stop when either is good enough; the better plan is the answer.

    With `config.regions` (the model with its linking rows and integer levels, and the
    columns each facility frees), the walk spends the time
    kicks go on past their share re-optimising regions by branch and bound
    (`RegionSolver`), an open facility's at a time, and kicks only once every region has
    been tried around the best plan; no second walk starts. A region cut short by its time
    limit (`REGION_S`) makes the plan depend on the machine's speed.

    With `config.descend` off it only prices the starts and returns the best.
    """
    t0 = time.perf_counter()
    good = enough if callable(enough) else lambda: enough
    run = _Run(config, t0, t0 + budget_s, progress, good, threading.Event())
    options = dict(config.highs_options)
    second: _SecondWalk | None = None
    regions = None
    if config.regions is not None:
        regions = RegionSolver(
            config.regions.whole, config.facilities, config.regions.local, options
        )

    def second_price() -> PlanPricer:
        # its first LPs are cold (seconds each at 5,000 x 300): none runs past the budget,
        # and the one under way is cancelled when the search is over
        price = PlanPricer(config.model, config.facilities, options)
        price.deadline = run.deadline
        listen_for_cancel(price.h)
        return price

    def on_ended(x: np.ndarray) -> None:
        nonlocal second
        second = _SecondWalk(
            second_price,
            lambda price: _walk(run, price, x, roundings(config.facilities, x), config.seed + 1),
        )

    waited = 0.0
    try:
        main = _walk(
            run,
            PlanPricer(config.model, config.facilities, options),
            relaxed,
            starts,
            seed=config.seed,
            beside=beside,
            # with regions no second walk: its descent would take a core from the regions'
            # branch and bound (generated 1,700 x 150 at 60 s, two runs each: seed 2 0.61 %
            # against 0.63-0.69 %, seed 3 0.44 % in 57.7 s against 0.44-0.48 % in 59.4-60.3 s)
            on_ended=on_ended if regions is None else None,
            regions=regions,
        )
    except BaseException:
        run.halt.set()  # Ctrl-C or a failure: the second walk stops too
        raise
    finally:
        if second is not None:
            over = run.halt.is_set() or time.perf_counter() >= run.deadline
            waited = second.finish(cancel=over)
    if second is not None and second.error is not None:
        raise second.error
    if main is None:
        return None  # no start could be priced (and so no second walk began)
    walks = [main] if second is None or second.walk is None else [main, second.walk]
    # the second walk's HiGHS time overlaps the first's, but for the wait at the end; a
    # region's branch and bound is HiGHS's time too
    lp_s = main.price.lp_s + (regions.seconds if regions is not None else 0.0) + waited
    return _result(walks, t0, lp_s, regions.solves if regions is not None else 0)


def _result(walks: list[_Walk], t0: float, lp_s: float, solved: int) -> SearchResult:
    """The best walk's plan, with the counts of every walk (logged)."""
    best = min(walks, key=lambda w: w.best)
    seconds = time.perf_counter() - t0
    trace: list[tuple[float, float]] = []
    for at, cost in sorted(p for w in walks for p in w.trace):
        if not trace or cost < trace[-1][1]:
            trace.append((at, cost))
    evaluations = sum(w.price.evaluations for w in walks)
    logger.info(
        "level search: %d plans priced (%d walks), %d regions, %d improvements, %.1f s, cost %.6g",
        evaluations,
        len(walks),
        solved,
        sum(w.improvements for w in walks),
        seconds,
        best.best,
    )
    return SearchResult(
        best.best_plan,
        best.best,
        best.best_x,
        evaluations,
        sum(w.improvements for w in walks),
        seconds,
        trace,
        lp_s,
        walks=len(walks),
        regions=solved,
    )


def _walk(
    run: _Run,
    price: PlanPricer,
    relaxed: np.ndarray,
    starts: list[Plan],
    seed: int,
    beside: Beside | None = None,
    on_ended: Callable[[np.ndarray], None] | None = None,
    regions: RegionSolver | None = None,
) -> _Walk | None:
    """One walk of `search_levels`: the best start, a descent from it, then kicks."""
    best_plan, best, best_x = None, np.inf, None
    for plan in starts:
        if run.halt.is_set():
            break
        cost = price(plan, run.deadline - time.perf_counter())
        if cost is not None and cost < best:
            best_plan, best, best_x = dict(plan), cost, price.values()
    if best_plan is None:
        return None
    facilities = run.config.facilities
    walk = _Walk(
        price,
        facilities,
        opened(facilities, relaxed),
        run.t0,
        run.deadline,
        run.progress,
        best_plan,
        best,
        best_x,
        enough=run.enough,
        halt=run.halt,
        persist=run.config.persist,
        on_better=run.config.on_better,
        beside=beside,
        on_ended=on_ended,
        regions=regions,
    )
    walk.trace.append((time.perf_counter() - run.t0, best))
    if walk.on_better is not None:
        walk.on_better(best_x)
    if not run.config.descend:
        return walk
    # where regions follow, one sweep without the opens: a region's branch and bound makes
    # every move of its sites at once (opening them too), where a sweep that confirms a plan
    # prices every move anew; the whole descent comes once the regions are done
    confirmed = regions is None or not walk.kicks_on()
    walk.descend(best_plan, best, once=not confirmed)
    # kicks may price as many plans again as the first descent did: where it was quick the
    # branch and bound makes better use of the time (on japan-municipal twelve idle kicks
    # cost 80 s); counting plans, not seconds, keeps the result the same run after run
    walk.max_plans = 2 * price.evaluations
    rng = random.Random(seed)
    idle = stale = 0
    while (idle < KICKS or walk.kicks_on()) and stale < STALE_KICKS and not walk.out_of_time():
        centre = walk.next_region() if walk.regions is not None and walk.kicks_on() else None
        if centre is not None:
            # a region changes many sites at once, where a kick moves two: on the generated
            # 1,700 x 150 instance (seed 2) a walk from the complete relaxation was within
            # 0.5 % of its bound after 72 s with regions; with kicks alone, at 0.565 % after
            # 240 s
            walk.reoptimise(centre)
            walk.look_beside()
            continue
        if not confirmed:
            # regions are done (or stopped): no single move anywhere may improve the plan
            # before kicks start from it
            confirmed = True
            plan_before = walk.best_plan
            walk.descend(walk.best_plan, walk.best)
            walk.retry_near(plan_before)
            continue
        plan_before = walk.best_plan
        before, priced = walk.best, price.evaluations
        trial, touched = walk.kick(walk.best_plan, rng)
        got = price(trial)
        walk.look_beside()
        if got is not None:
            walk.offer(trial, got, price.values())
            walk.descend(trial, got, touched)
        if walk.best < before:
            # a better plan: make sure no single move anywhere improves it further
            walk.descend(walk.best_plan, walk.best)
            if walk.regions is not None:
                walk.retry_near(plan_before)
            idle = 0
        else:
            idle += 1
        stale = stale + 1 if price.evaluations == priced else 0
    return walk
