"""Least-cost lanes for every origin-destination pair the model may use.

A lane carries its cost per tonne, distance, CO2 per tonne, the modes used and the site path
(the maps draw it; the model sees only the numbers).
"""

from __future__ import annotations

import bisect
import logging

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
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
        """(origin, destination) sharing a commodity: one sparse product of the two
        incidence tables (a merge built 2 million rows at 1,700 sources x 150 hubs)."""
        kinds, _ = pd.factorize(pd.concat([left["commodity"], right["commodity"]]))
        o_codes, o_ids = pd.factorize(left[lcol])
        d_codes, d_ids = pd.factorize(right["facility"])
        n_k = int(kinds.max()) + 1 if len(kinds) else 0
        src = sp.csr_matrix(
            (np.ones(len(left)), (o_codes, kinds[: len(left)])), shape=(len(o_ids), n_k)
        )
        dst = sp.csr_matrix(
            (np.ones(len(right)), (kinds[len(left) :], d_codes)), shape=(n_k, len(d_ids))
        )
        both = (src @ dst).tocoo()
        return pd.DataFrame(
            {
                "origin": np.asarray(o_ids, dtype=object)[both.row],
                "destination": np.asarray(d_ids, dtype=object)[both.col],
                "stage": stage,
            }
        )

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


class _Tree:
    """One origin's shortest-path tree: each node's path sums and site list, built once.

    Sums run from the origin outwards, edge by edge, as a walk along each path would add them.
    """

    def __init__(self, root: int, origin: str, pred: np.ndarray, edges: dict) -> None:
        self.pred, self.edges = pred, edges
        self.known: dict[int, tuple] = {root: (0.0, 0.0, 0.0, (origin,), ())}

    def path(self, j: int) -> tuple:
        """(cost, co2, km, sites, modes) of the path to node j."""
        down = []
        while j not in self.known:
            down.append(j)
            j = int(self.pred[j])
        cost, co2, km, sites, legs = self.known[j]
        for v in reversed(down):
            c, e, k, hop, mode = self.edges[j, v]
            cost, co2, km = cost + c, co2 + e, km + k
            if hop is not None:
                hop = tuple(hop)
                sites, legs = (*sites, *hop), (*legs, *(mode,) * len(hop))
            self.known[v] = (cost, co2, km, sites, legs)
            j = v
        return self.known[j]


class _Towards:
    """One origin's paths into destinations whose shortest-path trees were grown backwards
    (on the reversed graph): each destination's tree gives every node its next hop there.

    Sums run from the origin outwards, edge by edge, as in `_Tree`.
    """

    def __init__(self, root: int, origin: str, succ: np.ndarray, row: dict, edges: dict) -> None:
        self.root, self.origin, self.succ, self.row, self.edges = root, origin, succ, row, edges

    def path(self, j: int) -> tuple:
        """(cost, co2, km, sites, modes) of the path to node j."""
        nxt = self.succ[self.row[j]]
        cost = co2 = km = 0.0
        sites, legs = [self.origin], []
        v = self.root
        while v != j:
            w = int(nxt[v])
            c, e, k, hop, mode = self.edges[v, w]
            cost, co2, km = cost + c, co2 + e, km + k
            if hop is not None:
                hop = tuple(hop)
                sites.extend(hop)
                legs.extend((mode,) * len(hop))
            v = w
        return cost, co2, km, tuple(sites), tuple(legs)


def _backward_stages(pairs: pd.DataFrame) -> set[str]:
    """Stages with fewer destinations than origins: their trees grow from the destinations
    (1,700 sources into 150 hubs: 150 trees instead of 1,700)."""
    counts = pairs.groupby("stage")[["origin", "destination"]].nunique()
    return set(counts.index[counts["destination"] < counts["origin"]])


