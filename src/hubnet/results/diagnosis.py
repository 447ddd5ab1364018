"""Infeasibility in the instance's words: each conflicting rule as a planner would state it."""

from __future__ import annotations

from collections import defaultdict

from hubnet.instance import Instance
from hubnet.model.data import ModelData
from hubnet.report import Conflict
from hubnet.units import yen


def _t(x: float) -> str:
    return f"{x:,.0f} t"


class Explainer:
    def __init__(self, instance: Instance, data: ModelData) -> None:
        self.i, self.d = instance, data
        self.name = instance.sites.set_index("id")["name"].to_dict()
        self.com = instance.commodities.set_index("id")
        self.levels: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for (f, lv), c in data.level_capacity.items():
            self.levels[f].append((lv, c))

    def site(self, s: str) -> str:
        n = self.name.get(s)
        return f"{n} ({s})" if n and n != s else s

    def capacity(self, f: str) -> str:
        ex = self.d.existing_capacity.get(f, 0.0)
        big = max((c for _, c in self.levels.get(f, [])), default=0.0)
        parts = []
        if ex:
            parts.append(f"existing {_t(ex)}")
        if big:
            parts.append(f"largest level {_t(big)}")
        return f"at most {_t(ex + big)} a year" + (f" ({' + '.join(parts)})" if parts else "")

    def __call__(self, c: Conflict) -> str | None:  # noqa: C901 - one template per family
        d, idx = self.d, c.index
        f = c.family
        if f == "export_leakage":
            (k,) = idx
            share, gen = d.commodity_cap[k], d.commodity_generation[k]
            return (
                f"export leakage of {k} may be at most {share:.0%} of the {_t(gen)} generated "
                f"({_t(share * gen)} uncollected or exported)"
            )
        if f == "element_leakage":
            (e,) = idx
            share = d.element_cap[e]
            return f"leakage of {e} by content may be at most {share:.0%} of domestic content"
        if f in ("informal_channel", "won_back"):
            # never the cause (winning every tonne back satisfies it), but worded if listed
            (k,) = idx
            return (
                f"the informal channel takes up to {_t(d.informal_capacity[k])} of {k} unless "
                "the formal system wins the tonnes back"
            )
        if f == "collection_reach":
            if len(idx) == 1:
                # whole-source collection: one share per hub for all of a source's grades
                (s,) = idx
                lanes = [a for (src, _), a in d.collection_lanes.items() if src == s]
                what = "each grade it generates, every grade in the same share"
            else:
                s, k = idx
                lanes = [a for a, _ in d.collected.get((s, k), [])]
                what = f"its {_t(d.generation[s, k])} of {k}"
            best = max((1.0 / d.inverse_reach[a] for a in lanes), default=0.0)
            hubs = sorted({self.site(d.lane_destination[a]) for a in lanes})
            return (
                f"hubs within reach of {self.site(s)} ({', '.join(hubs) or 'none'}) can collect "
                f"at most {best:.0%} of {what}"
            )
        if f in ("uncollected_leakage", "uncollected"):
            s, k = idx
            return f"{self.site(s)} generates {_t(d.generation[s, k])} of {k}, no more"
        if f == "hub_capacity":
            return f"hub {self.site(idx[0])} can take {self.capacity(idx[0])}"
        if f == "smelter_capacity":
            return f"smelter {self.site(idx[0])} can take {self.capacity(idx[0])}"
        if f == "min_throughput":
            role = "hub" if idx[0] in d.hubs else "smelter"
            return f"{role} {self.site(idx[0])} must take its level's minimum throughput if opened"
        if f == "one_level":
            must = idx[0] in d.must_open
            return f"{self.site(idx[0])} " + (
                "must open one level (status open)" if must else "opens at most one level"
            )
        if f == "open_level":
            return f"{self.site(idx[0])} can open level {idx[1]} once at most"
        if f == "hub_mass_balance":
            h, k = idx
            return f"hub {self.site(h)} passes on {d.hub_yield[k]:.0%} of the {k} it takes in"
        if f == "import_availability":
            o, k = idx
            return f"{self.site(o)} offers at most {_t(d.available[o, k])} of {k}"
        if f == "import_permits":
            (r,) = idx
            p = d.permits[r]
            return f"imports from {r} are " + ("banned" if p == 0 else f"capped at {_t(p)} a year")
        if f == "market_limit":
            m, k = idx
            return f"{self.site(m)} buys at most {_t(d.market_limit[m, k])} of {k}"
        if f == "recovery_targets":
            (e,) = idx
            return f"smelters must recover at least {_t(d.element_target_t[e])} of {e}"
        if f == "supply_share":
            (e,) = idx
            return (
                f"metal recovered in Japan must meet the target share of {e} demand "
                f"({_t(d.element_supply_t[e])})"
            )
        if f in ("unrecoverable", "unsupplied"):
            return (
                f"no smelter recovers {idx[0]}: none with a recovery share for it receives a "
                "commodity that contains it"
            )
        if f == "co2_cap":
            return f"transport CO2 may be at most {_t(d.co2_cap or 0.0)} a year"
        if f == "capital_budget":
            budget = yen(d.capital_budget or 0)
            return f"fixed costs of levels opened may be at most {budget} a year"
        if f == "port_throughput":
            return f"port {self.site(idx[0])} handles at most {_t(d.port_capacity[idx[0]])} a year"
        if f == "open_flow_linking":
            a = idx[0]
            return f"nothing reaches {self.site(d.lane_destination[a])} unless it opens a level"
        if f in ("flow", "imported"):
            return None  # non-negative flows: always part of the story, never news
        return f"{f}[{', '.join(idx)}]"


def explain(conflicts: list[Conflict], method: str, instance: Instance, data: ModelData) -> str:
    """A few lines a planner can act on: which rules cannot all hold, and where."""
    say = Explainer(instance, data)
    lines, families, sites = [], [], set()
    for c in conflicts:
        text = say(c)
        if text is None:
            continue
        if c.stretch is not None:
            text += f" — would have to give by {c.stretch:,.1f}"
        lines.append(f"  - [{c.family}] {text}")
        if c.family not in families:
            families.append(c.family)
        sites.update(x for x in c.index if x in say.name)
    how = (
        "an irreducible set of conflicting rules found by HiGHS"
        if method == "iis"
        else "the rules an elastic copy of the model had to stretch to become feasible"
    )
    head = f"{instance.name} is infeasible: these rules cannot all hold ({how}):"
    tail = [f"Families in conflict: {', '.join(families) or 'unknown'}"]
    if sites:
        tail.append(f"Sites involved: {', '.join(say.site(s) for s in sorted(sites))}")
    if not lines:
        lines = ["  - no conflict could be isolated within the time allowed"]
    return "\n".join([head, *lines, *tail])
