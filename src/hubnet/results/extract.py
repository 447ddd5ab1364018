"""Solved Pyomo model -> `Solution`: the last place Pyomo is touched.

Reads the loaded values once as numbers (`model.variables.solution_values`), evaluates the
cost terms on them (`model.objective.term_values`) and builds every table with the columns
`results/schema.py` declares, in its order and types (`conform`).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from hubnet.instance import Instance
from hubnet.model import COST_TERMS, ModelData
from hubnet.model.objective import term_values
from hubnet.model.payables import TERMS
from hubnet.model.variables import solution_values
from hubnet.report import SolveReport
from hubnet.results.calibration import calibration_brief, calibration_table
from hubnet.results.marginals import marginal_lines, marginals_table
from hubnet.results.schema import FLOWS, IMPORTS, SITES, conform
from hubnet.results.solution import Solution

TOL = 1e-7


def _values(values: dict, index: list) -> np.ndarray:
    """`values[i]` over `index`, with solver noise below TOL set to 0."""
    out = np.fromiter((values.get(i, 0.0) for i in index), dtype=float, count=len(index))
    out[np.abs(out) < TOL] = 0.0
    return out


def extract(
    m: pyo.ConcreteModel,
    data: ModelData,
    instance: Instance,
    lanes: pd.DataFrame,
    report: SolveReport,
    scenario: str = "baseline",
    weight: float = 1.0,
) -> Solution:
    """The solution in `m` (a model, or a roadmap year's block whose cost has `weight` in
    the objective solved: marginal values are per year of it)."""
    values = solution_values(m, data)
    terms_of = term_values(data, values)
    flows = flows_table(data, values, lanes)
    facilities = facilities_table(data, values, instance, flows)
    leakage = leakage_table(data, values, instance)
    exports = exports_table(instance, flows)
    imports = imports_table(instance, flows)
    metals = metals_table(data, instance, terms_of)
    terms = {t: terms_of[t] for t in COST_TERMS}
    terms["total_cost"] = float(report.objective) if report.objective is not None else np.nan
    kpis = pd.DataFrame({"term": list(terms), "value_jpy_per_yr": list(terms.values())})
    by_commodity = leakage_by_commodity(instance, leakage, exports, informal_t(data, values))
    brief = planner_brief(facilities, flows, leakage, imports, exports, metals)
    brief["informal_t_per_yr"] = float(by_commodity["informal_t_per_yr"].sum())
    brief["co2_t_per_yr"] = terms_of["co2_emissions"]
    brief["smelter_payments_domestic_jpy"] = terms_of["smelter_payments_domestic"]
    brief["smelter_payments_import_jpy"] = terms_of["smelter_payments_import"]
    solution = Solution(
        instance=instance.name,
        scenario=scenario,
        report=report,
        sites=conform("sites", instance.sites[SITES.names]),
        facilities=facilities,
        flows=flows,
        leakage=leakage,
        leakage_by_commodity=by_commodity,
        exports=exports,
        imports=imports,
        metals=metals,
        kpis=conform("kpis", kpis),
        brief=brief,
    )
    calibration = calibration_table(instance, solution.tables())
    brief.update(calibration_brief(calibration))
    marginals = marginals_table(m, data, instance, weight)
    brief["marginals_largest"] = marginal_lines(marginals)
    return dataclasses.replace(solution, calibration=calibration, marginals=marginals)


def flows_table(data: ModelData, values: dict, lanes: pd.DataFrame) -> pd.DataFrame:
    """Tonnes per lane and commodity (rows with tonnes only), with the lane's attributes."""
    tonnes = _values(values["flow"], data.flow_index)
    imported, on_terms = _imported(data, values, tonnes)
    flows = pd.DataFrame(data.flow_index, columns=["lane", "commodity"]).assign(
        tonnes_per_yr=tonnes, imported_t_per_yr=imported, imported_on_terms_t_per_yr=on_terms
    )
    flows = flows[flows["tonnes_per_yr"] > 0].merge(lanes, on="lane", how="left")
    flows["cost_jpy_per_yr"] = flows["tonnes_per_yr"] * flows["cost_jpy_per_t"]
    flows["co2_t_per_yr"] = flows["tonnes_per_yr"] * flows["co2_kg_per_t"] / 1000.0
    return conform("flows", flows[FLOWS.names])


