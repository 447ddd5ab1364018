"""The level search: it improves a plan move by move, prices plans reliably, and its plan is
the answer (without a branch and bound) when it is within the gap of the relaxation's bound."""

from __future__ import annotations

import dataclasses
import math
import threading
import time

import numpy as np
import pytest
from builders import write_instance

import hubnet.solve.highs as highs
import hubnet.solve.moves as plan_moves
import hubnet.solve.pricer as pricer
import hubnet.solve.relaxation as lazy
import hubnet.solve.search as search
import hubnet.solve.start as start_stage
import hubnet.solve.strategy as strategy
from hubnet.errors import InputError
from hubnet.export.tables import previous_plan
from hubnet.generate import generate
from hubnet.model.start import level_facilities
from hubnet.report import Facility, SolveOptions, Status
from hubnet.run import RunOptions, Timer, build, prepare, run_one
from hubnet.solve import solve_model
from hubnet.solve.highs import (
    START_FINAL,
    START_WITHIN_GAP,
    branch_and_bound,
    handoff,
    relative_gap,
)
from hubnet.solve.moves import roundings
from hubnet.solve.pricer import PlanPricer
from hubnet.solve.regions import LocalColumns, Regions, RegionSolver, local_columns
from hubnet.solve.relaxation import linking, relaxation, with_linked, without_linking
from hubnet.solve.search import SearchConfig
from hubnet.solve.start import mip_start
from hubnet.solve.strategy import (
    STRATEGY,
    Strategy,
    cost_within_gap,
    remaining,
    search_has_last_word,
    wants_start,
)

START_MIN_GAP = STRATEGY.start_min_gap


def _relaxation_is(monkeypatch, relaxation) -> None:  # noqa: ANN001
    """Put `relaxation` in place of the real one, in the start stage and in its thread."""
    monkeypatch.setattr(start_stage, "relaxation", relaxation)
    monkeypatch.setattr(lazy, "relaxation", relaxation)


def _site(id_, kind):
    return {"id": id_, "name": id_, "kind": kind, "lat": 35.0, "lon": 135.0}


def _three_hubs() -> dict:
    """Two sources of 100 t of gold-bearing PCB (1,000 JPY/t), three candidate hubs of one
    level (300 t, 30,000 JPY/yr). A is free from S1, B free from S2, C costs 50 JPY/t from
    both. By hand:
      {A, B, C}: 200,000 - 3 x 30,000             -> cost -110,000
      {A, B}:    200,000 - 2 x 30,000             -> cost -140,000
      {B, C}:    200,000 - 2 x 30,000 - 100 x 50  -> cost -135,000
      {C}:       200,000 - 30,000 - 200 x 50      -> cost -160,000 (the optimum)
    """
    hubs = ["A", "B", "C"]
    return {
        "sites": [_site("S1", "source"), _site("S2", "source")]
        + [_site(h, "hub") for h in hubs]
        + [_site("M", "smelter")],
        "commodities": [{"id": "pcb", "name": "PCB", "hub_yield_share": 1.0}],
        "elements": [{"id": "Au", "name": "Gold", "price_jpy_per_kg": 10000}],
        "contents": [{"commodity": "pcb", "element": "Au", "content_g_per_t": 100}],
        "supply": [
            {"site": s, "commodity": "pcb", "generation_t_per_yr": 100} for s in ("S1", "S2")
        ],
        "facilities": [
            {"site": h, "role": "hub", "processing_cost_jpy_per_t": 0, "accepts": "pcb"}
            for h in hubs
        ]
        + [
            {
                "site": "M",
                "role": "smelter",
                "existing_capacity_t_per_yr": 1000,
                "processing_cost_jpy_per_t": 0,
                "accepts": "pcb",
            }
        ],
        "capacity_levels": [
            {"facility": h, "level": "L", "capacity_t_per_yr": 300, "fixed_cost_jpy_per_yr": 30000}
            for h in hubs
        ],
        "recovery": [{"facility": "M", "element": "Au", "recovery_share": 1.0}],
        "lanes": [
            {"origin": "S1", "destination": "A", "cost_jpy_per_t": 0},
            {"origin": "S2", "destination": "B", "cost_jpy_per_t": 0},
            {"origin": "S1", "destination": "C", "cost_jpy_per_t": 50},
            {"origin": "S2", "destination": "C", "cost_jpy_per_t": 50},
        ]
        + [{"origin": h, "destination": "M", "cost_jpy_per_t": 0} for h in hubs],
    }


@pytest.fixture
def three_hubs(tmp_path):
    folder = write_instance(tmp_path / "three", _three_hubs())
    instance, _ = prepare(folder)
    model, data, _ = build(instance, Timer())
    compiled = handoff(model, SolveOptions())
    facilities = level_facilities(model, data, compiled.columns)
    return folder, compiled, facilities


