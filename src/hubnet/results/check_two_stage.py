"""Independent check of a two-stage run's folder, from its files alone: every future's
folder passes the checker with the levels of plan.csv (15a), and the weighted costs and the
values of information in summary.json and futures.csv add up from the futures' own costs."""

from __future__ import annotations

import math

import pandas as pd

from hubnet.results.check_context import Violation

FAMILY = "two_stage"
#: relative tolerance of a recomputed cost
TOL = 1e-6


def _differs(a: float | None, b: float | None, scale: float = 1.0) -> bool:
    """Whether two costs differ by more than TOL of the larger (or of `scale`: a difference
    of two costs is compared at the costs' size, as futures.csv rounds them)."""
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        return (a is None) != (b is None)
    return abs(a - b) > TOL * max(1.0, abs(a), abs(b), abs(scale))


def check_two_stage(
    summary: dict, futures: pd.DataFrame, costs: dict[str, float]
) -> list[Violation]:
    """`costs`: each future's cost as its own (checked) folder states it."""
    out = []
    names = [f["name"] for f in summary["futures"]]
    weights = dict(zip(futures["future"], futures["weight"], strict=True))
    if sorted(weights) != sorted(names):
        out.append(Violation(FAMILY, "futures.csv", f"futures {sorted(weights)}, not {names}"))
        return out
    if abs(sum(weights.values()) - 1.0) > TOL:
        out.append(Violation(FAMILY, "weight", f"weights sum to {sum(weights.values())}, not 1"))
    for row in futures.itertuples(index=False):
        if _differs(row.stochastic_cost_jpy, costs.get(row.future)):
            text = f"futures.csv {row.stochastic_cost_jpy}, its folder {costs.get(row.future)}"
            out.append(Violation(FAMILY, row.future, text))
    expected = sum(weights[n] * costs[n] for n in names if n in costs)
    if _differs(summary["stochastic_cost_jpy"], expected):
        text = f"written {summary['stochastic_cost_jpy']:,.0f}, recomputed {expected:,.0f}"
        out.append(Violation(FAMILY, "stochastic_cost_jpy", text))
    out += _values_of_information(summary, futures, weights)
    return out


def _weighted(futures: pd.DataFrame, weights: dict, column: str) -> float | None:
    values = dict(zip(futures["future"], futures[column], strict=True))
    if any(v is None or math.isnan(v) for v in values.values()):
        return None
    return sum(weights[n] * v for n, v in values.items())


def _values_of_information(summary: dict, futures: pd.DataFrame, weights: dict) -> list:
    out = []
    rp, rp_bound = summary["stochastic_cost_jpy"], summary["stochastic_bound_jpy"]
    ws = _weighted(futures, weights, "own_cost_jpy")
    ws_bound = _weighted(futures, weights, "own_bound_jpy")
    eev = _weighted(futures, weights, "average_plan_cost_jpy")
    want = {
        "wait_and_see_cost_jpy": ws,
        "wait_and_see_bound_jpy": ws_bound,
        "average_plan_cost_jpy": eev,
        "evpi_jpy": None if ws is None else rp - ws,
        "vss_jpy": None if eev is None else eev - rp,
    }
    ranges = {
        "evpi_range_jpy": _between(rp_bound, ws, rp, ws_bound),
        "vss_range_jpy": _between(eev, rp, eev, rp_bound),
    }
    for key, value in want.items():
        if _differs(summary.get(key), value, rp):
            out.append(Violation(FAMILY, key, f"written {summary.get(key)}, recomputed {value}"))
    for key, pair in ranges.items():
        got = summary.get(key) or [None, None]
        if any(_differs(a, b, rp) for a, b in zip(got, pair, strict=True)):
            out.append(Violation(FAMILY, key, f"written {summary.get(key)}, recomputed {pair}"))
    return out


def _between(a: float | None, b: float | None, c: float | None, d: float | None) -> list:
    """[max(0, a - b), max(0, c - d)]; [None, None] where a term is unknown."""
    if None in (a, b, c, d):
        return [None, None]
    return [max(0.0, a - b), max(0.0, c - d)]


__all__ = ["FAMILY", "check_two_stage"]