def _graph_lanes(
    g: nx.DiGraph,
    pairs: pd.DataFrame,
    nearest_hubs: int | None = None,
    max_km: float | None = None,
    co2_price: float = 0.0,
) -> pd.DataFrame:
    """Shortest paths for `pairs` over `g`, all trees at once in scipy's Dijkstra.

    A stage with fewer destinations than origins grows one tree per destination on the
    reversed graph; the others one per origin, where paths share their prefixes, so sums and
    site lists are built once per tree node. With `nearest_hubs = k`, only the collection
    lanes that can be among an origin's k cheapest within `max_km` are traced (see
    `_nearest`); the caller still applies both filters, so the result equals tracing every
    pair.
    """
    nodes = list(g.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    backward = _backward_stages(pairs)
    by_origin: dict[str, list[tuple[str, str, int]]] = {}
    columns = (pairs[c].tolist() for c in ("stage", "origin", "destination"))
    for stage, o, d in zip(*columns, strict=True):
        if (START, o) in index and (END, d) in index:
            by_origin.setdefault(o, []).append((stage, d, index[(END, d)]))
    if not by_origin:
        return pd.DataFrame(columns=LANE_COLUMNS)
    edges = {
        (index[u], index[v]): (e["cost"], e["co2"], e["km"], e.get("sites"), e.get("mode"))
        for u, v, e in g.edges(data=True)
    }
    matrix = nx.to_scipy_sparse_array(g, nodelist=nodes, weight="weight", format="csr")
    origins = sorted(by_origin)
    ahead = [o for o in origins if any(s not in backward for s, _, _ in by_origin[o])]
    behind = sorted({j for ends in by_origin.values() for s, _, j in ends if s in backward})
    src = {o: index[(START, o)] for o in origins}
    dist_f, pred_f = _trees(matrix, [src[o] for o in ahead])
    dist_b, succ_b = _trees(matrix.T.tocsr(), behind)
    row_f = {o: r for r, o in enumerate(ahead)}
    row_b = {j: r for r, j in enumerate(behind)}
    # a distance exceeds its lane's price by path_weight's 1e-9 per edge, plus rounding
    slack = 1e-9 * len(nodes)
    rows = []
    for o in origins:
        ends = by_origin[o]
        tree = _Tree(src[o], o, pred_f[row_f[o]], edges) if o in row_f else None
        towards = _Towards(src[o], o, succ_b, row_b, edges)
        # distances read a row (or column) at a time, not one numpy index per pair (faster)
        ahead_x = (
            dist_f[row_f[o], [j for _, _, j in ends]].tolist()
            if o in row_f
            else [np.inf] * len(ends)
        )
        behind_x = dist_b[:, src[o]].tolist()
        wanted = []
        for (stage, d, j), x in zip(ends, ahead_x, strict=True):
            back = stage in backward
            x = behind_x[row_b[j]] if back else x
            if x < np.inf:
                wanted.append((stage, d, j, x, towards if back else tree))
        if nearest_hubs is not None:
            keep = _nearest(wanted, nearest_hubs, max_km, co2_price, slack)
            wanted = [w for w in wanted if w[0] != "collection" or w[2] in keep]
        for stage, d, j, _, paths in wanted:
            cost, co2, km, sites, legs = paths.path(j)
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


def _trees(matrix: sp.csr_array, roots: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Distances and predecessors of the shortest-path trees from `roots` (none: empty)."""
    if not roots:
        return np.zeros((0, matrix.shape[0])), np.zeros((0, matrix.shape[0]), dtype=np.int32)
    return dijkstra(matrix, directed=True, indices=roots, return_predecessors=True)


def _nearest(
    wanted: list[tuple[str, str, int, float, _Tree | _Towards]],
    k: int,
    max_km: float | None,
    co2_price: float,
    slack: float,
) -> set[int]:
    """End nodes of the collection lanes that may be among one origin's k cheapest within
    `max_km`: a superset of them, so the caller's exact ranking picks the same lanes.

    Candidates go cheapest first by Dijkstra distance (ties by destination) until k lanes
    within `max_km` are known and the next candidate costs more than the k-th cheapest of
    them even after taking off `slack` and a relative 1e-9 for rounding: no later lane can
    then rank among the first k.
    """
    candidates = sorted(
        (dj, pos, j, paths)
        for pos, (stage, _, j, dj, paths) in enumerate(wanted)
        if stage == "collection"
    )
    keep: set[int] = set()
    prices: list[float] = []
    if k < 1:
        return keep
    for dj, _, j, paths in candidates:
        if len(prices) >= k and dj - slack - 1e-9 * abs(dj) > prices[k - 1]:
            break
        cost, co2, km, _, _ = paths.path(j)
        if max_km is None or km <= max_km:
            keep.add(j)
            bisect.insort(prices, cost + co2_price * co2 / 1000.0)
    return keep


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


def build_lanes(instance: Instance, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every lane the model may use, one row each, sorted by stage, origin, destination.

    Explicit rates in lanes.csv replace computed paths for the pairs they list. Collection
    lanes longer than `max_collection_km` are dropped, and with `nearest_hubs = k` a source
    keeps only its k cheapest hubs. `pairs`: `candidate_pairs(instance)`, if already known.
    """
    pairs = candidate_pairs(instance) if pairs is None else pairs
    col = instance.collection
    if col.max_collection_km is not None:
        # a lane is never shorter than the great circle: drop hopeless pairs before routing
        xy = instance.sites.set_index("id")[["lat", "lon"]]
        a, b = xy.loc[pairs["origin"]].to_numpy(), xy.loc[pairs["destination"]].to_numpy()
        gc = great_circle_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
        far = (pairs["stage"] == "collection").to_numpy() & (gc > col.max_collection_km)
        pairs = pairs[~far].reset_index(drop=True)
    explicit = set(
        zip(instance.lanes["origin"].tolist(), instance.lanes["destination"].tolist(), strict=True)
    )
    ends = zip(pairs["origin"].tolist(), pairs["destination"].tolist(), strict=True)
    is_explicit = [(o, d) in explicit for o, d in ends] if explicit else [False] * len(pairs)
    g = build_graph(instance)
    path_weight(g, instance.policy.co2_price_jpy_per_t)
    graph_part = _graph_lanes(
        g,
        pairs[~np.array(is_explicit, dtype=bool)],
        nearest_hubs=col.nearest_hubs,
        max_km=col.max_collection_km,
        co2_price=instance.policy.co2_price_jpy_per_t,
    )
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


def check_reachability(instance: Instance, pairs: pd.DataFrame | None = None) -> list[Issue]:
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
    pairs = candidate_pairs(instance) if pairs is None else pairs
    joined = pairs[pairs["origin"].map(component) == pairs["destination"].map(component)]
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
