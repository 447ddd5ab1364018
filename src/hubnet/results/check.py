"""Independent solution checker: the instance and the result tables, nothing of the model.

It re-derives every lane's cost from the instance's links and modes along the written path
(`check_context`), re-verifies every balance, capacity, availability, permit and leakage
limit, one function per rule family, and recomputes the objective. It shares no code with
`model/` and never imports Pyomo.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from hubnet.instance import Instance
from hubnet.results.check_context import (
    STAGE_KINDS,
    Context,
    Violation,
    build_context,
    stage_fits,
)
from hubnet.results.check_terms import (
    imported_balance,
    imported_within_flow,
    origin_split,
    terms_import_cost,
)

ABS_TOL = 1e-4  # tonnes
REL_TOL = 1e-6


def _exceeds(lhs: float, rhs: float) -> bool:
    return lhs > rhs + ABS_TOL + REL_TOL * max(abs(lhs), abs(rhs))


def _differs(a: float, b: float, rel: float = REL_TOL) -> bool:
    return abs(a - b) > ABS_TOL + rel * max(abs(a), abs(b))


def _negative_flows(c: Context) -> list[Violation]:
    if (c.t["tonnes_per_yr"] < -ABS_TOL).any():
        return [Violation("flow", "-", "negative tonnes in flows.csv")]
    return []


def _lanes(c: Context) -> list[Violation]:
    """Every flow on a lane with legitimate ends, at the cost its path has, between facilities
    that take its commodity, and no collection lane longer than max_collection_km."""
    v: list[Violation] = []
    max_km = c.instance.collection.max_collection_km
    reported: set[str] = set()
    for r in c.tables["flows"].itertuples(index=False):
        ids = f"{r.lane}, {r.commodity}"
        if not stage_fits(r, c.kind):
            want = STAGE_KINDS.get(r.stage)
            v.append(Violation("lanes", ids, f"stage {r.stage} does not join {want}"))
            continue
        path = r.path.split(";")
        if path[0] != r.origin or path[-1] != r.destination:
            v.append(Violation("lanes", ids, "path does not run from origin to destination"))
        if r.lane in c.lanes.error and r.lane not in reported:
            reported.add(r.lane)
            v.append(Violation("lanes", ids, c.lanes.error[r.lane]))
        cost = c.lanes.cost_t[r.lane]
        if _differs(cost, r.cost_jpy_per_t, 1e-6):
            v.append(
                Violation(
                    "lanes",
                    ids,
                    f"cost {r.cost_jpy_per_t:.6g}/t written, path costs {cost:.6g}/t",
                )
            )
        if r.destination in c.fac.index and (r.destination, r.commodity) not in c.accepts:
            v.append(Violation("accepts", ids, f"{r.destination} does not take {r.commodity}"))
        if r.stage in ("delivery", "export") and (r.origin, r.commodity) not in c.accepts:
            v.append(Violation("accepts", ids, f"{r.origin} does not take {r.commodity}"))
        if r.stage == "collection" and max_km is not None:
            if c.lanes.km[r.lane] > max_km + 1e-6:
                v.append(Violation("collection_reach", ids, "lane longer than max_collection_km"))
    return v


def _reach_and_uncollected(c: Context) -> list[Violation]:
    """(1) a source's collection within its reach (the grade's collectable share of its
    generation); (2) leakage.csv = generation - collected."""
    v: list[Violation] = []
    coll, reach = c.coll, c.instance.collection.reach
    collectable = _collectable(c)
    used = (
        (coll["tonnes_per_yr"] / coll["km"].map(reach))
        .groupby([coll["origin"], coll["commodity"]])
        .sum()
        .to_dict()
    )
    got = c.collected.to_dict()
    leakage = c.tables["leakage"].set_index(["source", "commodity"])
    leak = leakage["uncollected_t_per_yr"].to_dict()
    for key, g in c.gen.to_dict().items():
        most = collectable.get(key[1], 1.0) * g
        if _exceeds(float(used.get(key, 0.0)), most):
            v.append(
                Violation(
                    "collection_reach",
                    ", ".join(key),
                    f"uses {used[key]:.6g} t of {most:.6g} t reach",
                )
            )
        expect = g - float(got.get(key, 0.0))
        if _differs(float(leak.get(key, 0.0)), expect):
            v.append(
                Violation(
                    "uncollected_leakage",
                    ", ".join(key),
                    f"leakage.csv says {leak.get(key, 0.0):.6g} t, generation - collected = "
                    f"{expect:.6g} t",
                )
            )
    return v


def _collectable(c: Context) -> dict[str, float]:
    """commodity -> its collectable share (1 where the instance gives none)."""
    com = c.instance.commodities
    if "collectable_share" not in com.columns:
        return {}
    return {k: float(x) for k, x in zip(com["id"], com["collectable_share"], strict=True)}


def _whole_source(c: Context) -> list[Violation]:
    """Whole-source collection: one share per source and hub, tonnes / (reach x collectable
    share x generation) equal for every grade."""
    col, coll = c.instance.collection, c.coll
    if not (col.whole_source and len(coll)):
        return []
    collectable = _collectable(c)
    share = (
        coll["tonnes_per_yr"]
        * coll["km"].map(lambda d: 1.0 / col.reach(d))
        / [
            collectable.get(k, 1.0) * float(c.gen.get((s, k), math.nan))
            for s, k in zip(coll["origin"], coll["commodity"], strict=True)
        ]
    )
    spread = share.groupby([coll["origin"], coll["destination"]]).agg(["min", "max"])
    return [
        Violation(
            "collection_reach",
            f"{s}, {h}",
            f"whole-source collection, but shares differ by grade ({r['min']:.6g}..{r['max']:.6g})",
        )
        for (s, h), r in spread.iterrows()
        if r["max"] - r["min"] > 1e-6
    ]


def _collected_without_generation(c: Context) -> list[Violation]:
    return [
        Violation("collection_reach", ", ".join(key), "collects from no generation")
        for key in c.collected.index.difference(c.gen.index)
    ]


def _capacities(c: Context) -> list[Violation]:
    """(3) and (5) capacity and levels, (3b) minimum throughput, and facilities that must open."""
    v: list[Violation] = []
    levels = c.levels
    for f, r in c.fac.iterrows():
        lv = c.chosen[f]
        if lv and (f, lv) not in levels.index:
            v.append(Violation("one_level", f, f"unknown level {lv!r}"))
            lv = ""
        added = float(levels.at[(f, lv), "capacity_t_per_yr"]) if lv else 0.0
        min_t = float(levels.at[(f, lv), "min_throughput_t_per_yr"]) if lv else 0.0
        existing = 0.0 if r["status"] == "closed" else float(r["existing_capacity_t_per_yr"])
        through = float(c.inflow.get(f, 0.0))
        family = "hub_capacity" if r["role"] == "hub" else "smelter_capacity"
        if r["status"] == "closed" and (through > ABS_TOL or lv):
            v.append(Violation(family, f, "closed, but takes scrap or opens a level"))
        if _exceeds(through, existing + added):
            v.append(
                Violation(family, f, f"takes {through:.6g} t > capacity {existing + added:.6g} t")
            )
        if _exceeds(min_t, through):
            v.append(
                Violation("min_throughput", f, f"takes {through:.6g} t < minimum {min_t:.6g} t")
            )
        if r["status"] == "open" and existing <= 0 and not lv:
            has_levels = (levels.index.get_level_values(0) == f).any()
            if has_levels:
                v.append(Violation("one_level", f, "must open, but no level is chosen"))
    return v


def _mass_balance(c: Context) -> list[Violation]:
    """(4) a hub sends on its yield times what it takes in, commodity by commodity."""
    t = c.t
    hub_in = (
        t[t["stage"].isin(["collection", "import"])]
        .groupby(["destination", "commodity"])["tonnes_per_yr"]
        .sum()
    )
    hub_out = (
        t[t["stage"].isin(["delivery", "export"])]
        .groupby(["origin", "commodity"])["tonnes_per_yr"]
        .sum()
    )
    hub_in_t, hub_out_t = hub_in.to_dict(), hub_out.to_dict()
    v: list[Violation] = []
    for key in hub_in.index.union(hub_out.index):
        inn, out = float(hub_in_t.get(key, 0.0)), float(hub_out_t.get(key, 0.0))
        y = c.yield_share[key[1]]
        if _differs(out, y * inn):
            v.append(
                Violation(
                    "hub_mass_balance",
                    ", ".join(key),
                    f"sends on {out:.6g} t; yield x intake = {y * inn:.6g} t",
                )
            )
    return v


def _imports(c: Context) -> list[Violation]:
    """(6) import availability per origin and commodity, (7) permits per origin region."""
    v: list[Violation] = []
    for key, x in c.imported.items():
        avail = float(c.offer["available_t_per_yr"].get(key, 0.0))
        if _exceeds(x, avail):
            v.append(Violation("import_availability", ", ".join(key), f"{x:.6g} t > {avail:.6g} t"))
    region = c.instance.sites.set_index("id")["region"].to_dict()
    by_region = c.imp.groupby(c.imp["origin"].map(region))["tonnes_per_yr"].sum()
    for reg, cap in c.instance.policy.import_permits_t_per_yr.items():
        x = float(by_region.get(reg, 0.0))
        if _exceeds(x, cap):
            v.append(Violation("import_permits", reg, f"{x:.6g} t imported > permit {cap:.6g} t"))
    return v


def _export_leakage(c: Context) -> list[Violation]:
    """(8a) a commodity's uncollected and exported tonnes within its share of generation."""
    v: list[Violation] = []
    gen_k, leaked_k = c.gen_k, c.leaked_k
    for k, share in c.com["max_leakage_share"].items():
        if math.isnan(share) or gen_k.get(k, 0.0) <= 0:
            continue
        if _exceeds(float(leaked_k.get(k, 0.0)), share * float(gen_k[k])):
            v.append(
                Violation(
                    "export_leakage",
                    k,
                    f"{leaked_k.get(k, 0.0):.6g} t leak > {share:.4g} x {gen_k[k]:.6g} t",
                )
            )
    return v


