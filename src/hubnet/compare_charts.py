"""The charts of a comparison: cost breakdown, cost against the baseline, hubs opened and
one trade-off curve per one-axis sweep, as PNG bytes (matplotlib, no display)."""

from __future__ import annotations

import io
import math

import pandas as pd
from matplotlib.figure import Figure

from hubnet.report import COST_TERMS
from hubnet.scenario import split_run_name

COLOURS = {
    "fixed_cost": "#4e79a7",
    "transport_cost": "#f28e2b",
    "processing_cost": "#76b7b2",
    "import_cost": "#59a14f",
    "co2_cost": "#9c755f",
    "leakage_penalty": "#e15759",
    "informal_match_cost": "#ff9da7",
    "export_revenue": "#b07aa1",
    "metal_value": "#edc948",
}


def hub_levels(text: object) -> dict[str, str]:
    """`hub (level);...` as {hub: level}."""
    if not isinstance(text, str) or not text:
        return {}
    out = {}
    for part in text.split(";"):
        hub, _, level = part.partition(" (")
        out[hub] = level.rstrip(")")
    return out


def money(table: pd.DataFrame) -> tuple[float, str]:
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
    div, unit = money(table)
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
    div, unit = money(table)
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
    base = ok[ok["run"] == ok["baseline"]]
    base_hubs = hub_levels(base["hubs_opened_list"].iloc[0]) if len(base) else {}
    levels = [hub_levels(t) for t in ok["hubs_opened_list"]]
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


def _calibration_chart(ax: object, table: pd.DataFrame) -> None:
    """Per run with observed figures: the share of them within range, labelled `k of n`."""
    ok = table[table["calibration_count"].fillna(0) > 0]
    n = ok["calibration_count"].astype(int)
    k = ok["calibration_within_range"].astype(int)
    ax.barh(range(len(ok)), k / n, color="#59a14f")
    for i, (a, b) in enumerate(zip(k, n, strict=True)):
        ax.text(a / b, i, f" {a} of {b}", va="center", fontsize=7)
    ax.set_yticks(range(len(ok)), ok["run"], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.15)
    ax.set_xlabel("share of observed figures the plan reproduces within range")
    ax.set_title("Calibration")


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
    div, unit = money(sub)
    y = sub["total_cost_jpy_per_yr"] / div
    ax.plot(x, y, marker="o", color="#4e79a7")
    for xi, yi, v in zip(x, y, sub["sweep_value"], strict=True):
        ax.annotate(
            f"{label}={v:g}", (xi, yi), fontsize=6, xytext=(3, 3), textcoords="offset points"
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"total cost ({unit})")
    ax.set_title(f"Trade-off: {key.split('__')[0]}", fontsize=9)


#: the per-year curves of roadmap runs: (column, axis label); supply shares are added
YEAR_METRICS: tuple[tuple[str, str], ...] = (
    ("total_cost_jpy_per_yr", "annual cost"),
    ("collection_share", "domestic collection (share of generation)"),
    ("leakage_share", "leakage (share of generation)"),
    ("imported_t_per_yr", "imports (t / yr)"),
    ("hubs_opened", "hubs opened (a level chosen)"),
)


def year_metrics(by_year: pd.DataFrame) -> list[tuple[str, str]]:
    """The curves to draw: YEAR_METRICS and each domestic supply share the runs carry."""
    shares = [c for c in by_year.columns if "supply_share" in c]
    return [*YEAR_METRICS, *((c, c.replace("_", " ")) for c in shares)]


def _year_chart(
    ax: object, column: str, label: str, table: pd.DataFrame, by_year: pd.DataFrame
) -> None:
    """One headline number against the planning year: a line per roadmap run, a dashed flat
    line per single-year run (it has no year)."""
    div, unit = money(table) if column.endswith("_jpy_per_yr") else (1.0, "")
    for i, (run, sub) in enumerate(by_year.groupby("run", sort=False)):
        colour = f"C{i % 10}"
        ax.plot(sub["year"], sub[column] / div, marker="o", color=colour, label=str(run))
    single = table[table["has_results"] & _is_single(table)]
    for j, r in enumerate(single.to_dict("records")):
        value = r.get(column)
        if isinstance(value, int | float) and not math.isnan(value):
            ax.axhline(value / div, ls="--", lw=1, color=f"C{(j + 5) % 10}", label=f"{r['run']}")
    ax.set_xticks(sorted(by_year["year"].unique()))
    if "share" in column:
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_title(label + (f" ({unit})" if unit else ""), fontsize=9)
    ax.set_xlabel("planning year", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=6)


def _is_single(table: pd.DataFrame) -> pd.Series:
    """Runs that are not roadmap runs (no `years`)."""
    if "years" not in table:
        return pd.Series(True, index=table.index)
    return ~table["years"].map(lambda y: isinstance(y, str) and bool(y))


def year_figure(table: pd.DataFrame, by_year: pd.DataFrame) -> Figure:
    """Per-year curves of the headline numbers, one panel per number (three a row)."""
    metrics = year_metrics(by_year)
    rows = math.ceil(len(metrics) / 3)
    fig = Figure(layout="constrained", figsize=(15, 3.6 * rows))
    grid = fig.add_gridspec(rows, 3)
    for k, (column, label) in enumerate(metrics):
        _year_chart(fig.add_subplot(grid[k // 3, k % 3]), column, label, table, by_year)
    fig.suptitle("Roadmaps: headline numbers per planning year (dashed: single-year runs)")
    return fig


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def charts(table: pd.DataFrame, by_year: pd.DataFrame | None = None) -> dict[str, bytes]:
    """Each chart as PNG bytes, for the HTML report; `by_year` (`compare.years_across`) adds
    the per-year curves of roadmap runs."""
    out = {}
    n = int(table["has_results"].sum())
    if n == 0:
        return out
    if by_year is not None and len(by_year):
        out["Roadmaps: headline numbers per planning year"] = _png(year_figure(table, by_year))
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
    if "calibration_count" in table and (table["calibration_count"].fillna(0) > 0).any():
        fig = Figure(layout="constrained", figsize=(7, height))
        _calibration_chart(fig.add_subplot(), table)
        out["Observed figures within range"] = _png(fig)
    for key, sub in sweeps(table).items():
        fig = Figure(layout="constrained", figsize=(6, 4))
        _sweep_chart(fig.add_subplot(), key, sub)
        out[f"Sweep {key}"] = _png(fig)
    return out


def overview_png(table: pd.DataFrame, by_year: pd.DataFrame | None = None) -> bytes:
    """compare.png: cost breakdown, cost against the baseline, hubs, the sweeps, and for
    roadmap runs the annual cost and collection per planning year."""
    groups = sweeps(table)
    n = int(table["has_results"].sum())
    roadmaps = n > 0 and by_year is not None and len(by_year) > 0
    rows = 2 + math.ceil(len(groups) / 2) + int(roadmaps)
    fig = Figure(layout="constrained", figsize=(16, 5 * rows))
    grid = fig.add_gridspec(rows, 2)
    if n:
        _cost_chart(fig.add_subplot(grid[0, 0]), table)
        _delta_chart(fig.add_subplot(grid[0, 1]), table)
        _hub_chart(fig.add_subplot(grid[1, :]), table)
    for i, (key, sub) in enumerate(groups.items()):
        _sweep_chart(fig.add_subplot(grid[2 + i // 2, i % 2]), key, sub)
    if roadmaps:
        for k, (column, label) in enumerate(YEAR_METRICS[:2]):
            _year_chart(fig.add_subplot(grid[rows - 1, k]), column, label, table, by_year)
    return _png(fig)