def test_search_walks_from_every_hub_open_to_the_optimum(three_hubs):
    _, compiled, facilities = three_hubs
    nothing = np.zeros(len(compiled.columns))
    result = search.search_levels(
        SearchConfig(compiled.highs.getModel(), facilities),
        nothing,
        starts=[{"A": "L", "B": "L", "C": "L"}],
        budget_s=30.0,
    )
    assert result.plan == {"C": "L"}
    assert result.objective == pytest.approx(-160000.0, abs=1e-6)
    # -110,000 -> -135,000 ({B, C}) -> -160,000: two improving moves
    assert [round(cost) for _, cost in result.trace] == [-110000, -135000, -160000]


@pytest.mark.parametrize("rising", [False, True], ids=["fixed", "rising"])
def test_search_stops_once_its_plan_is_good_enough(three_hubs, rising):
    """Told that -135,000 is within the gap, the walk stops at {B, C}, one move short of
    the optimum. `enough` may be a function, read as the search goes: rising, it is -135,000
    only once a plan has been reported."""
    _, compiled, facilities = three_hubs
    told = []
    result = search.search_levels(
        SearchConfig(compiled.highs.getModel(), facilities),
        np.zeros(len(compiled.columns)),
        starts=[{"A": "L", "B": "L", "C": "L"}],
        budget_s=30.0,
        progress=lambda _, best: told.append(best),
        enough=(lambda: -135000.0 if told else -math.inf) if rising else -135000.0,
    )
    assert [round(cost) for _, cost in result.trace] == [-110000, -135000]
    assert result.plan == {"B": "L", "C": "L"}


def _column_of(facilities, name: str) -> int:  # noqa: ANN001
    return next(col for f in facilities if f.name == name for _, _, col in f.options)


def _from_a_and_b(three_hubs, persist: bool = False, **kwargs):  # noqa: ANN001, ANN003, ANN202
    """The search on three hubs from {A, B}, a local optimum (-140,000: no single move
    improves it) that a kick leaves for {C} (-160,000)."""
    _, compiled, facilities = three_hubs
    return search.search_levels(
        SearchConfig(compiled.highs.getModel(), facilities, persist=persist),
        np.zeros(len(compiled.columns)),
        starts=[{"A": "L", "B": "L"}],
        budget_s=60.0,
        **kwargs,
    )


def test_kicks_go_on_where_no_branch_and_bound_follows(three_hubs, monkeypatch):
    """With no kick allowed the walk stops at {A, B}; with `persist` it kicks on until every
    plan it meets has been priced before, then stops well inside its budget."""
    monkeypatch.setattr(search, "KICKS", 0)
    runs = {persist: _from_a_and_b(three_hubs, persist=persist) for persist in (False, True)}
    assert runs[False].objective == pytest.approx(-140000.0, abs=1e-6)
    assert runs[True].plan == {"C": "L"}
    assert runs[True].objective == pytest.approx(-160000.0, abs=1e-6)
    # three hubs of one level: 8 plans, none priced twice
    assert runs[True].evaluations <= 8
    assert runs[True].seconds < 30.0


class _EndsLater:
    """A relaxation beside the search that ends once asked `after` times, with values `x`."""

    def __init__(self, x: np.ndarray, after: int) -> None:
        self.x, self.left, self.given = x, after, 0

    def running(self) -> bool:
        return self.left > 0

    def final(self) -> np.ndarray | None:
        if self.left > 0:
            self.left -= 1
            return None
        self.given += 1
        return self.x


def test_a_walk_starts_from_the_relaxation_beside_once_it_ends(three_hubs, monkeypatch):
    """Stuck at {A, B} (kicks change nothing here), the search kicks on while the relaxation
    beside runs; once it ends, a second walk starts from its roundings ({C}, the optimum),
    and its plan is the answer."""
    _, compiled, facilities = three_hubs
    monkeypatch.setattr(search, "KICKS", 0)
    monkeypatch.setattr(search, "KICK_SIZE", 0)
    x = np.zeros(len(compiled.columns))
    x[_column_of(facilities, "C")] = 1.0
    assert _from_a_and_b(three_hubs).plan == {"A": "L", "B": "L"}
    ended = _EndsLater(x, after=3)
    result = _from_a_and_b(three_hubs, beside=ended)
    assert ended.given == 1  # one second walk, however long the first goes on
    assert result.plan == {"C": "L"}
    assert result.objective == pytest.approx(-160000.0, abs=1e-6)
    assert [round(c) for _, c in result.trace] == [-140000, -160000]


