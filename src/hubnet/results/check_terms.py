"""The checker's rules on import-origin tonnes and payable terms: (4i), (4j), the terms part
of the import cost and the origin split of recovered metal, from the instance and the result
tables alone (like `check`, nothing of `model/`)."""

from __future__ import annotations

import math
from collections import defaultdict

from hubnet.results.check_context import Context, Violation

ABS_TOL = 1e-4  # tonnes
REL_TOL = 1e-6


def _differs(a: float, b: float) -> bool:
    return abs(a - b) > ABS_TOL + REL_TOL * max(abs(a), abs(b))


def payable_values(c: Context) -> dict[tuple[str, str], float]:
    """What each smelter pays per raw tonne at its terms: payables x content x price - TC."""
    inst = c.instance
    price = inst.elements.set_index("id")["price_jpy_per_kg"].to_dict()
    value = {
        (m, k): -float(tc)
        for m, k, tc in inst.terms[
            ["smelter", "commodity", "treatment_charge_jpy_per_t"]
        ].itertuples(index=False)
    }
    for m, k, e, share in inst.payables.itertuples(index=False):
        g = float(c.content.at[k, e]) if k in c.content.index and e in c.content.columns else 0.0
        if (m, k) in value:
            value[m, k] += float(share) * g / 1e6 * float(price[e]) * 1000.0
    return value


def on_terms(c: Context) -> set[tuple[str, str]]:
    """(origin, commodity) offers without a price: bought at the terms of the smelter reached."""
    imp = c.instance.imports
    return {
        (o, k)
        for o, k, p in imp[["site", "commodity", "price_jpy_per_t"]].itertuples(index=False)
        if math.isnan(p)
    }


def best_offer(c: Context) -> dict[str, float]:
    """Per commodity, the highest V_mk among the smelters that take it and are not closed."""
    fac = c.instance.facilities
    closed = set(fac.loc[fac["status"] == "closed", "site"])
    best: dict[str, float] = {}
    for (m, k), v in payable_values(c).items():
        if (m, k) in c.accepts and m not in closed:
            best[k] = max(v, best.get(k, -math.inf))
    return best


def terms_import_cost(c: Context) -> float:
    """The import cost of tonnes bought at terms: each delivery's tonnes bought on terms x
    the best terms for the commodity (`best_offer`) / y_k."""
    best = best_offer(c)
    deliv = c.t[c.t["stage"] == "delivery"]
    return float(
        sum(
            x * best.get(k, math.nan) / c.yield_share[k]
            for k, x in deliv[["commodity", "imported_on_terms_t_per_yr"]].itertuples(index=False)
            if x != 0
        )
    )


def _import_rows(c: Context) -> list[Violation]:
    """An import flow is all of import origin; it is bought on terms exactly when its offer
    has no price. Collection carries nothing imported."""
    v = []
    terms = on_terms(c)
    for r in c.t.itertuples(index=False):
        ids = f"{r.lane}, {r.commodity}"
        if r.stage == "import":
            want_terms = r.tonnes_per_yr if (r.origin, r.commodity) in terms else 0.0
            if _differs(r.imported_t_per_yr, r.tonnes_per_yr) or _differs(
                r.imported_on_terms_t_per_yr, want_terms
            ):
                v.append(Violation("imported_balance", ids, "import flow's origin columns wrong"))
        elif r.stage == "collection" and (r.imported_t_per_yr or r.imported_on_terms_t_per_yr):
            v.append(Violation("imported_balance", ids, "collection with imported tonnes"))
    return v


