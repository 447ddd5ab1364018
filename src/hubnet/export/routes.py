"""Read a results folder and turn its flows into route geometry.

Every map export starts here: `load_results` reads the tables of a results folder as
results/schema.py declares them (models/results_format.md), and `build_routes` draws each
flow (one lane and commodity) as a LineString along the lane's path, leg by leg:

* ``ocean`` and ``coastal`` legs follow sea lanes on the MARNET network of the offline
  `searoute` package (`export/sea.py`), with the exact port points put at both ends, since
  the lane snaps to the network; if no lane is found for a pair the leg becomes a geodesic arc.
* ``road``, ``rail`` and ``explicit`` legs are straight between consecutive sites; legs longer
  than `DENSIFY_KM` are drawn as great-circle arcs.
* any segment longer than `DENSIFY_KM` (also inside a sea lane) is densified along the
  geodesic, so nothing long is drawn straight in degrees.
* longitudes are unwrapped so that a line is continuous: a route crossing the antimeridian
  keeps going past +-180 degrees instead of jumping across the map. Otherwise coordinates
  are left exactly as given, so the first vertex of a route is exactly its origin's (lon, lat)
  and the last exactly its destination's.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
from shapely.geometry import LineString

from hubnet.errors import ResultsError
from hubnet.export.roadmap import roadmap_years, year_summary
from hubnet.export.tables import YEAR, read_summary, read_table
from hubnet.units import yen

logger = logging.getLogger(__name__)

CRS = "EPSG:4326"
MODES = ("road", "rail", "coastal", "ocean", "explicit")
SEA_MODES = frozenset({"coastal", "ocean"})

#: legs and segments longer than this are drawn as geodesic arcs
DENSIFY_KM = 300.0
#: spacing of the points put on a geodesic arc
ARC_STEP_KM = 50.0

_GEOD = pyproj.Geod(ellps="WGS84")


@dataclass
class ResultTables:
    """The tables of one results folder that the maps need, checked and typed."""

    result_dir: Path
    sites: pd.DataFrame
    facilities: pd.DataFrame
    flows: pd.DataFrame
    leakage: pd.DataFrame
    summary: dict[str, Any]
    _routes: RouteSet | None = field(default=None, repr=False)
    #: a roadmap run's planning years (every table then has a `year` column); () otherwise
    years: tuple[int, ...] = ()
    #: what the formats share beyond the routes (e.g. the GIS layers), made once
    derived: dict[str, Any] = field(default_factory=dict, repr=False)

    def site_xy(self, site_id: str) -> tuple[float, float]:
        """(lon, lat) of a site."""
        row = self.sites.loc[site_id]
        return float(row["lon"]), float(row["lat"])

    def routes(self) -> RouteSet:
        """Route geometry of the flows, built once and shared by every format."""
        if self._routes is None:
            self._routes = build_routes(self.flows, self.sites)
        return self._routes

    def title(self) -> str:
        """One-line map title: instance, scenario and total cost."""
        return map_title(self.summary)

    def at(self, year: int) -> ResultTables:
        """One planning year of a roadmap run: its rows of every table (routes drawn once for
        all years and shared), and a summary with that year's objective and KPIs."""

        def rows(df: pd.DataFrame) -> pd.DataFrame:
            return df[df[YEAR] == year].reset_index(drop=True)

        routes = self.routes()
        summary = {**self.summary, **year_summary(self.summary, year), "year": year}
        return ResultTables(
            self.result_dir,
            rows(self.sites).set_index("id", drop=False),
            rows(self.facilities),
            rows(self.flows),
            rows(self.leakage),
            summary,
            routes.subset(routes.routes[YEAR] == year),
        )


def map_title(summary: dict[str, Any]) -> str:
    """Title naming the instance, scenario and the objective in yen a year."""
    instance = summary.get("instance") or "?"
    scenario = summary.get("scenario") or "?"
    if summary.get("years") and "year" not in summary:  # a roadmap run as a whole
        npv = yen(summary.get("npv_cost_jpy"), missing="")
        return f"hubnet: {instance} / {scenario}, net present cost {npv or 'n/a'}"
    if "year" in summary:
        instance = f"{instance} / {summary['year']}"
    objective = yen(summary.get("objective_jpy_per_yr"), missing="")
    cost = f"total cost {objective}/yr" if objective else "total cost n/a"
    return f"hubnet: {instance} / {scenario}, {cost}"


