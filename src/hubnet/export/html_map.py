"""Interactive map of a results folder: one self-contained map.html (folium / Leaflet).

Routes are drawn leg by leg, coloured by mode and weighted by tonnes, with one switchable
layer per commodity. Hubs are circles sized by throughput; smelters, ports, foreign origins
and export markets have their own shapes; sources are small dots with their leakage. The page
renders offline (see `hubnet.export.html_leaflet`).
"""

from __future__ import annotations

import html
import itertools
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
import numpy as np
import pandas as pd
from folium.map import CustomPane

from hubnet.export.html_leaflet import (
    OutlineLayer,
    RawHtml,
    RouteLegs,
    SeaBackground,
    SiteMarkers,
    leaflet_inline,
    outline_features,
)
from hubnet.export.routes import ResultTables, fmt_amount, nice_steps
from hubnet.export.style import (
    KIND_COLOURS,
    MODE_COLOURS,
    MODE_LABELS,
    SITE_LEGEND,
    UNOPENED_HUB,
    status_line,
    used_modes,
)
from hubnet.units import yen

logger = logging.getLogger(__name__)

HTML_NAME = "map.html"
MIN_WEIGHT_PX = 1.5
MAX_WEIGHT_PX = 10.0
MIN_HUB_RADIUS_PX = 6.0
MAX_HUB_RADIUS_PX = 22.0
OUTLINES_PANE = "hubnet-outlines"
LEAK_MEASURES = ("generation_t_per_yr", "collected_t_per_yr", "uncollected_t_per_yr")
SITES_PANE = "hubnet-sites"


# --------------------------------------------------------------------------- formatting


def _esc(text: object) -> str:
    return html.escape(str(text if text is not None else ""), quote=True).replace("`", "&#96;")


def _num(value: object, digits: int = 0, unit: str = "") -> str:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "n/a"
    if math.isnan(v):
        return "n/a"
    text = f"{v:,.{digits}f}"
    return f"{text} {unit}".strip()


class _Labels:
    """English (Japanese) site labels, looked up once per map."""

    def __init__(self, sites: pd.DataFrame) -> None:
        self.name = dict(zip(sites["id"], sites["name"].astype(str), strict=True))
        self.name_ja = dict(zip(sites["id"], sites["name_ja"].astype(str), strict=True))

    def short(self, site_id: str) -> str:
        return _esc(self.name.get(site_id, site_id))

    def full(self, site_id: str) -> str:
        """English name with the Japanese name in brackets (when there is one)."""
        name = self.name.get(site_id, site_id)
        ja = self.name_ja.get(site_id, "")
        return _esc(f"{name} ({ja})" if ja and ja != name else name)


def _table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f'<tr><td>{k}</td><td class="n">{v}</td></tr>' for k, v in rows)
    return f"<table>{cells}</table>"


def _popup(title: str, rows: list[tuple[str, str]], note: str = "") -> str:
    """Popup HTML: bold title, an optional note, then a two-column table."""
    return f'<div class="hubnet-popup"><b>{title}</b>{note}{_table(rows)}</div>'


# --------------------------------------------------------------------------- scales


def line_weight(tonnes: float, max_tonnes: float) -> float:
    """Stroke width in px: square root of tonnes, so small flows stay visible."""
    if max_tonnes <= 0:
        return MIN_WEIGHT_PX
    share = math.sqrt(max(tonnes, 0.0) / max_tonnes)
    return round(MIN_WEIGHT_PX + (MAX_WEIGHT_PX - MIN_WEIGHT_PX) * share, 2)


def hub_radius(throughput: float, max_throughput: float) -> float:
    """Circle radius in px: area proportional to throughput."""
    if max_throughput <= 0:
        return MIN_HUB_RADIUS_PX
    share = math.sqrt(max(throughput, 0.0) / max_throughput)
    return round(MIN_HUB_RADIUS_PX + (MAX_HUB_RADIUS_PX - MIN_HUB_RADIUS_PX) * share, 2)


# --------------------------------------------------------------------------- layers


