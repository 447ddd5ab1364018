"""The tables being changed by a scenario, and the look-ups every kind of override shares."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from hubnet.errors import Issue
from hubnet.instance.core import Instance
from hubnet.instance.schema import TABLE_BY_NAME, TABLES, Column, Table
from hubnet.instance.validate import coerce_column
from hubnet.scenario.core import Override


class State:
    """The tables and settings being changed (copied on first write: the input is untouched)."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.tables: dict[str, pd.DataFrame] = {t.name: instance.table(t.name) for t in TABLES}
        self.copied: set[str] = set()
        self.collection: dict[str, object] = {}
        self.policy: dict[str, object] = {}
        self.permits = dict(instance.policy.import_permits_t_per_yr)
        #: roadmap settings: [periods] key -> (override, value); from_year as the instance's
        self.periods: dict[str, tuple[Override, object]] = {}
        self.from_year = {y: dict(v) for y, v in instance.policy_from_year.items()}
        self.from_year_set: Override | None = None
        self.issues: list[Issue] = []

    def writable(self, table: str) -> pd.DataFrame:
        if table not in self.copied:
            self.tables[table] = self.tables[table].copy()
            self.copied.add(table)
        return self.tables[table]

    def flag(self, o: Override, suffix: str, value: object, expected: str) -> None:
        """Record an issue with override `o` (its key + suffix names the field)."""
        self.issues.append(override_issue(o, suffix, value, expected))

    def origin_regions(self) -> list[str]:
        sites = self.tables["sites"]
        return sorted(set(sites.loc[sites["kind"] == "origin", "region"]) - {""})


def typed_values(table: Table, col: Column, values: list[object]) -> tuple[pd.Series, list[Issue]]:
    """TOML values -> the column's type, through the reader's own coercion (same checks)."""
    return coerce_column(table, col, pd.Series([toml_text(v) for v in values], dtype=object))


def toml_text(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, tuple | list):
        return ";".join(str(x) for x in v)
    return repr(v) if isinstance(v, float) else str(v)


def override_issue(o: Override, suffix: str, value: object, expected: str) -> Issue:
    return Issue(o.file, None, o.key + suffix, value, expected)


def known_values(values: Iterable[object], n: int = 8) -> str:
    vals = sorted({str(v) for v in values} - {"", "nan"})
    if not vals:
        return "none in this instance"
    return ", ".join(vals[:n]) + (f", … ({len(vals)} in all)" if len(vals) > n else "")


def table_column(
    state: State, o: Override, table: object, column: object, numeric: bool = False
) -> tuple[Table, Column] | None:
    suffix = "" if o.kind == "set" else ".table"
    if table not in TABLE_BY_NAME:
        state.flag(o, suffix, table, "a table: " + known_values(TABLE_BY_NAME, 20))
        return None
    t = TABLE_BY_NAME[str(table)]
    names = [c.name for c in t.columns if not numeric or c.type in ("float", "share")]
    if column not in names:
        what = "a numeric column of " if numeric else "a column of "
        suffix = "" if o.kind == "set" else ".column"
        state.flag(o, suffix, column, what + f"{t.file}: " + ", ".join(names))
        return None
    return t, t.column(str(column))


def _site_column(t: Table) -> str | None:
    refs = [c.name for c in t.columns if c.references == ("sites", "id")]
    return refs[0] if len(refs) == 1 else None


def matching_rows(state: State, o: Override, t: Table) -> pd.Series | None:
    """Rows of `t` matching `where` (all rows without one); unknown columns/values are issues."""
    df = state.tables[t.name]
    mask = pd.Series(True, index=df.index)
    ok = True
    for col, want in (o.spec.get("where") or {}).items():
        wants = want if isinstance(want, list) else [want]
        key = f".where.{col}"
        if col == "region" and "region" not in df.columns:
            site_col = _site_column(t)
            if site_col is None:
                state.flag(o, key, col, f"a column of {t.file} (no region here)")
                ok = False
                continue
            sites = state.tables["sites"]
            region = df[site_col].map(dict(zip(sites["id"], sites["region"], strict=True)))
            have = region
        elif col in df.columns:
            have = df[col]
        else:
            cols = [c.name for c in t.columns] + (["region"] if _site_column(t) else [])
            state.flag(o, key, col, f"a column of {t.file}: " + ", ".join(cols))
            ok = False
            continue
        if pd.api.types.is_integer_dtype(have):  # the year column of a roadmap
            try:
                wants = [int(w) for w in wants]
            except (TypeError, ValueError):
                state.flag(o, key, want, "integers")
                ok = False
                continue
        elif pd.api.types.is_float_dtype(have):
            try:
                wants = [float(w) for w in wants]
            except (TypeError, ValueError):
                state.flag(o, key, want, "numbers")
                ok = False
                continue
        else:
            wants = [str(w) for w in wants]
        present = set(have.dropna())
        for w in wants:
            if w not in present:
                what = "a region of the sites in " if col == "region" else "a value of "
                state.flag(o, key, w, f"{what}{t.file} ({known_values(present)})")
                ok = False
        mask &= have.isin(wants).fillna(False).astype(bool)
    if not ok:
        return None
    if not mask.any():
        state.flag(o, ".where", o.spec.get("where"), "a filter some row matches")
        return None
    return mask


def assign(df: pd.DataFrame, mask: pd.Series, column: str, value: object) -> None:
    """Set one value on the masked rows (a tuple, as `accepts` holds, stays one cell)."""
    rows = df.index[mask.to_numpy()]
    df.loc[rows, column] = pd.Series([value] * len(rows), index=rows, dtype=df[column].dtype)


def where_text(o: Override) -> str:
    where = o.spec.get("where") or {}
    return " where " + ", ".join(f"{k}={v}" for k, v in where.items()) if where else ""
