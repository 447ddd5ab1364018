"""Trips of a banded mode: one graph edge per continuous run, so a run pays one fare.

A truck pays one fare for a run of consecutive road links, so the links of a mode with distance
bands are not graph edges. Instead one "trip" edge joins each place a run can start (a lane's
origin, a hub, a terminal where the path changes mode) to each place it can end, over the
shortest distance by that mode between them; the edge keeps the sites it passes for the maps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from hubnet.instance import Instance


@dataclass(frozen=True)
class TripEnds:
    """Where trips of a banded mode may start and end.

    `short`: starts that only begin collection lanes; their trips are kept up to `max_km` (a
    longer one would make the lane longer than max_collection_km).
    """

    starts: frozenset[str]
    ends: frozenset[str]
    short: frozenset[str]
    max_km: float | None


class Trip(NamedTuple):
    """One trip: start, end, its distance (km) and the sites it passes after the start."""

    start: str
    end: str
    km: float
    route: Route


class Route:
    """The sites of one trip, read on demand from its start's shortest-path tree (a lane's
    path lists them; most trips are never on one)."""

    __slots__ = ("names", "pred", "to")

    def __init__(self, names: np.ndarray, pred: np.ndarray, to: int) -> None:
        self.names, self.pred, self.to = names, pred, to

    def __iter__(self):  # noqa: ANN204 - iterator of site ids
        out = []
        j = self.to
        while j >= 0:
            out.append(self.names[j])
            j = int(self.pred[j])
        return iter(reversed(out[:-1]))  # without the start


def trip_ends(instance: Instance, terminals: set[str]) -> TripEnds:
    """Lane origins and terminals start trips; lane destinations and terminals end them."""
    sources = set(instance.supply["site"])
    others = set(instance.imports["site"]) | set(instance.facilities["site"]) | terminals
    ends = set(instance.facilities["site"]) | set(instance.exports["site"]) | terminals
    max_km = instance.collection.max_collection_km
    short = sources - others if max_km is not None else set()
    return TripEnds(frozenset(sources | others), frozenset(ends), frozenset(short), max_km)


def mode_trips(links: pd.DataFrame, ends: TripEnds, endpoint: set[str]) -> list[Trip]:
    """Every trip over `links` (one mode's links with their `km`) from a start to an end.

    A foreign endpoint site (origin, market) is never passed through: it gets a departure and
    an arrival node, as in the transport graph.
    """
    if links.empty:
        return []
    names: list[str] = []
    index: dict[tuple[str, bool], int] = {}

    def node(site: str, arriving: bool) -> int:
        key = (site, arriving and site in endpoint)
        if key not in index:
            index[key] = len(names)
            names.append(site)
        return index[key]

    frm, to = links["from"].tolist(), links["to"].tolist()
    rows = [node(a, False) for a in frm] + [node(b, False) for b in to]
    cols = [node(b, True) for b in to] + [node(a, True) for a in frm]
    km = np.concatenate([links["km"].to_numpy(float)] * 2)
    # parallel links: the shortest (csr would sum duplicates, so reduce first)
    best = pd.DataFrame({"r": rows, "c": cols, "km": km}).groupby(["r", "c"])["km"].min()
    n = len(names)
    r, c = best.index.get_level_values(0), best.index.get_level_values(1)
    # a zero-km link must stay an edge; 1e-300 vanishes when added to any real distance
    weight = np.maximum(best.to_numpy(), 1e-300)
    matrix = sp.csr_array((weight, (r, c)), shape=(n, n))
    site_names = np.asarray(names, dtype=object)
    trips: list[Trip] = []
    for limit, group in ((ends.max_km, ends.short), (None, ends.starts - ends.short)):
        starts = sorted(s for s in group if (s, False) in index)
        if not starts:
            continue
        roots = [index[s, False] for s in starts]
        dist, pred = dijkstra(
            matrix,
            directed=True,
            indices=roots,
            return_predecessors=True,
            limit=np.inf if limit is None else limit + 1e-6,
        )
        targets = np.array(
            sorted(e for e in ends.ends if (e, e in endpoint) in index), dtype=object
        )
        cols_t = np.array([index[e, e in endpoint] for e in targets], dtype=int)
        if not len(cols_t):
            continue
        reach = np.isfinite(dist[:, cols_t]) & (np.array(starts, dtype=object)[:, None] != targets)
        for i, k in zip(*np.nonzero(reach), strict=True):
            # Dijkstra adds the links from the start outwards, as a walk along it would
            j = int(cols_t[k])
            trips.append(
                Trip(starts[i], targets[k], float(dist[i, j]), Route(site_names, pred[i], j))
            )
    return trips
