"""map.png of a roadmap run: small multiples, one panel of the network in Japan per planning
year, on one extent and one line-width and hub-size scale, with the year as the panel's title
and one legend for all panels.

The outlines are turned into matplotlib paths once and shared by every panel (geopandas would
convert them again for each), and the routes are drawn once for all years (`ResultTables`).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.path import Path as MplPath

from hubnet.export.png_map import (
    BORDER,
    LAND,
    LAND_JP,
    _draw_legs,
    _draw_sites,
    _japan_extents,
    _label_facilities,
    _Labeller,
    _network_handles,
    _scale_handles,
    _set_extent,
    load_outlines,
)
from hubnet.export.routes import ResultTables, unique_legs
from hubnet.export.style import status_line
from hubnet.units import yen

#: panels per row
COLUMNS = 3
PANEL_IN = 5.3
DPI = 120
#: degrees around a view within which an outline is still drawn
VIEW_MARGIN_DEG = 0.5


def _polygon_path(polygon: shapely.Polygon) -> MplPath:
    rings = [polygon.exterior, *polygon.interiors]
    return MplPath.make_compound_path(*(MplPath(np.asarray(r.coords)[:, :2]) for r in rings))


def _paths(geometries: object) -> tuple[MplPath, ...]:
    out = []
    for geom in geometries:  # type: ignore[attr-defined]
        if geom is None or geom.is_empty:
            continue
        parts = geom.geoms if hasattr(geom, "geoms") else [geom]
        out.extend(_polygon_path(p) for p in parts if p.geom_type == "Polygon")
    return tuple(out)


@functools.lru_cache(maxsize=1)
def outline_paths() -> tuple[tuple[MplPath, ...], tuple[MplPath, ...]]:
    """Countries but Japan, and Japan's prefectures, as matplotlib paths (made once)."""
    world, prefs = load_outlines()
    return _paths(world[world["iso_a3"] != "JPN"].geometry), _paths(prefs.geometry)


@functools.lru_cache(maxsize=1)
def _outline_boxes() -> tuple[np.ndarray, np.ndarray]:
    """Each outline path's bounding box (lon0, lat0, lon1, lat1), as `outline_paths`."""
    return tuple(np.array([p.get_extents().extents for p in paths]) for paths in outline_paths())


def _in_view(paths: tuple, boxes: np.ndarray, extent: tuple) -> list[MplPath]:
    """The paths whose bounding box meets the view (`extent`, widened by a margin so that no
    border drawn at its edge is lost): the rest would be drawn and clipped away."""
    lon0, lon1, lat0, lat1 = extent
    pad = VIEW_MARGIN_DEG
    meets = (
        (boxes[:, 0] <= lon1 + pad)
        & (boxes[:, 2] >= lon0 - pad)
        & (boxes[:, 1] <= lat1 + pad)
        & (boxes[:, 3] >= lat0 - pad)
    )
    return [p for p, m in zip(paths, meets, strict=True) if m]


