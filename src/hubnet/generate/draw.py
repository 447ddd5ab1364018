"""The generator's random draws: commodities, sources, hubs and their terms, origins [EST]."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from hubnet.generate.network import MAIN_LANDMASSES, Network, add_link
from hubnet.generate.shipped import Base
from hubnet.generate.text import fmt
from hubnet.network.graph import great_circle_km

#: sources are placed uniformly in a disc of this radius around their municipal office [EST]
JITTER_KM = 3.0
#: no two hubs closer than this [EST]
MIN_HUB_SPACING_KM = 5.0
#: offices of cities with at least this estimated population are hub sites of the first tier
LARGE_CITY_POP = 100_000
#: sampling weight of a Recycle-Port candidate hub of the default, in persons [EST]
PORT_HUB_WEIGHT = 1_000_000.0
#: hub capacity levels and costs are drawn around the default's within these factors [EST]
HUB_CAPACITY_RANGE = (0.8, 1.25)
HUB_COST_RANGE = (0.85, 1.15)
#: generated grades (beyond the default's) take a template grade's contents times a factor in
#: this range and a national total of the template's times a factor in the second [EST]
GRADE_CONTENT_RANGE = (0.7, 1.3)
GRADE_SUPPLY_RANGE = (0.1, 0.5)
#: extra origins (beyond the default's) sit this far from a default origin, with its offer
#: scaled by a factor in the second range [EST]
ORIGIN_OFFSET_KM = (20.0, 60.0)
ORIGIN_OFFER_RANGE = (0.5, 1.5)


def _offset(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """A point `km` from (lat, lon) toward `bearing` (radians), flat-earth (fine below 100 km)."""
    dlat = km * math.cos(bearing) / 111.195
    dlon = km * math.sin(bearing) / (111.195 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def draw_commodities(
    base: Base, k: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float], dict[str, str]]:
    """The first k rows of the base's commodities.csv, then generated grades [EST].

    Returns the commodity rows, content rows, national generation per commodity (the base's
    total, or for a generated grade a share of its template's) and each grade's template.
    """
    com = base.tables["commodities"]
    contents = base.tables["contents"]
    supply = base.tables["supply"]
    totals = supply.assign(t=supply["generation_t_per_yr"].astype(float)).groupby("commodity").t
    national = {c: float(totals.sum().get(c, 0.0)) for c in com["id"]}
    chosen = com.iloc[: min(k, len(com))].copy()
    kept = set(chosen["id"])
    out_contents = [contents[contents["commodity"].isin(kept)]]
    template_of = {c: c for c in chosen["id"]}
    extra = []
    for i in range(len(com), k):
        t = com.iloc[int(rng.integers(len(com)))]
        gid = f"grade_{i + 1:02d}"
        extra.append(
            {
                "id": gid,
                "name": f"Generated grade {i + 1} (like {t['id']})",
                "hub_yield_share": fmt(
                    min(1.0, float(t["hub_yield_share"]) * rng.uniform(0.9, 1.1)), 2
                ),
                "leakage_penalty_jpy_per_t": t["leakage_penalty_jpy_per_t"],
                "max_leakage_share": "",
            }
        )
        rows = contents[contents["commodity"] == t["id"]].copy()
        rows["commodity"] = gid
        rows["content_g_per_t"] = [
            fmt(float(g) * rng.uniform(*GRADE_CONTENT_RANGE)) for g in rows["content_g_per_t"]
        ]
        out_contents.append(rows)
        national[gid] = float(round(national[t["id"]] * rng.uniform(*GRADE_SUPPLY_RANGE)))
        template_of[gid] = str(t["id"])
    commodities = pd.concat([chosen, pd.DataFrame(extra)], ignore_index=True)
    national = {c: national[c] for c in commodities["id"]}
    return commodities, pd.concat(out_contents, ignore_index=True), national, template_of


def draw_sources(
    munis: pd.DataFrame, prefs: pd.DataFrame, n: int, rng: np.random.Generator
) -> pd.DataFrame:
    """n source points drawn from the municipalities by estimated population, with jitter.

    Up to 1,741 sources are distinct municipalities (weighted sampling without replacement);
    beyond, every municipality once plus repeat draws. Each municipality's population is
    represented by the nearest drawn office of its prefecture (or the nearest at all if none
    of its prefecture was drawn), and split evenly between repeats: `weight` is the population
    a source stands for.
    """
    pop = munis["pop_est_2020"].to_numpy(dtype=float)
    m = len(munis)
    p = pop / pop.sum()
    if n <= m:
        picks = rng.choice(m, size=n, replace=False, p=p)
    else:
        picks = np.concatenate([np.arange(m), rng.choice(m, size=n - m, replace=True, p=p)])
    copies = np.bincount(picks, minlength=m)
    drawn = np.flatnonzero(copies)
    lat, lon = munis["lat"].to_numpy(), munis["lon"].to_numpy()
    pref = munis["pref_code"].to_numpy()
    d = great_circle_km(lat[:, None], lon[:, None], lat[drawn][None, :], lon[drawn][None, :])
    same = pref[:, None] == pref[drawn][None, :]
    owner = np.where(same.any(axis=1), np.where(same, d, np.inf).argmin(axis=1), d.argmin(axis=1))
    represented = np.bincount(owner, weights=pop, minlength=len(drawn))
    rows = []
    for j, stands_for in zip(drawn, represented, strict=True):
        r = munis.iloc[j]
        for k in range(copies[j]):
            radius = JITTER_KM * math.sqrt(rng.random())
            y, x = _offset(float(r["lat"]), float(r["lon"]), radius, 2 * math.pi * rng.random())
            suffix = f" #{k + 1}" if copies[j] > 1 else ""
            rows.append(
                {
                    "id": f"src_{r['jis_code']}_{k + 1}",
                    "name": f"{r['name_romaji']}{suffix}, {prefs.at[r['pref_code'], 'name_en']}",
                    "name_ja": f"{r['name_ja']}{suffix}",
                    "lat": y,
                    "lon": x,
                    "muni": j,
                    "weight": stands_for / copies[j],
                }
            )
    out = pd.DataFrame(rows)
    cols = ["pref_code", "landmass", "sea_port", "sea_km"]
    out[cols] = munis.iloc[out["muni"]][cols].to_numpy()
    return out.sort_values("id").reset_index(drop=True)


def draw_hubs(
    base: Base,
    munis: pd.DataFrame,
    prefs: pd.DataFrame,
    net: Network,
    h: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """h hub sites: the base's Recycle-Port candidates and offices of larger cities first.

    Candidates are ranked by weighted random keys (Efraimidis-Spirakis) within tiers: 0 the
    base's candidate hubs with capacity levels (weight PORT_HUB_WEIGHT) and offices of cities of
    LARGE_CITY_POP or more (weight: population); 1 other cities; 2 towns and villages. Only
    landmasses with road junctions qualify. With h >= 5 each main island gets its best-ranked
    candidate first. No two hubs are closer than MIN_HUB_SPACING_KM.
    """
    fac = base.tables["facilities"]
    levels = base.tables["capacity_levels"]
    with_levels = set(levels["facility"])
    port_hubs = fac[(fac["role"] == "hub") & fac["site"].isin(with_levels)]["site"]
    place = net.place
    sites = net.sites.set_index("id")
    road_lm = set(place.loc[list(net.junction_of_pref.values()), "landmass"])
    pool = [
        {
            "id": s,
            "name": sites.at[s, "name"],
            "name_ja": sites.at[s, "name_ja"],
            "lat": place.at[s, "lat"],
            "lon": place.at[s, "lon"],
            "pref_code": place.at[s, "pref"],
            "landmass": place.at[s, "landmass"],
            "weight": PORT_HUB_WEIGHT,
            "tier": 0,
        }
        for s in sorted(port_hubs)
    ]
    for r in munis[munis["landmass"].isin(road_lm)].itertuples():
        city = r.kind in ("designated_city", "special_ward", "city")
        tier = 0 if city and r.pop_est_2020 >= LARGE_CITY_POP else 1 if city else 2
        pool.append(
            {
                "id": f"hub_{r.jis_code}",
                "name": f"{r.name_romaji} hub, {prefs.at[r.pref_code, 'name_en']}",
                "name_ja": f"{r.name_ja} 拠点候補",
                "lat": r.lat,
                "lon": r.lon,
                "pref_code": r.pref_code,
                "landmass": r.landmass,
                "weight": float(r.pop_est_2020),
                "tier": tier,
            }
        )
    cand = pd.DataFrame(pool)
    cand["key"] = np.log(rng.random(len(cand))) / cand["weight"]
    cand = cand.sort_values(["tier", "key"], ascending=[True, False], kind="mergesort")
    order = list(cand.index)
    if h >= len(MAIN_LANDMASSES):
        first = [cand.index[cand["landmass"] == lm][0] for lm in MAIN_LANDMASSES]
        order = first + [i for i in order if i not in set(first)]
    chosen: list[int] = []
    for i in order:
        if len(chosen) == h:
            break
        if chosen:
            d = great_circle_km(
                cand.at[i, "lat"],
                cand.at[i, "lon"],
                cand.loc[chosen, "lat"],
                cand.loc[chosen, "lon"],
            )
            if np.min(d) < MIN_HUB_SPACING_KM:
                continue
        chosen.append(i)
    if len(chosen) < h:
        raise ValueError(
            f"only {len(chosen)} hub sites lie at least {MIN_HUB_SPACING_KM:g} km apart; "
            f"asked for {h}"
        )
    return cand.loc[chosen].sort_values("id").reset_index(drop=True)


def draw_hub_terms(
    base: Base, hubs: pd.DataFrame, net: Network, rng: np.random.Generator
) -> tuple[list[dict], list[dict]]:
    """Facility rows and capacity levels of the hubs, drawn around a template hub's [EST].

    The template is the hub itself if it is a base candidate, else the nearest base candidate
    on its landmass (so an Okinawa hub gets Okinawa's levels). Capacities scale by one factor
    per hub in HUB_CAPACITY_RANGE, fixed costs by that factor ** 0.7 (economies of scale) and a
    factor in HUB_COST_RANGE; minimum throughputs keep their share of capacity.
    """
    fac = base.tables["facilities"].set_index("site")
    levels = base.tables["capacity_levels"]
    templates = net.place.loc[
        sorted(set(levels["facility"]) & set(fac.index[fac["role"] == "hub"]))
    ]
    facilities, level_rows = [], []
    for r in hubs.itertuples():
        if r.id in templates.index:
            t = r.id
        else:
            same = templates[templates["landmass"] == r.landmass]
            same = same if len(same) else templates
            d = great_circle_km(r.lat, r.lon, same["lat"].to_numpy(), same["lon"].to_numpy())
            t = same.index[int(np.argmin(d))]
        cost = float(fac.at[t, "processing_cost_jpy_per_t"]) * rng.uniform(*HUB_COST_RANGE)
        facilities.append(
            {
                "site": r.id,
                "role": "hub",
                "existing_capacity_t_per_yr": "0",
                "processing_cost_jpy_per_t": fmt(round(cost, -2)),
                "accepts": "*",
                "status": "candidate",
            }
        )
        f_cap = rng.uniform(*HUB_CAPACITY_RANGE)
        for lv in levels[levels["facility"] == t].itertuples():
            cap = round(float(lv.capacity_t_per_yr) * f_cap, -2)
            fixed = float(lv.fixed_cost_jpy_per_yr) * f_cap**0.7 * rng.uniform(*HUB_COST_RANGE)
            share = float(lv.min_throughput_t_per_yr or 0) / float(lv.capacity_t_per_yr)
            level_rows.append(
                {
                    "facility": r.id,
                    "level": lv.level,
                    "capacity_t_per_yr": fmt(cap),
                    "fixed_cost_jpy_per_yr": fmt(round(fixed, -5)),
                    "min_throughput_t_per_yr": fmt(cap * share),
                }
            )
    return facilities, level_rows


def draw_origins(
    base: Base, f: int, kept: set[str], rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, dict[tuple[str, str, str], str]]:
    """f origins: a draw of the base's (weighted by what they offer), or all plus satellites.

    A satellite copies a base origin (drawn by offer) ORIGIN_OFFSET_KM away, with its import
    offer scaled by a factor in ORIGIN_OFFER_RANGE, prices within 3 %, and its ocean links
    lengthened by the offset. Returns origin sites, import rows (kept commodities) and the
    satellites' ocean links.
    """
    sites = base.tables["sites"]
    origins = sites[sites["kind"] == "origin"].sort_values("id").reset_index(drop=True)
    imports = base.tables["imports"]
    offer = imports.assign(t=imports["available_t_per_yr"].astype(float)).groupby("site").t.sum()
    w = origins["id"].map(offer).fillna(0.0).to_numpy() + 1.0
    p = w / w.sum()
    n = len(origins)
    if f <= n:
        pick = np.sort(rng.choice(n, size=f, replace=False, p=p)) if f else np.array([], int)
        out_sites = origins.iloc[pick].copy()
        out_imports = imports[imports["site"].isin(out_sites["id"])]
        return out_sites, out_imports[out_imports["commodity"].isin(kept)], {}
    extra_sites, extra_imports, links = [], [], {}
    counter: dict[str, int] = {}
    ocean = base.tables["links"]
    ocean = ocean[ocean["mode"] == "ocean"]
    for _ in range(f - n):
        parent = origins.iloc[int(rng.choice(n, p=p))]
        k = counter[parent["id"]] = counter.get(parent["id"], 1) + 1
        oid = f"{parent['id']}_{k}"
        km = rng.uniform(*ORIGIN_OFFSET_KM)
        lat, lon = _offset(
            float(parent["lat"]), float(parent["lon"]), km, 2 * math.pi * rng.random()
        )
        row = parent.copy()
        row["id"], row["name"] = oid, f"{parent['name']} (satellite {k})"
        row["lat"], row["lon"] = fmt(lat, 5), fmt(lon, 5)
        extra_sites.append(row)
        for r in imports[imports["site"] == parent["id"]].itertuples():
            avail = float(r.available_t_per_yr) * rng.uniform(*ORIGIN_OFFER_RANGE)
            factor = rng.uniform(0.97, 1.03)
            # an offer without a price is bought at the smelters' terms: it stays without one
            price = fmt(round(float(r.price_jpy_per_t) * factor, -2)) if r.price_jpy_per_t else ""
            extra_imports.append(
                {
                    "site": oid,
                    "commodity": r.commodity,
                    "available_t_per_yr": fmt(round(avail, -2)),
                    "price_jpy_per_t": price,
                }
            )
        for r in ocean[
            (ocean["from"] == parent["id"]) | (ocean["to"] == parent["id"])
        ].itertuples():
            other = r.to if r._1 == parent["id"] else r._1
            dist = fmt(float(r.distance_km) + km, 1) if r.distance_km else ""
            add_link(links, oid, other, "ocean", dist)
    out_sites = pd.concat([origins, pd.DataFrame(extra_sites)], ignore_index=True)
    out_imports = pd.concat([imports, pd.DataFrame(extra_imports)], ignore_index=True)
    return out_sites, out_imports[out_imports["commodity"].isin(kept)], links
