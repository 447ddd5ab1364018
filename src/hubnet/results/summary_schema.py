"""The keys of summary.json, declared once: what every run writes, what a roadmap, an
evaluated or a two-stage run adds, and the brief's numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hubnet.report import Status

RunKind = Literal["all", "solved", "infeasible", "roadmap", "evaluated", "two-stage"]


@dataclass(frozen=True, slots=True)
class Key:
    """One key of summary.json; `keys` declares the members of an object."""

    name: str
    type: str
    description: str
    runs: RunKind = "all"
    keys: tuple[Key, ...] = ()


_BRIEF = (
    Key("hubs_opened", "int", "hubs with a level chosen"),
    Key("hubs_opened_list", "list", "`facility (level)` of each hub opened"),
    Key("hubs_in_use", "int", "hubs taking anything in"),
    Key("smelter_expansions", "list", "`facility (+level)` of each smelter expanded"),
    Key("generation_t_per_yr", "float", "domestic generation, t/yr"),
    Key("collected_t_per_yr", "float", "domestic collection, t/yr"),
    Key("uncollected_t_per_yr", "float", "generation left uncollected, t/yr"),
    Key("uncollected_by_commodity_t", "object", "commodity -> uncollected t/yr"),
    Key("exported_t_per_yr", "float", "hub output exported, t/yr"),
    Key("imported_t_per_yr", "float", "imports bought, t/yr"),
    Key("imported_by_region_t", "object", "permit region -> imports t/yr"),
    Key("smelter_intake_t_per_yr", "float", "tonnes delivered to smelters"),
    Key("metals_recovered_t", "object", "element -> recovered t/yr"),
    Key("informal_t_per_yr", "float", "of the uncollected, taken by informal channels, t/yr"),
    Key("co2_t_per_yr", "float", "transport CO2, t/yr"),
    Key(
        "smelter_payments_domestic_jpy",
        "float",
        "what smelters pay at their terms for domestic-origin tonnes, JPY/yr: a cash flow "
        "between Japanese parties, not in the objective",
    ),
    Key(
        "smelter_payments_import_jpy",
        "float",
        "what smelters pay foreign sellers at their terms for imports without a price, "
        "JPY/yr (part of the objective's import_cost)",
    ),
    Key("calibration_count", "int", "observed figures compared (0 without observed.csv)"),
    Key("calibration_within_range", "int", "of those, how many the plan reproduces within range"),
    Key("calibration_misses", "list", "ids of the observed figures outside their range"),
    Key(
        "marginals_largest",
        "list",
        "the largest marginal values (marginals.csv), as the brief words them (empty without)",
    ),
)

SUMMARY: tuple[Key, ...] = (
    Key("instance", "str", "instance name"),
    Key("scenario", "str", "run name (`baseline` without a scenario)"),
    Key("instance_dir", "str", "absolute path of the instance folder"),
    Key(
        "scenario_file",
        "str or null",
        "absolute path of the scenario file (a sweep's run: `file.toml#run-name`)",
    ),
    Key("status", "str", " / ".join(s.value for s in Status)),
    Key("termination", "str", "the solver's own termination word"),
    Key("objective_jpy_per_yr", "float", "total cost of the plan written", "solved"),
    Key("best_bound_jpy_per_yr", "float", "best lower bound proven", "solved"),
    Key("gap", "float", "relative gap between the two", "solved"),
    Key("currency", "str", "currency of every money column", "solved"),
    Key(
        "model_size",
        "object",
        "size of the model handed to the solver",
        "solved",
        (
            Key("variables", "int", "columns"),
            Key("binaries", "int", "binary columns"),
            Key("constraints", "int", "rows"),
            Key("nonzeros", "int", "matrix entries"),
        ),
    ),
    Key("times_s", "object", "stage -> wall seconds (read, network, build, ...)", "solved"),
    Key("kpis", "object", "term -> JPY/yr, as kpis.csv", "solved"),
    Key("brief", "object", "the planner's brief", "solved", _BRIEF),
    Key(
        "check",
        "object",
        "the independent checker's verdict",
        "solved",
        (
            Key("passed", "bool", "no violation found"),
            Key("violations", "list", "one line per violation"),
        ),
    ),
    Key("diagnosis", "list", "lines of diagnosis.txt: which limits conflict", "infeasible"),
    Key(
        "years",
        "list",
        "the planning years (a roadmap run's objective, bound and gap are "
        "then the equivalent annual cost: net present cost / sum of the years' weights; its "
        "kpis and brief those of the first year)",
        "roadmap",
    ),
    Key(
        "foresight",
        "str",
        "perfect (the whole horizon at once) or myopic (year by year)",
        "roadmap",
    ),
    Key("npv_cost_jpy", "float", "net present cost of the plan over the horizon", "roadmap"),
    Key("npv_bound_jpy", "float", "best lower bound proven on it (perfect foresight)", "roadmap"),
    Key(
        "myopia_cost_jpy",
        "float or null",
        "net present cost of the myopic plan - that of "
        "this plan (perfect foresight; null when the myopic plan was not solved)",
        "roadmap",
    ),
    Key(
        "myopia_cost_max_jpy",
        "float or null",
        "the most the cost of myopia can be: the myopic plan's net present cost - the bound "
        "(the plan written is optimal only within the gap)",
        "roadmap",
    ),
    Key(
        "by_year",
        "object",
        "year -> {objective_jpy_per_yr, build_cost_jpy, kpis, brief} of that year (its kpis "
        "also hold supply_share_<element>: recovered in Japan / demand, where demand is stated)",
        "roadmap",
    ),
    Key(
        "evaluated_plan",
        "object",
        "the plan this run kept (`hubnet evaluate`): its levels (per year in a roadmap) are "
        "fixed, everything else is optimised under this run's `scenario`, the future it is "
        "tested in; infeasible evaluated runs carry it too",
        "evaluated",
        (
            Key("result_dir", "str", "absolute path of the plan's results folder"),
            Key("instance", "str", "the plan's instance"),
            Key("scenario", "str", "the plan's run name: the future it was built for"),
            Key("scenario_file", "str or null", "the plan's scenario file"),
            Key("objective_jpy_per_yr", "float", "the plan's cost in its own scenario"),
            Key(
                "npv_cost_jpy",
                "float or null",
                "the plan's net present cost in its own scenario (roadmap plans)",
            ),
        ),
    ),
)


_COST = "(JPY/yr for a single-year instance, net present JPY for a roadmap)"

TWO_STAGE_SUMMARY: tuple[Key, ...] = (
    Key(
        "futures",
        "list",
        "{name, weight, scenario_file} of each future (a two-stage run's folder)",
        "two-stage",
    ),
    Key("stochastic_cost_jpy", "float", f"the shared plan's weighted cost {_COST}", "two-stage"),
    Key("stochastic_bound_jpy", "float", "best lower bound proven on it", "two-stage"),
    Key(
        "wait_and_see_cost_jpy",
        "float or null",
        "weighted sum of the futures' own optima (each plan built knowing its future)",
        "two-stage",
    ),
    Key(
        "average_plan_cost_jpy",
        "float or null",
        "the plan built for the average future (every number the weighted mean), operated "
        "in each future, weighted (null: infeasible in some future)",
        "two-stage",
    ),
    Key(
        "wait_and_see_bound_jpy",
        "float or null",
        "weighted sum of the lower bounds proved on the futures' own optima",
        "two-stage",
    ),
    Key(
        "evpi_jpy",
        "float or null",
        "expected value of perfect information as found: stochastic - wait-and-see (can be "
        "off by the solves' gaps, even below 0)",
        "two-stage",
    ),
    Key(
        "evpi_range_jpy",
        "list or null",
        "[least, most] the true EVPI can be: [max(0, stochastic bound - wait-and-see), "
        "stochastic - wait-and-see bound]",
        "two-stage",
    ),
    Key(
        "vss_jpy",
        "float or null",
        "value of the stochastic solution as found: average future's plan - stochastic",
        "two-stage",
    ),
    Key(
        "vss_range_jpy",
        "list or null",
        "[least, most] the true VSS can be: [max(0, average plan - stochastic), average plan "
        "- stochastic bound]",
        "two-stage",
    ),
    Key("brief_lines", "list", "the brief of the two-stage run, as printed", "two-stage"),
    Key(
        "shared_plan",
        "object",
        "in futures/<name>/summary.json: the two-stage folder whose plan.csv this run "
        "operates ({result_dir, weight})",
        "two-stage",
    ),
)


def summary_keys(runs: RunKind) -> list[str]:
    """Top-level keys of summary.json for a solved or an infeasible run."""
    return [k.name for k in SUMMARY if k.runs in ("all", runs)]
