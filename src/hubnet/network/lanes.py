"""Least-cost lanes for every origin-destination pair the model may use.

A lane carries its cost per tonne, distance, CO2 per tonne, the modes used and the site path
(the maps draw it; the model sees only the numbers).
"""

from __future__ import annotations

import logging

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from hubnet.errors import Issue
from hubnet.instance import Instance
from hubnet.network.graph import END, START, build_graph, great_circle_km, path_weight

logger = logging.getLogger(__name__)

LANE_COLUMNS = [
    "lane",
    "stage",
    "origin",
    "destination",
    "cost_jpy_per_t",
    "distance_km",
    "co2_kg_per_t",
    "modes",
    "path",
    "path_modes",
]


def candidate_pairs(instance: Instance) -> pd.DataFrame:
    """(stage, origin, destination) pairs that could carry something both ends handle."""
    acc = instance.accepts()
    fac = instance.facilities.set_index("site")
    open_ok = set(fac.index[fac["status"] != "closed"])
    acc = acc[acc["facility"].isin(open_ok)]
    hub_acc = acc[acc["role"] == "hub"][["facility", "commodity"]]
    smelt_acc = acc[acc["role"] == "smelter"][["facility", "commodity"]]
    passes = set(instance.commodities.loc[instance.commodities["hub_yield_share"] > 0, "id"])

    def join(left: pd.DataFrame, lcol: str, right: pd.DataFrame, stage: str) -> pd.DataFrame:
        m = left.rename(columns={lcol: "origin"}).merge(
            right.rename(columns={"facility": "destination"}), on="commodity"
        )
        return m[["origin", "destination"]].drop_duplicates().assign(stage=stage)

    parts = [
        join(instance.supply[["site", "commodity"]], "site", hub_acc, "collection"),
        join(instance.imports[["site", "commodity"]], "site", hub_acc, "import"),
        join(
            hub_acc[hub_acc["commodity"].isin(passes)],
            "facility",
            smelt_acc,
            "delivery",
        ),
        join(
            hub_acc[hub_acc["commodity"].isin(passes)],
            "facility",
            instance.exports[["site", "commodity"]].rename(columns={"site": "facility"}),
            "export",
        ),
    ]
    pairs = pd.concat(parts, ignore_index=True)
    pairs = pairs[pairs["origin"] != pairs["destination"]]
    return pairs.sort_values(["stage", "origin", "destination"]).reset_index(drop=True)