@dataclass
class Inner:
    """Drawing one year of a roadmap map: scales shared by every year, and the groups made
    (name -> group), which the year switch shows or hides; no entry in the layer control."""

    max_t: float
    max_tp: float
    parts: dict[str, folium.FeatureGroup] = field(default_factory=dict)


#
# Routes and sites are emitted as one data array per layer and created by a short JS loop,
# rather than as one folium element each: folium compiles a Jinja template per element,
# which takes seconds for the few thousand elements of a full instance.


def _route_popup(labels: _Labels, route: dict[str, Any]) -> str:
    path = str(route["path"]).split(";")
    path_modes = str(route["path_modes"]).split(";")
    via = " → ".join(labels.short(s) for s in path)
    title = (
        f"{_esc(route['commodity'])}: {labels.full(route['origin'])} → "
        f"{labels.full(route['destination'])}"
    )
    note = (
        f"<br><small>lane {_esc(route['lane'])} ({_esc(route['stage'])}); via {via} "
        f"by {_esc(' / '.join(path_modes))}</small>"
    )
    rows = [
        ("tonnes / yr", _num(route["tonnes_per_yr"], 1)),
        ("cost / yr", yen(route["cost_jpy_per_yr"])),
        ("cost / t", yen(route["cost_jpy_per_t"])),
        ("distance", _num(route["distance_km"], 0, "km")),
        ("CO₂ / yr", _num(route["co2_t_per_yr"], 1, "t")),
    ]
    return _popup(title, rows, note)


def add_routes(
    m: folium.Map | folium.FeatureGroup, tables: ResultTables, inner: Inner | None = None
) -> dict[str, int]:
    """One FeatureGroup per commodity with every leg of its routes; returns legs per commodity.

    `inner`: the groups go into one year's group of a roadmap map (see `Inner`)."""
    routes = tables.routes().routes
    legs = tables.routes().legs
    labels = _Labels(tables.sites)
    counts: dict[str, int] = {}
    if routes.empty:
        return counts
    max_t = inner.max_t if inner else float(routes["tonnes_per_yr"].max())
    records = routes.drop(columns="geometry").to_dict("records")
    legs_of: dict[int, list[int]] = {}
    for i, r in enumerate(legs["route"].to_numpy()):
        legs_of.setdefault(int(r), []).append(i)
    leg_geoms = legs.geometry.to_numpy()
    leg_start = legs["start"].to_numpy()
    leg_end = legs["end"].to_numpy()
    leg_mode = legs["mode"].to_numpy()

    for commodity in sorted(routes["commodity"].unique()):
        sub = routes[routes["commodity"] == commodity]
        total = float(sub["tonnes_per_yr"].sum())
        group = folium.FeatureGroup(
            name=f"Routes: {_esc(commodity)} ({total:,.0f} t/yr)",
            overlay=True,
            show=True,
            control=inner is None,
        )
        if inner:
            inner.parts[f"Routes: {commodity}"] = group
        data: list[list[Any]] = []
        popups: list[str] = []
        # heavy flows last, so they are drawn on top
        for ridx in sub.sort_values("tonnes_per_yr", kind="stable").index:
            route = records[ridx]
            popups.append(_route_popup(labels, route))
            weight = line_weight(float(route["tonnes_per_yr"]), max_t)
            tooltip = _esc(
                f"{route['commodity']}: {labels.name.get(route['origin'], route['origin'])} → "
                f"{labels.name.get(route['destination'], route['destination'])}, "
                f"{route['tonnes_per_yr']:,.0f} t/yr"
            )
            for i in legs_of.get(int(ridx), []):
                mode = str(leg_mode[i])
                coords = np.asarray(leg_geoms[i].coords)[:, ::-1].round(5)
                note = (
                    f"<small>this leg: {labels.short(leg_start[i])} → "
                    f"{labels.short(leg_end[i])} by {_esc(mode)}</small>"
                )
                data.append(
                    [
                        coords.tolist(),
                        MODE_COLOURS.get(mode, "#000000"),
                        weight,
                        "8 6" if mode == "explicit" else None,
                        f"hubnet-route hubnet-mode-{mode}",
                        len(popups) - 1,
                        tooltip,
                        note,
                    ]
                )
        group.add_child(RouteLegs(data, popups))
        group.add_to(m)
        counts[str(commodity)] = len(data)
    return counts


