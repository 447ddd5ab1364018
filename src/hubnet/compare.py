"""Compare runs: one CSV row per scenario, a single-file HTML report and compare.png.

Everything is read from the results folders (summary.json and the tables declared in
results/schema.py), never from a model or an instance; a run without a folder (infeasible,
failed, missing) still gets a row saying so.
Differences against the baseline (the run named `baseline`, else the first run with
results) are columns of their own (`delta_*`), in the CSV and in the HTML.

An evaluated run (`hubnet evaluate`) is named `<plan> in <future>`; with the futures' own
optima among the folders, compare_regret.csv holds the regret table (`compare_regret`).

A roadmap run's row holds its first planning year (what a single-year run of the same
instance describes), its years, net present cost and timeline; its numbers per year go to
compare_years.csv and the per-year charts, where a single-year run is a flat reference line.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from hubnet.compare_charts import charts, hub_levels, overview_png
from hubnet.compare_html import render_html
from hubnet.compare_regret import regret_table
from hubnet.export.roadmap import HEADLINES, headlines, read_timeline, roadmap_years
from hubnet.export.tables import YEAR, has_tables, read_summary, read_table, read_tables
from hubnet.report import COST_TERMS

logger = logging.getLogger(__name__)

#: columns that are text or not worth a difference
NO_DELTA = {"gap", "violations", "calibration_count"}
#: the tables a comparison row is read from
COMPARED = ("facilities", "leakage", "leakage_by_commodity", "exports", "imports", "metals", "kpis")
#: the calibration table's columns that are the observed figure itself, the same in every run
OBSERVED = ("id", "quantity", "observed_t_per_yr", "low_t_per_yr", "high_t_per_yr")


# ----------------------------------------------------------------------------- the table


def result_folders(paths: Iterable[Path | str]) -> list[Path]:
    """Results folders among `paths`; a batch folder stands for every run folder in it, a
    two-stage folder for its futures' folders (the shared plan in each future)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if (p / "plan.csv").exists() and (p / "futures").is_dir():
            out.extend(sorted(d for d in (p / "futures").iterdir() if d.is_dir()))
            continue
        if (p / "summary.json").exists() or not p.is_dir():
            out.append(p)
            continue
        runs = sorted(
            d for d in p.iterdir() if (d / "summary.json").exists() and not d.name.startswith("_")
        )
        out.extend(runs or [p])
    return out


def read_run(folder: Path) -> dict:
    """One comparison row from a results folder (summary.json and its declared tables)."""
    summary = read_summary(folder)
    row: dict[str, object] = {
        "run": summary.get("scenario") or folder.name,
        "instance": summary.get("instance"),
        "status": summary.get("status"),
        "gap": summary.get("gap"),
    }
    plan = summary.get("evaluated_plan")
    if isinstance(plan, dict):  # `hubnet evaluate`: a plan (named by its run) in this future
        row["evaluated_plan"] = str(plan.get("scenario"))
        row["future"] = row["run"]
        row["run"] = f"{plan.get('scenario')} in {row['run']}"
    if not has_tables(summary):  # e.g. infeasible: summary.json + diagnosis only
        diagnosis = summary.get("diagnosis") or []
        row["message"] = " ".join(diagnosis) if isinstance(diagnosis, list) else str(diagnosis)
    else:
        years = roadmap_years(summary)
        tables = read_tables(folder, COMPARED)
        brief = summary.get("brief") or {}
        if years:  # the row holds the first planning year; every year is in compare_years
            tables = {n: _first_year(df, years[0]) for n, df in tables.items()}
            brief = (summary.get("by_year") or {}).get(str(years[0]), {}).get("brief") or {}
            row.update(_roadmap(folder, summary, years))
        row.update(_costs(tables["kpis"]))
        row.update(_levels(tables["facilities"]))
        row.update(_flows(tables))
        row["co2_t_per_yr"] = float(brief.get("co2_t_per_yr", math.nan))
        row.update(_calibration(folder))
    row["result_dir"] = str(folder)
    row["scenario_file"] = summary.get("scenario_file")
    return row


