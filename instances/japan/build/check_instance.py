"""Self-check of the `japan` instance as written (reads only the instance folder).

Usage:

    python instances/japan/build/check_instance.py [INSTANCE_DIR]

Checks, each printed as it runs; the exit code is 1 if any fails:
- every table follows schema.py (columns, required cells, numbers, shares, choices, keys);
- every reference resolves (sites, commodities, elements, facilities, modes, 'accepts' lists),
  and sites have the kind their table needs;
- instance.toml parses, uses only known keys, and has a permit for every origin region;
- every commodity is accepted by at least one hub and one smelter;
- the link graph (modes ignored) joins every source and origin to a hub that takes what it
  offers, every hub to a smelter, and the market to a hub;
- with modes (least-cost paths as the model builds them) every source has such a hub within
  max_collection_km;
- no road leaves Okinawa, Hokkaido or Naoshima (Okinawa's source touches only its two ports);
- supply totals per commodity equal the national figures (when given);
- the issue-22 tables (terms, payables, freight_bands, observed; the informal columns of
  commodities.csv) have their columns, numbers and references right, payables never exceed
  the smelter's technical recovery, bands rise with distance, and every observed figure lies
  in its range. Until the engine's schema declares them, their columns are declared here.
It also prints diagnostics: ocean freight per tonne from each origin region, the margin of
the best import route per region and grade, each grade's formal value against its informal
price, and the observed figures.
"""

from __future__ import annotations

import heapq
import importlib.util
import math
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

import networkx as nx
import pandas as pd

HERE = Path(__file__).resolve().parent
SCHEMA_FILE = HERE.parents[2] / "src" / "hubnet" / "instance" / "schema.py"

#: the informal channel's columns of commodities.csv
INFORMAL = ("informal_price_jpy_per_t", "informal_capacity_t_per_yr")
#: the issue-22 tables (terms, payables, fare bands, observed figures)
ISSUE22_TABLES = ("terms", "payables", "freight_bands", "observed")
OBSERVED_QUANTITIES = (
    "smelter_intake", "imports", "exports", "collected", "leaked", "informal", "recovered",
)  # fmt: skip

OKINAWA_SOURCE = "src_47_okinawa"
OKINAWA_ROAD_SITES = {OKINAWA_SOURCE, "JPNAH", "JPNAK", "hub_nakagusuku"}
NAOSHIMA_ROAD_SITES = {"JPNAO", "hub_naoshima", "sm_mmc_naoshima"}


