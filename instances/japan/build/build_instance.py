"""Build the shipped `japan` instance from the shared research data.

Usage (from anywhere):

    python instances/japan/build/build_instance.py [DATA_DIR]

DATA_DIR defaults to ../../../../shared/data relative to this file (i.e. /work/shared/data).
The script writes every CSV table and `instance.toml` into the instance folder (the parent of
this `build/` folder), deterministically: sorted rows, fixed number formats, UTF-8 without BOM,
LF line endings. It then runs `check_instance.py` on what it wrote.

Where a number comes from: each constant names its line in FACTS.md (section and row) or is
marked [EST] (an estimate made for this instance). SOURCES.md in the instance folder is the
reader's version of the same information.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import MultiPolygon

HERE = Path(__file__).resolve().parent
INSTANCE_DIR = HERE.parent
DEFAULT_DATA_DIR = HERE / ".." / ".." / ".." / ".." / "shared" / "data"

# ---------------------------------------------------------------------------------------------
# General conversions
# ---------------------------------------------------------------------------------------------
JPY_PER_USD = 150.0  # FACTS "Conventions": ¥150 = US$1 [EST, 2024-25 average]
G_PER_TROY_OZ = 31.1034768
CRF = 0.117  # FACTS 5 "Regional pre-processing hub": 8 %/15 yr capital recovery factor
FIXED_OM_SHARE = 0.04  # FACTS 5 "Regional pre-processing hub": fixed O&M 4 % of capex per year
JPY_PER_FTE = 6_000_000  # FACTS 5 "Regional pre-processing hub": ~20 FTE x ¥6 M

# ---------------------------------------------------------------------------------------------
# Commodities
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commodity:
    id: str
    name: str
    hub_yield_share: float  # [EST] reasoned per grade, see comments in COMMODITIES
    leakage_penalty_jpy_per_t: float  # [EST]
    max_leakage_share: float | None  # None: no cap
    national_supply_t: float  # GENERATION (not collection), 2025; source per grade below
    informal_price_jpy_per_t: float | None  # spec C: what the informal channel pays (None: none)
    informal_capacity_t: float | None  # spec C: most tonnes a year the informal channel takes
    #: most share of generation any hub can collect; the rest is hoarded or leaves with
    #: household waste, out of any collection system's reach
    collectable_share: float = 1.0


# Generation of each grade and its informal channel. "Observed collection" is in OBSERVED.
# fmt: off
COMMODITIES: tuple[Commodity, ...] = (
    # id, name, hub_yield_share, leakage_penalty, max_leakage_share, generation,
    #     informal price, informal capacity
    # Boards: sorting off loose Al/Fe parts and cables; ~95 % goes on to the smelter [EST].
    # Generation 15 kt: FACTS 6 "Suggested default national supply" [EST] (business IT,
    # telecom and server boards). Informal: reuse export of working IT equipment, ~10 % [EST];
    # it pays more than the boards' metal (~¥4.9 M/t gross) because the device is resold
    # whole: ¥6 M per t of board [EST].
    Commodity("pcb_high", "High-grade PCB (IT, telecom, server boards)",
              0.95, 30_000, None, 15_000, 6_000_000, 1_500),
    # TV/appliance boards carry heat sinks, transformers, big capacitors that are cut off [EST].
    # Generation 25 kt [EST derived]: boards ~3 % [EST] of the ~0.6 Mt of four home appliances
    # processed (FACTS 6: 526,746 t re-commercialised FY2022) = ~18 kt, over the 70.2-70.4 %
    # recovery rate vs units discarded (FACTS 6 FY2022; roadmap A3 FY2023) = ~25 kt.
    # Informal: the ~30 % of units outside the legal route (roadmap A3: ~1.45 M air
    # conditioners to "illegal" collectors FY2023) = 7.5 kt of boards. Price [EST]: the holder
    # saves the recycling and pickup fees (~¥3,000-5,000 a unit [EST]) on a unit holding
    # ~1-2 kg of board: ~¥2 M per t of board, well above the board's metal (~¥0.55 M/t).
    Commodity("pcb_low", "Low-grade PCB (TV, appliance, power-supply boards)",
              0.85, 30_000, None, 25_000, 2_000_000, 7_500),
    # Handsets: the battery (~15-20 % of mass) is pulled before smelting [EST].
    # Generation 4 kt [EST derived]: ~27 M handsets leave use a year (shipments ~30 M/yr in
    # steady state [EST]; 36.4 M produced 2011, roadmap A3 UNU) x ~150 g with battery.
    # Informal: buy-back and reuse trade plus hoarding take all but the ~0.4 kt collected by
    # MRN (roadmap A3: 3.48 M handsets FY2022 at ~111 g, FY2021 430 t / 3.87 M): 3.4 kt.
    # Price [EST]: buy-back shops pay ~¥3,000 for an old handset (~150 g): ~¥20 M/t.
    Commodity("phones", "Mobile phones (whole handsets)",
              0.85, 30_000, None, 4_000, 20_000_000, 3_400),
    # Small appliances are dismantled/shredded; Fe, Al and plastics are sold off and only the
    # board and copper-rich fraction (~20 %) goes to a smelter [EST, FACTS band 0.15-0.25].
    # Generation 647 kt: MOE ~651 kt/yr of used small appliances (FACTS 6, chubu.env.go.jp)
    # less the ~4 kt of phones counted as their own grade. No leakage cap: only ~16 % is
    # collected (102,489 t FY2020, FACTS 6).
    # Collectable share 0.20 [EST, calibrated]: MOE reckons about half of used small
    # appliances go out with household waste, and most of the rest is kept at home; the
    # formal system reached 16 % in FY2020 (102,489 t) against the Act's 140 kt target
    # (22 %): 0.20 lets a hub next door collect up to ~20 % of generation. No informal price
    # is known for whole small appliances (unlicensed collectors take them for free or for a
    # fee): no informal channel.
    Commodity("small_appliances", "Small household appliances, whole (小型家電)",
              0.20, 20_000, None, 647_000, None, None, 0.20),
    # Discharge, dismantle, shred: black mass is ~40 % of cell/pack mass [EST].
    # High penalty: Li-ion cells in mixed waste cause collection-truck and plant fires [EST]
    # (roadmap A3: 8,543 LIB fires and incidents FY2023).
    # Generation 10 kt [EST derived]: JBRC collected 1,339 t of small rechargeables in FY2018
    # (roadmap A3) at a ~10 % collection rate (Asari & Sakai 2013) -> ~13 kt, mostly LIB.
    # Collectable share 0.15 [EST, calibrated]: about 10 % of portable LIBs were collected in
    # 2002-2010 (Asari & Sakai 2013); the rest is thrown out with municipal waste or kept at
    # home, out of any hub's reach. No market pays for them: no informal channel.
    Commodity("li_ion", "Li-ion batteries (portable and small packs)",
              0.40, 200_000, None, 10_000, None, None, 0.15),
    # Batteries are consolidated and passed on whole; the smelter breaks them [EST].
    # Generation 250 kt [EST derived]: BAJ market 25 M batteries/yr (roadmap A3) of which
    # ~22.5 M are discarded (19.7 M replacement + 2.8 M two-wheel; the 2.3 M in new vehicles
    # are not) x ~11 kg [EST] = ~248 kt; cross-check: 2016 export-oriented collectors ~100 kt
    # = ~40 % of the market -> ~250 kt (roadmap A3, ACT/JADA).
    # Cap 0.55 [EST], above the observed leakage (~20 %). No leakage penalty in the base year:
    # none is enforced on battery leakage today (the leakage-crackdown scenario sets one).
    # Informal 32 kt [EST derived]: ~20 kt of lead scrap exported in 2023 from illegal
    # dismantling (roadmap A3, iru-miru 61978) / 0.62 Pb share of a battery. Price ¥85,000/t
    # [EST]: above the ¥75-80/kg the formal market paid in Kanto in 2023 (roadmap A3).
    Commodity("lead_acid", "Lead-acid batteries (automotive, whole)",
              1.00, 0, 0.55, 250_000, 85_000, 32_000),
    # Glass (~75 %) and Al frame (~8-10 %) are removed; cells, ribbons and backsheet go on [EST].
    # Generation 6 kt: 4-ministry estimate ~6 kt in 2025 (FACTS 6); FY2020 ~6,300 t discarded
    # (roadmap A3). Informal: reuse, ~70 % of FY2020 discards were repaired and reused
    # (roadmap A3) = ~4 kt; price ~¥3,000 for a used panel of ~18 kg = ~¥170k/t [EST].
    Commodity("pv_panels", "Crystalline-Si PV panels",
              0.15, 30_000, None, 6_000, 170_000, 4_000),
    # Demagnetising and stripping housings and coatings [EST]. Generation 2 kt: FACTS 6 [EST].
    # No informal channel known: capacity 0.
    Commodity("magnets", "NdFeB magnets (recoverable)",
              0.90, 20_000, None, 2_000, 0, 0),
)
# fmt: on

# ---------------------------------------------------------------------------------------------
# Elements and prices
# ---------------------------------------------------------------------------------------------
# FACTS 5 "Indicative metal-price band" (2024-25 range) [EST]; the model uses band midpoints.
USD_PER_TROY_OZ = {"Au": (2300 + 4000) / 2, "Ag": (28 + 50) / 2, "Pd": (900 + 1300) / 2}
USD_PER_T = {
    "Cu": (8500 + 11000) / 2,
    "Ni": (15000 + 18000) / 2,
    "Co": (24000 + 35000) / 2,
    "Pb": (1900 + 2200) / 2,
}
# Li and Nd are not in FACTS' band [EST]:
LI2CO3_USD_PER_KG = 11.0  # [EST] battery-grade lithium carbonate, 2024-25
LI_SHARE_OF_LI2CO3 = 0.1879  # stoichiometry: 2 x 6.94 / 73.89
NDPR_OXIDE_USD_PER_KG = 65.0  # [EST] NdPr oxide, 2024-25
ND_SHARE_OF_ND2O3 = 0.857  # stoichiometry: 2 x 144.24 / 336.48

ELEMENT_NAMES = {
    "Ag": "Silver",
    "Au": "Gold",
    "Co": "Cobalt",
    "Cu": "Copper",
    "Li": "Lithium",
    "Nd": "Neodymium (with praseodymium, as NdPr)",
    "Ni": "Nickel",
    "Pb": "Lead",
    "Pd": "Palladium",
}


def element_prices_jpy_per_kg() -> dict[str, float]:
    """Payable value of one kg recovered, at ¥150/US$ (payables live in recovery shares)."""
    prices = {e: usd / G_PER_TROY_OZ * 1000 * JPY_PER_USD for e, usd in USD_PER_TROY_OZ.items()}
    prices.update({e: usd / 1000 * JPY_PER_USD for e, usd in USD_PER_T.items()})
    prices["Li"] = LI2CO3_USD_PER_KG / LI_SHARE_OF_LI2CO3 * JPY_PER_USD
    prices["Nd"] = NDPR_OXIDE_USD_PER_KG / ND_SHARE_OF_ND2O3 * JPY_PER_USD
    return {e: round(p, 1) for e, p in prices.items()}


# ---------------------------------------------------------------------------------------------
# Contents, g per tonne of commodity as collected (FACTS 4)
# ---------------------------------------------------------------------------------------------
CONTENTS_G_PER_T: dict[str, dict[str, float]] = {
    # FACTS 4 "High-grade PCB": UNEP (2009) after Hagelüken (2006)
    "pcb_high": {"Au": 250, "Ag": 1000, "Pd": 110, "Cu": 200_000},
    # FACTS 4 "Low-grade PCB": UNEP (2009), TV board
    "pcb_low": {"Au": 20, "Ag": 280, "Pd": 10, "Cu": 100_000},
    # FACTS 4 "Mobile phones": UNEP (2009) / Hagelüken. The battery's Co is left out: the hub
    # pulls batteries, and portable Li-ion is its own commodity.
    "phones": {"Au": 350, "Ag": 1380, "Pd": 210, "Cu": 130_000},
    # FACTS 4 "Small household appliances" [EST band Au 10-30, Ag 50-200, Pd 2-10, Cu 5-10 %];
    # lower-middle of the band because phones are a separate grade here. Cross-check: 6.9 t Au
    # in used small EEE in 2008 (Yoshimura & Matsuno 2014) over ~651 kt (MOE) is ~10.6 g/t.
    "small_appliances": {"Au": 10, "Ag": 100, "Pd": 4, "Cu": 60_000},
    # FACTS 4 "Li-ion": Shin et al. (2005) Co 5-20 %, Ni 5-10 %, Li 5-7 %; EV NMC Ni 10-15 %,
    # Co 2-5 %, Li 1.5-2 %, Cu 10-15 % [EST]. A mixed portable/NMC stream is assumed [EST].
    "li_ion": {"Co": 80_000, "Ni": 80_000, "Li": 20_000, "Cu": 80_000},
    # FACTS 4 "Lead-acid": Pb 60-65 % [EST, typical]
    "lead_acid": {"Pb": 620_000},
    # FACTS 4 "Crystalline-Si PV": Ag ~300-600 g/t [EST from IRENA 2016 "<0.1 %"], Cu ~1 %
    "pv_panels": {"Ag": 450, "Cu": 10_000},
    # FACTS 4 "NdFeB magnets": Nd+Pr 28-32 % [EST, typical literature]; counted as Nd
    "magnets": {"Nd": 300_000},
}

# ---------------------------------------------------------------------------------------------
# Technical recovery (recovery.csv): what a smelter gets out of the metal it takes in
# ---------------------------------------------------------------------------------------------
# Integrated copper / precious-metal smelters recover nearly all the Au, Ag, Pd and Cu they
# take in; the seller is paid less (PAYABLES below) and the difference is part of the
# smelter's margin. Technical recovery [EST]: above the top of FACTS 5's payable bands.
RECOVERY_COPPER = {"Au": 0.98, "Ag": 0.96, "Pd": 0.96, "Cu": 0.97}
# Precious-metal specialists (hydromet / PM furnace): Cu is a by-product there [EST]
RECOVERY_PM = {"Au": 0.98, "Ag": 0.97, "Pd": 0.97, "Cu": 0.92}
# Secondary lead smelters recover ~95 % of the Pb [EST]
RECOVERY_LEAD = {"Pb": 0.95}
# LIB hydromet: Co/Ni well recovered, Li partly, Cu as a side stream [EST]
RECOVERY_LIB = {"Co": 0.92, "Ni": 0.92, "Li": 0.60, "Cu": 0.90}
# Magnets at JX HMC: no public figure [EST]
RECOVERY_ND = {"Nd": 0.85}

# ---------------------------------------------------------------------------------------------
# Payable terms (spec B: terms.csv, payables.csv). No Japanese smelter publishes its terms
# (roadmap A5: NOT FOUND); every value is [EST] within FACTS 5 "Smelter terms for PCB
# e-scrap": payables Au 90-96 %, Ag 85-95 %, Pd 85-95 %, Cu 90-95 %; treatment charge
# ¥30-80k per t of boards.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    payables: dict[str, float]  # element -> payable share
    tc_jpy_per_t: float  # treatment charge per tonne DELIVERED (hub output)


# MMC: the largest buyer, competing with Umicore/Aurubis in Europe (Moerdijk) and North
# America: top of the bands, lowest charge [EST].
TERMS_MMC = Terms({"Au": 0.95, "Ag": 0.92, "Pd": 0.92, "Cu": 0.93}, 45_000)
# JX: second buyer, with its own Taiwan and US sourcing [EST].
TERMS_JX = Terms({"Au": 0.94, "Ag": 0.91, "Pd": 0.91, "Cu": 0.93}, 50_000)
# DOWA Kosaka (TSL): made for complex low-grade feed; pays well for Ag, less for Pd [EST].
TERMS_DOWA = Terms({"Au": 0.93, "Ag": 0.92, "Pd": 0.90, "Cu": 0.92}, 40_000)
# Small e-scrap buyers among the copper smelters (Hibi, SMM Toyo): bottom of the bands [EST].
TERMS_SMALL = Terms({"Au": 0.92, "Ag": 0.88, "Pd": 0.88, "Cu": 0.91}, 60_000)
# PM specialists (JX HMC, Mitsui Takehara): high PM payables, high charge [EST]; Nd at HMC [EST]
TERMS_PM = Terms({"Au": 0.96, "Ag": 0.94, "Pd": 0.94, "Cu": 0.90, "Nd": 0.60}, 70_000)
# Lead smelters pay 40-60 % of the Pb value (FACTS 5 "Lead-acid batteries"); 0.42 gives
# ~¥80k per t of batteries at the model's Pb price, the ¥75-80/kg paid in Kanto in 2023
# (roadmap A3); no separate charge [EST].
TERMS_LEAD = Terms({"Pb": 0.42}, 0)
# LIB black mass: payables Ni/Co 60-85 %, Li 0-40 % (FACTS 5 "LIB black mass"); charge
# ¥100k per t of black mass [EST].
TERMS_LIB = Terms({"Co": 0.70, "Ni": 0.70, "Li": 0.20, "Cu": 0.50}, 100_000)


# ---------------------------------------------------------------------------------------------
# Smelters (japan_smelters.csv gives coordinates) and their e-scrap or battery feed capacity
# ---------------------------------------------------------------------------------------------
COPPER_ACCEPTS = ("pcb_high", "pcb_low", "phones", "small_appliances", "pv_panels")
PM_ACCEPTS = ("pcb_high", "pcb_low", "phones")
# Processing cost: the smelter's own variable cost per tonne delivered [EST], FACTS 5
# treatment-charge band ¥30-80k/t as a proxy for cost; lead: ¥85k per t of batteries [EST]
# (the smelter keeps ~¥100k of the ~¥181k/t of recovered Pb for cost and margin);
# black-mass refining ¥150k/t [EST].
COST_COPPER_JPY_PER_T = 50_000
COST_PM_JPY_PER_T = 70_000
COST_LEAD_JPY_PER_T = 85_000
COST_LIB_JPY_PER_T = 150_000

# Hub output for li_ion is black mass; public LIB capacities are in tonnes of cells, so they
# are converted with the li_ion hub yield.
LI_ION_YIELD = next(c.hub_yield_share for c in COMMODITIES if c.id == "li_ion")


@dataclass(frozen=True)
class Smelter:
    csv_id: str  # row id in japan_smelters.csv (coordinates come from there)
    site: str
    name: str
    name_ja: str
    capacity_t: float  # existing e-scrap / battery feed a year, tonnes of hub output
    accepts: tuple[str, ...]
    processing_cost: float
    recovery: dict[str, float]
    terms: Terms
    lat_lon: tuple[float, float] | None = None  # override of the CSV coordinates


# fmt: off
SMELTERS: tuple[Smelter, ...] = (
    # csv id, site id, name, name_ja, capacity, accepts, processing cost, recovery, terms
    # MMC group e-scrap ~160 kt FY2022 (roadmap A2: withmaterials.mmc.co.jp/en/141); Naoshima
    # ~110 kt (FACTS 1, MMC 2022), Onahama the rest, 50 kt [EST].
    Smelter("MMC_NAOSHIMA", "sm_mmc_naoshima", "Mitsubishi Materials Naoshima Smelter & Refinery",
            "三菱マテリアル 直島製錬所",
            110_000, COPPER_ACCEPTS, COST_COPPER_JPY_PER_T, RECOVERY_COPPER, TERMS_MMC),
    Smelter("MMC_ONAHAMA", "sm_mmc_onahama", "Onahama Smelting & Refining, Onahama Smelter",
            "小名浜製錬 小名浜製錬所",
            50_000, COPPER_ACCEPTS, COST_COPPER_JPY_PER_T, RECOVERY_COPPER, TERMS_MMC),
    # Kosaka's TSL takes ~150 kt/yr of secondary feed (FACTS 1), mostly residues and ash; the
    # e-scrap part is NOT FOUND (roadmap A2): 30 kt [EST, ~20 % of the furnace].
    Smelter("DOWA_KOSAKA", "sm_dowa_kosaka", "DOWA Kosaka Smelting & Refining",
            "小坂製錬",
            30_000, COPPER_ACCEPTS, COST_COPPER_JPY_PER_T, RECOVERY_COPPER, TERMS_DOWA),
    # JX Oita centre collects ~7,000 t/month of recycled raw materials incl. Cu scrap (84 kt/yr,
    # roadmap A2, 2023); e-scrap part 60 kt [EST, ~70 %].
    Smelter("JX_SAGANOSEKI", "sm_jx_saganoseki", "JX Advanced Metals Saganoseki Smelter & Refinery",
            "JX金属 佐賀関製錬所",
            60_000, COPPER_ACCEPTS, COST_COPPER_JPY_PER_T, RECOVERY_COPPER, TERMS_JX),
    # Magnets need an outlet: JX HMC (hydromet, 16 metals) is assumed to take them [EST].
    # Capacity not published: 10 kt [EST].
    Smelter("JX_HMC", "sm_jx_hmc", "JX Advanced Metals Hitachi Metal-Recycling Complex",
            "JX金属 日立メタル・リサイクリング・コンプレックス",
            10_000, PM_ACCEPTS + ("magnets",), COST_PM_JPY_PER_T, RECOVERY_PM | RECOVERY_ND,
            TERMS_PM),
    # 600 t/yr of cathode material (2012 design basis, FACTS 1) is already black-mass-like.
    Smelter("JX_TSURUGA", "sm_jx_tsuruga", "JX Advanced Metals Tsuruga LIB recycling plant",
            "JX金属 敦賀工場 (LIB)",
            600, ("li_ion",), COST_LIB_JPY_PER_T, RECOVERY_LIB, TERMS_LIB),
    # SMM Toyo: no public e-scrap figure (FACTS 1); 5 kt [EST].
    Smelter("SMM_TOYO", "sm_smm_toyo", "Sumitomo Metal Mining Toyo Smelter & Refinery",
            "住友金属鉱山 東予工場",
            5_000, COPPER_ACCEPTS, COST_COPPER_JPY_PER_T, RECOVERY_COPPER, TERMS_SMALL),
    # The SMM LIB line (Toyo pyro step + Niihama hydromet) was finished in June 2026 (roadmap
    # A2), after the base year: no existing capacity, a candidate with one level (below).
    # Placed at the Niihama Nickel Refinery (SMM_NIIHAMA row of japan_smelters.csv).
    Smelter("SMM_TOYO", "sm_smm_lib", "Sumitomo Metal Mining LIB recycling (Toyo + Niihama)",
            "住友金属鉱山 電池リサイクル (東予・ニッケル工場)",
            0, ("li_ion",), COST_LIB_JPY_PER_T, RECOVERY_LIB, TERMS_LIB,
            lat_lon=(33.970, 133.287)),
    # Mitsui group handled ~26 kt/yr of PM scrap incl. PCBs across four plants (FACTS 1,
    # c. 2006): Tamano 12 kt and Takehara 8 kt [EST split].
    Smelter("HIBI_TAMANO", "sm_hibi_tamano", "Hibi Kyodo Smelting Tamano Smelter",
            "日比共同製錬 玉野製錬所",
            12_000, COPPER_ACCEPTS, COST_COPPER_JPY_PER_T, RECOVERY_COPPER, TERMS_SMALL),
    Smelter("MITSUI_TAKEHARA", "sm_mitsui_takehara", "Mitsui Mining & Smelting Takehara Refinery",
            "三井金属 竹原製煉所",
            8_000, PM_ACCEPTS, COST_PM_JPY_PER_T, RECOVERY_PM, TERMS_PM),
    # Kamioka: 31.5 kt Pb per half-year (FACTS 1, 2006) = 63 kt Pb / (0.62 x 0.95) = ~107 kt
    # of batteries; 100 kt [EST derived].
    Smelter("KAMIOKA", "sm_kamioka", "Kamioka Mining & Smelting (lead)",
            "神岡鉱業 (鉛)",
            100_000, ("lead_acid",), COST_LEAD_JPY_PER_T, RECOVERY_LEAD, TERMS_LEAD),
    # Hosokura: ~4,000 t/month of used batteries collected (roadmap A2, hosokura.co.jp) = 48 kt.
    Smelter("HOSOKURA", "sm_hosokura", "Hosokura Metal Mining (lead)",
            "細倉金属鉱業 (鉛)",
            48_000, ("lead_acid",), COST_LEAD_JPY_PER_T, RECOVERY_LEAD, TERMS_LEAD),
    # Toho Zinc Chigirishima: 120 kt/yr Pb bullion on concentrate and batteries, kept after
    # Toho's 2025 zinc exit (roadmap A2). Battery feed 50 kt [EST derived]: Japan's
    # scrap-based bullion 118 kt (2019, roadmap A2) - Kamioka ~60 kt - Hosokura ~28 kt
    # (48 kt x 0.62 x 0.95) = ~30 kt Pb = ~51 kt of batteries.
    Smelter("TOHO_CHIGIRISHIMA", "sm_toho_chigirishima", "Toho Zinc Chigirishima Refinery (lead)",
            "東邦亜鉛 契島製錬所 (鉛)",
            50_000, ("lead_acid",), COST_LEAD_JPY_PER_T, RECOVERY_LEAD, TERMS_LEAD),
)
# fmt: on
# Not modelled (see SOURCES.md): HACHINOHE (Zn-Pb concentrate smelter, not an e-scrap
# outlet), SMM_NIIHAMA (its LIB capacity is counted in sm_smm_lib).


@dataclass(frozen=True)
class Expansion:
    smelter_site: str
    level: str
    capacity_t: float
    capex_jpy: float  # annualised with CRF as FACTS does


SMELTER_EXPANSIONS: tuple[Expansion, ...] = (
    # FACTS 1 MMC_NAOSHIMA / 5 "Hub capex": 2nd E-Scrap centre +30 kt/yr for ~¥5 bn
    Expansion("sm_mmc_naoshima", "expand_30kt", 30_000, 5e9),
    # FACTS 1 MMC_ONAHAMA / 5 "Hub capex": ~¥20 bn pre-treatment toward group 240 kt/yr
    # (+80 kt over the ~160 kt group capacity)
    Expansion("sm_mmc_onahama", "expand_80kt", 80_000, 20e9),
    # FACTS 1 JX_SAGANOSEKI: +50 % pre-treatment incl. a new kiln by FY2027 (~+40 kt of 84 kt);
    # capex [EST] ¥8 bn, between Naoshima's ¥170k and Onahama's ¥250k per t/yr
    Expansion("sm_jx_saganoseki", "expand_40kt", 40_000, 8e9),
    # The SMM LIB plant of June 2026 (roadmap A2): ~10 kt/yr of cells = 4 kt/yr of black mass;
    # capex [EST] ¥10 bn
    Expansion("sm_smm_lib", "plant_10kt_cells", 10_000 * LI_ION_YIELD, 10e9),
)

# ---------------------------------------------------------------------------------------------
# Hubs
# ---------------------------------------------------------------------------------------------
HUB_PROCESSING_JPY_PER_T = 15_000  # FACTS 5 "Regional pre-processing hub": ¥10-25k/t [EST]
HUB_PROCESSING_ISLAND_JPY_PER_T = 20_000  # [EST] Okinawa: island labour/land and sea prep
RECEIVING_PROCESSING_JPY_PER_T = 5_000  # FACTS 5 "Consolidation-only hub": ¥3-8k/t [EST]
RECEIVING_ACCEPTS = ("pcb_high", "pcb_low", "phones")  # boards and handsets, sampled/assayed


@dataclass(frozen=True)
class HubLevel:
    level: str
    capacity_t: float
    capex_jpy: float
    fte: int
    min_share: float  # minimum throughput as a share of the level's capacity

    @property
    def fixed_cost(self) -> float:
        return self.capex_jpy * (CRF + FIXED_OM_SHARE) + self.fte * JPY_PER_FTE


# FACTS 5 "Regional pre-processing hub (10-30 kt/yr)": capex ¥1.5-5 bn, CRF 0.117, O&M 4 %,
# ~20 FTE -> fixed ≈ ¥0.35-0.9 bn/yr. 40 kt is extrapolated with economies of scale [EST].
# Minimum throughput 40 % of the level [EST].
HUB_LEVELS: tuple[HubLevel, ...] = (
    HubLevel("small", 10_000, 1.5e9, 20, 0.40),
    HubLevel("medium", 20_000, 3.0e9, 25, 0.40),
    HubLevel("large", 40_000, 5.0e9, 30, 0.40),
)
# Okinawa's whole generation is ~5 kt/yr; a consolidation-only level fits it.
# FACTS 5 "Consolidation-only hub (<=10 kt/yr)": fixed ¥50-150 M/yr -> ¥120 M [EST]
CONSOLIDATION_LEVEL = ("consolidation", 5_000, 120_000_000, 0.30)


@dataclass(frozen=True)
class Hub:
    site: str
    name: str
    name_ja: str
    pref: int
    at: str  # a port LOCODE or smelter site whose coordinates the hub takes, or "" for lat_lon
    kind: str  # "regional" (candidate, levels) or "receiving" (existing at a smelter)
    smelter: str = ""  # for receiving hubs: the smelter site it feeds
    lat_lon: tuple[float, float] | None = None


# fmt: off
HUBS: tuple[Hub, ...] = (
    # site, name, name_ja, prefecture, coordinates from (port or smelter), kind[, smelter]
    # MLIT Recycle Ports (FACTS 2: the 1st and 2nd designations and Noshiro, 2006): candidates
    Hub("hub_ishikari", "Ishikari Bay New Port hub", "石狩湾新港 拠点候補", 1, "JPICW", "regional"),
    Hub("hub_tomakomai", "Tomakomai hub", "苫小牧港 拠点候補", 1, "JPTMK", "regional"),
    Hub("hub_muroran", "Muroran hub", "室蘭港 拠点候補", 1, "JPMUR", "regional"),
    Hub("hub_hachinohe", "Hachinohe hub", "八戸港 拠点候補", 2, "JPHHE", "regional"),
    Hub("hub_kamaishi", "Kamaishi hub", "釜石港 拠点候補", 3, "JPKIS", "regional"),
    Hub("hub_noshiro", "Noshiro hub", "能代港 拠点候補", 5, "JPNSR", "regional"),
    Hub("hub_sakata", "Sakata hub", "酒田港 拠点候補", 6, "JPSKT", "regional"),
    Hub("hub_tokyo", "Tokyo port hub", "東京港 拠点候補", 13, "JPTYO", "regional"),
    Hub("hub_kawasaki", "Kawasaki hub", "川崎港 拠点候補", 14, "JPKWS", "regional"),
    Hub("hub_kisarazu", "Kisarazu hub", "木更津港 拠点候補", 12, "JPKZU", "regional"),
    Hub("hub_himekawa", "Himekawa hub", "姫川港 拠点候補", 15, "JPHMK", "regional"),
    Hub("hub_mikawa", "Mikawa (Toyohashi) hub", "三河港 拠点候補", 23, "JPTHS", "regional"),
    Hub("hub_kobe", "Kobe hub", "神戸港 拠点候補", 28, "JPUKB", "regional"),
    Hub("hub_himeji", "Himeji hub", "姫路港 拠点候補", 28, "JPHIM", "regional"),
    Hub("hub_tokuyama", "Tokuyama-Kudamatsu hub", "徳山下松港 拠点候補", 35, "JPTKY", "regional"),
    Hub("hub_ube", "Ube hub", "宇部港 拠点候補", 35, "JPUBJ", "regional"),
    # Not candidates any more: Sendai-Shiogama, Nagoya and Sakai-Senboku are not on the verified
    # Recycle Port list, and Tohoku, Chubu and Kinki have verified ones nearby.
    # Shikoku has no verified Recycle Port; Niihama (SMM's smelter town) stands for it [EST]
    Hub("hub_niihama", "Niihama hub (Shikoku)", "新居浜港 拠点候補", 38, "JPIHA", "regional"),
    Hub("hub_kitakyushu", "Kitakyushu Hibikinada hub", "北九州港 響灘 拠点候補", 40, "JPHBK",
        "regional"),
    Hub("hub_miike", "Miike (Omuta) hub", "三池港 拠点候補", 40, "JPMII", "regional"),
    # South Kyushu has no Recycle Port; a Kagoshima port-area site is assumed [EST coordinates]
    Hub("hub_kagoshima", "Kagoshima hub", "鹿児島港 拠点候補", 46, "", "regional",
        lat_lon=(31.585, 130.565)),
    Hub("hub_nakagusuku", "Nakagusuku Bay hub (Okinawa)", "中城湾港 拠点候補", 47, "JPNAK",
        "regional"),
    # Existing receiving centres at smelters (FACTS 1 "Related collection and pre-processing
    # assets"): MMC E-Scrap centres, JX Oita Recycling Logistics Center, DOWA Kosaka
    Hub("hub_naoshima", "MMC Naoshima E-Scrap centre", "三菱マテリアル 直島 E-Scrapセンター", 37,
        "sm_mmc_naoshima", "receiving", smelter="sm_mmc_naoshima"),
    Hub("hub_onahama", "Onahama e-scrap receiving", "小名浜製錬 E-Scrap受入", 7,
        "sm_mmc_onahama", "receiving", smelter="sm_mmc_onahama"),
    # Location of the JX centre in Oita city is approximate: placed at Oita port [EST]
    Hub("hub_oita", "JX Oita Recycling Logistics Center", "JX金属 大分リサイクル物流センター", 44,
        "JPOIT", "receiving", smelter="sm_jx_saganoseki"),
    Hub("hub_kosaka", "DOWA Kosaka receiving", "小坂製錬 受入", 5,
        "sm_dowa_kosaka", "receiving", smelter="sm_dowa_kosaka"),
    # Battery yards at the two secondary lead smelters [EST]: smelters buy batteries at the gate
    Hub("hub_kamioka", "Kamioka battery yard", "神岡鉱業 バッテリー受入", 21,
        "sm_kamioka", "receiving", smelter="sm_kamioka"),
    Hub("hub_hosokura", "Hosokura battery yard", "細倉金属鉱業 バッテリー受入", 4,
        "sm_hosokura", "receiving", smelter="sm_hosokura"),
    Hub("hub_chigirishima", "Chigirishima battery yard", "東邦亜鉛 契島 バッテリー受入", 34,
        "sm_toho_chigirishima", "receiving", smelter="sm_toho_chigirishima"),
)
# fmt: on

# ---------------------------------------------------------------------------------------------
# Ports: prefecture and Japanese name of each Japanese port (hand-assigned; FACTS 2)
# ---------------------------------------------------------------------------------------------
# fmt: off
PORT_PREF_JA: dict[str, tuple[int, str]] = {
    "JPTYO": (13, "東京港"), "JPYOK": (14, "横浜港"), "JPKWS": (14, "川崎港"),
    "JPKZU": (12, "木更津港"), "JPCHB": (12, "千葉港"), "JPNGO": (23, "名古屋港"),
    "JPTHS": (23, "三河港"), "JPOSA": (27, "大阪港"), "JPSBK": (27, "堺泉北港"),
    "JPUKB": (28, "神戸港"), "JPHIM": (28, "姫路港"), "JPMIZ": (33, "水島港"),
    "JPUNO": (33, "宇野港"), "JPHIB": (33, "日比港"), "JPNAO": (37, "直島"),
    "JPHIJ": (34, "広島港"), "JPTHR": (34, "竹原港"), "JPIHA": (38, "新居浜港"),
    "JPTKY": (35, "徳山下松港"), "JPUBJ": (35, "宇部港"), "JPMOJ": (40, "北九州港 門司"),
    "JPHBK": (40, "北九州港 響灘"), "JPHKT": (40, "博多港"), "JPMII": (40, "三池港"),
    "JPOIT": (44, "大分港"), "JPSAG": (44, "佐賀関港"), "JPNAH": (47, "那覇港"),
    "JPNAK": (47, "中城湾港"), "JPONA": (7, "小名浜港"), "JPHIC": (8, "茨城港 常陸那珂"),
    "JPSDJ": (4, "仙台塩釜港"), "JPKIS": (3, "釜石港"), "JPHHE": (2, "八戸港"),
    "JPAXT": (5, "秋田港"), "JPNSR": (5, "能代港"), "JPSKT": (6, "酒田港"),
    "JPKIJ": (15, "新潟港"), "JPHMK": (15, "姫川港"), "JPTOY": (16, "伏木富山港"),
    "JPTRG": (18, "敦賀港"), "JPMAI": (26, "舞鶴港"), "JPTMK": (1, "苫小牧港"),
    "JPMUR": (1, "室蘭港"), "JPICW": (1, "石狩湾新港"),
}
# fmt: on

# Export market: Busan, Korea. Coordinates set by hand (not in ports.csv).
# fmt: off
MARKET = {"id": "KRPUS", "name": "Busan (Korean lead-acid battery buyers)", "name_ja": "釜山",
          "kind": "market", "lat": 35.10, "lon": 129.04, "country": "KR", "region": "korea"}
# fmt: on
# Legal export of used lead-acid batteries to Korea after 2018 (roadmap A3): ~77-89 kt/yr in
# 2011-13, collapsed from Aug 2018 under stricter Basel licensing to 316 / 706 / 439 t in
# Jan-Mar 2019 (~6 kt/yr annualised); 2022-24 NOT FOUND, believed near zero. Ceiling 5 kt
# [EST]. Price ¥90,000/t [EST]: below the 2014-17 export unit values (¥93-107/kg), above the
# ¥75-80/kg paid at home in 2023.
EXPORT_LEAD_MAX_T = 5_000
EXPORT_LEAD_PRICE_JPY_PER_T = 90_000

# ---------------------------------------------------------------------------------------------
# Imports [EST]. Observed: customs counted 122,609 t of e-scrap imports in CY2014, USA 40 %,
# Australia 12 %, Netherlands 4 % in Mar 2015 (roadmap A1.2); MMC buys "mainly from Japan,
# Europe and North America", JX from Taiwan (Changbin hub 1,200 t/month, 2021) and the US
# West Coast (roadmap A1.2). What is on offer to Japan, by region [EST]:
# ---------------------------------------------------------------------------------------------
# fmt: off
IMPORT_T_BY_ORIGIN = {
    # EU 35 kt [EST]: FACTS 6 "importable 30-60 kt", lower end since EU smelters bid and the
    # 2025 amber listing needs consent (FACTS 7); most through Moerdijk (MMC's centre).
    "NLMOE": 9_500, "NLRTM": 7_000, "BEANR": 6_000, "DEHAM": 4_500, "DEBRV": 2_000,
    "FRLEH": 1_500, "ITGOA": 1_000, "ESVLC": 1_000, "PLGDN": 500, "SEGOT": 500,
    "GRPIR": 500,
    # ASEAN 30 kt [EST]: FACTS 6 "20-40 kt"
    "SGSIN": 7_000, "MYPKG": 5_000, "PHMNL": 5_000, "VNHPH": 3_000, "VNSGN": 3_000,
    "VNVUT": 2_000, "MYTPP": 1_500, "MYPEN": 1_500, "THLCH": 500, "THBKK": 500,
    "IDTPP": 500, "IDSUB": 500,
    # North America 50 kt [EST]: ~40 % of 122.6 kt (USA's share, Mar 2015) = ~49 kt
    "USLAX": 20_000, "USOAK": 12_000, "USSEA": 10_000, "CAVAN": 8_000,
    # Australia 12 kt [EST]: ~12 % of 122.6 kt (Mar 2015) = ~15 kt, less since 2015
    "AUSYD": 6_000, "AUMEL": 6_000,
    # Taiwan 15 kt [EST]: JX's Changbin hub, 1,200 t/month = 14.4 kt/yr (2021)
    "TWKHH": 15_000,
}
# fmt: on
# Origins that are not in ports.csv: coordinates from searoute 1.6.0's ports.geojson
# (UN/LOCODE), region = import-permit key.
# fmt: off
EXTRA_ORIGINS = {
    "USLAX": ("Los Angeles", "US", "north_america", 33.716667, -118.283333),
    "USOAK": ("Oakland", "US", "north_america", 37.831434, -122.292106),
    "USSEA": ("Seattle", "US", "north_america", 47.6, -122.33333),
    "CAVAN": ("Vancouver", "CA", "north_america", 49.308215, -123.148843),
    "AUSYD": ("Sydney", "AU", "oceania", -33.869644, 151.182861),
    "AUMEL": ("Melbourne", "AU", "oceania", -37.839716, 144.944168),
    "TWKHH": ("Kaohsiung", "TW", "taiwan", 22.642017, 120.271968),
}
# fmt: on
# Grade split of what is offered [EST]: dismantlers in OECD countries sort out IT boards;
# ASEAN and Taiwan offer more manufacturing and mixed low-grade board scrap.
IMPORT_GRADE_SPLIT = {
    "eu": {"pcb_high": 0.40, "pcb_low": 0.60},
    "north_america": {"pcb_high": 0.40, "pcb_low": 0.60},
    "oceania": {"pcb_high": 0.40, "pcb_low": 0.60},
    "asean": {"pcb_high": 0.30, "pcb_low": 0.70},
    "taiwan": {"pcb_high": 0.30, "pcb_low": 0.70},
}
# Permits per region, t/yr [EST]: what is on offer, so that margins, not permits, decide the
# baseline (Basel PIC and the EU's 2025 amber listing, FACTS 7, are scenario levers)
IMPORT_PERMITS_T = {
    "asean": 30_000,
    "eu": 35_000,
    "north_america": 50_000,
    "oceania": 12_000,
    "taiwan": 15_000,
}
# Noshiro, the Recycle Port that lands PCB scrap from East Asia for Kosaka (FACTS 2), gets
# ocean links from the Asian origins; distances from searoute 1.6.0 as for the shared data.
NOSHIRO_OCEAN_REGIONS = ("asean", "taiwan")
# Japanese gateways the new origins are linked to (those of sea_distances_international.csv)
SEAROUTE_RESTRICTIONS = ["northwest"]

# ---------------------------------------------------------------------------------------------
# Transport modes (FACTS 5 "Typical costs" and 7 "CO2 emission factors")
# ---------------------------------------------------------------------------------------------
MODES = (
    # mode, JPY/t-km, kg CO2/t-km, handling JPY/t per load or unload, circuity
    # road: priced by distance band (FREIGHT_BANDS_ROAD, spec A); the per-t-km cost is what
    #       the band table adds beyond its last band: ¥14,620 per 50 km per 10-t truck
    #       (roadmap A4, MLIT notice No. 209 of 2024, Kanto) = ¥29.24/t-km. CO2 216 g (MLIT
    #       FY2021); circuity FACTS 5 "Road distance" x1.25-1.35 on Honshu -> 1.3; no handling
    #       (the fare is door to door)
    ("road", 14_620 / 50 / 10, 0.216, 0.0, 1.3),
    # rail: FACTS 5 "line haul ¥11-15/t-km" -> 13; pickup/delivery ~¥4,900/t both ends ->
    #       2,450 per end; CO2 20 g (MLIT); circuity as road [EST]
    ("rail", 13.0, 0.020, 2450.0, 1.3),
    # coastal: FACTS 5 RoRo ¥6-12/t-km [EST] -> 8; port handling ¥1-3k/t per end -> 2,000;
    #          CO2 43 g (MLIT); circuity 1.2 as SOURCES.md suggests for short legs
    ("coastal", 8.0, 0.043, 2000.0, 1.2),
    # ocean: tuned so that ASEAN->Japan lands at ¥6-12k/t and EU->Japan at ¥9-16.5k/t
    #        (FACTS 5); CO2 10-20 g (FACTS 7, GLEC) -> 15; circuity 1.15 for links without km
    ("ocean", 0.5, 0.015, 2500.0, 1.15),
)
MODE_CIRCUITY = {m[0]: m[4] for m in MODES}

# Road freight by distance band (spec A): MLIT standard fare 2024, Kanto Transport Bureau,
# 10-t truck, yen per trip one way (roadmap A4; 10/20 km smbiz.asahi.com 15207172, 100-500 km
# hanaka.ecnet.jp page-321, 500 km cross-checked with Tokyo-Osaka ¥167,860). A full load is
# 10 t (e-scrap may cube out at 6-8 t, FACTS 5: a scenario can lower the load).
ROAD_LOAD_T = 10.0
ROAD_FARES_PUBLISHED = {
    10: 23_060,
    20: 26_110,
    100: 50_480,
    150: 65_300,
    200: 80_110,
    300: 109_360,
    400: 138_610,
    500: 167_860,
}
# The tariff has 10-km bands to 200 km and 20-km bands to 500 km; the rows between the
# published ones (30-90 km NOT FOUND, roadmap A4) are interpolated linearly [EST].
ROAD_BAND_KM = tuple(range(10, 200, 10)) + tuple(range(200, 501, 20))


def road_fare_bands() -> list[tuple[int, float, bool]]:
    """(up_to_km, fare per trip, interpolated?) for every road band, in order."""
    known = sorted(ROAD_FARES_PUBLISHED.items())
    out = []
    for km in ROAD_BAND_KM:
        if km in ROAD_FARES_PUBLISHED:
            out.append((km, float(ROAD_FARES_PUBLISHED[km]), False))
            continue
        (k0, f0), (k1, f1) = next(
            (a, b) for a, b in zip(known, known[1:], strict=False) if a[0] < km < b[0]
        )
        out.append((km, round(f0 + (f1 - f0) * (km - k0) / (k1 - k0), -1), True))
    return out


# ---------------------------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------------------------
# Island of each prefecture; road links never join two islands except via BRIDGES.
ISLAND_OF_PREF = {
    p: (
        "hokkaido"
        if p == 1
        else "shikoku"
        if 36 <= p <= 39
        else "kyushu"
        if 40 <= p <= 46
        else "okinawa"
        if p == 47
        else "honshu"
    )
    for p in range(1, 48)
}
# Sites on Naoshima island: reached by sea (JPNAO) only
NAOSHIMA_SITES = {"JPNAO", "sm_mmc_naoshima", "hub_naoshima"}
# Road bridges/tunnels between islands, capital to capital, with road km [EST, route km of the
# expressways; FACTS 5 "Road distance": x1.4-1.6 across straits]
BRIDGES = (
    (33, 37, 70.0, "Seto-Ohashi (Okayama-Takamatsu)"),
    (28, 36, 115.0, "Akashi Kaikyo + Onaruto (Kobe-Awaji-Tokushima)"),
    (34, 38, 190.0, "Shimanami Kaido (Hiroshima-Onomichi-Imabari-Matsuyama)"),
    (35, 40, 150.0, "Kanmon (Yamaguchi-Shimonoseki-Fukuoka)"),
)
# Road links shorter than this get this length (on-site or port-area drayage) [EST]
MIN_ROAD_KM = 2.0
# Sites get a road link to a neighbouring prefecture's capital only if it is closer than their
# own capital and within this great-circle distance (longer legs cross mountains, where x1.3
# understates the road) [EST]
NEIGHBOUR_CAPITAL_MAX_KM = 100.0
# Hubs and smelters get a road link to every port within this distance (and to the nearest
# port of their island if none is that close)
PORT_LINK_RADIUS_KM = 50.0
# Rail freight trunk lines, capital to capital (JR Freight routes; terminals [EST]).
# fmt: off
RAIL_LINKS: tuple[tuple[int, int, float | None], ...] = (
    # Sapporo-Aomori via the Seikan tunnel: ~320 km Sapporo-Hakodate + ~160 km Kaikyo line [EST]
    (1, 2, 480.0),
    (2, 3, None), (3, 4, None), (4, 7, None), (7, 9, None), (9, 13, None),  # Tohoku line
    (13, 14, None), (14, 22, None), (22, 23, None), (23, 27, None),  # Tokaido line
    (27, 28, None), (28, 33, None), (33, 34, None), (34, 35, None),  # Sanyo line
    (35, 40, None), (40, 43, None), (43, 46, None),  # Kanmon tunnel, Kagoshima line
    (40, 44, None),  # Nippo line to Oita
    # Nihonkai line: Osaka-Fukui-Kanazawa-Toyama-Niigata-Akita-Aomori
    (27, 18, None), (18, 17, None), (17, 16, None), (16, 15, None), (15, 5, None), (5, 2, None),
    (33, 37, None), (37, 38, None),  # Seto-Ohashi line, Yosan line
)
# fmt: on
# Coastal: SOURCES.md of the shared data: network distances under ~20 nm snap to one node ->
# use great-circle x 1.2 where km < 37. Pairs longer than COASTAL_MAX_KM are dropped (a path can
# still chain legs) to keep the graph small.
COASTAL_SHORT_KM = 37.0
COASTAL_SHORT_FACTOR = 1.2
COASTAL_MAX_KM = 1200.0
# Busan is linked to these ports by ocean (distance left empty: great-circle x 1.15)
BUSAN_PORTS = ("JPHKT", "JPMOJ", "JPUKB", "JPOSA", "JPNGO", "JPTYO", "JPKIJ", "JPTOY")

# ---------------------------------------------------------------------------------------------
# Collection and policy settings (instance.toml)
# ---------------------------------------------------------------------------------------------
# Each grade's behavioural non-collection is now its informal channel (COMMODITIES: capacity
# = generation - observed collection), so reach keeps only the effect of distance: 95 % next
# door [EST, a residual no channel reports], 5 points less per 100 km [EST].
REACH_AT_ZERO_KM = 0.95
REACH_LOSS_PER_100_KM = 0.05  # [EST]
REACH_FLOOR = 0.3  # [EST]
MAX_COLLECTION_KM = 800.0  # [EST]
CO2_PRICE_JPY_PER_T = 0.0  # baseline


# ---------------------------------------------------------------------------------------------
# Observed base-year figures (spec D: observed.csv). Each: what the model also produces, the
# figure, a plausible range, the year and the source; `note` says why the range is that wide.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Observed:
    id: str
    quantity: str
    observed: float
    low: float
    high: float
    year: str
    source: str
    note: str
    facilities: tuple[str, ...] = ()
    commodities: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    markets: tuple[str, ...] = ()
    elements: tuple[str, ...] = ()


ESCRAP_GRADES = ("pcb_high", "pcb_low", "phones", "small_appliances", "pv_panels")
BOARD_GRADES = ("pcb_high", "pcb_low")
LEAD_SMELTERS = ("sm_hosokura", "sm_kamioka", "sm_toho_chigirishima")

# fmt: off
OBSERVED: tuple[Observed, ...] = (
    Observed("escrap_intake_mmc", "smelter_intake", 160_000, 130_000, 175_000, "FY2022",
             "MMC: ~160 kt/yr e-scrap, ~20 % of ~800 kt world (withmaterials.mmc.co.jp/en/141; "
             "japanmetaldaily.com 127257)",
             "A company round figure that may be capacity rather than intake and includes "
             "industrial scrap the model does not carry; 183 kt planned for FY2025.",
             facilities=("sm_mmc_naoshima", "sm_mmc_onahama"), commodities=ESCRAP_GRADES),
    Observed("escrap_intake_naoshima", "smelter_intake", 110_000, 90_000, 125_000, "2022",
             "MMC: ~110 kt/yr e-scrap processed at Naoshima (FACTS 1; mmc.co.jp 2016-05-23, "
             "withmaterials.mmc.co.jp)",
             "Naoshima's share of the group figure; same caveats as the group row.",
             facilities=("sm_mmc_naoshima",), commodities=ESCRAP_GRADES),
    Observed("escrap_intake_jx", "smelter_intake", 60_000, 35_000, 102_000, "2023",
             "JX Oita Recycling Logistics Center: ~7,000 t/month of recycled raw materials, "
             "target 8,500 t/month (japanmetal.com news-h20230119124217)",
             "Centre intake includes copper scrap (e-scrap share not published): 60 kt [EST]; "
             "the range runs from half of it to the 8,500 t/month target.",
             facilities=("sm_jx_saganoseki", "sm_jx_hmc"), commodities=ESCRAP_GRADES),
    Observed("imports_total", "imports", 122_609, 80_000, 160_000, "CY2014",
             "customs, e-scrap 'such as electronic substrates' (iruniv.net 2015-05, roadmap "
             "A1.2)",
             "The nearest year with a customs total; 2022-24 NOT FOUND (HS 8549 from 2022). "
             "Wide: eight years before the base year, with the 2018 Basel revision and the EU's "
             "2025 amber listing in between.",
             commodities=BOARD_GRADES),
    Observed("imports_north_america", "imports", 49_000, 25_000, 70_000, "CY2014",
             "USA 40 % of e-scrap imports in Mar 2015 (iruniv.net 2015-05) x the CY2014 total",
             "One month's share applied to a year; Canada not separated.",
             regions=("north_america",), commodities=BOARD_GRADES),
    Observed("imports_oceania", "imports", 14_700, 5_000, 25_000, "CY2014",
             "Australia 12 % of e-scrap imports in Mar 2015 (iruniv.net 2015-05) x the CY2014 "
             "total",
             "One month's share applied to a year.",
             regions=("oceania",), commodities=BOARD_GRADES),
    Observed("lead_acid_intake_hosokura", "smelter_intake", 48_000, 40_000, 55_000, "2024",
             "Hosokura: ~4,000 t/month of used lead-acid batteries collected "
             "(hosokura.co.jp/sustainability/recycle.html)",
             "Company round monthly figure (current site text; year [EST]).",
             facilities=("sm_hosokura",), commodities=("lead_acid",)),
    Observed("lead_acid_intake_all", "smelter_intake", 203_000, 170_000, 230_000, "2019",
             "JMIA 鉱山 2020: ~199 kt lead bullion, ~60 % from used batteries (roadmap A2)",
             "Derived: 0.60 x 199 kt Pb / (0.62 Pb share x 0.95 recovery) [EST]; the 60 % and "
             "the Pb share are rounded, and 2019 is three years before the base year.",
             facilities=LEAD_SMELTERS, commodities=("lead_acid",)),
    Observed("lead_recovered", "recovered", 119_000, 105_000, 135_000, "2019",
             "JMIA 鉱山 2020: ~199 kt lead bullion, ~60 % from used batteries (roadmap A2)",
             "0.60 x 199 kt; output was ~200 kt/yr in 2015-19.",
             facilities=LEAD_SMELTERS, elements=("Pb",)),
    Observed("lead_acid_exports_korea", "exports", 2_000, 0, 6_000, "2019",
             "Korean-bound used-battery exports 316 / 706 / 439 t in Jan-Mar 2019 "
             "(japanmetaldaily 43125, 45242, 47303)",
             "Annualised from one quarter (~6 kt); 2022-24 NOT FOUND, believed near zero.",
             markets=("KRPUS",), commodities=("lead_acid",)),
    Observed("lead_acid_informal", "informal", 32_000, 15_000, 45_000, "2023",
             "lead scrap exports nearly 20 kt in 2023, linked to illegal battery dismantling "
             "(iru-miru.com 61978; energy-forum.co.jp 19561)",
             "Derived: 20 kt / 0.62 Pb share; how much of the lead scrap comes from batteries "
             "is not stated.",
             commodities=("lead_acid",)),
    Observed("lead_acid_leaked", "leaked", 47_000, 25_000, 80_000, "2019",
             "generation 250 kt [EST] less ~203 kt smelted in Japan (JMIA 鉱山 2020, roadmap A2); "
             "FY2003: 84 % recycled at domestic smelters (Hirai & Sakai 2006, roadmap A3)",
             "Derived from an estimated generation; the range spans the FY2003 share (16 % = "
             "40 kt) and the uncertainty in battery mass and count.",
             commodities=("lead_acid",)),
    Observed("collected_small_appliances", "collected", 102_489, 95_000, 140_000, "FY2020",
             "MOE/METI: Small Appliance Recycling Act collection 102,489 t (env.go.jp "
             "press_00452)",
             "FY2021-23 NOT FOUND; the upper end is the 140 kt target, not met in FY2020.",
             commodities=("small_appliances",)),
    Observed("collected_phones", "collected", 390, 300, 1_500, "FY2022",
             "MRN: 3.48 M handsets collected (ciaj.or.jp 12162) x ~111 g (FY2021: 430 t / "
             "3.87 M)",
             "MRN only; handsets also reach recyclers inside the small-appliance stream, not "
             "counted separately: wide upper end.",
             commodities=("phones",)),
    Observed("collected_li_ion", "collected", 1_339, 800, 3_000, "FY2018",
             "JBRC collection of small rechargeable batteries (Ni-Cd, Ni-MH and LIB together; "
             "日刊産業新聞 via Yahoo 2019-08-16)",
             "Includes Ni-Cd and Ni-MH; LIBs pulled out at small-appliance recyclers are not "
             "counted; FY2019-24 NOT FOUND.",
             commodities=("li_ion",)),
    Observed("collected_pcb_low", "collected", 17_600, 14_000, 21_000, "FY2023",
             "Home Appliance Recycling Act: recovery rate 70.4 % of units discarded (MOE "
             "2024-08-22, roadmap A3)",
             "Derived: 70.4 % x the 25 kt [EST] of boards generated; boards are not counted "
             "themselves.",
             commodities=("pcb_low",)),
)
# fmt: on


# =============================================================================================
# Helpers
# =============================================================================================


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance on a 6,371 km sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def num(value: float | None, decimals: int = 0) -> str:
    """Fixed-format number; None -> empty cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # never write "-0"
    return f"{rounded:.{decimals}f}"


