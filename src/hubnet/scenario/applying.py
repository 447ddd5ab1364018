"""Applying a resolved scenario to an instance: a new `Instance`, the input untouched."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

from hubnet.errors import Issue, ScenarioError
from hubnet.instance.core import Instance
from hubnet.instance.periods import Periods
from hubnet.instance.schema import TABLE_BY_NAME
from hubnet.instance.validate import (
    check_coordinates,
    check_informal,
    check_keys,
    check_levels,
    cross_checks_by_year,
)
from hubnet.scenario.core import KIND_ORDER, Override, Scenario
from hubnet.scenario.overrides import APPLY
from hubnet.scenario.reading import load
from hubnet.scenario.roadmap import finish
from hubnet.scenario.state import State
from hubnet.scenario.sweep import expand


def apply_scenario_file(instance: Instance, path: Path | str) -> tuple[Instance, str]:
    """Apply a scenario file (or `file#run` of a sweep, as summary.json records it)."""
    path = Path(path)
    if not path.exists() and "#" in path.name:
        file, run = str(path).rsplit("#", 1)
        for member in expand(file):
            if member.name == run:
                return apply(instance, member), member.name
        raise ScenarioError(
            Issue(Path(file).name, None, None, run, "a run of this sweep"),
            title="scenario run not found",
        )
    scenario = load(path)
    return apply(instance, scenario), scenario.name


def apply(instance: Instance, scenario: Scenario) -> Instance:
    """A copy of `instance` with every override of `scenario` applied (the input is untouched).

    Kinds apply in this order: add_site, set (settings, then whole columns, then single
    rows), update, scale, ban; within a kind, in the order written (a base file first).
    Every override is logged. Whatever names an unknown table, column, id, region or key is
    an error naming the scenario file and the key; afterwards the instance checks that an
    override can break (types and ranges, keys, references, roles, levels, informal
    channels given whole) run again.
    Priority: CLI flags > scenario > instance.toml > defaults.
    """
    if scenario.is_sweep:
        n = math.prod(len(v) for _, _, v in scenario.axes)
        raise ScenarioError(
            [
                Issue(scenario.overrides[i].file, None, scenario.overrides[i].key, v, "one value")
                for i, _, v in scenario.axes
            ],
            title=f"scenario {scenario.name} is a sweep of {n} runs: run it with `hubnet batch`",
        )
    state = State(instance)
    ordered = sorted(
        scenario.overrides,
        key=lambda o: (KIND_ORDER.index(o.kind), _set_rank(o) if o.kind == "set" else 0),
    )
    for o in ordered:
        APPLY[o.kind](state, o, scenario.name)
    periods = finish(state)
    # an override with a problem changed nothing, so the tables are still typed: check them
    file = scenario.path.name if scenario.path else scenario.name
    state.issues.extend(_recheck(state, file, periods))
    if state.issues:
        raise ScenarioError(state.issues, title=f"scenario {scenario.name} is not valid")
    changes: dict[str, object] = {t: state.tables[t] for t in state.copied}
    if state.collection:
        changes["collection"] = dataclasses.replace(instance.collection, **state.collection)
    if state.policy or state.permits != instance.policy.import_permits_t_per_yr:
        changes["policy"] = dataclasses.replace(
            instance.policy, **state.policy, import_permits_t_per_yr=state.permits
        )
    if periods != instance.periods:
        changes["periods"] = periods
    if state.from_year != instance.policy_from_year:
        changes["policy_from_year"] = state.from_year
    return instance.replace(**changes)


def _set_rank(o: Override) -> int:
    """Settings first, then whole columns, then single rows: the more specific key wins."""
    head, _, rest = o.spec["target"].partition(".")
    if head not in TABLE_BY_NAME:
        return 0
    return 1 if "." not in rest else 2


def _recheck(state: State, file: str, periods: Periods | None) -> list[Issue]:
    """The instance checks an override can break, over the changed tables (at each planning
    year of a roadmap)."""
    tables = state.tables
    found: list[Issue] = []
    for name in sorted(state.copied):
        found.extend(check_keys(TABLE_BY_NAME[name], tables[name]))
    found += check_coordinates(tables["sites"])
    found += check_levels(tables["capacity_levels"])
    found += check_informal(tables["commodities"])
    found += cross_checks_by_year(tables, periods)
    return [
        Issue(
            file,
            None,
            f"{Path(i.file).stem}.{i.column}" if i.column else Path(i.file).stem,
            i.value,
            f"{i.expected} (after applying the scenario: {i.file} row {i.row})",
        )
        for i in found
    ]
