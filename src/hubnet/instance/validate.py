"""Raw tables -> a typed `Instance`, gathering every problem into one `InputError`.

Each `check_*` returns issues; none stops at the first. Rows are numbered as a spreadsheet
shows them: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from hubnet.errors import InputError, Issue
from hubnet.instance.core import Collection, Instance, Policy
from hubnet.instance.observed import check_observed
from hubnet.instance.periods import YEAR, Periods, rows_at
from hubnet.instance.read import RawInstance, read_folder
from hubnet.instance.schema import TABLE_BY_NAME, TABLES, Column, Table
from hubnet.instance.settings import parse_roadmap, parse_settings

__all__ = ["load_instance", "parse_settings", "validate"]

TRUE = {"true", "1", "yes", "y"}
THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d*)?")  # 12,300 as a spreadsheet writes it
FALSE = {"false", "0", "no", "n", ""}


def load_instance(folder: Path | str) -> Instance:
    """Read and validate an instance folder; raise one `InputError` listing every problem."""
    return validate(read_folder(Path(folder)))


def empty_frame(table: Table) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=_dtype(c)) for c in table.columns})


def _dtype(col: Column) -> str:
    return {"float": "float64", "share": "float64", "bool": "bool"}.get(col.type, "object")


def _expected(col: Column) -> str:
    if col.choices:
        return "one of " + ", ".join(col.choices)
    return {
        "float": "a non-negative number" if col.nonnegative else "a number",
        "share": "a share between 0 and 1",
        "bool": "true or false",
        "list": "ids separated by ';'",
        "str": "a non-empty text",
    }[col.type]


def coerce_column(table: Table, col: Column, values: pd.Series) -> tuple[pd.Series, list[Issue]]:
    """Parse one column of strings into its declared type; every bad cell is an issue."""
    issues: list[Issue] = []
    out: list[object] = []
    for i, raw in enumerate(values):
        row = i + 2
        if raw == "":
            if col.required and col.type != "list":
                issues.append(Issue(table.file, row, col.name, raw, _expected(col)))
            if col.type == "list":
                out.append(())
            elif col.type in ("float", "share"):
                out.append(_nan(col.default))
            else:
                out.append(col.default)
            continue
        if col.type in ("float", "share"):
            try:
                v = float(raw.replace(",", "") if THOUSANDS.fullmatch(raw) else raw)
            except ValueError:
                issues.append(Issue(table.file, row, col.name, raw, _expected(col)))
                out.append(math.nan)
                continue
            bad = not math.isfinite(v)
            bad |= col.nonnegative and v < 0
            bad |= col.type == "share" and v > 1
            if bad:
                issues.append(Issue(table.file, row, col.name, raw, _expected(col)))
                v = math.nan
            out.append(v)
        elif col.type == "bool":
            low = raw.lower()
            if low not in TRUE | FALSE:
                issues.append(Issue(table.file, row, col.name, raw, _expected(col)))
            out.append(low in TRUE)
        elif col.type == "list":
            out.append(tuple(p.strip() for p in raw.split(";") if p.strip()))
        else:
            if col.choices and raw not in col.choices:
                issues.append(Issue(table.file, row, col.name, raw, _expected(col)))
            out.append(raw)
    series = pd.Series(out, index=values.index, dtype=_dtype(col))
    return series, issues


def _nan(default: object) -> float:
    return math.nan if default is None else float(default)  # type: ignore[arg-type]


def coerce_table(table: Table, df: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """Typed frame with exactly the declared columns (defaults filled), plus issues."""
    issues: list[Issue] = []
    known = [c.name for c in table.columns]
    yearly = table.yearly and YEAR in df.columns
    for extra in (c for c in df.columns if c not in known and not (yearly and c == YEAR)):
        close = difflib.get_close_matches(extra, known, n=1, cutoff=0.8)
        if close and close[0] not in df.columns:
            issues.append(
                Issue(table.file, 1, extra, None, f"column '{close[0]}' (is it misspelt?)")
            )
    typed: dict[str, pd.Series] = {}
    for col in table.columns:
        if col.name not in df.columns:
            if col.required:
                issues.append(
                    Issue(
                        table.file, 1, col.name, None, f"a column '{col.name}': {col.description}"
                    )
                )
            fill = col.default if col.type not in ("float", "share") else _nan(col.default)
            if col.type == "list":
                fill = ()
            typed[col.name] = pd.Series([fill] * len(df), index=df.index, dtype=_dtype(col))
            continue
        typed[col.name], more = coerce_column(table, col, df[col.name])
        issues.extend(more)
    if len(df) == 0 and not table.may_be_empty:
        issues.append(Issue(table.file, None, None, None, "at least one data row"))
    if yearly:
        typed[YEAR], more = coerce_year(table, df[YEAR])
        issues.extend(more)
        known.append(YEAR)
    out = pd.DataFrame(typed, columns=known).reset_index(drop=True)
    return out, issues


def coerce_year(table: Table, values: pd.Series) -> tuple[pd.Series, list[Issue]]:
    """The `year` column: integers (nullable Int64; empty = from the start)."""
    text = values.astype(str).str.strip()
    ok = text.str.fullmatch(r"\d+(\.0*)?") | (text == "")  # 2030.0 as pandas writes it
    issues = [
        Issue(table.file, int(i) + 2, YEAR, text.iat[i], "an integer year (e.g. 2030), or empty")
        for i in np.flatnonzero(~ok.to_numpy())
    ]
    years = pd.to_numeric(text.where(ok & (text != "")), errors="coerce").round().astype("Int64")
    return years.set_axis(values.index), issues


def check_keys(table: Table, df: pd.DataFrame) -> list[Issue]:
    """Each key once (once per year where the table has a year column)."""
    key = list(table.key) + ([YEAR] if table.yearly and YEAR in df.columns else [])
    dup = df.duplicated(subset=key, keep="first")
    return [
        Issue(
            table.file,
            i + 2,
            key[-1] if len(key) == 1 else "+".join(key),
            " / ".join("" if pd.isna(df.at[i, k]) else str(df.at[i, k]) for k in key),
            "a unique " + " + ".join(key) + " (this one appears earlier)",
        )
        for i in np.flatnonzero(dup.to_numpy())
    ]


def check_references(tables: dict[str, pd.DataFrame]) -> list[Issue]:
    issues = []
    for table in TABLES:
        df = tables[table.name]
        for col in table.columns:
            if col.references is None or col.name not in df:
                continue
            ref_table, ref_col = col.references
            known = set(tables[ref_table][ref_col])
            for i, v in enumerate(df[col.name]):
                if v != "" and v not in known:
                    what = f"an id listed in {TABLE_BY_NAME[ref_table].file} ({ref_col})"
                    issues.append(Issue(table.file, i + 2, col.name, v, what))
    return issues


def _rows(df: pd.DataFrame, mask: Iterable[bool]) -> list[int]:
    return [int(i) + 2 for i in np.flatnonzero(np.asarray(list(mask), dtype=bool))]


def check_coordinates(sites: pd.DataFrame) -> list[Issue]:
    issues = []
    for col, lim in (("lat", 90.0), ("lon", 180.0)):
        bad = sites[col].abs() > lim
        for row in _rows(sites, bad):
            v = sites.at[row - 2, col]
            issues.append(Issue("sites.csv", row, col, v, f"degrees between -{lim:g} and {lim:g}"))
    return issues


def check_roles(tables: dict[str, pd.DataFrame]) -> list[Issue]:
    """A site referenced in a role must be of the matching kind."""
    kind = dict(zip(tables["sites"]["id"], tables["sites"]["kind"], strict=True))
    issues = []
    for name, want in (
        ("supply", "source"),
        ("imports", "origin"),
        ("exports", "market"),
        ("facilities", None),  # a facility's site is of the kind of its role
    ):
        df = tables[name]
        wants = df["role"] if want is None else pd.Series(want, index=df.index, dtype=object)
        kinds = df["site"].map(kind)
        bad = (kinds.notna() & (kinds != wants)).to_numpy()
        for i in np.flatnonzero(bad):
            k, w = kinds.iat[i], wants.iat[i]
            expected = f"a site of kind '{w}' (sites.csv says '{k}')"
            issues.append(Issue(f"{name}.csv", int(i) + 2, "site", df["site"].iat[i], expected))
    role = dict(zip(tables["facilities"]["site"], tables["facilities"]["role"], strict=True))
    for i, f in enumerate(tables["recovery"]["facility"]):
        if role.get(f, "smelter") != "smelter":
            issues.append(Issue("recovery.csv", i + 2, "facility", f, "a smelter"))
    return issues


def check_accepts(tables: dict[str, pd.DataFrame]) -> list[Issue]:
    known = set(tables["commodities"]["id"])
    fac = tables["facilities"]
    issues = []
    for i, acc in enumerate(fac["accepts"]):
        if not acc:
            issues.append(Issue("facilities.csv", i + 2, "accepts", "", "commodity ids or '*'"))
        for k in acc:
            if k != "*" and k not in known:
                issues.append(
                    Issue("facilities.csv", i + 2, "accepts", k, "an id in commodities.csv or '*'")
                )
    # every commodity generated or imported needs a hub, and a smelter if hubs pass it on
    hubs: set[str] = set()
    smelters: set[str] = set()
    for role, acc in zip(fac["role"], fac["accepts"], strict=True):
        target = hubs if role == "hub" else smelters
        target.update(known if "*" in acc else acc)
    moved = set(tables["supply"]["commodity"]) | set(tables["imports"]["commodity"])
    com = tables["commodities"]
    for i, (k, y) in enumerate(zip(com["id"], com["hub_yield_share"], strict=True)):
        if k in moved and k not in hubs:
            issues.append(
                Issue("commodities.csv", i + 2, "id", k, "a hub in facilities.csv accepting it")
            )
        elif k in moved and y > 0 and k not in smelters and len(tables["exports"]) == 0:
            issues.append(
                Issue("commodities.csv", i + 2, "id", k, "a smelter in facilities.csv accepting it")
            )
    return issues


def check_levels(levels: pd.DataFrame) -> list[Issue]:
    bad = levels["min_throughput_t_per_yr"] > levels["capacity_t_per_yr"]
    return [
        Issue(
            "capacity_levels.csv",
            row,
            "min_throughput_t_per_yr",
            levels.at[row - 2, "min_throughput_t_per_yr"],
            "at most the level's capacity_t_per_yr",
        )
        for row in _rows(levels, bad)
    ]


def check_recovery(tables: dict[str, pd.DataFrame]) -> list[Issue]:
    """A recovery rate for an element no commodity contains is a sign of a mistake."""
    contained = set(tables["contents"].loc[tables["contents"]["content_g_per_t"] > 0, "element"])
    rec = tables["recovery"]
    return [
        Issue("recovery.csv", i + 2, "element", e, "an element some commodity contains")
        for i, e in enumerate(rec["element"])
        if e in set(tables["elements"]["id"]) and e not in contained
    ]


def check_terms(tables: dict[str, pd.DataFrame]) -> list[Issue]:
    """Terms and payables name smelters; an import without a price is bought at the terms of
    the smelter it reaches, so every smelter taking its commodity needs terms (and the
    commodity must leave its hub: a yield of 0 reaches no smelter to be paid at its terms)."""
    fac, com = tables["facilities"], tables["commodities"]
    role = dict(zip(fac["site"], fac["role"], strict=True))
    issues = [
        Issue(f"{name}.csv", i + 2, "smelter", m, "a smelter in facilities.csv")
        for name in ("terms", "payables")
        for i, m in enumerate(tables[name]["smelter"])
        if role.get(m, "smelter") != "smelter"
    ]
    priced = set(zip(tables["terms"]["smelter"], tables["terms"]["commodity"], strict=True))
    for i, (m, k) in enumerate(
        zip(tables["payables"]["smelter"], tables["payables"]["commodity"], strict=True)
    ):
        if (m, k) not in priced:
            issues.append(
                Issue("payables.csv", i + 2, "commodity", k, f"a row for {m} and {k} in terms.csv")
            )
    yields = dict(zip(com["id"], com["hub_yield_share"], strict=True))
    acc = Instance.accepts_of(fac[fac["status"] != "closed"], list(com["id"]))
    takers = acc[acc["role"] == "smelter"].groupby("commodity")["facility"].apply(sorted)
    imports = tables["imports"]
    for i, (k, p) in enumerate(zip(imports["commodity"], imports["price_jpy_per_t"], strict=True)):
        if not math.isnan(p) or k not in yields:
            continue
        missing = [m for m in takers.get(k, []) if (m, k) not in priced]
        if yields[k] <= 0:
            want = f"a price ({k} has hub yield 0: no smelter pays for it at its terms)"
        elif missing:
            want = f"a price, or rows in terms.csv for {k} at {', '.join(missing)}"
        else:
            continue
        issues.append(Issue("imports.csv", i + 2, "price_jpy_per_t", "", want))
    return issues


def check_freight_bands(bands: pd.DataFrame) -> list[Issue]:
    """Bands of a mode listed by strictly increasing up_to_km; distances, fares and loads > 0.

    (A repeated up_to_km is the key check's to report.)
    """
    issues = []
    for col in ("up_to_km", "fare_jpy_per_trip", "load_t_per_trip"):
        for row in _rows(bands, bands[col] == 0):
            issues.append(Issue("freight_bands.csv", row, col, 0, "a positive number"))
    last: dict[str, float] = {}
    for i, (mode, km) in enumerate(zip(bands["mode"], bands["up_to_km"], strict=True)):
        if math.isnan(km):
            continue
        if km < last.get(mode, -math.inf):
            expected = f"more than the previous {mode} band's up_to_km ({last[mode]:g})"
            issues.append(Issue("freight_bands.csv", i + 2, "up_to_km", km, expected))
        last[mode] = max(km, last.get(mode, -math.inf))
    return issues + _falling_fares(bands)


def _falling_fares(bands: pd.DataFrame) -> list[Issue]:
    """A band's fare per tonne (fare / load) below the previous band's: a longer trip would
    cost less, and the least-cost path would no longer take the shortest run (see trips)."""
    issues = []
    prev: dict[str, float] = {}
    per_t = (bands["fare_jpy_per_trip"] / bands["load_t_per_trip"]).tolist()
    # by distance, whatever the file's order (that has its own check)
    km = bands["up_to_km"].fillna(math.inf).tolist()
    order = sorted(range(len(bands)), key=lambda i: (km[i], i))
    for i in order:
        mode, p = bands["mode"].iloc[i], per_t[i]
        if math.isnan(p) or math.isinf(p):
            continue
        if p < prev.get(mode, -math.inf):
            expected = (
                f"a fare per tonne (fare / load, here {p:g}) no lower than the previous "
                f"{mode} band's ({prev[mode]:g} JPY/t)"
            )
            issues.append(Issue("freight_bands.csv", i + 2, "fare_jpy_per_trip", p, expected))
        prev[mode] = max(p, prev.get(mode, -math.inf))
    return issues


INFORMAL = ("informal_price_jpy_per_t", "informal_capacity_t_per_yr")


def check_informal(commodities: pd.DataFrame) -> list[Issue]:
    """An informal channel needs both its price and its capacity (or neither)."""
    issues = []
    given = {c: commodities[c].notna().to_numpy() for c in INFORMAL}
    for have, missing in (INFORMAL, INFORMAL[::-1]):
        for row in _rows(commodities, given[have] & ~given[missing]):
            issues.append(
                Issue(
                    "commodities.csv",
                    row,
                    missing,
                    "",
                    f"a value, since {have} is given (an informal channel needs both its "
                    "price and its capacity; leave both empty for none)",
                )
            )
    return issues


def cross_checks(tables: dict[str, pd.DataFrame]) -> list[Issue]:
    """The checks that read more than one row at a time (ids, roles, terms, band order)."""
    return [
        *check_references(tables),
        *check_roles(tables),
        *check_accepts(tables),
        *check_recovery(tables),
        *check_terms(tables),
        *check_freight_bands(tables["freight_bands"]),
    ]


def cross_checks_by_year(tables: dict[str, pd.DataFrame], periods: Periods | None) -> list[Issue]:
    """`cross_checks` on the tables as they stand at each planning year, rows named as in the
    files; an issue found at some years only says at which. Observed figures: first year."""
    if periods is None:
        return cross_checks(tables) + check_observed(tables)
    found: dict[tuple, tuple[Issue, list[int]]] = {}
    for year in periods.years:
        view, positions = {}, {}
        for t in TABLES:
            if not t.yearly:  # observed.csv: its own year column (the figure's)
                view[t.name] = tables[t.name]
                continue
            positions[t.file] = rows_at(tables[t.name], t.key, year)
            df = tables[t.name].iloc[positions[t.file]]
            view[t.name] = df.drop(columns=YEAR, errors="ignore").reset_index(drop=True)
        issues = cross_checks(view) + (check_observed(view) if year == periods.years[0] else [])
        for i in issues:
            pos = positions.get(i.file)
            row = i.row if i.row is None or i.row < 2 or pos is None else int(pos[i.row - 2]) + 2
            real = Issue(i.file, row, i.column, i.value, i.expected)
            _, years = found.setdefault(
                (i.file, row, i.column, str(i.value), i.expected), (real, [])
            )
            years.append(year)
    return [_at_years(i, ys, periods) for i, ys in found.values()]


def _at_years(issue: Issue, years: list[int], periods: Periods) -> Issue:
    if len(years) == len(periods.years):
        return issue
    when = ", ".join(str(y) for y in years)
    expected = f"{issue.expected} (at planning year {when})"
    return Issue(issue.file, issue.row, issue.column, issue.value, expected)


def year_issues(tables: dict[str, pd.DataFrame]) -> list[Issue]:
    """A year column in an instance without [periods] (each table, at its header)."""
    expected = "no year column: instance.toml has no [periods] section listing the years"
    return [
        Issue(t.file, 1, YEAR, None, expected)
        for t in TABLES
        if t.yearly and YEAR in tables[t.name].columns
    ]


def with_year_columns(tables: dict[str, pd.DataFrame]) -> None:
    """A roadmap's yearly tables all hold a nullable-integer year (empty where not given)."""
    for t in (t for t in TABLES if t.yearly and YEAR not in tables[t.name].columns):
        df = tables[t.name]
        tables[t.name] = df.assign(**{YEAR: pd.array([pd.NA] * len(df), dtype="Int64")})


def validate(raw: RawInstance) -> Instance:
    """Type every table, run every check, and build the `Instance` (or raise)."""
    issues = list(raw.issues)
    tables: dict[str, pd.DataFrame] = {}
    for table in TABLES:
        df = raw.tables.get(table.name)
        if df is None:
            tables[table.name] = empty_frame(table)
            continue
        typed, more = coerce_table(table, df)
        issues.extend(more)
        issues.extend(check_keys(table, typed))
        tables[table.name] = typed
    settings, more = parse_settings(raw.settings)
    periods, from_year, roadmap_issues = parse_roadmap(raw.settings)
    issues.extend(more + roadmap_issues)
    if "periods" in raw.settings:
        with_year_columns(tables)
    else:
        issues.extend(year_issues(tables))
    issues.extend(check_coordinates(tables["sites"]))
    issues.extend(check_levels(tables["capacity_levels"]))
    issues.extend(check_informal(tables["commodities"]))
    if periods is not None or "periods" not in raw.settings:
        issues.extend(cross_checks_by_year(tables, periods))
    if issues:
        raise InputError(issues, title=f"instance {raw.folder} is not valid")
    top, col, pol = settings[""], settings["collection"], settings["policy"]
    return Instance(
        name=str(top["name"]),
        description=str(top.get("description", "")),
        currency=str(top.get("currency", "JPY")),
        collection=Collection(**col),  # type: ignore[arg-type]
        policy=Policy(
            **pol,  # type: ignore[arg-type]
            import_permits_t_per_yr=dict(settings["policy.import_permits_t_per_yr"]),  # type: ignore[arg-type]
        ),
        path=raw.folder.resolve(),
        periods=periods,
        policy_from_year=from_year,
        **tables,
    )
