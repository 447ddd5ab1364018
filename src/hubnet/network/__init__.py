"""Transport network: the multimodal graph (`graph`) and least-cost lanes (`lanes`)."""

from hubnet.network.graph import build_graph
from hubnet.network.lanes import LANE_COLUMNS, build_lanes, check_reachability

__all__ = ["LANE_COLUMNS", "build_graph", "build_lanes", "check_reachability"]
