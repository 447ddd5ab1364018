"""Static map of a results folder for reports: map.png (matplotlib, Agg backend).

Left panel: Japan with prefecture outlines and the domestic network (legs merged over lanes
and commodities, line width by tonnes, colour by mode; hubs sized by throughput, smelters,
ports and sources marked). Right panel: the import and export routes over country outlines.
A legend with a line-width and hub-size scale sits under the right panel; the title names
the instance, scenario and total cost. Outlines are Natural Earth data shipped in hubnet/data.
"""

from __future__ import annotations

import functools
import logging
import math
import textwrap
from importlib import resources
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")

import matplotlib.patheffects as pe  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from hubnet.export.routes import ResultTables, fmt_amount, nice_steps, unique_legs  # noqa: E402
from hubnet.export.style import (  # noqa: E402
    KIND_COLOURS,
    MODE_COLOURS,
    MODE_LABELS,
    SEA,
    SITE_LEGEND,
    UNOPENED_HUB,
    status_line,
    used_modes,
)

logger = logging.getLogger(__name__)

PNG_NAME = "map.png"
STAGE_ORDER = ("collection", "import", "delivery", "export")
#: characters per line of the key-numbers text under the legend
FACTS_WIDTH = 105
FIGSIZE_IN = (16.0, 9.6)
DPI = 130

LAND = "#efebe0"
LAND_JP = "#f6f3ea"
BORDER = "#a8a8a8"
#: legend marker and size (points) of each site symbol of the shared legend
LEGEND_MARKERS: dict[str, tuple[str, float]] = {
    "hub": ("o", 10),
    "unopened": ("o", 6),
    "smelter": ("s", 7),
    "port": ("^", 7),
    "origin": ("D", 6),
    "market": ("s", 6),
    "source": ("o", 4),
}
MIN_LW = 0.6
MAX_LW = 6.0
MAX_HUB_AREA = 420.0  # points^2 for the busiest hub
#: the Japan panel always shows at least the four main islands
JAPAN_MIN_EXTENT = (129.2, 146.0, 30.8, 45.7)
#: sites south of this latitude (Okinawa, Amami, Sakishima) are drawn in an inset
SOUTH_ISLANDS_LAT = 30.0
NANSEI_EXTENT = (122.8, 131.2, 24.0, 29.2)


@functools.lru_cache(maxsize=1)
def load_outlines() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """World countries (NE 110m) and Japanese prefectures shipped with the package."""
    out = []
    for name in ("world_countries_110m.geojson", "japan_prefectures.geojson"):
        with resources.as_file(resources.files("hubnet") / "data" / name) as path:
            out.append(gpd.read_file(path, engine="pyogrio"))
    return out[0], out[1]


def line_width(tonnes: float | np.ndarray, max_tonnes: float) -> np.ndarray:
    """Line width in points: square root of tonnes (so small flows stay visible)."""
    t = np.maximum(np.asarray(tonnes, dtype=float), 0.0)
    if max_tonnes <= 0:
        return np.full_like(t, MIN_LW)
    return MIN_LW + (MAX_LW - MIN_LW) * np.sqrt(t / max_tonnes)


def hub_area(throughput: float | np.ndarray, max_throughput: float) -> np.ndarray:
    """Marker area in points^2 proportional to throughput (with a small floor)."""
    t = np.maximum(np.asarray(throughput, dtype=float), 0.0)
    if max_throughput <= 0:
        return np.full_like(t, 30.0)
    return 30.0 + (MAX_HUB_AREA - 30.0) * t / max_throughput


def _set_extent(ax: Axes, lon0: float, lon1: float, lat0: float, lat1: float) -> None:
    """Plate carree view with the aspect of its mid latitude, so shapes are not squashed."""
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    mid = math.radians((lat0 + lat1) / 2)
    ax.set_aspect(1.0 / max(math.cos(mid), 0.2), adjustable="box")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_facecolor(SEA)
    ax.tick_params(labelsize=7, colors="#555555", length=2)
    for spine in ax.spines.values():
        spine.set_edgecolor("#777777")
        spine.set_linewidth(0.6)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:g}°E" if v >= 0 else f"{-v:g}°W")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:g}°N" if v >= 0 else f"{-v:g}°S")


