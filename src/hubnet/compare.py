"""Compare runs: one CSV row per scenario, a single-file HTML report and compare.png.

Everything is read from the results folders (summary.json and the tables), never from a
model; a run without a folder (infeasible, failed, missing) still gets a row saying so.
Differences against the baseline (the run named `baseline`, else the first run with
results) are columns of their own (`delta_*`), in the CSV and in the HTML.
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import math
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from hubnet.report import COST_TERMS
from hubnet.scenario import split_run_name

logger = logging.getLogger(__name__)

#: columns that are text or not worth a difference
NO_DELTA = {"gap", "violations"}
COLOURS = {
    "fixed_cost": "#4e79a7",
    "transport_cost": "#f28e2b",
    "processing_cost": "#76b7b2",
    "import_cost": "#59a14f",
    "co2_cost": "#9c755f",
    "leakage_penalty": "#e15759",
    "export_revenue": "#b07aa1",
    "metal_value": "#edc948",
}
BN = 1e9


# ----------------------------------------------------------------------------- the table


def result_folders(paths: Iterable[Path | str]) -> list[Path]:
    """Results folders among `paths`; a batch folder stands for every run folder in it."""
    out: list[Path] = []
    for p in map(Path, paths):
        if (p / "summary.json").exists() or not p.is_dir():
            out.append(p)
            continue
        runs = sorted(
            d for d in p.iterdir() if (d / "summary.json").exists() and not d.name.startswith("_")
        )
        out.extend(runs or [p])
    return out


def read_run(folder: Path) -> dict:
    """One comparison row from a results folder (summary.json and its tables)."""
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    row: dict[str, object] = {
        "run": summary.get("scenario") or folder.name,
        "instance": summary.get("instance"),
        "status": summary.get("status"),
        "gap": summary.get("gap"),
    }
    if not (folder / "kpis.csv").exists():  # e.g. infeasible: summary.json + diagnosis only
        diagnosis = summary.get("diagnosis") or []
        row["message"] = " ".join(diagnosis) if isinstance(diagnosis, list) else str(diagnosis)
        row["result_dir"] = str(folder)
        row["scenario_file"] = summary.get("scenario_file")
        return row
    kpis = pd.read_csv(folder / "kpis.csv").set_index("term")["value_jpy_per_yr"]
    row["total_cost_jpy_per_yr"] = float(kpis.get("total_cost", math.nan))
    for term in COST_TERMS:
        row[f"{term}_jpy_per_yr"] = float(kpis.get(term, math.nan))
    fac = pd.read_csv(folder / "facilities.csv", keep_default_na=False, na_values=[""])
    fac["level"] = fac["level"].fillna("").astype(str)
    hubs = fac[(fac["role"] == "hub") & (fac["level"] != "")]
    smelters = fac[(fac["role"] == "smelter") & (fac["level"] != "")]
    row["hubs_opened"] = len(hubs)
    row["hubs_opened_list"] = ";".join(
        f"{f} ({lv})" for f, lv in zip(hubs.facility, hubs.level, strict=True)
    )
    row["smelter_expansions"] = len(smelters)
    row["smelter_expansions_list"] = ";".join(
        f"{f} ({lv})" for f, lv in zip(smelters.facility, smelters.level, strict=True)
    )
    leak = pd.read_csv(folder / "leakage.csv")
    gen = leak.groupby("commodity")["generation_t_per_yr"].sum()
    unc = leak.groupby("commodity")["uncollected_t_per_yr"].sum()
    row["generation_t_per_yr"] = float(gen.sum())
    row["collected_t_per_yr"] = float(leak["collected_t_per_yr"].sum())
    row["collection_share"] = _ratio(row["collected_t_per_yr"], row["generation_t_per_yr"])
    imp = pd.read_csv(folder / "imports.csv", keep_default_na=False, na_values=[""])
    row["imported_t_per_yr"] = float(imp["imported_t_per_yr"].sum())
    for region, t in imp.groupby("region")["imported_t_per_yr"].sum().items():
        row[f"import_{region}_t_per_yr"] = float(t)
    exp = pd.read_csv(folder / "exports.csv")
    exported = exp.groupby("commodity")["exported_t_per_yr"].sum()
    row["exported_t_per_yr"] = float(exported.sum())
    yields = _yields(summary)
    total_leak = 0.0
    for k in gen.index:
        # leakage as the model counts it (8a): uncollected + exported hub output / yield
        leak_t = float(unc.get(k, 0.0)) + float(exported.get(k, 0.0)) / yields.get(k, 1.0)
        total_leak += leak_t
        row[f"leakage_{k}_t_per_yr"] = leak_t
        row[f"leakage_{k}_share"] = _ratio(leak_t, float(gen[k]))
    row["leakage_t_per_yr"] = total_leak
    row["leakage_share"] = _ratio(total_leak, row["generation_t_per_yr"])
    metals = pd.read_csv(folder / "metals.csv")
    for el, t in zip(metals["element"], metals["recovered_t_per_yr"], strict=True):
        row[f"metal_{el}_t_per_yr"] = float(t)
    row["co2_t_per_yr"] = float((summary.get("brief") or {}).get("co2_t_per_yr", math.nan))
    row["result_dir"] = str(folder)
    row["scenario_file"] = summary.get("scenario_file")
    return row


def _ratio(a: object, b: object) -> float:
    a, b = float(a), float(b)  # type: ignore[arg-type]
    return a / b if b > 0 else math.nan


_YIELDS: dict[tuple, dict[str, float]] = {}


def _yields(summary: dict) -> dict[str, float]:
    """Hub yield per commodity of the run's instance (exports count as raw tonnes / yield)."""
    key = (summary.get("instance_dir"), summary.get("scenario_file"))
    if key not in _YIELDS:
        try:
            from hubnet.run import prepare

            instance, _ = prepare(key[0], key[1])
            com = instance.commodities
            _YIELDS[key] = dict(zip(com["id"], com["hub_yield_share"].astype(float), strict=True))
        except Exception as e:  # noqa: BLE001 - the instance may have moved: count 1:1
            logger.warning("no hub yields for %s (%s): exports counted 1:1", key[0], e)
            _YIELDS[key] = {}
    return {k: v for k, v in _YIELDS[key].items() if v > 0}


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
    base_levels = _hub_levels(table.at[base, "hubs_opened_list"])
    added, removed, resized = [], [], []
    for ok, hubs in zip(table["has_results"], table["hubs_opened_list"], strict=True):
        mine = _hub_levels(hubs) if ok else {}
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


