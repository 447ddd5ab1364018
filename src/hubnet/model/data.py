"""Sparse index sets and coefficients for the model, computed with pandas (no Pyomo here).

Everything the constraint builders need is decided here, so that a test can check, say,
which lanes a source may use without building or solving a model.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hubnet.instance import Instance
from hubnet.model.payables import (
    HubFlows,
    ImportedSets,
    best_terms,
    imported_sets,
    payable_values,
)

Key = tuple[str, str]


@dataclass
class ModelData:
    """Index sets (lists of ids or tuples, sorted) and coefficient dicts keyed by them."""

    commodities: list[str]
    elements: list[str]
    hubs: list[str]
    smelters: list[str]
    #: (lane, commodity) pairs that get a flow variable
    flow_index: list[Key]
    #: (source, commodity) with generation > 0
    supply_index: list[Key]
    generation: dict[Key, float]
    #: (source, commodity) -> what hubs can collect at most: collectable share x generation
    reachable: dict[Key, float]
    #: (facility, level)
    level_index: list[Key]
    level_capacity: dict[Key, float]
    level_fixed_cost: dict[Key, float]
    level_min_throughput: dict[Key, float]
    existing_capacity: dict[str, float]
    must_open: list[str]
    lane_stage: dict[str, str]
    lane_origin: dict[str, str]
    lane_destination: dict[str, str]
    lane_cost: dict[str, float]
    lane_co2_t: dict[str, float]
    #: collection lanes: 1 / attainable share of generation
    inverse_reach: dict[str, float]
    #: per (lane, commodity): cost per tonne that is not transport
    processing_cost: dict[Key, float]
    import_price: dict[Key, float]
    export_price: dict[Key, float]
    metal_value: dict[Key, float]
    #: (lane, commodity) -> {element: tonnes recovered per tonne delivered}
    recovered_t_per_t: dict[Key, dict[str, float]]
    #: groups of flow keys
    collected: dict[Key, list[Key]]  # (source, k) -> collection flows
    into: dict[str, list[Key]]  # facility/market -> flows in
    hub_in: dict[Key, list[Key]]  # (hub, k) -> flows in
    hub_out: dict[Key, list[Key]]  # (hub, k) -> flows out
    hub_balance_index: list[Key]
    offered: dict[Key, list[Key]]  # (origin, k) -> import flows
    available: dict[Key, float]
    market_limit: dict[Key, float]
    market_in: dict[Key, list[Key]]
    permit_regions: dict[str, list[Key]]
    permits: dict[str, float]
    #: lanes into a hub that must open a level to receive: lane -> (hub, bound on tonnes)
    linked_lanes: dict[str, tuple[str, float]]
    lane_flows: dict[str, list[Key]]
    #: export-leakage caps
    commodity_cap: dict[str, float]
    commodity_generation: dict[str, float]
    exported: dict[str, list[Key]]  # commodity -> export flows
    raw_per_t: dict[Key, float]  # export flow -> raw-equivalent tonnes per tonne
    content_t_per_t: dict[Key, float]  # (commodity, element) -> tonnes per tonne as collected
    element_cap: dict[str, float]
    element_target_t: dict[str, float]
    #: element -> tonnes recovered in Japan that its supply-share target asks for (10h)
    element_supply_t: dict[str, float]
    port_lanes: dict[str, list[str]]
    port_capacity: dict[str, float]
    hub_cover_t: float
    co2_price: float
    co2_cap: float | None
    capital_budget: float | None
    single_sourcing: bool
    hub_yield: dict[str, float] = field(default_factory=dict)
    leakage_penalty: dict[str, float] = field(default_factory=dict)
    whole_source: bool = False
    collection_lanes: dict[Key, str] = field(default_factory=dict)  # (source, hub) -> lane
    #: single sourcing: collection lane -> most tonnes it can carry (what the source can send,
    #: and at most the hub's largest capacity); collection flows of grades that may not leak
    #: (`max_leakage_share` 0), which go whole to the hub the source is assigned to
    assign_bound: dict[str, float] = field(default_factory=dict)
    whole_flows: list[Key] = field(default_factory=list)
    #: import-origin tonnes out of the hubs: imported[a, k, p], rows (4i), (4j), terms prices
    imported: ImportedSets = field(default_factory=ImportedSets)
    #: (smelter, k) -> what the smelter pays per raw tonne at its terms (terms.csv)
    payable_value: dict[Key, float] = field(default_factory=dict)
    #: informal channels (8d): commodity -> most tonnes it takes (at most what is generated),
    #: and the price per tonne the formal system pays to win one back (price - incentive, >= 0)
    informal_capacity: dict[str, float] = field(default_factory=dict)
    informal_match_price: dict[str, float] = field(default_factory=dict)

    @property
    def n_flows(self) -> int:
        return len(self.flow_index)


def _rows(df: pd.DataFrame) -> zip:
    """A table's rows as plain Python tuples (iterating pandas' string arrays one value at a
    time costs a microsecond each: 0.8 s per build at municipality scale)."""
    return zip(*(df[c].tolist() for c in df.columns), strict=True)


def _mapping(column: pd.Series) -> dict:
    """index -> value as plain Python objects (see `_rows`)."""
    return dict(zip(column.index.tolist(), column.tolist(), strict=True))


@dataclass(frozen=True, slots=True)
class _Inputs:
    """The instance's look-ups that several steps read."""

    instance: Instance
    com: pd.DataFrame  # commodities by id
    yield_share: dict[str, float]
    accepts: set[Key]  # (facility, commodity)
    fac: pd.DataFrame  # facilities by site
    supply: pd.DataFrame  # rows with generation > 0
    gen: dict[Key, float]
    imports: pd.DataFrame  # rows with availability > 0
    avail: dict[Key, float]
    #: (origin, k) -> price at the origin, for offers with a price
    price_in: dict[Key, float]
    #: (origin, k) offers without a price: bought at the terms of the smelter reached
    on_terms: set[Key]
    market: dict[Key, tuple[float, float]]  # (market, k) -> (limit, price)