def _draw_legs(ax: Axes, legs: gpd.GeoDataFrame, max_t: float) -> None:
    if legs.empty:
        return
    legs = legs.sort_values("tonnes_per_yr")
    widths = line_width(legs["tonnes_per_yr"].to_numpy(), max_t)
    segs = [np.asarray(g.coords) for g in legs.geometry]
    colours = [MODE_COLOURS.get(m, "#000000") for m in legs["mode"]]
    styles = ["--" if m == "explicit" else "-" for m in legs["mode"]]
    lc = LineCollection(
        segs,
        linewidths=widths,
        colors=colours,
        linestyles=styles,
        alpha=0.85,
        capstyle="round",
        joinstyle="round",
        zorder=3,
    )
    ax.add_collection(lc)


class _Labeller:
    """Places text labels next to points without overlapping each other (greedy, 4 slots)."""

    OFFSETS = (
        (5, 3, "left", "bottom"),
        (5, -3, "left", "top"),
        (-5, 3, "right", "bottom"),
        (-5, -3, "right", "top"),
    )

    def __init__(self, fig: Figure) -> None:
        self.renderer = FigureCanvasAgg(fig).get_renderer()
        self.taken: list[Bbox] = []

    def add(self, ax: Axes, x: float, y: float, text: str, fontsize: float = 6.5) -> bool:
        """Label (x, y) in ax at the first free slot; False when no slot is free."""
        ax_box = ax.get_window_extent(self.renderer)
        for dx, dy, ha, va in self.OFFSETS:
            label = ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
                color="#1a1a1a",
                zorder=9,
                annotation_clip=True,
            )
            box = label.get_window_extent(self.renderer)
            inside = ax_box.contains(box.x0, box.y0) and ax_box.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(other) for other in self.taken):
                label.set_path_effects([pe.withStroke(linewidth=2.2, foreground="white")])
                self.taken.append(box)
                return True
            label.remove()
        return False


def _in_view(ax: Axes, lon: float, lat: float) -> bool:
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return x0 <= lon <= x1 and y0 <= lat <= y1


def _scatter(ax: Axes, df: pd.DataFrame, **kw: object) -> None:
    if len(df):
        ax.scatter(df["lon"], df["lat"], **kw)  # type: ignore[arg-type]


def _draw_sites(ax: Axes, tables: ResultTables, max_tp: float) -> None:
    """Sources, ports, hubs (sized by throughput), smelters, origins and markets."""
    sites = tables.sites
    fac = tables.facilities
    hubs = fac[fac["role"] == "hub"]
    used = hubs[hubs["open"]]
    _scatter(
        ax,
        sites[sites["kind"] == "source"],
        s=9,
        c=KIND_COLOURS["source"],
        edgecolors="white",
        linewidths=0.4,
        zorder=4,
    )
    _scatter(
        ax,
        sites[sites["kind"] == "port"],
        s=26,
        marker="^",
        c=KIND_COLOURS["port"],
        edgecolors="white",
        linewidths=0.5,
        zorder=5,
    )
    _scatter(
        ax,
        hubs[~hubs["open"]],
        s=22,
        facecolors="white",
        edgecolors=UNOPENED_HUB,
        linewidths=0.9,
        linestyle=":",
        zorder=5,
    )
    _scatter(
        ax,
        used,
        s=hub_area(used["throughput_t_per_yr"].to_numpy(), max_tp),
        c=KIND_COLOURS["hub"],
        alpha=0.78,
        edgecolors="white",
        linewidths=0.9,
        zorder=6,
    )
    _scatter(
        ax,
        fac[fac["role"] == "smelter"],
        s=46,
        marker="s",
        c=KIND_COLOURS["smelter"],
        edgecolors="white",
        linewidths=0.8,
        zorder=7,
    )
    for kind, marker in (("origin", "D"), ("market", "s")):
        _scatter(
            ax,
            sites[sites["kind"] == kind],
            s=44,
            marker=marker,
            c=KIND_COLOURS[kind],
            edgecolors="white",
            linewidths=0.8,
            zorder=7,
        )


def _label_facilities(ax: Axes, tables: ResultTables, labeller: _Labeller) -> None:
    """Names of open hubs and smelters, busiest first, where there is room."""
    fac = tables.facilities
    named = fac[fac["open"] & fac["role"].isin(["hub", "smelter"])]
    for r in named.sort_values("throughput_t_per_yr", ascending=False).to_dict("records"):
        if _in_view(ax, r["lon"], r["lat"]):
            labeller.add(ax, r["lon"], r["lat"], str(r["name"]))