def _hub_levels(text: object) -> dict[str, str]:
    if not isinstance(text, str) or not text:
        return {}
    out = {}
    for part in text.split(";"):
        hub, _, level = part.partition(" (")
        out[hub] = level.rstrip(")")
    return out


# ----------------------------------------------------------------------------- charts


def _money(table: pd.DataFrame) -> tuple[float, str]:
    """Divisor and unit for money axes: bn JPY for national runs, JPY for tiny ones."""
    cols = [c for c in table.columns if c.endswith("_jpy_per_yr") and not c.startswith("delta")]
    top = float(table[cols].abs().max().max()) if cols else 0.0
    if top >= 1e8:
        return 1e9, "bn JPY / yr"
    if top >= 1e5:
        return 1e6, "M JPY / yr"
    return 1.0, "JPY / yr"


def _cost_chart(ax: object, table: pd.DataFrame) -> None:
    """Cost terms stacked per run (costs up, revenues down), total as a black mark; runs
    without results are named on the axis with their status."""
    div, unit = _money(table)
    x = list(range(len(table)))
    up = [0.0] * len(table)
    down = [0.0] * len(table)
    for term in COST_TERMS:
        col = f"{term}_jpy_per_yr"
        vals = table[col].fillna(0.0) / div if col in table else pd.Series(0.0, index=table.index)
        sign = -1.0 if term in ("export_revenue", "metal_value") else 1.0
        heights = [sign * v for v in vals]
        bottoms = [up[i] if h >= 0 else down[i] for i, h in enumerate(heights)]
        ax.bar(x, heights, bottom=bottoms, color=COLOURS[term], label=term.replace("_", " "))
        for i, h in enumerate(heights):
            if h >= 0:
                up[i] += h
            else:
                down[i] += h
    ok = table["has_results"].to_numpy()
    totals = table["total_cost_jpy_per_yr"] / div if "total_cost_jpy_per_yr" in table else None
    if totals is not None and ok.any():
        ax.scatter(
            [i for i in x if ok[i]],
            totals[ok],
            color="black",
            marker="D",
            zorder=3,
            label="total cost",
        )
    for i in x:
        if not ok[i]:
            ax.text(
                i,
                0,
                f" {table['status'].iloc[i]}",
                rotation=90,
                ha="center",
                va="bottom",
                fontsize=7,
                color="#b22",
            )
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(x, table["run"], rotation=60, ha="right", fontsize=7)
    ax.set_ylabel(unit)
    ax.set_title("Cost breakdown per scenario")
    ax.legend(fontsize=6, ncol=3, loc="lower left")


