"""Scenario overrides of a roadmap's settings: `[periods]` keys and `[policy.from_year.Y]`."""

from __future__ import annotations

import logging

import pandas as pd

from hubnet.instance.periods import YEAR, Periods
from hubnet.instance.schema import SETTINGS, TABLES
from hubnet.instance.settings import PERMITS, parse_from_year, parse_periods
from hubnet.scenario.core import FROM_YEAR, PERIODS, Override
from hubnet.scenario.state import State, override_issue

logger = logging.getLogger("hubnet.scenario")


def is_roadmap_target(target: str) -> bool:
    return target.startswith((f"{PERIODS}.", f"{FROM_YEAR}."))


def set_roadmap(state: State, o: Override, scen: str) -> None:
    """`periods.<key>` or `policy.from_year.<Y>.<key>[.<region>]`, checked as instance.toml
    checks them (the periods as a whole once every override is in: see `finish`)."""
    target, value = o.spec["target"], o.spec["value"]
    if target.startswith(f"{PERIODS}."):
        key = target.removeprefix(f"{PERIODS}.")
        if key not in SETTINGS[PERIODS]:
            state.flag(o, "", key, "a key of [periods] (" + ", ".join(SETTINGS[PERIODS]) + ")")
            return
        state.periods[key] = (o, value)
        logger.info("scenario %s: %s = %r", scen, target, value)
        return
    nested: dict = {}
    node = nested
    parts = target.removeprefix(f"{FROM_YEAR}.").split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    changes, bad = parse_from_year(nested)
    if bad:
        state.issues.extend(override_issue(o, "", value, i.expected) for i in bad)
        return
    for year, values in changes.items():
        held = state.from_year.setdefault(year, {})
        permits: dict = dict(held.get(PERMITS, {}))  # type: ignore[call-overload]
        permits.update(values.pop(PERMITS, {}))  # type: ignore[call-overload]
        held.update(values)
        if permits:
            held[PERMITS] = permits
    state.from_year_set = o
    logger.info("scenario %s: %s = %r", scen, target, value)


def finish(state: State) -> Periods | None:
    """The periods after the scenario (issues if they or a from_year without them are bad);
    a scenario making a roadmap of a single-year instance gives every yearly table a year."""
    periods = state.instance.periods
    if state.periods:
        merged: dict[str, object] = {}
        if periods is not None:
            merged = {
                "years": list(periods.years),
                "discount_rate": periods.discount_rate,
                "last_period_years": periods.last_period_years,
                "foresight": periods.foresight,
            }
        merged.update({k: v for k, (_, v) in state.periods.items()})
        periods, bad = parse_periods(merged)
        for i in bad:
            key = (i.column or "").removeprefix(f"{PERIODS}.")
            o = (
                state.periods[key][0]
                if key in state.periods
                else next(iter(state.periods.values()))[0]
            )
            state.issues.append(override_issue(o, "", i.value, f"{i.expected} (periods.{key})"))
    if periods is None and state.from_year and state.from_year_set is not None:
        state.flag(state.from_year_set, "", None, "[periods] in the instance or the scenario")
    if periods is not None:
        _with_year_columns(state)
    return periods


def _with_year_columns(state: State) -> None:
    """Every yearly table with a nullable-integer year column (rows added without one: none)."""
    for t in (t for t in TABLES if t.yearly):
        df = state.tables[t.name]
        if YEAR in df.columns and df[YEAR].dtype == "Int64":
            continue
        years = df[YEAR] if YEAR in df.columns else pd.Series(pd.NA, index=df.index)
        state.writable(t.name)[YEAR] = pd.array(years, dtype="Int64")