def _first_year(df: pd.DataFrame, year: int) -> pd.DataFrame:
    return df[df[YEAR] == year].drop(columns=YEAR).reset_index(drop=True)


def _roadmap(folder: Path, summary: dict, years: tuple[int, ...]) -> dict[str, object]:
    """What a roadmap run adds to its row: its years, foresight, costs over the horizon and
    its timeline (years joined by ' | ')."""
    return {
        "years": ";".join(map(str, years)),
        "foresight": summary.get("foresight"),
        "npv_cost_jpy": _number(summary.get("npv_cost_jpy")),
        "myopia_cost_jpy": _number(summary.get("myopia_cost_jpy")),
        "timeline": " | ".join(read_timeline(folder)),
    }


def _number(value: object) -> float:
    return math.nan if value is None else float(value)  # type: ignore[arg-type]


def years_across(table: pd.DataFrame) -> pd.DataFrame:
    """One row per roadmap run and planning year: the headline numbers of that year (see
    `hubnet.export.roadmap.headlines`); empty when no run is a roadmap run. Single-year runs
    have no years and are left out (the charts draw them as flat reference lines)."""
    frames = []
    for run, folder, years in zip(
        table["run"], table.get("result_dir", []), table.get("years", []), strict=False
    ):
        if not isinstance(years, str) or not years:
            continue
        summary = read_summary(Path(folder))
        heads = headlines(Path(folder), summary).reset_index()
        heads.insert(0, "run", run)
        frames.append(heads)
    if not frames:
        return pd.DataFrame(columns=["run", YEAR, *HEADLINES])
    return pd.concat(frames, ignore_index=True)


def _costs(kpis: pd.DataFrame) -> dict[str, float]:
    value = kpis.set_index("term")["value_jpy_per_yr"]
    row = {"total_cost_jpy_per_yr": float(value.get("total_cost", math.nan))}
    for term in COST_TERMS:
        row[f"{term}_jpy_per_yr"] = float(value.get(term, math.nan))
    return row


def _levels(fac: pd.DataFrame) -> dict[str, object]:
    """Hubs opened and smelters expanded, with their levels."""
    hubs = fac[(fac["role"] == "hub") & (fac["level"] != "")]
    smelters = fac[(fac["role"] == "smelter") & (fac["level"] != "")]
    return {
        "hubs_opened": len(hubs),
        "hubs_opened_list": ";".join(
            f"{f} ({lv})" for f, lv in zip(hubs.facility, hubs.level, strict=True)
        ),
        "smelter_expansions": len(smelters),
        "smelter_expansions_list": ";".join(
            f"{f} ({lv})" for f, lv in zip(smelters.facility, smelters.level, strict=True)
        ),
    }


