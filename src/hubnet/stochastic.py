"""The two-stage plan pipeline: the futures (scenario files applied to one instance), each
future's own optimum (wait-and-see), the average future's plan, the two-stage model solved
from the best of those plans, and one results folder: the shared plan, the futures' costs
with the value of perfect information and of the stochastic solution, and one ordinary
results folder per future (the shared plan operated in it, checked)."""

from __future__ import annotations

import contextlib
import dataclasses
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo

from hubnet.errors import InputError, Issue
from hubnet.export.tables import atomic_folder, write_tables
from hubnet.instance import Instance
from hubnet.model import build_from_data
from hubnet.model.data import build_data
from hubnet.model.periods import Period
from hubnet.model.start import plan_of
from hubnet.model.stochastic import Future, build_stochastic_model
from hubnet.report import Progress, SolveOptions, SolveReport, Status
from hubnet.roadmap import Horizon, Year, plan_years, solve_horizon
from hubnet.run import RunContext, RunOptions, RunRecord, Timer, lanes_of, prepare, run_header
from hubnet.solve.stochastic import Priced, SharedPlan, solve_stochastic

#: the year of a single-year instance's one period in the two-stage model
SINGLE = 0


@dataclass(frozen=True)
class Case:
    """One future: its scenario file, weight, instance and planning years (a single-year
    instance: one year, `SINGLE`)."""

    name: str
    weight: float
    file: Path | None
    instance: Instance
    years: tuple[Year, ...]

    @property
    def future(self) -> Future:
        return Future(self.name, self.weight, tuple(y.period for y in self.years))


@dataclass(frozen=True)
class Own:
    """A future solved on its own: its cost, lower bound and plan (None: no plan)."""

    cost: float | None
    bound: float | None
    plan: SharedPlan | None
    report: SolveReport


def weights_of(weights: Sequence[float] | None, n: int) -> list[float]:
    """The futures' weights normalised to sum 1 (equal when not given)."""
    if weights is None:
        return [1.0 / n] * n
    if len(weights) != n:
        raise InputError(
            Issue("--weights", None, None, len(weights), f"one weight per future ({n})")
        )
    bad = [w for w in weights if not (w > 0 and math.isfinite(w))]
    if bad:
        raise InputError(Issue("--weights", None, None, bad[0], "a positive number"))
    total = sum(weights)
    return [w / total for w in weights]


def single_year(instance: Instance) -> Year:
    """A single-year instance as a roadmap of one year."""
    lanes = lanes_of(instance)
    return Year(instance, lanes, Period(SINGLE, build_data(instance, lanes)))


def years_of(instance: Instance) -> tuple[Year, ...]:
    if instance.periods is None:
        return (single_year(instance),)
    return tuple(plan_years(instance, lanes_of))


def read_futures(
    instance_dir: Path | str, files: Sequence[Path], weights: Sequence[float] | None
) -> list[Case]:
    """Each future file applied to the instance, with its weight and planning years."""
    if not files:
        raise InputError(Issue("--futures", None, None, None, "at least one scenario file"))
    shares = weights_of(weights, len(files))
    cases = []
    for path, w in zip(files, shares, strict=True):
        instance, name = prepare(instance_dir, path)
        if any(c.name == name for c in cases):
            raise InputError(Issue(str(path), None, "name", name, "a name no other future has"))
        cases.append(Case(name, w, Path(path), instance, years_of(instance)))
    _same_years(cases)
    return cases


def _same_years(cases: list[Case]) -> None:
    first = [y.year for y in cases[0].years]
    for c in cases[1:]:
        if [y.year for y in c.years] != first:
            got = [y.year for y in c.years]
            issue = Issue(str(c.file), None, "periods", got, f"the first future's years {first}")
            raise InputError(issue)


def own_optimum(case: Case, options: SolveOptions) -> Own:
    """The future's own optimum (single-year: the full solve strategy; a roadmap: perfect
    foresight)."""
    from hubnet.solve import solve_model

    options = dataclasses.replace(options, marginals=False)
    if case.instance.periods is not None:
        horizon = solve_horizon(case.name, list(case.years), "perfect", options)
        report = horizon.report
        plan = _levels_in(horizon.model) if report.status.has_solution else None
    else:
        data = case.years[0].period.data
        model = build_from_data(case.name, data)
        report = solve_model(model, data, options)
        found = plan_of(model, data) if report.status.has_solution else None
        plan = None if found is None else {(SINGLE, f, lv): 1.0 for f, lv in found.items()}
    bound = report.best_bound if report.best_bound is not None else report.objective
    return Own(report.objective if plan is not None else None, bound, plan, report)


