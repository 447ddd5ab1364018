"""What the checker recomputes once from the instance and the result tables, for every rule.

Each lane's cost, km and CO2 per tonne re-derived along its written path from links.csv,
modes.csv and freight_bands.csv, and the sums the rules read (intake, collection, leakage,
recovery, fixed cost).
Like the checker, it shares no code with `model/` and never imports Pyomo.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pandas as pd

from hubnet.instance import Instance
from hubnet.network.graph import great_circle_km


@dataclass(frozen=True, slots=True)
class Violation:
    family: str
    ids: str
    message: str

    def __str__(self) -> str:
        return f"{self.family} [{self.ids}]: {self.message}"


class LaneCoster:
    """Cost, km and CO2 per tonne of a written path, re-derived from links.csv, modes.csv and
    freight_bands.csv."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        modes = instance.modes.set_index("mode")
        self.rate = {
            name: {c: float(modes.at[name, c]) for c in modes.columns} for name in modes.index
        }
        self.xy = {
            i: (float(la), float(lo))
            for i, la, lo in instance.sites[["id", "lat", "lon"]].itertuples(index=False)
        }
        self.bands: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for mode, up_to, fare, load in instance.freight_bands[
            ["mode", "up_to_km", "fare_jpy_per_trip", "load_t_per_trip"]
        ].itertuples(index=False):
            self.bands[mode].append((float(up_to), float(fare) / float(load)))
        for table in self.bands.values():
            table.sort()
        # (a, b, mode) -> km of the shortest link (also the cheapest: cost never falls with km)
        self.km: dict[tuple[str, str, str], float] = {}
        for a, b, mode, km in instance.links[["from", "to", "mode", "distance_km"]].itertuples(
            index=False
        ):
            if math.isnan(km):
                km = self._great_circle(a, b) * self.rate[mode]["circuity"]
            for key in ((a, b, mode), (b, a, mode)):
                self.km[key] = min(self.km.get(key, math.inf), float(km))
        self.explicit = {
            (o, d): (c, km, co2)
            for o, d, c, km, co2 in instance.lanes[
                ["origin", "destination", "cost_jpy_per_t", "distance_km", "co2_kg_per_t"]
            ].itertuples(index=False)
        }

    def _line_haul(self, mode: str, km: float) -> float:
        """Per tonne: the first band reaching km (fare / load), past the last band its cost plus
        the per-km rate for the rest; per tonne-km for a mode without bands."""
        per_km = self.rate[mode]["cost_jpy_per_t_km"]
        bands = self.bands.get(mode)
        if not bands:
            return km * per_km
        for up_to, per_t in bands:
            if km <= up_to:
                return per_t
        up_to, per_t = bands[-1]
        return per_t + (km - up_to) * per_km

    def _great_circle(self, a: str, b: str) -> float:
        (la, oa), (lb, ob) = self.xy[a], self.xy[b]
        return float(great_circle_km(la, oa, lb, ob))

    def __call__(self, path: str, path_modes: str) -> tuple[float, float, float]:
        sites = path.split(";")
        if path_modes == "explicit":
            o, d = sites[0], sites[-1]
            if (o, d) not in self.explicit:
                raise KeyError(f"no explicit lane {o} -> {d} in lanes.csv")
            cost, km, co2 = self.explicit[o, d]
            km = self._great_circle(o, d) if math.isnan(km) else km
            return float(cost), float(km), float(co2)
        legs = path_modes.split(";")
        if len(legs) != len(sites) - 1:
            raise KeyError(f"path {path!r} has {len(sites)} sites but {len(legs)} legs")
        rate = self.rate
        cost = km_total = co2 = run = 0.0
        for i, mode in enumerate(legs):
            a, b = sites[i], sites[i + 1]
            if (a, b, mode) not in self.km:
                raise KeyError(f"no {mode} link between {a} and {b} in links.csv")
            km = self.km[a, b, mode]
            co2 += km * rate[mode]["co2_kg_per_t_km"]
            km_total += km
            # a run of one banded mode is one trip: its fare is paid on its last link
            run = run + km if mode in self.bands else 0.0
            if mode not in self.bands:
                cost += self._line_haul(mode, km)
            elif i + 1 == len(legs) or legs[i + 1] != mode:
                cost += self._line_haul(mode, run)
                run = 0.0
            # handling: loading at the start, at each change of mode (both modes), unloading
            if i == 0 or legs[i - 1] != mode:
                cost += rate[mode]["handling_jpy_per_t"]
                if i > 0:
                    cost += rate[legs[i - 1]]["handling_jpy_per_t"]
        cost += rate[legs[-1]]["handling_jpy_per_t"] if legs else 0.0
        return cost, km_total, co2