def test_a_relaxation_cut_short_goes_on_beside_the_search(tmp_path, monkeypatch):
    """With a time limit and two cores, a relaxation its time share cut short goes on beside
    the level search (here the share is nil, so the search starts before any round, from a
    previous plan): the
    search sees its bound rise, and the run ends with the bound the relaxation reaches
    alone. Without it there would be no bound at all."""
    folder = generate(tmp_path / "g", sources=30, hubs=6, commodities=2, origins=3, seed=5)
    instance, _ = prepare(folder)
    model, data, _ = build(instance, Timer())
    options = SolveOptions(mip_rel_gap=0.005, time_limit_s=120.0, threads=2)
    compiled = handoff(model, options)
    scaling = dict(zip(("user_objective_scale", "user_bound_scale"), compiled.scale, strict=True))
    alone = relaxation(compiled, 60.0, scaling, cut_gain=STRATEGY.cut_gain * options.mip_rel_gap)
    target = cost_within_gap(alone.bound, options.mip_rel_gap)
    # with no round in, the search starts from a previous plan (a run without a limit)
    previous = mip_start(model, data, handoff(model, options), SolveOptions(mip_rel_gap=0.005))
    monkeypatch.setattr(strategy.os, "cpu_count", lambda: 2)
    real = search.search_levels
    seen = []
    started = threading.Event()

    def hold(_) -> None:  # noqa: ANN001
        # the relaxation (reporting from its own thread) waits after its first round until
        # the search has started, so that the search sees the bound rise
        if threading.current_thread() is not threading.main_thread():
            started.wait(30.0)

    def patient(*args, enough, **kwargs):  # noqa: ANN002, ANN003, ANN202
        # wait (at most 30 s) for the relaxation beside to reach its end
        seen.append(enough())
        started.set()
        deadline = time.monotonic() + 30.0
        while enough() != pytest.approx(target, rel=1e-9) and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append(enough())
        return real(*args, enough=enough, **kwargs)

    monkeypatch.setattr(search, "search_levels", patient)
    no_share = Strategy(relaxation_share=0.0)
    result = mip_start(
        model, data, compiled, options, previous=previous.plan, progress=hold, strategy=no_share
    )
    # what the search aims at rose, while it ran, to the relaxation's final bound
    assert seen[0] < target
    assert seen[-1] == pytest.approx(target, rel=1e-9)
    assert result.relaxation.complete
    assert result.relaxation.bound == pytest.approx(alone.bound, rel=1e-9)
    assert result.relaxation.cut_rounds == alone.cut_rounds


def test_the_cost_within_the_gap_has_exactly_that_gap():
    for bound in (-160000.0, 2.5e9):
        cost = cost_within_gap(bound, 0.005)
        assert cost > bound
        assert relative_gap(cost, bound) == pytest.approx(0.999 * 0.005, rel=1e-9)
    assert cost_within_gap(-math.inf, 0.005) == -math.inf


def test_neighbours_are_the_hubs_sharing_sources(three_hubs):
    """A and B each share one source with C; C shares one with each (a tie, by id)."""
    _, _, facilities = three_hubs
    assert {f.name: f.neighbours for f in facilities} == {
        "A": ("C",),
        "B": ("C",),
        "C": ("A", "B"),
    }


def test_moves_close_and_merge_before_they_resize_or_open():
    """Plan {A: small, B: large} of three two-level hubs, each the others' neighbour, C
    opened 0.3 by the relaxation, A 0.6, B 0.9. Listed by hand in the order the search
    tries them: closes (least opened first), moves to a neighbour, closes while an open
    neighbour grows (A can grow, B is at its largest), resizes, then opens."""
    two = (("small", 100.0, 0), ("large", 300.0, 1))
    facilities = [
        Facility(name, two, neighbours=tuple(n for n in "ABC" if n != name)) for name in "ABC"
    ]
    moves = list(
        plan_moves.moves({"A": "small", "B": "large"}, facilities, {"A": 0.6, "B": 0.9, "C": 0.3})
    )
    assert moves == [
        (("A", None),),
        (("B", None),),
        (("A", None), ("C", "small")),
        (("B", None), ("C", "large")),
        (("B", None), ("A", "large")),
        (("A", "large"),),
        (("B", "small"),),
        (("C", "small"),),
        (("C", "large"),),
    ]


def test_a_resize_tries_a_level_down_before_a_level_up():
    """A lone three-level hub at its middle level: close it, then shrink, then grow; at
    either end only the one resize there is."""
    three = (("small", 100.0, 0), ("medium", 200.0, 1), ("large", 300.0, 2))
    hub = [Facility("H", three)]
    assert list(plan_moves.moves({"H": "medium"}, hub, {})) == [
        (("H", None),),
        (("H", "small"),),
        (("H", "large"),),
    ]
    assert list(plan_moves.moves({"H": "small"}, hub, {}))[1:] == [(("H", "medium"),)]
    assert list(plan_moves.moves({"H": "large"}, hub, {}))[1:] == [(("H", "medium"),)]


