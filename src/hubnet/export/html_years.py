"""The years of a roadmap run on map.html: one layer group per planning year, and a control
that shows one year at a time.

Each year's group holds that year's routes (one sub-group per commodity), sources and sites,
drawn with line widths and hub sizes on scales shared by every year, so years compare by eye.
The control lists the years (radio buttons) and the sub-groups (check boxes that apply to
every year). The first year shows on opening; `map.html#year=2035` opens on 2035.
"""

from __future__ import annotations

import html

import folium
from branca.element import MacroElement
from jinja2 import Template

from hubnet.export.html_leaflet import RawHtml, js_json
from hubnet.export.html_map import Inner, add_routes, add_sites
from hubnet.export.routes import ResultTables
from hubnet.units import yen

_CSS = """<style>
.hubnet-years{background:rgba(255,255,255,.93);padding:6px 10px;border-radius:6px;
 box-shadow:0 1px 5px rgba(0,0,0,.4);font:12px/1.45 system-ui,sans-serif}
.hubnet-years h4{margin:2px 0 3px;font-size:12px}
.hubnet-years label{display:block;white-space:nowrap;cursor:pointer}
</style>"""


class YearSwitch(MacroElement):
    """The year control: shows the chosen year's group, hides the others; a check box per
    sub-group (routes of a commodity, sources, sites) shows or hides it in every year."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var entries = {{ this.entries_js }};
            function show(year) {
                entries.forEach(function (e) {
                    if (e.year === year) { if (!map.hasLayer(e.group)) { map.addLayer(e.group); } }
                    else if (map.hasLayer(e.group)) { map.removeLayer(e.group); }
                });
                document.querySelectorAll("input.hubnet-year").forEach(function (i) {
                    i.checked = Number(i.value) === year;
                });
            }
            function part(name, on) {
                entries.forEach(function (e) {
                    var layer = e.parts[name];
                    if (!layer) { return; }
                    if (on) { e.group.addLayer(layer); } else { e.group.removeLayer(layer); }
                });
            }
            var control = L.control({position: "topleft"});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", "hubnet-years");
                div.innerHTML = {{ this.html_js }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                div.addEventListener("change", function (ev) {
                    var t = ev.target;
                    if (t.classList.contains("hubnet-year")) { show(Number(t.value)); }
                    else { part(t.getAttribute("data-part"), t.checked); }
                });
                return div;
            };
            control.addTo(map);
            var asked = /year=(\\d+)/.exec(window.location.hash);
            var start = entries[0].year;
            if (asked && entries.some(function (e) { return e.year === Number(asked[1]); })) {
                start = Number(asked[1]);
            }
            show(start);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, entries_js: str, html_text: str) -> None:
        super().__init__()
        self._name = "YearSwitch"
        self.entries_js = entries_js
        self.html_js = js_json(html_text)


def _label(view: ResultTables) -> str:
    """A year in the control: `2030 · ¥1.23 bn/yr · 3 hubs open`."""
    fac = view.facilities
    hubs = int((fac["open"] & (fac["role"] == "hub")).sum())
    cost = yen(view.summary.get("objective_jpy_per_yr"), missing="n/a")
    return f"{view.summary['year']} · {cost}/yr · {hubs} hub{'s' if hubs != 1 else ''} open"


def _control_html(labels: dict[int, str], parts: list[str]) -> str:
    years = "".join(
        f'<label><input type="radio" name="hubnet-year" class="hubnet-year" value="{y}"> '
        f"{html.escape(text)}</label>"
        for y, text in labels.items()
    )
    boxes = "".join(
        f'<label><input type="checkbox" class="hubnet-part" data-part="{html.escape(p)}" '
        f"checked> {html.escape(p)}</label>"
        for p in parts
    )
    return f"<h4>Planning year</h4>{years}<h4>Show</h4>{boxes}"


def add_years(m: folium.Map, tables: ResultTables) -> dict[int, folium.FeatureGroup]:
    """One FeatureGroup per planning year (the first shown) and the year control; returns the
    groups by year."""
    routes = tables.routes().routes
    fac = tables.facilities
    hubs = fac[fac["role"] == "hub"]
    max_t = float(routes["tonnes_per_yr"].max()) if len(routes) else 0.0
    max_tp = float(hubs["throughput_t_per_yr"].max()) if len(hubs) else 0.0
    groups: dict[int, folium.FeatureGroup] = {}
    entries, labels, parts = [], {}, {}
    for year in tables.years:
        view = tables.at(year)
        group = folium.FeatureGroup(
            name=str(year), overlay=True, control=False, show=year == tables.years[0]
        )
        group.add_to(m)
        inner = Inner(max_t, max_tp)
        add_routes(group, view, inner)
        add_sites(group, view, inner)
        groups[year] = group
        labels[year] = _label(view)
        parts.update(dict.fromkeys(inner.parts))
        members = ",".join(f"{js_json(k)}:{g.get_name()}" for k, g in inner.parts.items())
        entries.append(f'{{"year":{year},"group":{group.get_name()},"parts":{{{members}}}}}')
    m.get_root().header.add_child(RawHtml(_CSS), name="hubnet_years_css")
    YearSwitch("[" + ",".join(entries) + "]", _control_html(labels, list(parts))).add_to(m)
    return groups