@dataclass(frozen=True, slots=True)
class LaneCosts:
    """Cost, km and CO2 per tonne of each lane, as its written path costs them."""

    cost_t: dict[str, float]
    km: dict[str, float]
    co2: dict[str, float]
    #: lane -> why its path could not be costed (its written cost and km stand in)
    error: dict[str, str]


@dataclass(frozen=True, slots=True)
class Context:
    """The instance's tables and the solution's sums, computed once for every rule."""

    instance: Instance
    tables: dict[str, pd.DataFrame]
    objective: float | None
    #: flows.csv with each lane's re-derived km
    t: pd.DataFrame
    kind: dict[str, str]
    fac: pd.DataFrame  # facilities by site
    fac_out: pd.DataFrame  # facilities.csv by facility
    com: pd.DataFrame  # commodities by id
    yield_share: dict[str, float]
    accepts: set[tuple[str, str]]
    lanes: LaneCosts
    gen: pd.Series  # (source, commodity) -> generation
    coll: pd.DataFrame  # collection flows
    collected: pd.Series  # (source, commodity) -> tonnes collected
    inflow: pd.Series  # facility -> tonnes in
    levels: pd.DataFrame  # capacity levels by (facility, level)
    #: facility -> level written in facilities.csv ('' when none)
    chosen: dict[str, str]
    fixed_cost: float
    imp: pd.DataFrame  # import flows
    imported: pd.Series  # (origin, commodity) -> tonnes
    offer: pd.DataFrame  # imports by (site, commodity)
    exp: pd.DataFrame  # export flows
    sold: pd.Series  # (market, commodity) -> tonnes
    market: pd.DataFrame  # exports by (site, commodity)
    uncollected_k: pd.Series
    gen_k: pd.Series
    #: uncollected plus exported (raw-equivalent) tonnes per commodity, as (8a) counts them
    leaked_k: pd.Series
    content: pd.DataFrame  # commodity x element, g/t
    recovered: dict[str, float]  # element -> tonnes recovered
    co2_t: float


STAGE_KINDS = {
    "collection": ("source", "hub"),
    "import": ("origin", "hub"),
    "delivery": ("hub", "smelter"),
    "export": ("hub", "market"),
}


def stage_fits(r: Any, kind: dict[str, str]) -> bool:  # noqa: ANN401 - a flows.csv row
    """Whether a flow's stage joins the kinds of site it should (a collection, source to hub)."""
    want = STAGE_KINDS.get(r.stage)
    return want is not None and (kind.get(r.origin), kind.get(r.destination)) == want


def _cost_lanes(instance: Instance, flows: pd.DataFrame, kind: dict[str, str]) -> LaneCosts:
    """Each lane of a flow with legitimate ends, costed once from the instance."""
    lanes = LaneCosts({}, {}, {}, {})
    lane_cost = LaneCoster(instance)
    for r in flows.itertuples(index=False):
        if not stage_fits(r, kind) or r.lane in lanes.cost_t:
            continue
        try:
            cost, km, co2 = lane_cost(r.path, r.path_modes)
        except KeyError as exc:
            lanes.error[r.lane] = str(exc)
            cost, km, co2 = r.cost_jpy_per_t, r.distance_km, 0.0
        lanes.cost_t[r.lane], lanes.km[r.lane], lanes.co2[r.lane] = cost, km, co2
    return lanes


