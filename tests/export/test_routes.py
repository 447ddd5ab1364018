"""Route geometry: exact end points, sea lanes instead of chords, arcs, cache, land check.

"Calls at", as used by the land test: a route calls at the country of every site on its
path (origin, transfer ports, destination; `country` in sites.csv). Its line may cross the
land polygon (Natural Earth 110m, shipped in hubnet/data) of those countries only, and,
when it transits a ship canal, the canal's country inside a box around the canal (Suez:
Egypt, in a box around the canal and the Gulf of Suez, which NE 110m draws as land). The
110m outlines are coarse (straits such as Singapore or Gibraltar come out a few km narrower
than they are), so land polygons are first eroded by LAND_TOLERANCE_DEG.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from shapely.geometry import box

from hubnet.errors import ResultsError
from hubnet.export.routes import RouteBuilder, build_routes, load_results

GEOD = pyproj.Geod(ellps="WGS84")
#: ~5.5 km: below the generalisation of NE 110m coastlines, far below a wrong land crossing
LAND_TOLERANCE_DEG = 0.05
#: ship canals a route may cross on land: country ISO alpha-2 -> (lon0, lat0, lon1, lat1).
#: Suez: the canal (Port Said 31.3N to Suez 29.9N) and the Gulf of Suez, which NE 110m draws
#: as Egyptian land down to about 27.7N.
CANALS = {"EG": (32.0, 27.5, 34.0, 31.4)}
WORLD = (
    Path(__file__).resolve().parents[2] / "src" / "hubnet" / "data" / "world_countries_110m.geojson"
)


@pytest.fixture(scope="module")
def routes(result_dir: Path) -> gpd.GeoDataFrame:
    tables = load_results(result_dir)
    return tables.routes().routes


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0


def test_one_route_per_lane_and_commodity(
    routes: gpd.GeoDataFrame, design: SimpleNamespace
) -> None:
    expected = {(lane, c) for lane, *_, by_c in design.LANES for c in by_c}
    assert set(zip(routes["lane"], routes["commodity"], strict=True)) == expected
    assert len(routes) == len(expected) == 16
    assert set(routes.geom_type) == {"LineString"}
    assert routes.crs.to_epsg() == 4326


def test_first_and_last_vertex_are_exactly_the_sites(
    routes: gpd.GeoDataFrame, design: SimpleNamespace
) -> None:
    xy = design.site_xy
    for _, r in routes.iterrows():
        coords = list(r.geometry.coords)
        assert coords[0] == xy[r["origin"]], r["lane"]
        assert coords[-1] == xy[r["destination"]], r["lane"]


def test_route_passes_through_every_path_site(
    routes: gpd.GeoDataFrame, design: SimpleNamespace
) -> None:
    xy = design.site_xy
    for _, r in routes.iterrows():
        coords = set(r.geometry.coords)
        for site in r["path"].split(";"):
            assert xy[site] in coords, (r["lane"], site)


def test_sea_legs_follow_sea_lanes_not_chords(routes: gpd.GeoDataFrame) -> None:
    rtm = routes[routes["lane"] == "L_I02"].iloc[0]
    # Rotterdam-Tokyo: ~9,300 km great circle, ~21,000 km by sea via Suez and Malacca
    assert 18_000 < rtm["drawn_km"] < 23_000
    line = rtm.geometry
    assert line.intersects(box(32.0, 29.5, 33.0, 31.5)), "should pass the Suez Canal"
    assert line.intersects(box(42.5, 11.0, 44.5, 13.5)), "should pass Bab-el-Mandeb"
    assert line.intersects(box(96.0, 1.0, 104.5, 7.0)), "should pass the Strait of Malacca"
    sin = routes[routes["lane"] == "L_I01"].iloc[0]
    # Singapore-Kobe by sea ~2,800 nm = ~5,200 km; great circle ~4,900 km
    assert 4_900 < sin["drawn_km"] < 5_800
    assert len(sin.geometry.coords) > 10


def test_short_road_leg_is_a_straight_segment(
    routes: gpd.GeoDataFrame, design: SimpleNamespace
) -> None:
    r = routes[(routes["lane"] == "L_C01") & (routes["commodity"] == "pcb")].iloc[0]
    xy = design.site_xy
    assert list(r.geometry.coords) == [xy["P13"], xy["H_KAWASAKI"]]


def test_long_land_leg_is_a_geodesic_arc(routes: gpd.GeoDataFrame, design: SimpleNamespace) -> None:
    r = routes[routes["lane"] == "L_C04"].iloc[0]  # Fukuoka -> Kobe by rail, ~460 km
    xy = design.site_xy
    a, b = xy["P40"], xy["H_KOBE"]
    total = _km(a, b)
    coords = list(r.geometry.coords)
    assert len(coords) >= math.ceil(total / 50.0)  # densified every <= 50 km
    for p in coords[1:-1]:
        assert _km(a, p) + _km(p, b) == pytest.approx(total, abs=0.01)  # on the great circle


def test_no_route_crosses_land_of_a_country_it_does_not_call_at(
    routes: gpd.GeoDataFrame, design: SimpleNamespace
) -> None:
    world = gpd.read_file(WORLD)
    # erode in degrees on purpose: the tolerance is about the outlines' own (degree) grid
    eroded = dict(
        zip(
            world["iso_a2"], shapely.buffer(world.geometry.values, -LAND_TOLERANCE_DEG), strict=True
        )
    )
    country = design.site_country
    sea_routes = routes[routes["path_modes"].str.contains("ocean|coastal")]
    assert len(sea_routes) == 6  # L_C05, L_I01, L_I02, L_D01 (pcb, sap), L_E01
    for _, r in sea_routes.iterrows():
        calls = {country[s] for s in r["path"].split(";")}
        line = r.geometry
        for iso, land in eroded.items():
            if iso in calls or land.is_empty or not line.intersects(land):
                continue
            crossing = line.intersection(land)
            if iso in CANALS:
                assert box(*CANALS[iso]).covers(crossing), (r["lane"], iso)
                continue
            pytest.fail(f"{r['lane']} crosses the land of {iso}, which it does not call at")


def test_antimeridian_is_unwrapped_not_drawn_across_the_map() -> None:
    sites = pd.DataFrame(
        {
            "id": ["TYO", "LAX"],
            "lon": [139.79, -118.27],
            "lat": [35.65, 33.74],
        }
    )
    builder = RouteBuilder(sites)
    for mode in ("ocean", "road", "explicit"):
        coords = builder.leg("TYO", "LAX", mode)
        steps = np.abs(np.diff(coords[:, 0]))
        assert steps.max() < 10.0, mode
        assert tuple(coords[0]) == (139.79, 35.65)
        # the end is Los Angeles, one turn east: -118.27 + 360
        assert coords[-1, 0] == pytest.approx(241.73) and coords[-1, 1] == 33.74


def test_sea_lane_computed_once_per_sea_pair(
    result_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hubnet.export.sea import SeaLanes

    calls: list[tuple[float, float, float, float]] = []
    real = SeaLanes.path

    def counting(self, a, b):  # type: ignore[no-untyped-def]
        calls.append((*a, *b))
        return real(self, a, b)

    monkeypatch.setattr(SeaLanes, "path", counting)
    tables = load_results(result_dir)
    build_routes(tables.flows, tables.sites)
    # distinct sea legs: JPTMK-JPTYO, SGSIN-JPUKB, NLRTM-JPTYO, JPTYO-JPNAO, JPUKB-M_BUSAN
    assert len(calls) == 5


def test_sea_lane_has_searoutes_length() -> None:
    """One Dijkstra per origin on the sparse network finds the lane searoute's own
    bidirectional search finds: Rotterdam to Tokyo and Singapore to Kobe, same length."""
    import searoute
    from searoute.utils import distance_length

    from hubnet.export.sea import SeaLanes

    lanes = SeaLanes()
    for a, b in [((4.29, 51.95), (139.79, 35.65)), ((103.84, 1.26), (135.19, 34.68))]:
        ours = distance_length(lanes.path(a, b).tolist(), units="km")
        theirs = searoute.searoute(list(a), list(b), units="km")["properties"]["length"]
        assert ours == pytest.approx(theirs, rel=1e-9)


def test_sea_lane_failure_falls_back_to_geodesic_arc(
    result_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    design: SimpleNamespace,
) -> None:
    from hubnet.export.sea import SeaLanes

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("no sea network")

    monkeypatch.setattr(SeaLanes, "path", broken)
    tables = load_results(result_dir)
    with caplog.at_level(logging.WARNING, logger="hubnet.export.routes"):
        routes = build_routes(tables.flows, tables.sites).routes
    assert "sea lane failed" in caplog.text
    r = routes[routes["lane"] == "L_I01"].iloc[0]
    xy = design.site_xy
    a, b = xy["SGSIN"], xy["JPUKB"]
    coords = list(r.geometry.coords)
    assert coords[0] == a and coords[-1] == xy["H_KOBE"]
    # the sea leg is now the great circle: drawn length = geodesic + the short road leg
    expected = _km(a, b) + _km(b, xy["H_KOBE"])
    assert r["drawn_km"] == pytest.approx(expected, rel=1e-3)


def test_missing_file_or_column_is_a_clear_error(result_dir: Path, tmp_path: Path) -> None:
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(result_dir, broken)
    (broken / "flows.csv").unlink()
    with pytest.raises(ResultsError, match="flows.csv"):
        load_results(broken)

    shutil.copy(result_dir / "flows.csv", broken / "flows.csv")
    sites = pd.read_csv(broken / "sites.csv").drop(columns=["lat"])
    sites.to_csv(broken / "sites.csv", index=False)
    with pytest.raises(ResultsError, match="sites.csv.*lat"):
        load_results(broken)


def test_inconsistent_path_is_a_clear_error(result_dir: Path, tmp_path: Path) -> None:
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(result_dir, broken)
    flows = pd.read_csv(broken / "flows.csv")
    flows.loc[0, "path"] = "P13;NOWHERE"
    flows.loc[0, "destination"] = "NOWHERE"
    flows.to_csv(broken / "flows.csv", index=False)
    with pytest.raises(ResultsError, match="NOWHERE"):
        load_results(broken)


def test_zero_tonne_rows_are_not_drawn(result_dir: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "zero"
    shutil.copytree(result_dir, copy)
    flows = pd.read_csv(copy / "flows.csv")
    flows.loc[0, "tonnes_per_yr"] = 0.0
    flows.to_csv(copy / "flows.csv", index=False)
    assert len(load_results(copy).routes().routes) == 15


def test_shipped_outlines_are_small_and_valid() -> None:
    data = WORLD.parent
    for name in ("world_countries_110m.geojson", "japan_prefectures.geojson"):
        path = data / name
        assert path.stat().st_size < 300_000, name
        gdf = gpd.read_file(path)
        assert gdf.geometry.is_valid.all(), name
    prefs = gpd.read_file(data / "japan_prefectures.geojson")
    assert len(prefs) == 47
    assert shapely.union_all(prefs.geometry.values).area > 35  # Japan is ~38 square degrees
    assert (data / "SOURCES.md").is_file()