def _flows(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Collection, imports by region, exports, leakage by commodity and metals recovered."""
    leak = tables["leakage"]
    row = {
        "generation_t_per_yr": float(leak["generation_t_per_yr"].sum()),
        "collected_t_per_yr": float(leak["collected_t_per_yr"].sum()),
    }
    row["collection_share"] = _ratio(row["collected_t_per_yr"], row["generation_t_per_yr"])
    imp = tables["imports"]
    row["imported_t_per_yr"] = float(imp["imported_t_per_yr"].sum())
    for region, t in imp.groupby("region")["imported_t_per_yr"].sum().items():
        row[f"import_{region}_t_per_yr"] = float(t)
    row["exported_t_per_yr"] = float(tables["exports"]["exported_t_per_yr"].sum())
    # domestic leakage as the caps count it, written at solve time (leakage_by_commodity)
    by_k = tables["leakage_by_commodity"]
    by_k = by_k[by_k["generation_t_per_yr"] > 0]
    for k, t, share in zip(
        by_k["commodity"], by_k["leakage_t_per_yr"], by_k["leakage_share"], strict=True
    ):
        row[f"leakage_{k}_t_per_yr"] = float(t)
        row[f"leakage_{k}_share"] = float(share)
    row["leakage_t_per_yr"] = float(by_k["leakage_t_per_yr"].sum())
    row["leakage_share"] = _ratio(row["leakage_t_per_yr"], row["generation_t_per_yr"])
    metals = tables["metals"]
    for el, t, capture in zip(
        metals["element"],
        metals["recovered_t_per_yr"],
        metals["domestic_capture_share"],
        strict=True,
    ):
        row[f"metal_{el}_t_per_yr"] = float(t)
        row[f"metal_{el}_domestic_capture_share"] = float(capture)
    return row


def _calibration(folder: Path) -> dict[str, float]:
    """Observed figures within range, and each figure's modelled value (folders without
    calibration.csv add nothing)."""
    if not (folder / "calibration.csv").is_file():
        return {}
    cal = read_table(folder, "calibration")
    row = {
        "calibration_count": len(cal),
        "calibration_within_range": int(cal["within_range"].sum()),
    }
    for i, t in zip(cal["id"], cal["modelled_t_per_yr"], strict=True):
        row[f"calibration_{i}_t_per_yr"] = float(t)
    return row


def calibration_across(table: pd.DataFrame) -> pd.DataFrame:
    """One row per observed figure: the figure and its range, then the modelled value in
    each run that wrote calibration.csv (a column per run); empty when none did."""
    merged: pd.DataFrame | None = None
    for run, folder in zip(table["run"], table.get("result_dir", []), strict=False):
        if not isinstance(folder, str) or not (Path(folder) / "calibration.csv").is_file():
            continue
        cal = read_table(Path(folder), "calibration")
        cal = cal[[*OBSERVED, "modelled_t_per_yr", "within_range"]].rename(
            columns={"modelled_t_per_yr": str(run), "within_range": f"{run} within_range"}
        )
        merged = cal if merged is None else merged.merge(cal, on=list(OBSERVED), how="outer")
    return pd.DataFrame(columns=list(OBSERVED)) if merged is None else merged


def _ratio(a: object, b: object) -> float:
    a, b = float(a), float(b)  # type: ignore[arg-type]
    return a / b if b > 0 else math.nan


def collect(result_dirs: Iterable[Path | str], runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The comparison table: one row per run, in the order given.

    `runs` (a batch's status table: run, status, result_dir, message) adds the runs that
    have no results folder, with their status and message.
    """
    rows: list[dict] = []
    seen: set[str] = set()
    if runs is not None:
        for r in runs.to_dict("records"):
            folder = r.get("result_dir")
            if isinstance(folder, str) and (Path(folder) / "summary.json").exists():
                row = read_run(Path(folder))
                row["message"] = r.get("message") or row.get("message") or ""
            else:
                row = {
                    "run": r["run"],
                    "status": r["status"],
                    "message": r.get("message") or "no results folder",
                    "scenario_file": r.get("scenario_file"),
                }
            rows.append(row)
            seen.add(str(row["run"]))
    for folder in result_folders(result_dirs):
        if (folder / "summary.json").exists():
            row = read_run(folder)
            row.setdefault("message", "")
        else:
            row = {"run": folder.name, "status": "missing", "message": f"no results in {folder}"}
        if str(row["run"]) not in seen:
            rows.append(row)
            seen.add(str(row["run"]))
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["has_results"] = (
        table["total_cost_jpy_per_yr"].notna() if "total_cost_jpy_per_yr" in table else False
    )
    return table


def baseline_of(table: pd.DataFrame) -> int | None:
    """Row of the baseline: the run named `baseline`, else the first run with results."""
    ok = table[table["has_results"]]
    if ok.empty:
        return None
    named = ok.index[ok["run"] == "baseline"]
    return int(named[0]) if len(named) else int(ok.index[0])


