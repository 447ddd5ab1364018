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
(`instances/japan-municipal/build/`) uses the helpers below, so both follow one rule set.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
import tomli_w

from hubnet.export.tables import atomic_folder
from hubnet.instance.schema import TABLE_BY_NAME
from hubnet.network.graph import great_circle_km

logger = logging.getLogger(__name__)

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
)
#: landmasses whose roads reach a prefecture-capital junction
MAIN_LANDMASSES = ("honshu", "kyushu", "hokkaido", "shikoku", "okinawa")

# --- access roads (shared with the municipal instance) ------------------------------------------
#: road links shorter than this are written with this length (on-site drayage), as the default
MIN_ROAD_KM = 2.0
#: a neighbouring prefecture's junction is linked if closer than the own one and this close
#: (the default's rule for hubs, smelters and ports)
NEIGHBOUR_JUNCTION_MAX_KM = 100.0
#: a point is linked by road to every hub on its landmass this close (great-circle) [EST]
HUB_ACCESS_KM = 50.0
#: generated hubs are linked by road to the ports of their landmass this close (default's rule)
PORT_LINK_RADIUS_KM = 50.0
#: an optional road (not the one to the own junction) is dropped if more of its straight line
#: than this lies over water: coastline generalisation and river mouths pass, bays do not [EST]
MAX_WATER_KM = 3.0
WATER_STEP_KM = 0.5

# --- generator -------------------------------------------------------------------------------
#: sources are placed uniformly in a disc of this radius around their municipal office [EST]
JITTER_KM = 3.0
#: no two hubs closer than this [EST]
MIN_HUB_SPACING_KM = 5.0
#: offices of cities with at least this estimated population are hub sites of the first tier
LARGE_CITY_POP = 100_000
#: sampling weight of a Recycle-Port candidate hub of the default, in persons [EST]
PORT_HUB_WEIGHT = 1_000_000.0
#: hub capacity levels and costs are drawn around the default's within these factors [EST]
HUB_CAPACITY_RANGE = (0.8, 1.25)
HUB_COST_RANGE = (0.85, 1.15)
#: generated grades (beyond the default's) take a template grade's contents times a factor in
#: this range and a national total of the template's times a factor in the second [EST]
GRADE_CONTENT_RANGE = (0.7, 1.3)
GRADE_SUPPLY_RANGE = (0.1, 0.5)
#: extra origins (beyond the default's) sit this far from a default origin, with its offer
#: scaled by a factor in the second range [EST]
ORIGIN_OFFSET_KM = (20.0, 60.0)
ORIGIN_OFFER_RANGE = (0.5, 1.5)
#: hubs per source in generated instances. On 400 sources x 40 hubs (`bench/nearest.py
#: --gap 0.0005`) 10 keeps 40 % of the collection lanes and cost 0.08 % more than all lanes
#: (the bounds prove at least 0.07 %), well inside the 0.5 % gap large runs are solved to;
#: 5 cost 0.28 % (at least 0.23 %), 20 nothing measurable, with 76 % of the lanes
SCALE_NEAREST_HUBS = 10


# =============================================================================================
# Small helpers
# =============================================================================================


def fmt(value: float | None, decimals: int = 0) -> str:
    """Fixed-format number; None or NaN -> empty cell; never "-0"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0
    return f"{rounded:.{decimals}f}"


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split the integer `total` by `weights` into integers that sum exactly to it."""
    weights = np.asarray(weights, dtype=float)
    if total == 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(np.int64)
    short = int(total - out.sum())
    order = np.lexsort((np.arange(len(raw)), -(raw - out)))  # biggest remainder, then index
    out[order[:short]] += 1
    return out


def split_milli(total_t: float, weights: np.ndarray) -> np.ndarray:
    """Split tonnes by weights to 0.001 t so that the parts add up exactly (in kg)."""
    return largest_remainder(int(round(total_t * 1000)), weights) / 1000.0


def csv_text(header: list[str], rows: Iterable[list[str]]) -> str:
    """CSV with LF line endings, quoting only where needed."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def table_text(name: str, df: pd.DataFrame) -> str:
    """A table as CSV: the schema's columns (missing ones empty), rows sorted by the key."""
    table = TABLE_BY_NAME[name]
    cols = [c.name for c in table.columns]
    df = df.reindex(columns=cols).fillna("").astype(str)
    df = df.sort_values(list(table.key), kind="mergesort")
    if df.duplicated(list(table.key)).any():
        raise ValueError(f"{name}: duplicate keys")
    return csv_text(cols, df.to_numpy().tolist())