def test_pricer_gives_every_plan_its_own_time_limit(three_hubs, monkeypatch):
    """HiGHS counts `time_limit` over an instance's life: unless it is moved on per plan,
    every plan priced after the first EVAL_LIMIT_S seconds comes back unsolved."""
    _, compiled, facilities = three_hubs
    monkeypatch.setattr(pricer, "EVAL_LIMIT_S", 0.02)
    price = PlanPricer(compiled.highs.getModel(), facilities, {})
    plans = [({"C": "L"}, -160000.0), ({"A": "L", "B": "L"}, -140000.0), ({}, 0.0)]
    while price.h.getRunTime() < 0.1 or price.evaluations < 9:
        for plan, cost in plans:
            price.seen.clear()  # priced again, not recalled
            assert price(plan) == pytest.approx(cost, abs=1e-6)
            # the limit HiGHS checked was this plan's start plus its own allowance
            assert price.h.getOptionValue("time_limit")[1] > price.h.getRunTime() - 0.02


def test_a_second_walks_plans_get_no_time_past_its_deadline(three_hubs):
    """A second walk's pricer never lets an LP run past the search's budget: with 0.5 s of
    it left, HiGHS is given at most that, not EVAL_LIMIT_S (20 s)."""
    _, compiled, facilities = three_hubs
    price = PlanPricer(compiled.highs.getModel(), facilities, {})
    price.deadline = time.perf_counter() + 0.5
    assert price({"C": "L"}) == pytest.approx(-160000.0, abs=1e-6)
    assert price.h.getOptionValue("time_limit")[1] <= price.h.getRunTime() + 0.5


def test_plan_within_gap_of_the_bound_is_the_answer(three_hubs):
    folder, _, _ = three_hubs
    loose = SolveOptions(mip_rel_gap=START_MIN_GAP)
    rec = run_one(folder, options=RunOptions(solve=loose, write=False, maps=False))
    assert rec.violations == []
    assert rec.report.termination == START_WITHIN_GAP
    assert rec.objective == pytest.approx(-160000.0, abs=1e-6)
    assert rec.best_bound <= -160000.0 + 1e-6


def test_search_runs_only_where_it_pays(three_hubs):
    """A tight gap on a small model goes straight to HiGHS; a loose gap or a warm start
    runs the search."""
    _, compiled, _ = three_hubs
    tight = SolveOptions(mip_rel_gap=1e-4)
    assert not wants_start(tight, compiled, warm=False)
    assert wants_start(SolveOptions(mip_rel_gap=0.005), compiled, warm=False)
    assert wants_start(tight, compiled, warm=True)


def test_time_limit_covers_the_search_and_the_branch_and_bound():
    assert remaining(SolveOptions(time_limit_s=30.0), 12.0).time_limit_s == pytest.approx(18.0)
    assert remaining(SolveOptions(time_limit_s=30.0), None).time_limit_s == 30.0
    assert remaining(SolveOptions(), 12.0).time_limit_s is None


def test_warm_start_reads_the_open_levels_of_a_results_folder(tmp_path):
    rec = run_one(
        write_instance(tmp_path / "inst", _three_hubs()),
        options=RunOptions(maps=False, out_dir=tmp_path / "base"),
    )
    assert previous_plan(rec.result_dir) == {"C": "L"}
    warm = run_one(
        tmp_path / "inst",
        options=RunOptions(maps=False, out_dir=tmp_path / "warm", warm_start=rec.result_dir),
    )
    assert warm.objective == pytest.approx(-160000.0, abs=1e-6)


def test_warm_start_from_a_folder_without_results_names_the_file(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError) as err:
        previous_plan(tmp_path / "empty")
    assert "facilities.csv" in str(err.value)


def test_without_a_relaxation_the_search_closes_what_does_not_pay(tmp_path, monkeypatch):
    """When the relaxation does not finish in time, the search starts from every hub open
    ({A, B, C}, -110,000) and closes its way to {C} (-160,000), with no bound to stop at."""
    _relaxation_is(monkeypatch, lambda compiled, *args, **kw: None)
    instance, _ = prepare(write_instance(tmp_path / "three", _three_hubs()))
    model, data, _ = build(instance, Timer())
    compiled = handoff(model, SolveOptions())
    result = mip_start(model, data, compiled, SolveOptions())
    assert result.plan == {"C": "L"}
    assert round(result.trace[0][1]) == -110000
    assert result.objective == pytest.approx(-160000.0, abs=1e-6)
    assert compiled.start.bound == -math.inf


