"""Map exports of a results folder: GeoPackage, GeoJSON, interactive HTML and static PNG.

`write_maps` takes only a results folder (models/results_format.md), so `hubnet map
RESULT_DIR` can redraw any run. Files written (into out_dir, default the results folder):

* ``gpkg``: routes.gpkg with layers sites, hubs, smelters, routes, leakage (EPSG:4326)
* ``geojson``: geojson/<layer>.geojson, the same layers
* ``html``: map.html, a self-contained Leaflet map (renders offline)
* ``png``: map.png, a two-panel report figure

A roadmap run's folder (every table stacked by planning year) gets the same files drawn per
year: the GIS layers carry a `year` attribute on every feature, map.html holds one layer
group per year behind a year switch, and map.png has one panel per year. The route geometry
is drawn once for all years.
"""

from __future__ import annotations

import concurrent.futures
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubnet.processes import may_start_processes, spawned

if TYPE_CHECKING:
    from hubnet.export.routes import ResultTables

logger = logging.getLogger(__name__)

FORMATS: tuple[str, ...] = ("gpkg", "geojson", "html", "png")
DEFAULT_FORMATS: frozenset[str] = frozenset(FORMATS)

__all__ = ["DEFAULT_FORMATS", "FORMATS", "load_results", "png_drawer", "write_maps"]


def __getattr__(name: str) -> Any:
    # geopandas, pyproj and friends load only when maps are drawn, not when another module
    # of this package (e.g. hubnet.export.tables) is imported
    if name == "load_results":
        from hubnet.export.routes import load_results

        return load_results
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _writer(fmt: str) -> Callable[[ResultTables, Path], Path]:
    # imported on demand: folium and matplotlib are only loaded for the formats asked for
    if fmt == "gpkg":
        from hubnet.export.gis import write_gpkg

        return write_gpkg
    if fmt == "geojson":
        from hubnet.export.gis import write_geojson

        return write_geojson
    if fmt == "html":
        from hubnet.export.html_map import write_html

        return write_html
    if fmt == "png":
        from hubnet.export.png_map import write_png

        return write_png
    raise ValueError(f"unknown map format {fmt!r}; known: {', '.join(FORMATS)}")


def write_maps(
    result_dir: Path,
    formats: Iterable[str] = DEFAULT_FORMATS,
    out_dir: Path | None = None,
    drawer: Executor | None = None,
) -> dict[str, float]:
    """Write the map files of a results folder and return the seconds each step took.

    The returned dict has one key per format written plus ``prepare``: reading the tables
    and drawing the route geometry, which every format shares and which is done once.
    With `drawer` (`png_drawer`), map.png is drawn there from the folder while the other
    formats are drawn here. Raises ValueError for an unknown format, ResultsError for a
    results folder missing a file or column.
    """
    wanted = set(formats)
    unknown = sorted(wanted - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown map format(s) {unknown}; known: {', '.join(FORMATS)}")
    result_dir = Path(result_dir)
    out = Path(out_dir) if out_dir is not None else result_dir
    times: dict[str, float] = {}
    beside = None
    if drawer is not None and "png" in wanted:
        out.mkdir(parents=True, exist_ok=True)
        beside = drawer.submit(draw_png, result_dir, out)
        wanted.discard("png")

    from hubnet.export.routes import load_results

    start = time.perf_counter()
    tables = load_results(result_dir)
    if wanted:
        tables.routes()
    times["prepare"] = time.perf_counter() - start
    if wanted:
        out.mkdir(parents=True, exist_ok=True)
    for fmt in FORMATS:  # fixed order, whatever order was asked
        if fmt not in wanted:
            continue
        start = time.perf_counter()
        path = _writer(fmt)(tables, out)
        times[fmt] = time.perf_counter() - start
        logger.info("map format %s: %s in %.2f s", fmt, path, times[fmt])
    if beside is not None:
        times["png"] = _drawn(beside, tables, out)
    return times


def _drawn(beside: concurrent.futures.Future, tables: ResultTables, out: Path) -> float:
    """The seconds map.png took where `png_drawer` drew it; drawn here if that process died."""
    try:
        seconds = beside.result()
    except BrokenProcessPool:
        logger.warning("the process drawing map.png ended early: drawing it here")
        start = time.perf_counter()
        _writer("png")(tables, out)
        return time.perf_counter() - start
    logger.info("map format png: %s in %.2f s, in a process of its own", out, seconds)
    return seconds


def draw_png(result_dir: Path, out: Path) -> float:
    """map.png of a results folder into `out`, in `png_drawer`'s process; its seconds."""
    from hubnet.export.png_map import write_png
    from hubnet.export.routes import load_results

    start = time.perf_counter()
    write_png(load_results(result_dir), out)
    return time.perf_counter() - start


@contextmanager
def png_drawer(wanted: bool) -> Iterator[Executor | None]:
    """A spawned process that imports the drawing libraries and the outlines at once, so
    that map.png is drawn there, beside the other formats, when the results are written
    (`write_maps`). None unless `wanted`, a second core is there, and this process may start
    one (not a batch worker)."""
    if not (wanted and may_start_processes()):
        yield None
        return
    with spawned(1, _ready_to_draw) as pool:
        yield pool


def _ready_to_draw() -> None:
    """Import what map.png is drawn with and turn the outlines into paths, once."""
    from hubnet.export.png_years import outline_paths

    outline_paths()
