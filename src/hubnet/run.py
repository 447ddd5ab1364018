"""The single pipeline: read -> network -> build -> solve -> extract -> check -> write.

Both the CLI and the batch call `run_one`; it records how long each stage took.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from hubnet.errors import InputError, Issue, ResultsError
from hubnet.export.tables import atomic_folder, read_summary, read_tables, write_tables
from hubnet.instance import Instance, load_instance
from hubnet.model import build_model
from hubnet.report import Progress, SolveOptions, SolveReport, Status
from hubnet.results import TABLE_NAMES, Solution, Violation, check
from hubnet.results.extract import extract

if TYPE_CHECKING:
    from hubnet.scenario import Scenario

logger = logging.getLogger(__name__)

DEFAULT_RESULTS = Path("results")


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
    #: a roadmap's foresight, "perfect" or "myopic" (None: as the instance's [periods] says)
    foresight: str | None = None


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
    #: a roadmap run's planning years (its objective is then the equivalent annual cost, its
    #: solution the first year's)
    years: tuple[int, ...] = ()


@dataclass(frozen=True)
class RunContext:
    """What a run's results folder is written from, besides the solve: the instance solved,
    the run's name and scenario file, the options, the stage timer, and what an evaluated run
    adds (summary keys, and a check on its tables)."""

    instance: Instance
    scenario: str
    scenario_path: Path | None
    options: RunOptions
    timer: Timer
    #: summary.json keys added to every run's (an evaluated run's `evaluated_plan`)
    extra: dict = field(default_factory=dict)
    #: a check on the tables besides the checker's (an evaluated run: the plan was kept)
    also_check: Callable[[dict[str, pd.DataFrame]], list[Violation]] | None = None
    #: the process drawing map.png beside the other maps (`export.png_drawer`), if any
    drawer: Executor | None = None

    @property
    def out(self) -> Path:
        o = self.options
        return o.out_dir or o.results_root / self.instance.name / self.scenario

    def record(self, report: SolveReport) -> RunRecord:
        return RunRecord(
            instance=self.instance.name,
            scenario=self.scenario,
            status=report.status.value,
            objective=report.objective,
            best_bound=report.best_bound,
            gap=report.gap,
            result_dir=None,
            times=self.timer.times,
            violations=[],
            report=report,
        )

    def violations(self, tables: dict[str, pd.DataFrame]) -> list[Violation]:
        return self.also_check(tables) if self.also_check is not None else []


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


def lanes_of(instance: Instance) -> pd.DataFrame:
    """Every lane of a (single-year) instance; a site nothing can reach is an InputError."""
    from hubnet.network import build_lanes, check_reachability
    from hubnet.network.lanes import candidate_pairs

    pairs = candidate_pairs(instance)
    issues = check_reachability(instance, pairs)
    if issues:
        raise InputError(issues, title=f"instance {instance.path} is not connected")
    return build_lanes(instance, pairs)


def build(instance: Instance, timer: Timer | None = None):  # noqa: ANN201 - (model, data, lanes)
    """Lanes and the Pyomo model of an instance."""
    timer = timer or Timer()
    with timer.stage("network"):
        lanes = lanes_of(instance)
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


def scenario_source(
    scenario: Path | str | Scenario | None,
) -> tuple[Path | None, Path | Scenario | None]:
    """The scenario file summary.json records (a sweep's run: `file#run`), and what `prepare`
    reads the scenario from."""
    from hubnet.scenario import Scenario

    if isinstance(scenario, Scenario):
        return (Path(scenario.reference) if scenario.reference else None), scenario
    path = Path(scenario) if scenario is not None else None
    return path, path


def run_one(
    instance_dir: Path | str,
    scenario: Path | str | Scenario | None = None,
    options: RunOptions | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> RunRecord:
    """Solve one instance (and scenario) end to end; write its results folder whole."""
    from hubnet.export.tables import previous_plan
    from hubnet.solve import solve_model

    options = options or RunOptions()
    timer = Timer()
    scenario_path, source = scenario_source(scenario)
    instance, scen = prepare(instance_dir, source, timer)
    if instance.periods is not None:
        return run_roadmap(instance, scen, scenario_path, options, progress, timer)
    model, data, lanes = build(instance, timer)
    previous = previous_plan(options.warm_start) if options.warm_start else None
    report = solve_model(model, data, options.solve, previous, progress=progress)
    ctx = RunContext(instance, scen, scenario_path, options, timer)
    return finish_single(ctx, (model, data, lanes), report)


def finish_single(
    ctx: RunContext, built: tuple, report: SolveReport, weight: float = 1.0
) -> RunRecord:
    """A solved single-year model (`built`: model, data, lanes) to its record and results
    folder: the diagnosis if infeasible, else the tables, checked, summary and maps.
    `weight`: the model's cost's weight in the objective solved (a future's, two-stage)."""
    model, data, lanes = built
    instance, options, timer = ctx.instance, ctx.options, ctx.timer
    timer.times["handoff"] = report.handoff_s
    if report.start_s is not None:
        timer.times["start"] = report.start_s
    timer.times["solve"] = report.solve_s
    if report.marginals_s is not None:
        timer.times["marginals"] = report.marginals_s
    record = ctx.record(report)
    if report.status is Status.INFEASIBLE:
        return infeasible(ctx, record, diagnose(instance, lanes, options.solve))
    if not report.status.has_solution:
        record.message = f"no solution: {report.headline}"
        return record
    with timer.stage("extract"):
        solution = extract(model, data, instance, lanes, report, ctx.scenario, weight)
    tables = solution.tables()
    with timer.stage("check"):
        record.violations = check(instance, tables, report.objective) + ctx.violations(tables)
    if record.violations:
        # whatever HiGHS said, a plan the checker rejects is reported as invalid
        report = dataclasses.replace(
            report,
            status=Status.INVALID,
            termination="rejected by the independent checker (see check.violations)",
        )
        solution = dataclasses.replace(solution, report=report)
        record.status, record.report = report.status.value, report
    record.solution = solution
    if options.write:
        summary = summary_of(instance, ctx.scenario, ctx.scenario_path, solution, timer.times)
        summary["check"] = {
            "passed": not record.violations,
            "violations": [str(v) for v in record.violations],
        }
        summary.update(ctx.extra)
        write_folder(ctx, solution.tables(), summary)
        record.result_dir = ctx.out
    return record


def infeasible(ctx: RunContext, record: RunRecord, text: str) -> RunRecord:
    """An infeasible run's record with its diagnosis, and its folder (summary and diagnosis)."""
    record.message = text
    if ctx.options.write:
        write_diagnosis(ctx, record.report, text)
        record.result_dir = ctx.out
    return record


def write_folder(ctx: RunContext, tables: dict[str, pd.DataFrame], summary: dict) -> None:
    """The results folder, whole: tables, summary.json and (if asked) the maps."""
    with atomic_folder(ctx.out) as tmp:
        with ctx.timer.stage("write"):
            write_tables(tmp, tables, summary)
        if ctx.options.maps:
            from hubnet.export import write_maps

            with ctx.timer.stage("maps"):
                write_maps(tmp, drawer=ctx.drawer)


def run_roadmap(
    instance: Instance,
    scen: str,
    scenario_path: Path | None,
    options: RunOptions,
    progress: Callable[[Progress], None] | None,
    timer: Timer,
) -> RunRecord:
    """`run_one` for an instance with planning years: one results folder, every table with a
    year column, roadmap.csv, and the horizon's figures in summary.json."""
    from hubnet import roadmap as rm
    from hubnet.export import png_drawer

    foresight = options.foresight or instance.periods.foresight
    with timer.stage("network"):
        years = rm.plan_years(instance, lanes_of)
    with timer.stage("solve"):
        horizon = rm.solve_horizon(instance.name, years, foresight, options.solve, progress)
    ctx = RunContext(instance, scen, scenario_path, options, timer)
    if horizon.report.status is Status.INFEASIBLE and horizon.failed_year is not None:
        record = ctx.record(horizon.report)
        failed = next(y for y in years if y.year == horizon.failed_year)
        why = diagnose(failed.instance, failed.lanes, options.solve)
        text = f"{failed.year}, with the levels of the years before kept: {why}"
        return infeasible(ctx, record, text)
    solved = horizon.report.status.has_solution
    with png_drawer(solved and draws_beside(instance, options)) as drawer:
        return finish_roadmap(dataclasses.replace(ctx, drawer=drawer), horizon, years)


#: a roadmap draws map.png in a process of its own from this many sites x planning years
#: (japan-roadmap: 820): it imports its libraries while the results are checked and written
DRAW_BESIDE_MIN_SITE_YEARS = 200


def draws_beside(instance: Instance, options: RunOptions) -> bool:
    """Whether a roadmap's map.png is drawn in a process of its own (`export.png_drawer`):
    maps written, more than one thread allowed, and enough sites and years to repay
    starting it (its imports take a few seconds of a core)."""
    site_years = len(instance.sites) * len(instance.periods.years)
    return (
        options.write
        and options.maps
        and options.solve.threads != 1
        and site_years >= DRAW_BESIDE_MIN_SITE_YEARS
    )


def finish_roadmap(ctx: RunContext, horizon, years: list) -> RunRecord:  # noqa: ANN001
    """A solved roadmap (a `roadmap.Horizon` over its `Year`s) to its record and results
    folder: every year's tables stacked, checked, the horizon's summary and the maps."""
    from hubnet import roadmap as rm
    from hubnet.results.check_roadmap import check_roadmap

    report, timer = horizon.report, ctx.timer
    record = ctx.record(report)
    record.years = tuple(y.year for y in years)
    if not report.status.has_solution:
        record.message = f"no solution: {report.headline}"
        return record
    with timer.stage("extract"):
        solutions = rm.extract_years(horizon, years, ctx.scenario)
        tables = rm.stacked_tables(solutions, years, rm.built_by_year(horizon))
    with timer.stage("check"):
        record.violations = check_roadmap(ctx.instance, tables, report.objective)
        record.violations += ctx.violations(tables)
    # the brief words the largest marginal values of every year
    record.solution = dataclasses.replace(solutions[0], marginals=tables.get("marginals"))
    base = summary_of(ctx.instance, ctx.scenario, ctx.scenario_path, solutions[0], timer.times)
    summary = rm.roadmap_summary(base, horizon, years, solutions)
    if record.violations:
        summary["status"] = record.status = Status.INVALID.value
        summary["termination"] = "rejected by the independent checker (see check.violations)"
    record.objective, record.best_bound = (
        summary["objective_jpy_per_yr"],
        summary["best_bound_jpy_per_yr"],
    )
    summary["check"] = {
        "passed": not record.violations,
        "violations": [str(v) for v in record.violations],
    }
    summary.update(ctx.extra)
    if ctx.options.write:
        write_folder(ctx, tables, summary)
        record.result_dir = ctx.out
    return record


def diagnose(instance: Instance, lanes: pd.DataFrame, options: SolveOptions) -> str:
    """Explain infeasibility: rebuild without derived cuts, isolate the conflict, word it."""
    from hubnet.model import VALID_INEQUALITIES
    from hubnet.results.diagnosis import explain
    from hubnet.solve import conflicts_of

    model, data = build_model(instance, lanes, skip=VALID_INEQUALITIES, diagnostic=True)
    method, conflicts = conflicts_of(model, options)
    return explain(conflicts, method, instance, data)


def write_diagnosis(ctx: RunContext, report: SolveReport, text: str) -> None:
    """An infeasible run's folder: summary.json (status infeasible) and diagnosis.txt only."""
    import json

    summary = {
        **run_header(ctx.instance, ctx.scenario, ctx.scenario_path, report),
        "diagnosis": text.splitlines(),
        **ctx.extra,
    }
    with atomic_folder(ctx.out) as tmp:
        (tmp / "diagnosis.txt").write_text(text + "\n", encoding="utf-8")
        (tmp / "summary.json").write_text(
            json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


def check_folder(result_dir: Path) -> tuple[dict, list[Violation]]:
    """Re-read a results folder and its instance (and scenario) and check the solution."""
    summary = read_summary(result_dir)
    if "futures" in summary:
        return check_two_stage_folder(Path(result_dir), summary)
    try:
        tables = read_tables(result_dir, TABLE_NAMES)
    except (OSError, ValueError) as exc:
        # a missing table or summary, or one that is not CSV or JSON
        issue = Issue(str(result_dir), None, None, None, f"a hubnet results folder ({exc})")
        raise ResultsError(issue) from None
    if not summary.get("instance_dir"):
        path = str(Path(result_dir) / "summary.json")
        raise ResultsError(Issue(path, None, "instance_dir", None, "the instance folder solved"))
    instance, _ = prepare(summary["instance_dir"], summary.get("scenario_file"))
    kept = _plan_kept(summary, tables["facilities"])
    if instance.periods is not None:
        from hubnet.results.check_roadmap import check_roadmap

        return summary, check_roadmap(instance, tables, summary.get("npv_cost_jpy")) + kept
    return summary, check(instance, tables, summary.get("objective_jpy_per_yr")) + kept


def check_two_stage_folder(folder: Path, summary: dict) -> tuple[dict, list[Violation]]:
    """A two-stage run's folder (`summary` its summary.json): each future's folder checked
    (with plan.csv's levels), and the weighted costs recomputed from theirs."""
    from hubnet.export.tables import read_table
    from hubnet.results.check_two_stage import check_two_stage

    out, costs = [], {}
    for f in summary["futures"]:
        sub, found = check_folder(folder / "futures" / f["name"])
        costs[f["name"]] = sub.get("npv_cost_jpy", sub.get("objective_jpy_per_yr"))
        out += [Violation(v.family, f"{f['name']}: {v.ids}", v.message) for v in found]
    return summary, out + check_two_stage(summary, read_table(folder, "futures"), costs)


def _plan_kept(summary: dict, facilities: pd.DataFrame) -> list[Violation]:
    """An evaluated run, or one future of a two-stage run: the levels it operated are
    those of the plan's folder."""
    from hubnet.export.tables import read_table
    from hubnet.results.check_plan import check_plan_kept

    if summary.get("shared_plan"):
        # one future of a two-stage run: the levels of the folder's plan.csv
        folder = Path(summary["shared_plan"]["result_dir"])
        return check_plan_kept(read_table(folder, "plan"), facilities)
    plan = summary.get("evaluated_plan")
    if not plan:
        return []
    return check_plan_kept(read_table(Path(plan["result_dir"]), "facilities"), facilities)


__all__ = ["RunOptions", "RunRecord", "Status", "build", "check_folder", "prepare", "run_one"]