def _levels_in(m: pyo.Block) -> SharedPlan:
    """(year, facility, level) -> 1.0 of every level open in a solved roadmap block."""
    return {
        (int(y), f, lv): 1.0
        for y in m.YEARS
        for (f, lv), v in m.period[y].open_level.items()
        if (v.value or 0.0) > 0.5
    }


def average_case(cases: list[Case]) -> Case:
    """The average future: every number the weighted mean of the futures'
    (`hubnet.scenario.average`), as one more case of weight 1."""
    from hubnet.scenario.average import average_instance

    weights = [c.weight for c in cases]
    files = [str(c.file) for c in cases]
    inst = average_instance([c.instance for c in cases], weights, files)
    return Case("average", 1.0, None, inst, years_of(inst))


@dataclass(frozen=True)
class TwoStage:
    """The solved two-stage model and what was priced on the way."""

    model: pyo.ConcreteModel
    report: SolveReport
    own: tuple[Own, ...]
    #: the average future's plan priced in every future (None: infeasible in some, or the
    #: futures cannot be averaged)
    average_priced: Priced | None
    #: the answer's cost in each future
    by_future: dict[str, float]
    #: why the futures cannot be averaged (None: they can)
    no_average: str | None = None


def solve_two_stage(
    cases: list[Case],
    options: SolveOptions,
    progress: Callable[[Progress], None] | None = None,
    own_solver: Callable[[list[Case], SolveOptions], list[Own]] | None = None,
) -> TwoStage:
    """Each future alone (through `own_solver`, e.g. on a Dask cluster), the average future,
    then the two-stage model from the best of their plans. The futures alone are solved to
    the gap asked (their weighted bounds bound the two-stage model); a time limit is shared:
    half to them, the rest to the two-stage model."""
    t0 = time.perf_counter()
    limit = options.time_limit_s
    each = limit / (2 * (len(cases) + 1)) if limit else None
    alone = dataclasses.replace(options, time_limit_s=each)
    solver = own_solver or (lambda cs, o: [own_optimum(c, o) for c in cs])
    try:
        extra, no_average = [average_case(cases)], None
    except InputError as e:
        # the plan is still wanted: without the average future there is no VSS
        extra, no_average = [], e.render()
    own = solver([*cases, *extra], alone)
    model = build_stochastic_model("two-stage", [c.future for c in cases])
    bound = _weighted(cases, [o.bound for o in own[: len(cases)]])
    plans = [o.plan for o in own if o.plan is not None]
    left = max(1.0, limit - (time.perf_counter() - t0)) if limit else None
    report, priced = solve_stochastic(
        model,
        dataclasses.replace(options, time_limit_s=left),
        plans,
        bound if bound is not None else -math.inf,
        progress,
    )
    avg_priced = priced[-1] if extra and own[-1].plan is not None else None
    by_future = {}
    if report.status.has_solution:
        by_future = {c.name: float(pyo.value(model.future[c.name].npv)) for c in cases}
    return TwoStage(model, report, tuple(own[: len(cases)]), avg_priced, by_future, no_average)


def shared_plan_table(ts: TwoStage, case: Case) -> pd.DataFrame:
    """plan.csv: each level of the shared plan (per year in a roadmap), with its capacity."""
    block = ts.model.future[case.name]
    rows = []
    for y in case.years:
        for (f, lv), v in block.period[y.year].open_level.items():
            if (v.value or 0.0) > 0.5:
                cap = y.period.data.level_capacity[f, lv]
                rows.append({"year": y.year, "facility": f, "level": lv, "capacity_t_per_yr": cap})
    table = pd.DataFrame(rows, columns=["year", "facility", "level", "capacity_t_per_yr"])
    return table.drop(columns="year") if case.instance.periods is None else table


def futures_table(cases: list[Case], ts: TwoStage) -> pd.DataFrame:
    """futures.csv: each future's weight, own optimum, and the costs of the shared plan and of
    the average future's plan in it."""
    avg = ts.average_priced.by_future if ts.average_priced is not None else {}
    return pd.DataFrame(
        {
            "future": [c.name for c in cases],
            "weight": [c.weight for c in cases],
            "own_cost_jpy": [o.cost for o in ts.own],
            "own_bound_jpy": [o.bound for o in ts.own],
            "stochastic_cost_jpy": [ts.by_future.get(c.name) for c in cases],
            "average_plan_cost_jpy": [avg.get(c.name) for c in cases],
        }
    )


