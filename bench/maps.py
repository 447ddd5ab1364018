"""Time the map exports of a results folder, split per format.

Refreshes bench/RESULTS.md, "Maps".

    python bench/maps.py RESULT_DIR [--out DIR] [--formats gpkg,geojson,html,png] [--repeat N]
    python bench/maps.py --synthetic DIR   # first write a default-instance-sized results folder

Maps are written to --out (default: a fresh temporary folder, so the results folder is left
as it is). The goal is under 10 s in total for the default instance (~47 sources, 20 hubs,
12 smelters, a few hundred routes). --synthetic makes a folder of that size from the shipped
prefecture outlines, for timing before the engine exists or without solving.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pandas as pd

from hubnet.export import FORMATS, write_maps

logger = logging.getLogger("bench.maps")

# (id, name, lat, lon, country, region): a few real ports and foreign origins
PORTS = [
    ("JPTYO", "Tokyo", 35.64916, 139.79157, "JP", "japan"),
    ("JPNGO", "Nagoya", 35.07434, 136.8543, "JP", "japan"),
    ("JPUKB", "Kobe", 34.66667, 135.18333, "JP", "japan"),
    ("JPNAO", "Naoshima", 34.487, 133.99, "JP", "japan"),
    ("JPHKT", "Hakata", 33.60114, 130.37579, "JP", "japan"),
    ("JPSAG", "Saganoseki", 33.23333, 131.86667, "JP", "japan"),
    ("JPONA", "Onahama", 36.93467, 140.89142, "JP", "japan"),
    ("JPSDJ", "Sendai", 38.25335, 141.01502, "JP", "japan"),
    ("JPAXT", "Akita", 39.75, 140.05, "JP", "japan"),
    ("JPTMK", "Tomakomai", 42.61941, 141.6275, "JP", "japan"),
    ("JPKIJ", "Niigata", 37.9102, 139.10339, "JP", "japan"),
    ("JPNAH", "Naha", 26.2, 127.65, "JP", "japan"),
]
ORIGINS = [
    ("SGSIN", "Singapore", 1.23921, 103.83246, "SG", "asean"),
    ("MYPKG", "Port Kelang", 3.00343, 101.38265, "MY", "asean"),
    ("THLCH", "Laem Chabang", 13.08333, 100.88333, "TH", "asean"),
    ("PHMNL", "Manila", 14.63117, 120.97197, "PH", "asean"),
    ("VNSGN", "Ho Chi Minh City", 10.82617, 106.753, "VN", "asean"),
    ("IDTPP", "Tanjung Priok", -6.10096, 106.89101, "ID", "asean"),
    ("NLRTM", "Rotterdam", 51.90438, 4.44245, "NL", "eu"),
    ("BEANR", "Antwerpen", 51.20237, 4.3829, "BE", "eu"),
    ("DEHAM", "Hamburg", 53.54772, 9.96941, "DE", "eu"),
    ("FRLEH", "Le Havre", 49.486, 0.10705, "FR", "eu"),
    ("ITGOA", "Genova", 44.41472, 8.91526, "IT", "eu"),
]
MARKETS = [("M_BUSAN", "Busan", 35.1, 129.04, "KR", "korea")]
COMMODITIES = ("pcb", "sap", "mobile")


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Rough great-circle km between (lat, lon) points (haversine)."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 12742.0 * math.asin(math.sqrt(h))


def write_synthetic(folder: Path, seed: int = 7) -> Path:
    """Write a results folder the size of the default instance (47 sources, 20 hubs, ...)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    with resources.as_file(resources.files("hubnet") / "data" / "japan_prefectures.geojson") as p:
        prefs = gpd.read_file(p)
    pts = prefs.geometry.representative_point()
    sites = []
    for (_, row), pt in zip(prefs.iterrows(), pts, strict=True):
        sid = f"P{int(row['code']):02d}"
        sites.append(
            (sid, row["name_en"], row["name_ja"], "source", pt.y, pt.x, "JP", row["region_en"])
        )
    sources = [s for s in sites]
    hub_prefs = rng.sample(sources, 20)
    hubs = [
        (f"H{i:02d}", f"{s[1]} hub", f"{s[2]}ハブ", "hub", s[4] + 0.05, s[5] + 0.05, "JP", s[7])
        for i, s in enumerate(hub_prefs)
    ]
    smelter_prefs = rng.sample(sources, 12)
    smelters = [
        (
            f"S{i:02d}",
            f"{s[1]} smelter",
            f"{s[2]}製錬所",
            "smelter",
            s[4] - 0.05,
            s[5] - 0.05,
            "JP",
            s[7],
        )
        for i, s in enumerate(smelter_prefs)
    ]
    ports = [(i, n, n, "port", la, lo, c, r) for i, n, la, lo, c, r in PORTS]
    origins = [(i, n, n, "origin", la, lo, c, r) for i, n, la, lo, c, r in ORIGINS]
    markets = [(i, n, n, "market", la, lo, c, r) for i, n, la, lo, c, r in MARKETS]
    all_sites = sites + hubs + smelters + ports + origins + markets
    pd.DataFrame(
        all_sites, columns=["id", "name", "name_ja", "kind", "lat", "lon", "country", "region"]
    ).to_csv(folder / "sites.csv", index=False)
    pos = {s[0]: (s[4], s[5]) for s in all_sites}

    def nearest(site: str, pool: list[tuple], k: int = 1) -> list[str]:
        return [p[0] for p in sorted(pool, key=lambda p: _km(pos[site], pos[p[0]]))[:k]]

    jp_ports = [p for p in ports]
    flows = []
    inflow: dict[str, float] = {}
    smelter_in: dict[str, float] = {}
    leakage = []

    def add(
        lane: str, stage: str, path: list[str], modes: list[str], commodity: str, t: float
    ) -> None:
        dist = sum(_km(pos[a], pos[b]) for a, b in zip(path[:-1], path[1:], strict=True)) * 1.25
        cost_t = 20.0 * dist + 1500.0
        flows.append(
            {
                "lane": lane,
                "stage": stage,
                "origin": path[0],
                "destination": path[-1],
                "commodity": commodity,
                "tonnes_per_yr": round(t, 1),
                "cost_jpy_per_t": round(cost_t, 1),
                "cost_jpy_per_yr": round(t * cost_t, 1),
                "distance_km": round(dist, 1),
                "co2_t_per_yr": round(t * dist * 6e-5, 3),
                "modes": ";".join(dict.fromkeys(modes)),
                "path": ";".join(path),
                "path_modes": ";".join(modes),
            }
        )

    for s in sources:
        for c in COMMODITIES:
            gen = rng.uniform(200, 3000)
            col = gen * rng.uniform(0.5, 0.95)
            leakage.append((s[0], s[1], c, gen, col))
            for k, hub in enumerate(nearest(s[0], hubs, 2)):
                share = 0.7 if k == 0 else 0.3
                far = _km(pos[s[0]], pos[hub]) > 400
                add(
                    f"C_{s[0]}_{hub}",
                    "collection",
                    [s[0], hub],
                    ["rail" if far else "road"],
                    c,
                    col * share,
                )
                inflow[hub] = inflow.get(hub, 0.0) + col * share
    for o in origins:
        port = rng.choice(jp_ports[:7])[0]
        hub = nearest(port, hubs)[0]
        for c in COMMODITIES[:2]:
            t = rng.uniform(300, 2500)
            add(f"I_{o[0]}_{hub}", "import", [o[0], port, hub], ["ocean", "road"], c, t)
            inflow[hub] = inflow.get(hub, 0.0) + t
    for i, h in enumerate(hubs):
        out = inflow.get(h[0], 0.0) * 0.9
        targets = nearest(h[0], smelters, 2)
        for k, sm in enumerate(targets):
            t = out * (0.6 if k == 0 else 0.4)
            hp, sp = nearest(h[0], jp_ports)[0], nearest(sm, jp_ports)[0]
            if k == 1 and hp != sp:
                path, modes = [h[0], hp, sp, sm], ["road", "coastal", "road"]
            elif i % 5 == 0:
                path, modes = [h[0], sm], ["explicit"]
            else:
                path, modes = [h[0], sm], ["road"]
            for c in COMMODITIES:
                add(f"D_{h[0]}_{sm}", "delivery", path, modes, c, t / len(COMMODITIES))
            smelter_in[sm] = smelter_in.get(sm, 0.0) + t
        if i % 7 == 0:
            add(f"E_{h[0]}", "export", [h[0], "JPHKT", "M_BUSAN"], ["road", "ocean"], "sap", 100.0)
    pd.DataFrame(flows).to_csv(folder / "flows.csv", index=False)

    fac = []
    for h in hubs:
        tp = inflow.get(h[0], 0.0)
        cap = max(5000.0, math.ceil(tp / 5000.0) * 5000.0)
        fac.append((h, "hub", tp > 0, "L1" if tp > 0 else "", cap, tp))
    for sm in smelters:
        fac.append((sm, "smelter", True, "", 100000.0, smelter_in.get(sm[0], 0.0)))
    pd.DataFrame(
        [
            {
                "facility": s[0],
                "name": s[1],
                "name_ja": s[2],
                "role": role,
                "lat": s[4],
                "lon": s[5],
                "status": "open" if is_open else "candidate",
                "open": is_open,
                "level": level,
                "existing_capacity_t_per_yr": cap if role == "smelter" else 0.0,
                "capacity_t_per_yr": cap,
                "throughput_t_per_yr": round(tp, 1),
                "utilisation_share": round(tp / cap, 4),
                "fixed_cost_jpy_per_yr": 3e8 if role == "hub" and is_open else 0.0,
                "processing_cost_jpy_per_yr": round(tp * 2000.0, 1),
            }
            for s, role, is_open, level, cap, tp in fac
        ]
    ).to_csv(folder / "facilities.csv", index=False)
    pd.DataFrame(
        [
            {
                "source": s,
                "name": n,
                "commodity": c,
                "generation_t_per_yr": round(g, 1),
                "collected_t_per_yr": round(col, 1),
                "uncollected_t_per_yr": round(g - col, 1),
                "uncollected_share": round((g - col) / g, 4),
            }
            for s, n, c, g, col in leakage
        ]
    ).to_csv(folder / "leakage.csv", index=False)
    total = sum(f["cost_jpy_per_yr"] for f in flows) + 20 * 3e8
    summary = {
        "instance": "synthetic_default",
        "scenario": "bench",
        "instance_dir": str(folder),
        "scenario_file": None,
        "status": "feasible",
        "objective_jpy_per_yr": total,
        "best_bound_jpy_per_yr": total * 0.99,
        "gap": 0.01,
        "times_s": {},
        "kpis": {},
        "brief": {"hubs_opened": sum(1 for f in fac if f[1] == "hub" and f[2])},
    }
    (folder / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    logger.info("wrote a synthetic results folder with %d flow rows to %s", len(flows), folder)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("result_dir", nargs="?", type=Path, help="results folder to draw")
    parser.add_argument("--out", type=Path, help="where to write the maps (default: a temp dir)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated formats")
    parser.add_argument("--repeat", type=int, default=1, help="runs to time (the best is shown)")
    parser.add_argument(
        "--synthetic", type=Path, help="write a default-sized results folder here first"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    result_dir = args.result_dir
    if args.synthetic is not None:
        result_dir = write_synthetic(args.synthetic)
    if result_dir is None:
        parser.error("give a RESULT_DIR or --synthetic DIR")
    formats = {f.strip() for f in args.formats.split(",") if f.strip()}

    flows = pd.read_csv(result_dir / "flows.csv")
    sites = pd.read_csv(result_dir / "sites.csv")
    print(
        f"{result_dir}: {len(flows)} routes, "
        + ", ".join(f"{n} {k}" for k, n in sites["kind"].value_counts().items())
    )
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="hubnet-maps-") as tmp:
        out = args.out or Path(tmp)
        for _ in range(max(1, args.repeat)):
            start = time.perf_counter()
            times = write_maps(result_dir, formats, out_dir=out)
            times["total"] = time.perf_counter() - start
            best = {k: min(v, best.get(k, math.inf)) for k, v in times.items()}
        sizes = {
            "gpkg": out / "routes.gpkg",
            "html": out / "map.html",
            "png": out / "map.png",
        }
        print(f"{'step':<10}{'seconds':>9}  output")
        for key in ("prepare", *FORMATS, "total"):
            if key not in best:
                continue
            path = sizes.get(key)
            size = f"{path.stat().st_size / 1e6:.2f} MB" if path and path.exists() else ""
            if key == "geojson" and (out / "geojson").is_dir():
                size = f"{sum(p.stat().st_size for p in (out / 'geojson').iterdir()) / 1e6:.2f} MB"
            print(f"{key:<10}{best[key]:>9.2f}  {size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