@dataclass(frozen=True, slots=True)
class _Flows:
    """The (lane, commodity) pairs that get a flow variable, and their lanes' look-ups."""

    index: list[Key]
    stage: dict[str, str]
    origin: dict[str, str]
    dest: dict[str, str]
    #: lanes with at least one flow, sorted, and the lanes table by lane for them
    used: list[str]
    table: pd.DataFrame


def _reachable(inp: _Inputs) -> dict[Key, float]:
    """(source, k) -> collectable share x generation (one look-up per grade, not per row)."""
    share = _mapping(inp.com["collectable_share"].astype(float))
    return {(s, k): share[k] * g for (s, k), g in inp.gen.items()}


def _inputs(instance: Instance) -> _Inputs:
    """The instance's tables indexed, and generation, offers and markets as plain dicts."""
    acc = instance.accepts()
    supply = instance.supply[instance.supply["generation_t_per_yr"] > 0]
    imports = instance.imports[instance.imports["available_t_per_yr"] > 0]
    com = instance.commodities.set_index("id")
    return _Inputs(
        instance=instance,
        com=com,
        yield_share=com["hub_yield_share"].to_dict(),
        accepts=set(zip(acc["facility"], acc["commodity"], strict=True)),
        fac=instance.facilities.set_index("site"),
        supply=supply,
        gen={(s, k): float(t) for s, k, t in _rows(supply)},
        imports=imports,
        avail={(f, k): float(t) for f, k, t, _ in _rows(imports)},
        price_in={(f, k): float(p) for f, k, _, p in _rows(imports) if not np.isnan(p)},
        on_terms={(f, k) for f, k, _, p in _rows(imports) if np.isnan(p)},
        market={
            (m, k): (float(t), float(p)) for m, k, t, p in instance.exports.itertuples(index=False)
        },
    )


def _flows(inp: _Inputs, lanes: pd.DataFrame) -> _Flows:
    """A flow for each commodity a lane's ends both take (and its origin has on offer)."""
    src_k = inp.supply.groupby("site")["commodity"].apply(list).to_dict()
    org_k = inp.imports.groupby("site")["commodity"].apply(list).to_dict()
    mkt_k = inp.instance.exports.groupby("site")["commodity"].apply(list).to_dict()
    accepts, yield_share = inp.accepts, inp.yield_share
    flow_index: list[Key] = []
    for lane, stage, o, d in _rows(lanes[["lane", "stage", "origin", "destination"]]):
        if stage == "collection":
            ks = [k for k in src_k.get(o, []) if (d, k) in accepts]
        elif stage == "import":
            ks = [k for k in org_k.get(o, []) if (d, k) in accepts]
        elif stage == "delivery":
            ks = [
                k
                for k in inp.com.index
                if yield_share[k] > 0 and (o, k) in accepts and (d, k) in accepts
            ]
        else:
            ks = [k for k in mkt_k.get(d, []) if yield_share[k] > 0 and (o, k) in accepts]
        flow_index.extend((lane, k) for k in ks)
    lane_df = lanes.set_index("lane")
    used = sorted({a for a, _ in flow_index})
    return _Flows(
        index=flow_index,
        stage=_mapping(lane_df["stage"]),
        origin=_mapping(lane_df["origin"]),
        dest=_mapping(lane_df["destination"]),
        used=used,
        table=lane_df.loc[used],
    )