def nice_steps(max_value: float, n: int = 3) -> list[float]:
    """Round values (1, 2, 3, 4, 5, 6, 8 x 10^k) from max_value down to ~max_value/10.

    For scale legends: the values are spread geometrically, like the eye reads line widths.
    """
    if max_value <= 0:
        return []
    out: list[float] = []
    for frac in np.geomspace(1.0, 0.1, n):
        target = max_value * frac
        exp = math.floor(math.log10(target))
        best = max(m * 10**exp for m in (1, 2, 3, 4, 5, 6, 8) if m * 10**exp <= target)
        best = round(best, 12)
        if best not in out:
            out.append(float(best))
    return sorted(out)


def fmt_amount(value: float) -> str:
    """A scale value as text: thousands separators, decimals only below 1."""
    return f"{value:,.0f}" if abs(value) >= 1 else f"{value:.3g}"


def load_results(result_dir: Path) -> ResultTables:
    """Read sites, facilities, flows, leakage and summary.json of a results folder.

    Tables are read as results/schema.py declares them (`hubnet.export.tables.read_table`);
    what the maps need beyond that (known site ids, paths that match their lanes) is
    checked here. Anything wrong is a ResultsError naming the file and what was expected.
    """
    result_dir = Path(result_dir)
    if not result_dir.is_dir():
        raise ResultsError(f"results folder {result_dir} does not exist")
    summary = read_summary(result_dir)
    years = roadmap_years(summary)
    sites = read_table(result_dir, "sites")
    key = [YEAR, "id"] if years else ["id"]
    if sites.duplicated(key).any():
        dup = sites.loc[sites.duplicated(key), "id"].iloc[0]
        raise ResultsError(f"{result_dir / 'sites.csv'}: site id {dup!r} appears twice")
    if sites[["lat", "lon"]].isna().any().any():
        bad = sites.loc[sites[["lat", "lon"]].isna().any(axis=1), "id"].iloc[0]
        raise ResultsError(f"{result_dir / 'sites.csv'}: site {bad!r} has no lat/lon")
    sites = sites.set_index("id", drop=False)
    facilities = read_table(result_dir, "facilities")
    flows = read_table(result_dir, "flows")
    flows = flows[flows["tonnes_per_yr"] > 0].reset_index(drop=True)
    _check_paths(flows, set(sites.index))
    leakage = read_table(result_dir, "leakage")
    if years:
        named = {"sites": sites, "facilities": facilities, "flows": flows, "leakage": leakage}
        _check_years(result_dir, years, named)
    return ResultTables(result_dir, sites, facilities, flows, leakage, summary, years=years)


def _check_years(result_dir: Path, years: tuple[int, ...], tables: dict[str, pd.DataFrame]) -> None:
    """Every table of a roadmap run has a `year` column holding only the summary's years."""
    for name, df in tables.items():
        where = result_dir / f"{name}.csv"
        if YEAR not in df.columns:
            raise ResultsError(f"{where}: needs a first column 'year' (summary.json has years)")
        unknown = sorted(set(df[YEAR]) - set(years))
        if unknown:
            raise ResultsError(
                f"{where}: year(s) {unknown} are not among summary.json's years {list(years)}"
            )


def split_path(text: str) -> list[str]:
    """Split a ';'-joined list, dropping blanks."""
    return [part.strip() for part in str(text).split(";") if part.strip()]


