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
    national_supply_t: float  # FACTS 6 "Suggested default national supply" (2025 values)


# fmt: off
COMMODITIES: tuple[Commodity, ...] = (
    # id, name, hub_yield_share, leakage_penalty_jpy_per_t, max_leakage_share, national_supply_t
    # Boards: sorting off loose Al/Fe parts and cables; ~95 % goes on to the smelter [EST].
    Commodity("pcb_high", "High-grade PCB (IT, telecom, server boards)",
              0.95, 30_000, None, 15_000),
    # TV/appliance boards carry heat sinks, transformers, big capacitors that are cut off [EST].
    Commodity("pcb_low", "Low-grade PCB (TV, appliance, power-supply boards)",
              0.85, 30_000, None, 25_000),
    # Handsets: the battery (~15-20 % of mass) is pulled before smelting [EST].
    Commodity("phones", "Mobile phones (whole handsets)",
              0.85, 30_000, None, 3_000),
    # Small appliances are dismantled/shredded; Fe, Al and plastics are sold off and only the
    # board and copper-rich fraction (~20 %) goes to a smelter [EST, FACTS band 0.15-0.25].
    # Lenient baseline cap 0.30: FACTS 6 "Default leakage parameters" (informal share 10-20 %,
    # lenient policy bound <=15 %) and the FY2020 collection of 102 kt against a 140 kt target.
    Commodity("small_appliances", "Small household appliances, whole (小型家電)",
              0.20, 20_000, 0.30, 100_000),
    # Discharge, dismantle, shred: black mass is ~40 % of cell/pack mass [EST].
    # High penalty: Li-ion cells in mixed waste cause collection-truck and plant fires [EST].
    Commodity("li_ion", "Li-ion batteries (portable and small packs)",
              0.40, 200_000, None, 10_000),
    # Batteries are consolidated and passed on whole; the smelter breaks them [EST].
    # Own cap (FACTS 6 "lead-acid batteries need their own cap"): the ~76 kt/yr legal outflow
    # to Korea (~30 % of 250 kt) plus 10-20 % informal loss gives a status quo near 45 %;
    # the baseline cap 0.55 sits above it [EST].
    Commodity("lead_acid", "Lead-acid batteries (automotive, whole)",
              1.00, 50_000, 0.55, 250_000),
    # Glass (~75 %) and Al frame (~8-10 %) are removed; cells, ribbons and backsheet go on [EST].
    Commodity("pv_panels", "Crystalline-Si PV panels",
              0.15, 30_000, None, 6_000),
    # Demagnetising and stripping housings and coatings [EST].
    Commodity("magnets", "NdFeB magnets (recoverable)",
              0.90, 20_000, None, 2_000),
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
# Recovery shares (FACTS 5 "Smelter terms for PCB e-scrap", "Lead-acid", "LIB black mass")
# ---------------------------------------------------------------------------------------------
# Copper smelters: FACTS payable midpoints Au 90-96 %, Ag 85-95 %, Pd 85-95 %, Cu 90-95 % [EST]
RECOVERY_COPPER = {"Au": 0.93, "Ag": 0.90, "Pd": 0.90, "Cu": 0.925}
# Precious-metal specialists (hydromet / PM furnace): top of the Au/Ag/Pd bands, bottom of Cu
RECOVERY_PM = {"Au": 0.96, "Ag": 0.95, "Pd": 0.95, "Cu": 0.90}
# Secondary lead smelters recover ~95 % of the Pb technically [EST]; the 40-60 % the smelter
# pays for the Pb (FACTS 5 "Lead-acid batteries") is the smelter's cost and margin, which sits
# in its processing cost instead.
RECOVERY_LEAD = {"Pb": 0.95}
# LIB recyclers: FACTS 5 "LIB black mass": payables Ni/Co 60-85 %, Li 0-40 % [EST]
RECOVERY_LIB = {"Co": 0.80, "Ni": 0.80, "Li": 0.30, "Cu": 0.85}
# Magnets at JX HMC: no public figure [EST]
RECOVERY_ND = {"Nd": 0.85}

# Reference payables for pricing imports (the copper-smelter midpoints above)
IMPORT_REFERENCE_PAYABLES = RECOVERY_COPPER

# ---------------------------------------------------------------------------------------------
# Smelters (japan_smelters.csv) and their model terms
# ---------------------------------------------------------------------------------------------
COPPER_ACCEPTS = ("pcb_high", "pcb_low", "phones", "small_appliances", "pv_panels")
PM_ACCEPTS = ("pcb_high", "pcb_low", "phones")
TC_COPPER_JPY_PER_T = 50_000  # FACTS 5 "Smelter terms": treatment charge ¥30-80k/t [EST]
TC_PM_JPY_PER_T = 70_000  # [EST] upper part of the same band: small PM furnaces / hydromet
# FACTS 5 "Lead-acid": smelters pay 40-60 % of the contained Pb value, i.e. keep ~¥75-115k/t
# of batteries for cost and margin; ¥85k/t is used [EST].
TC_LEAD_JPY_PER_T = 85_000
# Black-mass refining (hydromet) per t of black mass [EST]; cf. FACTS 5 "LIB black mass".
TC_LIB_JPY_PER_T = 150_000

# Hub output for li_ion is black mass; public LIB capacities are in tonnes of cells, so they
# are converted with the li_ion hub yield.
LI_ION_YIELD = next(c.hub_yield_share for c in COMMODITIES if c.id == "li_ion")


@dataclass(frozen=True)
class Smelter:
    csv_id: str  # row id in japan_smelters.csv (coordinates and capacity come from there)
    site: str
    name: str
    name_ja: str
    capacity_column: str  # which japan_smelters.csv column gives existing capacity
    capacity_factor: float  # converts that column to tonnes of hub output
    accepts: tuple[str, ...]
    processing_cost: float
    recovery: dict[str, float]
    lat_lon: tuple[float, float] | None = None  # override of the CSV coordinates


ESCRAP, LIB, PBA = "default_escrap_capacity_tpy", "lib_capacity_tpy", "pba_capacity_tpy"

# fmt: off
SMELTERS: tuple[Smelter, ...] = (
    # csv id, site id, name, name_ja,
    #     capacity column, factor, accepts, processing cost, recovery
    Smelter("MMC_NAOSHIMA", "sm_mmc_naoshima", "Mitsubishi Materials Naoshima Smelter & Refinery",
            "三菱マテリアル 直島製錬所",
            ESCRAP, 1.0, COPPER_ACCEPTS, TC_COPPER_JPY_PER_T, RECOVERY_COPPER),
    Smelter("MMC_ONAHAMA", "sm_mmc_onahama", "Onahama Smelting & Refining, Onahama Smelter",
            "小名浜製錬 小名浜製錬所",
            ESCRAP, 1.0, COPPER_ACCEPTS, TC_COPPER_JPY_PER_T, RECOVERY_COPPER),
    Smelter("DOWA_KOSAKA", "sm_dowa_kosaka", "DOWA Kosaka Smelting & Refining",
            "小坂製錬",
            ESCRAP, 1.0, COPPER_ACCEPTS, TC_COPPER_JPY_PER_T, RECOVERY_COPPER),
    Smelter("JX_SAGANOSEKI", "sm_jx_saganoseki", "JX Advanced Metals Saganoseki Smelter & Refinery",
            "JX金属 佐賀関製錬所",
            ESCRAP, 1.0, COPPER_ACCEPTS, TC_COPPER_JPY_PER_T, RECOVERY_COPPER),
    # Magnets need an outlet: JX HMC (hydromet, 16 metals) is assumed to take them [EST].
    Smelter("JX_HMC", "sm_jx_hmc", "JX Advanced Metals Hitachi Metal-Recycling Complex",
            "JX金属 日立メタル・リサイクリング・コンプレックス",
            ESCRAP, 1.0, PM_ACCEPTS + ("magnets",), TC_PM_JPY_PER_T, RECOVERY_PM | RECOVERY_ND),
    # 600 t/yr of cathode material (2012 design basis) is already black-mass-like: factor 1.
    Smelter("JX_TSURUGA", "sm_jx_tsuruga", "JX Advanced Metals Tsuruga LIB recycling plant",
            "JX金属 敦賀工場 (LIB)",
            LIB, 1.0, ("li_ion",), TC_LIB_JPY_PER_T, RECOVERY_LIB),
    Smelter("SMM_TOYO", "sm_smm_toyo", "Sumitomo Metal Mining Toyo Smelter & Refinery",
            "住友金属鉱山 東予工場",
            ESCRAP, 1.0, COPPER_ACCEPTS, TC_COPPER_JPY_PER_T, RECOVERY_COPPER),
    # The SMM LIB line (Toyo pyro step + Niihama hydromet) is its own site because a facility
    # has one capacity and one accepts list; ~10 kt/yr of cells = 4 kt/yr of black mass.
    # Placed at the Niihama Nickel Refinery (SMM_NIIHAMA row of japan_smelters.csv).
    Smelter("SMM_TOYO", "sm_smm_lib", "Sumitomo Metal Mining LIB recycling (Toyo + Niihama)",
            "住友金属鉱山 電池リサイクル (東予・ニッケル工場)",
            LIB, LI_ION_YIELD, ("li_ion",), TC_LIB_JPY_PER_T, RECOVERY_LIB,
            lat_lon=(33.970, 133.287)),
    Smelter("HIBI_TAMANO", "sm_hibi_tamano", "Hibi Kyodo Smelting Tamano Smelter",
            "日比共同製錬 玉野製錬所",
            ESCRAP, 1.0, COPPER_ACCEPTS, TC_COPPER_JPY_PER_T, RECOVERY_COPPER),
    Smelter("MITSUI_TAKEHARA", "sm_mitsui_takehara", "Mitsui Mining & Smelting Takehara Refinery",
            "三井金属 竹原製煉所",
            ESCRAP, 1.0, PM_ACCEPTS, TC_PM_JPY_PER_T, RECOVERY_PM),
    Smelter("KAMIOKA", "sm_kamioka", "Kamioka Mining & Smelting (lead)",
            "神岡鉱業 (鉛)",
            PBA, 1.0, ("lead_acid",), TC_LEAD_JPY_PER_T, RECOVERY_LEAD),
    Smelter("HOSOKURA", "sm_hosokura", "Hosokura Metal Mining (lead)",
            "細倉金属鉱業 (鉛)",
            PBA, 1.0, ("lead_acid",), TC_LEAD_JPY_PER_T, RECOVERY_LEAD),
)
# fmt: on
# Not modelled (see SOURCES.md): TOHO_CHIGIRISHIMA (status unverified after Toho Zinc's 2025
# exit, default capacity 0), HACHINOHE (Zn-Pb concentrate smelter, not an e-scrap outlet),
# SMM_NIIHAMA (its LIB capacity is counted in sm_smm_lib).


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
    # SMM LIB line doubled: +10 kt/yr of cells = +4 kt/yr of black mass; capex [EST] ¥10 bn
    Expansion("sm_smm_lib", "expand_10kt_cells", 10_000 * LI_ION_YIELD, 10e9),
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
    # MLIT Recycle Ports (FACTS 2) and metro port areas: candidates
    Hub("hub_ishikari", "Ishikari Bay New Port hub", "石狩湾新港 拠点候補", 1, "JPICW", "regional"),
    Hub("hub_tomakomai", "Tomakomai hub", "苫小牧港 拠点候補", 1, "JPTMK", "regional"),
    Hub("hub_hachinohe", "Hachinohe hub", "八戸港 拠点候補", 2, "JPHHE", "regional"),
    Hub("hub_sendai", "Sendai-Shiogama hub", "仙台塩釜港 拠点候補", 4, "JPSDJ", "regional"),
    Hub("hub_sakata", "Sakata hub", "酒田港 拠点候補", 6, "JPSKT", "regional"),
    Hub("hub_tokyo", "Tokyo port hub", "東京港 拠点候補", 13, "JPTYO", "regional"),
    Hub("hub_kawasaki", "Kawasaki hub", "川崎港 拠点候補", 14, "JPKWS", "regional"),
    Hub("hub_kisarazu", "Kisarazu hub", "木更津港 拠点候補", 12, "JPKZU", "regional"),
    Hub("hub_himekawa", "Himekawa hub", "姫川港 拠点候補", 15, "JPHMK", "regional"),
    Hub("hub_mikawa", "Mikawa (Toyohashi) hub", "三河港 拠点候補", 23, "JPTHS", "regional"),
    Hub("hub_nagoya", "Nagoya port hub", "名古屋港 拠点候補", 23, "JPNGO", "regional"),
    Hub("hub_sakai", "Sakai-Senboku hub", "堺泉北港 拠点候補", 27, "JPSBK", "regional"),
    Hub("hub_kobe", "Kobe hub", "神戸港 拠点候補", 28, "JPUKB", "regional"),
    Hub("hub_tokuyama", "Tokuyama-Kudamatsu hub", "徳山下松港 拠点候補", 35, "JPTKY", "regional"),
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
# FACTS 5 "Lead-acid batteries" / 6 "Used lead-acid batteries exported": ~76 kt/yr to Korea,
# ≈¥7.6 bn, i.e. ~¥100k/t; the ceiling is set a little above the observed flow [EST].
EXPORT_LEAD_MAX_T = 80_000
EXPORT_LEAD_PRICE_JPY_PER_T = 100_000

# ---------------------------------------------------------------------------------------------
# Imports [EST], FACTS 6 "Import availability" and "PCB e-scrap imports (trade press)"
# ---------------------------------------------------------------------------------------------
# EU: importable 30-60 kt/yr -> 45 kt; ASEAN: 20-40 kt/yr -> 30 kt. Split by port [EST]:
# most EU volume through Moerdijk (MMC's receiving centre), Rotterdam, Antwerp and Hamburg;
# most ASEAN volume through Singapore/Malaysian trans-shipment, Manila and Vietnam.
# fmt: off
IMPORT_T_BY_ORIGIN = {
    "NLMOE": 12_000, "NLRTM": 9_000, "BEANR": 8_000, "DEHAM": 6_000, "DEBRV": 2_500,
    "FRLEH": 2_000, "ITGOA": 1_500, "ESVLC": 1_000, "PLGDN": 1_000, "SEGOT": 1_000,
    "GRPIR": 1_000,
    "SGSIN": 7_000, "MYPKG": 5_000, "PHMNL": 5_000, "VNHPH": 3_000, "VNSGN": 3_000,
    "VNVUT": 2_000, "MYTPP": 1_500, "MYPEN": 1_500, "THLCH": 500, "THBKK": 500,
    "IDTPP": 500, "IDSUB": 500,
}
# fmt: on
# Grade split of what is offered [EST]: EU dismantlers sort out IT boards; ASEAN offers more
# manufacturing and mixed low-grade board scrap.
IMPORT_GRADE_SPLIT = {
    "eu": {"pcb_high": 0.40, "pcb_low": 0.60},
    "asean": {"pcb_high": 0.30, "pcb_low": 0.70},
}
# Purchase price at the origin port as a share of the contained payable metal value [EST].
# High-grade boards trade at ~80 % of payable value. EU low-grade boards are bid up by Aurubis,
# Umicore and Boliden next door (0.90: not worth the long haul and treatment charge);
# ASEAN low-grade boards have few local buyers able to smelt them (0.80: worth buying).
IMPORT_PRICE_SHARE = {
    "eu": {"pcb_high": 0.80, "pcb_low": 0.90},
    "asean": {"pcb_high": 0.80, "pcb_low": 0.80},
}
# Permits per region, t/yr [EST]: below what is on offer so that they can bind
IMPORT_PERMITS_T = {"asean": 25_000, "eu": 40_000}

# ---------------------------------------------------------------------------------------------
# Transport modes (FACTS 5 "Typical costs" and 7 "CO2 emission factors")
# ---------------------------------------------------------------------------------------------
MODES = (
    # mode, JPY/t-km, kg CO2/t-km, handling JPY/t per load or unload, circuity
    # road: FACTS 5 "per t-km for e-scrap ¥40-70" [EST] -> 50; CO2 216 g (MLIT FY2021);
    #       circuity FACTS 5 "Road distance" x1.25-1.35 on Honshu -> 1.3; no handling (door to door)
    ("road", 50.0, 0.216, 0.0, 1.3),
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
REACH_AT_ZERO_KM = 0.9  # FACTS 6: 10-20 % informal/export share even next to a hub [EST]
REACH_LOSS_PER_100_KM = 0.05  # [EST]
REACH_FLOOR = 0.3  # [EST]
MAX_COLLECTION_KM = 800.0  # [EST]
CO2_PRICE_JPY_PER_T = 0.0  # baseline


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
        ]
        for c in COMMODITIES
    ]
    header = ["id", "name", "hub_yield_share", "leakage_penalty_jpy_per_t", "max_leakage_share"]
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


