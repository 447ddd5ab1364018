"""Sea lanes for the maps: shortest paths on the MARNET network of the offline `searoute` package.

`searoute.searoute` runs one bidirectional Dijkstra in networkx per pair of points (about 20 ms
each: 2 s for the hundred sea legs of the default instance). The same network as a scipy sparse
matrix answers every destination of an origin with one Dijkstra (about 2 ms), so each distinct
origin node is searched once. Points snap to their nearest network node as in searoute, its
restricted passages (the Northwest Passage) are left out, and the coordinates go through
searoute's own normalisation of the line.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra


class SeaLanes:
    """Least-distance sea paths between points (lon, lat), one Dijkstra per origin node."""

    def __init__(self) -> None:
        import searoute  # imported late: loading the sea network takes a moment

        self._marnet = searoute.setup_M()
        self._nodes = list(self._marnet.nodes)
        index = {n: i for i, n in enumerate(self._nodes)}
        restricted = set(self._marnet.restrictions or ())
        rows, cols, km = [], [], []
        for u, v, d in self._marnet.edges(data=True):
            if d.get("passage") not in restricted:
                rows.append(index[u])
                cols.append(index[v])
                km.append(float(d["weight"]))
        n = len(self._nodes)
        self._graph = csr_matrix((km, (rows, cols)), shape=(n, n))
        self._directed = self._marnet.is_directed()
        self._index = index
        self._predecessors: dict[int, np.ndarray] = {}

    def _node(self, point: tuple[float, float]) -> int:
        return self._index[self._marnet.kdtree.query(point)]

    def path(self, a: tuple[float, float], b: tuple[float, float]) -> np.ndarray | None:
        """Coordinates (n x 2) of the sea path from the node nearest `a` to the one nearest
        `b`, or None when no path avoids the restricted passages."""
        from searoute.utils import process_route

        start, end = self._node(a), self._node(b)
        if start not in self._predecessors:
            _, pred = dijkstra(
                self._graph, directed=self._directed, indices=start, return_predecessors=True
            )
            self._predecessors[start] = pred
        pred = self._predecessors[start]
        nodes = [end]
        while nodes[-1] != start:
            step = int(pred[nodes[-1]])
            if step < 0:
                return None
            nodes.append(step)
        line, _ = process_route([self._nodes[i] for i in reversed(nodes)], self._marnet)
        coords = np.asarray(line, dtype=float)
        if len(coords) == 1:  # both ends snap to one node
            coords = np.vstack([coords, coords])
        return coords[:, :2]


@lru_cache(maxsize=1)
def sea_lanes() -> SeaLanes:
    """The process's one sea network (built once: about 0.2 s)."""
    return SeaLanes()