def _check_paths(flows: pd.DataFrame, site_ids: set[str]) -> None:
    for row in flows.itertuples(index=False):
        path = split_path(row.path)
        modes = split_path(row.path_modes)
        where = f"flows.csv lane {row.lane!r} ({row.commodity})"
        if len(path) < 2:
            raise ResultsError(f"{where}: path {row.path!r} needs at least two sites")
        if path[0] != row.origin or path[-1] != row.destination:
            raise ResultsError(
                f"{where}: path {row.path!r} must start at {row.origin!r} "
                f"and end at {row.destination!r}"
            )
        if len(modes) != len(path) - 1:
            raise ResultsError(
                f"{where}: path_modes {row.path_modes!r} needs one mode per leg "
                f"({len(path) - 1} legs)"
            )
        bad_modes = sorted(set(modes) - set(MODES))
        if bad_modes:
            raise ResultsError(f"{where}: unknown mode(s) {bad_modes}; known: {', '.join(MODES)}")
        unknown = [s for s in path if s not in site_ids]
        if unknown:
            raise ResultsError(f"{where}: path site(s) {unknown} are not in sites.csv")


# --------------------------------------------------------------------------- geometry


def geodesic_km(a: Sequence[float], b: Sequence[float]) -> float:
    """Great-circle (WGS84 geodesic) distance in km between two (lon, lat) points."""
    _, _, metres = _GEOD.inv(a[0], a[1], b[0], b[1])
    return float(metres) / 1000.0


def unwrap_lon(coords: np.ndarray) -> np.ndarray:
    """Shift longitudes by whole turns so no step exceeds 180 degrees.

    Only vertices after a jump move (by exactly 360 degrees), so a line that does not cross
    the antimeridian is returned unchanged, bit for bit.
    """
    if len(coords) < 2:
        return coords
    steps = np.diff(coords[:, 0])
    turns = -np.round(steps / 360.0)
    if not turns.any():
        return coords
    out = coords.copy()
    out[1:, 0] += 360.0 * np.cumsum(turns)
    return out


def geodesic_arc(a: Sequence[float], b: Sequence[float]) -> np.ndarray:
    """Points from a to b along the geodesic, every ~ARC_STEP_KM; exact a and b at the ends."""
    dist = geodesic_km(a, b)
    n_inner = max(0, math.ceil(dist / ARC_STEP_KM) - 1)
    inner = _GEOD.npts(a[0], a[1], b[0], b[1], n_inner) if n_inner else []
    coords = np.array([tuple(a), *inner, tuple(b)], dtype=float)
    return unwrap_lon(coords)


def densify(coords: np.ndarray) -> np.ndarray:
    """Replace every segment longer than DENSIFY_KM by its geodesic arc."""
    if len(coords) < 2:
        return coords
    parts: list[np.ndarray] = [coords[:1]]
    for a, b in zip(coords[:-1], coords[1:], strict=True):
        if geodesic_km(a, b) > DENSIFY_KM:
            arc = geodesic_arc(a, b)
            arc[-1] = b  # b as given (already unwrapped by the caller)
            parts.append(arc[1:])
        else:
            parts.append(b[None, :])
    return np.vstack(parts)


def _drop_repeats(coords: np.ndarray) -> np.ndarray:
    if len(coords) < 2:
        return coords
    keep = np.ones(len(coords), dtype=bool)
    keep[1:] = np.any(np.diff(coords, axis=0) != 0, axis=1)
    return coords[keep]


@dataclass(frozen=True, slots=True)
class Leg:
    """One drawn leg of a route: from one path site to the next by one mode."""

    start: str
    end: str
    mode: str
    coords: np.ndarray


