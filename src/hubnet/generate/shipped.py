"""What ships in hubnet/data: municipalities, prefectures, site landmasses, the default instance
and Japan's land."""

from __future__ import annotations

import io
import json
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

#: tables an instance folder holds, in the order they are written
TABLE_NAMES = (
    "sites",
    "commodities",
    "elements",
    "contents",
    "supply",
    "imports",
    "exports",
    "facilities",
    "capacity_levels",
    "recovery",
    "modes",
    "links",
    "terms",
    "payables",
    "freight_bands",
)


def _data_file(name: str) -> str:
    return (resources.files("hubnet") / "data" / name).read_text(encoding="utf-8")


def _read_str_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def load_municipalities() -> pd.DataFrame:
    """The 1,741 municipalities (`data/municipalities.csv`), typed."""
    df = pd.read_csv(
        io.StringIO(_data_file("municipalities.csv")),
        dtype={"id": str, "jis_code": str, "name_ja": str, "name_romaji": str, "kind": str},
        keep_default_na=False,
    )
    return df.astype({"pref_code": int, "lat": float, "lon": float, "pop_est_2020": int})


def load_prefectures() -> pd.DataFrame:
    """The 47 prefectures (`data/prefectures.csv`) indexed by code."""
    df = pd.read_csv(io.StringIO(_data_file("prefectures.csv")), keep_default_na=False)
    return df.set_index("code").sort_index()


def load_site_landmass() -> pd.DataFrame:
    """Prefecture and landmass of the default instance's Japanese sites, indexed by id."""
    df = pd.read_csv(io.StringIO(_data_file("japan_site_landmass.csv")), keep_default_na=False)
    return df.set_index("id")


@dataclass(frozen=True)
class Base:
    """An instance's tables as strings (as written), its settings and instance.toml text."""

    tables: dict[str, pd.DataFrame]
    toml_text: str

    @property
    def settings(self) -> dict:
        return tomllib.loads(self.toml_text)


def read_base(folder: Path | None = None) -> Base:
    """The default instance: from `folder` if given, else the shipped copy (`japan_base.json`)."""
    if folder is None:
        files = json.loads(_data_file("japan_base.json"))["files"]
    else:
        folder = Path(folder)
        files = {p.name: p.read_text(encoding="utf-8-sig") for p in folder.glob("*.csv")}
        files["instance.toml"] = (folder / "instance.toml").read_text(encoding="utf-8-sig")
    tables = {}
    for name in TABLE_NAMES:
        text = files.get(f"{name}.csv")
        tables[name] = _read_str_csv(text) if text else pd.DataFrame()
    return Base(tables=tables, toml_text=files["instance.toml"])


def land_geometry() -> shapely.Geometry:
    """Japan's land (the shipped prefecture polygons, united), prepared for point tests."""
    gj = json.loads(_data_file("japan_prefectures.geojson"))
    geoms = [shapely.from_geojson(json.dumps(f["geometry"])) for f in gj["features"]]
    land = shapely.union_all(shapely.make_valid(np.array(geoms)))
    shapely.prepare(land)
    return land