def _graph_lanes(g: nx.DiGraph, pairs: pd.DataFrame) -> pd.DataFrame:
    """Shortest paths for `pairs` over `g`, all origins at once in scipy's Dijkstra."""
    nodes = list(g.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    by_origin: dict[str, list[tuple[str, str]]] = {}
    for stage, o, d in pairs[["stage", "origin", "destination"]].itertuples(index=False):
        if (START, o) in index and (END, d) in index:
            by_origin.setdefault(o, []).append((stage, d))
    if not by_origin:
        return pd.DataFrame(columns=LANE_COLUMNS)
    edges = {
        (index[u], index[v]): (e["cost"], e["co2"], e["km"], e.get("site"), e.get("mode"))
        for u, v, e in g.edges(data=True)
    }
    matrix = nx.to_scipy_sparse_array(g, nodelist=nodes, weight="weight", format="csr")
    origins = sorted(by_origin)
    src = [index[(START, o)] for o in origins]
    dist, pred = dijkstra(matrix, directed=True, indices=src, return_predecessors=True)
    rows = []
    for r, o in enumerate(origins):
        pr = pred[r]
        for stage, d in by_origin[o]:
            j = index[(END, d)]
            if not np.isfinite(dist[r, j]):
                continue
            seq = [j]
            while seq[-1] != src[r]:
                seq.append(int(pr[seq[-1]]))
            seq.reverse()
            cost = co2 = km = 0.0
            sites, legs = [o], []
            for u, v in zip(seq[:-1], seq[1:], strict=True):
                c, e, k, site, mode = edges[u, v]
                cost += c
                co2 += e
                km += k
                if site is not None:
                    sites.append(site)
                    legs.append(mode)
            rows.append(
                [
                    f"{o}>{d}",
                    stage,
                    o,
                    d,
                    cost,
                    km,
                    co2,
                    ";".join(sorted(set(legs))),
                    ";".join(sites),
                    ";".join(legs),
                ]
            )
    return pd.DataFrame(rows, columns=LANE_COLUMNS)


def _explicit_lanes(instance: Instance, pairs: pd.DataFrame) -> pd.DataFrame:
    lanes = instance.lanes.merge(pairs, on=["origin", "destination"])
    if lanes.empty:
        return pd.DataFrame(columns=LANE_COLUMNS)
    xy = instance.sites.set_index("id")[["lat", "lon"]]
    a, b = xy.loc[lanes["origin"]].to_numpy(), xy.loc[lanes["destination"]].to_numpy()
    gc = great_circle_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    return pd.DataFrame(
        {
            "lane": lanes["origin"] + ">" + lanes["destination"],
            "stage": lanes["stage"],
            "origin": lanes["origin"],
            "destination": lanes["destination"],
            "cost_jpy_per_t": lanes["cost_jpy_per_t"],
            "distance_km": lanes["distance_km"].where(lanes["distance_km"].notna(), gc),
            "co2_kg_per_t": lanes["co2_kg_per_t"],
            "modes": "explicit",
            "path": lanes["origin"] + ";" + lanes["destination"],
            "path_modes": "explicit",
        }
    )[LANE_COLUMNS]


def build_lanes(instance: Instance) -> pd.DataFrame:
    """Every lane the model may use, one row each, sorted by stage, origin, destination.

    Explicit rates in lanes.csv replace computed paths for the pairs they list. Collection
    lanes longer than `max_collection_km` are dropped, and with `nearest_hubs = k` a source
    keeps only its k cheapest hubs.
    """
    pairs = candidate_pairs(instance)
    col = instance.collection
    if col.max_collection_km is not None:
        # a lane is never shorter than the great circle: drop hopeless pairs before routing
        xy = instance.sites.set_index("id")[["lat", "lon"]]
        a, b = xy.loc[pairs["origin"]].to_numpy(), xy.loc[pairs["destination"]].to_numpy()
        gc = great_circle_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
        far = (pairs["stage"] == "collection").to_numpy() & (gc > col.max_collection_km)
        pairs = pairs[~far].reset_index(drop=True)
    explicit = set(zip(instance.lanes["origin"], instance.lanes["destination"], strict=True))
    is_explicit = [
        (o, d) in explicit for o, d in zip(pairs["origin"], pairs["destination"], strict=False)
    ]
    g = build_graph(instance)
    path_weight(g, instance.policy.co2_price_jpy_per_t)
    graph_part = _graph_lanes(g, pairs[~np.array(is_explicit, dtype=bool)])
    parts = [p for p in (graph_part, _explicit_lanes(instance, pairs)) if not p.empty]
    lanes = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=LANE_COLUMNS)
    lanes = lanes.astype({"cost_jpy_per_t": float, "distance_km": float, "co2_kg_per_t": float})
    coll = lanes["stage"] == "collection"
    if col.max_collection_km is not None:
        lanes = lanes[~coll | (lanes["distance_km"] <= col.max_collection_km)]
    if col.nearest_hubs is not None:
        coll = lanes["stage"] == "collection"
        price = (
            lanes["cost_jpy_per_t"]
            + instance.policy.co2_price_jpy_per_t * lanes["co2_kg_per_t"] / 1000.0
        )
        rank = price[coll].groupby(lanes.loc[coll, "origin"]).rank(method="first")
        keep = rank <= col.nearest_hubs
        lanes = lanes[~coll | keep.reindex(lanes.index, fill_value=True)]
    lanes = lanes.sort_values(["stage", "origin", "destination"]).reset_index(drop=True)
    logger.info("%d lanes (%s)", len(lanes), lanes["stage"].value_counts().to_dict())
    return lanes


def check_reachability(instance: Instance) -> list[Issue]:
    """Sources, origins and hubs that no link or explicit lane joins to where they must go.

    A source must be connected to some hub that takes one of its grades, an origin to some
    hub that takes what it offers, and a hub that passes scrap on to some smelter or market.
    Distance limits are policy, not connectivity: they are not applied here.
    """
    g = nx.Graph()
    g.add_nodes_from(instance.sites["id"])
    g.add_edges_from(zip(instance.links["from"], instance.links["to"], strict=True))
    g.add_edges_from(zip(instance.lanes["origin"], instance.lanes["destination"], strict=True))
    component = {s: i for i, comp in enumerate(nx.connected_components(g)) for s in comp}
    pairs = candidate_pairs(instance)
    joined = pairs[
        [
            component[o] == component[d]
            for o, d in zip(pairs["origin"], pairs["destination"], strict=True)
        ]
    ]
    issues = []
    for table, col, stage, what in (
        ("supply", "site", "collection", "a hub that takes its grades"),
        ("imports", "site", "import", "a hub that takes what it offers"),
    ):
        df = instance.table(table)
        ok = set(joined.loc[joined["stage"] == stage, "origin"])
        for i, s in enumerate(df[col]):
            if s not in ok:
                issues.append(
                    Issue(
                        f"{table}.csv", i + 2, col, s, f"a route (links.csv or lanes.csv) to {what}"
                    )
                )
    return issues
