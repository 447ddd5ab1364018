"""Build the `japan-roadmap` instance (planning years 2025-2050) from the calibrated `japan`.

Usage (from the repository root, with the project's virtual environment):

    PYTHONPATH=src .venv/bin/python instances/japan-roadmap/build/build_roadmap.py
        [--base instances/japan] [--data DATA_DIR] [--out instances/japan-roadmap]
        [--municipal OUT_DIR]

The first planning year (2025) is the base year: every row of `instances/japan` is kept as it
is and holds from the start (no `year`). What changes later is added as rows with a `year`:

1. supply: national generation by grade and year (population for the per-capita grades, the
   PV-panel and EV-battery waves for theirs), split over the prefectures by the IPSS 2023
   projection of each planning year (`population_by_year.csv` beside this script);
2. a new grade `ev_li_ion` (EV/xEV traction cells) from 2030, with its contents, terms and
   payables at the Li-ion recyclers, and their `accepts` widened from 2030;
3. the Iwaki black-mass plant (日本化学産業, target by 2030) as a candidate from 2030;
4. capacity levels: the base year's annualised fixed cost is split into an operating fixed
   cost a year (O&M and staff) and a one-off `build_cost_jpy` (the capital), so that a
   roadmap does not pay the capital twice;
5. elements: national demand (for the self-sufficiency share the run reports);
6. instance.toml: the base's settings plus `[periods]`.

`--municipal OUT_DIR` also writes the municipal roadmap (japan-municipal with the same years
and trajectories) for the benchmark; `municipal_roadmap()` does the same from Python.
Every figure is named below with its source or marked [EST]; SOURCES.md explains them.
Output is deterministic (rows in the base's order, year rows after their key's base row).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
INSTANCE_DIR = HERE.parent
REPO = HERE.parents[2]
DEFAULT_BASE = REPO / "instances" / "japan"
DEFAULT_MUNICIPAL_BASE = REPO / "instances" / "japan-municipal"
DEFAULT_DATA_DIR = REPO.parent / "shared" / "data"
NAME = "japan-roadmap"

# ---------------------------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------------------------
YEARS = (2025, 2030, 2035, 2040, 2050)
LATER = YEARS[1:]  # the years that get rows of their own
#: MLIT's cost-benefit manuals discount public-investment costs and benefits at 4 % a year
#: (費用便益分析マニュアル, MLIT Road Bureau / City Bureau, Nov 2008; 公共事業評価の費用便益分析
#: に関する技術指針 (共通編), MLIT Jun 2008)
DISCOUNT_RATE = 0.04
LAST_PERIOD_YEARS = 10  # 2050 stands for 2050-2059

# ---------------------------------------------------------------------------------------------
# Population (IPSS 2023 regional projection, medium variant; thousands)
# ---------------------------------------------------------------------------------------------
#: national total, IPSS Population Statistics 2025 Table 12-6 (roadmap B8)
NATIONAL_K = {2020: 126_146, 2025: 123_262, 2030: 120_116, 2035: 116_639, 2040: 112_837,
              2045: 108_801, 2050: 104_686}  # fmt: skip
#: the 19 prefectures of Table 12-6 found in full (roadmap B8): code -> 2025..2050
IPSS_K = {
    1: (5_007, 4_792, 4_562, 4_319, 3_820),
    2: (1_157, 1_077, 996, 914, 755),
    3: (1_138, 1_066, 995, 924, 783),
    4: (2_239, 2_172, 2_097, 2_014, 1_830),
    5: (888, 819, 752, 686, 560),
    6: (1_005, 945, 886, 828, 711),
    7: (1_732, 1_640, 1_546, 1_449, 1_247),
    8: (2_783, 2_688, 2_584, 2_473, 2_245),
    9: (1_867, 1_802, 1_732, 1_658, 1_502),
    10: (1_878, 1_815, 1_746, 1_673, 1_521),
    11: (7_316, 7_224, 7_101, 6_953, 6_634),
    12: (6_258, 6_179, 6_076, 5_956, 5_690),
    13: (14_199, 14_349, 14_459, 14_507, 14_399),
    14: (9_201, 9_122, 9_012, 8_869, 8_524),
    15: (2_084, 1_974, 1_863, 1_751, 1_525),
    16: (986, 942, 898, 852, 762),
    17: (1_092, 1_057, 1_019, 979, 897),
    18: (733, 703, 672, 639, 573),
    19: (782, 749, 716, 681, 612),
}
#: change 2020 -> 2050 of the same projection, found for single prefectures (roadmap B8;
#: jinkoulab.com p=2376 for Aichi, Shiga, Kyoto, Osaka, Fukuoka); intermediate years [EST]
CHANGE_2050 = {
    23: -0.115, 25: -0.135, 26: -0.195, 27: -0.178, 30: -0.32, 35: -0.31, 36: -0.33,
    39: -0.35, 40: -0.128, 42: -0.338, 45: -0.255, 46: -0.263, 47: -0.052,
}  # fmt: skip
#: 2050 totals of prefecture groups (thousands): Aichi+Gifu+Mie 9,490 (Nikkei 2023-12-22,
#: "中部3県 949万人"); the 8 Kyushu-Okinawa prefectures 11,524 (NHK Fukuoka 2024-01-08). The
#: members without a figure of their own share the rest by 2020 population [EST].
GROUPS_2050 = (((21, 23, 24), 9_490), ((40, 41, 42, 43, 44, 45, 46, 47), 11_524))


def prefecture_population(census_2020: pd.Series) -> pd.DataFrame:
    """Population (thousands) by prefecture code and planning year; `source` says how.

    2025 is the 2020 census (the base year's split, kept). Later years: the IPSS table where
    found; else the 2050 figure (own change, or the group's rest) reached along the national
    path (share of the national 2020-2050 fall reached by the year) [EST]; the prefectures
    with no figure at all share what is left of the national total by 2020 population [EST].
    """
    p20 = census_2020 / 1000.0
    reach = {y: (NATIONAL_K[2020] - NATIONAL_K[y]) / (NATIONAL_K[2020] - NATIONAL_K[2050])
             for y in LATER}  # fmt: skip
    p50, how = {}, {}
    for code, ch in CHANGE_2050.items():
        p50[code], how[code] = p20[code] * (1 + ch), "IPSS 2050 change; path [EST]"
    for members, total in GROUPS_2050:
        known = [c for c in members if c in p50 or c in IPSS_K]
        rest = [c for c in members if c not in known]
        left = total - sum(p50.get(c, IPSS_K.get(c, (0,) * 5)[-1]) for c in known)
        for c in rest:
            p50[c] = left * p20[c] / p20[rest].sum()
            how[c] = "IPSS group 2050 total, split by 2020 [EST]"
    out = pd.DataFrame(index=p20.index, columns=list(YEARS), dtype=float)
    out[2025] = p20
    for code in p20.index:
        if code in IPSS_K:
            out.loc[code, list(LATER)] = IPSS_K[code][1:]
            how[code] = "IPSS Table 12-6"
        elif code in p50:
            for y in LATER:
                out.loc[code, y] = p20[code] + (p50[code] - p20[code]) * reach[y]
    rest = [c for c in p20.index if c not in how]
    for y in LATER:
        left = NATIONAL_K[y] - out.loc[~out.index.isin(rest), y].sum()
        out.loc[rest, y] = left * p20[rest] / p20[rest].sum()
    for c in rest:
        how[c] = "national rest, split by 2020 [EST]"
    return out.assign(source=pd.Series(how))


# ---------------------------------------------------------------------------------------------
# National generation by grade and year (tonnes a year)
# ---------------------------------------------------------------------------------------------
#: grades whose generation follows population at the base year's generation per head: no
#: Japanese e-waste projection was found (roadmap B10); GEM's ~21 kg a head (2022) is taken as
#: flat [EST], and so are lead-acid (car fleet per head), portable Li-ion and magnets [EST]
PER_HEAD = ("pcb_high", "pcb_low", "phones", "small_appliances", "lead_acid", "li_ion", "magnets")
#: end-of-life PV panels (roadmap B6): 2025 6 kt and 2030 22 kt (4-ministry review, Apr 2022);
#: 2035 170 kt, the low end of its 170-280 kt peak (2036; peak 2035-37); 2040 225 kt, the middle
#: of that band [EST: the 2012-15 FIT boom reaches 25 years in 2037-40, MOE 2015's life basis;
#: below METI/MOE 2025's "up to ~500 kt"]; 2050 170 kt [EST: back to the band's low end as the
#: wave passes; no figure after 2040 was found]
PV_T = {2025: 6_000, 2030: 22_000, 2035: 170_000, 2040: 225_000, 2050: 170_000}
#: EV/xEV traction cells reaching end of life in Japan (roadmap B7): 2030 "just under 20 kt"
#: in ~150,000 vehicles (Nikkei 2024-10-07); later years [EST]: doubling every five years to
#: 2040 (volumes "rise from the 2030s", pack life 8-10 years) and again over the 2040s; 2050
#: = 1.2 M vehicles at ~130 kg, ~28 % of the 4.43 M cars scrapped a year (roadmap A3); it is
#: 55 times a 2018 of ~2.9 kt (Sato & Nakata 2020: x55 from 2018 to 2050), a plausible start
EV_T = {2030: 20_000, 2035: 40_000, 2040: 80_000, 2050: 160_000}


def national_t(grade: str, year: int, base_t: float) -> float:
    """National generation of a grade in a planning year (the base's total in 2025)."""
    if grade in PER_HEAD:
        return base_t * NATIONAL_K[year] / NATIONAL_K[2025]
    if grade == "pv_panels":
        return base_t * PV_T[year] / PV_T[2025]
    if grade == "ev_li_ion":
        return float(EV_T.get(year, 0))
    raise SystemExit(f"supply: no trajectory for grade {grade!r}")


# ---------------------------------------------------------------------------------------------
# New rows from 2030: the EV-battery grade and the Iwaki black-mass plant
# ---------------------------------------------------------------------------------------------
EV = "ev_li_ion"
EV_FROM = 2030
#: EV/xEV traction cells. Hub yield 0.40 (black mass) and penalty ¥200k/t (fire risk) as the
#: portable Li-ion grade [EST]. Collectable share 1.0 [EST]: generation counts cells of cars
#: scrapped in Japan, which the end-of-life-vehicle route dismantles; used EVs exported
#: before the end of life (>80 % so far, roadmap A3) never enter it. No informal channel.
EV_COMMODITY = {
    "id": EV,
    "name": "EV/xEV traction Li-ion cells (end of life in Japan)",
    "hub_yield_share": "0.40",
    "leakage_penalty_jpy_per_t": "200000",
    "collectable_share": "1.00",
}
#: EV NMC cells, FACTS §4 mid-points: Ni 10-15 %, Co 2-5 %, Li 1.5-2 %, Cu 10-15 % (g/t)
EV_CONTENTS = {"Co": 35_000, "Cu": 125_000, "Li": 17_500, "Ni": 125_000}
LIB_RECYCLERS = ("sm_jx_tsuruga", "sm_smm_lib")  # take EV cells from 2030, on li_ion terms
#: 日本化学産業 (Nihon Kagaku Sangyo) black-mass plant in Iwaki: pilot, target 500-1,000
#: t/month of black mass by 2030 (FACTS §1, japanmetal.com news-h20241011138332): the two
#: ends, 6,000 and 12,000 t/yr, as candidate levels from 2030. Placed at the Onahama smelter
#: (also in Iwaki) with its links [EST: plant site not located]. Capex [EST]: JX Tsuruga's
#: ¥705 M for 600 t/yr (FACTS §5) per tonne a year: ¥7.05 and ¥14.1 bn. Processing, terms,
#: payables and recovery as the SMM LIB plant.
IWAKI = "sm_iwaki_lib"
IWAKI_AT = "sm_mmc_onahama"
IWAKI_LEVELS = tuple((f"plant_{t // 1000}kt_bm", t, t * 705e6 / 600) for t in (6_000, 12_000))
IWAKI_NAME = (
    "Nihon Kagaku Sangyo Iwaki black-mass plant",
    "日本化学産業 いわき (LIB ブラックマス)",
)

# ---------------------------------------------------------------------------------------------
# Costs of capacity levels: operating a year vs capital once
# ---------------------------------------------------------------------------------------------
#: the consolidation level's ¥120 M a year (FACTS §5: ¥50-150 M) is all-in; its capital is
#: taken as ¥0.4 bn [EST: a bale-and-store yard, under a fifth of the smallest processing hub's
#: ¥1.5 bn], so ¥0.4 bn x CRF of it is the annuity and the rest is operating cost
CONSOLIDATION_CAPEX = 0.4e9

# ---------------------------------------------------------------------------------------------
# National demand by element (roadmap B9), tonnes a year; flat to 2050 [EST: no projection]
# ---------------------------------------------------------------------------------------------
DEMAND_T = {
    "Cu": 1_000_000,  # refined consumption "above 1.0 Mt" (FY2018, JCBA via japanmetal.com)
    "Pb": 199_000,  # bullion produced 2019 (JMIA 鉱山 2020 p.59) as demand [EST: no demand figure]
    "Ni": 185_000,  # ~8 % of world primary use 2,327 kt (JOGMEC 2019) [derived]
    "Co": 16_000,  # ~20 % of world refined use 81,925 t (JOGMEC 2015, 2013 data) [derived]
}
#: copies of base rows from a later year, unchanged, so that a scenario can change that year on
#: (`where = { ..., year = 2030 }`): the self-sufficiency targets of 2030 and 2050
#: (scenarios/self-sufficiency-2030.toml) and the PV recycling mandate from 2030
#: (scenarios/pv-recycling-mandate.toml)
HOOKS = {
    "elements": [("Cu", 2030), ("Cu", 2050), ("Pb", 2030), ("Pb", 2050)],
    "commodities": [("pv_panels", 2030)],
}


# ---------------------------------------------------------------------------------------------
# Tables as text: the base's rows kept, year rows added
# ---------------------------------------------------------------------------------------------
KEYS = {
    "sites": ("id",), "commodities": ("id",), "elements": ("id",),
    "contents": ("commodity", "element"), "supply": ("site", "commodity"),
    "facilities": ("site",), "capacity_levels": ("facility", "level"),
    "recovery": ("facility", "element"), "terms": ("smelter", "commodity"),
    "payables": ("smelter", "commodity", "element"), "links": ("from", "to", "mode"),
}  # fmt: skip


@dataclass(frozen=True)
class Table:
    """A table as strings: the base rows (year "") and the added rows, in one frame."""

    name: str
    df: pd.DataFrame

    def add(self, rows: list[dict[str, object]], year: int) -> Table:
        new = pd.DataFrame(rows).astype(object).fillna("").astype(str).assign(year=str(year))
        df = pd.concat([self.df, new], ignore_index=True).fillna("")
        return Table(self.name, df)

    def text(self) -> str:
        """CSV: each key's rows together, the base row first, then by year."""
        df = self.df.copy()
        key = list(KEYS[self.name])
        first = df.drop_duplicates(key).reset_index(drop=True).reset_index()
        order = df.merge(first[key + ["index"]], on=key, how="left")["index"]
        df = df.assign(_o=order.to_numpy(), _y=pd.to_numeric(df.year).fillna(0))
        df = df.sort_values(["_o", "_y"], kind="mergesort").drop(columns=["_o", "_y"])
        if df.duplicated(key + ["year"]).any():
            raise SystemExit(f"{self.name}: duplicate (key, year)")
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(list(df.columns))
        w.writerows(df.to_numpy().tolist())
        return buf.getvalue()


def read_table(folder: Path, name: str) -> Table:
    df = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
    return Table(name, df.assign(year=""))


def num(x: float, decimals: int = 0) -> str:
    return f"{round(float(x), decimals):.{decimals}f}"


# ---------------------------------------------------------------------------------------------
# Supply
# ---------------------------------------------------------------------------------------------
def split_int(total: float, weights: pd.Series) -> pd.Series:
    """Whole tonnes by weight that add up to round(total), largest remainder (as the base)."""
    raw = round(total) * weights / weights.sum()
    out = np.floor(raw).astype(int)
    short = int(round(total) - out.sum())
    order = sorted(raw.index, key=lambda k: (-(raw[k] - out[k]), k))
    out[order[:short]] += 1
    return out


def supply_rows(base: pd.DataFrame, pop: pd.DataFrame, year: int) -> list[dict[str, object]]:
    """Prefecture rows of one planning year: national totals split by that year's population."""
    base = base[base.year == ""]
    code = base.site.str.slice(4, 6).astype(int)
    sites = dict(zip(code, base.site, strict=False))
    weights = pop[year].rename(index=sites)
    totals = base.assign(t=pd.to_numeric(base.generation_t_per_yr)).groupby("commodity").t.sum()
    rows = []
    for grade in sorted(set(totals.index) | {EV}):
        t = national_t(grade, year, float(totals.get(grade, 0.0)))
        for site, x in split_int(t, weights).items():
            if x > 0:
                rows.append({"site": site, "commodity": grade, "generation_t_per_yr": str(x)})
    return rows


# ---------------------------------------------------------------------------------------------
# Building the tables
# ---------------------------------------------------------------------------------------------
def load_base_build(base_dir: Path):  # noqa: ANN201 - a module
    """The base instance's build script, for its cost constants and levels."""
    import importlib.util

    path = base_dir / "build" / "build_instance.py"
    spec = importlib.util.spec_from_file_location("japan_default_build", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def level_costs(b, facility: str, level: str, fixed_all_in: float) -> tuple[float, float]:  # noqa: ANN001
    """(operating fixed cost a year, build cost) of a base level; checks the base's figure."""
    for x in b.SMELTER_EXPANSIONS:
        if (x.smelter_site, x.level) == (facility, level):
            annual, capex, operating = x.capex_jpy * b.CRF, x.capex_jpy, 0.0
            break
    else:
        if level == b.CONSOLIDATION_LEVEL[0]:
            annual = b.CONSOLIDATION_LEVEL[2]
            capex = CONSOLIDATION_CAPEX
            operating = annual - capex * b.CRF
        else:
            lv = next(lv for lv in b.HUB_LEVELS if lv.level == level)
            annual, capex = lv.fixed_cost, lv.capex_jpy
            operating = capex * b.FIXED_OM_SHARE + lv.fte * b.JPY_PER_FTE
    if abs(round(annual, -5) - fixed_all_in) > 0.5:
        raise SystemExit(f"capacity_levels {facility}/{level}: base fixed cost {fixed_all_in} "
                         f"is not the base build's {annual} (rebuild japan first?)")  # fmt: skip
    return round(operating, -5), capex


def capacity_levels(base_dir: Path, b) -> Table:  # noqa: ANN001
    t = read_table(base_dir, "capacity_levels")
    df = t.df.copy()
    fixed, build = [], []
    for r in df.itertuples():
        op, capex = level_costs(b, r.facility, r.level, float(r.fixed_cost_jpy_per_yr))
        fixed.append(num(op))
        build.append(num(capex))
    df["fixed_cost_jpy_per_yr"] = fixed
    df.insert(len(df.columns) - 1, "build_cost_jpy", build)
    rows = [{"facility": IWAKI, "level": level, "capacity_t_per_yr": num(cap),
             "fixed_cost_jpy_per_yr": "0", "min_throughput_t_per_yr": "",
             "build_cost_jpy": num(capex)} for level, cap, capex in IWAKI_LEVELS]  # fmt: skip
    return Table(t.name, df).add(rows, EV_FROM)


def copy_rows(t: Table, column: str, old: str, new: str) -> list[dict[str, object]]:
    """The base rows whose `column` is `old`, with `new` there instead."""
    rows = t.df[(t.df[column] == old) & (t.df.year == "")].drop(columns="year")
    return rows.assign(**{column: new}).to_dict("records")


def tables(base_dir: Path, pop: pd.DataFrame) -> dict[str, Table]:
    b = load_base_build(base_dir)
    out = {n: read_table(base_dir, n) for n in KEYS if n != "capacity_levels"}
    out["capacity_levels"] = capacity_levels(base_dir, b)
    for y in LATER:
        out["supply"] = out["supply"].add(supply_rows(out["supply"].df, pop, y), y)
    out["commodities"] = out["commodities"].add([EV_COMMODITY], EV_FROM)
    out["contents"] = out["contents"].add(
        [
            {"commodity": EV, "element": e, "content_g_per_t": str(g)}
            for e, g in EV_CONTENTS.items()
        ],
        EV_FROM,
    )
    # the Iwaki plant: a copy of the SMM LIB plant's rows, at the Onahama smelter's place
    site = copy_rows(out["sites"], "id", IWAKI_AT, IWAKI)[0]
    site["name"], site["name_ja"] = IWAKI_NAME
    out["sites"] = out["sites"].add([site], EV_FROM)
    links = copy_rows(out["links"], "from", IWAKI_AT, IWAKI) + copy_rows(
        out["links"], "to", IWAKI_AT, IWAKI
    )
    out["links"] = out["links"].add(links, EV_FROM)
    out["recovery"] = out["recovery"].add(
        copy_rows(out["recovery"], "facility", "sm_smm_lib", IWAKI), EV_FROM
    )
    fac = copy_rows(out["facilities"], "site", "sm_smm_lib", IWAKI)
    fac += [r for s in LIB_RECYCLERS for r in copy_rows(out["facilities"], "site", s, s)]
    for r in fac:
        r["accepts"] = f"{EV};li_ion"
    out["facilities"] = out["facilities"].add(fac, EV_FROM)
    for name in ("terms", "payables"):
        t = out[name]
        lib = t.df[(t.df.commodity == "li_ion") & t.df.smelter.isin(LIB_RECYCLERS)]
        lib = lib.drop(columns="year").to_dict("records")
        new = [{**r, "commodity": EV} for r in lib]
        new += [{**r, "smelter": IWAKI} for r in lib + new if r["smelter"] == "sm_smm_lib"]
        out[name] = t.add(new, EV_FROM)
    el = out["elements"].df.copy()
    el.insert(len(el.columns) - 1, "demand_t_per_yr", el.id.map(DEMAND_T).map(
        lambda x: "" if pd.isna(x) else num(x)))  # fmt: skip
    el.insert(len(el.columns) - 1, "min_supply_share", "")
    out["elements"] = Table("elements", el)
    for name, hooks in HOOKS.items():
        for key, y in hooks:
            out[name] = out[name].add(copy_rows(out[name], "id", key, key), y)
    return out


# ---------------------------------------------------------------------------------------------
# instance.toml and the folder
# ---------------------------------------------------------------------------------------------
PERIODS_TOML = f"""
[periods]
# Planning years; each stands for the years up to the next one, 2050 for 2050-2059.
years = [{", ".join(str(y) for y in YEARS)}]
# 4 % a year: the rate of MLIT's cost-benefit manuals for public investment (費用便益分析
# マニュアル, 2008). Yearly costs are weighted by it, build costs paid once when built.
discount_rate = {DISCOUNT_RATE}
last_period_years = {LAST_PERIOD_YEARS}
foresight = "perfect"
"""


def instance_toml(base_text: str, name: str, header: str, description: str) -> str:
    if re.search(r"^\[periods\]", base_text, flags=re.M):
        raise SystemExit("instance.toml of the base: already a roadmap")
    text = re.sub(r"\A(#[^\n]*\n)+", header, base_text, count=1)
    text, n = re.subn(r'^name = "[^"]*"$', f'name = "{name}"', text, count=1, flags=re.M)
    text, k = re.subn(
        r'^description = """.*?"""', lambda _: description, text, count=1, flags=re.M | re.S
    )
    if n != 1 or k != 1:
        raise SystemExit("instance.toml of the base: name or description not found")
    return text.rstrip("\n") + "\n" + PERIODS_TOML


HEADER = (
    "# hubnet instance: the Japan network as a roadmap, planning years 2025-2050.\n"
    "# Built by build/build_roadmap.py from instances/japan; see SOURCES.md. 2025 is the\n"
    "# calibrated base year (every setting below is the base's); later years are rows with\n"
    "# a `year` in the tables, and [periods] at the end.\n"
)
DESCRIPTION = '''description = """\\
Japan roadmap 2025-2050 (planning years 2025, 2030, 2035, 2040, 2050; 4 % discount rate): \\
the calibrated 2025 network of instances/japan, with generation by grade and year (per head \\
for most grades, the PV-panel wave and EV traction cells from 2030), prefectures weighted by \\
the IPSS 2023 projection, the Iwaki black-mass plant as a candidate from 2030, capital paid \\
once as build costs, and national metal demand for the self-sufficiency share."""'''


def copied_files(base_dir: Path, skip: set[str]) -> dict[str, str]:
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(base_dir.glob("*.csv"))
        if p.stem not in skip
    }


def write(out: Path, files: dict[str, str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for filename, text in files.items():
        with open(out / filename, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)


def population_csv(pop: pd.DataFrame, prefs: pd.DataFrame) -> str:
    rows = [
        [str(c), prefs.at[c, "name_en"]]
        + [num(pop.at[c, y], 1) for y in YEARS]
        + [pop.at[c, "source"]]
        for c in pop.index
    ]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["code", "name_en"] + [f"k_{y}" for y in YEARS] + ["source_from_2030"])
    w.writerows(rows)
    return buf.getvalue()


def build(base_dir: Path, data_dir: Path, out: Path) -> dict[str, Table]:
    prefs = pd.read_csv(data_dir / "japan_prefectures.csv").set_index("code").sort_index()
    pop = prefecture_population(prefs.population_2020.astype(float))
    ts = tables(base_dir, pop)
    files = copied_files(base_dir, set(ts))
    files |= {f"{n}.csv": t.text() for n, t in ts.items()}
    base_toml = (base_dir / "instance.toml").read_text(encoding="utf-8")
    files["instance.toml"] = instance_toml(base_toml, NAME, HEADER, DESCRIPTION)
    write(out, files)
    write(HERE, {"population_by_year.csv": population_csv(pop, prefs)})
    return ts


# ---------------------------------------------------------------------------------------------
# The municipal roadmap (for the benchmark)
# ---------------------------------------------------------------------------------------------
MUNICIPAL_HEADER = (
    "# hubnet instance: japan-municipal as a roadmap, planning years 2025-2050 (benchmark).\n"
    "# Written by instances/japan-roadmap/build/build_roadmap.py: japan-municipal's network\n"
    "# with japan-roadmap's years and trajectories; see that folder's SOURCES.md.\n"
)


def municipal_roadmap(
    out: Path,
    municipal_dir: Path = DEFAULT_MUNICIPAL_BASE,
    roadmap_dir: Path = INSTANCE_DIR,
) -> Path:
    """Write japan-municipal with japan-roadmap's planning years and trajectories into `out`.

    Each prefecture's roadmap supply of a later year is split over its municipalities by their
    estimated 2020 population (src/hubnet/data/municipalities.csv; shares inside a prefecture
    kept at 2020 [EST]). The roadmap's other year rows apply as they are; the Iwaki plant's
    links are copies of the Onahama smelter's links in the municipal network. Returns `out`.
    """
    munis = pd.read_csv(REPO / "src" / "hubnet" / "data" / "municipalities.csv", dtype=str)
    munis["pop"] = munis.pop_est_2020.astype(float)
    road = {n: pd.read_csv(roadmap_dir / f"{n}.csv", dtype=str, keep_default_na=False)
            for n in KEYS}  # fmt: skip
    files = copied_files(municipal_dir, set(KEYS))
    for name in KEYS:
        base = read_table(municipal_dir, name)
        later = road[name][road[name].year != ""]
        if name == "supply":
            later = municipal_supply(later, munis)
        elif name == "links":
            rows = [r for c in ("from", "to") for r in copy_rows(base, c, IWAKI_AT, IWAKI)]
            later = pd.DataFrame(rows).assign(year=str(EV_FROM))
        if name in ("capacity_levels", "elements"):
            base_rows = road[name][road[name].year == ""]
            base = Table(name, base_rows.reset_index(drop=True))
        t = base
        for y, grp in later.groupby("year", sort=True):
            t = t.add(grp.drop(columns="year").to_dict("records"), int(y))
        files[f"{name}.csv"] = t.text()
    toml = (municipal_dir / "instance.toml").read_text(encoding="utf-8")
    toml = re.sub(r"\A(#[^\n]*\n)+", MUNICIPAL_HEADER, toml, count=1)
    toml = re.sub(
        r'^name = "[^"]*"$', 'name = "japan-municipal-roadmap"', toml, count=1, flags=re.M
    )
    write(out, files | {"instance.toml": toml.rstrip("\n") + "\n" + PERIODS_TOML})
    return out


def municipal_supply(later: pd.DataFrame, munis: pd.DataFrame) -> pd.DataFrame:
    """Prefecture rows (src_XX_...) of later years split over the municipalities by population."""
    rows = []
    for r in later.itertuples():
        grp = munis[munis.pref_code == str(int(r.site[4:6]))]
        milli = split_int(float(r.generation_t_per_yr) * 1000, grp["pop"].set_axis(grp.id))
        for mid, x in milli.items():
            if x > 0:
                rows.append([mid, r.commodity, num(x / 1000, 3), r.year])
    return pd.DataFrame(rows, columns=["site", "commodity", "generation_t_per_yr", "year"])


# ---------------------------------------------------------------------------------------------
# Check and main
# ---------------------------------------------------------------------------------------------
def summary(ts: dict[str, Table]) -> None:
    s = ts["supply"].df.assign(t=lambda d: pd.to_numeric(d.generation_t_per_yr))
    for y in YEARS:
        at = s[(s.year == "") | (s.year == str(y))] if y == YEARS[0] else s[s.year == str(y)]
        by = at.groupby("commodity").t.sum()
        print(
            f"{y}: "
            + ", ".join(f"{k} {v:,.0f}" for k, v in by.items())
            + f"; total {by.sum():,.0f}"
        )


#: tables whose base-year view differs from the base on purpose (module docstring, 4 and 5)
CHANGED_AT_BASE_YEAR = {"capacity_levels": ("fixed_cost_jpy_per_yr", "build_cost_jpy"),
                        "elements": ("demand_t_per_yr",)}  # fmt: skip


def check(out: Path, base_dir: Path) -> None:
    """Load with the engine's reader; the first year's view must be the base, except the
    columns of CHANGED_AT_BASE_YEAR."""
    from hubnet.instance import load_instance

    road, base = load_instance(out), load_instance(base_dir)
    first = road.at(road.periods.years[0])
    if (first.collection, first.policy) != (base.collection, base.policy):
        raise SystemExit("check: the first year's settings are not the base's")
    for f in dataclasses.fields(base):
        name, df = f.name, getattr(base, f.name)
        if not isinstance(df, pd.DataFrame) or (df.empty and getattr(first, name).empty):
            continue
        got = getattr(first, name).drop(columns=list(CHANGED_AT_BASE_YEAR.get(name, ())),
                                         errors="ignore")  # fmt: skip
        want = df.drop(columns=list(CHANGED_AT_BASE_YEAR.get(name, ())), errors="ignore")
        got = got.reset_index(drop=True)[list(want.columns)]
        pd.testing.assert_frame_equal(got, want.reset_index(drop=True), check_dtype=False)
    print(
        f"check: loads; {road.periods.years[0]} is the base instance "
        f"(except {', '.join(f'{t}.{c}' for t, cs in CHANGED_AT_BASE_YEAR.items() for c in cs)})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=DEFAULT_BASE, help="the base instance")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="shared data folder")
    parser.add_argument("--out", type=Path, default=INSTANCE_DIR, help="instance folder to write")
    parser.add_argument("--municipal", type=Path, help="also write the municipal roadmap here")
    args = parser.parse_args(argv)
    ts = build(args.base.resolve(), args.data.resolve(), args.out.resolve())
    summary(ts)
    check(args.out.resolve(), args.base.resolve())
    if args.municipal:
        out = municipal_roadmap(args.municipal.resolve(), roadmap_dir=args.out.resolve())
        print(f"municipal roadmap -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