class RouteBuilder:
    """Draws legs, caching each (from, to) pair for the lifetime of the builder (one call)."""

    def __init__(self, sites: pd.DataFrame) -> None:
        self._xy = {
            str(i): (float(lon), float(lat))
            for i, lon, lat in zip(sites["id"], sites["lon"], sites["lat"], strict=True)
        }
        self._sea: dict[tuple[str, str], np.ndarray] = {}
        self._land: dict[tuple[str, str], np.ndarray] = {}
        self.sea_lane_calls = 0
        self.sea_lane_failures = 0

    def xy(self, site: str) -> tuple[float, float]:
        return self._xy[site]

    def leg(self, start: str, end: str, mode: str) -> np.ndarray:
        """Coordinates (n x 2, lon/lat) of one leg, exact site points at both ends."""
        if mode in SEA_MODES:
            return self._sea_leg(start, end)
        return self._land_leg(start, end)

    def _land_leg(self, start: str, end: str) -> np.ndarray:
        key = (start, end)
        if key not in self._land:
            a, b = self._xy[start], self._xy[end]
            if geodesic_km(a, b) > DENSIFY_KM or abs(a[0] - b[0]) > 180:
                coords = geodesic_arc(a, b)
            else:
                coords = np.array([a, b], dtype=float)
            self._land[key] = coords
        return self._land[key]

    def _sea_leg(self, start: str, end: str) -> np.ndarray:
        key = (start, end)
        if key in self._sea:
            return self._sea[key]
        if (end, start) in self._sea:
            coords = self._sea[(end, start)][::-1].copy()
            self._sea[key] = coords
            return coords
        a, b = self._xy[start], self._xy[end]
        lane = self._sea_lane(a, b, start, end)
        if lane is None:
            coords = geodesic_arc(a, b)
        else:
            coords = np.vstack([np.array([a]), lane, np.array([b])])
            coords = unwrap_lon(_drop_repeats(coords))
            coords = densify(coords)
        self._sea[key] = coords
        return coords

    def _sea_lane(
        self, a: tuple[float, float], b: tuple[float, float], start: str, end: str
    ) -> np.ndarray | None:
        from hubnet.export.sea import sea_lanes

        self.sea_lane_calls += 1
        try:
            lane = sea_lanes().path(a, b)
        except Exception as exc:  # any failure of the sea network falls back to an arc
            self.sea_lane_failures += 1
            logger.warning(
                "sea lane failed for %s -> %s (%s); drawing a geodesic arc", start, end, exc
            )
            return None
        if lane is None:
            self.sea_lane_failures += 1
            logger.warning("no sea lane for %s -> %s; drawing a geodesic arc", start, end)
            return None
        return lane

    def route(self, path: Sequence[str], modes: Sequence[str]) -> tuple[np.ndarray, list[Leg]]:
        """Whole-route coordinates and its legs for a path and its leg modes."""
        legs = [
            Leg(s, e, m, self.leg(s, e, m))
            for s, e, m in zip(path[:-1], path[1:], modes, strict=True)
        ]
        coords = np.vstack([legs[0].coords] + [leg.coords[1:] for leg in legs[1:]])
        coords = unwrap_lon(_drop_repeats(coords))
        if len(coords) < 2:
            # origin and destination at the same point: a zero-length line still has 2 vertices
            coords = np.vstack([coords, coords])
        return coords, legs


@dataclass
class RouteSet:
    """Routes (one per flow row) and their legs (one per flow row and leg)."""

    routes: gpd.GeoDataFrame
    legs: gpd.GeoDataFrame

    def subset(self, keep: pd.Series) -> RouteSet:
        """The routes where `keep` holds, and their legs, numbered 0.. again."""
        kept = np.flatnonzero(keep.to_numpy())
        new_id = {int(old): i for i, old in enumerate(kept)}
        legs = self.legs[self.legs["route"].isin(new_id)].copy()
        legs["route"] = legs["route"].map(new_id).astype(int)
        return RouteSet(self.routes.iloc[kept].reset_index(drop=True), legs.reset_index(drop=True))


ROUTE_COLUMNS = (
    "lane",
    "stage",
    "origin",
    "destination",
    "commodity",
    "tonnes_per_yr",
    "cost_jpy_per_yr",
    "cost_jpy_per_t",
    "modes",
    "co2_t_per_yr",
    "distance_km",
    "path",
    "path_modes",
    "drawn_km",
)


def line_length_km(coords: np.ndarray) -> float:
    """Geodesic length of a polyline in km."""
    if len(coords) < 2:
        return 0.0
    return float(_GEOD.line_length(coords[:, 0], coords[:, 1])) / 1000.0


