"""Synthetic instances of any size inside Japan's geography.

`generate(out_dir, sources, hubs, commodities, origins, seed)` writes a valid instance folder:
sources sampled from the 1,741 municipalities by estimated population (with jitter), hubs at
Recycle Ports and the offices of larger cities, the default instance's smelters, ports,
origins and market, its first K commodities (or generated grades beyond them), and the same
transport network as the `japan-municipal` instance: the default's prefecture-capital road
graph as `junction` sites, access roads that never cross the sea, and the default's rail,
coastal and ocean links. The same seed gives byte-identical folders.

Everything it reads ships in `hubnet/data/` (see `data/SOURCES.md`): `municipalities.csv`
(offices, kind, landmass, estimated population), `prefectures.csv` (2020 census),
`japan_site_landmass.csv` (landmass of the default's Japanese sites), `japan_prefectures.geojson`
(land, for the sea-crossing test) and `japan_base.json` (a copy of `instances/japan`, used
unless `base=` names an instance folder). The municipal instance's build script
(`instances/japan-municipal/build/`) uses the helpers exported here, so both follow one rule set.
"""

from hubnet.generate.build import generate
from hubnet.generate.network import (
    MAIN_LANDMASSES,
    Network,
    access_links,
    add_link,
    junction_id,
    junction_network,
    links_frame,
    point_frame,
    water_km,
)
from hubnet.generate.shipped import (
    TABLE_NAMES,
    Base,
    land_geometry,
    load_municipalities,
    load_prefectures,
    load_site_landmass,
    read_base,
)
from hubnet.generate.text import (
    csv_text,
    fmt,
    largest_remainder,
    split_milli,
    table_text,
    write_folder,
)
from hubnet.network.graph import great_circle_km

__all__ = [
    "MAIN_LANDMASSES",
    "TABLE_NAMES",
    "Base",
    "Network",
    "access_links",
    "add_link",
    "csv_text",
    "fmt",
    "generate",
    "great_circle_km",
    "junction_id",
    "junction_network",
    "land_geometry",
    "largest_remainder",
    "links_frame",
    "load_municipalities",
    "load_prefectures",
    "load_site_landmass",
    "point_frame",
    "read_base",
    "split_milli",
    "table_text",
    "water_km",
    "write_folder",
]
