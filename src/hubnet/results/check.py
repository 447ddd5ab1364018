"""Independent solution checker: the instance and the result tables, nothing of the model.

It re-derives every lane's cost from the instance's links and modes along the written path,
re-verifies every balance, capacity, availability, permit and leakage limit, and recomputes
the objective. It shares no code with `model/` and never imports Pyomo.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from hubnet.instance import Instance
from hubnet.network.graph import great_circle_km

ABS_TOL = 1e-4  # tonnes
REL_TOL = 1e-6


@dataclass(frozen=True, slots=True)
class Violation:
    family: str
    ids: str
    message: str

    def __str__(self) -> str:
        return f"{self.family} [{self.ids}]: {self.message}"


def _exceeds(lhs: float, rhs: float) -> bool:
    return lhs > rhs + ABS_TOL + REL_TOL * max(abs(lhs), abs(rhs))


def _differs(a: float, b: float, rel: float = REL_TOL) -> bool:
    return abs(a - b) > ABS_TOL + rel * max(abs(a), abs(b))


class LaneCoster:
    """Cost, km and CO2 per tonne of a written path, re-derived from links.csv and modes.csv."""

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
        cost = km_total = co2 = 0.0
        for i, mode in enumerate(legs):
            a, b = sites[i], sites[i + 1]
            if (a, b, mode) not in self.km:
                raise KeyError(f"no {mode} link between {a} and {b} in links.csv")
            km = self.km[a, b, mode]
            cost += km * rate[mode]["cost_jpy_per_t_km"]
            co2 += km * rate[mode]["co2_kg_per_t_km"]
            km_total += km
            # handling: loading at the start, at each change of mode (both modes), unloading
            if i == 0 or legs[i - 1] != mode:
                cost += rate[mode]["handling_jpy_per_t"]
                if i > 0:
                    cost += rate[legs[i - 1]]["handling_jpy_per_t"]
        cost += rate[legs[-1]]["handling_jpy_per_t"] if legs else 0.0
        return cost, km_total, co2


def check(
    instance: Instance, tables: dict[str, pd.DataFrame], objective: float | None
) -> list[Violation]:
    """Every violation of the formulation's rules found in the result tables."""
    v: list[Violation] = []
    flows = tables["flows"]
    fac_out = tables["facilities"].set_index("facility")
    sites = instance.sites.set_index("id")
    kind = sites["kind"].to_dict()
    fac = instance.facilities.set_index("site")
    com = instance.commodities.set_index("id")
    yield_share = com["hub_yield_share"].to_dict()
    acc = instance.accepts()
    accepts = set(zip(acc["facility"], acc["commodity"], strict=True))
    col = instance.collection

    if (flows["tonnes_per_yr"] < -ABS_TOL).any():
        v.append(Violation("flow", "-", "negative tonnes in flows.csv"))

    # lanes: legitimate ends, costs re-derived from the instance
    stage_kinds = {
        "collection": ("source", "hub"),
        "import": ("origin", "hub"),
        "delivery": ("hub", "smelter"),
        "export": ("hub", "market"),
    }
    lane_km: dict[str, float] = {}
    lane_cost_t: dict[str, float] = {}
    lane_co2: dict[str, float] = {}
    lane_cost = LaneCoster(instance)
    for r in flows.itertuples(index=False):
        ids = f"{r.lane}, {r.commodity}"
        want = stage_kinds.get(r.stage)
        if want is None or (kind.get(r.origin), kind.get(r.destination)) != want:
            v.append(Violation("lanes", ids, f"stage {r.stage} does not join {want}"))
            continue
        path = r.path.split(";")
        if path[0] != r.origin or path[-1] != r.destination:
            v.append(Violation("lanes", ids, "path does not run from origin to destination"))
        if r.lane not in lane_cost_t:
            try:
                lane_cost_t[r.lane], lane_km[r.lane], lane_co2[r.lane] = lane_cost(
                    r.path, r.path_modes
                )
            except KeyError as exc:
                v.append(Violation("lanes", ids, str(exc)))
                lane_cost_t[r.lane], lane_km[r.lane], lane_co2[r.lane] = (
                    r.cost_jpy_per_t,
                    r.distance_km,
                    0.0,
                )
        if _differs(lane_cost_t[r.lane], r.cost_jpy_per_t, 1e-6):
            v.append(
                Violation(
                    "lanes",
                    ids,
                    f"cost {r.cost_jpy_per_t:.6g}/t written, path costs "
                    f"{lane_cost_t[r.lane]:.6g}/t",
                )
            )
        if r.destination in fac.index and (r.destination, r.commodity) not in accepts:
            v.append(Violation("accepts", ids, f"{r.destination} does not take {r.commodity}"))
        if r.stage in ("delivery", "export") and (r.origin, r.commodity) not in accepts:
            v.append(Violation("accepts", ids, f"{r.origin} does not take {r.commodity}"))
        if r.stage == "collection" and col.max_collection_km is not None:
            if lane_km[r.lane] > col.max_collection_km + 1e-6:
                v.append(Violation("collection_reach", ids, "lane longer than max_collection_km"))

    t = flows.assign(km=flows["lane"].map(lane_km))

    # (1) reach and (2) uncollected
    gen = instance.supply.set_index(["site", "commodity"])["generation_t_per_yr"]
    coll = t[t["stage"] == "collection"]
    collected = coll.groupby(["origin", "commodity"])["tonnes_per_yr"].sum()
    used = (
        (coll["tonnes_per_yr"] / coll["km"].map(col.reach))
        .groupby([coll["origin"], coll["commodity"]])
        .sum()
        .to_dict()
    )
    got = collected.to_dict()
    leak = tables["leakage"].set_index(["source", "commodity"])["uncollected_t_per_yr"].to_dict()
    for key, g in gen.to_dict().items():
        if _exceeds(float(used.get(key, 0.0)), g):
            v.append(
                Violation(
                    "collection_reach", ", ".join(key), f"uses {used[key]:.6g} t of {g:.6g} t reach"
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
    if col.whole_source and len(coll):
        # one share per source and hub: tonnes / (reach x generation) equal for every grade
        share = (
            coll["tonnes_per_yr"]
            * coll["km"].map(lambda d: 1.0 / col.reach(d))
            / [
                float(gen.get((s, k), math.nan))
                for s, k in zip(coll["origin"], coll["commodity"], strict=True)
            ]
        )
        spread = share.groupby([coll["origin"], coll["destination"]]).agg(["min", "max"])
        for (s, h), r in spread.iterrows():
            if r["max"] - r["min"] > 1e-6:
                v.append(
                    Violation(
                        "collection_reach",
                        f"{s}, {h}",
                        f"whole-source collection, but shares differ by grade "
                        f"({r['min']:.6g}..{r['max']:.6g})",
                    )
                )
    for key in collected.index.difference(gen.index):
        v.append(Violation("collection_reach", ", ".join(key), "collects from no generation"))

    # (3) and (5) capacity, levels, minimum throughput, opening
    inflow = t.groupby("destination")["tonnes_per_yr"].sum()
    levels = instance.capacity_levels.set_index(["facility", "level"])
    fixed_cost = 0.0
    for f, r in fac.iterrows():
        lv = str(fac_out.at[f, "level"]) if f in fac_out.index else ""  # '' when none
        if lv and (f, lv) not in levels.index:
            v.append(Violation("one_level", f, f"unknown level {lv!r}"))
            lv = ""
        added = float(levels.at[(f, lv), "capacity_t_per_yr"]) if lv else 0.0
        min_t = float(levels.at[(f, lv), "min_throughput_t_per_yr"]) if lv else 0.0
        fixed_cost += float(levels.at[(f, lv), "fixed_cost_jpy_per_yr"]) if lv else 0.0
        existing = 0.0 if r["status"] == "closed" else float(r["existing_capacity_t_per_yr"])
        through = float(inflow.get(f, 0.0))
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

    # (4) hub mass balance
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
    for key in hub_in.index.union(hub_out.index):
        inn, out = float(hub_in_t.get(key, 0.0)), float(hub_out_t.get(key, 0.0))
        if _differs(out, yield_share[key[1]] * inn):
            v.append(
                Violation(
                    "hub_mass_balance",
                    ", ".join(key),
                    f"sends on {out:.6g} t; yield x intake = {yield_share[key[1]] * inn:.6g} t",
                )
            )

    # (6) availability, (7) permits
    imp = t[t["stage"] == "import"]
    imported = imp.groupby(["origin", "commodity"])["tonnes_per_yr"].sum()
    offer = instance.imports.set_index(["site", "commodity"])
    for key, x in imported.items():
        avail = float(offer["available_t_per_yr"].get(key, 0.0))
        if _exceeds(x, avail):
            v.append(Violation("import_availability", ", ".join(key), f"{x:.6g} t > {avail:.6g} t"))
    region = sites["region"].to_dict()
    by_region = imp.groupby(imp["origin"].map(region))["tonnes_per_yr"].sum()
    for reg, cap in instance.policy.import_permits_t_per_yr.items():
        x = float(by_region.get(reg, 0.0))
        if _exceeds(x, cap):
            v.append(Violation("import_permits", reg, f"{x:.6g} t imported > permit {cap:.6g} t"))

    # (8) leakage caps and market limits
    exp = t[t["stage"] == "export"]
    exported_raw = (
        (exp["tonnes_per_yr"] / exp["commodity"].map(yield_share)).groupby(exp["commodity"]).sum()
    )
    uncollected_k = (gen - collected.reindex(gen.index, fill_value=0.0)).groupby(level=1).sum()
    gen_k = gen.groupby(level=1).sum()
    leaked_k = uncollected_k.add(exported_raw, fill_value=0.0)
    for k, share in com["max_leakage_share"].items():
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
    content = instance.contents.pivot_table(
        index="commodity", columns="element", values="content_g_per_t", aggfunc="sum"
    ).fillna(0.0)
    for e, share in instance.elements.set_index("id")["max_leakage_share"].items():
        if math.isnan(share) or e not in content.columns:
            continue
        c = content[e]
        left = sum(float(c.get(k, 0.0)) * float(x) for k, x in leaked_k.items())
        total = sum(float(c.get(k, 0.0)) * float(x) for k, x in gen_k.items())
        if total > 0 and _exceeds(left / 1e6, share * total / 1e6):
            v.append(
                Violation(
                    "element_leakage", e, f"{left / 1e6:.6g} t > {share:.4g} x {total / 1e6:.6g} t"
                )
            )
    sold = exp.groupby(["destination", "commodity"])["tonnes_per_yr"].sum()
    market = instance.exports.set_index(["site", "commodity"])
    for key, x in sold.items():
        if _exceeds(x, float(market["max_t_per_yr"].get(key, 0.0))):
            v.append(Violation("market_limit", ", ".join(key), f"{x:.6g} t exported > limit"))

    # (9) linking: a hub without existing capacity takes nothing unless a level is open
    for f in inflow.index:
        if f in fac.index and fac.at[f, "role"] == "hub":
            has = f in fac_out.index and fac_out.at[f, "level"] != ""
            if (
                float(fac.at[f, "existing_capacity_t_per_yr"]) <= 0
                and not has
                and inflow[f] > ABS_TOL
            ):
                v.append(Violation("open_flow_linking", f, "takes scrap without an open level"))

    # (10) options
    co2_t = float((t["tonnes_per_yr"] * t["lane"].map(lane_co2)).sum()) / 1000.0
    pol = instance.policy
    if pol.co2_cap_t_per_yr is not None and _exceeds(co2_t, pol.co2_cap_t_per_yr):
        v.append(Violation("co2_cap", "-", f"{co2_t:.6g} t CO2 > cap"))
    if pol.capital_budget_jpy_per_yr is not None and _exceeds(
        fixed_cost, pol.capital_budget_jpy_per_yr
    ):
        v.append(Violation("capital_budget", "-", f"fixed cost {fixed_cost:.6g} > budget"))
    if pol.single_sourcing:
        v.extend(_single_sourcing(instance, coll, fac_out))
    ports = instance.sites.dropna(subset=["port_capacity_t_per_yr"])
    path_sites = t["path"].str.split(";").map(set)
    for p, cap in zip(ports["id"], ports["port_capacity_t_per_yr"], strict=True):
        through_p = float(t.loc[path_sites.map(lambda s, p=p: p in s), "tonnes_per_yr"].sum())
        if _exceeds(through_p, cap):
            v.append(Violation("port_throughput", p, f"{through_p:.6g} t > {cap:.6g} t"))

    # metal recovered (and targets)
    rec = instance.recovery.set_index(["facility", "element"])["recovery_share"]
    price = instance.elements.set_index("id")["price_jpy_per_kg"]
    deliv = t[t["stage"] == "delivery"]
    recovery = rec.to_dict()
    grades = {k: [(e, float(g)) for e, g in row.items() if g > 0] for k, row in content.iterrows()}
    recovered: dict[str, float] = defaultdict(float)
    for dest, k, x in deliv[["destination", "commodity", "tonnes_per_yr"]].itertuples(index=False):
        for e, g in grades.get(k, ()):
            share = float(recovery.get((dest, e), 0.0))
            if share > 0:
                recovered[e] += x * g / 1e6 / yield_share[k] * share
    for e, target in instance.elements.set_index("id")["min_recovered_t_per_yr"].items():
        if not math.isnan(target) and _exceeds(target, recovered.get(e, 0.0)):
            v.append(
                Violation("recovery_targets", e, f"{recovered.get(e, 0.0):.6g} t < {target:.6g} t")
            )

    # objective
    if objective is not None:
        proc = fac["processing_cost_jpy_per_t"]
        terms = {
            "fixed_cost": fixed_cost,
            "transport_cost": float((t["tonnes_per_yr"] * t["lane"].map(lane_cost_t)).sum()),
            "processing_cost": float(
                (t["tonnes_per_yr"] * t["destination"].map(proc).fillna(0.0)).sum()
            ),
            "import_cost": float(
                sum(
                    x * float(offer["price_jpy_per_t"].get(key, 0.0)) for key, x in imported.items()
                )
            ),
            "co2_cost": pol.co2_price_jpy_per_t * co2_t,
            "leakage_penalty": float(
                sum(
                    float(com.at[k, "leakage_penalty_jpy_per_t"]) * float(x)
                    for k, x in uncollected_k.items()
                )
            ),
            "export_revenue": float(
                sum(x * float(market["price_jpy_per_t"].get(key, 0.0)) for key, x in sold.items())
            ),
            "metal_value": float(sum(x * 1000.0 * float(price[e]) for e, x in recovered.items())),
        }
        total = (
            sum(
                terms[k] for k in ("fixed_cost", "transport_cost", "processing_cost", "import_cost")
            )
            + terms["co2_cost"]
            + terms["leakage_penalty"]
            - terms["export_revenue"]
            - terms["metal_value"]
        )
        scale = max(abs(terms[k]) for k in terms) if terms else 1.0
        if abs(total - objective) > 1e-6 * max(scale, abs(objective), 1.0):
            v.append(
                Violation(
                    "objective",
                    "-",
                    f"reported {objective:.10g}, recomputed from the tables {total:.10g}",
                )
            )
    v.extend(_written_leakage(tables["leakage_by_commodity"], gen_k, leaked_k, com.index))
    return v


def _written_leakage(
    written: pd.DataFrame, gen_k: pd.Series, leaked_k: pd.Series, commodities: pd.Index
) -> list[Violation]:
    """leakage_by_commodity.csv (what `hubnet compare` reads) against the recomputed (8a)."""
    table = written.set_index("commodity")
    if sorted(table.index) != sorted(commodities):
        return [
            Violation("export_leakage", "-", "leakage_by_commodity.csv: not one row per commodity")
        ]
    v = []
    for k in commodities:
        for column, expect in (
            ("generation_t_per_yr", float(gen_k.get(k, 0.0))),
            ("leakage_t_per_yr", float(leaked_k.get(k, 0.0))),
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


def _single_sourcing(
    instance: Instance, coll: pd.DataFrame, fac_out: pd.DataFrame
) -> list[Violation]:
    """(10a) a source ships to one hub at most; (10f) that hub is open; (10g) a grade that may
    not leak (commodity cap 0) goes to it whole."""
    v: list[Violation] = []
    shipped = coll[coll["tonnes_per_yr"] > ABS_TOL]
    hub_of = shipped.groupby("origin")["destination"].unique()
    fac = instance.facilities.set_index("site")
    for s, hubs in hub_of.items():
        if len(hubs) > 1:
            v.append(Violation("single_sourcing", s, f"ships to {len(hubs)} hubs"))
    for h in sorted({h for hubs in hub_of for h in hubs}):
        lv = fac_out.at[h, "level"] if h in fac_out.index else ""
        closed = fac.at[h, "status"] == "closed"
        existing = 0.0 if closed else float(fac.at[h, "existing_capacity_t_per_yr"])
        if existing <= 0 and not (isinstance(lv, str) and lv):
            v.append(Violation("assign_open", h, "sources ship to it, but it opens no level"))
    cap0 = instance.commodities.set_index("id")["max_leakage_share"] == 0.0
    sent = shipped.groupby(["origin", "commodity"])["tonnes_per_yr"].sum().to_dict()
    for s, k, g in instance.supply[["site", "commodity", "generation_t_per_yr"]].itertuples(
        index=False
    ):
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