def build_routes(flows: pd.DataFrame, sites: pd.DataFrame) -> RouteSet:
    """Draw every flow with tonnes > 0 along its path; legs share one cache, and so do
    routes along the same path (other commodities, other years of a roadmap run).

    Flows with a `year` column (a roadmap run) give routes and legs with one too, first."""
    builder = RouteBuilder(sites)
    by_year = YEAR in flows.columns
    drawn: dict[tuple[str, str], tuple[np.ndarray, list[Leg], float]] = {}
    rows: list[dict[str, Any]] = []
    geoms: list[LineString] = []
    leg_rows: list[dict[str, Any]] = []
    leg_geoms: list[LineString] = []
    for i, flow in enumerate(flows.itertuples(index=False)):
        if not flow.tonnes_per_yr > 0:
            continue
        path = split_path(flow.path)
        modes = split_path(flow.path_modes)
        key = (";".join(path), ";".join(modes))
        if key not in drawn:
            coords, legs = builder.route(path, modes)
            drawn[key] = (coords, legs, round(line_length_km(coords), 3))
        coords, legs, drawn_km = drawn[key]
        modes_text = flow.modes if str(flow.modes).strip() else ";".join(dict.fromkeys(modes))
        rows.append(
            ({YEAR: int(flow.year)} if by_year else {})
            | {
                "lane": flow.lane,
                "stage": flow.stage,
                "origin": flow.origin,
                "destination": flow.destination,
                "commodity": flow.commodity,
                "tonnes_per_yr": float(flow.tonnes_per_yr),
                "cost_jpy_per_yr": float(flow.cost_jpy_per_yr),
                "cost_jpy_per_t": float(flow.cost_jpy_per_t),
                "modes": modes_text,
                "co2_t_per_yr": float(flow.co2_t_per_yr),
                "distance_km": float(flow.distance_km),
                "path": ";".join(path),
                "path_modes": ";".join(modes),
                "drawn_km": drawn_km,
            }
        )
        geoms.append(LineString(coords))
        for j, leg in enumerate(legs):
            leg_rows.append(
                ({YEAR: int(flow.year)} if by_year else {})
                | {
                    "route": len(rows) - 1,
                    "flow_row": i,
                    "leg": j,
                    "lane": flow.lane,
                    "stage": flow.stage,
                    "commodity": flow.commodity,
                    "start": leg.start,
                    "end": leg.end,
                    "mode": leg.mode,
                    "tonnes_per_yr": float(flow.tonnes_per_yr),
                }
            )
            leg_geoms.append(LineString(leg.coords if len(leg.coords) > 1 else leg.coords[[0, 0]]))
    first = [YEAR] if by_year else []
    routes = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=[*first, *ROUTE_COLUMNS]), geometry=geoms, crs=CRS
    )
    legs_df = gpd.GeoDataFrame(
        pd.DataFrame(
            leg_rows,
            columns=[
                *first,
                "route",
                "flow_row",
                "leg",
                "lane",
                "stage",
                "commodity",
                "start",
                "end",
                "mode",
                "tonnes_per_yr",
            ],
        ),
        geometry=leg_geoms,
        crs=CRS,
    )
    logger.debug(
        "drew %d routes, %d legs (%d sea lanes, %d failures)",
        len(routes),
        len(legs_df),
        builder.sea_lane_calls,
        builder.sea_lane_failures,
    )
    return RouteSet(routes, legs_df)


def unique_legs(legs: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Legs merged across lanes and commodities: tonnes summed per (start, end, mode)."""
    keys = ["start", "end", "mode"]
    if legs.empty:
        return legs.iloc[0:0].copy()
    first = legs.drop_duplicates(keys).set_index(keys)
    tonnes = legs.groupby(keys, sort=False)["tonnes_per_yr"].sum()
    stages = legs.groupby(keys, sort=False)["stage"].agg(lambda s: ";".join(dict.fromkeys(s)))
    out = gpd.GeoDataFrame(
        {"tonnes_per_yr": tonnes, "stage": stages},
        geometry=first.geometry.reindex(tonnes.index),
        crs=legs.crs,
    )
    return out.reset_index()