def payable_value_jpy_per_t(commodity: str) -> float:
    """Contained metal value of one tonne at the reference payables (for import prices)."""
    prices = element_prices_jpy_per_kg()
    return sum(
        g / 1000 * IMPORT_REFERENCE_PAYABLES.get(e, 0.0) * prices[e]
        for e, g in CONTENTS_G_PER_T[commodity].items()
    )


def table_imports(out: Path, sites: pd.DataFrame) -> int:
    rows = []
    for origin, total in IMPORT_T_BY_ORIGIN.items():
        region = sites.loc[origin, "region"]
        for k, share in IMPORT_GRADE_SPLIT[region].items():
            price = IMPORT_PRICE_SHARE[region][k] * payable_value_jpy_per_t(k)
            rows.append([origin, k, num(total * share), num(round(price, -2))])
    header = ["site", "commodity", "available_t_per_yr", "price_jpy_per_t"]
    return write_table(out, "imports", header, rows, 2)


def table_exports(out: Path) -> int:
    rows = [[MARKET["id"], "lead_acid", num(EXPORT_LEAD_MAX_T), num(EXPORT_LEAD_PRICE_JPY_PER_T)]]
    return write_table(
        out, "exports", ["site", "commodity", "max_t_per_yr", "price_jpy_per_t"], rows, 2
    )