def _leakage_popups(tables: ResultTables, labels: _Labels) -> dict[str, str]:
    """Popup HTML per source: collected and leaked tonnes per commodity."""
    out: dict[str, str] = {}
    leak = tables.leakage.sort_values(["source", "commodity"], kind="stable")
    columns = ["source", "commodity", *LEAK_MEASURES]
    # one pass over plain records: a pandas group per source took most of the sources' time
    for source, group in itertools.groupby(
        leak[columns].itertuples(index=False, name=None), key=lambda r: r[0]
    ):
        records = list(group)
        rows = [
            (_esc(k), f"{_num(col)} of {_num(gen)} t collected; {_num(unc)} t leak")
            for _, k, gen, col, unc in records
        ]
        gen = float(np.sum([r[2] for r in records]))
        if gen > 0:
            unc = float(np.sum([r[4] for r in records]))
            rows.append(("uncollected", f"{unc / gen:.1%}"))
        out[str(source)] = _popup(labels.full(str(source)), rows, "<br><small>source</small>")
    return out


def _circle(lat: float, lon: float, popup: str, tooltip: str, **options: Any) -> dict[str, Any]:
    opts = {"pane": SITES_PANE, "lineCap": "round", "lineJoin": "round", **options}
    return {"k": "circle", "ll": [float(lat), float(lon)], "o": opts, "p": popup, "t": tooltip}


def _shape(lat: float, lon: float, kind: str, popup: str, tooltip: str) -> dict[str, Any]:
    opts = {
        "html": f'<div class="hubnet-shape {kind}"></div>',
        "iconSize": [14, 14],
        "iconAnchor": [7, 7],
        "className": f"hubnet-marker hubnet-{kind}",
    }
    return {"k": "icon", "ll": [float(lat), float(lon)], "o": opts, "p": popup, "t": tooltip}


def add_sites(
    m: folium.Map | folium.FeatureGroup, tables: ResultTables, inner: Inner | None = None
) -> dict[str, int]:
    """Hubs, smelters, ports, origins, markets and sources; returns how many of each."""
    labels = _Labels(tables.sites)
    sources = _source_items(tables, labels)
    hubs = _hub_items(tables, labels, inner.max_tp if inner else None)
    shapes, counts = _shape_items(tables, labels)
    counts = {"source": len(sources), "hub": len(hubs), **counts}

    for name, items in (
        ("Sources (leakage)", sources),
        ("Hubs, smelters, ports, origins, markets", hubs + shapes),
    ):
        group = folium.FeatureGroup(name=name, overlay=True, show=True, control=inner is None)
        group.add_child(SiteMarkers(items))
        group.add_to(m)
        if inner:
            inner.parts[name] = group
    return counts


def _facility_label(labels: _Labels, r: dict[str, Any]) -> str:
    fid = str(r["facility"])
    return labels.full(fid) if fid in labels.name else _esc(r["name"])


def _source_items(tables: ResultTables, labels: _Labels) -> list[dict[str, Any]]:
    """Sources: small grey dots with their leakage."""
    sites = tables.sites
    leak_popups = _leakage_popups(tables, labels)
    items = []
    for r in sites[sites["kind"] == "source"].to_dict("records"):
        sid = str(r["id"])
        popup = leak_popups.get(sid, _popup(labels.full(sid), [], "<br><small>source</small>"))
        items.append(
            _circle(
                r["lat"],
                r["lon"],
                popup,
                labels.full(sid),
                radius=3.5,
                color="#ffffff",
                weight=1,
                fill=True,
                fillColor=KIND_COLOURS["source"],
                fillOpacity=0.9,
                className="hubnet-source",
            )
        )
    return items