def imported_balance(c: Context) -> list[Violation]:
    """(4i) per hub and commodity, the import-origin output of each pricing = yield x the
    imports of that pricing taken in."""
    v = _import_rows(c)
    t = c.t
    imp = t[t["stage"] == "import"]
    out = t[t["stage"].isin(["delivery", "export"])]
    terms_in = imp.groupby(["destination", "commodity"])["imported_on_terms_t_per_yr"].sum()
    all_in = imp.groupby(["destination", "commodity"])["tonnes_per_yr"].sum()
    terms_out = out.groupby(["origin", "commodity"])["imported_on_terms_t_per_yr"].sum()
    all_out = out.groupby(["origin", "commodity"])["imported_t_per_yr"].sum()
    for key in all_in.index.union(all_out.index):
        y = c.yield_share[key[1]]
        for what, got, took in (
            ("bought on terms", terms_out, terms_in),
            ("imported", all_out, all_in),
        ):
            sent, taken = float(got.get(key, 0.0)), float(took.get(key, 0.0))
            if _differs(sent, y * taken):
                v.append(
                    Violation(
                        "imported_balance",
                        ", ".join(key),
                        f"sends on {sent:.6g} t {what}; yield x imports in = {y * taken:.6g} t",
                    )
                )
    return v


def imported_within_flow(c: Context) -> list[Violation]:
    """(4j) import-origin tonnes within the flow, tonnes on terms within those; tonnes on terms
    only on deliveries to smelters with terms for them (never exported)."""
    v = []
    value = payable_values(c)
    for r in c.t.itertuples(index=False):
        ids = f"{r.lane}, {r.commodity}"
        if r.imported_t_per_yr > r.tonnes_per_yr + ABS_TOL + REL_TOL * r.tonnes_per_yr:
            v.append(
                Violation(
                    "imported_within_flow",
                    ids,
                    f"{r.imported_t_per_yr:.6g} t imported > flow {r.tonnes_per_yr:.6g} t",
                )
            )
        if r.imported_on_terms_t_per_yr > r.imported_t_per_yr + ABS_TOL:
            v.append(Violation("imported_within_flow", ids, "more on terms than imported"))
        if r.imported_on_terms_t_per_yr > ABS_TOL and r.stage != "import":
            if r.stage != "delivery":
                v.append(Violation("imported_within_flow", ids, "imports on terms exported"))
            elif (r.destination, r.commodity) not in value:
                v.append(Violation("imported_within_flow", ids, f"{r.destination} has no terms"))
    return v


def import_origin_recovered(c: Context) -> dict[str, float]:
    """Tonnes of each element recovered from the import-origin part of the deliveries."""
    recovery = c.instance.recovery.set_index(["facility", "element"])["recovery_share"].to_dict()
    out: dict[str, float] = defaultdict(float)
    deliv = c.t[c.t["stage"] == "delivery"]
    for m, k, x in deliv[["destination", "commodity", "imported_t_per_yr"]].itertuples(index=False):
        if k not in c.content.index:
            continue
        for e, g in c.content.loc[k].items():
            share = float(recovery.get((m, e), 0.0))
            if g > 0 and share > 0:
                out[str(e)] += x * g / 1e6 / c.yield_share[k] * share
    return dict(out)


def origin_split(c: Context) -> list[Violation]:
    """metals.csv's split of recovered metal by origin and the capture share, recomputed."""
    metals = c.tables["metals"].set_index("element")
    from_imports = import_origin_recovered(c)
    domestic_content = (c.content.mul(c.gen_k, axis=0, fill_value=0.0).sum() / 1e6).to_dict()
    v = []
    for e in metals.index:
        imp = from_imports.get(e, 0.0)
        dom = c.recovered.get(e, 0.0) - imp
        content = float(domestic_content.get(e, 0.0))
        capture = dom / content if content > 0 else math.nan
        for column, expect in (
            ("recovered_import_origin_t_per_yr", imp),
            ("recovered_domestic_origin_t_per_yr", dom),
            ("domestic_capture_share", capture),
        ):
            got = float(metals.at[e, column])
            both_nan = math.isnan(got) and math.isnan(expect)
            if not both_nan and (math.isnan(got) or math.isnan(expect) or _differs(got, expect)):
                v.append(
                    Violation(
                        "origin_split",
                        e,
                        f"metals.csv says {column} {got:.6g}, recomputed {expect:.6g}",
                    )
                )
    return v


__all__ = ["imported_balance", "imported_within_flow", "origin_split", "terms_import_cost"]
