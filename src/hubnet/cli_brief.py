"""What the command line prints after a solve: the planner's brief of a run, a roadmap's
timeline and numbers per year, a two-stage run's values of information. No solver log."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hubnet.units import yen

if TYPE_CHECKING:
    import pandas as pd

console = Console()


def yen_or_dash(x: object) -> str:
    return yen(x, missing="-")


def tonnes(x: float) -> str:
    return f"{x:,.0f} t"


def print_brief(record) -> None:  # noqa: ANN001 - RunRecord
    """The planner's brief: cost, hubs, imports, leakage, metals; no solver log."""
    sol = record.solution
    rep = record.report
    b = sol.brief
    cost = "equivalent annual cost" if record.years else "annual cost"
    console.print(
        f"\n[bold]{escape(record.instance)} / {escape(record.scenario)}[/bold]: {rep.headline}; "
        f"{cost} {yen_or_dash(record.objective)} ({record.objective:,.3f})"
        + (f" (bound {yen_or_dash(record.best_bound)})" if rep.status.value != "optimal" else "")
    )
    if record.years:
        console.print(f"The first planning year, {record.years[0]} (every year below):")
    costs = Table(title="Cost breakdown (per year)", show_header=True)
    costs.add_column("term")
    costs.add_column("value", justify="right")
    for term, value in zip(sol.kpis["term"], sol.kpis["value_jpy_per_yr"], strict=True):
        costs.add_row(term.replace("_", " "), yen_or_dash(float(value)))
    console.print(costs)
    hubs = _in_use(sol.facilities, "hub")
    title = f"Hubs in use: {len(hubs)} ({b['hubs_opened']} opened)"
    console.print(_facility_table(hubs, title, ("hub", "level", "throughput"), "existing"))
    smelters = _in_use(sol.facilities, "smelter")
    heads = ("smelter", "expansion", "intake")
    console.print(_facility_table(smelters, "Smelters fed", heads, "-"))
    gen, col = b["generation_t_per_yr"], b["collected_t_per_yr"]
    informal = b.get("informal_t_per_yr", 0.0)
    console.print(
        f"Domestic collection: {tonnes(col)} of {tonnes(gen)} generated "
        f"({col / gen:.0%}); uncollected {tonnes(b['uncollected_t_per_yr'])}"
        + (f" ({tonnes(informal)} to informal channels)" if informal > 0 else "")
        + f", exported {tonnes(b['exported_t_per_yr'])}."
        if gen > 0
        else "No domestic generation."
    )
    if b["imported_t_per_yr"] > 0 or len(sol.imports):
        regions = ", ".join(f"{r} {tonnes(v)}" for r, v in b["imported_by_region_t"].items())
        console.print(f"Imports: {tonnes(b['imported_t_per_yr'])} ({escape(regions)}).")
    metals = sol.metals[sol.metals["recovered_t_per_yr"] > 0]
    if len(metals):
        parts = []
        for r in metals.itertuples(index=False):
            amount = (
                f"{r.recovered_t_per_yr * 1000:,.0f} kg"
                if r.recovered_t_per_yr < 10
                else tonnes(r.recovered_t_per_yr)
            )
            share = (
                f" ({r.domestic_capture_share:.0%} of domestic content captured)"
                if r.domestic_capture_share == r.domestic_capture_share
                else ""
            )
            parts.append(f"{r.element} {amount}{share}")
        console.print("Metals recovered: " + escape("; ".join(parts)) + ".")
    console.print(f"Transport CO2: {b['co2_t_per_yr']:,.0f} t a year.")
    console.print(escape(_welfare_line(sol)))
    from hubnet.results.calibration import calibration_lines

    for line in calibration_lines(sol.calibration):
        console.print(escape(line), highlight=False)
    from hubnet.results.marginals import marginal_lines

    lines = marginal_lines(sol.marginals)
    if lines:
        console.print("Marginal values (the network held as planned; marginals.csv):")
    for line in lines:
        console.print(escape(f"  {line}."), highlight=False)
    times = " / ".join(f"{k} {v:.2f}s" for k, v in record.times.items())
    console.print(f"[dim]times: {times}[/dim]")


def _in_use(facilities: pd.DataFrame, role: str) -> pd.DataFrame:
    """Facilities of `role` with throughput, largest first."""
    rows = facilities[(facilities["role"] == role) & (facilities["throughput_t_per_yr"] > 0)]
    return rows.sort_values("throughput_t_per_yr", ascending=False)


def _facility_table(rows: pd.DataFrame, title: str, heads: tuple, no_level: str) -> Table:
    """Name, level (`no_level` where none), tonnes and utilisation of each facility."""
    t = Table(title=title)
    for i, c in enumerate((*heads, "utilisation")):
        t.add_column(c, justify="left" if i == 0 else "right")
    for r in rows.itertuples(index=False):
        t.add_row(
            escape(f"{r.name} ({r.facility})"),
            escape(r.level or no_level),
            tonnes(r.throughput_t_per_yr),
            f"{r.utilisation_share:.0%}",
        )
    return t


def print_roadmap(result_dir: Path) -> None:
    """A roadmap run's brief, from its folder: timeline, numbers per year, net present cost
    (nothing for a single-year run)."""
    from hubnet.export.roadmap_brief import roadmap_renderables

    for item in roadmap_renderables(result_dir):
        console.print(item, highlight=False)


def _welfare_line(sol) -> str:  # noqa: ANN001 - Solution
    """Which figures are national welfare (the objective) and which are cash flows."""
    kpi = dict(zip(sol.kpis["term"], sol.kpis["value_jpy_per_yr"], strict=True))
    network = sum(kpi[t] for t in ("fixed_cost", "transport_cost", "processing_cost", "co2_cost"))
    b = sol.brief
    welfare = (
        f"Welfare (the objective): the network costs {yen_or_dash(network)} and imports "
        f"{yen_or_dash(kpi['import_cost'])} against metal worth {yen_or_dash(kpi['metal_value'])}."
    )
    domestic, foreign = b["smelter_payments_domestic_jpy"], b["smelter_payments_import_jpy"]
    if not (domestic or foreign):
        return welfare
    return (
        f"{welfare} Cash flows at the smelters' terms: {yen_or_dash(domestic)} to domestic sellers "
        f"(between Japanese parties, not in the objective), {yen_or_dash(foreign)} to foreign "
        "sellers (in imports)."
    )


def print_two_stage(record) -> None:  # noqa: ANN001 - RunRecord
    """A two-stage run's brief, from its folder: the costs, EVPI, VSS and the shared plan."""
    import json

    summary = json.loads((record.result_dir / "summary.json").read_text(encoding="utf-8"))
    console.print(
        f"\n[bold]{escape(record.instance)} / two-stage[/bold] over "
        f"{len(summary['futures'])} futures: {record.report.headline}"
    )
    for line in summary["brief_lines"]:
        console.print(escape(line), highlight=False)
    console.print(f"Results written to [bold]{escape(str(record.result_dir))}[/bold]")
