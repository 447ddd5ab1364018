"""The single pipeline: read -> network -> build -> solve -> extract -> check -> write.

Both the CLI and the batch call `run_one`; it records how long each stage took.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hubnet.errors import InputError, Issue
from hubnet.export.tables import atomic_folder, read_summary, read_tables, write_tables
from hubnet.instance import Instance, load_instance
from hubnet.model import build_model
from hubnet.model.data import ModelData
from hubnet.report import Plan, Progress, SolveOptions, SolveReport, Status
from hubnet.results import TABLE_NAMES, Solution, Violation, check
from hubnet.results.extract import extract

if TYPE_CHECKING:
    from hubnet.scenario import Scenario
    from hubnet.solve import Relaxed
    from hubnet.solve.search import SearchResult

logger = logging.getLogger(__name__)

DEFAULT_RESULTS = Path("results")

#: the relaxation under the level search may take at most this share of the time limit. With
#: a quarter, the generated 1,700 x 150 instance at 60 s ended at gap 1.16-1.65 % (8 of its
#: 18 rounds, the search from that rounding); with half, at 0.91-1.27 % (10-12 rounds).
#: 5,000 x 300 at 600 s: 4.2-4.6 % with a quarter, 3.56-3.91 % with half
RELAXATION_SHARE = 0.5
#: a branch and bound needs at least this many times the relaxation's time left to follow it
ROOT_FACTOR = 2.0
#: capacity cuts (Eq. 12) go on while a round lifts the relaxation's bound by more than
#: this share of the gap asked for
CUT_GAIN = 0.01
#: seconds for the level search when neither a budget nor a time limit is given
SEARCH_S = 30.0
#: the level search runs at gaps from this one up, or on models with this many columns
START_MIN_GAP = 1e-3
START_MIN_COLUMNS = 10_000
#: the level search re-optimises regions by branch and bound (`search.RegionSolver`) where
#: this many facilities have levels: with fewer, a region is much of the whole model (on
#: `japan-municipal`, 25 hubs, the search took 6.0 s with regions against 1.3 s without)
REGION_MIN_FACILITIES = 100


@dataclass(frozen=True, slots=True)
class RunOptions:
    solve: SolveOptions = field(default_factory=SolveOptions)
    #: write the results folder (off: solve and check only)
    write: bool = True
    #: write the maps into the results folder
    maps: bool = True
    #: exact results folder; default results/<instance>/<scenario>
    out_dir: Path | None = None
    results_root: Path = DEFAULT_RESULTS
    #: a previous results folder of the same instance: its open levels seed the level search
    warm_start: Path | None = None


@dataclass
class RunRecord:
    """What a run produced: small enough to send between processes."""

    instance: str
    scenario: str
    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    result_dir: Path | None
    times: dict[str, float]
    violations: list[Violation]
    report: SolveReport | None = None
    solution: Solution | None = None
    message: str = ""


class Timer:
    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    def stage(self, name: str) -> _Stage:
        return _Stage(self, name)


class _Stage:
    def __init__(self, timer: Timer, name: str) -> None:
        self.timer, self.name = timer, name

    def __enter__(self) -> None:
        self.t0 = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timer.times[self.name] = self.timer.times.get(self.name, 0.0) + (
            time.perf_counter() - self.t0
        )


def prepare(
    instance_dir: Path | str,
    scenario: Path | str | Scenario | None = None,
    timer: Timer | None = None,
) -> tuple[Instance, str]:
    """Load an instance and apply a scenario (if any): the instance the model will see.

    `scenario` is a scenario file, a `file#run` reference to one run of a sweep (as
    summary.json records it), or a `Scenario` (one run of `hubnet.scenario.expand`).
    """
    from hubnet.scenario import Scenario, apply, apply_scenario_file

    timer = timer or Timer()
    with timer.stage("read"):
        instance = load_instance(instance_dir)
        name = "baseline"
        if isinstance(scenario, Scenario):
            instance, name = apply(instance, scenario), scenario.name
        elif scenario is not None:
            instance, name = apply_scenario_file(instance, Path(scenario))
    return instance, name


def build(instance: Instance, timer: Timer | None = None):  # noqa: ANN201 - (model, data, lanes)
    """Lanes and the Pyomo model of an instance."""
    from hubnet.network import build_lanes, check_reachability
    from hubnet.network.lanes import candidate_pairs

    timer = timer or Timer()
    with timer.stage("network"):
        pairs = candidate_pairs(instance)
        issues = check_reachability(instance, pairs)
        if issues:
            raise InputError(issues, title=f"instance {instance.path} is not connected")
        lanes = build_lanes(instance, pairs)
    with timer.stage("build"):
        model, data = build_model(instance, lanes)
    return model, data, lanes


def _scenario_ref(scenario_file: Path | str | None) -> str | None:
    """The scenario as summary.json records it: an absolute path (with `#run` for a sweep)."""
    return str(Path(scenario_file).resolve()) if scenario_file else None


def run_header(
    instance: Instance, scenario: str, scenario_file: Path | str | None, report: SolveReport
) -> dict:
    """What every summary.json starts with: which run this is, and how the solve ended."""
    return {
        "instance": instance.name,
        "scenario": scenario,
        "instance_dir": str(instance.path) if instance.path else None,
        "scenario_file": _scenario_ref(scenario_file),
        "status": report.status.value,
        "termination": report.termination,
    }


def summary_of(
    instance: Instance, scenario: str, scenario_file: Path | None, solution: Solution, times: dict
) -> dict:
    r = solution.report
    return {
        **run_header(instance, scenario, scenario_file, r),
        "objective_jpy_per_yr": r.objective,
        "best_bound_jpy_per_yr": r.best_bound,
        "gap": r.gap,
        "currency": instance.currency,
        "model_size": {
            "variables": r.n_variables,
            "binaries": r.n_binaries,
            "constraints": r.n_constraints,
            "nonzeros": r.n_nonzeros,
        },
        "times_s": {k: round(v, 4) for k, v in times.items()},
        "kpis": dict(zip(solution.kpis["term"], solution.kpis["value_jpy_per_yr"], strict=True)),
        "brief": solution.brief,
    }


def run_one(
    instance_dir: Path | str,
    scenario: Path | str | Scenario | None = None,
    options: RunOptions | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> RunRecord:
    """Solve one instance (and scenario) end to end; write its results folder whole."""
    from hubnet.scenario import Scenario
    from hubnet.solve import handoff, solve

    options = options or RunOptions()
    timer = Timer()
    if isinstance(scenario, Scenario):
        # summary.json records how to rebuild it: its file, or file#run for a sweep's run
        scenario_path = Path(scenario.reference) if scenario.reference else None
    else:
        scenario_path = Path(scenario) if scenario is not None else None
    instance, scen = prepare(
        instance_dir, scenario if isinstance(scenario, Scenario) else scenario_path, timer
    )
    model, data, lanes = build(instance, timer)
    with timer.stage("handoff"):
        compiled = handoff(model, options.solve)
    if wants_start(options, compiled):
        previous = previous_plan(options.warm_start) if options.warm_start else None
        with timer.stage("start"):
            search = wants_search(options, compiled)
            mip_start(model, data, compiled, options.solve, previous, progress, search)
    report = solve(model, remaining(options.solve, timer), progress=progress, compiled=compiled)
    timer.times["solve"] = report.solve_s
    record = RunRecord(
        instance=instance.name,
        scenario=scen,
        status=report.status.value,
        objective=report.objective,
        best_bound=report.best_bound,
        gap=report.gap,
        result_dir=None,
        times=timer.times,
        violations=[],
        report=report,
    )
    if report.status is Status.INFEASIBLE:
        record.message = diagnose(instance, lanes, options.solve)
        if options.write:
            out = options.out_dir or options.results_root / instance.name / scen
            write_diagnosis(out, instance, scen, scenario_path, report, record.message)
            record.result_dir = out
        return record
    if not report.status.has_solution:
        record.message = f"no solution: {report.headline}"
        return record
    with timer.stage("extract"):
        solution = extract(model, data, instance, lanes, report, scenario=scen)
    with timer.stage("check"):
        record.violations = check(instance, solution.tables(), report.objective)
    if record.violations:
        # whatever HiGHS said, a plan the checker rejects is reported as invalid
        report = dataclasses.replace(report, status=Status.INVALID)
        solution = dataclasses.replace(solution, report=report)
        record.status, record.report = report.status.value, report
    record.solution = solution
    if options.write:
        out = options.out_dir or options.results_root / instance.name / scen
        summary = summary_of(instance, scen, scenario_path, solution, timer.times)
        summary["check"] = {
            "passed": not record.violations,
            "violations": [str(v) for v in record.violations],
        }
        tables = {"sites": sites_table(instance), **solution.tables()}
        with atomic_folder(out) as tmp:
            with timer.stage("write"):
                write_tables(tmp, tables, summary)
            if options.maps:
                from hubnet.export import write_maps

                with timer.stage("maps"):
                    write_maps(tmp)
        record.result_dir = out
    return record


def mip_start(
    model,  # noqa: ANN001 - Pyomo model
    data: ModelData,
    compiled,  # noqa: ANN001 - solve.Compiled
    options: SolveOptions,
    previous: Plan | None = None,
    progress: Callable[[Progress], None] | None = None,
    search: bool = True,
) -> SearchResult | None:
    """Give HiGHS a first incumbent: the level search's best plan, started from roundings
    of the LP relaxation (and from `previous`, a plan solved before). With `search` off,
    only `previous`, priced as it is: where the search does not pay, a warm start costs one
    LP and HiGHS keeps all the time. Under a time limit, with a second core, a relaxation
    its share cut short goes on beside the search (`solve.Background`), and the search
    aims at its rising bound."""
    from hubnet.model.start import level_facilities
    from hubnet.solve import (
        Background,
        keep_needed_links,
        linking,
        local_columns,
        relative_gap,
        relaxation,
        set_start,
        with_linked,
        without_linking,
    )
    from hubnet.solve.cuts import add_cuts, binding
    from hubnet.solve.search import roundings, search_levels

    t0 = time.perf_counter()
    limit = options.time_limit_s
    obj_exp, bound_exp = compiled.scale if options.auto_scale else (0, 0)
    scaling = {"user_objective_scale": obj_exp, "user_bound_scale": bound_exp}
    links = linking(compiled)
    facilities = with_linked(level_facilities(model, data, compiled.columns), links)
    priced = without_linking(compiled, links).getModel()
    if not search:
        if previous is None:
            return None
        result = search_levels(
            priced,
            facilities,
            np.zeros(len(compiled.columns)),
            [_known_levels(previous, facilities)],
            limit or math.inf,
            scaling,
            descend=False,
        )
        if result is not None:
            set_start(compiled, result.values, result.objective, -math.inf)
        return result
    t_relax = time.perf_counter()
    best: float | None = None  # the search's best cost so far

    def report(lower: float) -> None:
        """The live line: told by every relaxation round and every plan the search prices."""
        if progress is not None:
            progress(Progress(time.perf_counter() - t0, best, lower, relative_gap(best, lower)))

    settings = {
        "options": scaling,
        "links": links,
        "cut_gain": CUT_GAIN * options.mip_rel_gap,
        "on_round": lambda relaxed: report(relaxed.bound),
    }
    beside: Background | None = None
    # regions re-optimised by branch and bound stand in for HiGHS's over the whole model
    regional = len(facilities) >= REGION_MIN_FACILITIES
    if limit and beside_search(options):
        # the whole limit: what the share leaves it, it goes on with beside the search
        beside = Background(compiled, limit - (time.perf_counter() - t0), **settings)
        if beside.wait(RELAXATION_SHARE * limit):
            relaxed, beside = beside.stop(), None
        else:
            relaxed = beside.latest
    else:
        relaxed = relaxation(compiled, RELAXATION_SHARE * limit if limit else 600.0, **settings)
    relaxation_s = time.perf_counter() - t_relax
    if relaxed is not None:
        x, bound = relaxed.values, relaxed.bound
        starts = roundings(facilities, x)
    else:
        # no relaxation in time (the largest instances): no bound, and the search closes
        # what does not pay from a plan with every facility open at its smallest level
        x, bound = np.zeros(len(compiled.columns)), -math.inf
        starts = [{f.name: f.options[0][0] for f in facilities}]
    if previous is not None:
        starts.insert(0, _known_levels(previous, facilities))
    if options.search_s is not None:
        budget = options.search_s if not limit else min(options.search_s, limit / 3)
    else:
        budget = limit / 3 if limit else SEARCH_S
    last_word = search_has_last_word(
        limit, relaxed, relaxation_s, time.perf_counter() - t0 if limit else 0.0, regional
    )
    if last_word and options.search_s is None:
        budget = max(limit - (time.perf_counter() - t0), 0.0)

    def lower() -> float:
        """The bound so far: it rises while a relaxation beside the search goes on."""
        latest = beside.latest if beside is not None else None
        return latest.bound if latest is not None else bound

    def told(_: float, cost: float) -> None:
        nonlocal best
        # two walks may report, each its own best
        best = cost if best is None else min(best, cost)
        report(lower())

    regions = {}
    if regional:
        regions = {"whole": compiled.highs.getModel(), "local": local_columns(compiled, facilities)}
    waited = relaxation_s
    try:
        result = search_levels(
            priced,
            facilities,
            x,
            starts,
            budget,
            scaling,
            told,
            enough=lambda: cost_within_gap(lower(), options.mip_rel_gap),
            beside=beside,
            persist=last_word and options.search_s is None,
            **regions,
        )
    finally:
        # also on Ctrl-C: no relaxation is left running
        if beside is not None:
            t_stop = time.perf_counter()
            relaxed = beside.stop() or relaxed
            waited += time.perf_counter() - t_stop
    if beside is not None and relaxed is not None:
        bound = relaxed.bound
    if relaxed is not None:
        keep_needed_links(compiled, links, relaxed)
        add_cuts(compiled.highs, binding(relaxed.cuts, relaxed.values))
    if result is not None:
        result.relaxation = relaxed
        result.relaxation_wait_s = waited
        set_start(compiled, result.values, result.objective, bound, final=last_word)
    return result


def beside_search(options: SolveOptions) -> bool:
    """Whether a relaxation cut short by its time share (there is one only under a time
    limit) may go on beside the level search: more than one thread allowed and a second
    core. Batch workers run with one thread each."""
    return options.threads != 1 and (os.cpu_count() or 1) > 1


def cost_within_gap(bound: float, gap: float) -> float:
    """The highest cost whose relative gap to `bound` is within `gap` (a hair inside it, so
    that the check in `solve` agrees); minus infinity without a bound."""
    if not math.isfinite(bound):
        return -math.inf
    g = 0.999 * gap
    if bound <= 0:
        return bound / (1 + g)
    return bound / (1 - g) if g < 1 else math.inf


def search_has_last_word(
    limit_s: float | None,
    relaxed: Relaxed | None,
    relaxation_s: float,
    elapsed_s: float,
    regional: bool = False,
) -> bool:
    """Whether the level search's plan is the answer, with no branch and bound after it.

    A branch and bound starts by solving the relaxation, and HiGHS's own is slower than the
    lazy one (generated 1,700 x 150: 88 s against 29 s). If the lazy one did not finish in
    its share of the time limit, or what is left is under ROOT_FACTOR times what it took,
    the branch and bound would not get past its root: the search gets that time instead.

    Under a time limit, always where the search re-optimises regions by branch and bound
    (`regional`): on the generated 1,700 x 150 instance (seed 2) with a 300 s limit, HiGHS's
    branch and bound over the whole model found nothing better than the search's plan in
    207 s, where a walk with regions was within 0.5 % of the bound after 72 s.
    """
    if limit_s is None:
        return False
    if regional or relaxed is None or not relaxed.complete:
        return True
    return limit_s - elapsed_s < ROOT_FACTOR * relaxation_s


def _known_levels(plan: Plan, facilities) -> Plan:  # noqa: ANN001 - list of search.Facility
    """The part of a previous plan this model has: facilities and levels it knows."""
    known = {f.name: {lv for lv, _, _ in f.options} for f in facilities}
    return {f: lv for f, lv in plan.items() if lv in known.get(f, ())}


def wants_start(options: RunOptions, compiled) -> bool:  # noqa: ANN001 - solve.Compiled
    """Give HiGHS a starting plan: from the level search where it pays, or a warm start's
    previous plan. Never with single sourcing: its plans would leave the assignments
    fractional."""
    from hubnet.model.start import levels_only

    if not (options.solve.mip_start and compiled.n_binaries and levels_only(compiled.columns)):
        return False
    return options.warm_start is not None or wants_search(options, compiled)


def wants_search(options: RunOptions, compiled) -> bool:  # noqa: ANN001 - solve.Compiled
    """Run the level search where it pays: at a loose gap (its plan may be the answer) or on
    a large model (HiGHS alone finds poor plans there). On the default instance at gap
    0.01 % it cost time: 19.1 s end to end against 12.5 s without it."""
    return options.solve.mip_rel_gap >= START_MIN_GAP or len(compiled.columns) >= START_MIN_COLUMNS


def remaining(options: SolveOptions, timer: Timer) -> SolveOptions:
    """The options for HiGHS: the time limit covers the level search and the branch and bound."""
    if not options.time_limit_s or "start" not in timer.times:
        return options
    left = max(options.time_limit_s - timer.times["start"], 1.0)
    return dataclasses.replace(options, time_limit_s=left)


def previous_plan(folder: Path) -> Plan:
    """The open levels in a results folder's facilities.csv."""
    path = Path(folder) / "facilities.csv"
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise InputError(
            [Issue(str(path), None, None, "", f"a readable results table ({exc})")],
            title="warm start",
        ) from None
    missing = [c for c in ("facility", "level") if c not in table.columns]
    if missing:
        raise InputError(
            [Issue(str(path), 1, c, "", "a column of a hubnet results table") for c in missing],
            title="warm start",
        )
    opened = table[table["level"] != ""]
    return dict(zip(opened["facility"], opened["level"], strict=True))