def _largest_level(level_capacity: dict[Key, float]) -> dict[str, float]:
    """Each facility's largest level (0 for one without levels)."""
    largest: dict[str, float] = defaultdict(float)
    for (f, _), c in level_capacity.items():
        largest[f] = max(largest[f], c)
    return largest


def _levels(inp: _Inputs) -> dict:
    """Capacity levels of the facilities that are not closed, existing capacities, and the
    facilities that must open a level."""
    fac = inp.fac
    closed = set(fac.index[fac["status"] == "closed"])
    lev = inp.instance.capacity_levels
    lev = lev[~lev["facility"].isin(closed)]
    level_index = list(zip(lev["facility"], lev["level"], strict=True))
    cap = dict(zip(level_index, lev["capacity_t_per_yr"].astype(float), strict=True))
    existing = {
        f: 0.0 if f in closed else float(c) for f, c in fac["existing_capacity_t_per_yr"].items()
    }
    max_level = _largest_level(cap)
    return {
        "level_index": level_index,
        "level_capacity": cap,
        "level_fixed_cost": dict(
            zip(level_index, lev["fixed_cost_jpy_per_yr"].astype(float), strict=True)
        ),
        "level_min_throughput": dict(
            zip(level_index, lev["min_throughput_t_per_yr"].astype(float), strict=True)
        ),
        "existing_capacity": existing,
        "must_open": sorted(
            f for f in fac.index[fac["status"] == "open"] if existing[f] <= 0 and max_level[f] > 0
        ),
    }


def _lanes(inp: _Inputs, fl: _Flows) -> dict:
    """Each used lane's ends, stage, cost, CO2 and (collection) inverse reach."""
    lane_df, used = fl.table, fl.used
    reach = inp.instance.collection.reach
    return {
        "lane_stage": {a: fl.stage[a] for a in used},
        "lane_origin": {a: fl.origin[a] for a in used},
        "lane_destination": {a: fl.dest[a] for a in used},
        "lane_cost": _mapping(lane_df["cost_jpy_per_t"].astype(float)),
        "lane_co2_t": _mapping(lane_df["co2_kg_per_t"].astype(float) / 1000.0),
        "inverse_reach": {
            a: 1.0 / reach(float(km))
            for a, s, km in zip(
                lane_df.index.tolist(),
                lane_df["stage"].tolist(),
                lane_df["distance_km"].tolist(),
                strict=True,
            )
            if s == "collection"
        },
        "collection_lanes": {
            (fl.origin[a], fl.dest[a]): a for a in used if fl.stage[a] == "collection"
        },
    }


def _flow_coefficients(inp: _Inputs, fl: _Flows) -> dict:
    """Per flow: processing cost, prices, metal recovered and its value, raw tonnes exported."""
    instance, yield_share = inp.instance, inp.yield_share
    proc = inp.fac["processing_cost_jpy_per_t"].to_dict()
    contents = instance.contents[instance.contents["content_g_per_t"] > 0]
    content_t = {
        (k, e): float(g) / 1e6
        for k, e, g in contents[["commodity", "element", "content_g_per_t"]].itertuples(index=False)
    }
    by_k: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (k, e), t in content_t.items():
        by_k[k].append((e, t))
    rec = {(f, e): float(r) for f, e, r in instance.recovery.itertuples(index=False)}
    price_kg = instance.elements.set_index("id")["price_jpy_per_kg"].astype(float).to_dict()
    processing: dict[Key, float] = {}
    metal_value: dict[Key, float] = {}
    recovered: dict[Key, dict[str, float]] = {}
    raw_per_t: dict[Key, float] = {}
    for a, k in fl.index:
        d, st = fl.dest[a], fl.stage[a]
        processing[a, k] = float(proc.get(d, 0.0))
        if st == "delivery":
            per_t = {e: t / yield_share[k] * rec[d, e] for e, t in by_k.get(k, []) if (d, e) in rec}
            per_t = {e: v for e, v in per_t.items() if v > 0}
            recovered[a, k] = per_t
            metal_value[a, k] = sum(v * 1000.0 * price_kg[e] for e, v in per_t.items())
        elif st == "export":
            raw_per_t[a, k] = 1.0 / yield_share[k]
    return {
        "processing_cost": processing,
        "import_price": {
            (a, k): inp.price_in[fl.origin[a], k]
            for a, k in fl.index
            if fl.stage[a] == "import" and (fl.origin[a], k) in inp.price_in
        },
        "export_price": {
            (a, k): inp.market[fl.dest[a], k][1] for a, k in fl.index if fl.stage[a] == "export"
        },
        "metal_value": metal_value,
        "recovered_t_per_t": recovered,
        "raw_per_t": raw_per_t,
        "content_t_per_t": content_t,
    }


