"""The comparison as one self-contained HTML page: the table with its differences, the
charts inline and links to each run's map."""

from __future__ import annotations

import base64
import html
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from hubnet.compare_charts import money

BN = 1e9

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


def render_html(
    table: pd.DataFrame,
    out_dir: Path,
    images: dict[str, bytes],
    calibration: pd.DataFrame | None = None,
    by_year: pd.DataFrame | None = None,
    regret: pd.DataFrame | None = None,
) -> str:
    """The single-file report: table with differences, charts inline, links to the maps,
    the calibration of the runs that have observed figures, for roadmap runs their
    costs over the horizon, timelines side by side and numbers per year (`by_year`), and
    for evaluated plans the regret table (`compare_regret`)."""
    base = table["baseline"].iloc[0] if "baseline" in table and len(table) else ""
    div, unit = money(table)
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
    if regret is not None and len(regret):
        parts.extend(_regret_html(regret))
    if by_year is not None and len(by_year):
        parts.extend(_roadmap_html(table, by_year, div))
    if calibration is not None and len(calibration):
        parts.extend(_calibration_html(table, calibration))
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


def _calibration_html(table: pd.DataFrame, calibration: pd.DataFrame) -> list[str]:
    """Per run the observed figures within range, then each figure's modelled value per run
    (red: outside the figure's range)."""
    runs = [str(r) for r in table["run"] if str(r) in calibration.columns]
    parts = ["<h2>Calibration</h2><p>"]
    for r in table.to_dict("records"):
        if str(r["run"]) in runs:
            ok, n = int(r["calibration_within_range"]), int(r["calibration_count"])
            name = html.escape(str(r["run"]))
            parts.append(f"{name}: {ok} of {n} observed figures within range<br>")
    parts.append("</p><table><tr><th>id</th><th>quantity</th><th>observed (t/yr)</th>")
    parts.append("<th>range (t/yr)</th>")
    parts.extend(f"<th>{html.escape(run)}</th>" for run in runs)
    parts.append("</tr>")
    for c in calibration.to_dict("records"):
        low, high = _tonnes(c["low_t_per_yr"]), _tonnes(c["high_t_per_yr"])
        parts.append(
            f"<tr><td class='t'>{html.escape(str(c['id']))}</td>"
            f"<td class='t'>{html.escape(str(c['quantity']))}</td>"
            f"<td>{_tonnes(c['observed_t_per_yr'])}</td><td>{low} - {high}</td>"
        )
        for run in runs:
            outside = _is_false(c.get(f"{run} within_range"))
            cls = " class='up'" if outside else ""
            parts.append(f"<td><span{cls}>{_tonnes(c.get(run))}</span></td>")
        parts.append("</tr>")
    parts.append("</table>")
    return parts


def _tonnes(v: object) -> str:
    """Tonnes as the calibration table shows them: whole tonnes, 3 digits below 10 t."""
    if not isinstance(v, int | float) or math.isnan(v):
        return ""
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:.3g}"


def _is_false(v: object) -> bool:
    """A flag read back as False (a run without the figure gives NaN: not False)."""
    return isinstance(v, bool | np.bool_) and not v


def timelines(table: pd.DataFrame) -> dict[str, dict[int, str]]:
    """run -> year -> what opens, expands or retires that year (from the `timeline` column)."""
    out: dict[str, dict[int, str]] = {}
    for run, text in zip(table["run"], table.get("timeline", []), strict=False):
        if not isinstance(text, str) or not text:
            continue
        steps = {}
        for line in text.split(" | "):
            year, _, what = line.partition(": ")
            steps[int(year)] = what
        out[str(run)] = steps
    return out


def _roadmap_html(table: pd.DataFrame, by_year: pd.DataFrame, div: float) -> list[str]:
    """Roadmap runs: costs over the horizon, the timelines side by side, numbers per year."""
    roadmaps = table[table["run"].astype(str).isin(set(by_year["run"].astype(str)))]
    parts = [
        "<h2>Roadmaps</h2><p class='note'>A roadmap run's row in the summary holds its first "
        "planning year. Single-year runs have no years: the per-year charts draw them as "
        "dashed flat lines.</p><table><tr><th>run</th><th>years</th><th>foresight</th>"
        "<th>net present cost (JPY)</th><th>cost of myopia (JPY)</th></tr>"
    ]
    for r in roadmaps.to_dict("records"):
        parts.append(
            f"<tr><td class='t'>{html.escape(str(r['run']))}</td>"
            f"<td class='t'>{html.escape(str(r.get('years')).replace(';', ', '))}</td>"
            f"<td class='t'>{html.escape(str(r.get('foresight') or ''))}</td>"
            f"<td>{_fmt(r.get('npv_cost_jpy'), 'npv')}</td>"
            f"<td>{_fmt(r.get('myopia_cost_jpy'), 'myopia')}</td></tr>"
        )
    parts.append("</table>")
    lines = timelines(roadmaps)
    if lines:
        runs = list(lines)
        parts.append("<h3>Opening timelines</h3><table><tr><th>year</th>")
        parts.extend(f"<th>{html.escape(run)}</th>" for run in runs)
        parts.append("</tr>")
        for year in sorted({y for steps in lines.values() for y in steps}):
            cells = "".join(
                f"<td class='t'>{html.escape(lines[run].get(year, ''))}</td>" for run in runs
            )
            parts.append(f"<tr><td class='t'>{year}</td>{cells}</tr>")
        parts.append("</table>")
    columns = [c for c in by_year.columns if c not in ("run", "year")]
    unit = money(table)[1]
    heads = "".join(f"<th>{html.escape(_header(c, unit))}</th>" for c in columns)
    parts.append("<h3>Headline numbers per planning year</h3><table><tr><th>run</th>")
    parts.append(f"<th>year</th>{heads}")
    parts.append("</tr>")
    for r in by_year.to_dict("records"):
        cells = "".join(f"<td>{_fmt(r.get(c), c, div)}</td>" for c in columns)
        parts.append(
            f"<tr><td class='t'>{html.escape(str(r['run']))}</td><td>{r['year']}</td>{cells}</tr>"
        )
    parts.append("</table>")
    return parts