def _hub_items(
    tables: ResultTables, labels: _Labels, max_tp: float | None = None
) -> list[dict[str, Any]]:
    """Hubs: circles sized by throughput (largest first, so small ones stay clickable on top);
    candidates not opened are small hollow circles. `max_tp`: the throughput of the largest
    circle (default the busiest hub's)."""
    fac = tables.facilities
    hubs = fac[fac["role"] == "hub"].sort_values("throughput_t_per_yr", ascending=False)
    if max_tp is None:
        max_tp = float(hubs["throughput_t_per_yr"].max()) if len(hubs) else 0.0
    items = []
    for r in hubs.to_dict("records"):
        used = bool(r["open"])
        rows = [
            ("open", "yes" if used else "no"),
            ("level", _esc(r["level"]) or "–"),
            ("throughput", _num(r["throughput_t_per_yr"], 0, "t/yr")),
            ("capacity", _num(r["capacity_t_per_yr"], 0, "t/yr")),
            ("utilisation", _num(100 * float(r["utilisation_share"]), 1, "%")),
            ("fixed cost", yen(r["fixed_cost_jpy_per_yr"])),
            ("processing cost", yen(r["processing_cost_jpy_per_yr"])),
        ]
        name = _facility_label(labels, r)
        items.append(
            _circle(
                r["lat"],
                r["lon"],
                _popup(name, rows, "<br><small>hub</small>"),
                name,
                radius=hub_radius(float(r["throughput_t_per_yr"]), max_tp) if used else 4.0,
                color=KIND_COLOURS["hub"] if used else UNOPENED_HUB,
                weight=2,
                fill=True,
                fillColor=KIND_COLOURS["hub"] if used else "#ffffff",
                fillOpacity=0.75 if used else 0.6,
                dashArray=None if used else "3 3",
                className="hubnet-hub" + ("" if used else " hubnet-hub-unused"),
            )
        )
    return items