def _element_leakage(c: Context) -> list[Violation]:
    """(8b) an element's content in leaked tonnes within its share of the content generated,
    summed over every commodity that carries it."""
    v: list[Violation] = []
    for e, share in c.instance.elements.set_index("id")["max_leakage_share"].items():
        if math.isnan(share) or e not in c.content.columns:
            continue
        g = c.content[e]
        left = sum(float(g.get(k, 0.0)) * float(x) for k, x in c.leaked_k.items())
        total = sum(float(g.get(k, 0.0)) * float(x) for k, x in c.gen_k.items())
        if total > 0 and _exceeds(left / 1e6, share * total / 1e6):
            v.append(
                Violation(
                    "element_leakage", e, f"{left / 1e6:.6g} t > {share:.4g} x {total / 1e6:.6g} t"
                )
            )
    return v


def _informal_capacity(c: Context) -> dict[str, float]:
    """Per grade with an informal channel (price and capacity given): the most it can take,
    its capacity but no more than Japan generates."""
    com = c.com.dropna(subset=["informal_price_jpy_per_t", "informal_capacity_t_per_yr"])
    return {
        k: min(float(q), float(c.gen_k.get(k, 0.0)))
        for k, q in com["informal_capacity_t_per_yr"].items()
    }


def _informal_written(c: Context) -> dict[str, float]:
    table = c.tables["leakage_by_commodity"].set_index("commodity")
    return {k: float(x) for k, x in table["informal_t_per_yr"].items()}