def values_of_uncertainty(cases: list[Case], ts: TwoStage) -> dict:
    """The weighted costs and the textbook measures: EVPI = stochastic - wait-and-see, VSS =
    average future's plan - stochastic (Birge 1982), as found, and the range each must lie
    in given the gaps the plans were solved to (the true EVPI and VSS are >= 0)."""
    rp, rp_bound = ts.report.objective, ts.report.best_bound
    ws = _weighted(cases, [o.cost for o in ts.own])
    ws_bound = _weighted(cases, [o.bound for o in ts.own])
    eev = ts.average_priced.expected if ts.average_priced is not None else None
    evpi = None if ws is None or rp is None else _yen_apart(rp, ws)
    vss = None if eev is None or rp is None else _yen_apart(eev, rp)
    return {
        "stochastic_cost_jpy": rp,
        "stochastic_bound_jpy": rp_bound,
        "wait_and_see_cost_jpy": ws,
        "wait_and_see_bound_jpy": ws_bound,
        "average_plan_cost_jpy": eev,
        "evpi_jpy": evpi,
        "evpi_range_jpy": _range(rp_bound, ws, rp, ws_bound),
        "vss_jpy": vss,
        "vss_range_jpy": _range(eev, rp, eev, rp_bound),
    }


def _weighted(cases: list[Case], values: list[float | None]) -> float | None:
    if any(v is None or not math.isfinite(v) for v in values):
        return None
    return sum(c.weight * v for c, v in zip(cases, values, strict=True))


def _range(a: float | None, b: float | None, c: float | None, d: float | None) -> list | None:
    """[max(0, a - b), c - d]: the least and the most a difference of two optima can be,
    from the plans found (upper ends) and the bounds proved (lower ends)."""
    if None in (a, b, c, d):
        return None
    return [max(0.0, _yen_apart(a, b)), max(0.0, _yen_apart(c, d))]


def _yen_apart(a: float, b: float) -> float:
    """a - b, with 0 for less than a yen (the same plan priced by two LPs)."""
    return 0.0 if abs(a - b) < 1.0 else a - b


def _between(pair: list | None) -> str:
    """A value known within a range, as the brief words it."""
    from hubnet.units import yen

    if pair is None:
        return "-"
    lo, hi = pair
    if hi - lo < 1.0:
        return yen(lo)
    return f"between {yen(lo)} and {yen(hi)} (the gaps of the solves)"


def two_stage_lines(summary: dict, plan: pd.DataFrame) -> list[str]:
    """The brief of a two-stage run, as the command line prints it."""
    from hubnet.units import yen

    unit = "net present cost" if "year" in plan.columns else "cost a year"
    lines = [
        f"Expected {unit} of the shared plan: {yen(summary['stochastic_cost_jpy'])}",
        f"Knowing the future in advance (wait-and-see): {yen(summary['wait_and_see_cost_jpy'])}",
        f"Value of perfect information (EVPI): {_between(summary['evpi_range_jpy'])}",
        f"The average future's plan in these futures: "
        f"{yen(summary['average_plan_cost_jpy'], missing='infeasible in some future')}",
        f"Value of the stochastic solution (VSS): {_between(summary['vss_range_jpy'])}",
    ]
    opened = [
        f"{r.facility} ({r.level})" + (f" {r.year}" if "year" in plan.columns else "")
        for r in plan.itertuples(index=False)
    ]
    lines.append("Shared plan: " + (", ".join(opened) if opened else "no new level"))
    return lines


def run_futures(
    instance_dir: Path | str,
    futures: Sequence[Path],
    weights: Sequence[float] | None = None,
    options: RunOptions | None = None,
    progress: Callable[[Progress], None] | None = None,
    own_solver: Callable[[list[Case], SolveOptions], list[Own]] | None = None,
) -> RunRecord:
    """`hubnet solve INSTANCE --futures ...`: the two-stage plan, end to end, into one
    results folder (default results/<instance>/two-stage)."""
    options = options or RunOptions()
    timer = Timer()
    with timer.stage("read"):
        cases = read_futures(instance_dir, futures, weights)
    first = cases[0].instance
    out = options.out_dir or options.results_root / first.name / "two-stage"
    with timer.stage("solve"):
        ts = solve_two_stage(cases, options.solve, progress, own_solver)
    r = ts.report
    record = RunRecord(
        first.name, "two-stage", r.status.value, r.objective, r.best_bound, r.gap, None,
        timer.times, [], r,
    )  # fmt: skip
    if not r.status.has_solution:
        record.message = f"no solution: {r.headline}{_why_none(cases, ts, options.solve)}"
        return record
    if options.write:
        with atomic_folder(out) as tmp:
            write_two_stage(tmp, out, cases, ts, options, timer, record)
        record.result_dir = out
    return record


