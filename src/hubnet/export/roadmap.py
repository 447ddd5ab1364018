"""A roadmap run's folder read by year: its planning years, roadmap.csv as a timeline, and the
headline numbers of each year, for the brief and `hubnet compare`.

A roadmap folder (models/results_format.md) stacks every table's rows of all years under a
first column `year`; summary.json lists the `years` and holds each year's objective and KPIs
under `by_year`. A single-year folder has none of these: `roadmap_years` is then empty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hubnet.errors import Issue, ResultsError
from hubnet.export.tables import YEAR, read_table

ROADMAP_FILE = "roadmap.csv"
ROADMAP_COLUMNS = ("site", "year", "action", "level", "capacity_t_per_yr", "build_cost_jpy")
ACTIONS = ("open", "expand", "retire")
#: the per-year headline numbers, in the order the brief and the comparison show them
HEADLINES = (
    "total_cost_jpy_per_yr",
    "hubs_opened",
    "generation_t_per_yr",
    "collected_t_per_yr",
    "collection_share",
    "leakage_t_per_yr",
    "leakage_share",
    "imported_t_per_yr",
    "exported_t_per_yr",
)
#: a KPI whose name holds this is a share of an element's demand met at home (per element)
SUPPLY_SHARE = "supply_share"


@dataclass(frozen=True, slots=True)
class Step:
    """One row of roadmap.csv: what changes at a site in a planning year."""

    site: str
    year: int
    action: str
    level: str
    capacity_t_per_yr: float
    build_cost_jpy: float


def roadmap_years(summary: dict) -> tuple[int, ...]:
    """The planning years of a roadmap run's summary; () for a single-year run."""
    years = summary.get("years")
    if not years:
        return ()
    try:
        return tuple(int(y) for y in years)
    except (TypeError, ValueError):
        raise ResultsError(
            Issue("summary.json", None, "years", years, "a list of integer planning years")
        ) from None


def year_summary(summary: dict, year: int) -> dict:
    """The headline numbers summary.json holds for one year: objective and KPIs."""
    entry = (summary.get("by_year") or {}).get(str(year)) or {}
    kpis = entry.get("kpis")
    if not isinstance(kpis, dict):  # KPIs written beside the objective, not under `kpis`
        kpis = {k: v for k, v in entry.items() if k != "objective_jpy_per_yr"}
    return {"objective_jpy_per_yr": entry.get("objective_jpy_per_yr"), "kpis": kpis}


def read_roadmap(folder: Path) -> tuple[Step, ...]:
    """roadmap.csv of a roadmap folder, sorted by year, action (open, expand, retire) and
    site; a missing file, column or a bad value is a ResultsError naming file, row, column."""
    path = Path(folder) / ROADMAP_FILE
    where = str(path)
    if not path.is_file():
        raise ResultsError(Issue(where, None, None, None, "the roadmap of a roadmap run"))
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise ResultsError(Issue(where, None, None, None, f"a readable CSV table ({e})")) from None
    missing = [c for c in ROADMAP_COLUMNS if c not in raw.columns]
    if missing:
        raise ResultsError([Issue(where, 1, c, None, f"column '{c}'") for c in missing])
    steps = [_step(where, i + 2, row) for i, row in enumerate(raw.to_dict("records"))]
    return tuple(sorted(steps, key=lambda s: (s.year, ACTIONS.index(s.action), s.site)))


def _step(where: str, row: int, r: dict[str, str]) -> Step:
    if not r["site"].strip():
        raise ResultsError(Issue(where, row, "site", r["site"], "a site id"))
    if r["action"] not in ACTIONS:
        raise ResultsError(Issue(where, row, "action", r["action"], "one of " + ", ".join(ACTIONS)))
    year = _number(where, row, "year", r["year"], "a planning year (integer)")
    if year != round(year):
        raise ResultsError(Issue(where, row, "year", r["year"], "a planning year (integer)"))
    return Step(
        site=r["site"].strip(),
        year=int(year),
        action=r["action"],
        level=r["level"],
        capacity_t_per_yr=_number(where, row, "capacity_t_per_yr", r["capacity_t_per_yr"]),
        build_cost_jpy=_number(where, row, "build_cost_jpy", r["build_cost_jpy"]),
    )


def _number(where: str, row: int, column: str, text: str, expected: str = "a number") -> float:
    if not text.strip():
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise ResultsError(Issue(where, row, column, text, expected)) from None
    if not math.isfinite(value):
        raise ResultsError(Issue(where, row, column, text, expected))
    return value


# ----------------------------------------------------------------------------- the timeline


def _kt(tonnes: float) -> str:
    """Tonnes a year as a planner writes capacity: kt from 1,000 t up."""
    if abs(tonnes) >= 1000:
        return f"{tonnes / 1000:,.3g} kt"
    return f"{tonnes:,.0f} t"


def capacities(facilities: pd.DataFrame) -> dict[tuple[int, str], float]:
    """(year, facility) -> capacity that year, from a roadmap folder's facilities table."""
    return {
        (int(y), str(f)): float(c)
        for y, f, c in zip(
            facilities[YEAR], facilities["facility"], facilities["capacity_t_per_yr"], strict=True
        )
    }


def step_text(step: Step, name: str, added_t: float | None) -> str:
    """One change in words: `open Kitakyushu hub (medium, 50 kt)`, `expand Naoshima +30 kt
    (large)`, `retire Sendai hub`. `added_t`: capacity gained over the year before."""
    level = step.level.strip()
    if step.action == "open":
        size = _kt(step.capacity_t_per_yr) if math.isfinite(step.capacity_t_per_yr) else ""
        detail = ", ".join(p for p in (level, size) if p)
        return f"open {name}" + (f" ({detail})" if detail else "")
    if step.action == "expand":
        gain = f" +{_kt(added_t)}" if added_t is not None and added_t > 0 else ""
        return f"expand {name}{gain}" + (f" ({level})" if level else "")
    return f"retire {name}"