def _informal_channel(c: Context) -> list[Violation]:
    """(8d) what an informal channel takes: between 0 and its capacity, and never more than
    is left uncollected (sum_s u_sk >= Q_k - won back); nothing for a grade without one."""
    v: list[Violation] = []
    capacity = _informal_capacity(c)
    for k, x in _informal_written(c).items():
        q = capacity.get(k, 0.0)
        left = float(c.uncollected_k.get(k, 0.0))
        if x < -ABS_TOL or _exceeds(x, q):
            v.append(Violation("informal_channel", k, f"takes {x:.6g} t, outside 0..{q:.6g} t"))
        if _exceeds(x, left):
            v.append(
                Violation("informal_channel", k, f"takes {x:.6g} t > {left:.6g} t uncollected")
            )
    return v


def _informal_match_cost(c: Context) -> float:
    """The price (less the incentive, not below 0) of every tonne the formal system wins back
    from an informal channel: its capacity less what it takes."""
    incentive = c.instance.policy.collection_incentive_jpy_per_t
    taken = _informal_written(c)
    return float(
        sum(
            max(0.0, float(c.com.at[k, "informal_price_jpy_per_t"]) - incentive)
            * (q - taken.get(k, 0.0))
            for k, q in _informal_capacity(c).items()
        )
    )


def _market_limits(c: Context) -> list[Violation]:
    return [
        Violation("market_limit", ", ".join(key), f"{x:.6g} t exported > limit")
        for key, x in c.sold.items()
        if _exceeds(x, float(c.market["max_t_per_yr"].get(key, 0.0)))
    ]