def _base_map(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    """Sea, countries and prefectures from the shared paths, as the single-year map draws them
    (only those in view: japan-roadmap's map.png in 2.0 s against 3.0 s, the same pixels)."""
    _set_extent(ax, *extent)
    layers = zip(outline_paths(), _outline_boxes(), strict=True)
    for (paths, boxes), colour, width, z in zip(
        layers, (LAND, LAND_JP), (0.5, 0.35), (1, 2), strict=True
    ):
        ax.add_collection(
            PathCollection(
                _in_view(paths, boxes, extent),
                facecolor=colour,
                edgecolor=BORDER,
                linewidth=width,
                zorder=z,
            )
        )


def _subtitle(view: ResultTables) -> str:
    """Under a panel's year: the year's cost, hubs open, collection and imports."""
    fac, leak = view.facilities, view.leakage
    hubs = int((fac["open"] & (fac["role"] == "hub")).sum())
    gen = float(leak["generation_t_per_yr"].sum())
    col = float(leak["collected_t_per_yr"].sum())
    routes = view.routes().routes
    imported = float(routes.loc[routes["stage"] == "import", "tonnes_per_yr"].sum())
    collected = f"collected {col / gen:.0%}" if gen > 0 else "no generation"
    cost = yen(view.summary.get("objective_jpy_per_yr"), missing="n/a")
    plural = "" if hubs == 1 else "s"
    return f"{cost}/yr · {hubs} hub{plural} open · {collected} · imports {imported:,.0f} t/yr"


def _panel(ax: Axes, view: ResultTables, extents: tuple, scale: tuple) -> Axes | None:
    """One year's network in Japan; the Nansei islands in an inset when sites lie there
    (`extents`: main view and inset view or None). Returns the inset."""
    max_t, max_tp = scale
    legs = unique_legs(view.routes().legs)
    main, south = extents
    _base_map(ax, main)
    _draw_legs(ax, legs, max_t)
    _draw_sites(ax, view, max_tp)
    ax.set_title(str(view.summary["year"]), fontsize=15, fontweight="bold", loc="left")
    ax.text(
        1.0, 1.01, _subtitle(view), transform=ax.transAxes, fontsize=7.5, va="bottom", ha="right"
    )
    if south is None:
        return None
    inset = ax.inset_axes((0.012, 0.735, 0.3, 0.255))  # over the Sea of Japan, as map.png
    _base_map(inset, south)
    inset.set_xticks([])
    inset.set_yticks([])
    _draw_legs(inset, legs, max_t)
    _draw_sites(inset, view, max_tp)
    return inset


def panel_years(fig: Figure) -> list[str]:
    """The year titles of a figure's map panels, in order (for checks and tests)."""
    return [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left").isdigit()]


def build_year_figure(tables: ResultTables) -> Figure:
    """Small multiples of a roadmap run: one panel per planning year and a shared legend."""
    years = tables.years
    cols = min(COLUMNS, len(years))
    rows = math.ceil(len(years) / cols)
    legend_in, title_in = 2.4, 0.9
    height = rows * PANEL_IN + legend_in + title_in
    fig = Figure(figsize=(16.0, height), dpi=DPI, facecolor="white")
    top = 1 - title_in / height
    bottom = legend_in / height
    gs = fig.add_gridspec(rows, cols, left=0.04, right=0.985, top=top, bottom=bottom)
    gs.update(hspace=0.18, wspace=0.12)
    legs = tables.routes().legs
    fac = tables.facilities
    hubs = fac[fac["role"] == "hub"]
    scale = (
        largest_leg(tables) if len(legs) else 0.0,
        float(hubs["throughput_t_per_yr"].max()) if len(hubs) else 0.0,
    )
    extents = _japan_extents(tables)
    axes = []
    for i, year in enumerate(years):
        ax = fig.add_subplot(gs[i // cols, i % cols])
        view = tables.at(year)
        axes.append((ax, _panel(ax, view, extents, scale), view))
    for ax, inset, _ in axes:
        ax.apply_aspect()
        if inset is not None:
            inset.apply_aspect()
    labeller = _Labeller(fig)
    for ax, inset, view in axes:
        if inset is not None:
            labeller.taken.append(inset.get_window_extent(labeller.renderer))
        _label_facilities(ax, view, labeller)
    _legends(fig, tables, scale, bottom)
    fig.suptitle(tables.title(), fontsize=15, fontweight="bold", x=0.04, ha="left", y=0.995)
    fig.text(
        0.04,
        1 - 0.55 / height,
        status_line(tables)
        + " · one panel per planning year, same scales · outlines: Natural Earth (public "
        "domain); sea lanes: searoute (MARNET)",
        fontsize=9,
        color="#444444",
    )
    return fig


def largest_leg(tables: ResultTables) -> float:
    """The largest tonnes on one leg in any year (legs merged over lanes within a year)."""
    legs = tables.routes().legs
    merged = legs.groupby(["year", "start", "end", "mode"])["tonnes_per_yr"].sum()
    return float(merged.max())


def _legends(fig: Figure, tables: ResultTables, scale: tuple, bottom: float) -> None:
    """The network legend and the scale legend, side by side under the panels."""
    fig.legend(
        handles=_network_handles(tables),
        loc="upper left",
        bbox_to_anchor=(0.04, bottom - 0.01),
        ncol=4,
        fontsize=8.5,
        frameon=False,
        title="Network",
        title_fontsize=9.5,
        alignment="left",
    )
    handles = _scale_handles(*scale)
    if handles:
        fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0.62, bottom - 0.01),
            ncol=2,
            fontsize=8.5,
            frameon=False,
            title="Flow (line width) and hub size, every year",
            title_fontsize=9.5,
            alignment="left",
            labelspacing=1.1,
        )
