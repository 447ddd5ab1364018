"""GeoPackage and GeoJSON layers read back and checked against the fixture's numbers."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import pyogrio
import pytest

from hubnet.export import write_maps

LAYERS = {
    "sites": "Point",
    "hubs": "Point",
    "smelters": "Point",
    "routes": "LineString",
    "leakage": "Point",
}


def _design_flows(design: SimpleNamespace) -> dict[tuple[str, str], tuple[float, float]]:
    """(lane, commodity) -> (tonnes, cost per year) straight from the fixture's lane table."""
    return {
        (lane, c): (t, t * cost_t)
        for lane, _, _, _, _, by_c in design.LANES
        for c, (t, cost_t) in by_c.items()
    }


def test_gpkg_has_the_layers_in_wgs84(maps_dir: Path) -> None:
    path = maps_dir / "routes.gpkg"
    layers = dict(pyogrio.list_layers(path))
    assert layers == LAYERS
    for name in LAYERS:
        info = pyogrio.read_info(path, layer=name)
        assert info["crs"] == "EPSG:4326", name


def test_routes_layer_sums_match_the_flow_table(maps_dir: Path, design: SimpleNamespace) -> None:
    routes = gpd.read_file(maps_dir / "routes.gpkg", layer="routes")
    flows = _design_flows(design)
    assert len(routes) == len(flows) == 16
    assert routes["tonnes_per_yr"].sum() == pytest.approx(sum(t for t, _ in flows.values()))
    assert routes["cost_jpy_per_yr"].sum() == pytest.approx(sum(c for _, c in flows.values()))
    # 26,410 t and ¥175.83 M worked out by hand from conftest's lane table
    assert routes["tonnes_per_yr"].sum() == pytest.approx(26_410.0)
    assert routes["cost_jpy_per_yr"].sum() == pytest.approx(175_830_000.0)
    for _, r in routes.iterrows():
        t, c = flows[(r["lane"], r["commodity"])]
        assert r["tonnes_per_yr"] == pytest.approx(t)
        assert r["cost_jpy_per_yr"] == pytest.approx(c)
    required = {
        "lane",
        "stage",
        "origin",
        "destination",
        "commodity",
        "tonnes_per_yr",
        "cost_jpy_per_yr",
        "modes",
        "co2_t_per_yr",
        "distance_km",
    }
    assert required <= set(routes.columns)
    i02 = routes[routes["lane"] == "L_I02"].iloc[0]
    assert (i02["stage"], i02["modes"], i02["distance_km"]) == ("import", "ocean;road", 20700.0)


def test_routes_layer_geometry_ends_at_the_sites(maps_dir: Path, design: SimpleNamespace) -> None:
    routes = gpd.read_file(maps_dir / "routes.gpkg", layer="routes")
    assert set(routes.geom_type) == {"LineString"}
    assert routes.crs.to_epsg() == 4326
    xy = design.site_xy
    for _, r in routes.iterrows():
        coords = list(r.geometry.coords)
        assert coords[0] == xy[r["origin"]]
        assert coords[-1] == xy[r["destination"]]


def test_facility_layers(maps_dir: Path, design: SimpleNamespace) -> None:
    hubs = gpd.read_file(maps_dir / "routes.gpkg", layer="hubs").set_index("facility")
    smelters = gpd.read_file(maps_dir / "routes.gpkg", layer="smelters").set_index("facility")
    expected_hubs = {f[0]: f for f in design.FACILITIES if f[1] == "hub"}
    expected_smelters = {f[0]: f for f in design.FACILITIES if f[1] == "smelter"}
    assert set(hubs.index) == set(expected_hubs)
    assert set(smelters.index) == set(expected_smelters)
    xy = design.site_xy
    for fid, (_, _, is_open, level, cap, through, _) in expected_hubs.items():
        row = hubs.loc[fid]
        assert bool(row["open"]) is is_open
        assert row["level"] == level
        assert row["throughput_t_per_yr"] == pytest.approx(through)
        if cap:
            assert row["utilisation_share"] == pytest.approx(through / cap, abs=1e-6)
        assert (row.geometry.x, row.geometry.y) == xy[fid]
    assert smelters.loc["S_NAOSHIMA", "throughput_t_per_yr"] == pytest.approx(11_010.0)


def test_sites_layer(maps_dir: Path, design: SimpleNamespace) -> None:
    sites = gpd.read_file(maps_dir / "routes.gpkg", layer="sites")
    xy = design.site_xy
    assert set(sites["id"]) == set(xy)
    for _, r in sites.iterrows():
        assert (r.geometry.x, r.geometry.y) == xy[r["id"]]
    assert sites.set_index("id").loc["H_KAWASAKI", "name_ja"] == "川崎ハブ"