def _header(column: str, unit: str) -> str:
    """A column name as a table header: `collected_t_per_yr` -> `collected (t/yr)`."""
    for suffix, shown in (("_jpy_per_yr", unit), ("_t_per_yr", "t/yr"), ("_share", "share")):
        if column.endswith(suffix):
            return f"{column.removesuffix(suffix).replace('_', ' ')} ({shown})"
    return column.replace("_", " ")


def _money(v: float, div: float) -> str:
    if math.isnan(v):
        return ""
    if math.isinf(v):
        return "infeasible"
    return f"{v / div:,.3f}" if div > 1 else f"{v:,.0f}"


def _regret_html(regret: pd.DataFrame) -> list[str]:
    """Each plan (rows) in each future (columns): its cost and its regret against the
    future's own optimum; each plan's worst regret; the plan whose worst is smallest."""
    from hubnet.compare_regret import choice, matrix

    finite = regret["cost_jpy"][np.isfinite(regret["cost_jpy"])].abs()
    top = float(finite.max()) if len(finite) else 0.0
    div, unit = (1e9, "bn JPY") if top >= 1e8 else (1e6, "M JPY") if top >= 1e5 else (1.0, "JPY")
    cost, gap = matrix(regret, "cost_jpy"), matrix(regret, "regret_jpy")
    optimum = regret.drop_duplicates("future").set_index("future")["optimum_jpy"]
    basis = " / ".join(dict.fromkeys(regret["basis"]))
    best = choice(regret)
    parts = [
        "<h2>Regret: each plan in each future</h2>",
        f"<p>Each plan's network kept and operated in each future: its {html.escape(basis)} "
        f"({unit}) and, below it, its regret (that cost - the future's own optimum).</p>",
        "<table><tr><th>plan \\ future</th>",
    ]
    parts.extend(f"<th>{html.escape(str(f))}</th>" for f in cost.columns)
    parts.append("<th>worst regret</th></tr><tr><td class='t'><i>own optimum</i></td>")
    parts.extend(f"<td>{_money(float(optimum[f]), div)}</td>" for f in cost.columns)
    parts.append("<td></td></tr>")
    worst = regret.drop_duplicates("plan").set_index("plan")
    for p in cost.index:
        chosen = best is not None and p == best["plan"]
        name = f"<b>{html.escape(str(p))}</b>" if chosen else html.escape(str(p))
        parts.append(f"<tr><td class='t'>{name}</td>")
        for f in cost.columns:
            c, r = float(cost.at[p, f]), float(gap.at[p, f])
            sign = "+" if r >= 0 else ""
            regret_text = "" if not math.isfinite(r) else f"<br>{sign}{_money(r, div)}"
            parts.append(f"<td>{_money(c, div)}{regret_text}</td>")
        w = float(worst.at[p, "worst_regret_jpy"])
        where = html.escape(str(worst.at[p, "worst_future"]))
        parts.append(f"<td>{_money(w, div)} {f'({where})' if where else ''}</td></tr>")
    parts.append("</table>")
    if best is not None:
        parts.append(
            f"<p>Smallest worst-case regret: <b>{html.escape(best['plan'])}</b>, at most "
            f"{_money(best['worst_regret_jpy'], div)} {unit} (in "
            f"{html.escape(best['worst_future'])}).</p>"
        )
    own = regret.drop_duplicates("future")
    within = float((own["optimum_gap"].fillna(0.0) * own["optimum_jpy"].abs()).max())
    if within > 0:
        parts.append(
            f"<p class='note'>The futures' own optima were solved to a gap: a regret under "
            f"{_money(within, div)} {unit} may be the solver's tolerance.</p>"
        )
    return parts
