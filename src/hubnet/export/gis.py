"""GIS layers of a results folder: one GeoPackage and the same layers as GeoJSON files.

Layers (all EPSG:4326): ``sites`` (every site), ``hubs`` and ``smelters`` (facility rows with
their level, throughput and utilisation), ``routes`` (one LineString per lane and commodity,
see hubnet.export.routes) and ``leakage`` (one point per source with totals and one column
per commodity and measure). GIS users open routes.gpkg; web tools take geojson/*.geojson.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from hubnet.errors import ResultsError
from hubnet.export.routes import CRS, ResultTables
from hubnet.export.tables import YEAR
from hubnet.results.schema import FACILITIES, LEAKAGE, SITES

logger = logging.getLogger(__name__)

GPKG_NAME = "routes.gpkg"
GEOJSON_DIR = "geojson"
#: layer name -> OGR geometry type, in the order they are written
LAYERS: dict[str, str] = {
    "sites": "Point",
    "hubs": "Point",
    "smelters": "Point",
    "routes": "LineString",
    "leakage": "Point",
}
#: layer attributes: the declared columns, with the coordinates last
FACILITY_COLUMNS = (*(c for c in FACILITIES.names if c not in ("lat", "lon")), "lat", "lon")
SITE_COLUMNS = (*(c for c in SITES.names if c not in ("lat", "lon")), "lat", "lon")
LEAKAGE_MEASURES = tuple(c.name for c in LEAKAGE.columns if c.unit == "t/yr")


def _points(df: pd.DataFrame, lon: str = "lon", lat: str = "lat") -> gpd.GeoDataFrame:
    geometry = gpd.points_from_xy(df[lon].astype(float), df[lat].astype(float), crs=CRS)
    return gpd.GeoDataFrame(df.reset_index(drop=True), geometry=geometry, crs=CRS)


def field_name(text: str) -> str:
    """A commodity id made safe as part of a field name (letters, digits, underscore)."""
    return re.sub(r"[^0-9A-Za-z_]+", "_", str(text)).strip("_") or "x"


def sites_layer(tables: ResultTables) -> gpd.GeoDataFrame:
    return _points(tables.sites[list(SITE_COLUMNS)])


def facility_layer(tables: ResultTables, role: str) -> gpd.GeoDataFrame:
    fac = tables.facilities
    df = fac.loc[fac["role"] == role, list(FACILITY_COLUMNS)].copy()
    df["level"] = df["level"].astype(str)
    return _points(df.sort_values("facility"))


def leakage_layer(tables: ResultTables) -> gpd.GeoDataFrame:
    """One point per source: totals over commodities and '<commodity>_<measure>' columns."""
    leak = tables.leakage
    unknown = sorted(set(leak["source"]) - set(tables.sites.index))
    if unknown:
        raise ResultsError(f"leakage.csv: source(s) {unknown[:5]} are not in sites.csv")
    totals = leak.groupby("source", sort=True)[list(LEAKAGE_MEASURES)].sum()
    gen = totals["generation_t_per_yr"]
    totals["uncollected_share"] = np.where(gen > 0, totals["uncollected_t_per_yr"] / gen, 0.0)
    wide = leak.pivot_table(
        index="source", columns="commodity", values=list(LEAKAGE_MEASURES), aggfunc="sum"
    )
    wide = wide.reindex(totals.index).fillna(0.0)
    wide.columns = [f"{field_name(c)}_{m}" for m, c in wide.columns]
    wide = wide[sorted(wide.columns)]
    sites = tables.sites.loc[totals.index]
    df = pd.concat(
        [
            pd.DataFrame(
                {
                    "source": totals.index,
                    "name": sites["name"].to_numpy(),
                    "name_ja": sites["name_ja"].to_numpy(),
                    "lat": sites["lat"].to_numpy(),
                    "lon": sites["lon"].to_numpy(),
                },
                index=totals.index,
            ),
            totals,
            wide,
        ],
        axis=1,
    )
    return _points(df)


def build_layers(tables: ResultTables) -> dict[str, gpd.GeoDataFrame]:
    """All GIS layers of a results folder, keyed by layer name; a roadmap run's layers hold
    every year's features with a first attribute `year`. Made once for both GIS formats."""
    if "gis" not in tables.derived:
        tables.derived["gis"] = (
            _year_layers(tables)
            if tables.years
            else {
                "sites": sites_layer(tables),
                "hubs": facility_layer(tables, "hub"),
                "smelters": facility_layer(tables, "smelter"),
                "routes": tables.routes().routes,
                "leakage": leakage_layer(tables),
            }
        )
    return tables.derived["gis"]


def _year_layers(tables: ResultTables) -> dict[str, gpd.GeoDataFrame]:
    """Each year's layers stacked, with the year as their first attribute."""
    parts: dict[str, list[gpd.GeoDataFrame]] = {}
    for year in tables.years:
        view = tables.at(year)
        layers = {
            "sites": sites_layer(view),
            "hubs": facility_layer(view, "hub"),
            "smelters": facility_layer(view, "smelter"),
            "routes": view.routes().routes.drop(columns=YEAR),
            "leakage": leakage_layer(view),
        }
        for name, gdf in layers.items():
            gdf = gdf.drop(columns=YEAR, errors="ignore")
            gdf.insert(0, YEAR, year)
            parts.setdefault(name, []).append(gdf)
    return {
        name: gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=CRS)
        for name, frames in parts.items()
    }


def _write(gdf: gpd.GeoDataFrame, path: Path, layer: str, driver: str) -> None:
    pyogrio.write_dataframe(
        gdf, path, layer=layer, driver=driver, geometry_type=LAYERS[layer], promote_to_multi=False
    )


def write_gpkg(tables: ResultTables, out_dir: Path) -> Path:
    """Write routes.gpkg with every layer in LAYERS; replaces an existing file."""
    path = Path(out_dir) / GPKG_NAME
    path.unlink(missing_ok=True)
    for name, gdf in build_layers(tables).items():
        _write(gdf, path, name, "GPKG")
    logger.info("wrote %s", path)
    return path


def write_geojson(tables: ResultTables, out_dir: Path) -> Path:
    """Write geojson/<layer>.geojson for every layer in LAYERS; replaces existing files."""
    folder = Path(out_dir) / GEOJSON_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for name, gdf in build_layers(tables).items():
        path = folder / f"{name}.geojson"
        path.unlink(missing_ok=True)
        _write(gdf, path, name, "GeoJSON")
    logger.info("wrote %s", folder)
    return folder