def write_folder(folder: Path, files: Mapping[str, str]) -> None:
    """Write text files (UTF-8, LF) into an existing folder."""
    for filename, text in files.items():
        with open(folder / filename, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)


def _data_file(name: str) -> str:
    return (resources.files("hubnet") / "data" / name).read_text(encoding="utf-8")


def _read_str_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


# =============================================================================================
# What ships: municipalities, prefectures, landmass of the default's sites, the default itself
# =============================================================================================


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


@dataclass
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


def water_km(a: np.ndarray, b: np.ndarray, land: shapely.Geometry) -> np.ndarray:
    """Kilometres of each straight segment a[i] -> b[i] (lat, lon rows) that lie over water.

    The segment is sampled every `WATER_STEP_KM`; the share of samples outside `land` times
    its length is the answer.
    """
    a, b = np.asarray(a, dtype=float).reshape(-1, 2), np.asarray(b, dtype=float).reshape(-1, 2)
    if len(a) == 0:
        return np.zeros(0)
    length = great_circle_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    n = np.maximum(2, np.ceil(length / WATER_STEP_KM).astype(int) + 1)
    seg = np.repeat(np.arange(len(a)), n)
    starts = np.concatenate(([0], np.cumsum(n)[:-1]))
    t = (np.arange(n.sum()) - np.repeat(starts, n)) / np.repeat(n - 1, n)
    lat = a[seg, 0] + t * (b[seg, 0] - a[seg, 0])
    lon = a[seg, 1] + t * (b[seg, 1] - a[seg, 1])
    outside = ~shapely.contains_xy(land, lon, lat)
    share = np.add.reduceat(outside.astype(float), starts) / n
    return share * length


# =============================================================================================
# The network shared by the municipal instance and the generator
# =============================================================================================


def junction_id(source_id: str) -> str:
    """`src_13_tokyo` -> `jct_13_tokyo`."""
    return "jct_" + source_id.removeprefix("src_")


@dataclass
class Network:
    """The default's fixed network with its 47 sources turned into road junctions."""

    sites: pd.DataFrame  # every default site but the sources, plus the junctions (strings)
    links: dict[tuple[str, str, str], str]  # (from, to, mode) -> distance_km cell
    place: pd.DataFrame  # Japanese sites: lat, lon, pref, landmass (floats/ints/str)
    junction_of_pref: dict[int, str]
    neighbours: dict[int, set[int]]  # prefectures whose junctions share a plain road (land)
    road_circuity: float


def add_link(links: dict, a: str, b: str, mode: str, km: str) -> None:
    """An undirected link once, from < to."""
    if a != b:
        x, y = sorted((a, b))
        links[(x, y, mode)] = km


def junction_network(base: Base, prefs: pd.DataFrame, landmass: pd.DataFrame) -> Network:
    """Turn the base's sources into `junction` sites and keep every link between the rest."""
    sites = base.tables["sites"].copy()
    src = sites["kind"] == "source"
    code_of_name = {str(n): int(c) for c, n in prefs["name_en"].items()}
    pref_of_source = {}
    for sid, name in zip(sites.loc[src, "id"], sites.loc[src, "name"], strict=True):
        if name not in code_of_name:
            raise ValueError(f"base source {sid} ({name}) is not a prefecture")
        pref_of_source[sid] = code_of_name[name]
    rename = {sid: junction_id(sid) for sid in pref_of_source}
    sites.loc[src, "name"] = [
        f"{prefs.at[pref_of_source[s], 'capital_en']} junction ({n})"
        for s, n in zip(sites.loc[src, "id"], sites.loc[src, "name"], strict=True)
    ]
    sites.loc[src, "kind"] = "junction"
    sites["id"] = sites["id"].replace(rename)
    links: dict[tuple[str, str, str], str] = {}
    for a, b, m, km in base.tables["links"][["from", "to", "mode", "distance_km"]].itertuples(
        index=False
    ):
        add_link(links, rename.get(a, a), rename.get(b, b), m, km)
    jp = sites[sites["country"] == "JP"]
    place = pd.DataFrame(
        {"lat": jp["lat"].astype(float).to_numpy(), "lon": jp["lon"].astype(float).to_numpy()},
        index=jp["id"].to_numpy(),
    )
    lm = landmass.rename(index=rename)
    known = place.index.isin(lm.index)
    if not known.all():  # a site the shipped table does not know: its nearest office's
        munis = load_municipalities()
        for sid in place.index[~known]:
            d = great_circle_km(place.at[sid, "lat"], place.at[sid, "lon"], munis.lat, munis.lon)
            j = int(np.argmin(d))
            lm.loc[sid, ["pref_code", "landmass"]] = [munis.pref_code[j], munis.landmass[j]]
    place["pref"] = lm.loc[place.index, "pref_code"].astype(int).to_numpy()
    place["landmass"] = lm.loc[place.index, "landmass"].astype(str).to_numpy()
    junction_of_pref = {p: rename[s] for s, p in pref_of_source.items()}
    pref_of_junction = {j: p for p, j in junction_of_pref.items()}
    neighbours: dict[int, set[int]] = {p: set() for p in junction_of_pref}
    for (a, b, m), km in links.items():
        if m == "road" and km == "" and a in pref_of_junction and b in pref_of_junction:
            neighbours[pref_of_junction[a]].add(pref_of_junction[b])
            neighbours[pref_of_junction[b]].add(pref_of_junction[a])
    modes = base.tables["modes"].set_index("mode")
    circuity = float(modes.at["road", "circuity"] or 1.0)
    return Network(sites, links, place, junction_of_pref, neighbours, circuity)