def _label_foreign(ax: Axes, tables: ResultTables, labeller: _Labeller) -> None:
    sites = tables.sites
    for r in sites[sites["kind"].isin(["origin", "market"])].to_dict("records"):
        if _in_view(ax, r["lon"], r["lat"]):
            labeller.add(ax, r["lon"], r["lat"], str(r["name"]), fontsize=7.5)


def _japan_extents(
    tables: ResultTables,
) -> tuple[tuple[float, float, float, float], tuple[float, float, float, float] | None]:
    """Main Japan view and, when sites lie in the Nansei islands, an inset view for them."""
    sites = tables.sites
    jp = sites[(sites["country"] == "JP") & (sites["kind"] != "junction")]
    south = jp[jp["lat"] < SOUTH_ISLANDS_LAT]
    main = jp[jp["lat"] >= SOUTH_ISLANDS_LAT]
    lon0, lon1, lat0, lat1 = JAPAN_MIN_EXTENT
    if len(main):
        lon0 = min(lon0, float(main["lon"].min()) - 0.8)
        lon1 = max(lon1, float(main["lon"].max()) + 0.8)
        lat0 = min(lat0, float(main["lat"].min()) - 0.8)
        lat1 = max(lat1, float(main["lat"].max()) + 0.8)
    inset = None
    if len(south):
        i0, i1, j0, j1 = NANSEI_EXTENT
        inset = (
            min(i0, float(south["lon"].min()) - 0.5),
            max(i1, float(south["lon"].max()) + 0.5),
            min(j0, float(south["lat"].min()) - 0.5),
            max(j1, float(south["lat"].max()) + 0.5),
        )
    return (lon0, lon1, lat0, lat1), inset


def _foreign_routes(tables: ResultTables) -> pd.Series:
    """Routes that touch a site outside Japan (imports, exports abroad)."""
    routes = tables.routes().routes
    foreign = set(tables.sites.index[tables.sites["country"].ne("JP")])
    return routes["path"].map(lambda p: any(s in foreign for s in p.split(";")))


def _world_extent(tables: ResultTables) -> tuple[float, float, float, float]:
    routes = tables.routes().routes
    mask = _foreign_routes(tables)
    lon0, lon1, lat0, lat1 = 95.0, 150.0, -5.0, 47.0
    if mask.any():
        b = routes[mask].total_bounds
        lon0, lat0 = min(lon0, b[0] - 6), min(lat0, b[1] - 6)
        lon1, lat1 = max(lon1, b[2] + 6), max(lat1, b[3] + 6)
    return max(lon0, -180.0), min(lon1, 200.0), max(lat0, -70.0), min(lat1, 80.0)


def _legend(
    fig: Figure,
    anchor: tuple[float, float],
    width: float,
    tables: ResultTables,
    scale: tuple[float, float],
) -> float:
    """Network legend and the flow/hub scale, side by side, top-left corner at anchor; returns
    the legend's bottom (figure coordinates). `scale` is the largest leg and hub throughput."""
    leg = fig.legend(
        handles=_network_handles(tables),
        loc="upper left",
        bbox_to_anchor=anchor,
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
            bbox_to_anchor=(anchor[0] + width * 0.5, anchor[1]),
            fontsize=8.5,
            frameon=False,
            title="Flow (line width) and hub size",
            title_fontsize=9.5,
            alignment="left",
            labelspacing=1.1,
        )
    renderer = FigureCanvasAgg(fig).get_renderer()
    box = leg.get_window_extent(renderer).transformed(fig.transFigure.inverted())
    return float(box.y0)


def _network_handles(tables: ResultTables) -> list[Line2D]:
    """The modes the legs use, then the site symbols of the shared legend."""
    handles = [
        Line2D(
            [],
            [],
            color=MODE_COLOURS[m],
            lw=3,
            ls="--" if m == "explicit" else "-",
            label=MODE_LABELS[m],
        )
        for m in used_modes(tables.routes().legs)
    ]
    for key, label in SITE_LEGEND:
        marker, size = LEGEND_MARKERS[key]
        if key == "unopened":
            style = {"color": "white", "markeredgecolor": UNOPENED_HUB}
        else:
            style = {"color": KIND_COLOURS[key], "markeredgecolor": "white"}
            style |= {"alpha": 0.8} if key == "hub" else {}
        handles.append(Line2D([], [], marker=marker, ls="", markersize=size, label=label, **style))
    return handles


