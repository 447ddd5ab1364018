"""Build the `japan-municipal` instance (and the generator's shipped data) from the shared data.

Usage (from anywhere, with the project's virtual environment):

    .venv/bin/python instances/japan-municipal/build/build_instance.py [DATA_DIR]
        [--base instances/japan] [--no-package-data]

DATA_DIR defaults to /work/shared/data (../../../../shared/data from this file). The script

1. reads the 1,741 municipalities, the prefectures and their polygons from DATA_DIR, and the
   default instance `instances/japan` (its tables and its build script's hand-set prefecture of
   every hub and port);
2. gives every municipality a landmass (which island its office stands on, with islands joined
   to a main island by a bridge counted as that island) and an estimated 2020 population
   (the prefecture's census population split by municipality kind) [EST];
3. writes the generator's data into the package (`src/hubnet/data/municipalities.csv`,
   `prefectures.csv`, `japan_site_landmass.csv`, `japan_base.json`) unless --no-package-data;
4. writes the instance: the default's network with the 47 prefecture sources turned into road
   junctions, the 1,741 municipalities as sources with the default's prefectural generation
   split over them, and access links from `hubnet.generate` (the generator's rule set);
5. loads the result with `hubnet.instance.load_instance` and checks the prefecture totals.

Output is deterministic: sorted rows, fixed number formats, UTF-8 without BOM, LF endings.
Each estimate is a named constant marked [EST]; SOURCES.md beside this folder explains them.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import searoute
import shapely

from hubnet.generate import (
    MAIN_LANDMASSES,
    Base,
    access_links,
    csv_text,
    fmt,
    great_circle_km,
    junction_network,
    land_geometry,
    largest_remainder,
    links_frame,
    point_frame,
    read_base,
    split_milli,
    table_text,
    write_folder,
)
from hubnet.instance import load_instance

HERE = Path(__file__).resolve().parent
INSTANCE_DIR = HERE.parent
REPO = HERE.parents[2]
DEFAULT_DATA_DIR = HERE / ".." / ".." / ".." / ".." / "shared" / "data"
DEFAULT_BASE = REPO / "instances" / "japan"
PACKAGE_DATA = REPO / "src" / "hubnet" / "data"
NAME = "japan-municipal"

# ---------------------------------------------------------------------------------------------
# Population of a municipality [EST]: no municipal population ships offline (shared SOURCES.md),
# so each prefecture's 2020 census population is split over its municipalities in proportion
# to a weight by kind. The weights are rounded national averages of the 2020 census by kind
# (persons per municipality), recalled, not read from a file, hence [EST]; only their ratios
# inside one prefecture matter, because every prefecture's total is kept exactly.
# ---------------------------------------------------------------------------------------------
#: designated cities weigh this many persons per administrative ward (ward counts track size far
#: better than one flat weight: Yokohama has 18 wards, Osaka 24, Shizuoka 3, Okayama 4). The
#: value is calibrated (bisection) so that the 20 cities hold DESIGNATED_CITIES_POP in total.
#: Tokyo's 23 special wards: the weight of one is calibrated so that they hold
#: SPECIAL_WARDS_POP. Both targets are 2020 census totals recalled, not read from a file [EST]:
#: the 20 designated cities (Sapporo 1.97 M ... Kumamoto 0.74 M) add up to ~27.8 M, and the
#: special wards (特別区部) to 9,733,276.
DESIGNATED_CITIES_POP = 27_800_000
SPECIAL_WARDS_POP = 9_733_276
#: the 31 prefectural capitals that are not designated cities (Aomori ... Naha): ~330k each
PERSONS_PER_CAPITAL_CITY = 330_000
#: the other ~740 cities: ~90k each
PERSONS_PER_CITY = 90_000
#: ~743 towns: ~13k each
PERSONS_PER_TOWN = 13_000
#: ~183 villages: ~4.5k each
PERSONS_PER_VILLAGE = 4_500

# ---------------------------------------------------------------------------------------------
# Landmass of a municipal office
# ---------------------------------------------------------------------------------------------
#: an office outside every land polygon but this close to one stands on it (Natural Earth 10m
#: coastlines are generalised); farther out it is on an island the polygons lack [EST]
OFFICE_SNAP_KM = 4.0
#: the main islands, each found by the prefecture whose capital office stands on it
MAIN_ISLAND_PREF = {"honshu": 13, "hokkaido": 1, "shikoku": 37, "kyushu": 40, "okinawa": 47}
#: islands joined to a main island by a road bridge: (office of a municipality on the island,
#: main island, the fixed link). Roads between the five main islands are the default's bridge
#: links between junctions; municipal access roads never cross between main islands.
BRIDGED_ISLANDS = (
    ("28205", "honshu", "Awaji: Akashi Kaikyo Bridge (1998)"),  # Sumoto
    ("35305", "honshu", "Suo-Oshima: Oshima Bridge (1976)"),  # Suo-Oshima town
    ("34215", "honshu", "Etajima: Hayase and Ondo bridges (via Kurahashi)"),  # Etajima
    ("43215", "kyushu", "Amakusa Shimoshima: Amakusa Five Bridges + Amakusa Seto Bridge"),
    ("43212", "kyushu", "Amakusa Kamishima: Amakusa Five Bridges (1966)"),  # Kamiamakusa
    ("46404", "kyushu", "Nagashima: Kuronoseto Bridge (1974)"),  # Nagashima town
    ("42207", "kyushu", "Hirado: Hirado Bridge (1977)"),  # Hirado
)
#: Naoshima town: its island holds the default's Naoshima smelter, E-Scrap centre and port
NAOSHIMA_TOWN = "37364"
#: sea distances below great-circle x this are raised to it (the default's coastal rule)
COASTAL_SHORT_FACTOR = 1.2


def load_default_build(base_dir: Path):  # noqa: ANN201 - a module
    """The default instance's build script, for its hand-set prefecture of hubs and ports."""
    path = base_dir / "build" / "build_instance.py"
    spec = importlib.util.spec_from_file_location("japan_default_build", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def load_shared(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """All municipalities and wards, the prefectures (by code), the prefecture polygons."""
    munis = pd.read_csv(
        data_dir / "japan_municipalities.csv", dtype={"jis_code": str, "parent_jis_code": str}
    )
    prefs = pd.read_csv(data_dir / "japan_prefectures.csv").set_index("code").sort_index()
    geo = gpd.read_file(data_dir / "japan_prefectures.geojson")
    if len(prefs) != 47 or int(prefs.population_2020.sum()) != 126_146_099:
        raise SystemExit("japan_prefectures.csv: expected 47 rows and 126,146,099 people")
    if int(munis.is_municipality.sum()) != 1741:
        raise SystemExit("japan_municipalities.csv: expected 1,741 municipalities")
    return munis, prefs, geo


# ---------------------------------------------------------------------------------------------
# Landmass
# ---------------------------------------------------------------------------------------------


def landmasses(munis: pd.DataFrame, prefs: pd.DataFrame, geo: gpd.GeoDataFrame) -> pd.Series:
    """Landmass of each municipal office (index: jis_code).

    The prefecture polygons are united into land parts. An office inside a part, or within
    OFFICE_SNAP_KM of one, stands on it; an office farther out is an island of its own. The five
    main islands are named; BRIDGED_ISLANDS join their main island; every other part is
    `isle_<lowest JIS code on it>`.
    """
    parts = sorted(shapely.union_all(geo.geometry.values).geoms, key=lambda g: -g.area)
    pts = shapely.points(munis.lon.to_numpy(), munis.lat.to_numpy())
    hit_pt, hit_part = shapely.STRtree(parts).query(pts, predicate="within")
    within = dict(zip(hit_pt.tolist(), hit_part.tolist(), strict=True))
    metric = gpd.GeoSeries(parts, crs=4326).to_crs(6933)
    metric_pts = gpd.GeoSeries(pts, crs=4326).to_crs(6933)
    part_of, snap_km = [], []
    for i in range(len(pts)):
        if i in within:
            part_of.append(within[i])
            snap_km.append(0.0)
            continue
        d = metric.distance(metric_pts.iloc[i]) / 1000.0
        k = int(d.idxmin())
        part_of.append(k if d[k] <= OFFICE_SNAP_KM else -1)
        snap_km.append(float(d[k]))
    df = pd.DataFrame({"jis": munis.jis_code.to_numpy(), "part": part_of, "snap": snap_km})
    name: dict[int, str] = {}
    for island, pref in MAIN_ISLAND_PREF.items():
        capital = shapely.Point(prefs.at[pref, "capital_lon"], prefs.at[pref, "capital_lat"])
        name[next(k for k, g in enumerate(parts) if g.contains(capital))] = island
    for jis, island, label in BRIDGED_ISLANDS:
        k = int(df.loc[df.jis == jis, "part"].iloc[0])
        if k < 0 or k in name:
            raise SystemExit(f"bridged island {label}: office {jis} is not on a separate island")
        name[k] = island
        print(f"  bridged to {island}: {label}")
    out = {}
    for r in df.itertuples():
        if r.part in name:
            out[r.jis] = name[r.part]
        elif r.part >= 0:
            out[r.jis] = "isle_" + min(df.loc[df.part == r.part, "jis"])
        else:
            out[r.jis] = "isle_" + r.jis
            print(f"  office {r.jis} is {r.snap:.1f} km off the polygons: an island of its own")
    return pd.Series(out)


def site_landmass(
    base: Base,
    default_build,  # noqa: ANN001 - the default's build module
    data_dir: Path,
    prefs: pd.DataFrame,
    muni_landmass: pd.Series,
) -> pd.DataFrame:
    """Prefecture and landmass of the default's Japanese sites, by the default build's rule.

    The default build puts every site on the main island of its prefecture (hand-set for hubs
    and ports, `japan_smelters.csv` for smelters), except the three Naoshima sites.
    """
    sites = base.tables["sites"]
    code_of_name = {str(n): int(c) for c, n in prefs["name_en"].items()}
    smelter_csv = pd.read_csv(data_dir / "japan_smelters.csv").set_index("id")
    pref: dict[str, int] = {}
    for s in sites[sites.kind == "source"].itertuples():
        pref[s.id] = code_of_name[s.name]
    for h in default_build.HUBS:
        pref[h.site] = int(h.pref)
    for sm in default_build.SMELTERS:
        pref[sm.site] = int(smelter_csv.at[sm.csv_id, "pref_code"])
    for locode, (p, _) in default_build.PORT_PREF_JA.items():
        pref[locode] = int(p)
    japanese = sites[sites.country == "JP"]
    missing = set(japanese.id) - set(pref)
    if missing:
        raise SystemExit(f"no prefecture for default sites {sorted(missing)}")
    rows = []
    for sid in sorted(japanese.id):
        if sid in default_build.NAOSHIMA_SITES:
            lm = muni_landmass[NAOSHIMA_TOWN]
        else:
            lm = default_build.ISLAND_OF_PREF[pref[sid]]
        rows.append({"id": sid, "pref_code": pref[sid], "landmass": lm})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Population
# ---------------------------------------------------------------------------------------------


def kind_weight(
    kind: str, wards: int, is_capital: bool, per_ward: float, per_special_ward: float
) -> float:
    """Persons a municipality of this kind stands for, before scaling to its prefecture [EST]."""
    if kind == "designated_city":
        return per_ward * wards
    if kind == "special_ward":
        return per_special_ward
    if kind == "city":
        return PERSONS_PER_CAPITAL_CITY if is_capital else PERSONS_PER_CITY
    if kind == "town":
        return PERSONS_PER_TOWN
    if kind == "village":
        return PERSONS_PER_VILLAGE
    raise SystemExit(f"unknown municipality kind {kind!r}")


def municipalities_table(
    munis: pd.DataFrame, prefs: pd.DataFrame, landmass: pd.Series
) -> pd.DataFrame:
    """The 1,741 municipalities with wards, landmass and estimated 2020 population [EST]."""
    ward_count = munis[munis.kind == "ward"].groupby("parent_jis_code").size()
    capitals = {(int(c), str(prefs.at[c, "capital_ja"])) for c in prefs.index}
    m = munis[munis.is_municipality.astype(bool)].copy()
    m["wards"] = [int(ward_count.get(j, 0)) for j in m.jis_code]
    m["capital"] = [(int(p), n) in capitals for p, n in zip(m.pref_code, m.name_ja, strict=True)]

    def estimate(per_ward: float, per_special_ward: float) -> pd.Series:
        w = [
            kind_weight(r.kind, r.wards, r.capital, per_ward, per_special_ward)
            for r in m.itertuples()
        ]
        pop = pd.Series(0, index=m.index, dtype="int64")
        for code, grp in m.assign(weight=w).groupby("pref_code"):
            total = int(prefs.at[int(code), "population_2020"])
            pop[grp.index] = largest_remainder(total, grp.weight.to_numpy())
        return pop

    def calibrate(kind: str, target: int, other: float, first: bool) -> float:
        lo, hi = 1_000.0, 10_000_000.0
        for _ in range(40):
            mid = (lo + hi) / 2
            pop = estimate(mid, other) if first else estimate(other, mid)
            lo, hi = (mid, hi) if pop[m.kind == kind].sum() < target else (lo, mid)
        return round((lo + hi) / 2)

    per_ward = calibrate("designated_city", DESIGNATED_CITIES_POP, 400_000.0, first=True)
    per_special = calibrate("special_ward", SPECIAL_WARDS_POP, per_ward, first=False)
    print(
        f"calibrated weights: {per_ward:,} per designated-city ward, {per_special:,} per "
        "special ward"
    )
    m["pop_est_2020"] = estimate(per_ward, per_special)
    m["id"] = "m" + m.jis_code
    m["landmass"] = landmass.loc[m.jis_code].to_numpy()
    return m.sort_values("id").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# The generator's data in the package
# ---------------------------------------------------------------------------------------------


def sea_routes(m: pd.DataFrame, site_lm: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """Nearest Japanese port by sea for municipalities on islands with no road, port or hub.

    `searoute` (MARNET network; the project's dependency) gives the sea distance from the
    office to each port; the port with the shortest one is kept. Where MARNET is coarse the
    distance is raised to great-circle x COASTAL_SHORT_FACTOR, as the default does.
    """
    xy = sites.set_index("id")[["lat", "lon"]].astype(float)
    lm = site_lm.set_index("id")["landmass"]
    ports = [p for p in sites.loc[sites.kind == "port", "id"] if p in lm.index]
    reachable = (
        set(lm[lm.index.isin(ports)])
        | set(lm[lm.index.isin(sites.loc[sites.kind == "hub", "id"])])
        | set(MAIN_LANDMASSES)
    )
    out = m.assign(sea_port="", sea_km="")
    for i, r in m[~m.landmass.isin(reachable)].iterrows():
        best = None
        for p in ports:
            km = searoute.searoute([r.lon, r.lat], [xy.at[p, "lon"], xy.at[p, "lat"]], units="km")
            km = float(km.properties["length"])
            gc = float(great_circle_km(r.lat, r.lon, xy.at[p, "lat"], xy.at[p, "lon"]))
            km = max(km, gc * COASTAL_SHORT_FACTOR)
            if best is None or km < best[1]:
                best = (p, km)
        out.loc[i, ["sea_port", "sea_km"]] = [best[0], fmt(best[1], 1)]
        print(f"  {r.id} {r.name_romaji}: {best[0]} {best[1]:.0f} km by sea")
    return out


def write_package_data(
    out: Path, m: pd.DataFrame, prefs: pd.DataFrame, site_lm: pd.DataFrame, base_dir: Path
) -> None:
    cols = ["id", "jis_code", "pref_code", "name_ja", "name_romaji", "kind", "wards"]
    rows = [
        [r.id, r.jis_code, str(r.pref_code), r.name_ja, r.name_romaji, r.kind, str(r.wards),
         fmt(r.lat, 6), fmt(r.lon, 6), r.landmass, str(r.pop_est_2020), r.sea_port, r.sea_km]
        for r in m.itertuples()
    ]  # fmt: skip
    header = cols + ["lat", "lon", "landmass", "pop_est_2020", "sea_port", "sea_km"]
    files = {"municipalities.csv": csv_text(header, rows)}
    pcols = ["name_en", "name_ja", "region_en", "capital_en", "capital_ja"]
    rows = [
        [str(c)] + [str(prefs.at[c, k]) for k in pcols]
        + [fmt(prefs.at[c, "capital_lat"], 5), fmt(prefs.at[c, "capital_lon"], 5),
           str(int(prefs.at[c, "population_2020"]))]
        for c in prefs.index
    ]  # fmt: skip
    header = ["code"] + pcols + ["capital_lat", "capital_lon", "population_2020"]
    files["prefectures.csv"] = csv_text(header, rows)
    files["japan_site_landmass.csv"] = csv_text(
        ["id", "pref_code", "landmass"],
        [[r.id, str(r.pref_code), r.landmass] for r in site_lm.itertuples()],
    )
    copied = {p.name: p.read_text(encoding="utf-8") for p in sorted(base_dir.glob("*.csv"))}
    copied["instance.toml"] = (base_dir / "instance.toml").read_text(encoding="utf-8")
    bundle = {
        "about": "A copy of the files of instances/japan (the default instance), for "
        "hubnet.generate; rewritten by instances/japan-municipal/build/build_instance.py.",
        "files": copied,
    }
    files["japan_base.json"] = json.dumps(bundle, ensure_ascii=False, indent=1, sort_keys=True)
    files["japan_base.json"] += "\n"
    write_folder(out, files)
    print(f"package data: {', '.join(sorted(files))} -> {out}")


# ---------------------------------------------------------------------------------------------
# The instance
# ---------------------------------------------------------------------------------------------

COPIED_TABLES = (
    "commodities",
    "elements",
    "contents",
    "imports",
    "exports",
    "facilities",
    "capacity_levels",
    "recovery",
    "modes",
    "terms",
    "payables",
    "freight_bands",
    "observed",
)


#: the scale settings (README, "Large instances and speed"), after max_collection_km
SCALE_SETTINGS = """
# One collection share per municipality and hub for all its grades (one contract each): the
# formulation that solves at this scale (models/formulation.md, "Whole-source collection").
whole_source = true
# Each municipality's 10 cheapest hubs: on generated instances this cost under 0.1 % against
# all lanes (README, bench/nearest.py).
nearest_hubs = 10"""


def instance_toml(base_text: str, n_sources: int) -> str:
    """The default's instance.toml with this instance's name, header and description."""
    text = base_text.replace(
        "# hubnet instance: Japan e-scrap recycling-hub network (default data).\n"
        "# Built by build/build_instance.py from the shared research data; see SOURCES.md.",
        "# hubnet instance: the default Japan network with the municipalities as sources.\n"
        "# Built by build/build_instance.py from instances/japan and the shared research data;\n"
        "# see SOURCES.md. Every setting below is the default instance's, except the two scale\n"
        "# settings at the end of [collection].",
    )
    text, n = re.subn(r'^name = "[^"]*"$', f'name = "{NAME}"', text, count=1, flags=re.M)
    description = (
        'description = """\\\n'
        f"Japan at municipal scale: the {n_sources:,} municipalities as e-scrap sources (each \\\n"
        "prefecture's 2025 generation in the default instance split over its municipalities \\\n"
        "by an estimated population by municipality kind), the 47 prefecture capitals as road \\\n"
        "junctions, and otherwise the default network: 19 candidate hubs plus 6 receiving \\\n"
        "centres, 12 smelters and recyclers, imports from 12 ASEAN and 11 EU ports under \\\n"
        "permits, lead-acid exports to Busan. Road, JR Freight rail, coastal and ocean legs; \\\n"
        'islands without a bridge reach the network by ship only."""'
    )
    text, k = re.subn(
        r'^description = """.*?"""', lambda _: description, text, count=1, flags=re.M | re.S
    )
    text, c = re.subn(
        r"^max_collection_km = .*$",
        lambda m: m.group(0) + SCALE_SETTINGS,
        text,
        count=1,
        flags=re.M,
    )
    if n != 1 or k != 1 or c != 1:
        raise SystemExit(
            "instance.toml of the base: name, description or max_collection_km not found"
        )
    return text


def build_instance(
    base_dir: Path,
    base: Base,
    m: pd.DataFrame,
    prefs: pd.DataFrame,
    site_lm: pd.DataFrame,
    out: Path,
) -> dict[str, int]:
    net = junction_network(base, prefs, site_lm.set_index("id"))
    region = prefs["region_en"]
    sources = pd.DataFrame(
        {
            "id": m.id,
            "name": [
                f"{r}, {prefs.at[p, 'name_en']}"
                for r, p in zip(m.name_romaji, m.pref_code, strict=True)
            ],
            "name_ja": [
                f"{prefs.at[p, 'name_ja']}{n}" for n, p in zip(m.name_ja, m.pref_code, strict=True)
            ],
            "kind": "source",
            "lat": [fmt(x, 5) for x in m.lat],
            "lon": [fmt(x, 5) for x in m.lon],
            "country": "JP",
            "region": [region[p] for p in m.pref_code],
        }
    )
    sites = pd.concat([net.sites, sources], ignore_index=True)

    # supply: each prefecture's default generation split by estimated population
    pref_of_site = site_lm.set_index("id")["pref_code"]
    supply = base.tables["supply"].copy()
    supply["pref"] = supply.site.map(pref_of_site).astype(int)
    rows = []
    for (p, k), t in supply.groupby(["pref", "commodity"]).generation_t_per_yr:
        if len(t) != 1:
            raise SystemExit(f"prefecture {p} has {len(t)} sources of {k}")
        grp = m[m.pref_code == p]
        parts = split_milli(float(t.iloc[0]), grp.pop_est_2020.to_numpy())
        for sid, x in zip(grp.id, parts, strict=True):
            if x > 0:
                rows.append([sid, k, fmt(x, 3)])
    supply_out = pd.DataFrame(rows, columns=["site", "commodity", "generation_t_per_yr"])

    # links: the default's (sources -> junctions) plus access links for the municipalities
    hubs = base.tables["facilities"].query("role == 'hub'").site
    pts = point_frame(m.id, m)
    access = access_links(pts, net, hubs, land_geometry())
    modes = pd.Series([k[2] for k in access]).value_counts().sort_index().to_dict()
    print(f"access links for {len(m)} municipalities: {modes}")
    links = links_frame({**net.links, **access})

    files = {
        "sites.csv": table_text("sites", sites),
        "supply.csv": table_text("supply", supply_out),
        "links.csv": table_text("links", links),
    }
    for name in COPIED_TABLES:
        files[f"{name}.csv"] = (base_dir / f"{name}.csv").read_text(encoding="utf-8")
    files["instance.toml"] = instance_toml(base.toml_text, len(m))
    write_folder(out, files)
    return {name: files[f"{name}.csv"].count("\n") - 1 for name in ["sites", "supply", "links"]}


def check(out: Path, base: Base, m: pd.DataFrame, site_lm: pd.DataFrame) -> None:
    """Load the instance with the engine's validator and compare prefecture totals."""
    inst = load_instance(out)
    pref_of = dict(zip(m.id, m.pref_code, strict=True))
    got = inst.supply.assign(pref=inst.supply.site.map(pref_of))
    got = got.groupby(["pref", "commodity"]).generation_t_per_yr.sum()
    want = base.tables["supply"].copy()
    want["pref"] = want.site.map(site_lm.set_index("id")["pref_code"]).astype(int)
    want = want.set_index(["pref", "commodity"]).generation_t_per_yr.astype(float)
    diff = (got - want.reindex(got.index)).abs().max()
    if not diff < 1e-6 or len(got) != len(want):
        raise SystemExit(f"prefecture totals differ from the default (max {diff})")
    print(f"check: loads; {len(got)} prefecture x commodity totals equal the default's")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--base", type=Path, default=DEFAULT_BASE, help="the default instance")
    parser.add_argument("--out", type=Path, default=INSTANCE_DIR, help="instance folder to write")
    parser.add_argument(
        "--no-package-data", action="store_true", help="do not rewrite src/hubnet/data files"
    )
    args = parser.parse_args(argv)
    data_dir, base_dir, out = args.data_dir.resolve(), args.base.resolve(), args.out.resolve()
    munis, prefs, geo = load_shared(data_dir)
    base = read_base(base_dir)
    default_build = load_default_build(base_dir)
    print("landmass of the municipal offices")
    lm = landmasses(munis[munis.is_municipality.astype(bool)], prefs, geo)
    m = municipalities_table(munis, prefs, lm)
    by_kind = m.groupby("kind").pop_est_2020.agg(["size", "sum", "mean"]).round(0)
    print("estimated population by kind [EST]:\n" + by_kind.to_string())
    islands = m[~m.landmass.isin(MAIN_LANDMASSES)]
    print(f"{len(islands)} municipalities on {islands.landmass.nunique()} islands without a road")
    site_lm = site_landmass(base, default_build, data_dir, prefs, lm)
    print("islands reached by ship only: nearest port by sea")
    m = sea_routes(m, site_lm, base.tables["sites"])
    if not args.no_package_data:
        write_package_data(PACKAGE_DATA, m, prefs, site_lm, base_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts = build_instance(base_dir, base, m, prefs, site_lm, out)
    print("rows: " + ", ".join(f"{t} {n}" for t, n in counts.items()))
    check(out, base, m, site_lm)
    return 0


if __name__ == "__main__":
    sys.exit(main())