def test_a_warm_plan_is_where_the_search_starts(tmp_path, monkeypatch):
    """With the relaxation gone, the cold search starts at every hub open (-110,000); given
    the previous plan {C} it starts there (-160,000) and has nothing left to improve."""
    _relaxation_is(monkeypatch, lambda compiled, *args, **kw: None)
    instance, _ = prepare(write_instance(tmp_path / "three", _three_hubs()))
    model, data, _ = build(instance, Timer())
    compiled = handoff(model, SolveOptions())
    result = mip_start(model, data, compiled, SolveOptions(), previous={"C": "L"})
    assert [round(cost) for _, cost in result.trace] == [-160000]
    assert result.improvements == 0


def test_where_the_search_does_not_pay_a_warm_start_is_the_previous_plan_priced(tmp_path):
    """At a tight gap on a small model the warm start costs one LP: the previous plan
    {A, B} (-140,000, worse than {C}) is priced and handed over as it is, not improved,
    and without a relaxation there is no bound to stop at."""
    instance, _ = prepare(write_instance(tmp_path / "three", _three_hubs()))
    model, data, _ = build(instance, Timer())
    compiled = handoff(model, SolveOptions())
    result = mip_start(
        model, data, compiled, SolveOptions(), previous={"A": "L", "B": "L"}, search=False
    )
    assert result.plan == {"A": "L", "B": "L"}
    assert result.objective == pytest.approx(-140000.0, abs=1e-6)
    assert result.evaluations == 1
    assert compiled.start.bound == -math.inf
    assert mip_start(model, data, compiled, SolveOptions(), search=False) is None


def test_a_stopped_branch_and_bound_keeps_the_search_plan(three_hubs, monkeypatch):
    """If HiGHS stops before it reports any solution, the plan the search handed it is the
    answer (feasible), not "no solution". No relaxation here, so no bound to stop at."""
    folder, _, _ = three_hubs
    _relaxation_is(monkeypatch, lambda compiled, *args, **kw: None)
    monkeypatch.setattr(highs, "run_highs", lambda compiled, progress=None: None)
    loose = SolveOptions(mip_rel_gap=START_MIN_GAP)
    rec = run_one(folder, options=RunOptions(solve=loose, write=False, maps=False))
    assert rec.status == "feasible"
    assert rec.objective == pytest.approx(-160000.0, abs=1e-6)
    assert rec.violations == []


def test_single_sourcing_is_left_to_the_branch_and_bound(tmp_path):
    """The search prices a plan as an LP, which would split a source over two hubs. By
    hand: S1 (200 t, 1,000 JPY/t of gold) may use one hub; A and B (one level of 100 t,
    30,000 JPY/yr each) are free from it. Split over both: -200,000 + 60,000 = -140,000.
    One hub: -100,000 + 30,000 = -70,000, the optimum."""
    tables = _three_hubs()
    tables["sites"] = [s for s in tables["sites"] if s["id"] not in ("C", "S2")]
    tables["supply"] = [{"site": "S1", "commodity": "pcb", "generation_t_per_yr": 200}]
    tables["facilities"] = [f for f in tables["facilities"] if f["site"] != "C"]
    tables["capacity_levels"] = [
        {"facility": h, "level": "L", "capacity_t_per_yr": 100, "fixed_cost_jpy_per_yr": 30000}
        for h in ("A", "B")
    ]
    tables["lanes"] = [{"origin": "S1", "destination": h, "cost_jpy_per_t": 0} for h in "AB"]
    tables["lanes"] += [{"origin": h, "destination": "M", "cost_jpy_per_t": 0} for h in "AB"]
    folder = write_instance(tmp_path / "single", tables, {"policy": {"single_sourcing": True}})
    instance, _ = prepare(folder)
    model, _, _ = build(instance, Timer())
    loose = RunOptions(solve=SolveOptions(mip_rel_gap=0.01), write=False, maps=False)
    assert not wants_start(loose.solve, handoff(model, SolveOptions()), warm=False)
    rec = run_one(folder, options=loose)
    assert rec.violations == []
    assert rec.objective == pytest.approx(-70000.0, abs=1e-6)


def _no_branching(compiled, progress=None):  # noqa: ANN001, ANN202
    raise AssertionError("the branch and bound ran")


