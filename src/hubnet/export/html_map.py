"""Interactive map of a results folder: one self-contained map.html (folium / Leaflet).

Routes are drawn leg by leg, coloured by mode and weighted by tonnes, with one switchable
layer per commodity. Hubs are circles sized by throughput; smelters, ports, foreign origins
and export markets have their own shapes; sources are small dots with their leakage.

The network renders offline: Leaflet's JS and CSS (vendored in hubnet/export/vendor/leaflet,
BSD-2-Clause, licence header kept) are inlined into the page instead of folium's CDN links,
the few jQuery calls folium's popups make are served by a tiny built-in shim, and country
and prefecture outlines shipped with the package are drawn as an offline basemap. Only the
optional web tile layer needs a network.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import logging
import math
import re
from importlib import resources
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.map import CustomPane, Layer
from jinja2 import Template

from hubnet.export.routes import ResultTables, fmt_amount, nice_steps

logger = logging.getLogger(__name__)

HTML_NAME = "map.html"

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
    "explicit": "explicit lane (straight)",
}
KIND_COLOURS: dict[str, str] = {
    "hub": "#e31a1c",
    "smelter": "#222222",
    "port": "#1f78b4",
    "origin": "#33a02c",
    "market": "#6a3d9a",
    "source": "#737373",
}
MIN_WEIGHT_PX = 1.5
MAX_WEIGHT_PX = 10.0
MIN_HUB_RADIUS_PX = 6.0
MAX_HUB_RADIUS_PX = 22.0
OUTLINES_PANE = "hubnet-outlines"
SITES_PANE = "hubnet-sites"

# A stand-in for the one jQuery call folium's popups make: $(`<div>...</div>`)[0].
_JQUERY_SHIM = """
window.$ = window.$ || function (arg) {
  if (typeof arg === "string") {
    var t = document.createElement("template");
    t.innerHTML = arg.trim();
    return [t.content.firstChild];
  }
  return {ready: function (fn) {
    if (document.readyState !== "loading") { fn(); }
    else { document.addEventListener("DOMContentLoaded", fn); }
  }};
};
"""

_PAGE_CSS = """
.hubnet-title{position:fixed;top:10px;left:50%;transform:translateX(-50%);z-index:1000;
 background:rgba(255,255,255,.92);padding:6px 14px;border-radius:6px;
 box-shadow:0 1px 5px rgba(0,0,0,.4);font:600 15px/1.3 system-ui,sans-serif;text-align:center}
