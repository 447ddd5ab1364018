"""A roadmap-shaped results folder made from two real single-year solves of a tiny instance.

The instance (built on `builders.base_tables`): source S1, candidate hubs H1 (level L, 200 t
for 5,000 JPY/yr, or XL, 400 t for 8,000 JPY/yr) and H2 (level L, 200 t for 5,000 JPY/yr),
smelter M1 (1,000 t). Gold is worth 1,000 JPY per tonne smelted, so every tonne is collected.

* 2030: S1 generates 100 t: H1 at level L takes it (5,000 beats 8,000 and H2's dearer lanes).
* 2035: S1 generates 500 t: H1 at XL (400 t) and H2 at L (100 t).

So the roadmap is: 2030 open H1 (L); 2035 expand H1 (XL, +200 t) and open H2 (L). The two
folders are stacked as the roadmap format has it: a first column `year` in every table,
roadmap.csv from the facilities tables, and `years` / `by_year` in summary.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from builders import base_tables, write_instance

from hubnet.results import TABLE_NAMES
from hubnet.run import RunOptions, run_one

YEARS = (2030, 2035)
SUPPLY = {2030: 100.0, 2035: 500.0}
#: period lengths used for the hand-made net present cost (no discounting)
LENGTHS = {2030: 5, 2035: 10}


def instance_tables(generation: float) -> dict[str, list[dict]]:
    t = base_tables()
    t["sites"].append({"id": "H2", "name": "Hub 2", "kind": "hub", "lat": 35.6, "lon": 135.4})
    t["supply"][0]["generation_t_per_yr"] = generation
    t["facilities"].insert(
        1, {"site": "H2", "role": "hub", "processing_cost_jpy_per_t": 0, "accepts": "pcb"}
    )
    t["capacity_levels"].append(
        {"facility": "H1", "level": "XL", "capacity_t_per_yr": 400, "fixed_cost_jpy_per_yr": 8000}
    )
    t["capacity_levels"].append(
        {"facility": "H2", "level": "L", "capacity_t_per_yr": 200, "fixed_cost_jpy_per_yr": 5000}
    )
    t["lanes"] += [
        {"origin": "S1", "destination": "H2", "cost_jpy_per_t": 20},
        {"origin": "H2", "destination": "M1", "cost_jpy_per_t": 5},
    ]
    return t


def solve_years(root: Path) -> dict[int, Path]:
    """One real single-year solve per year; its results folder (maps off)."""
    out = {}
    for year in YEARS:
        inst = write_instance(root / f"inst_{year}", instance_tables(SUPPLY[year]))
        rec = run_one(inst, options=RunOptions(out_dir=root / f"solved_{year}", maps=False))
        assert rec.status == "optimal" and rec.violations == [], rec.message
        out[year] = rec.result_dir
    return out


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def roadmap_rows(folders: dict[int, Path]) -> list[dict]:
    """roadmap.csv from the facilities tables: a level appears (open), changes (expand) or
    goes (retire)."""
    rows, before = [], {}
    for year, folder in folders.items():
        fac = _csv(folder / "facilities.csv")
        now = {
            f: (lv, c)
            for f, lv, c in zip(fac.facility, fac.level, fac.capacity_t_per_yr, strict=True)
        }
        for f, (level, cap) in now.items():
            old = before.get(f, ("", ""))[0]
            action = None
            if level and not old:
                action = "open"
            elif level and level != old:
                action = "expand"
            elif old and not level:
                action = "retire"
            if action:
                rows.append(
                    {
                        "site": f,
                        "year": year,
                        "action": action,
                        "level": level,
                        "capacity_t_per_yr": cap,
                        "build_cost_jpy": 0,
                    }
                )
        before = now
    return rows


def stack(folders: dict[int, Path], out: Path) -> Path:
    """The roadmap folder: tables stacked with a first column `year`, roadmap.csv, summary."""
    out.mkdir(parents=True)
    for name in TABLE_NAMES:
        parts = []
        for year, folder in folders.items():
            df = _csv(folder / f"{name}.csv")
            df.insert(0, "year", str(year))
            parts.append(df)
        pd.concat(parts).to_csv(out / f"{name}.csv", index=False)
    pd.DataFrame(roadmap_rows(folders)).to_csv(out / "roadmap.csv", index=False)
    summaries = {y: json.loads((f / "summary.json").read_text()) for y, f in folders.items()}
    summary = dict(summaries[YEARS[0]])
    npv = sum(LENGTHS[y] * summaries[y]["objective_jpy_per_yr"] for y in YEARS)
    summary |= {
        "scenario": "roadmap",
        "objective_jpy_per_yr": npv,
        "years": list(YEARS),
        "foresight": "myopic",
        "npv_cost_jpy": npv,
        "myopia_cost_jpy": None,
        "by_year": {
            str(y): {
                "objective_jpy_per_yr": s["objective_jpy_per_yr"],
                "kpis": s["kpis"],
                "brief": s["brief"],
            }
            for y, s in summaries.items()
        },
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return out


def build(root: Path) -> tuple[Path, dict[int, Path]]:
    """The roadmap folder under root, and the single-year folders it was stacked from."""
    folders = solve_years(root)
    return stack(folders, root / "roadmap"), folders