def table_facilities(out: Path, d: Data) -> int:
    rows = []
    capacity_by_smelter = {}
    for s in SMELTERS:
        cap = float(d.smelters.loc[s.csv_id, s.capacity_column]) * s.capacity_factor
        if not cap > 0:
            raise SystemExit(f"{s.csv_id}: no positive {s.capacity_column}")
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
Japan, 47 prefectures as e-scrap sources (2025 national generation split by 2020 census \\
population), 19 candidate pre-processing hubs at MLIT Recycle Ports and metro logistics areas \\
plus 6 existing receiving centres at smelters, 12 smelters and recyclers (copper, precious \\
metal, lead, Li-ion), imports of PCB scrap from 12 ASEAN and 11 EU ports under permits, and \\
lead-acid battery exports to Busan. Road, JR Freight rail, coastal and ocean legs."""
currency = "JPY"

[collection]
# Share of a prefecture's generation that a hub next door can collect: FACTS.md section 6
# puts the informal/export share at 10-20 %, so 90 % at best [EST].
reach_at_zero_km = {num(REACH_AT_ZERO_KM, 2)}
# Each 100 km of lane distance loses 5 points of collection (consumers and dealers sell to
# whoever is close) [EST]: 65 % at 500 km, 50 % at 800 km.
reach_loss_per_100_km = {num(REACH_LOSS_PER_100_KM, 2)}
# The attainable share never falls below 30 % [EST]; it only bites beyond 1,200 km, i.e. if a
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
# Shipment Regulation 2024/1157; FACTS.md section 7) [EST]. On offer: EU 45 kt, ASEAN 30 kt
# (FACTS.md section 6 "Import availability"), so both permits can bind. 0 = ban.
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