def _flow_groups(inp: _Inputs, fl: _Flows) -> dict:
    """The flows each balance, capacity, availability, market and permit row sums (one pass
    over the flows: at municipality scale there are 100,000)."""
    names = ("collected", "into", "hub_in", "hub_out", "offered", "market_in", "exported")
    g: dict[str, defaultdict] = {name: defaultdict(list) for name in (*names, "lane", "region")}
    region = inp.instance.sites.set_index("id")["region"].to_dict()
    for a, k in fl.index:
        st, o, d, f = fl.stage[a], fl.origin[a], fl.dest[a], (a, k)
        g["into"][d].append(f)
        g["lane"][a].append(f)
        if st == "collection":
            g["collected"][o, k].append(f)
            g["hub_in"][d, k].append(f)
        elif st == "import":
            g["hub_in"][d, k].append(f)
            g["offered"][o, k].append(f)
            g["region"][region[o]].append(f)
        elif st == "delivery":
            g["hub_out"][o, k].append(f)
        elif st == "export":
            g["hub_out"][o, k].append(f)
            g["market_in"][d, k].append(f)
            g["exported"][k].append(f)
    permits = {r: float(v) for r, v in inp.instance.policy.import_permits_t_per_yr.items()}
    return {
        **{name: dict(g[name]) for name in names},
        "lane_flows": dict(g["lane"]),
        "hub_balance_index": sorted(set(g["hub_in"]) | set(g["hub_out"])),
        "permit_regions": {r: v for r, v in g["region"].items() if r in permits},
        "permits": permits,
    }


def _trade_limits(inp: _Inputs) -> dict:
    """What each origin offers (6) and each market buys (8c) per commodity."""
    return {
        "available": inp.avail,
        "market_limit": {key: v[0] for key, v in inp.market.items()},
    }


def _caps_and_targets(inp: _Inputs) -> dict:
    """Export-leakage caps per commodity (8a) and element (8b), recovery targets (10b), and
    the tonnes the caps force into the hubs."""
    com_gen: dict[str, float] = defaultdict(float)
    for (_, k), t in inp.gen.items():
        com_gen[k] += t
    com_cap = {
        k: float(v)
        for k, v in inp.com["max_leakage_share"].items()
        if not np.isnan(v) and com_gen.get(k, 0) > 0
    }
    el = inp.instance.elements.set_index("id")
    return {
        "commodity_cap": com_cap,
        "commodity_generation": dict(com_gen),
        "element_cap": {e: float(v) for e, v in el["max_leakage_share"].items() if not np.isnan(v)},
        "element_target_t": {
            e: float(v) for e, v in el["min_recovered_t_per_yr"].items() if not np.isnan(v)
        },
        "element_supply_t": {
            e: float(share * demand)
            for e, share, demand in zip(
                el.index, el["min_supply_share"], el["demand_t_per_yr"], strict=True
            )
            if not (np.isnan(share) or np.isnan(demand))
        },
        # valid inequality: hubs must be able to take at least what the leakage caps force in
        "hub_cover_t": sum((1 - com_cap[k]) * com_gen[k] for k in com_cap),
    }


def _informal(inp: _Inputs) -> dict:
    """Informal channels (8d): a channel takes no more of a grade than Japan generates."""
    generated: dict[str, float] = defaultdict(float)
    for (_, k), t in inp.gen.items():
        generated[k] += t
    com = inp.com.dropna(subset=["informal_price_jpy_per_t", "informal_capacity_t_per_yr"])
    incentive = float(inp.instance.policy.collection_incentive_jpy_per_t)
    capacity = {
        k: min(float(q), generated.get(k, 0.0))
        for k, q in com["informal_capacity_t_per_yr"].items()
    }
    capacity = {k: q for k, q in capacity.items() if q > 0}
    return {
        "informal_capacity": capacity,
        "informal_match_price": {
            k: max(0.0, float(com.at[k, "informal_price_jpy_per_t"]) - incentive) for k in capacity
        },
    }


def _ports(instance: Instance, fl: _Flows) -> dict:
    """Port capacities, and the ports each lane passes through (its path without the ends)."""
    port_cap = {
        s: float(c)
        for s, c in zip(instance.sites["id"], instance.sites["port_capacity_t_per_yr"], strict=True)
        if not np.isnan(c)
    }
    port_lanes: dict[str, list[str]] = defaultdict(list)
    if port_cap:
        for a, path in _mapping(fl.table["path"]).items():
            for s in set(path.split(";")) & port_cap.keys():
                port_lanes[s].append(a)
    return {"port_lanes": dict(port_lanes), "port_capacity": port_cap}


