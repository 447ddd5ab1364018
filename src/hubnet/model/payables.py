"""What smelters pay at their terms, and the index of import-origin tonnes through the hubs
(pure: no Pyomo).

A smelter m pays for one raw tonne of commodity k (as collected or imported)
V_mk = sum_e payable_mke x content_ke x price_e - treatment charge_mk. Hubs keep the metal in
their output, so a delivered tonne stands for 1 / y_k raw tonnes and is paid V_mk / y_k.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from hubnet.instance import Instance

Key = tuple[str, str]
#: (lane, commodity, pricing): import-origin tonnes of one pricing on a lane out of a hub
ImportedKey = tuple[str, str, str]

#: how an imported tonne is paid: at the origin (imports.csv price) or at the smelter's terms
ORIGIN, TERMS = "origin", "terms"


def payable_values(instance: Instance) -> dict[Key, float]:
    """V_mk (JPY per raw tonne) for every (smelter, commodity) in terms.csv."""
    price_t = (instance.elements.set_index("id")["price_jpy_per_kg"].astype(float) * 1000).to_dict()
    content = {
        (k, e): float(g) / 1e6
        for k, e, g in instance.contents[["commodity", "element", "content_g_per_t"]].itertuples(
            index=False
        )
    }
    value = {
        (m, k): -float(tc)
        for m, k, tc in instance.terms[
            ["smelter", "commodity", "treatment_charge_jpy_per_t"]
        ].itertuples(index=False)
    }
    for m, k, e, share in instance.payables.itertuples(index=False):
        if (m, k) in value:
            value[m, k] += float(share) * content.get((k, e), 0.0) * price_t[e]
    return value


def best_terms(instance: Instance, value: dict[Key, float]) -> dict[str, float]:
    """Per commodity, the best terms (the highest V_mk) of the smelters that take it and are
    not closed. Japanese smelters compete for a tonne offered to Japan, so an import without
    a price is bought at the best of their terms, whichever smelter then treats it."""
    fac = instance.facilities
    takers = instance.accepts_of(fac[fac["status"] != "closed"], list(instance.commodities["id"]))
    best: dict[str, float] = {}
    for m, k in zip(takers["facility"], takers["commodity"], strict=True):
        if (m, k) in value:
            best[k] = max(value[m, k], best.get(k, -float("inf")))
    return best


@dataclass(frozen=True, slots=True)
class ImportedSets:
    """The variables imported[a, k, p] and the rows (4i), (4j) over them."""

    index: list[ImportedKey] = field(default_factory=list)
    #: (hub, k, p) -> (imported keys out of the hub, import flows of pricing p into it)
    balance: dict[tuple[str, str, str], tuple[list[ImportedKey], list[Key]]] = field(
        default_factory=dict
    )
    #: (lane, k) -> its imported keys (4j)
    of_flow: dict[Key, list[ImportedKey]] = field(default_factory=dict)
    #: (lane, k, TERMS) -> best V_mk / y_k: what is paid per delivered tonne bought at terms
    terms_price: dict[ImportedKey, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HubFlows:
    """What `imported_sets` reads of the model's data."""

    hub_in: dict[Key, list[Key]]
    hub_out: dict[Key, list[Key]]
    stage: dict[str, str]
    origin: dict[str, str]
    dest: dict[str, str]
    hub_yield: dict[str, float]


def imported_sets(
    fl: HubFlows, on_terms: set[Key], value: dict[Key, float], best: dict[str, float]
) -> ImportedSets:
    """imported[a, k, p] on each lane a out of a hub that receives imports of k priced by p:
    delivery lanes (to smelters with terms for k, for p = terms) and, for imports priced at
    the origin only, export lanes. `on_terms` holds the (origin, k) bought at terms, paid at
    `best` (`best_terms`) per raw tonne."""
    out = ImportedSets()
    for (h, k), inflows in fl.hub_in.items():
        if fl.hub_yield[k] <= 0:  # nothing leaves the hub: no origin to track
            continue
        by_kind: dict[str, list[Key]] = defaultdict(list)
        for a, kk in inflows:
            if fl.stage[a] == "import":
                by_kind[TERMS if (fl.origin[a], k) in on_terms else ORIGIN].append((a, kk))
        for p, imports in sorted(by_kind.items()):
            keys = [
                (a, k, p)
                for a, _ in fl.hub_out.get((h, k), [])
                if (fl.stage[a] == "delivery" and (p == ORIGIN or (fl.dest[a], k) in value))
                or (fl.stage[a] == "export" and p == ORIGIN)
            ]
            out.balance[h, k, p] = (keys, imports)
            out.index.extend(keys)
            for key in keys:
                out.of_flow.setdefault(key[:2], []).append(key)
                if p == TERMS:
                    out.terms_price[key] = best[k] / fl.hub_yield[k]
    return out