def _linking(c: Context) -> list[Violation]:
    """(9) a hub without existing capacity takes nothing unless a level is open."""
    v: list[Violation] = []
    fac, fac_out = c.fac, c.fac_out
    for f in c.inflow.index:
        if f in fac.index and fac.at[f, "role"] == "hub":
            has = f in fac_out.index and fac_out.at[f, "level"] != ""
            if (
                float(fac.at[f, "existing_capacity_t_per_yr"]) <= 0
                and not has
                and c.inflow[f] > ABS_TOL
            ):
                v.append(Violation("open_flow_linking", f, "takes scrap without an open level"))
    return v


def _co2_and_budget(c: Context) -> list[Violation]:
    """(10c) the CO2 cap and (10e) the capital budget."""
    v: list[Violation] = []
    pol = c.instance.policy
    if pol.co2_cap_t_per_yr is not None and _exceeds(c.co2_t, pol.co2_cap_t_per_yr):
        v.append(Violation("co2_cap", "-", f"{c.co2_t:.6g} t CO2 > cap"))
    budget = pol.capital_budget_jpy_per_yr
    if budget is not None and _exceeds(c.fixed_cost, budget):
        v.append(Violation("capital_budget", "-", f"fixed cost {c.fixed_cost:.6g} > budget"))
    return v


def _single_sourcing(c: Context) -> list[Violation]:
    """(10a) a source ships to one hub at most; (10f) that hub is open; (10g) a grade that may
    not leak (commodity cap 0) goes to it whole."""
    if not c.instance.policy.single_sourcing:
        return []
    v: list[Violation] = []
    shipped = c.coll[c.coll["tonnes_per_yr"] > ABS_TOL]
    hub_of = shipped.groupby("origin")["destination"].unique()
    for s, hubs in hub_of.items():
        if len(hubs) > 1:
            v.append(Violation("single_sourcing", s, f"ships to {len(hubs)} hubs"))
    for h in sorted({h for hubs in hub_of for h in hubs}):
        lv = c.fac_out.at[h, "level"] if h in c.fac_out.index else ""
        closed = c.fac.at[h, "status"] == "closed"
        existing = 0.0 if closed else float(c.fac.at[h, "existing_capacity_t_per_yr"])
        if existing <= 0 and not (isinstance(lv, str) and lv):
            v.append(Violation("assign_open", h, "sources ship to it, but it opens no level"))
    cap0 = c.com["max_leakage_share"] == 0.0
    sent = shipped.groupby(["origin", "commodity"])["tonnes_per_yr"].sum().to_dict()
    supply = c.instance.supply[["site", "commodity", "generation_t_per_yr"]]
    for s, k, g in supply.itertuples(index=False):
        if g > 0 and bool(cap0.get(k, False)) and s in hub_of.index and len(hub_of[s]) == 1:
            got = float(sent.get((s, k), 0.0))
            if _differs(got, float(g)):
                v.append(
                    Violation(
                        "assign_whole",
                        f"{s}, {k}",
                        f"sends {got:.6g} t to {hub_of[s][0]}, not its whole {float(g):.6g} t",
                    )
                )
    return v


def _ports(c: Context) -> list[Violation]:
    """(10d) the tonnes of every path through a port within its capacity."""
    v: list[Violation] = []
    ports = c.instance.sites.dropna(subset=["port_capacity_t_per_yr"])
    path_sites = c.t["path"].str.split(";").map(set)
    for p, cap in zip(ports["id"], ports["port_capacity_t_per_yr"], strict=True):
        through_p = float(c.t.loc[path_sites.map(lambda s, p=p: p in s), "tonnes_per_yr"].sum())
        if _exceeds(through_p, cap):
            v.append(Violation("port_throughput", p, f"{through_p:.6g} t > {cap:.6g} t"))
    return v


def _recovery_targets(c: Context) -> list[Violation]:
    """(10b) the metal recovered of each element at least its target."""
    got = c.recovered
    return [
        Violation("recovery_targets", e, f"{got.get(e, 0.0):.6g} t < {target:.6g} t")
        for e, target in c.instance.elements.set_index("id")["min_recovered_t_per_yr"].items()
        if not math.isnan(target) and _exceeds(target, got.get(e, 0.0))
    ]


def _supply_share(c: Context) -> list[Violation]:
    """(10h) the metal recovered of each element at least its target share of demand."""
    got = c.recovered
    el = c.instance.elements
    return [
        Violation("supply_share", e, f"{got.get(e, 0.0):.6g} t < {share:.4g} x {demand:.6g} t")
        for e, share, demand in zip(
            el["id"], el["min_supply_share"], el["demand_t_per_yr"], strict=True
        )
        if not (math.isnan(share) or math.isnan(demand))
        and _exceeds(share * demand, got.get(e, 0.0))
    ]