def _run_without_branching(folder, monkeypatch, relaxation, limit_s: float):  # noqa: ANN001, ANN202
    """run_one on three hubs with `relaxation` in place of the real one and the branch and
    bound forbidden: the search's plan is the answer, feasible, the hand-worked optimum."""
    _relaxation_is(monkeypatch, relaxation)
    monkeypatch.setattr(highs, "run_highs", _no_branching)
    limited = SolveOptions(mip_rel_gap=START_MIN_GAP, time_limit_s=limit_s)
    rec = run_one(folder, options=RunOptions(solve=limited, write=False, maps=False))
    assert rec.status == "feasible"
    assert rec.report.termination == START_FINAL
    assert rec.objective == pytest.approx(-160000.0, abs=1e-6)
    assert rec.violations == []
    return rec


def test_without_a_relaxation_in_time_the_search_has_the_last_word(three_hubs, monkeypatch):
    """A branch and bound would start by solving the relaxation that did not finish: with a
    time limit, the search's plan is the answer, feasible, and HiGHS never branches."""
    folder, _, _ = three_hubs
    rec = _run_without_branching(folder, monkeypatch, lambda compiled, *a, **kw: None, 60.0)
    assert rec.best_bound is None


def test_a_relaxation_that_leaves_too_little_time_gives_the_search_the_last_word(
    three_hubs, monkeypatch
):
    """Complete but slow: with less than `Strategy.root_factor` times its time left, HiGHS's
    own root LP would not finish either, so the search's plan is the answer, with the
    relaxation's bound. The relaxation's bound is weakened here (still a valid bound), so
    that the plan is not within the gap and, without the rule, a branch and bound would run."""
    real = start_stage.relaxation

    def slow_and_weak(*args, **kw):  # noqa: ANN002, ANN003, ANN202
        relaxed = real(*args, **kw)
        time.sleep(1.0)
        return dataclasses.replace(relaxed, bound=relaxed.bound - 50000.0)

    folder, _, _ = three_hubs
    rec = _run_without_branching(folder, monkeypatch, slow_and_weak, 2.5)
    # the LP relaxation of this instance is tight (see _three_hubs): -160,000, less 50,000
    assert rec.best_bound == pytest.approx(-210000.0, abs=1e-3)


def test_last_word_arithmetic():
    done = dataclasses.make_dataclass("R", [("complete", bool)])
    assert not search_has_last_word(None, None, 100.0, 100.0)
    assert search_has_last_word(60.0, None, 15.0, 15.0)
    assert search_has_last_word(60.0, done(False), 15.0, 15.0)
    # 29 s of relaxation, 31 s left: HiGHS's root would need more than 58
    assert search_has_last_word(60.0, done(True), 29.0, 29.0)
    assert not search_has_last_word(600.0, done(True), 29.0, 29.0)
    # where regions stand in for the branch and bound, under a limit only
    assert search_has_last_word(600.0, done(True), 29.0, 29.0, regional=True)
    assert not search_has_last_word(None, done(True), 29.0, 29.0, regional=True)


def test_rows_of_binaries_alone_do_not_stop_the_bound_scaling(three_hubs):
    """The largest bound is the smelter's 1,000 t (2^9.97: exponent -9 + 6 = -3), the smallest
    continuous one a source's 100 t (it allows -6): -3. The rows that let each hub open at
    most one level hold binaries alone, with bound 1; integrality keeps them exact, so they
    must not pin the exponent at 0."""
    _, compiled, _ = three_hubs
    assert compiled.scale[1] == -3


# regions: the columns a region's branch and bound frees, and the plans it returns


def _compiled(folder):  # noqa: ANN001, ANN202
    instance, _ = prepare(folder)
    model, data, _ = build(instance, Timer())
    compiled = handoff(model, SolveOptions())
    links = linking(compiled)
    facilities = with_linked(level_facilities(model, data, compiled.columns), links)
    return model, compiled, links, facilities


@pytest.fixture
def three_linked(tmp_path):
    return _compiled(write_instance(tmp_path / "three", _three_hubs()))


def _names(compiled, cols) -> set[str]:  # noqa: ANN001
    return {compiled.columns[c].name for c in cols}