def _delta_chart(ax: object, table: pd.DataFrame) -> None:
    div, unit = _money(table)
    ok = table[table["has_results"]]
    d = ok["delta_total_cost_jpy_per_yr"] / div
    ax.barh(range(len(ok)), d, color=["#e15759" if v > 0 else "#59a14f" for v in d])
    ax.set_yticks(range(len(ok)), ok["run"], fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(f"{unit} (positive: costs more)")
    ax.set_title(f"Total cost vs {ok['baseline'].iloc[0]}")


def _hub_chart(ax: object, table: pd.DataFrame) -> None:
    """Hubs opened per run against the baseline: kept, added, dropped."""
    ok = table[table["has_results"]]
    base = baseline_of(table)
    base_hubs = _hub_levels(table.at[base, "hubs_opened_list"]) if base is not None else {}
    levels = [_hub_levels(t) for t in ok["hubs_opened_list"]]
    hubs = sorted(set().union(*[set(lv) for lv in levels], base_hubs))
    colour = {
        "kept": (0.6, 0.6, 0.6),
        "resized": (0.95, 0.56, 0.17),
        "added": (0.35, 0.63, 0.31),
        "dropped": (0.88, 0.34, 0.35),
    }
    grid = []
    for lv in levels:
        row = []
        for h in hubs:
            if h in lv and h in base_hubs:
                row.append(colour["kept" if lv[h] == base_hubs[h] else "resized"])
            elif h in lv:
                row.append(colour["added"])
            else:
                row.append(colour["dropped"] if h in base_hubs else (1.0, 1.0, 1.0))
        grid.append(row)
    if hubs:
        ax.imshow(grid, aspect="auto", interpolation="nearest")
        ax.set_xticks([j - 0.5 for j in range(1, len(hubs))], minor=True)
        ax.set_yticks([i - 0.5 for i in range(1, len(levels))], minor=True)
        ax.grid(which="minor", color="white", linewidth=1.5)
        ax.tick_params(which="minor", length=0)
        for i, lv in enumerate(levels):
            for j, h in enumerate(hubs):
                if h in lv:
                    ax.text(j, i, lv[h][:1].upper(), ha="center", va="center", fontsize=6)
    ax.set_xticks(
        range(len(hubs)),
        [h.removeprefix("hub_") for h in hubs],
        rotation=60,
        ha="right",
        fontsize=7,
    )
    ax.set_yticks(range(len(ok)), ok["run"], fontsize=7)
    ax.set_title(
        "Hubs opened against the baseline: grey same, orange other level, green added, "
        "red dropped (letter: level)"
    )


def sweeps(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Runs of one-axis sweeps, by `<name>__<label>` (at least two runs with results)."""
    groups: dict[str, list[tuple[float, int]]] = {}
    for i, run, ok in zip(table.index, table["run"], table["has_results"], strict=True):
        head, point = split_run_name(str(run))
        if len(point) != 1 or not ok:
            continue
        ((label, value),) = point.items()
        try:
            x = float(value)
        except ValueError:
            continue
        groups.setdefault(f"{head}__{label}", []).append((x, i))
    out = {}
    for key, members in groups.items():
        if len(members) >= 2:
            members.sort()
            sub = table.loc[[i for _, i in members]].copy()
            sub["sweep_value"] = [x for x, _ in members]
            out[key] = sub
    return out


def _sweep_chart(ax: object, key: str, sub: pd.DataFrame) -> None:
    """Trade-off curve: cost against what the swept lever buys (CO2, leakage), or the lever."""
    label = key.split("__", 1)[1]
    if "co2" in label:
        x, xlabel = sub["co2_t_per_yr"] / 1e3, "transport CO2 (kt / yr)"
    elif "leakage" in label:
        x, xlabel = sub["leakage_share"] * 100, "domestic leakage (% of generation)"
    else:
        x, xlabel = sub["sweep_value"], label
    div, unit = _money(sub)
    y = sub["total_cost_jpy_per_yr"] / div
    ax.plot(x, y, marker="o", color="#4e79a7")
    for xi, yi, v in zip(x, y, sub["sweep_value"], strict=True):
        ax.annotate(
            f"{label}={v:g}", (xi, yi), fontsize=6, xytext=(3, 3), textcoords="offset points"
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"total cost ({unit})")
    ax.set_title(f"Trade-off: {key.split('__')[0]}", fontsize=9)


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def charts(table: pd.DataFrame) -> dict[str, bytes]:
    """Each chart as PNG bytes, for the HTML report."""
    out = {}
    n = int(table["has_results"].sum())
    if n == 0:
        return out
    height = max(3.0, 0.25 * n + 1.5)
    fig = Figure(layout="constrained", figsize=(max(6.0, 0.45 * n + 3), 5))
    _cost_chart(fig.add_subplot(), table)
    out["Cost breakdown"] = _png(fig)
    fig = Figure(layout="constrained", figsize=(7, height))
    _delta_chart(fig.add_subplot(), table)
    out["Total cost against the baseline"] = _png(fig)
    fig = Figure(layout="constrained", figsize=(9, height))
    _hub_chart(fig.add_subplot(), table)
    out["Hubs opened against the baseline"] = _png(fig)
    for key, sub in sweeps(table).items():
        fig = Figure(layout="constrained", figsize=(6, 4))
        _sweep_chart(fig.add_subplot(), key, sub)
        out[f"Sweep {key}"] = _png(fig)
    return out


def overview_png(table: pd.DataFrame) -> bytes:
    """compare.png: cost breakdown, cost against the baseline, hubs, and the sweeps."""
    groups = sweeps(table)
    n = int(table["has_results"].sum())
    rows = 2 + math.ceil(len(groups) / 2)
    fig = Figure(layout="constrained", figsize=(16, 5 * rows))
    grid = fig.add_gridspec(rows, 2)
    if n:
        _cost_chart(fig.add_subplot(grid[0, 0]), table)
        _delta_chart(fig.add_subplot(grid[0, 1]), table)
        _hub_chart(fig.add_subplot(grid[1, :]), table)
    for i, (key, sub) in enumerate(groups.items()):
        _sweep_chart(fig.add_subplot(grid[2 + i // 2, i % 2]), key, sub)
    return _png(fig)


# ----------------------------------------------------------------------------- the report

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}
table{border-collapse:collapse;font-size:0.8em}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:right;white-space:nowrap}
th{background:#f3f3f3;position:sticky;top:0}td.t{text-align:left}
tr.fail td{background:#fdecea}.up{color:#b22}.down{color:#282}
img{max-width:100%;border:1px solid #eee;margin:0.5em 0}
.note{color:#666;font-size:0.85em}details{margin:1em 0}
"""


def _fmt(v: object, col: str, div: float = BN) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        if col.endswith("_jpy_per_yr"):
            return f"{v / div:,.3f}" if div > 1 else f"{v:,.0f}"
        if col.endswith("_share") or col == "gap":
            return f"{v:.2%}"
        return f"{v:,.1f}" if abs(v) < 100 and v != int(v) else f"{v:,.0f}"
    return html.escape(str(v))


def _delta(v: object, col: str, lower_is_better: bool | None, div: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    text = _fmt(v, col, div)
    if lower_is_better is None:
        return ("+" if isinstance(v, int | float) and v > 0 else "") + text
    if isinstance(v, int | float) and v != 0:
        text = ("+" if v > 0 else "") + text
        good = (v < 0) == lower_is_better
        return f'<span class="{"down" if good else "up"}">{text}</span>'
    return text


HEADLINE = [
    ("total_cost_jpy_per_yr", "total cost", True),
    ("hubs_opened", "hubs opened", None),
    ("smelter_expansions", "smelter expansions", None),
    ("collected_t_per_yr", "domestic collection (t/yr)", False),
    ("imported_t_per_yr", "imports (t/yr)", None),
    ("leakage_share", "leakage (share)", True),
    ("co2_t_per_yr", "transport CO2 (t/yr)", True),
]


def render_html(table: pd.DataFrame, out_dir: Path, images: dict[str, bytes]) -> str:
    """The single-file report: table with differences, charts inline, links to the maps."""
    base = table["baseline"].iloc[0] if "baseline" in table and len(table) else ""
    div, unit = _money(table)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        "<title>hubnet comparison</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>hubnet: scenario comparison</h1>",
        f"<p>{len(table)} runs; differences (Δ) against <b>{html.escape(str(base))}</b>. "
        f"Money in {unit.replace(' / ', ' a ')}; a negative cost means the network earns "
        "more than it spends.</p>",
        "<h2>Summary</h2><table><tr><th>run</th><th>status</th>",
    ]
    for col, head, _ in HEADLINE:
        head += f" ({unit})" if col.endswith("_jpy_per_yr") else ""
        parts.append(f"<th>{head}</th><th>Δ</th>")
    parts.append(
        "<th>hubs added</th><th>hubs dropped</th><th>hubs resized</th><th>map</th>"
        "<th>note</th></tr>"
    )
    for r in table.to_dict("records"):
        ok = bool(r.get("has_results"))
        status = str(r.get("status"))
        gap = r.get("gap")
        if ok and isinstance(gap, float) and not math.isnan(gap) and status == "feasible":
            status += f" (gap {gap:.2%})"
        parts.append(
            f"<tr class='{'' if ok else 'fail'}'><td class='t'>{html.escape(str(r['run']))}</td>"
        )
        parts.append(f"<td class='t'>{html.escape(status)}</td>")
        for col, _, lower in HEADLINE:
            dv = r.get(f"delta_{col}")
            parts.append(f"<td>{_fmt(r.get(col), col, div)}</td>")
            parts.append(f"<td>{_delta(dv, col, lower, div)}</td>")
        parts.append(f"<td class='t'>{html.escape(str(r.get('hubs_added') or ''))}</td>")
        parts.append(f"<td class='t'>{html.escape(str(r.get('hubs_removed') or ''))}</td>")
        parts.append(f"<td class='t'>{html.escape(str(r.get('hubs_resized') or ''))}</td>")
        parts.append(f"<td class='t'>{_map_link(r, out_dir)}</td>")
        note = "" if ok else (r.get("message") or "no results folder")
        parts.append(f"<td class='t'>{html.escape(str(note))[:300]}</td></tr>")
    parts.append("</table>")
    for title, png in images.items():
        b64 = base64.b64encode(png).decode("ascii")
        parts.append(
            f"<h2>{html.escape(title)}</h2><img alt='{html.escape(title)}' "
            f"src='data:image/png;base64,{b64}'>"
        )
    parts.append(
        "<h2>Every figure</h2><details><summary>all columns (as in compare.csv)"
        "</summary><table><tr>"
    )
    cols = [c for c in table.columns if c not in ("result_dir", "has_results")]
    parts.extend(f"<th>{html.escape(c)}</th>" for c in cols)
    parts.append("</tr>")
    for r in table.to_dict("records"):
        cells = "".join(
            f"<td class='t'>{_fmt(r.get(c), c, div)}</td>"
            if isinstance(r.get(c), str)
            else f"<td>{_fmt(r.get(c), c, div)}</td>"
            for c in cols
        )
        parts.append(f"<tr>{cells}</tr>")
    parts.append("</table></details>")
    parts.append(
        "<p class='note'>Written by hubnet compare from each run's summary.json and "
        "tables. Leakage counts uncollected generation plus exports (as raw tonnes), "
        "as the model's cap does.</p></body></html>"
    )
    return "\n".join(parts)


def _map_link(r: dict, out_dir: Path) -> str:
    folder = r.get("result_dir")
    if not isinstance(folder, str) or not (Path(folder) / "map.html").exists():
        return ""
    rel = os.path.relpath(Path(folder) / "map.html", out_dir).replace(os.sep, "/")
    return f"<a href='{html.escape(rel)}'>map</a>"


def write_comparison(table: pd.DataFrame, out_dir: Path) -> dict[str, Path]:
    """compare.csv, compare.html and compare.png in `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "csv": out_dir / "compare.csv",
        "html": out_dir / "compare.html",
        "png": out_dir / "compare.png",
    }
    table.drop(columns=["has_results"]).to_csv(paths["csv"], index=False, float_format="%.10g")
    images = charts(table)
    paths["html"].write_text(render_html(table, out_dir, images), encoding="utf-8")
    paths["png"].write_bytes(overview_png(table))
    logger.info("comparison of %d runs written to %s", len(table), out_dir)
    return paths


def compare(result_dirs: Iterable[Path | str], out_dir: Path | str) -> pd.DataFrame:
    """`hubnet compare`: read the folders, add the differences, write the three files."""
    table = add_deltas(collect(list(result_dirs)))
    write_comparison(table, Path(out_dir))
    return table


def compare_runs(runs: pd.DataFrame, out_dir: Path | str) -> pd.DataFrame:
    """The end of a batch: its status table (runs without a folder too), compared."""
    table = add_deltas(collect([], runs))
    write_comparison(table, Path(out_dir))
    return table


__all__ = ["add_deltas", "collect", "compare", "compare_runs", "read_run", "write_comparison"]
