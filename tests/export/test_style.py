"""Both maps draw with one style, and their titles print yen as everything else does."""

from __future__ import annotations

from hubnet.export import html_leaflet, html_map, png_map, style
from hubnet.export.routes import map_title


def test_both_maps_take_colours_and_labels_from_the_style_module() -> None:
    # the same objects, not equal copies: a colour changed in style changes both maps
    for module in (html_map, png_map):
        assert module.MODE_COLOURS is style.MODE_COLOURS
        assert module.MODE_LABELS is style.MODE_LABELS
        assert module.KIND_COLOURS is style.KIND_COLOURS
        assert module.SITE_LEGEND is style.SITE_LEGEND


def test_html_site_shapes_are_coloured_from_the_style() -> None:
    css = html_leaflet._PAGE_CSS
    for kind in ("smelter", "origin", "market"):
        rule = css.split(f".hubnet-shape.{kind}{{", 1)[1].split("}", 1)[0]
        assert f"background:{style.KIND_COLOURS[kind]}" in rule
    port = css.split(".hubnet-shape.port{", 1)[1].split("}", 1)[0]
    assert f"border-bottom:13px solid {style.KIND_COLOURS['port']}" in port


def test_every_legend_symbol_has_a_png_marker() -> None:
    assert {k for k, _ in style.SITE_LEGEND} == set(png_map.LEGEND_MARKERS)


def test_map_title_prints_the_objective_in_the_unit_it_needs() -> None:
    summary = {"instance": "cap41", "scenario": "base", "objective_jpy_per_yr": 932_615.0}
    # below a million: whole yen (it printed as "¥0.00 bn/yr" before)
    assert map_title(summary) == "hubnet: cap41 / base, total cost ¥932,615/yr"
    summary["objective_jpy_per_yr"] = 12_345_678_901.0  # 12.35 bn
    assert map_title(summary) == "hubnet: cap41 / base, total cost ¥12.35 bn/yr"
    summary["objective_jpy_per_yr"] = -2_500_000.0  # export revenue above all costs
    assert map_title(summary) == "hubnet: cap41 / base, total cost -¥2.5 M/yr"
    summary["objective_jpy_per_yr"] = None
    assert map_title(summary) == "hubnet: cap41 / base, total cost n/a"