def test_a_hub_frees_the_collection_of_its_sources_and_everything_downstream(three_linked):
    """Hub A is reached by S1 alone, which also reaches C. By hand, A's region frees S1's
    flows to A and C and what S1 leaves uncollected, not S2's (S2 feeds C but cannot reach
    A); C, reached by both sources, frees both. Every region frees what the hubs send to the
    smelter; no level is among the columns freed."""
    _, compiled, _, facilities = three_linked
    local = local_columns(compiled, facilities)
    assert _names(compiled, local.collection["A"]) == {
        "flow[S1>A,pcb]",
        "flow[S1>C,pcb]",
        "uncollected[S1,pcb]",
    }
    assert _names(compiled, local.collection["C"]) == {
        "flow[S1>A,pcb]",
        "flow[S1>C,pcb]",
        "flow[S2>B,pcb]",
        "flow[S2>C,pcb]",
        "uncollected[S1,pcb]",
        "uncollected[S2,pcb]",
    }
    assert _names(compiled, local.downstream) == {"flow[A>M,pcb]", "flow[B>M,pcb]", "flow[C>M,pcb]"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated 60 x 12 x 3 instance, its relaxation, and the columns each hub frees."""
    folder = generate(
        tmp_path_factory.mktemp("regions") / "gen",
        sources=60,
        hubs=12,
        commodities=3,
        origins=4,
        seed=6,  # with the calibrated default's data: regions go past its descent
    )
    model, compiled, links, facilities = _compiled(folder)
    relaxed = relaxation(compiled, 120.0)
    return model, compiled, links, facilities, relaxed, local_columns(compiled, facilities)


def test_regions_take_the_walk_past_the_descent(generated, monkeypatch):
    """With kicks that change nothing, the walk ends at the descent's local optimum; with
    regions it goes on to a cheaper plan, never cheaper than the optimum HiGHS proves."""
    model, compiled, links, facilities, relaxed, local = generated
    monkeypatch.setattr(search, "KICK_SIZE", 0)

    def walk(regions: Regions | None = None) -> float:
        config = SearchConfig(
            without_linking(compiled, links).getModel(), facilities, persist=True, regions=regions
        )
        return search.search_levels(
            config, relaxed.values, roundings(facilities, relaxed.values), budget_s=120.0
        ).objective

    descent = walk()
    regions = walk(Regions(compiled.highs.getModel(), local))
    assert regions < descent - 1e-4 * abs(descent)
    optimum = branch_and_bound(model, SolveOptions(mip_rel_gap=1e-6, mip_start=False)).objective
    assert regions >= optimum - 1e-6 * abs(optimum)


def test_a_region_changes_its_own_sites_only_and_costs_no_more(generated):
    """From the relaxation's rounding, each region's plan differs from the start only inside
    the region, and priced with every flow free it costs no more than the start. With every
    facility in the region and every column free, the branch and bound is the whole
    model's: its plan costs the optimum HiGHS proves alone."""
    model, compiled, links, facilities, relaxed, local = generated
    price = PlanPricer(without_linking(compiled, links).getModel(), facilities, {})
    start = min(
        (p for p in roundings(facilities, relaxed.values) if price(p) is not None), key=price
    )
    price.seen.clear()
    cost = price(start)
    values = price.values()
    regions = RegionSolver(compiled.highs.getModel(), facilities, local, {})
    by_name = {f.name: f for f in facilities}
    changed = 0
    for centre in sorted(start):
        region = {centre, *by_name[centre].neighbours} & by_name.keys()
        found = regions(start, values, region, 30.0)
        assert found is not None
        assert {n for n in found.keys() | start.keys() if found.get(n) != start.get(n)} <= region
        assert price(found) <= cost + 1e-6 * abs(cost)
        changed += found != start
    assert changed  # the rounding is not a local optimum of every region
    everything = LocalColumns({}, np.flatnonzero(~compiled.integer))
    whole = RegionSolver(compiled.highs.getModel(), facilities, everything, {})
    best = whole(start, values, set(by_name), 60.0)
    optimum = branch_and_bound(model, SolveOptions(mip_rel_gap=1e-6, mip_start=False)).objective
    assert price(best) == pytest.approx(optimum, rel=1e-4)


def test_the_sweep_ahead_of_regions_tries_no_opens(three_hubs):
    """From {A} (-70,000: S2 uncollected) one sweep ahead of regions closes and moves (to
    {C}, -160,000) but opens nothing; the whole descent also opens a hub beside C."""
    _, compiled, facilities = three_hubs
    price = PlanPricer(compiled.highs.getModel(), facilities, {})
    priced: list[dict] = []
    solve_plan = price._solve
    price._solve = lambda plan, limit_s: priced.append(dict(plan)) or solve_plan(plan, limit_s)

    def walk_from_a(once: bool) -> None:
        price.seen.clear()
        start = {"A": "L"}
        cost = price(start)
        assert cost == pytest.approx(-70000.0, abs=1e-6)
        walk = search._Walk(
            price, facilities, {}, time.perf_counter(), math.inf, None, start, cost, price.values()
        )
        walk.descend(start, cost, once=once)

    walk_from_a(once=True)
    assert len(priced) > 1 and all(len(plan) <= 1 for plan in priced)
    priced.clear()
    walk_from_a(once=False)
    assert {"B": "L", "C": "L"} in priced and {"A": "L", "C": "L"} in priced


def test_regions_run_where_many_facilities_have_levels(tmp_path, monkeypatch):
    """The run hands the search the whole model and the columns each facility frees where
    `Strategy.region_min_facilities` facilities have levels, and then, under a time limit, the last
    word (no branch and bound after it); with fewer, neither."""
    folder = generate(tmp_path / "g", sources=30, hubs=6, commodities=2, origins=3, seed=5)
    instance, _ = prepare(folder)
    model, data, _ = build(instance, Timer())
    options = SolveOptions(mip_rel_gap=0.005, time_limit_s=60.0, threads=1)
    real = search.search_levels
    seen: list[dict] = []

    def spy(config, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.append(config)
        return real(config, *args, **kwargs)

    monkeypatch.setattr(search, "search_levels", spy)
    few = mip_start(model, data, handoff(model, options), options)
    six = Strategy(region_min_facilities=6)
    many = mip_start(model, data, handoff(model, options), options, strategy=six)
    assert seen[0].regions is None and not seen[0].persist
    assert len(seen[1].regions.local.collection) == 6  # the hubs
    assert seen[1].persist
    assert few.regions == 0 and many.regions > 0


def test_with_regions_no_second_walk_starts(three_linked, monkeypatch):
    """The relaxation beside ends while the walk runs; without regions a second walk starts
    from its roundings, with regions none does (the regions keep both cores)."""
    _, compiled, links, facilities = three_linked
    x = np.zeros(len(compiled.columns))
    x[_column_of(facilities, "C")] = 1.0

    def walks(regions: Regions | None = None) -> int:
        return search.search_levels(
            SearchConfig(without_linking(compiled, links).getModel(), facilities, regions=regions),
            np.zeros(len(compiled.columns)),
            starts=[{"A": "L", "B": "L"}],
            budget_s=60.0,
            beside=_EndsLater(x, after=1),
        ).walks

    assert walks() == 2
    assert walks(Regions(compiled.highs.getModel(), local_columns(compiled, facilities))) == 1


def test_a_region_frees_its_sources_and_everything_downstream(three_linked):
    """Region {B} from plan {A, B}: S2 (which reaches B) may move, S1 may not; what every
    hub sends to the smelter is free. Read off the bounds HiGHS holds after the solve."""
    _, compiled, links, facilities = three_linked
    price = PlanPricer(without_linking(compiled, links).getModel(), facilities, {})
    plan = {"A": "L", "B": "L"}
    price(plan)
    regions = RegionSolver(
        compiled.highs.getModel(), facilities, local_columns(compiled, facilities), {}
    )
    assert regions(plan, price.values(), {"B"}, 10.0) is not None
    lp = regions.h.getLp()
    lower, upper = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
    held = {v.name for i, v in enumerate(compiled.columns) if lower[i] == upper[i]}
    assert {"flow[S1>A,pcb]", "flow[S1>C,pcb]", "uncollected[S1,pcb]"} <= held
    free = {"flow[S2>B,pcb]", "flow[S2>C,pcb]", "uncollected[S2,pcb]"}
    free |= {"flow[A>M,pcb]", "flow[B>M,pcb]", "flow[C>M,pcb]"}
    assert not free & held


# the one entry point: whether the level search runs, and the answer after it


@pytest.fixture
def three(tmp_path):
    instance, _ = prepare(write_instance(tmp_path / "three", _three_hubs()))
    model, data, _ = build(instance, Timer())
    return model, data


def test_a_tight_gap_on_a_small_model_goes_straight_to_highs(three):
    """{C} alone costs -160,000 (worked out in `_three_hubs`)."""
    model, data = three
    report = solve_model(model, data, SolveOptions(mip_rel_gap=1e-4))
    assert report.start_s is None
    assert report.status is Status.OPTIMAL
    assert report.objective == pytest.approx(-160000.0, abs=1e-6)


def test_a_loose_gap_runs_the_search_first(three):
    model, data = three
    report = solve_model(model, data, SolveOptions(mip_rel_gap=0.005))
    assert report.start_s is not None and report.start_s > 0
    assert report.objective == pytest.approx(-160000.0, abs=1e-6)


def test_a_warm_start_runs_the_start_stage_where_the_search_does_not_pay(three):
    model, data = three
    report = solve_model(model, data, SolveOptions(mip_rel_gap=1e-4), start={"A": "L", "B": "L"})
    assert report.start_s is not None
    assert report.objective == pytest.approx(-160000.0, abs=1e-6)


def test_the_strategy_decides_where_the_search_pays(three):
    """With the search's gap threshold above the gap asked for, a loose gap goes straight to
    HiGHS."""
    model, data = three
    never = Strategy(start_min_gap=1.0, start_min_columns=10**9)
    report = solve_model(model, data, SolveOptions(mip_rel_gap=0.005), strategy=never)
    assert report.start_s is None
    assert report.objective == pytest.approx(-160000.0, abs=1e-6)