def csv_cell(text: str) -> str:
    if any(ch in text for ch in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_table(
    out_dir: Path, name: str, header: list[str], rows: list[list[str]], key_len: int
) -> int:
    """Write rows sorted by their first key_len columns; return the row count."""
    rows = sorted(rows, key=lambda r: tuple(r[:key_len]))
    keys = [tuple(r[:key_len]) for r in rows]
    if len(set(keys)) != len(keys):
        raise SystemExit(f"{name}: duplicate keys")
    lines = [",".join(header)] + [",".join(csv_cell(c) for c in r) for r in rows]
    (out_dir / f"{name}.csv").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return len(rows)


def largest_remainder(total: float, weights: dict[str, float]) -> dict[str, int]:
    """Split an integer total by weights into integers that sum exactly to it."""
    wsum = sum(weights.values())
    raw = {k: total * w / wsum for k, w in weights.items()}
    out = {k: math.floor(v) for k, v in raw.items()}
    short = int(round(total)) - sum(out.values())
    for k in sorted(raw, key=lambda k: (-(raw[k] - out[k]), k))[:short]:
        out[k] += 1
    return out


# =============================================================================================
# Loading the shared data
# =============================================================================================


@dataclass
class Data:
    prefs: pd.DataFrame  # japan_prefectures.csv indexed by code
    geo: gpd.GeoDataFrame
    ports: pd.DataFrame  # ports.csv indexed by locode
    smelters: pd.DataFrame  # japan_smelters.csv indexed by id
    sea_intl: pd.DataFrame
    sea_coastal: pd.DataFrame


def load(data_dir: Path) -> Data:
    prefs = pd.read_csv(data_dir / "japan_prefectures.csv").set_index("code").sort_index()
    if len(prefs) != 47 or int(prefs.population_2020.sum()) != 126_146_099:
        raise SystemExit("japan_prefectures.csv: expected 47 rows and 126,146,099 people")
    geo = gpd.read_file(data_dir / "japan_prefectures.geojson").set_index("code").sort_index()
    ports = pd.read_csv(data_dir / "ports.csv").set_index("locode")
    smelters = pd.read_csv(data_dir / "japan_smelters.csv").set_index("id")
    sea_intl = pd.read_csv(data_dir / "sea_distances_international.csv")
    sea_coastal = pd.read_csv(data_dir / "sea_distances_japan_coastal.csv")
    return Data(prefs, geo, ports, smelters, sea_intl, sea_coastal)


def source_id(code: int, name_en: str) -> str:
    return f"src_{code:02d}_{name_en.lower().replace(' ', '_')}"


# =============================================================================================
# Tables
# =============================================================================================


SITE_COLUMNS = ["id", "name", "name_ja", "kind", "lat", "lon", "country", "region"]


def site_records(d: Data) -> pd.DataFrame:
    """All sites, with helper columns pref and island (not written)."""
    recs: list[tuple] = []  # SITE_COLUMNS + pref

    def japanese(site: str, name: str, name_ja: str, kind: str, lat, lon, pref: int) -> None:
        region = d.prefs.loc[pref, "region_en"]
        recs.append((site, name, name_ja, kind, float(lat), float(lon), "JP", region, pref))

    for code, p in d.prefs.iterrows():
        site = source_id(code, p.name_en)
        japanese(site, p.name_en, p.name_ja, "source", p.capital_lat, p.capital_lon, code)
    smelter_xy: dict[str, tuple[float, float]] = {}
    for s in SMELTERS:
        row = d.smelters.loc[s.csv_id]
        lat, lon = s.lat_lon if s.lat_lon else (float(row.lat), float(row.lon))
        smelter_xy[s.site] = (lat, lon)
        japanese(s.site, s.name, s.name_ja, "smelter", lat, lon, int(row.pref_code))
    for h in HUBS:
        if h.lat_lon:
            lat, lon = h.lat_lon
        elif h.at in smelter_xy:
            lat, lon = smelter_xy[h.at]
        else:
            lat, lon = d.ports.loc[h.at, "lat"], d.ports.loc[h.at, "lon"]
        japanese(h.site, h.name, h.name_ja, "hub", lat, lon, h.pref)
    for locode, p in d.ports.iterrows():
        name = str(p.note).split(";")[0].strip()
        if p.region == "japan":
            pref, name_ja = PORT_PREF_JA[locode]
            japanese(locode, name, name_ja, "port", p.lat, p.lon, pref)
        else:
            recs.append((locode, name, "", "origin", p.lat, p.lon, p.country, p.region, 0))
    for locode, (name, country, region, lat, lon) in EXTRA_ORIGINS.items():
        recs.append((locode, name, "", "origin", lat, lon, country, region, 0))
    recs.append(tuple(MARKET[c] for c in SITE_COLUMNS) + (0,))
    sites = pd.DataFrame(recs, columns=SITE_COLUMNS + ["pref"]).set_index("id", drop=False)
    sites["island"] = [
        "naoshima" if i in NAOSHIMA_SITES else ISLAND_OF_PREF.get(int(p), "abroad")
        for i, p in zip(sites.id, sites.pref, strict=True)
    ]
    return sites


def table_sites(out: Path, sites: pd.DataFrame) -> int:
    rows = [
        [r.id, r.name, r.name_ja, r.kind, num(r.lat, 5), num(r.lon, 5), r.country, r.region, ""]
        for r in sites.itertuples()
    ]
    return write_table(out, "sites", SITE_COLUMNS + ["port_capacity_t_per_yr"], rows, 1)


def table_commodities(out: Path) -> int:
    rows = [
        [
            c.id,
            c.name,
            num(c.hub_yield_share, 2),
            num(c.leakage_penalty_jpy_per_t),
            num(c.max_leakage_share, 2),
            num(c.informal_price_jpy_per_t),
            num(c.informal_capacity_t),
            num(c.collectable_share, 2),
        ]
        for c in COMMODITIES
    ]
    header = [
        "id",
        "name",
        "hub_yield_share",
        "leakage_penalty_jpy_per_t",
        "max_leakage_share",
        "informal_price_jpy_per_t",
        "informal_capacity_t_per_yr",
        "collectable_share",
    ]
    return write_table(out, "commodities", header, rows, 1)


def table_elements(out: Path) -> int:
    prices = element_prices_jpy_per_kg()
    rows = [[e, ELEMENT_NAMES[e], num(prices[e], 1), "", ""] for e in ELEMENT_NAMES]
    header = ["id", "name", "price_jpy_per_kg", "max_leakage_share", "min_recovered_t_per_yr"]
    return write_table(out, "elements", header, rows, 1)


def table_contents(out: Path) -> int:
    rows = [[k, e, num(g)] for k, by_e in CONTENTS_G_PER_T.items() for e, g in by_e.items()]
    return write_table(out, "contents", ["commodity", "element", "content_g_per_t"], rows, 2)


def table_supply(out: Path, d: Data) -> int:
    weights = {
        source_id(code, p.name_en): float(p.population_2020) for code, p in d.prefs.iterrows()
    }
    rows = []
    for c in COMMODITIES:
        for site, t in largest_remainder(c.national_supply_t, weights).items():
            if t > 0:
                rows.append([site, c.id, num(t)])
    return write_table(out, "supply", ["site", "commodity", "generation_t_per_yr"], rows, 2)


YIELD = {c.id: c.hub_yield_share for c in COMMODITIES}


# The treatment charge moves within FACTS 5's ¥30-80k band "depending on grade": rich boards
# at its foot, lean boards (more iron, aluminium, plastics and penalty elements) at its top
# [EST]: added to each smelter's charge for that grade.
TC_GRADE_ADJUST_JPY_PER_T = {"pcb_high": -15_000, "pcb_low": 35_000}


def treatment_charge(smelter: Smelter, commodity: str) -> float:
    """Charge per DELIVERED tonne of `commodity`: the smelter's, moved for the grade."""
    return smelter.terms.tc_jpy_per_t + TC_GRADE_ADJUST_JPY_PER_T.get(commodity, 0.0)


def terms_value_jpy_per_t(smelter: Smelter, commodity: str) -> float:
    """Spec B's V_mk: what the smelter pays for one raw tonne (payables less the charge)."""
    prices = element_prices_jpy_per_kg()
    paid = sum(
        g / 1000 * smelter.terms.payables.get(e, 0.0) * prices[e]
        for e, g in CONTENTS_G_PER_T[commodity].items()
    )
    return paid - treatment_charge(smelter, commodity) * YIELD[commodity]


def smelter_by_site(site: str) -> Smelter:
    return next(s for s in SMELTERS if s.site == site)


def table_imports(out: Path, sites: pd.DataFrame) -> int:
    """Offers without a price: a tonne is bought at the best terms of the smelters that take
    its grade (the engine computes them from terms.csv and payables.csv)."""
    rows = []
    for origin, total in IMPORT_T_BY_ORIGIN.items():
        region = sites.loc[origin, "region"]
        for k, share in IMPORT_GRADE_SPLIT[region].items():
            rows.append([origin, k, num(total * share), ""])
    header = ["site", "commodity", "available_t_per_yr", "price_jpy_per_t"]
    return write_table(out, "imports", header, rows, 2)


def table_terms(out: Path) -> int:
    """terms.csv: treatment charge per raw tonne (as collected or imported)."""
    rows = [
        [s.site, k, num(treatment_charge(s, k) * YIELD[k])] for s in SMELTERS for k in s.accepts
    ]
    header = ["smelter", "commodity", "treatment_charge_jpy_per_t"]
    return write_table(out, "terms", header, rows, 2)


def table_payables(out: Path) -> int:
    rows = [
        [s.site, k, e, num(s.terms.payables[e], 3)]
        for s in SMELTERS
        for k in s.accepts
        for e in CONTENTS_G_PER_T[k]
        if e in s.terms.payables and e in s.recovery
    ]
    header = ["smelter", "commodity", "element", "payable_share"]
    return write_table(out, "payables", header, rows, 3)


def table_freight_bands(out: Path) -> int:
    """freight_bands.csv in band order (the spec reads bands by up_to_km, not by row order)."""
    header = ["mode", "up_to_km", "fare_jpy_per_trip", "load_t_per_trip"]
    lines = [",".join(header)] + [
        ",".join(["road", num(km, 1), num(fare), num(ROAD_LOAD_T, 1)])
        for km, fare, _ in road_fare_bands()
    ]
    (out / "freight_bands.csv").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return len(lines) - 1


def table_observed(out: Path) -> int:
    rows = [
        [
            o.id,
            o.quantity,
            ";".join(o.facilities),
            ";".join(o.commodities),
            ";".join(o.regions),
            ";".join(o.markets),
            ";".join(o.elements),
            num(o.observed),
            num(o.low),
            num(o.high),
            o.year,
            o.source,
            o.note,
        ]
        for o in OBSERVED
    ]
    header = [
        "id",
        "quantity",
        "facilities",
        "commodities",
        "regions",
        "markets",
        "elements",
        "observed_t_per_yr",
        "low_t_per_yr",
        "high_t_per_yr",
        "year",
        "source",
        "note",
    ]
    return write_table(out, "observed", header, rows, 1)


def table_exports(out: Path) -> int:
    rows = [[MARKET["id"], "lead_acid", num(EXPORT_LEAD_MAX_T), num(EXPORT_LEAD_PRICE_JPY_PER_T)]]
    return write_table(
        out, "exports", ["site", "commodity", "max_t_per_yr", "price_jpy_per_t"], rows, 2
    )


def table_facilities(out: Path, d: Data) -> int:
    rows = []
    capacity_by_smelter = {}
    for s in SMELTERS:
        if s.csv_id not in d.smelters.index:
            raise SystemExit(f"{s.csv_id}: not in japan_smelters.csv")
        cap = s.capacity_t
        capacity_by_smelter[s.site] = cap
        rows.append(
            [s.site, "smelter", num(cap), num(s.processing_cost), ";".join(s.accepts), "candidate"]
        )
    for h in HUBS:
        if h.kind == "regional":
            cost = HUB_PROCESSING_ISLAND_JPY_PER_T if h.pref == 47 else HUB_PROCESSING_JPY_PER_T
            rows.append([h.site, "hub", num(0), num(cost), "*", "candidate"])
        else:
            smelter = next(s for s in SMELTERS if s.site == h.smelter)
            accepts = RECEIVING_ACCEPTS if "pcb_high" in smelter.accepts else smelter.accepts
            rows.append(
                [
                    h.site,
                    "hub",
                    num(capacity_by_smelter[h.smelter]),
                    num(RECEIVING_PROCESSING_JPY_PER_T),
                    ";".join(accepts),
                    "candidate",
                ]
            )
    header = [
        "site",
        "role",
        "existing_capacity_t_per_yr",
        "processing_cost_jpy_per_t",
        "accepts",
        "status",
    ]
    return write_table(out, "facilities", header, rows, 1)


def table_capacity_levels(out: Path) -> int:
    rows = []
    for h in HUBS:
        if h.kind != "regional":
            continue
        levels = [(lv.level, lv.capacity_t, lv.fixed_cost, lv.min_share) for lv in HUB_LEVELS]
        if h.pref == 47:
            levels = [CONSOLIDATION_LEVEL] + levels[:1]
        for name, cap, fixed, min_share in levels:
            rows.append([h.site, name, num(cap), num(round(fixed, -5)), num(cap * min_share)])
    for x in SMELTER_EXPANSIONS:
        fixed = round(x.capex_jpy * CRF, -5)
        rows.append([x.smelter_site, x.level, num(x.capacity_t), num(fixed), ""])
    header = [
        "facility",
        "level",
        "capacity_t_per_yr",
        "fixed_cost_jpy_per_yr",
        "min_throughput_t_per_yr",
    ]
    return write_table(out, "capacity_levels", header, rows, 2)


def table_recovery(out: Path) -> int:
    rows = [[s.site, e, num(r, 3)] for s in SMELTERS for e, r in s.recovery.items()]
    return write_table(out, "recovery", ["facility", "element", "recovery_share"], rows, 2)


def table_modes(out: Path) -> int:
    rows = [[m, num(c, 2), num(co2, 3), num(h), num(circ, 2)] for m, c, co2, h, circ in MODES]
    header = ["mode", "cost_jpy_per_t_km", "co2_kg_per_t_km", "handling_jpy_per_t", "circuity"]
    return write_table(out, "modes", header, rows, 1)


# ---------------------------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------------------------


def prefecture_adjacency(d: Data) -> list[tuple[int, int]]:
    """Pairs of prefectures on one island whose main polygons share a land border."""

    def largest_part(geom):
        return max(geom.geoms, key=lambda g: g.area) if isinstance(geom, MultiPolygon) else geom

    pairs = []
    codes = list(d.geo.index)
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            ga, gb = d.geo.loc[a, "geometry"], d.geo.loc[b, "geometry"]
            if ga.intersection(gb).length <= 0:
                continue
            if ISLAND_OF_PREF[a] != ISLAND_OF_PREF[b]:
                print(f"  adjacency dropped (sea crossing): {a}-{b}")
                continue
            if largest_part(ga).intersection(largest_part(gb)).length <= 0:
                print(f"  adjacency dropped (touch on small islands only): {a}-{b}")
                continue
            pairs.append((a, b))
    return pairs


def link_row(a: str, b: str, mode: str, km: float | None, rows: dict) -> None:
    """Add an undirected link once; from < to lexicographically."""
    if a == b:
        return
    x, y = sorted((a, b))
    rows[(x, y, mode)] = km


def table_links(out: Path, d: Data, sites: pd.DataFrame) -> int:
    links: dict[tuple[str, str, str], float | None] = {}
    capital = {int(r.pref): r.id for r in sites.itertuples() if r.kind == "source"}
    xy = {r.id: (r.lat, r.lon) for r in sites.itertuples()}

    def gc(a: str, b: str) -> float:
        return great_circle_km(*xy[a], *xy[b])

    def road(a: str, b: str, km: float | None = None) -> None:
        if km is None and gc(a, b) * MODE_CIRCUITY["road"] < MIN_ROAD_KM:
            km = MIN_ROAD_KM
        link_row(a, b, "road", km, links)

    # 1. capital-to-capital roads over land borders, plus the bridges
    adjacency = prefecture_adjacency(d)
    print(f"road adjacency between capitals: {len(adjacency)} pairs")
    for a, b in adjacency:
        print(f"  {a:2d} {d.prefs.loc[a, 'name_en']:<10s} - {b:2d} {d.prefs.loc[b, 'name_en']}")
        road(capital[a], capital[b])
    for a, b, km, label in BRIDGES:
        print(f"  bridge {a}-{b}: {label}, {km:.0f} km")
        road(capital[a], capital[b], km)
    neighbours: dict[int, set[int]] = {p: set() for p in capital}
    for a, b in adjacency:
        neighbours[a].add(b)
        neighbours[b].add(a)

    # 2. hubs, smelters and Japanese ports to their capital (and closer neighbouring capitals)
    domestic = sites[sites.kind.isin(["hub", "smelter", "port"])]
    ports = sites[sites.kind == "port"]
    for s in domestic.itertuples():
        if s.island in ("naoshima", "okinawa"):
            continue  # handled in 4 and 5
        own = capital[int(s.pref)]
        road(s.id, own)
        for nb in sorted(neighbours[int(s.pref)]):
            km = gc(s.id, capital[nb])
            if km < gc(s.id, own) and km <= NEIGHBOUR_CAPITAL_MAX_KM:
                road(s.id, capital[nb])

    # 3. hubs and smelters to ports on their island
    for s in domestic[domestic.kind.isin(["hub", "smelter"])].itertuples():
        if s.island in ("naoshima", "okinawa"):
            continue
        same = ports[ports.island == s.island]
        dist = {p: gc(s.id, p) for p in same.id}
        near = [p for p, km in dist.items() if km <= PORT_LINK_RADIUS_KM]
        for p in near or [min(dist, key=dist.get)]:
            road(s.id, p)

    # 4. receiving hubs to their smelter; Naoshima island
    for h in HUBS:
        if h.smelter:
            road(h.site, h.smelter)
    road("JPNAO", "hub_naoshima")
    road("JPNAO", "sm_mmc_naoshima")

    # 5. Okinawa: source and hub reach each other only through the two ports
    for p in ("JPNAH", "JPNAK"):
        road(capital[47], p)
        road("hub_nakagusuku", p)

    # 6. rail trunk lines
    for a, b, km in RAIL_LINKS:
        link_row(capital[a], capital[b], "rail", km, links)

    # 7. coastal shipping between Japanese ports
    adjusted = dropped = 0
    for r in d.sea_coastal.itertuples():
        g = gc(r.port_a, r.port_b)
        km = float(r.km)
        if km < COASTAL_SHORT_KM or km < g:
            km = g * COASTAL_SHORT_FACTOR
            adjusted += 1
        if km > COASTAL_MAX_KM:
            dropped += 1
            continue
        link_row(r.port_a, r.port_b, "coastal", round(km, 1), links)
    print(
        f"coastal: {len(d.sea_coastal)} pairs, {adjusted} short ones set to great-circle x "
        f"{COASTAL_SHORT_FACTOR}, {dropped} longer than {COASTAL_MAX_KM:.0f} km dropped"
    )

    # 8. ocean: every origin to the Japanese gateways (Suez routing, km column)
    for r in d.sea_intl.itertuples():
        link_row(r.origin, r.dest, "ocean", float(r.km), links)

    # 8b. the origins not in the shared matrix (North America, Australia, Taiwan) to the same
    # gateways, and Noshiro's ocean link from the Asian origins (searoute, as the shared data)
    gateways = sorted(set(d.sea_intl.dest))
    for origin in EXTRA_ORIGINS:
        for port in gateways:
            link_row(origin, port, "ocean", searoute_km(xy[origin], xy[port]), links)
    for origin in sites.id[sites.kind == "origin"]:
        if sites.loc[origin, "region"] in NOSHIRO_OCEAN_REGIONS:
            link_row(origin, "JPNSR", "ocean", searoute_km(xy[origin], xy["JPNSR"]), links)
    # Noshiro lands Kosaka's imported boards (FACTS 2): road to the smelter and its yard
    road("JPNSR", "sm_dowa_kosaka")
    road("JPNSR", "hub_kosaka")

    # 9. Busan market to a few Japanese ports (great-circle x ocean circuity)
    for p in BUSAN_PORTS:
        link_row(MARKET["id"], p, "ocean", None, links)

    # no road may join two islands except the bridges
    bridge_pairs = {tuple(sorted((capital[a], capital[b]))) for a, b, _, _ in BRIDGES}
    for a, b, mode in links:
        if mode == "road" and sites.loc[a, "island"] != sites.loc[b, "island"]:
            if (a, b) not in bridge_pairs:
                raise SystemExit(f"road link {a}-{b} crosses the sea")

    rows = [[a, b, m, num(km, 1)] for (a, b, m), km in links.items()]
    counts = pd.Series([m for (_, _, m) in links]).value_counts().sort_index()
    print("links by mode: " + ", ".join(f"{m} {n}" for m, n in counts.items()))
    return write_table(out, "links", ["from", "to", "mode", "distance_km"], rows, 3)


def searoute_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Sea distance (km, 0.1 km) on searoute 1.6.0's MARNET network, as the shared data has."""
    import searoute as sr

    route = sr.searoute([a[1], a[0]], [b[1], b[0]], units="km", restrictions=SEAROUTE_RESTRICTIONS)
    return round(float(route["properties"]["length"]), 1)


def check_port_prefectures(d: Data) -> None:
    """Cross-check the hand-set port prefectures against the nearest prefecture polygon."""
    geo = d.geo.to_crs(3857)
    pts = gpd.GeoSeries(
        gpd.points_from_xy(d.ports.lon, d.ports.lat), index=d.ports.index, crs=4326
    ).to_crs(3857)
    for locode, (pref, _) in PORT_PREF_JA.items():
        nearest = int(geo.distance(pts.loc[locode]).idxmin())
        if nearest != pref:
            print(f"  note: {locode} kept in prefecture {pref}; nearest polygon is {nearest}")


# ---------------------------------------------------------------------------------------------
# instance.toml
# ---------------------------------------------------------------------------------------------


def write_instance_toml(out: Path) -> None:
    permits = "\n".join(f"{region} = {num(t, 1)}" for region, t in sorted(IMPORT_PERMITS_T.items()))
    text = f'''# hubnet instance: Japan e-scrap recycling-hub network (default data).
# Built by build/build_instance.py from the shared research data; see SOURCES.md.
name = "japan"
description = """\\
Japan, 47 prefectures as e-scrap sources (2025 national generation, not collection, split by \\
2020 census population), 21 candidate pre-processing hubs at MLIT Recycle Ports (two stand-ins \\
where a region has none) plus 7 existing receiving centres at smelters, 13 smelters and \\
recyclers (copper, precious metal, lead, Li-ion), imports of PCB scrap from ASEAN, EU, North \\
American, Australian and Taiwanese ports, lead-acid battery exports to Busan, informal \\
channels per grade, payable terms per smelter, the 10-t truck fare by distance band and the \\
observed base-year figures. Road, JR Freight rail, coastal and ocean legs."""
currency = "JPY"

[collection]
# Share of a prefecture's generation that a hub next door can collect. Each grade's
# behavioural non-collection is its informal channel (commodities.csv), so this keeps only
# the effect of distance: 95 % next door [EST].
reach_at_zero_km = {num(REACH_AT_ZERO_KM, 2)}
# Each 100 km of lane distance loses 5 points of collection (consumers and dealers sell to
# whoever is close) [EST]: 70 % at 500 km, 55 % at 800 km.
reach_loss_per_100_km = {num(REACH_LOSS_PER_100_KM, 2)}
# The attainable share never falls below 30 % [EST]; it only bites beyond 1,300 km, i.e. if a
# scenario lifts max_collection_km.
reach_floor = {num(REACH_FLOOR, 2)}
# No collection lane over 800 km [EST]: about Tokyo-Aomori by road; keeps the lane set
# sparse, and Okinawa can only be collected by a hub on Okinawa.
max_collection_km = {num(MAX_COLLECTION_KM, 1)}

[policy]
# Baseline: no carbon price (JPY per t CO2); raise it in a scenario.
co2_price_jpy_per_t = {num(CO2_PRICE_JPY_PER_T, 1)}

[policy.import_permits_t_per_yr]
# Most tonnes a year imported per origin region (Basel prior informed consent, EU Waste
# Shipment Regulation 2024/1157; FACTS.md section 7) [EST]. Set to what is on offer, so that
# margins, not permits, decide the baseline; scenarios lower them. 0 = ban.
{permits}
'''
    (out / "instance.toml").write_bytes(text.encode("utf-8"))


# =============================================================================================


def build(data_dir: Path, out_dir: Path) -> dict[str, int]:
    d = load(data_dir)
    check_port_prefectures(d)
    sites = site_records(d)
    counts = {
        "sites": table_sites(out_dir, sites),
        "commodities": table_commodities(out_dir),
        "elements": table_elements(out_dir),
        "contents": table_contents(out_dir),
        "supply": table_supply(out_dir, d),
        "imports": table_imports(out_dir, sites),
        "exports": table_exports(out_dir),
        "terms": table_terms(out_dir),
        "payables": table_payables(out_dir),
        "freight_bands": table_freight_bands(out_dir),
        "observed": table_observed(out_dir),
        "facilities": table_facilities(out_dir, d),
        "capacity_levels": table_capacity_levels(out_dir),
        "recovery": table_recovery(out_dir),
        "modes": table_modes(out_dir),
        "links": table_links(out_dir, d, sites),
    }
    write_instance_toml(out_dir)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "data_dir",
        nargs="?",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="the shared data folder (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=INSTANCE_DIR,
        help="instance folder to write (default: %(default)s)",
    )
    parser.add_argument("--no-check", action="store_true", help="skip check_instance.py")
    args = parser.parse_args(argv)
    counts = build(args.data_dir.resolve(), args.out.resolve())
    print("rows: " + ", ".join(f"{t} {n}" for t, n in counts.items()))
    if args.no_check:
        return 0
    sys.path.insert(0, str(HERE))
    import check_instance  # noqa: E402  (sibling script)

    expected = {c.id: c.national_supply_t for c in COMMODITIES}
    return check_instance.main([str(args.out.resolve())], expected_supply=expected)


if __name__ == "__main__":
    sys.exit(main())
