"""One map style: the colours, labels and legend entries the HTML and the PNG map share."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from hubnet.export.routes import ResultTables

MODE_COLOURS: dict[str, str] = {
    "road": "#d95f02",
    "rail": "#7570b3",
    "coastal": "#1b9e77",
    "ocean": "#1f78b4",
    "explicit": "#555555",
}
MODE_LABELS: dict[str, str] = {
    "road": "road",
    "rail": "rail",
    "coastal": "coastal shipping",
    "ocean": "ocean shipping",
    "explicit": "explicit lane (straight line)",
}
KIND_COLOURS: dict[str, str] = {
    "hub": "#e31a1c",
    "smelter": "#222222",
    "port": "#1f78b4",
    "origin": "#33a02c",
    "market": "#6a3d9a",
    "source": "#737373",
}
#: outline of a candidate hub that is not opened (drawn hollow)
UNOPENED_HUB = "#888888"
SEA = "#dbe9f3"
#: the site symbols of both legends, in order: (symbol, label)
SITE_LEGEND: tuple[tuple[str, str], ...] = (
    ("hub", "hub (area ∝ throughput)"),
    ("unopened", "candidate hub, not opened"),
    ("smelter", "smelter"),
    ("port", "port"),
    ("origin", "import origin"),
    ("market", "export market"),
    ("source", "source (prefecture)"),
)


def used_modes(legs: pd.DataFrame) -> list[str]:
    """The modes the legs use, in legend order."""
    present = set(legs["mode"]) if len(legs) else set()
    return [m for m in MODE_COLOURS if m in present]


def status_line(tables: ResultTables) -> str:
    """The line under a map's title: status, hubs open, routes and tonnes moved."""
    if tables.years:  # a roadmap run as a whole
        years = tables.years
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
        foresight = tables.summary.get("foresight") or "n/a"
        return (
            f"status {tables.summary.get('status', 'n/a')} · {len(years)} planning years "
            f"({span}) · {foresight} foresight"
        )
    routes = tables.routes().routes
    fac = tables.facilities
    hubs_open = int((fac["open"] & (fac["role"] == "hub")).sum())
    return (
        f"status {tables.summary.get('status', 'n/a')} · {hubs_open} hubs open · "
        f"{len(routes)} routes · {routes['tonnes_per_yr'].sum():,.0f} t/yr moved"
    )