def access_links(
    points: pd.DataFrame,
    net: Network,
    hubs: Iterable[str],
    land: shapely.Geometry,
    *,
    to_ports: bool = False,
) -> dict[tuple[str, str, str], str]:
    """Roads (or a coastal link) that join new points to the network; never across the sea.

    `points` has id, lat, lon, pref, landmass. On a landmass with junctions a point gets a road
    to its prefecture's junction (or the landmass's nearest junction), to each land-neighbour
    prefecture's junction that is closer than that and within `NEIGHBOUR_JUNCTION_MAX_KM`, and
    to every hub of its landmass within `HUB_ACCESS_KM` (with `to_ports`: every port within
    `PORT_LINK_RADIUS_KM`, or the nearest). The optional roads are dropped where their straight
    line runs over more than `MAX_WATER_KM` of water. Elsewhere (islands without a junction):
    roads to the ports and hubs on the same island if it has any, else one coastal link to the
    port given by the optional columns `sea_port` and `sea_km` (nearest by sea, computed when
    the data was built), or to the nearest port by great-circle (distance left empty). Road
    distances are left empty (great-circle x circuity) unless that is under `MIN_ROAD_KM`.
    """
    place = net.place
    kind = net.sites.set_index("id")["kind"]

    def group(ids: Iterable[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Ids, landmasses and the point x site distance matrix of a group of sites."""
        sub = place.loc[sorted(set(ids) & set(place.index))]
        d = great_circle_km(
            points["lat"].to_numpy()[:, None],
            points["lon"].to_numpy()[:, None],
            sub["lat"].to_numpy()[None, :],
            sub["lon"].to_numpy()[None, :],
        )
        return sub.index.to_numpy(), sub["landmass"].to_numpy(), d.reshape(len(points), len(sub))

    j_ids, j_lm, j_d = group(net.junction_of_pref.values())
    h_ids, h_lm, h_d = group(hubs)
    p_ids, p_lm, p_d = group(kind.index[kind == "port"])
    col = {j: k for k, j in enumerate(j_ids)}
    must: list[tuple[str, str, str]] = []
    optional: list[tuple[str, str]] = []
    sea: dict[tuple[str, str], str] = {}
    for i, p in enumerate(points.itertuples()):
        on_j, on_h, on_p = j_lm == p.landmass, h_lm == p.landmass, p_lm == p.landmass
        if on_j.any():
            own = net.junction_of_pref.get(int(p.pref))
            if own not in col or not on_j[col[own]]:
                own = j_ids[int(np.argmin(np.where(on_j, j_d[i], np.inf)))]
            must.append((p.id, str(own), "road"))
            d_own = j_d[i, col[own]]
            for nb in sorted(net.neighbours.get(int(p.pref), ())):
                k = col.get(net.junction_of_pref[nb])
                if k is not None and on_j[k] and j_d[i, k] < d_own:
                    if j_d[i, k] <= NEIGHBOUR_JUNCTION_MAX_KM:
                        optional.append((p.id, str(j_ids[k])))
            for k in np.flatnonzero(on_h & (h_d[i] <= HUB_ACCESS_KM)):
                optional.append((p.id, str(h_ids[k])))
            if to_ports and on_p.any():
                near = np.flatnonzero(on_p & (p_d[i] <= PORT_LINK_RADIUS_KM))
                if len(near) == 0:
                    near = [int(np.argmin(np.where(on_p, p_d[i], np.inf)))]
                must.extend((p.id, str(p_ids[k]), "road") for k in near)
        elif on_p.any() or on_h.any():
            must.extend((p.id, str(q), "road") for q in [*p_ids[on_p], *h_ids[on_h]])
        elif getattr(p, "sea_port", "") in set(p_ids):
            sea[(p.id, p.sea_port)] = fmt(p.sea_km, 1)
        else:
            sea[(p.id, str(p_ids[int(np.argmin(p_d[i]))]))] = ""
    xy = pd.concat([place[["lat", "lon"]], points.set_index("id")[["lat", "lon"]]])
    xy = xy[~xy.index.duplicated(keep="last")]

    def ends(pairs: list) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
        u = xy.loc[[x[0] for x in pairs]].to_numpy()
        v = xy.loc[[x[1] for x in pairs]].to_numpy()
        return u, v

    if optional:
        wet = water_km(*ends(optional), land)
        must.extend(
            (u, v, "road") for (u, v), w in zip(optional, wet, strict=True) if w <= MAX_WATER_KM
        )
    out: dict[tuple[str, str, str], str] = {}
    if must:
        a, b = ends(must)
        short = (
            great_circle_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1]) * net.road_circuity < MIN_ROAD_KM
        )
        for (u, v, m), tiny in zip(must, short, strict=True):
            add_link(out, u, v, m, fmt(MIN_ROAD_KM, 1) if tiny else "")
    for (u, v), km in sea.items():
        add_link(out, u, v, "coastal", km)
    return out


def links_frame(links: Mapping[tuple[str, str, str], str]) -> pd.DataFrame:
    rows = [[a, b, m, km] for (a, b, m), km in links.items()]
    return pd.DataFrame(rows, columns=["from", "to", "mode", "distance_km"])


def point_frame(ids: Iterable[str], munis: pd.DataFrame, lat=None, lon=None) -> pd.DataFrame:  # noqa: ANN001
    """Points for `access_links`: ids placed at the rows of `munis` (or at lat/lon if given)."""
    return pd.DataFrame(
        {
            "id": list(ids),
            "lat": munis["lat"].to_numpy() if lat is None else np.asarray(lat, dtype=float),
            "lon": munis["lon"].to_numpy() if lon is None else np.asarray(lon, dtype=float),
            "pref": munis["pref_code"].astype(int).to_numpy(),
            "landmass": munis["landmass"].astype(str).to_numpy(),
            "sea_port": munis["sea_port"].astype(str).to_numpy(),
            "sea_km": pd.to_numeric(munis["sea_km"], errors="coerce").to_numpy(),
        }
    )


# =============================================================================================
# The generator
# =============================================================================================


def _accepts(cell: str) -> list[str]:
    return [x.strip() for x in cell.split(";") if x.strip()]


def _offset(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """A point `km` from (lat, lon) toward `bearing` (radians), flat-earth (fine below 100 km)."""
    dlat = km * math.cos(bearing) / 111.195
    dlon = km * math.sin(bearing) / (111.195 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def _commodities(
    base: Base, k: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float], dict[str, str]]:
    """The first k rows of the base's commodities.csv, then generated grades [EST].

    Returns the commodity rows, content rows, national generation per commodity (the base's
    total, or for a generated grade a share of its template's) and each grade's template.
    """
    com = base.tables["commodities"]
    contents = base.tables["contents"]
    supply = base.tables["supply"]
    totals = supply.assign(t=supply["generation_t_per_yr"].astype(float)).groupby("commodity").t
    national = {c: float(totals.sum().get(c, 0.0)) for c in com["id"]}
    chosen = com.iloc[: min(k, len(com))].copy()
    kept = set(chosen["id"])
    out_contents = [contents[contents["commodity"].isin(kept)]]
    template_of = {c: c for c in chosen["id"]}
    extra = []
    for i in range(len(com), k):
        t = com.iloc[int(rng.integers(len(com)))]
        gid = f"grade_{i + 1:02d}"
        extra.append(
            {
                "id": gid,
                "name": f"Generated grade {i + 1} (like {t['id']})",
                "hub_yield_share": fmt(
                    min(1.0, float(t["hub_yield_share"]) * rng.uniform(0.9, 1.1)), 2
                ),
                "leakage_penalty_jpy_per_t": t["leakage_penalty_jpy_per_t"],
                "max_leakage_share": "",
            }
        )
        rows = contents[contents["commodity"] == t["id"]].copy()
        rows["commodity"] = gid
        rows["content_g_per_t"] = [
            fmt(float(g) * rng.uniform(*GRADE_CONTENT_RANGE)) for g in rows["content_g_per_t"]
        ]
        out_contents.append(rows)
        national[gid] = float(round(national[t["id"]] * rng.uniform(*GRADE_SUPPLY_RANGE)))
        template_of[gid] = str(t["id"])
    commodities = pd.concat([chosen, pd.DataFrame(extra)], ignore_index=True)
    national = {c: national[c] for c in commodities["id"]}
    return commodities, pd.concat(out_contents, ignore_index=True), national, template_of


def _sources(
    munis: pd.DataFrame, prefs: pd.DataFrame, n: int, rng: np.random.Generator
) -> pd.DataFrame:
    """n source points drawn from the municipalities by estimated population, with jitter.

    Up to 1,741 sources are distinct municipalities (weighted sampling without replacement);
    beyond, every municipality once plus repeat draws. Each municipality's population is
    represented by the nearest drawn office of its prefecture (or the nearest at all if none
    of its prefecture was drawn), and split evenly between repeats: `weight` is the population
    a source stands for.
    """
    pop = munis["pop_est_2020"].to_numpy(dtype=float)
    m = len(munis)
    p = pop / pop.sum()
    if n <= m:
        picks = rng.choice(m, size=n, replace=False, p=p)
    else:
        picks = np.concatenate([np.arange(m), rng.choice(m, size=n - m, replace=True, p=p)])
    copies = np.bincount(picks, minlength=m)
    drawn = np.flatnonzero(copies)
    lat, lon = munis["lat"].to_numpy(), munis["lon"].to_numpy()
    pref = munis["pref_code"].to_numpy()
    d = great_circle_km(lat[:, None], lon[:, None], lat[drawn][None, :], lon[drawn][None, :])
    same = pref[:, None] == pref[drawn][None, :]
    owner = np.where(same.any(axis=1), np.where(same, d, np.inf).argmin(axis=1), d.argmin(axis=1))
    represented = np.bincount(owner, weights=pop, minlength=len(drawn))
    rows = []
    for j, stands_for in zip(drawn, represented, strict=True):
        r = munis.iloc[j]
        for k in range(copies[j]):
            radius = JITTER_KM * math.sqrt(rng.random())
            y, x = _offset(float(r["lat"]), float(r["lon"]), radius, 2 * math.pi * rng.random())
            suffix = f" #{k + 1}" if copies[j] > 1 else ""
            rows.append(
                {
                    "id": f"src_{r['jis_code']}_{k + 1}",
                    "name": f"{r['name_romaji']}{suffix}, {prefs.at[r['pref_code'], 'name_en']}",
                    "name_ja": f"{r['name_ja']}{suffix}",
                    "lat": y,
                    "lon": x,
                    "muni": j,
                    "weight": stands_for / copies[j],
                }
            )
    out = pd.DataFrame(rows)
    cols = ["pref_code", "landmass", "sea_port", "sea_km"]
    out[cols] = munis.iloc[out["muni"]][cols].to_numpy()
    return out.sort_values("id").reset_index(drop=True)


def _pick_hubs(
    base: Base,
    munis: pd.DataFrame,
    prefs: pd.DataFrame,
    net: Network,
    h: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """h hub sites: the base's Recycle-Port candidates and offices of larger cities first.

    Candidates are ranked by weighted random keys (Efraimidis-Spirakis) within tiers: 0 the
    base's candidate hubs with capacity levels (weight PORT_HUB_WEIGHT) and offices of cities of
    LARGE_CITY_POP or more (weight: population); 1 other cities; 2 towns and villages. Only
    landmasses with road junctions qualify. With h >= 5 each main island gets its best-ranked
    candidate first. No two hubs are closer than MIN_HUB_SPACING_KM.
    """
    fac = base.tables["facilities"]
    levels = base.tables["capacity_levels"]
    with_levels = set(levels["facility"])
    port_hubs = fac[(fac["role"] == "hub") & fac["site"].isin(with_levels)]["site"]
    place = net.place
    sites = net.sites.set_index("id")
    road_lm = set(place.loc[list(net.junction_of_pref.values()), "landmass"])
    pool = [
        {
            "id": s,
            "name": sites.at[s, "name"],
            "name_ja": sites.at[s, "name_ja"],
            "lat": place.at[s, "lat"],
            "lon": place.at[s, "lon"],
            "pref_code": place.at[s, "pref"],
            "landmass": place.at[s, "landmass"],
            "weight": PORT_HUB_WEIGHT,
            "tier": 0,
        }
        for s in sorted(port_hubs)
    ]
    for r in munis[munis["landmass"].isin(road_lm)].itertuples():
        city = r.kind in ("designated_city", "special_ward", "city")
        tier = 0 if city and r.pop_est_2020 >= LARGE_CITY_POP else 1 if city else 2
        pool.append(
            {
                "id": f"hub_{r.jis_code}",
                "name": f"{r.name_romaji} hub, {prefs.at[r.pref_code, 'name_en']}",
                "name_ja": f"{r.name_ja} 拠点候補",
                "lat": r.lat,
                "lon": r.lon,
                "pref_code": r.pref_code,
                "landmass": r.landmass,
                "weight": float(r.pop_est_2020),
                "tier": tier,
            }
        )
    cand = pd.DataFrame(pool)
    cand["key"] = np.log(rng.random(len(cand))) / cand["weight"]
    cand = cand.sort_values(["tier", "key"], ascending=[True, False], kind="mergesort")
    order = list(cand.index)
    if h >= len(MAIN_LANDMASSES):
        first = [cand.index[cand["landmass"] == lm][0] for lm in MAIN_LANDMASSES]
        order = first + [i for i in order if i not in set(first)]
    chosen: list[int] = []
    for i in order:
        if len(chosen) == h:
            break
        if chosen:
            d = great_circle_km(
                cand.at[i, "lat"],
                cand.at[i, "lon"],
                cand.loc[chosen, "lat"],
                cand.loc[chosen, "lon"],
            )
            if np.min(d) < MIN_HUB_SPACING_KM:
                continue
        chosen.append(i)
    if len(chosen) < h:
        raise ValueError(
            f"only {len(chosen)} hub sites lie at least {MIN_HUB_SPACING_KM:g} km apart; "
            f"asked for {h}"
        )
    return cand.loc[chosen].sort_values("id").reset_index(drop=True)


def _hub_terms(
    base: Base, hubs: pd.DataFrame, net: Network, rng: np.random.Generator
) -> tuple[list[dict], list[dict]]:
    """Facility rows and capacity levels of the hubs, drawn around a template hub's [EST].

    The template is the hub itself if it is a base candidate, else the nearest base candidate
    on its landmass (so an Okinawa hub gets Okinawa's levels). Capacities scale by one factor
    per hub in HUB_CAPACITY_RANGE, fixed costs by that factor ** 0.7 (economies of scale) and a
    factor in HUB_COST_RANGE; minimum throughputs keep their share of capacity.
    """
    fac = base.tables["facilities"].set_index("site")
    levels = base.tables["capacity_levels"]
    templates = net.place.loc[
        sorted(set(levels["facility"]) & set(fac.index[fac["role"] == "hub"]))
    ]
    facilities, level_rows = [], []
    for r in hubs.itertuples():
        if r.id in templates.index:
            t = r.id
        else:
            same = templates[templates["landmass"] == r.landmass]
            same = same if len(same) else templates
            d = great_circle_km(r.lat, r.lon, same["lat"].to_numpy(), same["lon"].to_numpy())
            t = same.index[int(np.argmin(d))]
        cost = float(fac.at[t, "processing_cost_jpy_per_t"]) * rng.uniform(*HUB_COST_RANGE)
        facilities.append(
            {
                "site": r.id,
                "role": "hub",
                "existing_capacity_t_per_yr": "0",
                "processing_cost_jpy_per_t": fmt(round(cost, -2)),
                "accepts": "*",
                "status": "candidate",
            }
        )
        f_cap = rng.uniform(*HUB_CAPACITY_RANGE)
        for lv in levels[levels["facility"] == t].itertuples():
            cap = round(float(lv.capacity_t_per_yr) * f_cap, -2)
            fixed = float(lv.fixed_cost_jpy_per_yr) * f_cap**0.7 * rng.uniform(*HUB_COST_RANGE)
            share = float(lv.min_throughput_t_per_yr or 0) / float(lv.capacity_t_per_yr)
            level_rows.append(
                {
                    "facility": r.id,
                    "level": lv.level,
                    "capacity_t_per_yr": fmt(cap),
                    "fixed_cost_jpy_per_yr": fmt(round(fixed, -5)),
                    "min_throughput_t_per_yr": fmt(cap * share),
                }
            )
    return facilities, level_rows


def _origins(
    base: Base, f: int, kept: set[str], rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, dict[tuple[str, str, str], str]]:
    """f origins: a draw of the base's (weighted by what they offer), or all plus satellites.

    A satellite copies a base origin (drawn by offer) ORIGIN_OFFSET_KM away, with its import
    offer scaled by a factor in ORIGIN_OFFER_RANGE, prices within 3 %, and its ocean links
    lengthened by the offset. Returns origin sites, import rows (kept commodities) and the
    satellites' ocean links.
    """
    sites = base.tables["sites"]
    origins = sites[sites["kind"] == "origin"].sort_values("id").reset_index(drop=True)
    imports = base.tables["imports"]
    offer = imports.assign(t=imports["available_t_per_yr"].astype(float)).groupby("site").t.sum()
    w = origins["id"].map(offer).fillna(0.0).to_numpy() + 1.0
    p = w / w.sum()
    n = len(origins)
    if f <= n:
        pick = np.sort(rng.choice(n, size=f, replace=False, p=p)) if f else np.array([], int)
        out_sites = origins.iloc[pick].copy()
        out_imports = imports[imports["site"].isin(out_sites["id"])]
        return out_sites, out_imports[out_imports["commodity"].isin(kept)], {}
    extra_sites, extra_imports, links = [], [], {}
    counter: dict[str, int] = {}
    ocean = base.tables["links"]
    ocean = ocean[ocean["mode"] == "ocean"]
    for _ in range(f - n):
        parent = origins.iloc[int(rng.choice(n, p=p))]
        k = counter[parent["id"]] = counter.get(parent["id"], 1) + 1
        oid = f"{parent['id']}_{k}"
        km = rng.uniform(*ORIGIN_OFFSET_KM)
        lat, lon = _offset(
            float(parent["lat"]), float(parent["lon"]), km, 2 * math.pi * rng.random()
        )
        row = parent.copy()
        row["id"], row["name"] = oid, f"{parent['name']} (satellite {k})"
        row["lat"], row["lon"] = fmt(lat, 5), fmt(lon, 5)
        extra_sites.append(row)
        for r in imports[imports["site"] == parent["id"]].itertuples():
            avail = float(r.available_t_per_yr) * rng.uniform(*ORIGIN_OFFER_RANGE)
            price = float(r.price_jpy_per_t) * rng.uniform(0.97, 1.03)
            extra_imports.append(
                {
                    "site": oid,
                    "commodity": r.commodity,
                    "available_t_per_yr": fmt(round(avail, -2)),
                    "price_jpy_per_t": fmt(round(price, -2)),
                }
            )
        for r in ocean[
            (ocean["from"] == parent["id"]) | (ocean["to"] == parent["id"])
        ].itertuples():
            other = r.to if r._1 == parent["id"] else r._1
            dist = fmt(float(r.distance_km) + km, 1) if r.distance_km else ""
            add_link(links, oid, other, "ocean", dist)
    out_sites = pd.concat([origins, pd.DataFrame(extra_sites)], ignore_index=True)
    out_imports = pd.concat([imports, pd.DataFrame(extra_imports)], ignore_index=True)
    return out_sites, out_imports[out_imports["commodity"].isin(kept)], links


def generate(
    out_dir: Path | str,
    sources: int,
    hubs: int,
    commodities: int,
    origins: int,
    seed: int,
    *,
    base: Path | str | None = None,
) -> Path:
    """Write a generated instance folder at `out_dir` (new or empty) and return its path.

    `sources` source points, `hubs` candidate hubs, `commodities` grades and `origins` foreign
    origins, drawn with `numpy.random.default_rng(seed)`: the same arguments give
    byte-identical folders. `base` is the instance to take the network, smelters, ports,
    origins, market, commodities and settings from (default: the shipped copy of
    `instances/japan`). The folder is written to a temporary sibling and renamed.
    """
    for label, value, least in (
        ("sources", sources, 1),
        ("hubs", hubs, 1),
        ("commodities", commodities, 1),
        ("origins", origins, 0),
    ):
        if int(value) != value or value < least:
            raise ValueError(f"{label} must be an integer >= {least}, not {value!r}")
    out_dir = Path(out_dir)
    if out_dir.exists() and not (out_dir.is_dir() and not any(out_dir.iterdir())):
        raise FileExistsError(f"{out_dir}: already exists and is not an empty folder")
    rng = np.random.default_rng(seed)
    b = read_base(Path(base) if base is not None else None)
    munis = load_municipalities()
    prefs = load_prefectures()
    net = junction_network(b, prefs, load_site_landmass())

    com, contents, national, template_of = _commodities(b, commodities, rng)
    kept = set(com["id"])
    src = _sources(munis, prefs, sources, rng)
    hub_sites = _pick_hubs(b, munis, prefs, net, hubs, rng)
    hub_fac, hub_levels = _hub_terms(b, hub_sites, net, rng)
    origin_sites, imports, origin_links = _origins(b, origins, kept, rng)

    # smelters: the base's, taking the kept grades and generated grades like them
    fac = b.tables["facilities"]
    smelters = fac[fac["role"] == "smelter"].copy()
    acc = []
    for cell in smelters["accepts"]:
        items = _accepts(cell)
        acc.append(
            "*" if "*" in items else ";".join(c for c in com["id"] if template_of[c] in items)
        )
    smelters["accepts"] = acc
    smelters = smelters[smelters["accepts"] != ""]
    kept_smelters = set(smelters["site"])
    levels = b.tables["capacity_levels"]
    levels = pd.concat(
        [levels[levels["facility"].isin(kept_smelters)], pd.DataFrame(hub_levels)],
        ignore_index=True,
    )
    contained = set(contents.loc[contents["content_g_per_t"].astype(float) > 0, "element"])
    elements = b.tables["elements"]
    elements = elements[elements["id"].isin(contained)]
    recovery = b.tables["recovery"]
    recovery = recovery[
        recovery["facility"].isin(kept_smelters) & recovery["element"].isin(contained)
    ]
    exports = b.tables["exports"]
    exports = exports[exports["commodity"].isin(kept)]

    # sites
    base_sites = net.sites
    keep_kinds = base_sites["kind"].isin(["junction", "port", "market"])
    sites = [
        base_sites[keep_kinds | base_sites["id"].isin(kept_smelters)],
        origin_sites,
    ]
    region = prefs["region_en"]
    for df, kind in ((hub_sites, "hub"), (src, "source")):
        sites.append(
            pd.DataFrame(
                {
                    "id": df["id"],
                    "name": df["name"],
                    "name_ja": df["name_ja"],
                    "kind": kind,
                    "lat": [fmt(x, 5) for x in df["lat"]],
                    "lon": [fmt(x, 5) for x in df["lon"]],
                    "country": "JP",
                    "region": [region[int(p)] for p in df["pref_code"]],
                }
            )
        )
    sites_df = pd.concat(sites, ignore_index=True)
    keep_ids = set(sites_df["id"])

    # supply: national totals split by the population each source stands for
    supply = []
    for c, total in national.items():
        for sid, t in zip(src["id"], split_milli(total, src["weight"].to_numpy()), strict=True):
            if t > 0:
                supply.append({"site": sid, "commodity": c, "generation_t_per_yr": fmt(t, 3)})

    # links: the base's between kept sites, then access for new hubs and sources
    links = {k: v for k, v in net.links.items() if k[0] in keep_ids and k[1] in keep_ids}
    links.update(origin_links)
    new_hubs = hub_sites[~hub_sites["id"].isin(net.place.index)]
    add = pd.DataFrame(
        {
            "lat": new_hubs["lat"].astype(float).to_numpy(),
            "lon": new_hubs["lon"].astype(float).to_numpy(),
            "pref": new_hubs["pref_code"].astype(int).to_numpy(),
            "landmass": new_hubs["landmass"].to_numpy(),
        },
        index=new_hubs["id"].to_numpy(),
    )
    net.place = pd.concat([net.place[net.place.index.isin(keep_ids)], add])
    net.sites = sites_df
    land = land_geometry()
    hub_points = point_frame(new_hubs["id"], new_hubs.assign(sea_port="", sea_km=""))
    links.update(access_links(hub_points, net, [], land, to_ports=True))
    src_points = point_frame(src["id"], src, lat=src["lat"], lon=src["lon"])
    links.update(access_links(src_points, net, hub_sites["id"], land))

    settings = b.settings
    # the scale settings (README, "Large instances and speed"): one collection share per
    # source and hub, and each source's SCALE_NEAREST_HUBS cheapest hubs
    settings.setdefault("collection", {}).update(
        {"whole_source": True, "nearest_hubs": SCALE_NEAREST_HUBS}
    )
    settings["name"] = f"generated-{sources}s-{hubs}h-{commodities}k-{origins}f-seed{seed}"
    settings["description"] = (
        f"Generated by hubnet.generate (seed {seed}): {sources} sources drawn from Japan's "
        f"municipalities by estimated population, {hubs} candidate hubs at Recycle Ports and "
        f"larger cities, {len(com)} commodities, {len(origin_sites)} foreign origins, and the "
        "default instance's smelters, ports, market, network and settings."
    )
    files = {
        "sites.csv": table_text("sites", sites_df),
        "commodities.csv": table_text("commodities", com),
        "elements.csv": table_text("elements", elements),
        "contents.csv": table_text("contents", contents),
        "supply.csv": table_text("supply", pd.DataFrame(supply)),
        "imports.csv": table_text("imports", imports),
        "exports.csv": table_text("exports", exports),
        "facilities.csv": table_text("facilities", pd.concat([smelters, pd.DataFrame(hub_fac)])),
        "capacity_levels.csv": table_text("capacity_levels", levels),
        "recovery.csv": table_text("recovery", recovery),
        "modes.csv": table_text("modes", b.tables["modes"]),
        "links.csv": table_text("links", links_frame(links)),
        "instance.toml": tomli_w.dumps(settings),
    }
    with atomic_folder(out_dir) as tmp:
        write_folder(tmp, files)
    logger.info("wrote %s to %s", settings["name"], out_dir)
    return out_dir
