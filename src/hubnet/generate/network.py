"""The network shared by the municipal instance and the generator: the default's prefecture
junctions, and access roads that never cross the sea."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from hubnet.generate.shipped import Base, load_municipalities
from hubnet.generate.text import fmt
from hubnet.network.graph import great_circle_km

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


def junction_id(source_id: str) -> str:
    """`src_13_tokyo` -> `jct_13_tokyo`."""
    return "jct_" + source_id.removeprefix("src_")


@dataclass(frozen=True)
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
