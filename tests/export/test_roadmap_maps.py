"""The maps of a roadmap run, drawn from a folder stacked from two real single-year solves
(tests/roadmap_folder.py): one HTML layer group per year behind a year switch, one PNG panel
per year, GIS features carrying their year, and routes drawn once for all years."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import roadmap_folder

from hubnet.errors import ResultsError
from hubnet.export import write_maps
from hubnet.export.routes import load_results

CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # offline
]
LAYERS = ("sites", "hubs", "smelters", "routes", "leakage")


@pytest.fixture(scope="module")
def roadmap(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, Path], Path]:
    """(roadmap folder, the single-year folders, the maps drawn from the roadmap folder)."""
    root = tmp_path_factory.mktemp("roadmap")
    folder, singles = roadmap_folder.build(root)
    maps = root / "maps"
    times = write_maps(folder, out_dir=maps)
    assert set(times) == {"prepare", "gpkg", "geojson", "html", "png"}
    return folder, singles, maps


def _single(singles: dict[int, Path], year: int, name: str) -> pd.DataFrame:
    return pd.read_csv(singles[year] / f"{name}.csv", keep_default_na=False)


def _legs(flows: pd.DataFrame) -> int:
    """Drawn legs of a single-year flows table: one per leg of every row with tonnes."""
    rows = flows[flows["tonnes_per_yr"] > 0]
    return int(sum(len(str(m).split(";")) for m in rows["path_modes"]))


def test_html_has_one_layer_group_per_year_and_shows_the_first(roadmap) -> None:
    _, _, maps = roadmap
    text = (maps / "map.html").read_text(encoding="utf-8")
    entries = re.findall(r'\{"year":(\d+),"group":(feature_group_\w+),"parts":', text)
    assert [int(y) for y, _ in entries] == list(roadmap_folder.YEARS)
    groups = [g for _, g in entries]
    assert len(set(groups)) == 2
    for g in groups:
        assert f"var {g} = L.featureGroup(" in text
    # the first year's group is on the map on opening, the second is not
    assert re.search(rf"\b{groups[0]}\.addTo\(map_\w+\)", text)
    assert not re.search(rf"\b{groups[1]}\.addTo\(", text)
    # no per-commodity entry of the layer control for a roadmap run: the switch shows them
    assert "Routes: pcb (" not in text


class _Dom:
    """Route paths, hub circles and year radio buttons of a dumped DOM."""

    def __init__(self, dom: str) -> None:
        self.classes = Counter(
            c for attr in re.findall(r'class="([^"]*)"', dom) for c in attr.split()
        )
        self.checked_year = re.findall(
            r'<input type="radio" name="hubnet-year" class="hubnet-year" value="(\d+)"', dom
        )


def _dump(url: str, tmp_path: Path, name: str) -> str:
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / name}", "--virtual-time-budget=5000"]
    res = subprocess.run(
        [*cmd, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=False
    )
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium)")
def test_browser_shows_one_year_at_a_time(roadmap, tmp_path: Path) -> None:
    _, singles, maps = roadmap
    url = (maps / "map.html").resolve().as_uri()
    for year, hash_ in ((2030, ""), (2035, "#year=2035")):
        dom = _Dom(_dump(url + hash_, tmp_path, f"p{year}"))
        # the year's legs only, as many as its own single-year flows table has
        assert dom.classes["hubnet-route"] == _legs(_single(singles, year, "flows")), year
        fac = _single(singles, year, "facilities")
        hubs = fac[fac["role"] == "hub"]
        assert dom.classes["hubnet-hub"] == len(hubs) == 2
        # 2030: H2 not opened; 2035: both open (tests/roadmap_folder.py)
        assert dom.classes["hubnet-hub-unused"] == (hubs["level"] == "").sum()
        assert dom.classes["hubnet-hub-unused"] == (1 if year == 2030 else 0)
        assert dom.classes["hubnet-year"] == 2  # one radio button per year
    assert _legs(_single(singles, 2030, "flows")) == 2
    assert _legs(_single(singles, 2035, "flows")) == 4


def test_png_has_one_panel_per_year_and_one_legend(roadmap) -> None:
    from PIL import Image

    from hubnet.export.png_map import build_figure
    from hubnet.export.png_years import panel_years

    folder, _, maps = roadmap
    fig = build_figure(load_results(folder))
    assert panel_years(fig) == ["2030", "2035"]
    assert len(fig.axes) == 2  # no other panel
    assert len(fig.legends) == 2  # network and scale, once for all panels
    assert all(ax.get_legend() is None for ax in fig.axes)
    with Image.open(maps / "map.png") as img:
        assert img.format == "PNG" and img.size[0] >= 1200


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_gis_features_carry_the_year_and_match_each_years_rows(roadmap, fmt: str) -> None:
    _, singles, maps = roadmap
    for layer in LAYERS:
        if fmt == "geojson":
            gdf = pyogrio.read_dataframe(maps / "geojson" / f"{layer}.geojson")
        else:
            gdf = pyogrio.read_dataframe(maps / "routes.gpkg", layer=layer)
        assert gdf.columns[0] == "year", layer
        assert gdf["year"].notna().all()
        for year in roadmap_folder.YEARS:
            got = int((gdf["year"] == year).sum())
            if layer == "routes":
                flows = _single(singles, year, "flows")
                want = int((flows["tonnes_per_yr"] > 0).sum())
            elif layer in ("hubs", "smelters"):
                fac = _single(singles, year, "facilities")
                want = int((fac["role"] == layer[:-1]).sum())
            elif layer == "leakage":
                want = _single(singles, year, "leakage")["source"].nunique()
            else:
                want = len(_single(singles, year, "sites"))
            assert got == want, (layer, year)


def test_geojson_hubs_hold_each_years_throughput(roadmap) -> None:
    _, _, maps = roadmap
    hubs = json.loads((maps / "geojson" / "hubs.geojson").read_text())["features"]
    through = {(f["properties"]["year"], f["properties"]["facility"]): f for f in hubs}
    # tests/roadmap_folder.py: 100 t through H1 in 2030; 400 t (H1) and 100 t (H2) in 2035
    assert through[(2030, "H1")]["properties"]["throughput_t_per_yr"] == pytest.approx(100)
    assert through[(2035, "H1")]["properties"]["throughput_t_per_yr"] == pytest.approx(400)
    assert through[(2035, "H2")]["properties"]["throughput_t_per_yr"] == pytest.approx(100)
    assert through[(2035, "H1")]["properties"]["level"] == "XL"


def test_a_path_is_drawn_once_for_every_year_and_commodity(roadmap, monkeypatch) -> None:
    from hubnet.export import routes as routes_module

    folder, _, _ = roadmap
    calls: list[tuple[str, ...]] = []
    original = routes_module.RouteBuilder.route

    def counting(self, path, modes):  # noqa: ANN001, ANN202
        calls.append(tuple(path))
        return original(self, path, modes)

    monkeypatch.setattr(routes_module.RouteBuilder, "route", counting)
    tables = load_results(folder)
    routes = tables.routes().routes
    # 6 flow rows (2 in 2030, 4 in 2035) over 4 distinct paths
    assert len(routes) == 6
    assert sorted(calls) == sorted([("S1", "H1"), ("H1", "M1"), ("S1", "H2"), ("H2", "M1")])


def test_a_year_outside_the_summarys_years_is_a_clear_error(roadmap, tmp_path: Path) -> None:
    folder, _, _ = roadmap
    copy = tmp_path / "bad"
    shutil.copytree(folder, copy)
    fac = pd.read_csv(copy / "facilities.csv", dtype=str, keep_default_na=False)
    fac.loc[0, "year"] = "2031"
    fac.to_csv(copy / "facilities.csv", index=False)
    with pytest.raises(ResultsError, match=r"facilities\.csv: year\(s\) \[2031\]"):
        load_results(copy)
    fac.loc[0, "year"] = "soon"
    fac.to_csv(copy / "facilities.csv", index=False)
    with pytest.raises(ResultsError) as err:
        load_results(copy)
    issue = err.value.issues[0]
    assert (issue.row, issue.column, issue.value) == (2, "year", "soon")
    assert not (copy / "map.html").exists()


def _pixels(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as img:
        return np.asarray(img.convert("RGBA"))


def test_a_drawer_process_draws_the_same_png_and_the_rest_is_drawn_here(
    roadmap, tmp_path, monkeypatch
):
    """With `png_drawer`, map.png comes from the spawned process (this one may not draw it,
    and the drawer's pid is not this one's) with the pixels of the one drawn here; the other
    formats are drawn here as before."""
    import hubnet.export as export
    from hubnet.export import png_drawer

    real = export._writer

    def not_png_here(fmt):  # noqa: ANN001, ANN202
        assert fmt != "png", "map.png drawn in this process"
        return real(fmt)

    monkeypatch.setattr(export, "_writer", not_png_here)
    folder, _, maps = roadmap
    with png_drawer(True) as drawer:
        assert drawer is not None
        times = write_maps(folder, out_dir=tmp_path, drawer=drawer)
        assert drawer.submit(os.getpid).result() != os.getpid()
    assert set(times) == {"prepare", "gpkg", "geojson", "html", "png"}
    assert np.array_equal(_pixels(tmp_path / "map.png"), _pixels(maps / "map.png"))
    assert (tmp_path / "map.html").stat().st_size == (maps / "map.html").stat().st_size


def test_a_drawer_that_died_leaves_the_png_to_this_process(roadmap, tmp_path):
    """If the drawing process breaks, map.png is still drawn, here, with the same pixels."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    class Broken:
        def submit(self, fn, *args):  # noqa: ANN001, ANN002, ANN202
            died = Future()
            died.set_exception(BrokenProcessPool("the drawer died"))
            return died

    folder, _, maps = roadmap
    times = write_maps(folder, ["png"], out_dir=tmp_path, drawer=Broken())
    assert set(times) == {"prepare", "png"}
    assert np.array_equal(_pixels(tmp_path / "map.png"), _pixels(maps / "map.png"))


def test_no_drawer_without_a_wish_or_from_a_batch_worker() -> None:
    """`png_drawer` starts nothing unless asked, nor in a daemon process (a batch worker),
    which may start none."""
    import multiprocessing

    from hubnet.export import png_drawer

    with png_drawer(False) as drawer:
        assert drawer is None
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.apply(_drawer_in_this_process) is None


def _drawer_in_this_process() -> object:
    from hubnet.export import png_drawer

    with png_drawer(True) as drawer:
        return drawer
