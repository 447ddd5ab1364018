"""The multimodal transport graph: one node per (site, mode), transfers where modes meet."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from hubnet.instance import Instance
from hubnet.network.freight import haul_cost_per_t
from hubnet.network.trips import mode_trips, trip_ends

EARTH_RADIUS_KM = 6371.0088
START, END = "start", "end"


def great_circle_km(lat1, lon1, lat2, lon2):  # noqa: ANN001, ANN201 - numpy or float
    """Haversine distance in km; works elementwise on arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def link_table(instance: Instance) -> pd.DataFrame:
    """links.csv with every distance filled (great-circle x the mode's circuity if missing)."""
    links = instance.links.copy()
    if links.empty:
        return links.assign(km=pd.Series(dtype=float))
    xy = instance.sites.set_index("id")[["lat", "lon"]]
    a, b = xy.loc[links["from"]].to_numpy(), xy.loc[links["to"]].to_numpy()
    gc = great_circle_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    circuity = links["mode"].map(instance.modes.set_index("mode")["circuity"]).to_numpy()
    links["km"] = links["distance_km"].where(links["distance_km"].notna(), gc * circuity)
    return links


#: sites a path may start or end at but never pass through (foreign ports)
ENDPOINT_KINDS = frozenset({"origin", "market"})


def build_graph(instance: Instance) -> nx.DiGraph:
    """Directed graph whose edges carry `cost` (JPY/t), `co2` (kg/t), `km`, `kind`, and for
    line-haul edges their `mode` and the `sites` they pass after their start.

    Line-haul edges join (a, mode) and (b, mode) both ways: one per link, or for a mode with
    distance bands one per trip (`network.trips`). Where a site has links of two modes,
    transfer edges join its mode nodes and cost the handling of both modes. Every site also
    has a `start` node (load onto a mode) and an `end` node (unload), so that a least-cost
    path from (start, o) to (end, d) pays every handling exactly once. Foreign origins and
    markets, and every site of a banded mode, get separate arrival and departure nodes: no
    domestic path runs through a foreign port, and no run of a banded mode pays two fares.
    """
    endpoint = set(instance.sites.loc[instance.sites["kind"].isin(ENDPOINT_KINDS), "id"])
    banded = set(instance.freight_bands["mode"])
    g = nx.DiGraph()
    links = link_table(instance)

    def node(site: str, mode: str, arriving: bool) -> tuple:
        if site in endpoint or mode in banded:
            return (site, mode, "in" if arriving else "out")
        return (site, mode)

    _add_links(g, instance, links[~links["mode"].isin(banded)], node)
    _add_trips(g, instance, links, endpoint)
    handling = instance.modes.set_index("mode")["handling_jpy_per_t"].astype(float).to_dict()
    by_site: dict[str, set[str]] = {}
    for n in list(g.nodes):
        by_site.setdefault(n[0], set()).add(n[1])
    for site, ms in by_site.items():
        for m in ms:
            h = handling[m]
            g.add_edge((START, site), node(site, m, False), cost=h, co2=0.0, km=0.0, kind="load")
            g.add_edge(node(site, m, True), (END, site), cost=h, co2=0.0, km=0.0, kind="unload")
            if site in endpoint:
                continue
            for m2 in ms - {m}:
                h2 = handling[m2]
                g.add_edge(
                    node(site, m, True),
                    node(site, m2, False),
                    cost=h + h2,
                    co2=0.0,
                    km=0.0,
                    kind="transfer",
                )
    return g


def _add_links(g: nx.DiGraph, instance: Instance, links: pd.DataFrame, node) -> None:  # noqa: ANN001
    """One edge per link of a mode without bands, both ways (the cheapest of parallel links)."""
    emit = instance.modes.set_index("mode")["co2_kg_per_t_km"].astype(float).to_dict()
    haul = haul_cost_per_t(
        instance.modes, instance.freight_bands, links["mode"].to_numpy(), links["km"].to_numpy()
    )
    columns = [links[c].tolist() for c in ("from", "to", "mode", "km")]
    for frm, to, mode, km, cost in zip(*columns, haul.tolist(), strict=True):
        co2 = km * emit[mode]
        for u, v in ((frm, to), (to, frm)):
            a, b = node(u, mode, False), node(v, mode, True)
            old = g.get_edge_data(a, b)
            if old is None or (old["cost"], old["km"]) > (cost, km):
                g.add_edge(a, b, cost=cost, co2=co2, km=km, kind="haul", sites=(v,), mode=mode)


def _add_trips(g: nx.DiGraph, instance: Instance, links: pd.DataFrame, endpoint: set[str]) -> None:
    """One edge per trip of each banded mode, from its start's departure node to its end's
    arrival node: one fare for the trip's whole distance.

    `links`: every link; terminals are the domestic sites with links of two or more modes.
    """
    banded = links[links["mode"].isin(set(instance.freight_bands["mode"]))]
    if banded.empty:
        return
    per_site = pd.concat(
        [links[[c, "mode"]].set_axis(["site", "mode"], axis=1) for c in ("from", "to")]
    )
    n_modes = per_site.drop_duplicates().groupby("site")["mode"].size()
    terminals = set(n_modes.index[n_modes > 1]) - endpoint
    ends = trip_ends(instance, terminals)
    emit = instance.modes.set_index("mode")["co2_kg_per_t_km"].astype(float).to_dict()
    for mode, part in banded.groupby("mode", sort=True):
        trips = mode_trips(part, ends, endpoint)
        km = np.array([t.km for t in trips], dtype=float)
        cost = haul_cost_per_t(instance.modes, instance.freight_bands, np.full(len(km), mode), km)
        g.add_edges_from(
            (
                (t.start, mode, "out"),
                (t.end, mode, "in"),
                {
                    "cost": c,
                    "co2": t.km * emit[mode],
                    "km": t.km,
                    "kind": "haul",
                    "sites": t.route,
                    "mode": mode,
                },
            )
            for t, c in zip(trips, cost.tolist(), strict=True)
        )


def path_weight(g: nx.DiGraph, co2_price_jpy_per_t: float) -> None:
    """Set each edge's `weight`: money plus the carbon price on its CO2 (plus a tiny epsilon
    so zero-cost edges stay edges in sparse shortest-path routines)."""
    for _, _, d in g.edges(data=True):
        d["weight"] = d["cost"] + co2_price_jpy_per_t * d["co2"] / 1000.0 + 1e-9