def load_schema():
    spec = importlib.util.spec_from_file_location("hubnet_instance_schema", SCHEMA_FILE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class Checker:
    def __init__(self) -> None:
        self.failures: list[str] = []

    def ok(self, condition: bool, what: str) -> bool:
        if not condition:
            self.failures.append(what)
            print(f"  FAIL {what}")
        return condition


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def read_tables(instance_dir: Path, schema, chk: Checker) -> dict[str, pd.DataFrame]:
    tables = {}
    for t in schema.TABLES:
        path = instance_dir / t.file
        if not path.exists():
            chk.ok(not t.required, f"{t.file}: missing")
            continue
        raw = path.read_bytes()
        chk.ok(not raw.startswith(b"\xef\xbb\xbf"), f"{t.file}: has a BOM")
        chk.ok(b"\r" not in raw, f"{t.file}: has CR line endings")
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        declared = [c.name for c in t.columns]
        chk.ok(
            list(df.columns) == declared,
            f"{t.file}: columns {list(df.columns)} differ from the schema",
        )
        chk.ok(len(df) > 0 or t.may_be_empty, f"{t.file}: empty")
        for c in t.columns:
            if c.name not in df.columns:
                continue
            col = df[c.name]
            for i, v in enumerate(col):
                where = f"{t.file} row {i + 2} column {c.name}"
                if v == "":
                    chk.ok(not c.required, f"{where}: required cell is empty")
                    continue
                if c.type in ("float", "share"):
                    try:
                        x = float(v)
                    except ValueError:
                        chk.ok(False, f"{where}: {v!r} is not a number")
                        continue
                    chk.ok(math.isfinite(x), f"{where}: not finite")
                    if c.nonnegative:
                        chk.ok(x >= 0, f"{where}: negative")
                    if c.type == "share":
                        chk.ok(0 <= x <= 1, f"{where}: share outside [0, 1]")
                if c.choices:
                    chk.ok(v in c.choices, f"{where}: {v!r} not in {c.choices}")
        key = list(t.key)
        if all(k in df.columns for k in key):
            chk.ok(not df.duplicated(key).any(), f"{t.file}: duplicate keys {key}")
            numeric = [t.column(k).type in ("float", "share") for k in key]
            rows = [
                tuple(float(v) if n else v for v, n in zip(r, numeric, strict=True))
                for r in df[key].values.tolist()
            ]
            chk.ok(rows == sorted(rows), f"{t.file}: rows not sorted by key")
        tables[t.name] = df
    return tables


def as_float(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    df = df.copy()
    for c in cols:
        df[c] = pd.to_numeric(df[c].replace("", float("nan")))
    return df


def accepts_of(facilities: pd.DataFrame, commodities: list[str]) -> dict[str, set[str]]:
    out = {}
    for r in facilities.itertuples():
        items = [x.strip() for x in r.accepts.split(";") if x.strip()]
        out[r.site] = set(commodities) if "*" in items else set(items)
    return out


# ---------------------------------------------------------------------------------------------
# Least-cost multimodal paths (the rule the model uses: line haul + handling per load/unload,
# mode changes only where links of both modes meet)
# ---------------------------------------------------------------------------------------------


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


class Network:
    def __init__(self, sites: pd.DataFrame, links: pd.DataFrame, modes: pd.DataFrame) -> None:
        modes = as_float(modes, "cost_jpy_per_t_km", "handling_jpy_per_t", "circuity")
        self.cost = dict(zip(modes["mode"], modes.cost_jpy_per_t_km, strict=True))
        self.handling = dict(zip(modes["mode"], modes.handling_jpy_per_t.fillna(0), strict=True))
        circuity = dict(zip(modes["mode"], modes.circuity.fillna(1.0), strict=True))
        xy = {r.id: (float(r.lat), float(r.lon)) for r in sites.itertuples()}
        self.adj: dict[tuple[str, str], list[tuple[tuple[str, str], float]]] = defaultdict(list)
        self.modes_at: dict[str, set[str]] = defaultdict(set)
        for r in links.itertuples():
            a, b, m = r._1, r.to, r.mode
            km = (
                float(r.distance_km)
                if r.distance_km != ""
                else (great_circle_km(*xy[a], *xy[b]) * circuity[m])
            )
            self.adj[(a, m)].append(((b, m), km))
            self.adj[(b, m)].append(((a, m), km))
            self.modes_at[a].add(m)
            self.modes_at[b].add(m)

    def from_site(self, origin: str) -> dict[str, tuple[float, float]]:
        """Cheapest (cost per t, km) from origin to every reachable site."""
        best: dict[tuple[str, str], tuple[float, float]] = {}
        heap = [(self.handling[m], 0.0, origin, m) for m in self.modes_at[origin]]
        heapq.heapify(heap)
        while heap:
            cost, km, site, mode = heapq.heappop(heap)
            if (site, mode) in best:
                continue
            best[(site, mode)] = (cost, km)
            for (nxt, m), d in self.adj[(site, mode)]:
                if (nxt, m) not in best:
                    heapq.heappush(heap, (cost + d * self.cost[m], km + d, nxt, m))
            for m2 in self.modes_at[site]:
                if m2 != mode and (site, m2) not in best:
                    heapq.heappush(
                        heap, (cost + self.handling[mode] + self.handling[m2], km, site, m2)
                    )
        out: dict[str, tuple[float, float]] = {}
        for (site, mode), (cost, km) in best.items():
            total = cost + self.handling[mode]
            if site not in out or total < out[site][0]:
                out[site] = (total, km)
        out[origin] = (0.0, 0.0)
        return out


# ---------------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------------


def read_issue22(instance_dir: Path, chk: Checker) -> dict[str, pd.DataFrame]:
    """The issue-22 tables as strings (their columns are checked with every table's)."""
    out = {}
    for name in ISSUE22_TABLES:
        path = instance_dir / f"{name}.csv"
        if not path.exists():
            continue
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        out[name] = df
    return out


def _numbers(df: pd.DataFrame, name: str, cols: tuple[str, ...], chk: Checker) -> bool:
    ok = True
    for c in cols:
        for i, v in enumerate(df[c]):
            try:
                x = float(v)
            except ValueError:
                ok = chk.ok(False, f"{name}.csv row {i + 2} column {c}: {v!r} is not a number")
                continue
            ok &= chk.ok(math.isfinite(x) and x >= 0, f"{name}.csv row {i + 2} column {c}: {v}")
    return ok


def check_issue22(tables, extra, accepts, chk: Checker) -> None:
    print("issue-22 tables (terms, payables, freight bands, observed, informal channels)")
    role = dict(zip(tables["facilities"].site, tables["facilities"].role, strict=True))
    smelters = {f for f, r in role.items() if r == "smelter"}
    rec = {
        (r.facility, r.element): float(r.recovery_share) for r in tables["recovery"].itertuples()
    }
    contents = tables["contents"]
    contained = defaultdict(set)
    for r in contents.itertuples():
        contained[r.commodity].add(r.element)
    if "terms" in extra:
        t = extra["terms"]
        _numbers(t, "terms", ("treatment_charge_jpy_per_t",), chk)
        chk.ok(not t.duplicated(["smelter", "commodity"]).any(), "terms.csv: duplicate keys")
        for r in t.itertuples():
            chk.ok(r.smelter in smelters, f"terms.csv: {r.smelter} is not a smelter")
            chk.ok(
                r.commodity in accepts.get(r.smelter, set()),
                f"terms.csv: {r.smelter} does not accept {r.commodity}",
            )
    if "payables" in extra:
        t = extra["payables"]
        _numbers(t, "payables", ("payable_share",), chk)
        chk.ok(not t.duplicated(["smelter", "commodity", "element"]).any(), "payables: duplicates")
        for r in t.itertuples():
            chk.ok(r.smelter in smelters, f"payables.csv: {r.smelter} is not a smelter")
            chk.ok(
                r.element in contained[r.commodity],
                f"payables.csv: {r.commodity} contains no {r.element}",
            )
            chk.ok(
                float(r.payable_share) <= rec.get((r.smelter, r.element), 0.0),
                f"payables.csv: {r.smelter} pays for more {r.element} than it recovers",
            )
    if "freight_bands" in extra:
        t = extra["freight_bands"]
        cols = ("up_to_km", "fare_jpy_per_trip", "load_t_per_trip")
        if _numbers(t, "freight_bands", cols, chk):
            for mode, g in t.groupby("mode"):
                chk.ok(mode in set(tables["modes"]["mode"]), f"freight_bands: unknown mode {mode}")
                km = g.up_to_km.astype(float).tolist()
                fare = g.fare_jpy_per_trip.astype(float).tolist()
                chk.ok(km == sorted(set(km)), f"freight_bands {mode}: up_to_km not rising")
                chk.ok(fare == sorted(fare), f"freight_bands {mode}: fares fall with distance")
                chk.ok((g.load_t_per_trip.astype(float) > 0).all(), f"{mode}: zero load")
                print(f"  {mode}: {len(g)} bands to {km[-1]:.0f} km")
    comm = tables["commodities"]
    gen = as_float(tables["supply"], "generation_t_per_yr").groupby("commodity").sum()
    for r in comm.itertuples():
        cap = getattr(r, "informal_capacity_t_per_yr", "")
        if cap != "":
            chk.ok(
                float(cap) <= float(gen.generation_t_per_yr.get(r.id, 0.0)) + 1e-6,
                f"commodities: informal capacity of {r.id} exceeds its generation",
            )
    if "observed" in extra:
        check_observed(tables, extra["observed"], chk)


def check_observed(tables, obs: pd.DataFrame, chk: Checker) -> None:
    cols = ("observed_t_per_yr", "low_t_per_yr", "high_t_per_yr")
    ok = _numbers(obs, "observed", cols, chk)
    chk.ok(obs.id.is_unique, "observed.csv: duplicate ids")
    sites = tables["sites"]
    known = {
        "facilities": set(tables["facilities"].site),
        "commodities": set(tables["commodities"].id),
        "regions": set(sites.region[sites.kind == "origin"]),
        "markets": set(sites.id[sites.kind == "market"]),
        "elements": set(tables["elements"].id),
    }
    for i, r in enumerate(obs.itertuples()):
        where = f"observed.csv row {i + 2} ({r.id})"
        chk.ok(r.quantity in OBSERVED_QUANTITIES, f"{where}: quantity {r.quantity!r}")
        for col, ids in known.items():
            for item in filter(None, getattr(r, col).split(";")):
                chk.ok(item in ids, f"{where}: unknown {col[:-1]} {item!r}")
        chk.ok(bool(r.year) and bool(r.source), f"{where}: year and source are required")
        if ok:
            lo, x, hi = float(r.low_t_per_yr), float(r.observed_t_per_yr), float(r.high_t_per_yr)
            chk.ok(lo <= x <= hi, f"{where}: observed {x} outside [{lo}, {hi}]")
            print(f"  observed {r.id:<28s} {x:>9,.0f} t  [{lo:,.0f} - {hi:,.0f}]  {r.year}")


def check_references(schema, tables, chk: Checker) -> None:
    print("references")
    ids = {t.name: tables[t.name] for t in schema.TABLES if t.name in tables}
    commodities = list(tables["commodities"]["id"])
    for t in schema.TABLES:
        if t.name not in tables:
            continue
        for c in t.columns:
            if c.references is None:
                continue
            ref_table, ref_col = c.references
            known = set(ids[ref_table][ref_col]) if ref_table in ids else set()
            for i, v in enumerate(tables[t.name][c.name]):
                if v != "":
                    chk.ok(
                        v in known,
                        f"{t.file} row {i + 2} {c.name}={v!r}: unknown {ref_table}.{ref_col}",
                    )
    for r in tables["facilities"].itertuples():
        for item in r.accepts.split(";"):
            chk.ok(
                item == "*" or item in commodities,
                f"facilities {r.site}: accepts unknown commodity {item!r}",
            )
    kind = dict(zip(tables["sites"].id, tables["sites"].kind, strict=True))
    for table, column, want in (
        ("supply", "site", "source"),
        ("imports", "site", "origin"),
        ("exports", "site", "market"),
    ):
        for v in tables.get(table, pd.DataFrame({column: []}))[column]:
            chk.ok(kind.get(v) == want, f"{table}: site {v} is {kind.get(v)}, not {want}")
    role = dict(zip(tables["facilities"].site, tables["facilities"].role, strict=True))
    for site, r in role.items():
        chk.ok(kind.get(site) == r, f"facilities: {site} has role {r} but kind {kind.get(site)}")
    for site in tables["recovery"].facility:
        chk.ok(role.get(site) == "smelter", f"recovery: {site} is not a smelter")
    for k in ("hub", "smelter"):
        for site in tables["sites"].id[tables["sites"].kind == k]:
            chk.ok(site in role, f"sites: {k} {site} has no facilities row")
    contents = tables["contents"]
    for k in commodities:
        chk.ok(k in set(contents.commodity), f"contents: commodity {k} has no content")


def check_settings(schema, instance_dir: Path, tables, chk: Checker) -> dict:
    print("instance.toml")
    with open(instance_dir / "instance.toml", "rb") as f:
        cfg = tomllib.load(f)

    def walk(section: str, values: dict) -> None:
        for key, value in values.items():
            if isinstance(value, dict):
                name = f"{section}.{key}" if section else key
                chk.ok(name in schema.SETTINGS, f"instance.toml: unknown section [{name}]")
                walk(name, value)
            elif "<region>" not in schema.SETTINGS.get(section, {}):
                chk.ok(
                    key in schema.SETTINGS.get(section, {}),
                    f"instance.toml: unknown key {key!r} in [{section}]",
                )

    walk("", cfg)
    permits = cfg.get("policy", {}).get("import_permits_t_per_yr", {})
    sites = tables["sites"]
    for region in sorted(set(sites.region[sites.kind == "origin"])):
        chk.ok(region in permits, f"instance.toml: no import permit for origin region {region}")
    chk.ok(cfg.get("name") == instance_dir.name, "instance.toml: name differs from the folder")
    return cfg


def check_acceptance(tables, accepts, chk: Checker) -> None:
    print("every commodity has a hub and a smelter")
    role = dict(zip(tables["facilities"].site, tables["facilities"].role, strict=True))
    for k in tables["commodities"].id:
        hubs = [f for f, a in accepts.items() if role[f] == "hub" and k in a]
        smelters = [f for f, a in accepts.items() if role[f] == "smelter" and k in a]
        chk.ok(bool(hubs), f"no hub accepts {k}")
        chk.ok(bool(smelters), f"no smelter accepts {k}")
        print(f"  {k:<17s} hubs {len(hubs):2d}  smelters {len(smelters):2d}")
    recovery = tables["recovery"]
    contents = tables["contents"]
    for smelter in [f for f, r in role.items() if r == "smelter"]:
        elements = set(recovery.element[recovery.facility == smelter])
        contained = set(contents.element[contents.commodity.isin(accepts[smelter])])
        chk.ok(bool(elements & contained), f"{smelter} recovers nothing it takes in")


def check_graph(tables, accepts, chk: Checker) -> None:
    print("connectivity (modes ignored)")
    g = nx.Graph()
    g.add_nodes_from(tables["sites"].id)
    g.add_edges_from(zip(tables["links"]["from"], tables["links"]["to"], strict=True))
    comp = {n: i for i, c in enumerate(nx.connected_components(g)) for n in c}
    role = dict(zip(tables["facilities"].site, tables["facilities"].role, strict=True))
    hubs = [f for f, r in role.items() if r == "hub"]
    smelters = [f for f, r in role.items() if r == "smelter"]
    offers = defaultdict(set)
    for t in ("supply", "imports"):
        for r in tables[t].itertuples():
            offers[r.site].add(r.commodity)
    sites = tables["sites"]
    kind = dict(zip(sites.id, sites.kind, strict=True))
    for s in sites.id[sites.kind.isin(["source", "origin"])]:
        if not offers[s]:
            chk.ok(kind[s] == "origin", f"source {s} has no supply")
            continue
        for k in sorted(offers[s]):
            ok = any(comp[s] == comp[h] and k in accepts[h] for h in hubs)
            chk.ok(ok, f"{s} is not linked to any hub taking {k}")
    for h in hubs:
        chk.ok(
            any(comp[h] == comp[m] and accepts[h] & accepts[m] for m in smelters),
            f"hub {h} is not linked to a smelter that takes what it takes",
        )
    for r in tables.get("exports", pd.DataFrame()).itertuples():
        chk.ok(
            any(comp[r.site] == comp[h] and r.commodity in accepts[h] for h in hubs),
            f"market {r.site} is not linked to a hub taking {r.commodity}",
        )
    print(f"  {nx.number_connected_components(g)} component(s), {g.number_of_edges()} edges")


def check_islands(tables, chk: Checker) -> None:
    print("roads stay on their island")
    links = tables["links"]
    road = links[links["mode"] == "road"]
    touching = set(road["to"][road["from"] == OKINAWA_SOURCE]) | set(
        road["from"][road["to"] == OKINAWA_SOURCE]
    )
    chk.ok(
        touching <= {"JPNAH", "JPNAK"} and bool(touching),
        f"Okinawa's source has road links to {sorted(touching)}",
    )
    g = nx.Graph()
    g.add_edges_from(zip(road["from"], road["to"], strict=True))
    chk.ok(
        set(nx.node_connected_component(g, OKINAWA_SOURCE)) == OKINAWA_ROAD_SITES,
        "Okinawa's road network reaches beyond the island",
    )
    chk.ok(
        set(nx.node_connected_component(g, "JPNAO")) == NAOSHIMA_ROAD_SITES,
        "Naoshima's road network reaches beyond the island",
    )
    hokkaido = nx.node_connected_component(g, "src_01_hokkaido")
    chk.ok(
        not any(n.startswith("src_") and n != "src_01_hokkaido" for n in hokkaido),
        "Hokkaido is joined to another prefecture by road",
    )
    mainland = nx.node_connected_component(g, "src_13_tokyo")
    want = {f"src_{p:02d}" for p in range(2, 47)}
    chk.ok(
        want <= {n[:6] for n in mainland if n.startswith("src_")},
        "Honshu, Shikoku and Kyushu are not one road network (bridges missing?)",
    )


def check_supply(tables, expected: dict[str, float] | None, chk: Checker) -> None:
    print("supply totals")
    supply = as_float(tables["supply"], "generation_t_per_yr")
    totals = supply.groupby("commodity").generation_t_per_yr.sum()
    chk.ok((supply.generation_t_per_yr > 0).all(), "supply: rows with zero tonnes")
    for k, t in totals.items():
        want = None if expected is None else expected.get(k)
        flag = "" if want is None else ("ok" if abs(t - want) < 1e-6 else f"expected {want:,.0f}")
        print(f"  {k:<17s} {t:>10,.0f} t/yr  {flag}")
        if want is not None:
            chk.ok(abs(t - want) < 1e-6, f"supply of {k} is {t}, expected {want}")
    if expected is not None:
        for k in expected:
            chk.ok(k in totals.index, f"supply: no rows for {k}")


def value_per_t(tables) -> dict[tuple[str, str], float]:
    """Recovered metal value per tonne of commodity as collected, by (smelter, commodity)."""
    prices = dict(
        zip(tables["elements"].id, tables["elements"].price_jpy_per_kg.astype(float), strict=True)
    )
    rec = defaultdict(dict)
    for r in tables["recovery"].itertuples():
        rec[r.facility][r.element] = float(r.recovery_share)
    out = defaultdict(float)
    for r in tables["contents"].itertuples():
        for smelter, by_e in rec.items():
            out[(smelter, r.commodity)] += (
                float(r.content_g_per_t) / 1000 * by_e.get(r.element, 0.0) * prices[r.element]
            )
    return out


def terms_value(tables, extra) -> dict[tuple[str, str], float]:
    """Spec B's V_mk per raw tonne, by (smelter, commodity), from terms and payables."""
    if "terms" not in extra or "payables" not in extra:
        return {}
    prices = dict(
        zip(tables["elements"].id, tables["elements"].price_jpy_per_kg.astype(float), strict=True)
    )
    content = {
        (r.commodity, r.element): float(r.content_g_per_t) for r in tables["contents"].itertuples()
    }
    out = {
        (r.smelter, r.commodity): -float(r.treatment_charge_jpy_per_t)
        for r in extra["terms"].itertuples()
    }
    for r in extra["payables"].itertuples():
        grams = content.get((r.commodity, r.element), 0.0)
        out[(r.smelter, r.commodity)] = out.get((r.smelter, r.commodity), 0.0) + (
            grams / 1000 * float(r.payable_share) * prices[r.element]
        )
    return out


def print_informal(tables, accepts) -> None:
    """Each grade's formal value per raw tonne (best smelter, before freight) against P_k."""
    print("informal channels: formal value + leakage penalty (before freight) vs informal price")
    comm = as_float(
        tables["commodities"],
        "hub_yield_share",
        "leakage_penalty_jpy_per_t",
        *INFORMAL,
    )
    fac = as_float(tables["facilities"], "processing_cost_jpy_per_t")
    role = dict(zip(fac.site, fac.role, strict=True))
    proc = dict(zip(fac.site, fac.processing_cost_jpy_per_t, strict=True))
    hub_cost = min(proc[h] for h, r in role.items() if r == "hub" and accepts[h] >= set(comm.id))
    value = value_per_t(tables)
    for r in comm.itertuples():
        nets = [
            value[(m, r.id)] - r.hub_yield_share * proc[m]
            for m, x in role.items()
            if x == "smelter" and r.id in accepts[m]
        ]
        formal = max(nets) - hub_cost + r.leakage_penalty_jpy_per_t
        price = r.informal_price_jpy_per_t
        if math.isnan(price) or not r.informal_capacity_t_per_yr:
            print(f"  {r.id:<17s} formal ¥{formal:>12,.0f}/t  no informal channel")
            continue
        verdict = "informal keeps its tonnes" if price > formal else "formal wins tonnes back"
        print(
            f"  {r.id:<17s} formal ¥{formal:>12,.0f}/t  informal ¥{price:>12,.0f}/t "
            f"takes up to {r.informal_capacity_t_per_yr:>9,.0f} t  ({verdict})"
        )


def check_lanes(tables, accepts, cfg, chk: Checker, extra=None) -> None:
    print("least-cost lanes (with modes)")
    net = Network(tables["sites"], tables["links"], tables["modes"])
    sites = tables["sites"]
    region = dict(zip(sites.id, sites.region, strict=True))
    fac = as_float(tables["facilities"], "processing_cost_jpy_per_t")
    role = dict(zip(fac.site, fac.role, strict=True))
    proc = dict(zip(fac.site, fac.processing_cost_jpy_per_t, strict=True))
    hubs = [f for f, r in role.items() if r == "hub"]
    smelters = [f for f, r in role.items() if r == "smelter"]
    max_km = cfg.get("collection", {}).get("max_collection_km", math.inf)

    supply = tables["supply"]
    worst = []
    for s in sorted(set(supply.site)):
        lanes = net.from_site(s)
        for k in supply.commodity[supply.site == s]:
            options = [(lanes[h][1], h) for h in hubs if k in accepts[h] and h in lanes]
            km, h = min(options) if options else (math.inf, "-")
            chk.ok(
                km <= max_km,
                f"{s}: no hub taking {k} within {max_km:.0f} km (nearest {h} at {km:.0f} km)",
            )
            worst.append((km, s, k, h))
    km, s, k, h = max(worst)
    print(f"  longest nearest-hub distance: {s} {k} -> {h} {km:.0f} km")

    # ocean freight per tonne: origin to its cheapest Japanese port
    by_region = defaultdict(list)
    for o in sites.id[sites.kind == "origin"]:
        lanes = net.from_site(o)
        ports = [(lanes[p][0], p) for p in sites.id[sites.kind == "port"] if p in lanes]
        by_region[region[o]].append(min(ports))
    for reg, vals in sorted(by_region.items()):
        costs = [c for c, _ in vals]
        print(
            f"  ocean {reg:<6s} origin -> cheapest Japanese port: ¥{min(costs):,.0f} - "
            f"¥{max(costs):,.0f} per t"
        )

    # import margins: best hub and smelter for each origin and grade
    yields = dict(
        zip(
            tables["commodities"].id,
            tables["commodities"].hub_yield_share.astype(float),
            strict=True,
        )
    )
    value = value_per_t(tables)
    paid = terms_value(tables, extra or {})
    from_hub = {h: net.from_site(h) for h in hubs}
    best_margin = {}
    for r in as_float(tables["imports"], "price_jpy_per_t").itertuples():
        lanes = net.from_site(r.site)
        k, y = r.commodity, yields[r.commodity]
        best = -math.inf
        for h in hubs:
            if k not in accepts[h] or h not in lanes:
                continue
            for m in smelters:
                if k in accepts[m] and m in from_hub[h]:
                    price = r.price_jpy_per_t
                    if math.isnan(price):
                        price = paid.get((m, k), math.inf)  # bought at the smelter's terms
                    margin = (
                        value[(m, k)]
                        - price
                        - lanes[h][0]
                        - proc[h]
                        - y * (from_hub[h][m][0] + proc[m])
                    )
                    best = max(best, margin)
        key = (region[r.site], k)
        best_margin.setdefault(key, []).append(best)
    for (reg, k), vals in sorted(best_margin.items()):
        print(
            f"  import margin {reg:<6s} {k:<9s} ¥{min(vals):>10,.0f} .. ¥{max(vals):>10,.0f} "
            f"per t ({'worth buying' if max(vals) > 0 else 'not worth buying'})"
        )


def main(argv: list[str] | None = None, expected_supply: dict[str, float] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    instance_dir = Path(argv[0]) if argv else HERE.parent
    schema = load_schema()
    chk = Checker()
    print(f"checking {instance_dir}")
    tables = read_tables(instance_dir, schema, chk)
    extra = read_issue22(instance_dir, chk)
    check_references(schema, tables, chk)
    cfg = check_settings(schema, instance_dir, tables, chk)
    accepts = accepts_of(tables["facilities"], list(tables["commodities"].id))
    check_acceptance(tables, accepts, chk)
    check_graph(tables, accepts, chk)
    check_islands(tables, chk)
    if expected_supply is None:
        try:
            sys.path.insert(0, str(HERE))
            from build_instance import COMMODITIES  # noqa: E402

            expected_supply = {c.id: c.national_supply_t for c in COMMODITIES}
        except ImportError:
            expected_supply = None
    check_supply(tables, expected_supply, chk)
    check_issue22(tables, extra, accepts, chk)
    check_lanes(tables, accepts, cfg, chk, extra)
    if set(INFORMAL) <= set(tables["commodities"].columns):
        print_informal(tables, accepts)
    if chk.failures:
        print(f"{len(chk.failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