def test_leakage_layer_totals_and_commodity_columns(
    maps_dir: Path, design: SimpleNamespace
) -> None:
    leak = gpd.read_file(maps_dir / "routes.gpkg", layer="leakage").set_index("source")
    sources = sorted({s for s, *_ in design.LEAKAGE})
    assert sorted(leak.index) == sources
    xy = design.site_xy
    for src in sources:
        rows = [r for r in design.LEAKAGE if r[0] == src]
        gen = sum(r[2] for r in rows)
        col = sum(r[3] for r in rows)
        got = leak.loc[src]
        assert got["generation_t_per_yr"] == pytest.approx(gen)
        assert got["collected_t_per_yr"] == pytest.approx(col)
        assert got["uncollected_t_per_yr"] == pytest.approx(gen - col)
        assert got["uncollected_share"] == pytest.approx((gen - col) / gen)
        for _, commodity, g, c in rows:
            assert got[f"{commodity}_generation_t_per_yr"] == pytest.approx(g)
            assert got[f"{commodity}_uncollected_t_per_yr"] == pytest.approx(g - c)
        assert (got.geometry.x, got.geometry.y) == xy[src]
    # by hand: P40 Fukuoka generates 900 + 700 t and 600 t are collected
    assert leak.loc["P40", "uncollected_t_per_yr"] == pytest.approx(1000.0)


def test_geojson_files_hold_the_same_layers(maps_dir: Path, design: SimpleNamespace) -> None:
    folder = maps_dir / "geojson"
    assert sorted(p.name for p in folder.glob("*.geojson")) == sorted(
        f"{name}.geojson" for name in LAYERS
    )
    routes = gpd.read_file(folder / "routes.geojson")
    assert routes.crs.to_epsg() == 4326
    assert set(routes.geom_type) == {"LineString"}
    assert routes["tonnes_per_yr"].sum() == pytest.approx(26_410.0)
    assert routes["cost_jpy_per_yr"].sum() == pytest.approx(175_830_000.0)
    xy = design.site_xy
    for _, r in routes.iterrows():
        coords = list(r.geometry.coords)
        assert coords[0] == pytest.approx(xy[r["origin"]], abs=1e-9)
        assert coords[-1] == pytest.approx(xy[r["destination"]], abs=1e-9)
    for name, geom_type in LAYERS.items():
        gdf = gpd.read_file(folder / f"{name}.geojson")
        assert set(gdf.geom_type) == {geom_type}, name


def test_write_maps_writes_only_into_out_dir(result_dir: Path, tmp_path: Path) -> None:
    before = set(p.name for p in result_dir.iterdir())
    times = write_maps(result_dir, {"gpkg"}, out_dir=tmp_path / "out")
    assert set(times) == {"prepare", "gpkg"}
    assert all(t >= 0 for t in times.values())
    assert (tmp_path / "out" / "routes.gpkg").is_file()
    assert set(p.name for p in result_dir.iterdir()) == before


def test_write_maps_rewrites_existing_files(result_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    write_maps(result_dir, {"gpkg", "geojson"}, out_dir=out)
    write_maps(result_dir, {"gpkg", "geojson"}, out_dir=out)
    routes = gpd.read_file(out / "routes.gpkg", layer="routes")
    assert len(routes) == 16


def test_unknown_format_is_rejected(result_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown map format"):
        write_maps(result_dir, {"gpkg", "svg"}, out_dir=tmp_path)


def test_a_run_without_flows_still_gets_every_file(result_dir: Path, tmp_path: Path) -> None:
    import shutil

    empty = tmp_path / "no_flows"
    shutil.copytree(result_dir, empty)
    header = (empty / "flows.csv").read_text(encoding="utf-8").splitlines()[0]
    (empty / "flows.csv").write_text(header + "\n", encoding="utf-8")
    write_maps(empty, out_dir=tmp_path / "out")
    out = tmp_path / "out"
    assert len(gpd.read_file(out / "routes.gpkg", layer="routes")) == 0
    assert len(gpd.read_file(out / "routes.gpkg", layer="hubs")) == 3
    assert (out / "geojson" / "routes.geojson").is_file()
    assert (out / "map.html").stat().st_size > 100_000  # Leaflet inlined
    assert (out / "map.png").stat().st_size > 50_000