def diagnose(instance: Instance, lanes: pd.DataFrame, options: SolveOptions) -> str:
    """Explain infeasibility: rebuild without derived cuts, isolate the conflict, word it."""
    from hubnet.model import VALID_INEQUALITIES
    from hubnet.results.diagnosis import explain
    from hubnet.solve import find_conflicts, handoff, run_highs

    model, data = build_model(instance, lanes, skip=VALID_INEQUALITIES, diagnostic=True)
    compiled = handoff(model, options)
    run_highs(compiled)
    method, conflicts = find_conflicts(compiled)
    return explain(conflicts, method, instance, data)


def write_diagnosis(
    out: Path,
    instance: Instance,
    scenario: str,
    scenario_file: Path | None,
    report: SolveReport,
    text: str,
) -> None:
    """An infeasible run's folder: summary.json (status infeasible) and diagnosis.txt only."""
    import json

    summary = {
        **run_header(instance, scenario, scenario_file, report),
        "diagnosis": text.splitlines(),
    }
    with atomic_folder(out) as tmp:
        (tmp / "diagnosis.txt").write_text(text + "\n", encoding="utf-8")
        (tmp / "summary.json").write_text(
            json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


def sites_table(instance: Instance) -> pd.DataFrame:
    return instance.sites[["id", "name", "name_ja", "kind", "lat", "lon", "country", "region"]]


def check_folder(result_dir: Path) -> tuple[dict, list[Violation]]:
    """Re-read a results folder and its instance (and scenario) and check the solution."""
    summary = read_summary(result_dir)
    if not summary.get("instance_dir"):
        raise FileNotFoundError(f"{result_dir}/summary.json names no instance folder")
    instance, _ = prepare(summary["instance_dir"], summary.get("scenario_file"))
    tables = read_tables(result_dir, TABLE_NAMES)
    return summary, check(instance, tables, summary.get("objective_jpy_per_yr"))


__all__ = ["RunOptions", "RunRecord", "Status", "build", "check_folder", "prepare", "run_one"]