def _sets_and_policy(inp: _Inputs) -> dict:
    """The ids the model is indexed by, and the policy and collection settings."""
    fac, pol = inp.fac, inp.instance.policy
    return {
        "commodities": list(inp.com.index),
        "elements": list(inp.instance.elements["id"]),
        "hubs": sorted(fac.index[fac["role"] == "hub"]),
        "smelters": sorted(fac.index[fac["role"] == "smelter"]),
        "supply_index": sorted(inp.gen),
        "generation": inp.gen,
        "reachable": _reachable(inp),
        "co2_price": float(pol.co2_price_jpy_per_t),
        "co2_cap": pol.co2_cap_t_per_yr,
        "capital_budget": pol.capital_budget_jpy_per_yr,
        "single_sourcing": bool(pol.single_sourcing),
        "hub_yield": {k: float(v) for k, v in inp.yield_share.items()},
        "leakage_penalty": inp.com["leakage_penalty_jpy_per_t"].astype(float).to_dict(),
        "whole_source": bool(inp.instance.collection.whole_source),
    }


def _linked_lanes(data: ModelData, cap_links: bool) -> dict[str, tuple[str, float]]:
    """Per lane into a hub without existing capacity: what could possibly travel it (its
    origin's reach or offer) and, with `cap_links`, at most the hub's largest level."""
    max_level = _largest_level(data.level_capacity)
    linked: dict[str, tuple[str, float]] = {}
    for a, stage in data.lane_stage.items():
        h, o = data.lane_destination[a], data.lane_origin[a]
        if stage not in ("collection", "import") or data.existing_capacity[h] > 0:
            continue
        ks = [k for b, k in data.lane_flows[a]]
        if stage == "collection":
            supply_bound = sum(data.reachable[o, k] / data.inverse_reach[a] for k in ks)
        else:
            supply_bound = sum(data.available[o, k] for k in ks)
        linked[a] = (h, min(supply_bound, max_level[h]) if cap_links else supply_bound)
    return linked


def build_data(instance: Instance, lanes: pd.DataFrame, cap_links: bool = True) -> ModelData:
    """Turn an instance and its lanes into the index sets and coefficients of the model.

    `cap_links` bounds each linking row by the hub's largest level as well as by what the
    lane can carry (tighter); diagnosis turns it off so that a hub's capacity shows up as
    its own rule rather than hidden in the linking rows.
    """
    inp = _inputs(instance)
    fl = _flows(inp, lanes)
    data = ModelData(
        flow_index=fl.index,
        linked_lanes={},
        **_sets_and_policy(inp),
        **_levels(inp),
        **_lanes(inp, fl),
        **_flow_coefficients(inp, fl),
        **_flow_groups(inp, fl),
        **_trade_limits(inp),
        **_caps_and_targets(inp),
        **_ports(instance, fl),
        **_informal(inp),
    )
    data.linked_lanes.update(_linked_lanes(data, cap_links))
    data.payable_value.update(payable_values(instance))
    hub_flows = HubFlows(data.hub_in, data.hub_out, fl.stage, fl.origin, fl.dest, data.hub_yield)
    best = best_terms(instance, data.payable_value)
    data.imported = imported_sets(hub_flows, inp.on_terms, data.payable_value, best)
    if data.single_sourcing:
        _single_sourcing(data, cap_links)
    return data


def _single_sourcing(data: ModelData, cap_links: bool) -> None:
    """The coefficients of single sourcing (10a) and the flows of (10g).

    A lane carries at most what its source can send (1/reach of its generation) and, with
    `cap_links`, at most the hub's existing capacity plus its largest level. A grade whose
    commodity may not leak at all (cap 0) must all be collected, so a source sends it whole
    to the one hub it is assigned to. A collection lane needs no linking row (9): its (10a)
    and (10f) imply it."""
    max_level = _largest_level(data.level_capacity)
    for (s, h), a in data.collection_lanes.items():
        data.linked_lanes.pop(a, None)
        ks = [k for _, k in data.lane_flows[a]]
        bound = sum(data.generation[s, k] for k in ks) / data.inverse_reach[a]
        if cap_links:
            bound = min(bound, data.existing_capacity[h] + max_level.get(h, 0.0))
        data.assign_bound[a] = bound
        data.whole_flows.extend((a, k) for k in ks if data.commodity_cap.get(k) == 0.0)
