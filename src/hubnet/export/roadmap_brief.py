"""The brief of a roadmap run as the console shows it (rich renderables, printed by the CLI):
net present cost, the cost of myopia, the timeline of builds and a table of headline numbers
per planning year."""

from __future__ import annotations

import math
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from hubnet.export.roadmap import SUPPLY_SHARE, RoadmapBrief, read_brief, roadmap_years
from hubnet.export.tables import read_summary
from hubnet.units import yen

#: headline columns of the per-year table: (column, header, format)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("total_cost_jpy_per_yr", "annual cost", "yen"),
    ("hubs_opened", "hubs opened", "int"),
    ("collected_t_per_yr", "collected (t/yr)", "int"),
    ("collection_share", "collected (share)", "share"),
    ("leakage_share", "leakage (share)", "share"),
    ("imported_t_per_yr", "imports (t/yr)", "int"),
    ("exported_t_per_yr", "exports (t/yr)", "int"),
)


def _cell(value: object, kind: str) -> str:
    v = float(value)  # type: ignore[arg-type]
    if math.isnan(v):
        return "-"
    if kind == "yen":
        return yen(v, missing="-")
    if kind == "share":
        return f"{v:.1%}"
    return f"{v:,.0f}"


def share_header(key: str) -> str:
    """`domestic_supply_share_Au` -> `domestic supply share Au`."""
    return key.replace("_", " ").strip()


def headline_table(brief: RoadmapBrief) -> Table:
    """A column per planning year, a row per headline number: cost, hubs, collection,
    leakage, imports, exports and the domestic supply share of each element the KPIs carry."""
    table = Table(title="Headline numbers per planning year (shares of domestic generation)")
    table.add_column("", no_wrap=True)
    for year in brief.headlines.index:
        table.add_column(str(year), justify="right")
    shares = [c for c in brief.headlines.columns if SUPPLY_SHARE in c]
    for column, header, kind in (*COLUMNS, *((c, share_header(c), "share") for c in shares)):
        values = brief.headlines[column]
        table.add_row(escape(header), *(_cell(v, kind) for v in values))
    return table


def brief_lines(brief: RoadmapBrief) -> list[str]:
    """The text above the table: span, foresight, net present cost, myopia and timeline."""
    years = brief.years
    lines = [
        f"Roadmap {years[0]}–{years[-1]} ({len(years)} planning years, {brief.foresight} "
        f"foresight): net present cost {yen(brief.npv_cost_jpy, missing='n/a')}."
    ]
    if not math.isnan(brief.myopia_cost_jpy):
        most = brief.myopia_cost_max_jpy
        within = f", at most {yen(most)} within the gap" if not math.isnan(most) else ""
        lines.append(
            f"Cost of myopia: {yen(brief.myopia_cost_jpy)}{within} (the myopic plan's net "
            "present cost above the perfect-foresight plan's)."
        )
    lines.append(
        "Timeline:" if brief.timeline else "Timeline: nothing opened, expanded or retired."
    )
    lines.extend(f"  {line}" for line in brief.timeline)
    return lines


def roadmap_renderables(result_dir: Path) -> list[str | Table]:
    """What the CLI prints for a roadmap folder; [] for a single-year folder."""
    summary = read_summary(result_dir)
    if not roadmap_years(summary):
        return []
    brief = read_brief(Path(result_dir), summary)
    return [*(escape(line) for line in brief_lines(brief)), headline_table(brief)]