def _shape_items(
    tables: ResultTables, labels: _Labels
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Smelters, ports, origins and markets: shaped div icons, and how many of each."""
    fac, sites = tables.facilities, tables.sites
    items: list[dict[str, Any]] = []
    smelters = fac[fac["role"] == "smelter"]
    for r in smelters.to_dict("records"):
        rows = [
            ("throughput", _num(r["throughput_t_per_yr"], 0, "t/yr")),
            ("capacity", _num(r["capacity_t_per_yr"], 0, "t/yr")),
            ("utilisation", _num(100 * float(r["utilisation_share"]), 1, "%")),
            ("processing cost", yen(r["processing_cost_jpy_per_yr"])),
        ]
        name = _facility_label(labels, r)
        popup = _popup(name, rows, "<br><small>smelter</small>")
        items.append(_shape(r["lat"], r["lon"], "smelter", popup, name))
    counts = {"smelter": len(smelters)}
    for kind in ("port", "origin", "market"):
        pts = sites[sites["kind"] == kind].to_dict("records")
        for r in pts:
            sid = str(r["id"])
            rows = [
                ("id", _esc(sid)),
                ("country", _esc(r["country"])),
                ("region", _esc(r["region"])),
            ]
            popup = _popup(labels.full(sid), rows, f"<br><small>{kind}</small>")
            items.append(_shape(r["lat"], r["lon"], kind, popup, labels.full(sid)))
        counts[kind] = len(pts)
    return items, counts


def _legend_symbol(key: str) -> str:
    """A site's legend symbol as drawn on the map (SVG for circles, the CSS shape otherwise)."""
    hub, grey = KIND_COLOURS["hub"], KIND_COLOURS["source"]
    if key == "hub":
        return (
            f'<svg width="18" height="18"><circle cx="9" cy="9" r="7" fill="{hub}" '
            f'fill-opacity=".75" stroke="{hub}" stroke-width="2"/></svg>'
        )
    if key == "unopened":
        return (
            f'<svg width="14" height="14"><circle cx="7" cy="7" r="4" fill="#fff" '
            f'stroke="{UNOPENED_HUB}" stroke-width="2" stroke-dasharray="3 3"/></svg>'
        )
    if key == "source":
        return f'<svg width="10" height="10"><circle cx="5" cy="5" r="4" fill="{grey}"/></svg>'
    return f'<span class="hubnet-shape {key}"></span>'


def _legend_html(tables: ResultTables) -> str:
    routes = tables.routes().routes
    rows = []
    for mode in used_modes(tables.routes().legs):
        dash = ' stroke-dasharray="5 4"' if mode == "explicit" else ""
        rows.append(
            f'<div class="row"><svg class="sw" height="10"><line x1="0" y1="5" x2="28" y2="5" '
            f'stroke="{MODE_COLOURS[mode]}" stroke-width="4"{dash}/></svg>{MODE_LABELS[mode]}</div>'
        )
    rows_sym = "".join(
        f'<div class="row"><span class="sym">{_legend_symbol(k)}</span>{t}</div>'
        for k, t in SITE_LEGEND
    )
    max_t = float(routes["tonnes_per_yr"].max()) if len(routes) else 0.0
    scale = "".join(
        f'<div class="row"><svg class="sw" height="12"><line x1="0" y1="6" x2="28" y2="6" '
        f'stroke="#444" stroke-width="{line_weight(v, max_t)}"/></svg>{fmt_amount(v)} t/yr</div>'
        for v in nice_steps(max_t)
    )
    return (
        '<div class="hubnet-legend" id="hubnet-legend"><h4>Transport mode</h4>'
        + "".join(rows)
        + "<h4>Sites</h4>"
        + rows_sym
        + ("<h4>Flow (line width)</h4>" + scale if scale else "")
        + "</div>"
    )


def _title_html(tables: ResultTables) -> str:
    return (
        f'<div class="hubnet-title" id="hubnet-title">{_esc(tables.title())}'
        f"<small>{_esc(status_line(tables))}</small></div>"
    )


def build_map(tables: ResultTables) -> folium.Map:
    """The folium map of a results folder, with Leaflet inlined (no CDN links)."""
    sites = tables.sites
    jp = sites[(sites["country"] == "JP") & (sites["kind"] != "junction")]
    focus = jp if len(jp) else sites
    m = folium.Map(
        location=(float(focus["lat"].mean()), float(focus["lon"].mean())),
        zoom_start=5,
        tiles=None,
        control_scale=True,
        world_copy_jump=False,
    )
    # no CDN links: Leaflet is inlined below, jQuery/Bootstrap/awesome-markers are not used
    m.default_js = []
    m.default_css = []
    root = m.get_root()
    root.header.add_child(RawHtml(leaflet_inline()), name="hubnet_leaflet_inline")
    root.title = _esc(tables.title())  # type: ignore[attr-defined]

    SeaBackground().add_to(m)
    CustomPane(OUTLINES_PANE, z_index=250, pointer_events=False).add_to(m)
    CustomPane(SITES_PANE, z_index=450, pointer_events=True).add_to(m)
    web = folium.TileLayer("OpenStreetMap", name="Web basemap (needs internet)", control=True)
    web.add_to(m)
    OutlineLayer("Countries and prefectures (offline)", outline_features(), OUTLINES_PANE).add_to(m)

    if tables.years:
        from hubnet.export.html_years import add_years

        add_years(m, tables)
    else:
        add_routes(m, tables)
        add_sites(m, tables)

    root.html.add_child(RawHtml(_title_html(tables)), name="hubnet_title")
    root.html.add_child(RawHtml(_legend_html(tables)), name="hubnet_legend")
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    if len(focus) >= 2:
        m.fit_bounds(
            [
                [float(focus["lat"].min()), float(focus["lon"].min())],
                [float(focus["lat"].max()), float(focus["lon"].max())],
            ],
            padding=(30, 30),
        )
    return m


def write_html(tables: ResultTables, out_dir: Path) -> Path:
    """Write map.html into out_dir."""
    path = Path(out_dir) / HTML_NAME
    m = build_map(tables)
    m.save(str(path))
    logger.info("wrote %s", path)
    return path