def _imported(data: ModelData, values: dict, tonnes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per flow, its tonnes of import origin and those bought at terms: all of an import
    flow, the `imported` columns of a flow out of a hub."""
    total: dict = {}
    terms: dict = {}
    for (a, k, p), x in values["imported"].items():
        total[a, k] = total.get((a, k), 0.0) + x
        if p == TERMS:
            terms[a, k] = terms.get((a, k), 0.0) + x
    imported, on_terms = _values(total, data.flow_index), _values(terms, data.flow_index)
    for i, (a, k) in enumerate(data.flow_index):
        if data.lane_stage[a] == "import":
            imported[i] = tonnes[i]
            on_terms[i] = 0.0 if (a, k) in data.import_price else tonnes[i]
    return imported, on_terms


def facilities_table(
    data: ModelData, values: dict, instance: Instance, flows: pd.DataFrame
) -> pd.DataFrame:
    """One row per hub and smelter: level chosen, capacity, throughput and costs."""
    sites = instance.sites.set_index("id")
    inflow = flows.groupby("destination")["tonnes_per_yr"].sum()
    opened = _values(values["open_level"], data.level_index)
    chosen = {f: lv for (f, lv), x in zip(data.level_index, opened, strict=True) if x > 0.5}
    levels = instance.capacity_levels.set_index(["facility", "level"])
    rows = []
    for f, r in instance.facilities.set_index("site").iterrows():
        lv = chosen.get(f)
        existing = data.existing_capacity[f]
        added = levels.at[(f, lv), "capacity_t_per_yr"] if lv else 0.0
        fixed = levels.at[(f, lv), "fixed_cost_jpy_per_yr"] if lv else 0.0
        cap = existing + added
        through = float(inflow.get(f, 0.0))
        rows.append(
            {
                "facility": f,
                "name": sites.at[f, "name"],
                "name_ja": sites.at[f, "name_ja"],
                "role": r["role"],
                "lat": sites.at[f, "lat"],
                "lon": sites.at[f, "lon"],
                "status": r["status"],
                "open": bool(lv) or existing > 0,
                "level": lv or "",
                "existing_capacity_t_per_yr": existing,
                "capacity_t_per_yr": cap,
                "throughput_t_per_yr": through,
                "utilisation_share": through / cap if cap > 0 else 0.0,
                "fixed_cost_jpy_per_yr": float(fixed),
                "processing_cost_jpy_per_yr": through * float(r["processing_cost_jpy_per_t"]),
            }
        )
    return conform("facilities", pd.DataFrame(rows))


def leakage_table(data: ModelData, values: dict, instance: Instance) -> pd.DataFrame:
    """Generation, collection and what stays uncollected, per source and commodity."""
    unc = _values(values["uncollected"], data.supply_index)
    leakage = pd.DataFrame(data.supply_index, columns=["source", "commodity"])
    leakage["name"] = leakage["source"].map(instance.sites.set_index("id")["name"])
    leakage["generation_t_per_yr"] = [data.generation[i] for i in data.supply_index]
    leakage["uncollected_t_per_yr"] = unc
    leakage["collected_t_per_yr"] = leakage["generation_t_per_yr"] - unc
    leakage["uncollected_share"] = unc / leakage["generation_t_per_yr"]
    return conform("leakage", leakage)


def exports_table(instance: Instance, flows: pd.DataFrame) -> pd.DataFrame:
    """Hub output sold abroad, per market and commodity, with its revenue."""
    exp = flows[flows["stage"] == "export"]
    exports = (
        exp.groupby(["destination", "commodity"], as_index=False)["tonnes_per_yr"]
        .sum()
        .rename(columns={"destination": "market", "tonnes_per_yr": "exported_t_per_yr"})
    )
    exports = exports.merge(
        instance.exports.rename(columns={"site": "market"})[
            ["market", "commodity", "price_jpy_per_t"]
        ],
        on=["market", "commodity"],
        how="left",
    )
    exports["name"] = exports["market"].map(instance.sites.set_index("id")["name"])
    exports["revenue_jpy_per_yr"] = exports["exported_t_per_yr"] * exports["price_jpy_per_t"]
    return conform("exports", exports)


def imports_table(instance: Instance, flows: pd.DataFrame) -> pd.DataFrame:
    """Every import offer and how much of it is bought."""
    sites = instance.sites.set_index("id")
    imp = flows[flows["stage"] == "import"]
    imported = imp.groupby(["origin", "commodity"])["tonnes_per_yr"].sum()
    imports = instance.imports.rename(columns={"site": "origin"})
    imports = imports.assign(
        imported_t_per_yr=[
            float(imported.get((o, k), 0.0))
            for o, k in zip(imports["origin"], imports["commodity"], strict=True)
        ],
        name=imports["origin"].map(sites["name"]),
        region=imports["origin"].map(sites["region"]),
    )
    # imports on terms (no price) are paid on delivery: their cost has no origin row
    imports["purchase_cost_jpy_per_yr"] = imports["imported_t_per_yr"] * imports["price_jpy_per_t"]
    return conform("imports", imports[IMPORTS.names])


def metals_table(data: ModelData, instance: Instance, terms_of: dict) -> pd.DataFrame:
    """Elements recovered, their value, their split by origin and the share of the domestic
    content recovered (the capture share counts domestic-origin metal only)."""
    el = instance.elements.set_index("id")
    recovered = {e: terms_of[f"recovered_t[{e}]"] for e in data.elements}
    from_imports = {e: terms_of[f"recovered_import_t[{e}]"] for e in data.elements}
    domestic = dict.fromkeys(data.elements, 0.0)
    for (k, e), t in data.content_t_per_t.items():
        domestic[e] += t * data.commodity_generation.get(k, 0.0)
    metals = pd.DataFrame(
        {
            "element": data.elements,
            "name": [el.at[e, "name"] for e in data.elements],
            "recovered_t_per_yr": [recovered[e] for e in data.elements],
            "value_jpy_per_yr": [
                recovered[e] * 1000.0 * el.at[e, "price_jpy_per_kg"] for e in data.elements
            ],
            "domestic_content_t_per_yr": [domestic[e] for e in data.elements],
            "recovered_import_origin_t_per_yr": [from_imports[e] for e in data.elements],
        }
    )
    metals["recovered_domestic_origin_t_per_yr"] = (
        metals["recovered_t_per_yr"] - metals["recovered_import_origin_t_per_yr"]
    ).clip(lower=0.0)
    dom = metals["domestic_content_t_per_yr"]
    metals["domestic_capture_share"] = np.where(
        dom > 0, metals["recovered_domestic_origin_t_per_yr"] / dom.where(dom > 0, 1.0), np.nan
    )
    demand = el["demand_t_per_yr"].reindex(data.elements).to_numpy(dtype=float)
    known = demand > 0
    metals["demand_t_per_yr"] = demand
    for column, of in (
        ("supply_share", "recovered_t_per_yr"),
        ("domestic_origin_supply_share", "recovered_domestic_origin_t_per_yr"),
        ("import_origin_supply_share", "recovered_import_origin_t_per_yr"),
    ):
        metals[column] = np.where(known, metals[of] / np.where(known, demand, 1.0), np.nan)
    metals["min_supply_share"] = el["min_supply_share"].reindex(data.elements).to_numpy(float)
    return conform("metals", metals)


def informal_t(data: ModelData, values: dict) -> dict[str, float]:
    """Per grade with an informal channel, the tonnes it takes (8d): its capacity less what
    the formal system wins back. Where winning back costs nothing every split is optimal,
    and the channel is taken to keep what it can of the uncollected."""
    won = values["won_back"]
    uncollected: dict[str, float] = {}
    for (_, k), t in values["uncollected"].items():
        uncollected[k] = uncollected.get(k, 0.0) + t
    out = {}
    for k, q in data.informal_capacity.items():
        left = max(uncollected.get(k, 0.0), 0.0)
        taken = q - won.get(k, 0.0) if data.informal_match_price[k] > 0 else q
        out[k] = min(max(taken, 0.0), left)
    return out


def leakage_by_commodity(
    instance: Instance,
    leakage: pd.DataFrame,
    exports: pd.DataFrame,
    informal: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Leakage per commodity as (8a) counts it: uncollected + exported hub output / yield;
    and what of it the informal channels take (`informal`, commodity -> t/yr)."""
    com = instance.commodities.set_index("id")
    by_k = leakage.groupby("commodity")[["generation_t_per_yr", "uncollected_t_per_yr"]].sum()
    exported = exports.groupby("commodity")["exported_t_per_yr"].sum()
    out = pd.DataFrame({"commodity": com.index, "name": com["name"].to_numpy()})
    out["generation_t_per_yr"] = out["commodity"].map(by_k["generation_t_per_yr"]).fillna(0.0)
    out["uncollected_t_per_yr"] = out["commodity"].map(by_k["uncollected_t_per_yr"]).fillna(0.0)
    out["exported_t_per_yr"] = out["commodity"].map(exported).fillna(0.0)
    yields = out["commodity"].map(com["hub_yield_share"]).astype(float)
    sold = out["exported_t_per_yr"] > 0
    out["exported_raw_t_per_yr"] = np.where(
        sold, out["exported_t_per_yr"] / yields.where(sold, 1.0), 0.0
    )
    out["leakage_t_per_yr"] = out["uncollected_t_per_yr"] + out["exported_raw_t_per_yr"]
    gen = out["generation_t_per_yr"]
    out["leakage_share"] = np.where(
        gen > 0, out["leakage_t_per_yr"] / gen.where(gen > 0, 1.0), np.nan
    )
    taken = out["commodity"].map(informal or {}).fillna(0.0).astype(float)
    out["informal_t_per_yr"] = taken.where(taken.abs() >= TOL, 0.0)
    out["max_leakage_share"] = out["commodity"].map(com["max_leakage_share"]).astype(float)
    return conform("leakage_by_commodity", out)


def planner_brief(
    facilities: pd.DataFrame,
    flows: pd.DataFrame,
    leakage: pd.DataFrame,
    imports: pd.DataFrame,
    exports: pd.DataFrame,
    metals: pd.DataFrame,
) -> dict:
    """Headline numbers for the planner's brief and the batch comparison (pure pandas)."""
    hubs = facilities[facilities["role"] == "hub"]
    smelters = facilities[facilities["role"] == "smelter"]
    opened = hubs[hubs["level"] != ""]
    return {
        "hubs_opened": int(len(opened)),
        "hubs_opened_list": [
            f"{f} ({lv})" for f, lv in zip(opened["facility"], opened["level"], strict=False)
        ],
        "hubs_in_use": int((hubs["throughput_t_per_yr"] > 0).sum()),
        "smelter_expansions": [
            f"{f} (+{lv})"
            for f, lv in zip(smelters["facility"], smelters["level"], strict=False)
            if lv
        ],
        "generation_t_per_yr": float(leakage["generation_t_per_yr"].sum()),
        "collected_t_per_yr": float(leakage["collected_t_per_yr"].sum()),
        "uncollected_t_per_yr": float(leakage["uncollected_t_per_yr"].sum()),
        "uncollected_by_commodity_t": leakage.groupby("commodity")["uncollected_t_per_yr"]
        .sum()
        .round(3)
        .to_dict(),
        "exported_t_per_yr": float(exports["exported_t_per_yr"].sum()) if len(exports) else 0.0,
        "imported_t_per_yr": float(imports["imported_t_per_yr"].sum()),
        "imported_by_region_t": imports.groupby("region")["imported_t_per_yr"]
        .sum()
        .round(3)
        .to_dict(),
        "smelter_intake_t_per_yr": float(smelters["throughput_t_per_yr"].sum()),
        "metals_recovered_t": metals.set_index("element")["recovered_t_per_yr"].round(6).to_dict(),
    }