def timeline(
    steps: tuple[Step, ...], names: dict[str, str], capacity: dict[tuple[int, str], float]
) -> list[str]:
    """One line per year with a change: `2030: open Kitakyushu hub (medium, 50 kt); ...`.

    The capacity an expansion adds is read from the facilities table (capacity that year
    less the year before), so it does not depend on how roadmap.csv states capacity.
    """
    years = sorted({y for y, _ in capacity})
    before = {y: years[i - 1] for i, y in enumerate(years) if i}
    lines: list[str] = []
    for year in sorted({s.year for s in steps}):
        parts = []
        for s in (s for s in steps if s.year == year):
            now = capacity.get((year, s.site))
            prev = capacity.get((before[year], s.site), 0.0) if year in before else None
            added = now - prev if now is not None and prev is not None else None
            parts.append(step_text(s, names.get(s.site, s.site), added))
        lines.append(f"{year}: " + "; ".join(parts))
    return lines


def site_names(sites: pd.DataFrame) -> dict[str, str]:
    """Site id -> English name (the latest year's, for a stacked table)."""
    return dict(zip(sites["id"].astype(str), sites["name"].astype(str), strict=True))


def read_timeline(folder: Path) -> list[str]:
    """The timeline of a roadmap folder (see `timeline`)."""
    facilities = read_table(folder, "facilities")
    return timeline(
        read_roadmap(folder), site_names(read_table(folder, "sites")), capacities(facilities)
    )


# ----------------------------------------------------------------------------- headlines


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else math.nan


def _per_year(df: pd.DataFrame, column: str, years: tuple[int, ...]) -> pd.Series:
    return df.groupby(YEAR)[column].sum().reindex(years, fill_value=0.0).astype(float)


def headlines(folder: Path, summary: dict) -> pd.DataFrame:
    """One row per planning year (index `year`): the HEADLINES, then `supply_share_*` KPIs.

    Cost is the year's objective from summary.json; tonnes are summed over the year's rows
    of leakage, leakage_by_commodity, imports and exports (leakage as the caps count it).
    """
    years = roadmap_years(summary)
    leak = read_table(folder, "leakage")
    by_k = read_table(folder, "leakage_by_commodity")
    by_k = by_k[by_k["generation_t_per_yr"] > 0]
    fac = read_table(folder, "facilities")
    hubs = fac[(fac["role"] == "hub") & (fac["level"] != "")]
    out = pd.DataFrame(index=pd.Index(years, name=YEAR))
    out["total_cost_jpy_per_yr"] = [
        _float(year_summary(summary, y)["objective_jpy_per_yr"]) for y in years
    ]
    out["hubs_opened"] = hubs.groupby(YEAR).size().reindex(years, fill_value=0).astype(int)
    out["generation_t_per_yr"] = _per_year(leak, "generation_t_per_yr", years)
    out["collected_t_per_yr"] = _per_year(leak, "collected_t_per_yr", years)
    out["collection_share"] = np.vectorize(_ratio)(
        out["collected_t_per_yr"], out["generation_t_per_yr"]
    )
    out["leakage_t_per_yr"] = _per_year(by_k, "leakage_t_per_yr", years)
    out["leakage_share"] = np.vectorize(_ratio)(out["leakage_t_per_yr"], out["generation_t_per_yr"])
    out["imported_t_per_yr"] = _per_year(read_table(folder, "imports"), "imported_t_per_yr", years)
    out["exported_t_per_yr"] = _per_year(read_table(folder, "exports"), "exported_t_per_yr", years)
    for key in supply_share_keys(summary):
        out[key] = [_float(year_summary(summary, y)["kpis"].get(key)) for y in years]
    return out


def supply_share_keys(summary: dict) -> list[str]:
    """The KPIs of any year that are domestic supply shares (one per element), sorted."""
    keys = {
        k
        for y in roadmap_years(summary)
        for k in year_summary(summary, y)["kpis"]
        if SUPPLY_SHARE in k
    }
    return sorted(keys)


def _float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


# ----------------------------------------------------------------------------- the brief


@dataclass(frozen=True, slots=True)
class RoadmapBrief:
    """What the brief of a roadmap run shows, read from its folder."""

    years: tuple[int, ...]
    foresight: str
    #: one line per year with a change (see `timeline`)
    timeline: tuple[str, ...]
    #: one row per year: HEADLINES and the `supply_share_*` KPIs
    headlines: pd.DataFrame
    npv_cost_jpy: float
    #: the myopic plan's net present cost above the perfect-foresight plan's; NaN if not computed
    myopia_cost_jpy: float
    #: the most it can be (the answer is optimal within its gap); NaN if not computed
    myopia_cost_max_jpy: float = math.nan


def read_brief(folder: Path, summary: dict) -> RoadmapBrief:
    """The brief of a roadmap folder whose summary.json is `summary`."""
    return RoadmapBrief(
        years=roadmap_years(summary),
        foresight=str(summary.get("foresight") or "n/a"),
        timeline=tuple(read_timeline(folder)),
        headlines=headlines(folder, summary),
        npv_cost_jpy=_float(summary.get("npv_cost_jpy")),
        myopia_cost_jpy=_float(summary.get("myopia_cost_jpy")),
        myopia_cost_max_jpy=_float(summary.get("myopia_cost_max_jpy")),
    )
