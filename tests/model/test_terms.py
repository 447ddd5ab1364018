"""Imports priced by payable terms and the origin split of recovered metal, solved by HiGHS
on tiny instances whose optimum is worked out by hand in each docstring.

Gold is at 10,000 JPY/kg, so g grams per tonne are worth 10 x g JPY per tonne contained. A
smelter pays V = payable x content x price - treatment charge per raw tonne (terms.csv,
payables.csv); an import without a price is bought at the best V of the smelters that take it
(they compete for the tonne); Japan's welfare from an import is the metal recovered minus that
price (or the origin price) minus freight.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from builders import write_instance

from hubnet.instance import load_instance
from hubnet.results import check
from hubnet.run import RunOptions, run_one

QUIET = RunOptions(write=False, maps=False)


def site(id_, kind, region=""):
    return {"id": id_, "name": id_, "kind": kind, "lat": 35.0, "lon": 135.0, "region": region}


def facility(id_, role, accepts, existing=1000):
    return {
        "site": id_,
        "role": role,
        "existing_capacity_t_per_yr": existing,
        "processing_cost_jpy_per_t": 0,
        "accepts": accepts,
    }


def lane(o, d, cost):
    return {"origin": o, "destination": d, "cost_jpy_per_t": cost, "distance_km": 0.0}


def terms(m, k, tc, payable):
    return (
        {"smelter": m, "commodity": k, "treatment_charge_jpy_per_t": tc},
        {"smelter": m, "commodity": k, "element": "Au", "payable_share": payable},
    )


def solve(tmp_path, tables):
    folder = write_instance(tmp_path / "inst", tables)
    rec = run_one(folder, options=QUIET)
    assert rec.violations == []
    # the checker recomputes (4i), (4j), the import cost with terms and the origin split
    assert check(load_instance(folder), rec.solution.tables(), rec.objective) == []
    return rec


def two_grades_two_smelters() -> dict:
    """Origin O offers 100 t of `rich` (100 g/t Au, 1,000 JPY/t contained) and 100 t of `lean`
    (20 g/t, 200 JPY/t), neither with a price: bought at the best terms of the smelters that
    take them (they compete for it). Both smelters recover all the gold (metal value =
    content value), hub yield 1.

    Terms (V = payable x content value - TC):
      M1: rich 0.90 x 1,000 - 50 = 850, lean 0.90 x 200 - 50 = 130;
      M2: rich 0.95 x 1,000 -  0 = 950, lean 0.95 x 200 -  0 = 190.
    Best terms: rich 950, lean 190 (both M2's). Japan's margin before freight (metal value -
    price): rich 50, lean 10, whichever smelter treats it.
    Freight: O -> H 20 JPY/t, H -> M1 80, H -> M2 0. Net of freight:
      rich: M1 50 - 100 = -50, M2 50 - 20 = +30: imported, to M2 (the better terms, and the
      cheaper haul);
      lean: M1 10 - 100 = -90, M2 10 - 20 = -10: not imported.
    """
    rows = [
        *terms("M1", "rich", 50, 0.90),
        *terms("M1", "lean", 50, 0.90),
        *terms("M2", "rich", 0, 0.95),
        *terms("M2", "lean", 0, 0.95),
    ]
    grades = "rich;lean"
    return {
        "sites": [
            site("S", "source"),
            site("O", "origin", "EU"),
            site("H", "hub"),
            site("M1", "smelter"),
            site("M2", "smelter"),
        ],
        "commodities": [
            {"id": "rich", "name": "Rich", "hub_yield_share": 1.0},
            {"id": "lean", "name": "Lean", "hub_yield_share": 1.0},
        ],
        "elements": [{"id": "Au", "name": "Gold", "price_jpy_per_kg": 10000}],
        "contents": [
            {"commodity": "rich", "element": "Au", "content_g_per_t": 100},
            {"commodity": "lean", "element": "Au", "content_g_per_t": 20},
        ],
        "supply": [{"site": "S", "commodity": "rich", "generation_t_per_yr": 0}],
        "imports": [
            {"site": "O", "commodity": k, "available_t_per_yr": 100, "price_jpy_per_t": ""}
            for k in ("rich", "lean")
        ],
        "facilities": [
            facility("H", "hub", grades),
            facility("M1", "smelter", grades),
            facility("M2", "smelter", grades),
        ],
        "capacity_levels": [],
        "recovery": [{"facility": m, "element": "Au", "recovery_share": 1.0} for m in ("M1", "M2")],
        "terms": [r for r in rows if "treatment_charge_jpy_per_t" in r],
        "payables": [r for r in rows if "payable_share" in r],
        "lanes": [
            lane("S", "H", 0),
            lane("O", "H", 20),
            lane("H", "M1", 80),
            lane("H", "M2", 0),
        ],
    }


def test_the_grade_whose_margin_covers_freight_is_imported_by_the_better_terms(tmp_path):
    """Optimum (two_grades_two_smelters): 100 t rich via M2 at +30/t -> cost -3,000; import
    cost 100 x 950 = 95,000 at the best terms, transport 100 x 20 = 2,000, metal 100 x 1,000
    = 100,000."""
    rec = solve(tmp_path, two_grades_two_smelters())
    assert rec.objective == pytest.approx(-3000.0, abs=1e-6)
    imports = rec.solution.imports.set_index("commodity")
    assert imports.at["rich", "imported_t_per_yr"] == pytest.approx(100.0)
    assert imports.at["lean", "imported_t_per_yr"] == pytest.approx(0.0, abs=1e-6)
    smelters = rec.solution.facilities.set_index("facility")
    assert smelters.at["M2", "throughput_t_per_yr"] == pytest.approx(100.0)
    assert smelters.at["M1", "throughput_t_per_yr"] == pytest.approx(0.0, abs=1e-6)
    kpis = dict(zip(rec.solution.kpis["term"], rec.solution.kpis["value_jpy_per_yr"], strict=True))
    assert kpis["import_cost"] == pytest.approx(95000.0)
    assert rec.solution.brief["smelter_payments_import_jpy"] == pytest.approx(95000.0)
    assert rec.solution.brief["smelter_payments_domestic_jpy"] == pytest.approx(0.0, abs=1e-6)


def test_a_tonne_is_paid_at_the_best_terms_whichever_smelter_treats_it(tmp_path):
    """M2 can take only 60 t: 60 t rich to M2 at +30/t; the other 40 t would go to M1 at the
    same price, 950, where the margin is 50 - 100 = -50: not bought. Cost -1,800; import cost
    60 x 950 = 57,000 (paying M1's own 850 would have made M1 worth +50/t)."""
    tables = two_grades_two_smelters()
    tables["facilities"][2]["existing_capacity_t_per_yr"] = 60
    rec = solve(tmp_path, tables)
    assert rec.objective == pytest.approx(-1800.0, abs=1e-6)
    kpis = dict(zip(rec.solution.kpis["term"], rec.solution.kpis["value_jpy_per_yr"], strict=True))
    assert kpis["import_cost"] == pytest.approx(57000.0)
    smelters = rec.solution.facilities.set_index("facility")
    assert smelters.at["M1", "throughput_t_per_yr"] == pytest.approx(0.0, abs=1e-6)


def test_the_smelter_with_lower_terms_pays_the_best_terms_when_it_treats_the_tonne(tmp_path):
    """The haul to M2 costs 80 and to M1 nothing: rich goes to M1 (1,000 - 950 - 20 = +30/t
    against -50/t at M2), still bought at M2's better terms, 950 (not M1's own 850): cost
    -3,000, import cost 95,000. The checker recomputes the import cost at the best terms too
    (at M1's own terms it would find 85,000 and reject the objective)."""
    tables = two_grades_two_smelters()
    tables["lanes"][2]["cost_jpy_per_t"] = 0  # H -> M1
    tables["lanes"][3]["cost_jpy_per_t"] = 80  # H -> M2
    rec = solve(tmp_path, tables)
    assert rec.objective == pytest.approx(-3000.0, abs=1e-6)
    smelters = rec.solution.facilities.set_index("facility")
    assert smelters.at["M1", "throughput_t_per_yr"] == pytest.approx(100.0)
    kpis = dict(zip(rec.solution.kpis["term"], rec.solution.kpis["value_jpy_per_yr"], strict=True))
    assert kpis["import_cost"] == pytest.approx(95000.0)


def mixing_hub(price: object = "") -> dict:
    """Source S: 100 t of PCB (100 g/t Au); origin O offers 50 t. Hub H yield 0.5, smelter M
    recovers 80 % of the gold and pays, at its terms, 0.5 x 1,000 - 100 = 400 JPY per raw
    tonne (800 per delivered tonne). Freight S -> H 10, O -> H 20, H -> M 0.

    A raw tonne yields 0.5 t carrying all its gold: 100 g x 0.8 = 80 g recovered, worth
    800 JPY. Domestic: 800 - 10 > 0, all collected; import on terms: 800 - 400 - 20 > 0, all
    bought. The hub sends 0.5 x 150 = 75 t to M, of which 0.5 x 50 = 25 t of import origin.
    """
    return {
        "sites": [
            site("S", "source"),
            site("O", "origin", "EU"),
            site("H", "hub"),
            site("M", "smelter"),
        ],
        "commodities": [{"id": "pcb", "name": "PCB", "hub_yield_share": 0.5}],
        "elements": [{"id": "Au", "name": "Gold", "price_jpy_per_kg": 10000}],
        "contents": [{"commodity": "pcb", "element": "Au", "content_g_per_t": 100}],
        "supply": [{"site": "S", "commodity": "pcb", "generation_t_per_yr": 100}],
        "imports": [
            {"site": "O", "commodity": "pcb", "available_t_per_yr": 50, "price_jpy_per_t": price}
        ],
        "facilities": [facility("H", "hub", "pcb"), facility("M", "smelter", "pcb")],
        "capacity_levels": [],
        "recovery": [{"facility": "M", "element": "Au", "recovery_share": 0.8}],
        "terms": [{"smelter": "M", "commodity": "pcb", "treatment_charge_jpy_per_t": 100}],
        "payables": [{"smelter": "M", "commodity": "pcb", "element": "Au", "payable_share": 0.5}],
        "lanes": [lane("S", "H", 10), lane("O", "H", 20), lane("H", "M", 0)],
    }


def test_recovered_metal_splits_by_origin_on_a_hub_that_mixes_them(tmp_path):
    """mixing_hub: 75 t delivered x 160 g/t recovered = 12 kg of gold, 25 t of them imported
    = 4 kg of import origin, 8 kg domestic; domestic content 100 t x 100 g = 10 kg, so the
    capture share is 0.8 (the mixed 'recovered / domestic content' would say 1.2).
    Objective: transport 1,000 + 1,000, imports 25 x 800 = 20,000, metal 75 x 1,600 =
    120,000: -98,000. The smelter pays domestic sellers 50 t x 800 = 40,000 (a cash flow,
    not in the objective)."""
    rec = solve(tmp_path, mixing_hub())
    assert rec.objective == pytest.approx(-98000.0, abs=1e-6)
    metals = rec.solution.metals.set_index("element")
    assert metals.at["Au", "recovered_t_per_yr"] == pytest.approx(0.012)
    assert metals.at["Au", "recovered_import_origin_t_per_yr"] == pytest.approx(0.004)
    assert metals.at["Au", "recovered_domestic_origin_t_per_yr"] == pytest.approx(0.008)
    assert metals.at["Au", "domestic_capture_share"] == pytest.approx(0.8)
    deliv = rec.solution.flows.set_index("stage").loc["delivery"]
    assert deliv["imported_t_per_yr"] == pytest.approx(25.0)
    assert deliv["imported_on_terms_t_per_yr"] == pytest.approx(25.0)
    assert rec.solution.brief["smelter_payments_domestic_jpy"] == pytest.approx(40000.0)
    assert rec.solution.brief["smelter_payments_import_jpy"] == pytest.approx(20000.0)


def test_imports_on_terms_are_not_exported_but_priced_ones_may_be(tmp_path):
    """mixing_hub plus a foreign buyer X paying 3,000 JPY per tonne of hub output (up to
    1,000 t), lane H -> X free.

    Bought at terms, imports must reach the smelter: as in mixing_hub, the import is worth
    (1,600 - 800) x 25 - 20 x 50 = 19,000. Domestic output goes abroad instead, 3,000 > 1,600
    per tonne: 50 t x 3,000 = 150,000 less 1,000 freight. Cost -(149,000 + 19,000) = -168,000.
    Priced at the origin at 400 JPY/t (the same as the terms), the import is exported too:
    25 t x 3,000 - 50 x (400 + 20) = 54,000: cost -(149,000 + 54,000) = -203,000."""
    tables = mixing_hub()
    tables["sites"].append(site("X", "market"))
    tables["exports"] = [
        {"site": "X", "commodity": "pcb", "max_t_per_yr": 1000, "price_jpy_per_t": 3000}
    ]
    tables["lanes"].append(lane("H", "X", 0))
    on_terms = solve(tmp_path / "terms", tables)
    assert on_terms.objective == pytest.approx(-168000.0, abs=1e-6)
    assert on_terms.solution.brief["exported_t_per_yr"] == pytest.approx(50.0)
    tables["imports"][0]["price_jpy_per_t"] = 400
    priced = solve(tmp_path / "priced", tables)
    assert priced.objective == pytest.approx(-203000.0, abs=1e-6)
    assert priced.solution.brief["exported_t_per_yr"] == pytest.approx(75.0)


def test_the_checker_rejects_an_imported_balance_that_is_off(tmp_path):
    """mixing_hub's delivery carries 25 t of import origin; written as 20 t, the hub sends on
    20 t of the 0.5 x 50 = 25 t (4i), and the terms payment no longer adds up."""
    folder = write_instance(tmp_path / "inst", mixing_hub())
    rec = run_one(folder, options=QUIET)
    tables = rec.solution.tables()
    flows = tables["flows"].copy()
    at = flows["stage"] == "delivery"
    flows.loc[at, "imported_t_per_yr"] = 20.0
    flows.loc[at, "imported_on_terms_t_per_yr"] = 20.0
    tables["flows"] = flows
    families = {v.family for v in check(load_instance(folder), tables, rec.objective)}
    assert {"imported_balance", "objective", "origin_split"} <= families


def test_the_brief_says_what_is_welfare_and_what_is_a_cash_flow(tmp_path):
    """mixing_hub's figures as the planner reads them: network cost (transport 2,000) and
    imports (20,000) against the metal (120,000) in the objective; 40,000 paid to domestic
    sellers as a cash flow; 8 of the 10 kg of domestic gold captured."""
    folder = write_instance(tmp_path / "inst", mixing_hub())
    p = subprocess.run(
        [sys.executable, "-c", "from hubnet.cli import main; main()", "solve", str(folder)]
        + ["--out", str(tmp_path / "out"), "--no-maps"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    text = " ".join(p.stdout.split())
    assert (
        "Welfare (the objective): the network costs ¥2,000 and imports ¥20,000 against metal "
        "worth ¥120,000. Cash flows at the smelters' terms: ¥40,000 to domestic sellers "
        "(between Japanese parties, not in the objective), ¥20,000 to foreign sellers"
    ) in text
    assert "Au 12 kg (80% of domestic content captured)" in text