.hubnet-title small{display:block;font-weight:400;font-size:12px;color:#444}
.hubnet-legend{position:fixed;bottom:28px;right:10px;z-index:1000;background:rgba(255,255,255,.93);
 padding:8px 10px;border-radius:6px;box-shadow:0 1px 5px rgba(0,0,0,.4);
 font:12px/1.35 system-ui,sans-serif;max-width:250px}
.hubnet-legend h4{margin:2px 0 4px;font-size:12px}
.hubnet-legend .row{display:flex;align-items:center;gap:7px;margin:2px 0}
.hubnet-legend .sw{display:inline-block;width:28px;flex:none}
.hubnet-legend .sym{display:inline-flex;width:28px;justify-content:center;flex:none}
.hubnet-shape{box-sizing:border-box;width:14px;height:14px}
.hubnet-shape.smelter{background:#222;border:2px solid #fff;outline:1px solid #222}
.hubnet-shape.port{width:0;height:0;border-left:7px solid transparent;
 border-right:7px solid transparent;border-bottom:13px solid #1f78b4}
.hubnet-shape.origin{background:#33a02c;border:2px solid #fff;transform:rotate(45deg);
 outline:1px solid #33a02c}
.hubnet-shape.market{background:#6a3d9a;border:2px solid #fff;border-radius:3px}
.hubnet-marker{background:none;border:none}
.hubnet-popup table{border-collapse:collapse;font-size:12px}
.hubnet-popup td{padding:1px 6px 1px 0;vertical-align:top}
.hubnet-popup td.n{text-align:right;font-variant-numeric:tabular-nums}
"""


# --------------------------------------------------------------------------- offline assets


def _vendor_file(name: str) -> bytes:
    return (resources.files("hubnet.export") / "vendor" / "leaflet" / name).read_bytes()


@functools.lru_cache(maxsize=1)
def leaflet_inline() -> str:
    """<style> and <script> with Leaflet's CSS (images as data URIs) and JS, for the <head>."""
    css = _vendor_file("leaflet.css").decode("utf-8")

    def data_uri(match: re.Match[str]) -> str:
        png = _vendor_file(f"images/{match.group(1)}")
        return f"url(data:image/png;base64,{base64.b64encode(png).decode('ascii')})"

    css = re.sub(r"url\(images/([\w.-]+\.png)\)", data_uri, css)
    js = _vendor_file("leaflet.js").decode("utf-8")
    # keep "</script" out of the inline script (it would end the element early)
    js = js.replace("</script", "<\\/script")
    return (
        f'<style id="leaflet-css">\n{css}\n</style>\n'
        f'<script id="leaflet-js">\n{js}\n</script>\n'
        f"<script>{_JQUERY_SHIM}</script>\n"
        f"<style>{_PAGE_CSS}</style>\n"
    )


def _data_path(name: str) -> Any:
    return resources.files("hubnet") / "data" / name


@functools.lru_cache(maxsize=1)
def outline_features() -> str:
    """GeoJSON text of world countries and Japanese prefectures, lightly simplified."""
    features: list[dict[str, Any]] = []
    for name, kind, tolerance in (
        ("world_countries_110m.geojson", "country", 0.0),
        ("japan_prefectures.geojson", "prefecture", 0.01),
    ):
        with resources.as_file(_data_path(name)) as path:
            gdf = gpd.read_file(path, engine="pyogrio")
        geoms = gdf.geometry.values
        if tolerance:
            geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
        geoms = shapely.set_precision(geoms, 0.001)
        label = gdf["name_en"].astype(str).tolist()
        for geom, lab in zip(geoms, label, strict=True):
            if geom is None or geom.is_empty:
                continue
            features.append(
                {
                    "type": "Feature",
                    "properties": {"k": kind, "n": lab},
                    "geometry": json.loads(shapely.to_geojson(geom)),
                }
            )
    return js_json({"type": "FeatureCollection", "features": features})


class OutlineLayer(Layer):
    """Offline basemap: non-interactive country and prefecture outlines in their own pane."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
                pane: {{ this.pane|tojson }},
                interactive: false,
                style: function (f) {
                    return f.properties.k === "prefecture"
                        ? {color: "#9a9a9a", weight: 0.6, fillColor: "#f3efe4", fillOpacity: 1}
                        : {color: "#b0b0b0", weight: 0.6, fillColor: "#ebe7dc", fillOpacity: 1};
                }
            });
        {% endmacro %}
        """
    )

    def __init__(self, name: str, data: str, pane: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "OutlineLayer"
        self.data = data
        self.pane = pane


class RawHtml(Element):
    """Text put into the page as it is: branca's `Element(text)` compiles its text as a Jinja
    template first."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHtml"
        self.text = text


class DataScript(MacroElement):
    """A script-only element that carries data. branca puts a rendered script into the page
    as `Element(script)`, which compiles it as a Jinja template again: on `japan-municipal`
    the routes' 26 MB took the template lexer 2.7 s. This puts it in as text."""

    def render(self, **kwargs: Any) -> None:
        script = self._template.module.__dict__["script"]
        self.get_root().script.add_child(RawHtml(script(self, kwargs)), name=self.get_name())


class _SeaBackground(MacroElement):
    """Paints the map container sea-blue so the offline outlines read as land."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.getContainer().style.background = "#dbe9f3";
        {% endmacro %}
        """
    )


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


def _yen(value: object) -> str:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "n/a"
    if math.isnan(v):
        return "n/a"
    if abs(v) >= 1e8:
        return f"¥{v / 1e6:,.0f} M"
    return f"¥{v:,.0f}"


def js_json(obj: Any) -> str:
    """JSON safe to put inside a <script> element; non-ASCII text (Japanese names) kept as is."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


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
#
# Routes and sites are emitted as one data array per layer and created by a short JS loop,
# rather than as one folium element each: folium compiles a Jinja template per element,
# which takes seconds for the few thousand elements of a full instance.


class RouteLegs(DataScript):
    """Polylines of one commodity's legs, added to the parent FeatureGroup in one JS loop.

    Each leg is [latlngs, colour, weight, dashArray, className, popup index, tooltip, note];
    popups are shared by the legs of a route and end with the leg's own note.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var popups = {{ this.popups_js }};
            var legs = {{ this.legs_js }};
            legs.forEach(function (l) {
                L.polyline(l[0], {
                    color: l[1], weight: l[2], opacity: 0.8, dashArray: l[3],
                    className: l[4], lineCap: "round", lineJoin: "round"
                }).bindPopup(popups[l[5]] + l[7], {maxWidth: 380})
                  .bindTooltip(l[6], {sticky: true})
                  .addTo({{ this._parent.get_name() }});
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, legs: list[list[Any]], popups: list[str]) -> None:
        super().__init__()
        self._name = "RouteLegs"
        self.legs_js = js_json(legs)
        self.popups_js = js_json(popups)


class SiteMarkers(DataScript):
    """Circle markers and shaped (div-icon) markers, added to the parent in one JS loop.

    Each item is {"k": "circle" or "icon", "ll": [lat, lon], "o": options, "p": popup HTML,
    "t": tooltip HTML}; circle markers go to the sites pane so they stay above the routes.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var items = {{ this.items_js }};
            items.forEach(function (it) {
                var layer = it.k === "circle"
                    ? L.circleMarker(it.ll, it.o)
                    : L.marker(it.ll, {icon: L.divIcon(it.o)});
                layer.bindPopup(it.p, {maxWidth: 380}).bindTooltip(it.t)
                     .addTo({{ this._parent.get_name() }});
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, items: list[dict[str, Any]]) -> None:
        super().__init__()
        self._name = "SiteMarkers"
        self.items_js = js_json(items)


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
        ("cost / yr", _yen(route["cost_jpy_per_yr"])),
        ("cost / t", _yen(route["cost_jpy_per_t"])),
        ("distance", _num(route["distance_km"], 0, "km")),
        ("CO₂ / yr", _num(route["co2_t_per_yr"], 1, "t")),
    ]
    return _popup(title, rows, note)


def add_routes(m: folium.Map, tables: ResultTables) -> dict[str, int]:
    """One FeatureGroup per commodity with every leg of its routes; returns legs per commodity."""
    routes = tables.routes().routes
    legs = tables.routes().legs
    labels = _Labels(tables.sites)
    counts: dict[str, int] = {}
    if routes.empty:
        return counts
    max_t = float(routes["tonnes_per_yr"].max())
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
            name=f"Routes: {_esc(commodity)} ({total:,.0f} t/yr)", overlay=True, show=True
        )
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
    leak = tables.leakage.sort_values(["source", "commodity"])
    for source, grp in leak.groupby("source", sort=False):
        rows = [
            (
                _esc(r["commodity"]),
                f"{_num(r['collected_t_per_yr'])} of {_num(r['generation_t_per_yr'])} t "
                f"collected; {_num(r['uncollected_t_per_yr'])} t leak",
            )
            for r in grp.to_dict("records")
        ]
        gen = float(grp["generation_t_per_yr"].sum())
        if gen > 0:
            unc = float(grp["uncollected_t_per_yr"].sum())
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


def add_sites(m: folium.Map, tables: ResultTables) -> dict[str, int]:
    """Hubs, smelters, ports, origins, markets and sources; returns how many of each."""
    sites = tables.sites
    labels = _Labels(sites)
    fac = tables.facilities
    counts: dict[str, int] = {}

    def label(fid: str, name: str) -> str:
        return labels.full(fid) if fid in labels.name else _esc(name)

    # sources: small grey dots with their leakage
    leak_popups = _leakage_popups(tables, labels)
    source_items = []
    for r in sites[sites["kind"] == "source"].to_dict("records"):
        sid = str(r["id"])
        popup = leak_popups.get(sid, _popup(labels.full(sid), [], "<br><small>source</small>"))
        source_items.append(
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
    counts["source"] = len(source_items)

    items: list[dict[str, Any]] = []
    # hubs: circles sized by throughput (largest first, so small ones stay clickable on top);
    # candidates not opened are small hollow circles
    hubs = fac[fac["role"] == "hub"].sort_values("throughput_t_per_yr", ascending=False)
    max_tp = float(hubs["throughput_t_per_yr"].max()) if len(hubs) else 0.0
    for r in hubs.to_dict("records"):
        used = bool(r["open"])
        rows = [
            ("open", "yes" if used else "no"),
            ("level", _esc(r["level"]) or "–"),
            ("throughput", _num(r["throughput_t_per_yr"], 0, "t/yr")),
            ("capacity", _num(r["capacity_t_per_yr"], 0, "t/yr")),
            ("utilisation", _num(100 * float(r["utilisation_share"]), 1, "%")),
            ("fixed cost", _yen(r["fixed_cost_jpy_per_yr"])),
            ("processing cost", _yen(r["processing_cost_jpy_per_yr"])),
        ]
        name = label(str(r["facility"]), str(r["name"]))
        items.append(
            _circle(
                r["lat"],
                r["lon"],
                _popup(name, rows, "<br><small>hub</small>"),
                name,
                radius=hub_radius(float(r["throughput_t_per_yr"]), max_tp) if used else 4.0,
                color=KIND_COLOURS["hub"] if used else "#888888",
                weight=2,
                fill=True,
                fillColor=KIND_COLOURS["hub"] if used else "#ffffff",
                fillOpacity=0.75 if used else 0.6,
                dashArray=None if used else "3 3",
                className="hubnet-hub" + ("" if used else " hubnet-hub-unused"),
            )
        )
    counts["hub"] = len(hubs)

    # smelters, ports, origins, markets: shaped div icons
    smelters = fac[fac["role"] == "smelter"]
    for r in smelters.to_dict("records"):
        rows = [
            ("throughput", _num(r["throughput_t_per_yr"], 0, "t/yr")),
            ("capacity", _num(r["capacity_t_per_yr"], 0, "t/yr")),
            ("utilisation", _num(100 * float(r["utilisation_share"]), 1, "%")),
            ("processing cost", _yen(r["processing_cost_jpy_per_yr"])),
        ]
        name = label(str(r["facility"]), str(r["name"]))
        popup = _popup(name, rows, "<br><small>smelter</small>")
        items.append(_shape(r["lat"], r["lon"], "smelter", popup, name))
    counts["smelter"] = len(smelters)
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

    sources_group = folium.FeatureGroup(name="Sources (leakage)", overlay=True, show=True)
    sources_group.add_child(SiteMarkers(source_items))
    sources_group.add_to(m)
    group = folium.FeatureGroup(name="Hubs, smelters, ports, origins, markets", overlay=True)
    group.add_child(SiteMarkers(items))
    group.add_to(m)
    return counts


def _legend_html(tables: ResultTables) -> str:
    routes = tables.routes().routes
    legs = tables.routes().legs
    used_modes = [m for m in MODE_COLOURS if m in set(legs["mode"])] if len(legs) else []
    rows = []
    for mode in used_modes:
        dash = ' stroke-dasharray="5 4"' if mode == "explicit" else ""
        rows.append(
            f'<div class="row"><svg class="sw" height="10"><line x1="0" y1="5" x2="28" y2="5" '
            f'stroke="{MODE_COLOURS[mode]}" stroke-width="4"{dash}/></svg>{MODE_LABELS[mode]}</div>'
        )
    shapes = [
        (
            '<svg width="18" height="18"><circle cx="9" cy="9" r="7" fill="#e31a1c" '
            'fill-opacity=".75" stroke="#e31a1c" stroke-width="2"/></svg>',
            "hub (area ∝ throughput)",
        ),
        (
            '<svg width="14" height="14"><circle cx="7" cy="7" r="4" fill="#fff" stroke="#888" '
            'stroke-width="2" stroke-dasharray="3 3"/></svg>',
            "candidate hub, not opened",
        ),
        ('<span class="hubnet-shape smelter"></span>', "smelter"),
        ('<span class="hubnet-shape port"></span>', "port"),
        ('<span class="hubnet-shape origin"></span>', "import origin"),
        ('<span class="hubnet-shape market"></span>', "export market"),
        (
            '<svg width="10" height="10"><circle cx="5" cy="5" r="4" fill="#737373"/></svg>',
            "source (prefecture)",
        ),
    ]
    rows_sym = "".join(f'<div class="row"><span class="sym">{s}</span>{t}</div>' for s, t in shapes)
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
    s = tables.summary
    routes = tables.routes().routes
    fac = tables.facilities
    hubs_open = int((fac["open"] & (fac["role"] == "hub")).sum())
    sub = (
        f"status {_esc(s.get('status', 'n/a'))} · {hubs_open} hubs open · "
        f"{len(routes)} routes · {routes['tonnes_per_yr'].sum():,.0f} t/yr moved"
    )
    return (
        f'<div class="hubnet-title" id="hubnet-title">{_esc(tables.title())}'
        f"<small>{sub}</small></div>"
    )


def build_map(tables: ResultTables, tiles: str | None = "OpenStreetMap") -> folium.Map:
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

    _SeaBackground().add_to(m)
    CustomPane(OUTLINES_PANE, z_index=250, pointer_events=False).add_to(m)
    CustomPane(SITES_PANE, z_index=450, pointer_events=True).add_to(m)
    if tiles:
        folium.TileLayer(tiles, name="Web basemap (needs internet)", control=True).add_to(m)
    OutlineLayer("Countries and prefectures (offline)", outline_features(), OUTLINES_PANE).add_to(m)

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