def _recovered(
    instance: Instance, t: pd.DataFrame, content: pd.DataFrame, yield_share: dict
) -> dict[str, float]:
    """Tonnes of each element recovered by the smelters the delivery flows reach."""
    recovery = instance.recovery.set_index(["facility", "element"])["recovery_share"].to_dict()
    grades = {k: [(e, float(g)) for e, g in row.items() if g > 0] for k, row in content.iterrows()}
    recovered: dict[str, float] = defaultdict(float)
    deliv = t[t["stage"] == "delivery"]
    for dest, k, x in deliv[["destination", "commodity", "tonnes_per_yr"]].itertuples(index=False):
        for e, g in grades.get(k, ()):
            share = float(recovery.get((dest, e), 0.0))
            if share > 0:
                recovered[e] += x * g / 1e6 / yield_share[k] * share
    return dict(recovered)


def _chosen_levels(
    fac: pd.DataFrame, fac_out: pd.DataFrame, levels: pd.DataFrame
) -> tuple[dict[str, str], float]:
    """Each facility's written level ('' when none) and the fixed cost of the known ones."""
    chosen = {f: str(fac_out.at[f, "level"]) if f in fac_out.index else "" for f in fac.index}
    fixed_cost = 0.0
    for f, lv in chosen.items():
        if lv and (f, lv) in levels.index:
            fixed_cost += float(levels.at[(f, lv), "fixed_cost_jpy_per_yr"])
    return chosen, fixed_cost


def build_context(
    instance: Instance, tables: dict[str, pd.DataFrame], objective: float | None
) -> Context:
    """The look-ups and sums every rule reads, from the instance and the result tables."""
    flows = tables["flows"]
    kind = instance.sites.set_index("id")["kind"].to_dict()
    fac = instance.facilities.set_index("site")
    fac_out = tables["facilities"].set_index("facility")
    com = instance.commodities.set_index("id")
    yield_share = com["hub_yield_share"].to_dict()
    acc = instance.accepts()
    lanes = _cost_lanes(instance, flows, kind)
    t = flows.assign(km=flows["lane"].map(lanes.km))
    gen = instance.supply.set_index(["site", "commodity"])["generation_t_per_yr"]
    coll = t[t["stage"] == "collection"]
    collected = coll.groupby(["origin", "commodity"])["tonnes_per_yr"].sum()
    levels = instance.capacity_levels.set_index(["facility", "level"])
    chosen, fixed_cost = _chosen_levels(fac, fac_out, levels)
    imp, exp = t[t["stage"] == "import"], t[t["stage"] == "export"]
    exported_raw = (
        (exp["tonnes_per_yr"] / exp["commodity"].map(yield_share)).groupby(exp["commodity"]).sum()
    )
    uncollected_k = (gen - collected.reindex(gen.index, fill_value=0.0)).groupby(level=1).sum()
    content = instance.contents.pivot_table(
        index="commodity", columns="element", values="content_g_per_t", aggfunc="sum"
    ).fillna(0.0)
    return Context(
        instance=instance,
        tables=tables,
        objective=objective,
        t=t,
        kind=kind,
        fac=fac,
        fac_out=fac_out,
        com=com,
        yield_share=yield_share,
        accepts=set(zip(acc["facility"], acc["commodity"], strict=True)),
        lanes=lanes,
        gen=gen,
        coll=coll,
        collected=collected,
        inflow=t.groupby("destination")["tonnes_per_yr"].sum(),
        levels=levels,
        chosen=chosen,
        fixed_cost=fixed_cost,
        imp=imp,
        imported=imp.groupby(["origin", "commodity"])["tonnes_per_yr"].sum(),
        offer=instance.imports.set_index(["site", "commodity"]),
        exp=exp,
        sold=exp.groupby(["destination", "commodity"])["tonnes_per_yr"].sum(),
        market=instance.exports.set_index(["site", "commodity"]),
        uncollected_k=uncollected_k,
        gen_k=gen.groupby(level=1).sum(),
        leaked_k=uncollected_k.add(exported_raw, fill_value=0.0),
        content=content,
        recovered=_recovered(instance, t, content, yield_share),
        co2_t=float((t["tonnes_per_yr"] * t["lane"].map(lanes.co2)).sum()) / 1000.0,
    )
