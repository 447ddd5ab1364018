"""The results folder's tables, declared once: every table and its columns (type, unit,
meaning, row order); summary.json's keys are in `summary_schema.py`.

Extraction builds its tables through `conform`, the writers keep the declared order, the
readers (`hubnet.export.tables.read_table`) read with the declared types, and
models/results_format.md is `document.format_markdown()` (`python -m hubnet.results PATH`
rewrites it; a test keeps the two equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from hubnet.instance.schema import FACILITY_ROLES as ROLES
from hubnet.instance.schema import FACILITY_STATUS, OBSERVED_QUANTITIES, SITE_KINDS
from hubnet.report import COST_TERMS

ColumnType = Literal["str", "float", "bool"]

#: the sites' kinds, facilities' roles and statuses are the instance's own (instance/schema.py)
STAGES = ("collection", "import", "delivery", "export")


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    #: unit of the values; the name ends with it (`_t_per_yr`: t/yr), "" for text and flags
    unit: str
    description: str
    #: allowed values of a str column
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    #: columns the rows are sorted by; () keeps the order the description gives
    sort: tuple[str, ...]

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _text(name: str, description: str, choices: tuple[str, ...] = ()) -> Column:
    return Column(name, "str", "", description, choices)


def _t(name: str, description: str) -> Column:
    return Column(name, "float", "t/yr", description)


def _jpy(name: str, description: str) -> Column:
    return Column(name, "float", "JPY/yr", description)


def _share(name: str, description: str) -> Column:
    return Column(name, "float", "share", description)


_LAT = Column("lat", "float", "deg", "latitude (WGS84)")
_LON = Column("lon", "float", "deg", "longitude (WGS84)")
_PRICE = Column("price_jpy_per_t", "float", "JPY/t", "price per tonne, from the instance")

SITES = Table(
    "sites",
    "Every site of the instance as the run saw it (scenario applied), in the instance's "
    "order: what the maps draw.",
    (
        _text("id", "site id"),
        _text("name", "English name"),
        _text("name_ja", "Japanese name (may be empty)"),
        _text("kind", "what the site is", SITE_KINDS),
        _LAT,
        _LON,
        _text("country", "ISO 3166-1 alpha-2 code (may be empty)"),
        _text("region", "region; for origins the import-permit region (may be empty)"),
    ),
    sort=(),
)

FACILITIES = Table(
    "facilities",
    "One row per hub and smelter of the instance, opened or not.",
    (
        _text("facility", "facility site id"),
        _text("name", "English name of the site"),
        _text("name_ja", "Japanese name of the site (may be empty)"),
        _text("role", "hub or smelter", ROLES),
        _LAT,
        _LON,
        _text("status", "status in the instance (candidate, open, closed)", FACILITY_STATUS),
        Column("open", "bool", "", "True if a level is chosen or existing capacity is there"),
        _text("level", "capacity level chosen (opened or added); empty when none"),
        _t("existing_capacity_t_per_yr", "capacity already built"),
        _t("capacity_t_per_yr", "existing capacity plus the chosen level's"),
        _t("throughput_t_per_yr", "tonnes taken in (every flow ending here)"),
        _share("utilisation_share", "throughput / capacity (0 without capacity)"),
        _jpy("fixed_cost_jpy_per_yr", "annualised fixed cost of the chosen level"),
        _jpy("processing_cost_jpy_per_yr", "throughput x processing cost per tonne"),
    ),
    sort=("role", "facility"),
)

FLOWS = Table(
    "flows",
    "Tonnes on each lane, per commodity: only rows with tonnes > 0.",
    (
        _text("lane", "lane id (`origin>destination`)"),
        _text(
            "stage",
            "collection (source to hub), import (origin to hub), delivery (hub to smelter) "
            "or export (hub to market)",
            STAGES,
        ),
        _text("origin", "site id the lane starts at"),
        _text("destination", "site id the lane ends at"),
        _text("commodity", "commodity id"),
        _t("tonnes_per_yr", "tonnes carried (hub output for delivery and export)"),
        _t(
            "imported_t_per_yr",
            "of these, tonnes of import origin (all of an import; the hub output made of "
            "imports on a delivery or export; 0 for collection)",
        ),
        _t(
            "imported_on_terms_t_per_yr",
            "of the imported tonnes, those bought at the terms of the smelter they reach",
        ),
        Column("cost_jpy_per_t", "float", "JPY/t", "freight cost per tonne on the lane"),
        _jpy("cost_jpy_per_yr", "tonnes x freight cost per tonne"),
        Column("distance_km", "float", "km", "lane distance"),
        Column("co2_t_per_yr", "float", "t/yr", "transport CO2 of these tonnes"),
        _text("modes", "the distinct modes used, ';'-joined"),
        _text("path", "';'-joined site ids, first the origin, last the destination"),
        _text(
            "path_modes",
            "';'-joined mode of each leg (one fewer than path sites; `explicit` for a lane "
            "from lanes.csv)",
        ),
    ),
    sort=("stage", "origin", "destination", "commodity"),
)

LEAKAGE = Table(
    "leakage",
    "Domestic generation and what stays uncollected, per source and commodity.",
    (
        _text("source", "source site id"),
        _text("name", "English name of the source"),
        _text("commodity", "commodity id"),
        _t("generation_t_per_yr", "tonnes generated"),
        _t("collected_t_per_yr", "tonnes shipped to hubs"),
        _t("uncollected_t_per_yr", "generation - collected (informal leakage)"),
        _share("uncollected_share", "uncollected / generation"),
    ),
    sort=("source", "commodity"),
)

LEAKAGE_BY_COMMODITY = Table(
    "leakage_by_commodity",
    "Export leakage per commodity as the cap (8a) counts it (and (8b), weighted by "
    "content): uncollected generation plus exported hub output in raw tonnes. One row per "
    "commodity of the instance.",
    (
        _text("commodity", "commodity id"),
        _text("name", "English name"),
        _t("generation_t_per_yr", "domestic generation"),
        _t("uncollected_t_per_yr", "generation left uncollected"),
        _t("exported_t_per_yr", "hub output sold abroad"),
        _t("exported_raw_t_per_yr", "exported / hub yield: the raw tonnes the exports stand for"),
        _t("leakage_t_per_yr", "uncollected + exported raw tonnes"),
        _t(
            "informal_t_per_yr",
            "of the uncollected, what the grade's informal channel takes (8d): its capacity "
            "less what the formal system wins back (0 without a channel)",
        ),
        _share("leakage_share", "leakage / generation (empty without generation)"),
        _share("max_leakage_share", "the instance's cap (8a) (empty: no cap)"),
    ),
    sort=("commodity",),
)

EXPORTS = Table(
    "exports",
    "Hub output sold to foreign markets, per market and commodity (rows with tonnes only).",
    (
        _text("market", "market site id"),
        _text("name", "English name of the market"),
        _text("commodity", "commodity id"),
        _t("exported_t_per_yr", "hub output sold"),
        _PRICE,
        _jpy("revenue_jpy_per_yr", "exported x price"),
    ),
    sort=("market", "commodity"),
)

IMPORTS = Table(
    "imports",
    "Every import offer of the instance and how much of it is bought.",
    (
        _text("origin", "origin site id"),
        _text("name", "English name of the origin"),
        _text("region", "import-permit region of the origin"),
        _text("commodity", "commodity id"),
        _t("available_t_per_yr", "tonnes on offer"),
        _t("imported_t_per_yr", "tonnes bought"),
        Column(
            "price_jpy_per_t",
            "float",
            "JPY/t",
            "price per tonne at the origin, from the instance (empty: bought at the best terms "
            "of the smelters that take it, paid on delivery: summary.json brief."
            "smelter_payments_import_jpy)",
        ),
        _jpy("purchase_cost_jpy_per_yr", "imported x price (empty for imports on terms)"),
    ),
    sort=("origin", "commodity"),
)

METALS = Table(
    "metals",
    "Elements recovered by the smelters, one row per element.",
    (
        _text("element", "element id"),
        _text("name", "English name"),
        _t("recovered_t_per_yr", "tonnes recovered"),
        _jpy("value_jpy_per_yr", "recovered x price"),
        _t("domestic_content_t_per_yr", "tonnes of the element in domestic generation"),
        _t("recovered_domestic_origin_t_per_yr", "tonnes recovered from domestic generation"),
        _t("recovered_import_origin_t_per_yr", "tonnes recovered from imports"),
        _share(
            "domestic_capture_share",
            "recovered of domestic origin / domestic content (empty without content)",
        ),
        _t("demand_t_per_yr", "national demand for the element (empty: not stated)"),
        _share("supply_share", "recovered in Japan / demand (empty without demand)"),
        _share("domestic_origin_supply_share", "recovered of domestic origin / demand"),
        _share("import_origin_supply_share", "recovered of import origin / demand"),
        _share("min_supply_share", "the instance's target share (10h) (empty: none)"),
    ),
    sort=("element",),
)

KPIS = Table(
    "kpis",
    "The objective's terms, in this order: " + ", ".join(COST_TERMS) + ", then total_cost "
    "(costs minus export revenue and metal value).",
    (
        _text("term", "cost term", (*COST_TERMS, "total_cost")),
        _jpy("value_jpy_per_yr", "value of the term (revenues positive)"),
    ),
    sort=(),
)

CALIBRATION = Table(
    "calibration",
    "Written only when the instance has observed.csv: each observed figure beside the "
    "model's value of the same quantity (see observed.csv for what each quantity counts).",
    (
        _text("id", "id of the observed figure (observed.csv)"),
        _text("quantity", "what the figure counts", OBSERVED_QUANTITIES),
        _t("observed_t_per_yr", "the observed figure"),
        _t("low_t_per_yr", "low end of its plausible range"),
        _t("high_t_per_yr", "high end of its plausible range"),
        _t("modelled_t_per_yr", "the same quantity in this run's plan"),
        _t("difference_t_per_yr", "modelled - observed"),
        _share("difference_share", "difference / observed (empty when observed is 0)"),
        Column("within_range", "bool", "", "True if low <= modelled <= high"),
        _text("year", "year the figure is of"),
        _text("source", "citation of the figure"),
        _text("note", "what the modelled value leaves out (empty when nothing)"),
    ),
    sort=("id",),
)

#: what a facility's level does in a year of a roadmap
ROADMAP_ACTIONS = ("open", "expand", "retire")

ROADMAP = Table(
    "roadmap",
    "Written for a roadmap run only (its first column is `year`): one row per facility and "
    "year in which its level changes; capacity and build cost are those of the level it "
    "stands at from that year.",
    (
        _text("site", "hub or smelter id"),
        _text(
            "action",
            "open: first level; expand: a larger level; retire: closed by the instance",
            ROADMAP_ACTIONS,
        ),
        _text("level", "the level it stands at from this year (empty once retired)"),
        _t("capacity_t_per_yr", "capacity of that level (existing capacity not included)"),
        Column("build_cost_jpy", "float", "JPY", "one-off cost paid that year (undiscounted)"),
    ),
    sort=("site",),
)

#: the constraint families whose rows marginals.csv reports (`hubnet.results.marginals`)
MARGINAL_FAMILIES = (
    "hub_capacity",
    "smelter_capacity",
    "import_permits",
    "export_leakage",
    "element_leakage",
    "recovery_targets",
    "supply_share",
    "co2_cap",
    "port_throughput",
    "capital_budget",
)

MARGINALS = Table(
    "marginals",
    "Written when the solve priced its plan (on unless `--no-marginals`): what one more unit "
    "of each limit is worth, from the LP with every integer decision (levels, assignments) "
    "fixed at the plan's. One row per limit of the model: each facility with capacity in "
    "the plan, permit region, capped commodity and element, recovery and supply-share "
    "target, port, the CO2 cap and the capital budget. A limit that does not bind is worth "
    "0. The network is held fixed, so the value is local: it holds while the same rows "
    "bind, and says nothing of opening or closing a site.",
    (
        _text("constraint", "constraint family (models/formulation.md)", MARGINAL_FAMILIES),
        _text(
            "key",
            "the row's id: facility, region, commodity, element or port (empty for "
            "the CO2 cap and the capital budget)",
        ),
        _text(
            "name",
            "the key in the planner's words: English name of the site, commodity or "
            "element (the region's id for a permit)",
        ),
        Column(
            "value",
            "float",
            "see unit",
            "what one more unit of the limit saves: the fall of the objective when the limit "
            "is relaxed by one unit (a capacity or permit raised, a cap loosened, a target "
            "lowered), >= 0; a roadmap's per year of the row's year (its weight divided out)",
        ),
        _text("unit", "unit of the value: JPY a year per unit of the limit"),
    ),
    sort=("constraint", "key"),
)

#: every table of a solved run's folder, in the order written (CSV files, results.xlsx sheets)
TABLES: tuple[Table, ...] = (
    SITES,
    FACILITIES,
    FLOWS,
    LEAKAGE,
    LEAKAGE_BY_COMMODITY,
    EXPORTS,
    IMPORTS,
    METALS,
    KPIS,
)
#: tables written only when the instance asks for them, after the others
OPTIONAL_TABLES: tuple[Table, ...] = (CALIBRATION, ROADMAP, MARGINALS)

PLAN = Table(
    "plan",
    "A two-stage run's folder only (`hubnet solve --futures`): the shared plan, one row per "
    "level opened (per year, first column `year`, in a roadmap); every future operates it.",
    (
        _text("facility", "hub or smelter id"),
        _text("level", "capacity level opened"),
        _t("capacity_t_per_yr", "capacity of that level"),
    ),
    sort=("facility",),
)

FUTURES = Table(
    "futures",
    "A two-stage run's folder only: one row per future. Costs are annual (JPY/yr) for a "
    "single-year instance and net present (JPY) for a roadmap.",
    (
        _text("future", "the future's name (its scenario's `name`)"),
        _share("weight", "its probability, the weights normalised to sum 1"),
        Column("own_cost_jpy", "float", "JPY", "its own optimum: the plan built knowing it"),
        Column("own_bound_jpy", "float", "JPY", "the lower bound proved on its own optimum"),
        Column("stochastic_cost_jpy", "float", "JPY", "the shared plan's cost in it"),
        Column(
            "average_plan_cost_jpy",
            "float",
            "JPY",
            "the cost in it of the plan built for the average future (empty: infeasible)",
        ),
    ),
    sort=(),
)
TWO_STAGE_TABLES: tuple[Table, ...] = (PLAN, FUTURES)
TABLE_BY_NAME: dict[str, Table] = {
    t.name: t for t in (*TABLES, *OPTIONAL_TABLES, *TWO_STAGE_TABLES)
}

#: the first column of every table of a roadmap run: the planning year of the row
YEAR = "year"


def conform(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """`df` as table `name` is declared: its columns in order, typed, rows sorted (a roadmap
    run's tables start with a `year` column, and are sorted by it first).

    A column missing or extra is a bug in the code that built `df`: ValueError.
    """
    table = TABLE_BY_NAME[name]
    by_year = YEAR in df.columns and YEAR not in table.names
    if set(df.columns) - ({YEAR} if by_year else set()) != set(table.names):
        raise ValueError(
            f"table {name}: columns {sorted(df.columns)} differ from the declared "
            f"{table.names} (results/schema.py)"
        )
    out = df[[YEAR, *table.names] if by_year else table.names].copy()
    if by_year:
        out[YEAR] = out[YEAR].astype(int)
    for c in table.columns:
        if c.type == "str":
            out[c.name] = out[c.name].fillna("").astype(str)
        elif c.type == "float":
            out[c.name] = out[c.name].astype(float)
        else:
            out[c.name] = out[c.name].astype(bool)
    order = [YEAR] * by_year + list(table.sort)
    if order:
        out = out.sort_values(order, kind="stable")
    return out.reset_index(drop=True)


def empty(name: str) -> pd.DataFrame:
    """Table `name` with its declared columns and no rows."""
    return conform(name, pd.DataFrame(columns=TABLE_BY_NAME[name].names))