def _scale_handles(max_t: float, max_tp: float) -> list[Line2D]:
    """Line widths and hub sizes at a few round values."""
    lines = [
        Line2D(
            [], [], color="#444444", lw=float(line_width(v, max_t)), label=f"{fmt_amount(v)} t/yr"
        )
        for v in nice_steps(max_t)
    ]
    hubs = [
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            color=KIND_COLOURS["hub"],
            alpha=0.78,
            markeredgecolor="white",
            markersize=math.sqrt(float(hub_area(v, max_tp))),
            label=f"hub {fmt_amount(v)} t/yr",
        )
        for v in nice_steps(max_tp)
    ]
    return lines + hubs


def _facts(tables: ResultTables) -> str:
    """A few lines of key numbers for the figure: flows by stage, leakage, busiest hubs, costs."""
    routes = tables.routes().routes
    by_stage = routes.groupby("stage")["tonnes_per_yr"].sum()
    lines = [
        "Flows: "
        + " · ".join(f"{st} {by_stage[st]:,.0f} t/yr" for st in STAGE_ORDER if st in by_stage.index)
    ]
    leak = tables.leakage
    gen = float(leak["generation_t_per_yr"].sum())
    if gen > 0:
        unc = float(leak["uncollected_t_per_yr"].sum())
        lines.append(
            f"Leakage: {unc:,.0f} of {gen:,.0f} t/yr generated stays uncollected ({unc / gen:.1%})"
        )
    fac = tables.facilities
    hubs = fac[(fac["role"] == "hub") & fac["open"]].sort_values(
        "throughput_t_per_yr", ascending=False
    )
    if len(hubs):
        parts = []
        for _, h in hubs.head(4).iterrows():
            util = h["utilisation_share"]
            used = f", {util:.0%} used" if pd.notna(util) else ""
            parts.append(f"{h['name']} {h['throughput_t_per_yr']:,.0f} t{used}")
        lines.append("Busiest hubs: " + "; ".join(parts))
    kpis = tables.summary.get("kpis") or {}
    terms = [(k, v) for k, v in kpis.items() if isinstance(v, int | float) and k != "total_cost"]
    if terms:
        lines.append(
            "Cost terms (¥ M/yr): "
            + " · ".join(f"{k.replace('_', ' ')} {v / 1e6:,.1f}" for k, v in terms[:9])
        )
    return "\n".join(textwrap.fill(line, FACTS_WIDTH, subsequent_indent="    ") for line in lines)


def _base_map(ax: Axes, extent: tuple[float, float, float, float], *, japan: bool) -> None:
    """Sea, countries and (for Japan views) prefectures."""
    world, prefs = load_outlines()
    _set_extent(ax, *extent)
    if japan:
        # Japan itself comes from the finer prefecture outlines (110m Japan fills in the bays)
        world[world["iso_a3"] != "JPN"].plot(
            ax=ax, color=LAND, edgecolor=BORDER, linewidth=0.5, zorder=1
        )
        prefs.plot(ax=ax, color=LAND_JP, edgecolor=BORDER, linewidth=0.35, zorder=2)
    else:
        world.plot(ax=ax, color=LAND, edgecolor=BORDER, linewidth=0.4, zorder=1)
    _set_extent(ax, *extent)  # geopandas' plot resets the limits


def build_figure(tables: ResultTables) -> Figure:
    """The two-panel report figure of a results folder (a roadmap run: one panel a year)."""
    if tables.years:
        from hubnet.export.png_years import build_year_figure

        return build_year_figure(tables)
    legs_all = unique_legs(tables.routes().legs)
    max_t = float(legs_all["tonnes_per_yr"].max()) if len(legs_all) else 0.0
    fac = tables.facilities
    hubs = fac[fac["role"] == "hub"]
    max_tp = float(hubs["throughput_t_per_yr"].max()) if len(hubs) else 0.0

    fig = Figure(figsize=FIGSIZE_IN, dpi=DPI, facecolor="white")
    gs = fig.add_gridspec(
        1, 2, width_ratios=[1.2, 1.0], left=0.04, right=0.985, top=0.88, bottom=0.03, wspace=0.1
    )
    ax_jp = fig.add_subplot(gs[0, 0])
    ax_w = fig.add_subplot(gs[0, 1])
    ax_jp.set_anchor("N")
    ax_w.set_anchor("N")
    ax_in = _japan_panel(ax_jp, tables, legs_all, (max_t, max_tp))
    _world_panel(ax_w, tables, (max_t, max_tp))

    # labels last, once every axes has its final position
    for ax in (ax_jp, ax_w, ax_in):
        if ax is not None:
            ax.apply_aspect()
    labeller = _Labeller(fig)
    _label_foreign(ax_w, tables, labeller)
    if ax_in is not None:
        labeller.taken.append(ax_in.get_window_extent(labeller.renderer))
        _label_facilities(ax_in, tables, labeller)
    _label_facilities(ax_jp, tables, labeller)

    pos = ax_w.get_position()
    bottom = _legend(fig, (pos.x0 - 0.005, pos.y0 - 0.05), pos.width, tables, (max_t, max_tp))
    fig.text(
        pos.x0,
        bottom - 0.02,
        _facts(tables),
        fontsize=8.5,
        va="top",
        ha="left",
        color="#222222",
        linespacing=1.6,
    )
    fig.suptitle(tables.title(), fontsize=15, fontweight="bold", x=0.04, ha="left", y=0.975)
    fig.text(
        0.04,
        0.925,
        status_line(tables)
        + " · outlines: Natural Earth (public domain); sea lanes: searoute (MARNET)",
        fontsize=9,
        color="#444444",
    )
    return fig