def add_deltas(table: pd.DataFrame) -> pd.DataFrame:
    """Differences against the baseline row: `delta_<col>` for every number; the hubs opened
    in a run but not in the baseline (`hubs_added`), the reverse (`hubs_removed`), and those
    opened at another level (`hubs_resized`, e.g. `hub_x (small->large)`)."""
    table = table.copy()
    base = baseline_of(table)
    table["baseline"] = "" if base is None else table.at[base, "run"]
    if base is None:
        return table
    base_levels = hub_levels(table.at[base, "hubs_opened_list"])
    added, removed, resized = [], [], []
    for ok, hubs in zip(table["has_results"], table["hubs_opened_list"], strict=True):
        mine = hub_levels(hubs) if ok else {}
        added.append(";".join(sorted(set(mine) - set(base_levels))) if ok else "")
        removed.append(";".join(sorted(set(base_levels) - set(mine))) if ok else "")
        resized.append(
            ";".join(
                f"{h} ({base_levels[h]}->{lv})"
                for h, lv in sorted(mine.items())
                if h in base_levels and base_levels[h] != lv
            )
        )
    table["hubs_added"], table["hubs_removed"], table["hubs_resized"] = added, removed, resized
    numeric = [
        c
        for c in table.columns
        if pd.api.types.is_numeric_dtype(table[c])
        and not pd.api.types.is_bool_dtype(table[c])
        and c not in NO_DELTA
    ]
    deltas = {f"delta_{c}": table[c] - table.at[base, c] for c in numeric}
    return pd.concat([table, pd.DataFrame(deltas, index=table.index)], axis=1)


def write_comparison(table: pd.DataFrame, out_dir: Path) -> dict[str, Path]:
    """compare.csv, compare.html and compare.png in `out_dir`, compare_calibration.csv when
    some run has observed figures, compare_years.csv when some run is a roadmap run and
    compare_regret.csv when some run is an evaluated plan (`compare_regret`)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "csv": out_dir / "compare.csv",
        "html": out_dir / "compare.html",
        "png": out_dir / "compare.png",
    }
    table.drop(columns=["has_results"]).to_csv(paths["csv"], index=False, float_format="%.10g")
    calibration = calibration_across(table)
    if len(calibration):
        paths["calibration"] = out_dir / "compare_calibration.csv"
        calibration.to_csv(paths["calibration"], index=False, float_format="%.10g")
    by_year = years_across(table)
    if len(by_year):
        paths["years"] = out_dir / "compare_years.csv"
        by_year.to_csv(paths["years"], index=False, float_format="%.10g")
    regret = regret_table(table)
    if len(regret):
        paths["regret"] = out_dir / "compare_regret.csv"
        regret.to_csv(paths["regret"], index=False, float_format="%.10g")
    images = charts(table, by_year)
    paths["html"].write_text(
        render_html(table, out_dir, images, calibration, by_year, regret), encoding="utf-8"
    )
    paths["png"].write_bytes(overview_png(table, by_year))
    logger.info("comparison of %d runs written to %s", len(table), out_dir)
    return paths


def compare(result_dirs: Iterable[Path | str], out_dir: Path | str) -> pd.DataFrame:
    """`hubnet compare`: read the folders, add the differences, write the three files."""
    table = add_deltas(collect(list(result_dirs)))
    write_comparison(table, Path(out_dir))
    return table


def compare_runs(
    runs: pd.DataFrame, out_dir: Path | str, others: Iterable[Path | str] = ()
) -> pd.DataFrame:
    """The end of a batch: its status table (runs without a folder too), compared, with the
    results folders `others` (an evaluation batch: the futures' own optima beside it)."""
    table = add_deltas(collect(list(others), runs))
    write_comparison(table, Path(out_dir))
    return table


__all__ = [
    "add_deltas",
    "calibration_across",
    "collect",
    "years_across",
    "compare",
    "compare_runs",
    "read_run",
    "write_comparison",
]
