"""Leaflet plumbing for map.html: the inlined assets, the offline outlines, and script
elements that carry their data as text.

The network renders offline: Leaflet's JS and CSS (vendored in hubnet/export/vendor/leaflet,
BSD-2-Clause, licence header kept) are inlined into the page instead of folium's CDN links,
the few jQuery calls folium's popups make are served by a tiny built-in shim, and country
and prefecture outlines shipped with the package are drawn as an offline basemap. Only the
optional web tile layer needs a network.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from importlib import resources
from typing import Any

import geopandas as gpd
import shapely
from branca.element import Element, MacroElement
from folium.map import Layer
from jinja2 import Template

from hubnet.export.style import KIND_COLOURS, SEA

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

_K = KIND_COLOURS
# the page's own rules; the site shapes take their colours from the shared map style
_PAGE_CSS = (
    """
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
"""
    f""".hubnet-shape.smelter{{background:{_K["smelter"]};border:2px solid #fff;
 outline:1px solid {_K["smelter"]}}}
.hubnet-shape.port{{width:0;height:0;border-left:7px solid transparent;
 border-right:7px solid transparent;border-bottom:13px solid {_K["port"]}}}
.hubnet-shape.origin{{background:{_K["origin"]};border:2px solid #fff;transform:rotate(45deg);
 outline:1px solid {_K["origin"]}}}
.hubnet-shape.market{{background:{_K["market"]};border:2px solid #fff;border-radius:3px}}
"""
    """.hubnet-marker{background:none;border:none}
.hubnet-popup table{border-collapse:collapse;font-size:12px}
.hubnet-popup td{padding:1px 6px 1px 0;vertical-align:top}
.hubnet-popup td.n{text-align:right;font-variant-numeric:tabular-nums}
"""
)


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
    """A script-only element that carries data, put into the page as text: branca's own
    `Element(script)` would compile tens of MB of route data as a Jinja template again."""

    def render(self, **kwargs: Any) -> None:
        script = self._template.module.__dict__["script"]
        self.get_root().script.add_child(RawHtml(script(self, kwargs)), name=self.get_name())


class SeaBackground(MacroElement):
    """Paints the map container sea-blue so the offline outlines read as land."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.getContainer().style.background =
                {{ this.colour|tojson }};
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self.colour = SEA


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