def _why_none(cases: list[Case], ts: TwoStage, options: SolveOptions) -> str:
    """The futures with no plan of their own, and the diagnosis of the first (single-year)."""
    from hubnet.run import diagnose

    alone = [c for c, o in zip(cases, ts.own, strict=True) if o.report.status is Status.INFEASIBLE]
    if not alone:
        return ""
    text = f"; no plan on its own: {', '.join(c.name for c in alone)}"
    first = alone[0]
    if first.instance.periods is None:
        text += f"\n{first.name}: {diagnose(first.instance, first.years[0].lanes, options)}"
    return text


def write_two_stage(
    tmp: Path,
    out: Path,
    cases: list[Case],
    ts: TwoStage,
    options: RunOptions,
    timer: Timer,
    record: RunRecord,
) -> None:
    """plan.csv, futures.csv, summary.json and futures/<name>/ (each checked) into `tmp`."""
    plan = shared_plan_table(ts, cases[0])
    for c in cases:
        rec = _future_folder(tmp / "futures" / c.name, out, c, ts, options, plan)
        record.violations += [
            dataclasses.replace(v, ids=f"{c.name}: {v.ids}") for v in rec.violations
        ]
        if c is cases[0]:
            record.solution = rec.solution
    summary = {
        **run_header(cases[0].instance, "two-stage", None, ts.report),
        "gap": ts.report.gap,
        "futures": [
            {"name": c.name, "weight": c.weight, "scenario_file": str(c.file.resolve())}
            for c in cases
        ],
        **values_of_uncertainty(cases, ts),
        "times_s": {k: round(v, 4) for k, v in timer.times.items()},
        "check": {
            "passed": not record.violations,
            "violations": [str(v) for v in record.violations],
        },
    }
    summary["brief_lines"] = two_stage_lines(summary, plan)
    if ts.no_average is not None:
        summary["brief_lines"].append(f"No average future: {ts.no_average}")
    write_tables(tmp, {"plan": plan, "futures": futures_table(cases, ts)}, summary)


def _future_folder(
    folder: Path, out: Path, case: Case, ts: TwoStage, options: RunOptions, plan: pd.DataFrame
) -> RunRecord:
    """The shared plan operated in one future: an ordinary results folder, checked (its
    levels must be plan.csv's)."""
    from hubnet.results.check_plan import check_plan_kept
    from hubnet.run import finish_roadmap, finish_single

    cost = ts.by_future[case.name]
    report = dataclasses.replace(ts.report, objective=cost, best_bound=None, gap=None)
    ctx = RunContext(
        case.instance,
        case.name,
        case.file,
        dataclasses.replace(options, out_dir=folder),
        Timer(),
        extra={"shared_plan": {"result_dir": str(out), "weight": case.weight}},
        also_check=lambda tables: check_plan_kept(plan, tables["facilities"]),
    )
    block = ts.model.future[case.name]
    if case.instance.periods is None:
        y = case.years[0]
        built = (block.period[y.year], y.period.data, y.lanes)
        return finish_single(ctx, built, report, weight=case.weight)
    horizon = Horizon(block, report, "perfect", None, (), weight=case.weight)
    return finish_roadmap(ctx, horizon, list(case.years))


@contextlib.contextmanager
def dask_solver(workers: int, scheduler_address: str | None) -> Iterator:
    """An `own_solver` that solves the futures (and the average future) alone on a Dask
    cluster, as batches do; None (one after another, here) without workers or scheduler."""
    if not workers and not scheduler_address:
        yield None
        return
    from hubnet.batch import dask_client

    with dask_client(workers, scheduler_address) as client:

        def solver(cases: list[Case], options: SolveOptions) -> list[Own]:
            jobs = [client.submit(own_optimum, c, options, key=f"own-{c.name}") for c in cases]
            return client.gather(jobs)

        yield solver


__all__ = [
    "Case",
    "Own",
    "TwoStage",
    "dask_solver",
    "read_futures",
    "run_futures",
    "solve_two_stage",
]
