"""A fixed network tested against another future: the levels a solved run opened (per year
for a roadmap) are kept, everything else (collection, flows, imports, exports) is
re-optimised under a scenario, and the result is an ordinary results folder whose
summary.json names the plan it evaluated (`evaluated_plan`).

A level the plan opened that the scenario's instance no longer has, or a kept network that
cannot meet the scenario's rules, is an infeasible run with its diagnosis, not an error.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyomo.environ as pyo

from hubnet.errors import InputError, Issue, ResultsError
from hubnet.export.tables import has_tables, read_summary, read_table
from hubnet.instance import Instance
from hubnet.report import SolveOptions, SolveReport, Status
from hubnet.results.check_plan import check_plan_kept
from hubnet.results.schema import YEAR
from hubnet.run import (
    RunContext,
    RunOptions,
    RunRecord,
    Timer,
    build,
    finish_roadmap,
    finish_single,
    infeasible,
    lanes_of,
    prepare,
    scenario_source,
)

if TYPE_CHECKING:
    from hubnet.scenario import Scenario

#: the termination word of an evaluated run
EVALUATED = "the operations of an evaluated plan's levels, kept fixed"


@dataclass(frozen=True, slots=True)
class Plan:
    """A solved run's network: every level it opened, read from its results folder."""

    result_dir: Path
    summary: dict
    #: facilities.csv of the plan (with `year` in a roadmap)
    facilities: pd.DataFrame
    #: (facility, level), or (year, facility, level) in a roadmap, -> 1.0
    levels: Mapping[tuple, float]

    @property
    def name(self) -> str:
        return str(self.summary.get("scenario") or self.result_dir.name)

    @property
    def years(self) -> tuple[int, ...] | None:
        years = self.summary.get("years")
        return tuple(int(y) for y in years) if years else None

    def entry(self) -> dict:
        """summary.json's `evaluated_plan`: which plan, built for which scenario, at what cost."""
        s = self.summary
        return {
            "result_dir": str(self.result_dir),
            "instance": s.get("instance"),
            "scenario": self.name,
            "scenario_file": s.get("scenario_file"),
            "objective_jpy_per_yr": s.get("objective_jpy_per_yr"),
            "npv_cost_jpy": s.get("npv_cost_jpy"),
        }


def read_plan(result_dir: Path | str) -> Plan:
    """The plan of a solved run's results folder; a folder without one is a ResultsError."""
    folder = Path(result_dir).resolve()
    summary = read_summary(folder)
    where = str(folder / "summary.json")
    if not has_tables(summary):
        status = summary.get("status")
        raise ResultsError(Issue(where, None, "status", status, "a solved run with its tables"))
    if not summary.get("instance_dir"):
        raise ResultsError(Issue(where, None, "instance_dir", None, "the instance folder solved"))
    fac = read_table(folder, "facilities")
    opened = fac[fac["level"] != ""]
    cols = [YEAR] * (YEAR in fac.columns) + ["facility", "level"]
    # a roadmap's key starts with the year, an integer as the model's blocks are indexed
    keys = [
        (int(k[0]), *k[1:]) if len(k) == 3 else k
        for k in opened[cols].itertuples(index=False, name=None)
    ]
    levels = dict.fromkeys(keys, 1.0)
    return Plan(folder, summary, fac, levels)


def evaluate(
    result_dir: Path | str,
    scenario: Path | str | Scenario | None = None,
    options: RunOptions | None = None,
) -> RunRecord:
    """The plan of `result_dir` operated under `scenario` (None: its instance as it is).

    Its folder is `options.out_dir`, else results/<instance>/<plan>-in-<scenario>.
    """
    plan = read_plan(result_dir)
    options = options or RunOptions()
    timer = Timer()
    scenario_path, source = scenario_source(scenario)
    instance, scen = prepare(plan.summary["instance_dir"], source, timer)
    _same_years(plan, instance, scenario_path)
    out = options.out_dir or options.results_root / instance.name / f"{plan.name}-in-{scen}"
    ctx = RunContext(
        instance,
        scen,
        scenario_path,
        dataclasses.replace(options, out_dir=out),
        timer,
        extra={"evaluated_plan": plan.entry()},
        also_check=functools.partial(_kept, plan.facilities),
    )
    if instance.periods is not None:
        return _evaluate_roadmap(ctx, plan)
    return _evaluate_single(ctx, plan)


