"""Fixtures of the map-export tests: a small, realistic results folder from hand-made tables.

The network: five prefecture sources, two open hubs (Kawasaki, Kobe) and one unused
candidate (Sendai), two smelters (Naoshima, Saganoseki), Japanese ports Tokyo, Tomakomai,
Kobe and Naoshima, imports from Singapore (ASEAN) and Rotterdam (EU), and one export of small
appliances from Kobe to a market at Busan. Legs use every mode: road, rail, coastal, ocean and
explicit. The tables below are the single source of the fixture's numbers, so the tests work
their expectations out from them, not from the code under test; they reach them through the
`design` fixture (tests run with --import-mode=importlib, so this file is not importable).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

# id, name, name_ja, kind, lat, lon, country, region
SITES: list[tuple[str, str, str, str, float, float, str, str]] = [
    ("P01", "Hokkaido", "北海道", "source", 43.0642, 141.3469, "JP", "Hokkaido"),
    ("P13", "Tokyo", "東京都", "source", 35.6895, 139.6917, "JP", "Kanto"),
    ("P14", "Kanagawa", "神奈川県", "source", 35.4478, 139.6425, "JP", "Kanto"),
    ("P27", "Osaka", "大阪府", "source", 34.6863, 135.5200, "JP", "Kansai"),
    ("P40", "Fukuoka", "福岡県", "source", 33.6064, 130.4183, "JP", "Kyushu"),
    ("H_KAWASAKI", "Kawasaki hub", "川崎ハブ", "hub", 35.5300, 139.7300, "JP", "Kanto"),
    ("H_KOBE", "Kobe hub", "神戸ハブ", "hub", 34.7000, 135.2200, "JP", "Kansai"),
    ("H_SENDAI", "Sendai hub", "仙台ハブ", "hub", 38.2680, 140.8700, "JP", "Tohoku"),
    ("S_NAOSHIMA", "Naoshima smelter", "直島製錬所", "smelter", 34.4870, 133.9930, "JP", "Shikoku"),
    (
        "S_SAGANOSEKI",
        "Saganoseki smelter",
        "佐賀関製錬所",
        "smelter",
        33.2450,
        131.8720,
        "JP",
        "Kyushu",
    ),
    ("JPTYO", "Tokyo port", "東京港", "port", 35.6490, 139.7920, "JP", "japan"),
    ("JPTMK", "Tomakomai port", "苫小牧港", "port", 42.6194, 141.6275, "JP", "japan"),
    ("JPUKB", "Kobe port", "神戸港", "port", 34.6670, 135.1830, "JP", "japan"),
    ("JPNAO", "Naoshima port", "直島港", "port", 34.4870, 133.9900, "JP", "japan"),
    ("J_SUITA", "Suita junction", "吹田JCT", "junction", 34.7900, 135.5300, "JP", "Kansai"),
    ("SGSIN", "Singapore", "シンガポール", "origin", 1.2390, 103.8320, "SG", "asean"),
    ("NLRTM", "Rotterdam", "ロッテルダム", "origin", 51.9040, 4.4420, "NL", "eu"),
    ("M_BUSAN", "Busan market", "釜山", "market", 35.1000, 129.0400, "KR", "korea"),
]

# lane, stage, path, path_modes, distance_km, {commodity: (tonnes, cost_jpy_per_t)}
LANES: list[tuple[str, str, str, str, float, dict[str, tuple[float, float]]]] = [
    (
        "L_C01",
        "collection",
        "P13;H_KAWASAKI",
        "road",
        25.0,
        {"pcb": (1200.0, 4000.0), "sap": (3000.0, 3500.0)},
    ),
    (
        "L_C02",
        "collection",
        "P14;H_KAWASAKI",
        "road",
        15.0,
        {"pcb": (800.0, 3000.0), "sap": (2000.0, 2800.0)},
    ),
    (
        "L_C03",
        "collection",
        "P27;J_SUITA;H_KOBE",
        "road;road",
        45.0,
        {"pcb": (1000.0, 5000.0), "sap": (2500.0, 4500.0)},
    ),
    ("L_C04", "collection", "P40;H_KOBE", "rail", 540.0, {"pcb": (600.0, 9000.0)}),
    (
        "L_C05",
        "collection",
        "P01;JPTMK;JPTYO;H_KAWASAKI",
        "road;coastal;road",
        1150.0,
        {"pcb": (400.0, 15000.0)},
    ),
    ("L_I01", "import", "SGSIN;JPUKB;H_KOBE", "ocean;road", 5170.0, {"pcb": (1500.0, 12000.0)}),
    ("L_I02", "import", "NLRTM;JPTYO;H_KAWASAKI", "ocean;road", 20700.0, {"pcb": (900.0, 30000.0)}),
    (
        "L_D01",
        "delivery",
        "H_KAWASAKI;JPTYO;JPNAO;S_NAOSHIMA",
        "road;coastal;road",
        700.0,
        {"pcb": (2970.0, 8000.0), "sap": (4500.0, 8000.0)},
    ),
    (
        "L_D02",
        "delivery",
        "H_KOBE;S_NAOSHIMA",
        "road",
        150.0,
        {"pcb": (1790.0, 3000.0), "sap": (1750.0, 3000.0)},
    ),
    ("L_D03", "delivery", "H_KOBE;S_SAGANOSEKI", "explicit", 420.0, {"pcb": (1000.0, 6000.0)}),
    ("L_E01", "export", "H_KOBE;JPUKB;M_BUSAN", "road;ocean", 680.0, {"sap": (500.0, 7000.0)}),
]

# facility, role, open, level, capacity, throughput, fixed cost
FACILITIES: list[tuple[str, str, bool, str, float, float, float]] = [
    ("H_KAWASAKI", "hub", True, "L2", 12000.0, 8300.0, 450e6),
    ("H_KOBE", "hub", True, "L1", 8000.0, 5600.0, 300e6),
    ("H_SENDAI", "hub", False, "", 0.0, 0.0, 0.0),
    ("S_NAOSHIMA", "smelter", True, "", 110000.0, 11010.0, 0.0),
    ("S_SAGANOSEKI", "smelter", True, "", 84000.0, 1000.0, 0.0),
]

# source, commodity, generation, collected
LEAKAGE: list[tuple[str, str, float, float]] = [
    ("P01", "pcb", 500.0, 400.0),
    ("P01", "sap", 1200.0, 0.0),
    ("P13", "pcb", 1500.0, 1200.0),
    ("P13", "sap", 4000.0, 3000.0),
    ("P14", "pcb", 1000.0, 800.0),
    ("P14", "sap", 2600.0, 2000.0),
    ("P27", "pcb", 1300.0, 1000.0),
    ("P27", "sap", 3000.0, 2500.0),
    ("P40", "pcb", 900.0, 600.0),
    ("P40", "sap", 700.0, 0.0),
]

CO2_T_PER_TKM = {"road": 0.0001, "rail": 0.00002, "coastal": 0.00004, "ocean": 0.00001}
SUMMARY = {
    "instance": "fixture_jp",
    "scenario": "base",
    "instance_dir": "/nonexistent/fixture_jp",
    "scenario_file": None,
    "status": "optimal",
    "termination": "Optimal",
    "objective_jpy_per_yr": 2_345_600_000.0,
    "best_bound_jpy_per_yr": 2_345_600_000.0,
    "gap": 0.0,
    "times_s": {},
    "kpis": {
        "fixed_cost": 750e6,
        "transport_cost": 178.58e6,
        "processing_cost": 27.8e6,
        "import_cost": 315e6,
        "co2_cost": 2.5e6,
        "leakage_penalty": 1082e6,
        "export_revenue": -10e6,
        "total_cost": 2_345_600_000.0,
    },
    "brief": {"hubs_opened": 2},
}


def site_xy() -> dict[str, tuple[float, float]]:
    """(lon, lat) of every fixture site."""
    return {s[0]: (s[5], s[4]) for s in SITES}


def site_country() -> dict[str, str]:
    return {s[0]: s[6] for s in SITES}


def flow_rows() -> list[dict[str, object]]:
    """flows.csv rows, one per lane and commodity, sorted like the engine writes them."""
    rows = []
    for lane, stage, path, modes, dist, by_commodity in LANES:
        sites = path.split(";")
        for commodity, (tonnes, cost_t) in sorted(by_commodity.items()):
            legs = modes.split(";")
            co2 = sum(tonnes * dist / len(legs) * CO2_T_PER_TKM.get(m, 0.0) for m in legs)
            rows.append(
                {
                    "lane": lane,
                    "stage": stage,
                    "origin": sites[0],
                    "destination": sites[-1],
                    "commodity": commodity,
                    "tonnes_per_yr": tonnes,
                    "imported_t_per_yr": tonnes if stage == "import" else 0.0,
                    "imported_on_terms_t_per_yr": 0.0,
                    "cost_jpy_per_t": cost_t,
                    "cost_jpy_per_yr": tonnes * cost_t,
                    "distance_km": dist,
                    "co2_t_per_yr": round(co2, 3),
                    "modes": ";".join(dict.fromkeys(legs)),
                    "path": path,
                    "path_modes": modes,
                }
            )
    return rows


def write_fixture(folder: Path) -> Path:
    """Write the fixture results folder into folder and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    sites = pd.DataFrame(
        SITES, columns=["id", "name", "name_ja", "kind", "lat", "lon", "country", "region"]
    )
    sites.sort_values("id").to_csv(folder / "sites.csv", index=False)

    names = {s[0]: (s[1], s[2], s[4], s[5]) for s in SITES}
    fac_rows = []
    for fid, role, is_open, level, cap, through, fixed in FACILITIES:
        name, name_ja, lat, lon = names[fid]
        fac_rows.append(
            {
                "facility": fid,
                "name": name,
                "name_ja": name_ja,
                "role": role,
                "lat": lat,
                "lon": lon,
                "status": "open" if role == "smelter" else ("open" if is_open else "candidate"),
                "open": "true" if is_open else "false",
                "level": level,
                "existing_capacity_t_per_yr": cap if role == "smelter" else 0.0,
                "capacity_t_per_yr": cap,
                "throughput_t_per_yr": through,
                "utilisation_share": round(through / cap, 6) if cap else "",
                "fixed_cost_jpy_per_yr": fixed,
                "processing_cost_jpy_per_yr": through * 2000.0,
            }
        )
    pd.DataFrame(fac_rows).to_csv(folder / "facilities.csv", index=False)
    pd.DataFrame(flow_rows()).to_csv(folder / "flows.csv", index=False)

    leak_rows = [
        {
            "source": src,
            "name": names[src][0],
            "commodity": com,
            "generation_t_per_yr": gen,
            "collected_t_per_yr": col,
            "uncollected_t_per_yr": gen - col,
            "uncollected_share": round((gen - col) / gen, 6),
        }
        for src, com, gen, col in LEAKAGE
    ]
    pd.DataFrame(leak_rows).to_csv(folder / "leakage.csv", index=False)
    pd.DataFrame(
        [
            {
                "origin": "NLRTM",
                "name": "Rotterdam",
                "region": "eu",
                "commodity": "pcb",
                "available_t_per_yr": 5000.0,
                "imported_t_per_yr": 900.0,
                "price_jpy_per_t": 150000.0,
                "purchase_cost_jpy_per_yr": 135e6,
            },
            {
                "origin": "SGSIN",
                "name": "Singapore",
                "region": "asean",
                "commodity": "pcb",
                "available_t_per_yr": 3000.0,
                "imported_t_per_yr": 1500.0,
                "price_jpy_per_t": 120000.0,
                "purchase_cost_jpy_per_yr": 180e6,
            },
        ]
    ).to_csv(folder / "imports.csv", index=False)
    pd.DataFrame(
        [
            {
                "market": "M_BUSAN",
                "name": "Busan market",
                "commodity": "sap",
                "exported_t_per_yr": 500.0,
                "price_jpy_per_t": 20000.0,
                "revenue_jpy_per_yr": 10e6,
            }
        ]
    ).to_csv(folder / "exports.csv", index=False)
    (folder / "summary.json").write_text(json.dumps(SUMMARY, ensure_ascii=False, indent=2))
    return folder


def expected_legs() -> int:
    """Drawn legs: one per leg of each lane, for each commodity on that lane."""
    return sum(len(modes.split(";")) * len(by_c) for _, _, _, modes, _, by_c in LANES)


@pytest.fixture(scope="session")
def result_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture results folder (shared; tests write their outputs elsewhere)."""
    return write_fixture(tmp_path_factory.mktemp("results") / "fixture_jp" / "base")


@pytest.fixture(scope="session")
def maps_dir(result_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All four map formats of the fixture, written once into a separate folder."""
    from hubnet.export import write_maps

    out = tmp_path_factory.mktemp("maps")
    times = write_maps(result_dir, out_dir=out)
    assert set(times) == {"prepare", "gpkg", "geojson", "html", "png"}
    return out


@pytest.fixture(scope="session")
def design() -> SimpleNamespace:
    """The fixture's hand-made tables and what follows from them, for the tests' expectations."""
    return SimpleNamespace(
        SITES=SITES,
        LANES=LANES,
        FACILITIES=FACILITIES,
        LEAKAGE=LEAKAGE,
        SUMMARY=SUMMARY,
        site_xy=site_xy(),
        site_country=site_country(),
        expected_legs=expected_legs(),
    )