def _objective_terms(c: Context) -> dict[str, float]:
    """Every term of the objective, recomputed from the tables and the instance."""
    t, com = c.t, c.com
    proc = c.fac["processing_cost_jpy_per_t"]
    price = c.instance.elements.set_index("id")["price_jpy_per_kg"]
    import_price, export_price = c.offer["price_jpy_per_t"], c.market["price_jpy_per_t"]
    return {
        "fixed_cost": c.fixed_cost,
        "transport_cost": float((t["tonnes_per_yr"] * t["lane"].map(c.lanes.cost_t)).sum()),
        "processing_cost": float(
            (t["tonnes_per_yr"] * t["destination"].map(proc).fillna(0.0)).sum()
        ),
        # imports priced at the origin (a missing price: bought on terms, paid on delivery)
        "import_cost": float(
            sum(
                x * float(import_price.get(key, 0.0))
                for key, x in c.imported.items()
                if not math.isnan(import_price.get(key, 0.0))
            )
        )
        + terms_import_cost(c),
        "co2_cost": c.instance.policy.co2_price_jpy_per_t * c.co2_t,
        "leakage_penalty": float(
            sum(
                float(com.at[k, "leakage_penalty_jpy_per_t"]) * float(x)
                for k, x in c.uncollected_k.items()
            )
        ),
        "informal_match_cost": _informal_match_cost(c),
        "export_revenue": float(
            sum(x * float(export_price.get(key, 0.0)) for key, x in c.sold.items())
        ),
        "metal_value": float(sum(x * 1000.0 * float(price[e]) for e, x in c.recovered.items())),
    }


def _objective(c: Context) -> list[Violation]:
    """The reported objective against the sum of its terms recomputed."""
    if c.objective is None:
        return []
    terms = _objective_terms(c)
    total = (
        sum(terms[k] for k in ("fixed_cost", "transport_cost", "processing_cost", "import_cost"))
        + terms["co2_cost"]
        + terms["leakage_penalty"]
        + terms["informal_match_cost"]
        - terms["export_revenue"]
        - terms["metal_value"]
    )
    scale = max(abs(terms[k]) for k in terms) if terms else 1.0
    if abs(total - c.objective) <= 1e-6 * max(scale, abs(c.objective), 1.0):
        return []
    return [
        Violation(
            "objective",
            "-",
            f"reported {c.objective:.10g}, recomputed from the tables {total:.10g}",
        )
    ]


def _written_leakage(c: Context) -> list[Violation]:
    """leakage_by_commodity.csv (what `hubnet compare` reads) against the recomputed (8a)."""
    table = c.tables["leakage_by_commodity"].set_index("commodity")
    commodities = c.com.index
    if sorted(table.index) != sorted(commodities):
        return [
            Violation("export_leakage", "-", "leakage_by_commodity.csv: not one row per commodity")
        ]
    v = []
    for k in commodities:
        for column, expect in (
            ("generation_t_per_yr", float(c.gen_k.get(k, 0.0))),
            ("leakage_t_per_yr", float(c.leaked_k.get(k, 0.0))),
        ):
            if _differs(float(table.at[k, column]), expect):
                v.append(
                    Violation(
                        "export_leakage",
                        k,
                        f"leakage_by_commodity.csv says {column} {table.at[k, column]:.6g}, "
                        f"recomputed {expect:.6g}",
                    )
                )
    return v


#: the rules in the order their violations are listed
_RULES: tuple[Callable[[Context], list[Violation]], ...] = (
    _negative_flows,
    _lanes,
    _reach_and_uncollected,
    _whole_source,
    _collected_without_generation,
    _capacities,
    _mass_balance,
    imported_balance,
    imported_within_flow,
    _imports,
    _export_leakage,
    _element_leakage,
    _informal_channel,
    _market_limits,
    _linking,
    _co2_and_budget,
    _single_sourcing,
    _ports,
    _recovery_targets,
    _supply_share,
    _objective,
    _written_leakage,
    origin_split,
)


def check(
    instance: Instance, tables: dict[str, pd.DataFrame], objective: float | None
) -> list[Violation]:
    """Every violation of the formulation's rules found in the result tables."""
    context = build_context(instance, tables, objective)
    return [violation for rule in _RULES for violation in rule(context)]