def _kept(plan: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> list:
    return check_plan_kept(plan, tables["facilities"])


def _same_years(plan: Plan, instance: Instance, scenario_path: Path | None) -> None:
    """A roadmap plan needs a future with the same planning years; a single-year plan, one
    without years."""
    years = tuple(instance.periods.years) if instance.periods is not None else None
    if years == plan.years:
        return
    where = str(scenario_path or plan.summary["instance_dir"])
    want = ", ".join(map(str, plan.years)) if plan.years else "none (a single-year plan)"
    got = ", ".join(map(str, years)) if years else "none"
    expected = f"the planning years of the plan in {plan.result_dir}: {want}"
    raise InputError(Issue(where, None, "years", got, expected), title="cannot evaluate the plan")


def _evaluate_single(ctx: RunContext, plan: Plan) -> RunRecord:
    from hubnet.solve.roadmap import solve_fixed

    model, data, lanes = build(ctx.instance, ctx.timer)
    missing = missing_levels(plan, {None: (ctx.instance, data.level_index)})
    if missing:
        return infeasible(ctx, ctx.record(_not_kept(missing)), _plan_text(ctx, plan, missing))
    report = solve_fixed(model, ctx.options.solve, plan.levels, EVALUATED)
    if report.status is Status.INFEASIBLE:
        text = diagnose_fixed(ctx.instance, lanes, ctx.options.solve, plan.levels)
        return infeasible(ctx, ctx.record(report), f"{_kept_head(plan)}\n{text}")
    return finish_single(ctx, (model, data, lanes), report)


def _evaluate_roadmap(ctx: RunContext, plan: Plan) -> RunRecord:
    from hubnet import roadmap as rm
    from hubnet.model.periods import build_roadmap_model
    from hubnet.solve.roadmap import solve_fixed

    with ctx.timer.stage("network"):
        years = rm.plan_years(ctx.instance, lanes_of)
    missing = missing_levels(plan, {y.year: (y.instance, y.period.data.level_index) for y in years})
    if missing:
        return infeasible(ctx, ctx.record(_not_kept(missing)), _plan_text(ctx, plan, missing))
    with ctx.timer.stage("build"):
        model = build_roadmap_model(ctx.instance.name, [y.period for y in years])
    with ctx.timer.stage("solve"):
        report = solve_fixed(model, ctx.options.solve, plan.levels, EVALUATED)
    if report.status is Status.INFEASIBLE:
        text = _diagnose_years(years, plan, ctx.options.solve)
        return infeasible(ctx, ctx.record(report), f"{_kept_head(plan)}\n{text}")
    foresight = str(plan.summary.get("foresight") or "perfect")
    horizon = rm.Horizon(model, report, foresight, None, ())
    return finish_roadmap(ctx, horizon, years)


def missing_levels(plan: Plan, by_year: Mapping[int | None, tuple[Instance, list]]) -> list[str]:
    """One line per level the plan opened that the scenario's instance (of that year) lacks."""
    out = []
    for key in sorted(plan.levels, key=str):
        *year, f, lv = key
        y = year[0] if year else None
        instance, index = by_year.get(y, (None, []))
        if (f, lv) in set(index):
            continue
        when = f" in {y}" if y is not None else ""
        if instance is None:
            why = f"the scenario has no planning year {y}"
        else:
            why = _why_missing(instance, f, lv)
        out.append(f"  - {f} at level {lv}{when}: {why}")
    return out


def _why_missing(instance: Instance, facility: str, level: str) -> str:
    fac = instance.facilities.set_index("site")
    if facility not in fac.index:
        return f"{facility} is not a facility of the scenario's instance"
    if fac.at[facility, "status"] == "closed":
        return f"{facility} is closed in the scenario"
    return f"{facility} has no level {level} in the scenario's instance"


def _not_kept(missing: list[str]) -> SolveReport:
    """The report of a plan that cannot even be set up: no model was solved."""
    return SolveReport(
        status=Status.INFEASIBLE,
        termination=f"the plan opens {len(missing)} level(s) the scenario's instance lacks",
        objective=None,
        best_bound=None,
        gap=None,
        handoff_s=0.0,
        solve_s=0.0,
        n_variables=0,
        n_binaries=0,
        n_constraints=0,
        n_nonzeros=0,
    )


def _kept_head(plan: Plan) -> str:
    return f"The network of {plan.result_dir} (built for {plan.name}) is kept fixed."


def _plan_text(ctx: RunContext, plan: Plan, missing: list[str]) -> str:
    return "\n".join(
        [
            f"{_kept_head(plan)} It cannot be operated under {ctx.scenario}: it opened "
            "levels the scenario's instance no longer has:",
            *missing,
        ]
    )


def diagnose_fixed(
    instance: Instance, lanes: pd.DataFrame, options: SolveOptions, levels: Mapping[tuple, float]
) -> str:
    """`run.diagnose` with the plan's levels held at their values (bounds, not variables):
    which of the scenario's rules the kept network cannot meet."""
    from hubnet.model import VALID_INEQUALITIES, build_model
    from hubnet.results.diagnosis import explain
    from hubnet.solve import conflicts_of

    model, data = build_model(instance, lanes, skip=VALID_INEQUALITIES, diagnostic=True)
    for f, lv in data.level_index:
        v = model.open_level[f, lv]
        x = 1.0 if levels.get((f, lv), 0.0) > 0.5 else 0.0
        v.domain = pyo.NonNegativeReals
        v.setlb(x)
        v.setub(x)
    method, conflicts = conflicts_of(model, options)
    # a level held by the plan is the premise, not one of the rules in conflict
    conflicts = [c for c in conflicts if c.family != "open_level"]
    return explain(conflicts, method, instance, data)


def _diagnose_years(years: list, plan: Plan, options: SolveOptions) -> str:
    """The first year whose rules the plan's levels of that year cannot meet, diagnosed; else
    the years together: the plan's levels shrink under this scenario (Eq. 14a)."""
    from hubnet.model import build_model
    from hubnet.solve.roadmap import solve_fixed

    for y in years:
        mine = {k[1:]: x for k, x in plan.levels.items() if k[0] == y.year}
        model, _ = build_model(y.instance, y.lanes)
        if solve_fixed(model, options, mine).status is Status.INFEASIBLE:
            return f"{y.year}: " + diagnose_fixed(y.instance, y.lanes, options, mine)
    return (
        "Every year can be operated with the plan's levels of that year, but not the years "
        "together: under this scenario a level of the plan falls below the one the year before "
        "had (levels stay once reached, Eq. 14a)."
    )


__all__ = ["EVALUATED", "Plan", "diagnose_fixed", "evaluate", "missing_levels", "read_plan"]
