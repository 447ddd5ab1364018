"""The average future: every number of the futures replaced by its weighted mean.

This is the "expected value" problem of the value of the stochastic solution (Birge 1982;
Birge & Louveaux, Introduction to Stochastic Programming, ch. 4): the plan built for the
average future, operated in each future, is what a stochastic plan is measured against.

The futures are scenarios already applied to one base instance (`hubnet.run.prepare`). The
weights must be positive (any sum; they are normalised to sum 1). The rules, so that a planner
can predict the average future:

- Tables: every table must have the same rows in every future, in the same order, with the
  same value in every column that is not a number (ids, names, roles, lists, a roadmap's
  `year`). Number columns (float and share) become the weighted mean row by row; a cell empty
  in every future stays empty, and a cell equal in every future keeps its value exactly. A
  future that adds, removes or re-keys rows (`add_site`, a changed id), changes a text, or
  leaves a number cell empty where another gives one cannot be averaged: an `InputError`
  names the table, the two futures, the first differing row and column.
- Settings (`[policy]`, `[collection]`): numbers are averaged; a setting empty in one future
  and a number in another is an error, and so are booleans, integers (`nearest_hubs`) and
  texts that differ. One exception: a region without an import permit in a future counts as a
  permit equal to everything that future offers from the region (the sum of
  `imports.available_t_per_yr` over the region's origins), so that a ban in one future of two
  at weight 1/2 averages to half the offer. A region without a permit in every future stays
  without one.
- Roadmaps: the planning years, discount rate, last period and foresight must be equal. The
  settings are averaged year by year: at each planning year the futures' settings as they hold
  then (`Instance.at(year)`, `[policy.from_year.Y]` applied) are averaged by the rules above;
  the average future's `[policy]` is the first year's, and its `[policy.from_year.Y]` lists
  what changes at each later planning year. Tables are averaged with their `year` column as a
  key, so the average future at any planning year is the average of the futures at that year
  (`average_years` gives those single-year views).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hubnet.errors import InputError, Issue
from hubnet.instance.core import Collection, Instance, Policy
from hubnet.instance.periods import Periods, policy_changes_at, table_at
from hubnet.instance.schema import SETTINGS, TABLE_BY_NAME, TABLES

PERMITS = "import_permits_t_per_yr"
TITLE = "the futures cannot be averaged"
SAME_ROWS = "the same rows in every future: the average future averages numbers, row by row"
SAME_SETTING = "the same value in every future: the average future averages only numbers"
NUMBER_IN_ALL = "a number in every future or in none: the average future averages numbers"


@dataclass(frozen=True, slots=True)
class Futures:
    """Futures applied to one base instance, their weights (normalised) and file names."""

    instances: tuple[Instance, ...]
    weights: tuple[float, ...]
    files: tuple[str, ...]


def average_instance(
    instances: Sequence[Instance], weights: Sequence[float], files: Sequence[str]
) -> Instance:
    """The average future of `instances` (see the module's rules); an `InputError` lists every
    table and setting that cannot be averaged."""
    fut = _futures(instances, weights, files)
    issues = _periods_issues(fut)
    if issues:
        raise InputError(issues, title=TITLE)
    tables: dict[str, pd.DataFrame] = {}
    for t in TABLES:
        tables[t.name], more = _average_table(t.name, fut)
        issues += more
    collection, more = _average_collection(fut)
    issues += more
    policy, from_year, more = _average_policy(fut)
    issues += more
    if issues:
        raise InputError(issues, title=TITLE)
    first = fut.instances[0]
    shares = ", ".join(f"{f} {w:.4g}" for f, w in zip(fut.files, fut.weights, strict=True))
    return first.replace(
        description=f"The average future of {first.name}: {shares}.",
        collection=collection,
        policy=policy,
        policy_from_year=from_year,
        **tables,
    )


def average_years(
    instances: Sequence[Instance], weights: Sequence[float], files: Sequence[str]
) -> dict[int, Instance]:
    """Roadmap futures: planning year -> the average of the futures' single-year views at that
    year (equal to `average_instance(...).at(year)`)."""
    fut = _futures(instances, weights, files)
    issues = _periods_issues(fut)
    if issues:
        raise InputError(issues, title=TITLE)
    periods = fut.instances[0].periods
    if periods is None:
        raise ValueError("average_years needs roadmap futures; use average_instance")
    return {
        y: average_instance([i.at(y) for i in fut.instances], fut.weights, fut.files)
        for y in periods.years
    }


def _futures(
    instances: Sequence[Instance], weights: Sequence[float], files: Sequence[str]
) -> Futures:
    """Checked futures: one weight and one file name per instance, weights positive."""
    n = len(instances)
    if n == 0:
        raise InputError(Issue("futures", None, None, None, "at least one future"), title=TITLE)
    if len(weights) != n or len(files) != n:
        issue = Issue("weights", None, None, list(weights), f"{n} weights, one per future")
        raise InputError(issue, title=TITLE)
    bad = [
        Issue(f, None, "weight", w, "a positive number (weights are normalised to sum 1)")
        for f, w in zip(files, weights, strict=True)
        if isinstance(w, bool) or not isinstance(w, numbers.Real) or not (0 < w < math.inf)
    ]
    if bad:
        raise InputError(bad, title="invalid weights of the futures")
    total = float(sum(weights))
    return Futures(tuple(instances), tuple(float(w) / total for w in weights), tuple(files))


def _periods_issues(fut: Futures) -> list[Issue]:
    first = fut.instances[0].periods
    return [
        Issue(
            f"instance.toml of {f}",
            None,
            "periods",
            _periods_text(inst.periods),
            f"{_periods_text(first)} as in {fut.files[0]} (the same planning years in every "
            "future)",
        )
        for f, inst in zip(fut.files[1:], fut.instances[1:], strict=True)
        if inst.periods != first
    ]


def _periods_text(p: Periods | None) -> str:
    if p is None:
        return "no periods (a single-year instance)"
    years = ", ".join(map(str, p.years))
    return (
        f"years {years}, discount rate {p.discount_rate:g}, last period {p.last_period_years} "
        f"years, foresight {p.foresight}"
    )


# --- tables ---------------------------------------------------------------------------------


def _number_columns(name: str, df: pd.DataFrame) -> list[str]:
    t = TABLE_BY_NAME[name]
    declared = {c.name for c in t.columns if c.type in ("float", "share")}
    return [c for c in df.columns if c in declared]


def _average_table(name: str, fut: Futures) -> tuple[pd.DataFrame, list[Issue]]:
    """The table with its number columns averaged; an issue per future whose rows differ from
    the first future's."""
    frames = [inst.table(name) for inst in fut.instances]
    numbers = _number_columns(name, frames[0])
    issues = [
        issue
        for f, df in zip(fut.files[1:], frames[1:], strict=True)
        if (issue := _first_difference(name, frames[0], df, numbers, (fut.files[0], f)))
    ]
    if issues or len(frames) == 1:
        return frames[0], issues
    out = frames[0].copy()
    w = np.asarray(fut.weights)
    for col in numbers:
        values = np.stack([df[col].to_numpy(dtype=float) for df in frames])
        same = (values == values[0]).all(axis=0)
        out[col] = np.where(same, values[0], w @ values)
    return out, []


def _first_difference(
    name: str, a: pd.DataFrame, b: pd.DataFrame, numbers: list[str], files: tuple[str, str]
) -> Issue | None:
    """The first cell (by row, then column) where future b's table differs from future a's in
    what must be equal: the columns, the row count, a non-number, a number given or empty."""
    fa, fb = files
    where = f"{name}.csv of {fb}"
    if list(a.columns) != list(b.columns):
        expected = f"the columns {list(a.columns)} as in {fa} ({SAME_ROWS})"
        return Issue(where, None, None, list(b.columns), expected)
    n = min(len(a), len(b))
    found: list[tuple[int, int]] = []  # (row, column position) of each column's first difference
    for j, col in enumerate(a.columns):
        va, vb = a[col].to_numpy()[:n], b[col].to_numpy()[:n]
        if col in numbers:
            rows = np.flatnonzero(pd.isna(va) != pd.isna(vb))
            first = int(rows[0]) if len(rows) else None
        else:
            first = next((i for i in range(n) if not _same(va[i], vb[i])), None)
        if first is not None:
            found.append((first, j))
    if found:
        i, j = min(found)
        col = a.columns[j]
        va, vb = _plain(a[col].iloc[i]), _plain(b[col].iloc[i])
        why = NUMBER_IN_ALL if col in numbers else SAME_ROWS
        shown = "empty" if _is_na(va) else repr(va)
        return Issue(where, i + 2, col, _shown(vb), f"{shown} as in {fa} ({why})")
    if len(a) != len(b):
        col = a.columns[0]
        got = None if len(b) < len(a) else _shown(_plain(b[col].iloc[n]))
        expected = f"{len(a)} rows as in {fa}, {len(b)} here ({SAME_ROWS})"
        return Issue(where, n + 2, col, got, expected)
    return None


def _is_na(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _same(x: object, y: object) -> bool:
    if _is_na(x) or _is_na(y):
        return _is_na(x) and _is_na(y)
    return bool(x == y)


def _plain(v: object) -> object:
    """A numpy scalar as the Python value it holds (messages show 0.3, not np.float64(0.3))."""
    return v.item() if isinstance(v, np.generic) else v


def _shown(v: object) -> object:
    """A cell as a message shows it: a list as the CSV writes it, an empty cell as 'empty'."""
    if isinstance(v, tuple):
        return ";".join(map(str, v))
    return "empty" if _is_na(v) else v


# --- settings -------------------------------------------------------------------------------


def _average_collection(fut: Futures) -> tuple[Collection, list[Issue]]:
    values, issues = _average_fields(
        "collection", [i.collection for i in fut.instances], fut, where=""
    )
    return dataclasses.replace(fut.instances[0].collection, **values), issues


def _average_fields(
    section: str, objs: list[object], fut: Futures, where: str
) -> tuple[dict[str, object], list[Issue]]:
    """Each field of a settings dataclass (not the permits) averaged by the rules."""
    out: dict[str, object] = {}
    issues: list[Issue] = []
    for f in dataclasses.fields(objs[0]):  # type: ignore[arg-type]
        if f.name == PERMITS:
            continue
        key = f"{section}.{f.name}{where}"
        number = SETTINGS[section][f.name][0] in ("float", "share")
        value, issue = _average_value(key, [getattr(o, f.name) for o in objs], number, fut)
        out[f.name] = value
        if issue is not None:
            issues.append(issue)
    return out, issues


def _average_value(
    key: str, values: list[object], number: bool, fut: Futures
) -> tuple[object, Issue | None]:
    """One setting across the futures: the weighted mean of numbers, else one common value."""
    if all(_same(v, values[0]) for v in values):
        return values[0], None
    empty = [_is_na(v) for v in values]
    if number and not any(empty):
        return float(np.dot(fut.weights, [float(v) for v in values])), None  # type: ignore[arg-type]
    i = next(i for i, v in enumerate(values) if not _same(v, values[0]))
    why = NUMBER_IN_ALL if number else SAME_SETTING
    shown = "empty" if empty[0] else repr(values[0])
    issue = Issue(
        f"instance.toml of {fut.files[i]}",
        None,
        key,
        _shown(values[i]),
        f"{shown} as in {fut.files[0]} ({why})",
    )
    return values[0], issue


def _average_policy(fut: Futures) -> tuple[Policy, dict[int, dict[str, object]], list[Issue]]:
    """The average policy; for a roadmap the first year's, with the changes at each later
    planning year (each year averaged on its own)."""
    periods = fut.instances[0].periods
    if periods is None:
        policy, issues = _policy_of(fut, [i.policy for i in fut.instances], None)
        return policy, {}, issues
    by_year: dict[int, Policy] = {}
    issues: list[Issue] = []
    seen: set[str] = set()
    for y in periods.years:
        by_year[y], more = _policy_of(fut, [_policy_at(i, y) for i in fut.instances], y)
        for issue in more:  # a setting that differs in every year: named at its first
            key = (issue.column or "").partition(" (at ")[0]
            if key not in seen:
                seen.add(key)
                issues.append(issue)
    first = by_year[periods.years[0]]
    from_year = {}
    for prev, y in zip(periods.years, periods.years[1:], strict=False):
        changes = _changes(by_year[prev], by_year[y])
        if changes:
            from_year[y] = changes
    return first, from_year, issues


def _policy_at(inst: Instance, year: int) -> Policy:
    """The policy holding at `year` (as `Instance.at` gives it, without the tables)."""
    settings, permits = policy_changes_at(inst.policy_from_year, year)
    merged = {**inst.policy.import_permits_t_per_yr, **permits}
    return dataclasses.replace(inst.policy, **settings, import_permits_t_per_yr=merged)


def _policy_of(fut: Futures, policies: list[Policy], year: int | None) -> tuple[Policy, list]:
    where = "" if year is None else f" (at {year})"
    values, issues = _average_fields("policy", policies, fut, where)
    permits = _average_permits(fut, policies, year)
    return dataclasses.replace(policies[0], **values, import_permits_t_per_yr=permits), issues


def _average_permits(fut: Futures, policies: list[Policy], year: int | None) -> dict[str, float]:
    """Permits by region averaged; a region without a permit in a future counts as all that
    future offers from it."""
    regions = sorted({r for p in policies for r in p.import_permits_t_per_yr})
    out: dict[str, float] = {}
    for r in regions:
        values = [
            p.import_permits_t_per_yr[r]
            if r in p.import_permits_t_per_yr
            else _offered(inst, r, year)
            for inst, p in zip(fut.instances, policies, strict=True)
        ]
        if all(v == values[0] for v in values):
            out[r] = float(values[0])  # type: ignore[arg-type]
        else:
            out[r] = float(np.dot(fut.weights, values))
    return out


def _offered(inst: Instance, region: str, year: int | None) -> float:
    """Tonnes a year offered from the origins of `region` (at `year` in a roadmap)."""
    imports, sites = inst.imports, inst.sites
    if year is not None:
        imports = table_at(imports, TABLE_BY_NAME["imports"].key, year)
        sites = table_at(sites, TABLE_BY_NAME["sites"].key, year)
    ids = set(sites.loc[sites["region"] == region, "id"])
    return float(imports.loc[imports["site"].isin(ids), "available_t_per_yr"].sum())


def _changes(before: Policy, after: Policy) -> dict[str, object]:
    """What a `[policy.from_year.Y]` section must set to go from `before` to `after`."""
    out: dict[str, object] = {
        f.name: getattr(after, f.name)
        for f in dataclasses.fields(Policy)
        if f.name != PERMITS and not _same(getattr(before, f.name), getattr(after, f.name))
    }
    old = before.import_permits_t_per_yr
    permits = {r: v for r, v in after.import_permits_t_per_yr.items() if old.get(r) != v}
    if permits:
        out[PERMITS] = permits
    return out