def _japan_panel(
    ax: Axes, tables: ResultTables, legs: gpd.GeoDataFrame, scale: tuple[float, float]
) -> Axes | None:
    """Japan with every leg, and an inset for the Nansei islands when sites lie there."""
    max_t, max_tp = scale
    main_extent, inset_extent = _japan_extents(tables)
    _base_map(ax, main_extent, japan=True)
    _draw_legs(ax, legs, max_t)
    _draw_sites(ax, tables, max_tp)
    ax.set_title(
        "Network in Japan (all legs; sea lanes leave the frame toward origins and markets)",
        fontsize=10,
        loc="left",
    )
    if inset_extent is None:
        return None
    # top left: over the continent and the Sea of Japan, where no route runs
    ax_in = ax.inset_axes((0.012, 0.735, 0.3, 0.255))
    _base_map(ax_in, inset_extent, japan=True)
    ax_in.set_anchor("NW")
    ax_in.set_xticks([])
    ax_in.set_yticks([])
    _draw_legs(ax_in, legs, max_t)
    _draw_sites(ax_in, tables, max_tp)
    ax_in.text(
        0.03,
        0.95,
        "Nansei islands (Okinawa)",
        transform=ax_in.transAxes,
        fontsize=7,
        va="top",
        ha="left",
        color="#333333",
        zorder=10,
    )
    return ax_in


def _world_panel(ax: Axes, tables: ResultTables, scale: tuple[float, float]) -> None:
    """The import and export routes over country outlines."""
    max_t, max_tp = scale
    rs = tables.routes()
    _base_map(ax, _world_extent(tables), japan=False)
    foreign_idx = set(rs.routes.index[_foreign_routes(tables)])
    legs_f = rs.legs[rs.legs["route"].isin(foreign_idx)]
    _draw_legs(ax, unique_legs(legs_f), max_t)
    _draw_sites(ax, _foreign_view(tables, foreign_idx), max_tp)
    imported = float(rs.routes.loc[rs.routes["stage"] == "import", "tonnes_per_yr"].sum())
    exported = float(rs.routes.loc[rs.routes["stage"] == "export", "tonnes_per_yr"].sum())
    ax.set_title(
        f"Imports ({imported:,.0f} t/yr) and exports ({exported:,.0f} t/yr) by sea lane",
        fontsize=10,
        loc="left",
    )


def _foreign_view(tables: ResultTables, foreign_idx: set[int]) -> ResultTables:
    """The tables cut down to what the import/export panel marks: the foreign routes' sites."""
    routes = tables.routes().routes
    on_routes = set(";".join(routes.loc[sorted(foreign_idx), "path"]).split(";"))
    sites = tables.sites
    keep = sites["kind"].isin(["origin", "market"]) | (
        sites["kind"].eq("port") & sites.index.isin(on_routes)
    )
    return ResultTables(
        tables.result_dir,
        sites[keep],
        tables.facilities.iloc[0:0],
        tables.flows,
        tables.leakage,
        tables.summary,
        tables.routes(),
    )


def write_png(tables: ResultTables, out_dir: Path) -> Path:
    """Write map.png into out_dir."""
    path = Path(out_dir) / PNG_NAME
    fig = build_figure(tables)
    fig.savefig(path, dpi=DPI, facecolor="white")
    logger.info("wrote %s", path)
    return path
