"""The instance format, declared once: every table, every column, its type, unit and meaning.

The reader validates against it, models/instance_format.md is generated from it (and a test
keeps the two in step), and output column names reuse its units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["str", "float", "share", "bool", "list", "int"]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    description: str
    required: bool = True
    default: object = None
    #: non-negative numbers only (all amounts, costs, distances)
    nonnegative: bool = True
    #: allowed values for a str column
    choices: tuple[str, ...] = ()
    #: ("table", "column") this column refers to
    references: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = True
    #: a table may legitimately hold no rows (e.g. no exports)
    may_be_empty: bool = False
    #: rows may carry a `year` (YEAR_COLUMN) in a roadmap instance
    yearly: bool = True
    _by_name: dict[str, Column] = field(default_factory=dict, repr=False, compare=False)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


SITE_KINDS = ("source", "hub", "smelter", "port", "origin", "market", "junction")
FACILITY_ROLES = ("hub", "smelter")
FACILITY_STATUS = ("candidate", "open", "closed")
#: what an observed figure counts (observed.csv); results/calibration.py computes each
OBSERVED_QUANTITIES = (
    "smelter_intake",
    "imports",
    "exports",
    "collected",
    "leaked",
    "informal",
    "recovered",
)

TABLES: tuple[Table, ...] = (
    Table(
        "sites",
        "Every place: domestic sources, candidate hubs, smelters, ports, foreign origins, "
        "export markets and road junctions.",
        (
            Column("id", "str", "unique site id, used by every other table"),
            Column("name", "str", "English name"),
            Column("name_ja", "str", "Japanese name", required=False, default=""),
            Column("kind", "str", "what the site is", choices=SITE_KINDS),
            Column("lat", "float", "latitude, degrees (WGS84)", nonnegative=False),
            Column("lon", "float", "longitude, degrees (WGS84)", nonnegative=False),
            Column("country", "str", "ISO 3166-1 alpha-2 code", required=False, default=""),
            Column(
                "region",
                "str",
                "region; for origins the import-permit region (e.g. asean, eu)",
                required=False,
                default="",
            ),
            Column(
                "port_capacity_t_per_yr",
                "float",
                "for ports: most tonnes a year that may be loaded or unloaded there "
                "(empty: no limit)",
                required=False,
                default=None,
            ),
        ),
        key=("id",),
    ),
    Table(
        "commodities",
        "E-scrap grades as collected.",
        (
            Column("id", "str", "unique commodity id"),
            Column("name", "str", "English name"),
            Column(
                "hub_yield_share",
                "share",
                "tonnes a hub passes on (to smelters or export) per tonne it takes in; "
                "the metal stays in the output",
            ),
            Column(
                "leakage_penalty_jpy_per_t",
                "float",
                "social cost of one tonne generated in Japan and not collected",
                required=False,
                default=0.0,
            ),
            Column(
                "max_leakage_share",
                "share",
                "export-leakage cap: most share of domestic generation that may stay "
                "uncollected or be exported (empty: no cap)",
                required=False,
                default=None,
            ),
            Column(
                "informal_price_jpy_per_t",
                "float",
                "what the informal channel (scrap dealers, unlicensed exporters) pays a holder "
                "for a tonne: the formal system wins a tonne back only by matching it (empty: "
                "no informal channel; give informal_capacity_t_per_yr with it)",
                required=False,
                default=None,
            ),
            Column(
                "informal_capacity_t_per_yr",
                "float",
                "most tonnes a year the informal channel takes of this grade, nationally "
                "(empty: no informal channel; give informal_price_jpy_per_t with it)",
                required=False,
                default=None,
            ),
            Column(
                "collectable_share",
                "share",
                "most share of the grade's generation any hub can collect, next door: the rest "
                "is hoarded or leaves with household waste (each lane's reach scales it)",
                required=False,
                default=1.0,
            ),
        ),
        key=("id",),
    ),
    Table(
        "elements",
        "Recovered elements and their value.",
        (
            Column("id", "str", "unique element id (chemical symbol)"),
            Column("name", "str", "English name"),
            Column("price_jpy_per_kg", "float", "value of one kg recovered (payable)"),
            Column(
                "max_leakage_share",
                "share",
                "export-leakage cap by content: most share of the element in domestic "
                "generation that may stay uncollected or be exported (empty: no cap)",
                required=False,
                default=None,
            ),
            Column(
                "min_recovered_t_per_yr",
                "float",
                "recovery target: least tonnes a year smelters must recover (empty: none)",
                required=False,
                default=None,
            ),
            Column(
                "demand_t_per_yr",
                "float",
                "national demand for the element, tonnes a year (empty: not given)",
                required=False,
                default=None,
            ),
            Column(
                "min_supply_share",
                "share",
                "share of demand_t_per_yr to be met by metal recovered in Japan, from domestic "
                "and imported scrap together (empty: no target)",
                required=False,
                default=None,
            ),
        ),
        key=("id",),
        may_be_empty=True,
    ),
    Table(
        "contents",
        "Element content of each commodity as collected.",
        (
            Column("commodity", "str", "commodity id", references=("commodities", "id")),
            Column("element", "str", "element id", references=("elements", "id")),
            Column("content_g_per_t", "float", "grams of the element per tonne of commodity"),
        ),
        key=("commodity", "element"),
        may_be_empty=True,
    ),
    Table(
        "supply",
        "Domestic generation at each source.",
        (
            Column("site", "str", "source site id", references=("sites", "id")),
            Column("commodity", "str", "commodity id", references=("commodities", "id")),
            Column("generation_t_per_yr", "float", "tonnes generated a year"),
        ),
        key=("site", "commodity"),
    ),
    Table(
        "imports",
        "What each foreign origin can offer to Japan.",
        (
            Column("site", "str", "origin site id", references=("sites", "id")),
            Column("commodity", "str", "commodity id", references=("commodities", "id")),
            Column("available_t_per_yr", "float", "most tonnes a year on offer"),
            Column(
                "price_jpy_per_t",
                "float",
                "purchase price at the origin port (empty: bought at the best payable terms of "
                "the smelters that take it, terms.csv; it may then not be exported)",
                required=False,
                default=None,
            ),
        ),
        key=("site", "commodity"),
        required=False,
        may_be_empty=True,
    ),
    Table(
        "exports",
        "Foreign buyers that hubs may sell pre-processed scrap to (legal, but counted as "
        "export leakage).",
        (
            Column("site", "str", "market site id", references=("sites", "id")),
            Column("commodity", "str", "commodity id", references=("commodities", "id")),
            Column("max_t_per_yr", "float", "most tonnes a year the buyer takes"),
            Column("price_jpy_per_t", "float", "price the buyer pays per tonne"),
        ),
        key=("site", "commodity"),
        required=False,
        may_be_empty=True,
    ),
    Table(
        "facilities",
        "Candidate and existing hubs (pre-processing) and smelters.",
        (
            Column("site", "str", "site id of the facility", references=("sites", "id")),
            Column("role", "str", "hub or smelter", choices=FACILITY_ROLES),
            Column(
                "existing_capacity_t_per_yr",
                "float",
                "capacity already built (needs no opening decision)",
                required=False,
                default=0.0,
            ),
            Column(
                "processing_cost_jpy_per_t",
                "float",
                "variable cost per tonne taken in (hub handling or smelter treatment)",
            ),
            Column(
                "accepts",
                "list",
                "commodity ids the facility takes, separated by ';' ('*' for all)",
            ),
            Column(
                "status",
                "str",
                "candidate (the model decides), open (must open a level or use existing "
                "capacity), closed (takes nothing)",
                required=False,
                default="candidate",
                choices=FACILITY_STATUS,
            ),
        ),
        key=("site",),
    ),
    Table(
        "capacity_levels",
        "Modular sizes a hub may open at, or a smelter may expand by (at most one per site).",
        (
            Column("facility", "str", "facility site id", references=("facilities", "site")),
            Column("level", "str", "level name, unique per facility"),
            Column("capacity_t_per_yr", "float", "capacity added by this level"),
            Column("fixed_cost_jpy_per_yr", "float", "annualised fixed cost of this level"),
            Column(
                "min_throughput_t_per_yr",
                "float",
                "least tonnes a year the hub or smelter must take if this level is chosen",
                required=False,
                default=0.0,
            ),
            Column(
                "build_cost_jpy",
                "float",
                "one-off cost paid in the planning year the level is built (roadmaps)",
                required=False,
                default=0.0,
            ),
        ),
        key=("facility", "level"),
        may_be_empty=True,
    ),
    Table(
        "recovery",
        "Share of each element a smelter recovers from what it takes in.",
        (
            Column("facility", "str", "smelter site id", references=("facilities", "site")),
            Column("element", "str", "element id", references=("elements", "id")),
            Column("recovery_share", "share", "share of the contained element recovered"),
        ),
        key=("facility", "element"),
        may_be_empty=True,
    ),
    Table(
        "terms",
        "What a smelter charges to treat a tonne of a commodity as collected or imported; "
        "with payables.csv it prices imports bought at the best terms of the smelters.",
        (
            Column("smelter", "str", "smelter site id", references=("facilities", "site")),
            Column("commodity", "str", "commodity id", references=("commodities", "id")),
            Column("treatment_charge_jpy_per_t", "float", "treatment charge per raw tonne"),
        ),
        key=("smelter", "commodity"),
        required=False,
        may_be_empty=True,
    ),
    Table(
        "payables",
        "Share of an element's content a smelter pays for, per commodity (no row: 0). A "
        "smelter pays for a raw tonne sum(payable x content x price) - treatment charge.",
        (
            Column("smelter", "str", "smelter site id", references=("facilities", "site")),
            Column("commodity", "str", "commodity id", references=("commodities", "id")),
            Column("element", "str", "element id", references=("elements", "id")),
            Column("payable_share", "share", "share of the contained element paid for"),
        ),
        key=("smelter", "commodity", "element"),
        required=False,
        may_be_empty=True,
    ),
    Table(
        "modes",
        "Transport modes.",
        (
            Column("mode", "str", "road, rail, coastal or ocean (or any other name)"),
            Column("cost_jpy_per_t_km", "float", "line-haul cost per tonne-km"),
            Column("co2_kg_per_t_km", "float", "CO2 per tonne-km"),
            Column(
                "handling_jpy_per_t",
                "float",
                "cost per tonne each time cargo is loaded onto or unloaded from this mode",
                required=False,
                default=0.0,
            ),
            Column(
                "circuity",
                "float",
                "distance factor over great-circle where a link gives no distance",
                required=False,
                default=1.0,
            ),
        ),
        key=("mode",),
        required=False,
        may_be_empty=True,
    ),
    Table(
        "links",
        "Edges of the transport graph (both directions).",
        (
            Column("from", "str", "site id", references=("sites", "id")),
            Column("to", "str", "site id", references=("sites", "id")),
            Column("mode", "str", "mode", references=("modes", "mode")),
            Column(
                "distance_km",
                "float",
                "distance (empty: great-circle x the mode's circuity)",
                required=False,
                default=None,
            ),
        ),
        key=("from", "to", "mode"),
        required=False,
        may_be_empty=True,
    ),
    Table(
        "freight_bands",
        "Trip fares by distance band (a truck fare table): each run of consecutive links of a "
        "mode listed here is one trip and costs per tonne the fare of the first band reaching "
        "the run's total distance, divided by the load; beyond the last band, that band's cost "
        "plus the mode's cost_jpy_per_t_km per extra km. The fare per tonne (fare / load) may "
        "not fall from one band to the next. Handling is added as for any mode; a mode without "
        "bands costs per tonne-km.",
        (
            Column("mode", "str", "mode (listed in modes.csv)", references=("modes", "mode")),
            Column(
                "up_to_km",
                "float",
                "upper end of the band (km, after circuity); strictly increasing within a mode",
            ),
            Column("fare_jpy_per_trip", "float", "fare of one trip (one vehicle) in this band"),
            Column("load_t_per_trip", "float", "tonnes one trip carries (a full load)"),
        ),
        key=("mode", "up_to_km"),
        required=False,
        may_be_empty=True,
    ),
    Table(
        "lanes",
        "Explicit freight rates; they replace computed paths for the pairs they list.",
        (
            Column("origin", "str", "site id", references=("sites", "id")),
            Column("destination", "str", "site id", references=("sites", "id")),
            Column("cost_jpy_per_t", "float", "all-in freight cost per tonne"),
            Column(
                "distance_km",
                "float",
                "lane distance (empty: great-circle); collection reach uses it",
                required=False,
                default=None,
            ),
            Column(
                "co2_kg_per_t",
                "float",
                "CO2 per tonne carried",
                required=False,
                default=0.0,
            ),
        ),
        key=("origin", "destination"),
        required=False,
        may_be_empty=True,
    ),
    Table(
        "observed",
        "Observed figures of the base year that the model also produces: `hubnet solve` "
        "compares each with its modelled value (calibration.csv). smelter_intake: tonnes "
        "delivered to the listed smelters; imports: tonnes bought from origins of the listed "
        "regions; exports: tonnes sold to the listed markets; collected / leaked (uncollected "
        "plus exported raw tonnes) / informal: domestic tonnes; recovered: tonnes of the "
        "listed elements recovered at the listed smelters. Each of the listed commodities; "
        "an empty list means all.",
        (
            Column("id", "str", "unique id of the observed figure"),
            Column("quantity", "str", "what the figure counts", choices=OBSERVED_QUANTITIES),
            Column(
                "facilities",
                "list",
                "smelter ids, ';'-separated (smelter_intake, recovered; empty: all)",
                required=False,
            ),
            Column(
                "commodities",
                "list",
                "commodity ids, ';'-separated (all but recovered; empty: all)",
                required=False,
            ),
            Column(
                "regions",
                "list",
                "origin regions, ';'-separated (imports; empty: all)",
                required=False,
            ),
            Column(
                "markets",
                "list",
                "market site ids, ';'-separated (exports; empty: all)",
                required=False,
            ),
            Column(
                "elements",
                "list",
                "element ids, ';'-separated (recovered; empty: all)",
                required=False,
            ),
            Column("observed_t_per_yr", "float", "the observed figure, tonnes a year"),
            Column("low_t_per_yr", "float", "low end of the plausible range"),
            Column("high_t_per_yr", "float", "high end of the plausible range"),
            Column(
                "year",
                "str",
                "year the figure is of (e.g. 2022, FY2020)",
                required=False,
                default="",
            ),
            Column("source", "str", "citation of the figure"),
            Column("note", "str", "how the figure was derived", required=False, default=""),
        ),
        key=("id",),
        required=False,
        may_be_empty=True,
        yearly=False,
    ),
)

TABLE_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

#: the one column every yearly table may add in a roadmap instance (see YEAR_TEXT)
YEAR_COLUMN = Column(
    "year",
    "int",
    "planning year from which the row holds (empty: from the start)",
    required=False,
    default=None,
)

#: instance.toml keys: section -> key -> (type, default, description)
SETTINGS: dict[str, dict[str, tuple[str, object, str]]] = {
    "": {
        "name": ("str", None, "instance name (results go to results/<name>/)"),
        "description": ("str", "", "one paragraph for the planner"),
        "currency": ("str", "JPY", "currency of every cost column"),
    },
    "collection": {
        "reach_at_zero_km": (
            "share",
            1.0,
            "share of generation a hub next door can collect",
        ),
        "reach_loss_per_100_km": (
            "float",
            0.0,
            "share of generation lost per 100 km of lane distance",
        ),
        "reach_floor": ("share", 0.0, "the attainable share never falls below this"),
        "max_collection_km": (
            "float",
            None,
            "no collection lane longer than this (empty: no limit)",
        ),
        "nearest_hubs": (
            "int",
            None,
            "each source considers only its k cheapest hubs (empty: all)",
        ),
        "whole_source": (
            "bool",
            False,
            "a source hands each hub the same share of every grade it generates (one "
            "collection contract per source and hub): K times fewer columns, for large instances",
        ),
    },
    "policy": {
        "co2_price_jpy_per_t": ("float", 0.0, "carbon price on transport CO2"),
        "co2_cap_t_per_yr": ("float", None, "most tonnes of transport CO2 a year"),
        "capital_budget_jpy_per_yr": (
            "float",
            None,
            "most annualised fixed cost of levels opened",
        ),
        "single_sourcing": ("bool", False, "each source ships to at most one hub"),
        "collection_incentive_jpy_per_t": (
            "float",
            0.0,
            "paid per tonne won back from an informal channel: lowers the price the formal "
            "system must match (not below 0)",
        ),
    },
    "policy.import_permits_t_per_yr": {
        "<region>": (
            "float",
            None,
            "most tonnes a year imported from origins of this region (0 = ban)",
        ),
    },
    "periods": {
        "years": (
            "list of int",
            None,
            "planning years, ascending and unique: the instance is a roadmap (without this "
            "section it is a single-year instance, and no table may have a year column)",
        ),
        "discount_rate": ("float", 0.0, "discount rate per year, 0 <= r < 1"),
        "last_period_years": (
            "int",
            1,
            "years the last planning year stands for (each other one: up to the next)",
        ),
        "foresight": (
            "str",
            "perfect",
            "perfect (all years planned at once) or myopic (one year after another, earlier "
            "builds kept)",
        ),
    },
    "policy.from_year.<year>": {
        "<policy key>": (
            "as in [policy]",
            None,
            "a [policy] setting (or, in [policy.from_year.<year>.import_permits_t_per_yr], a "
            "region's permit) from this year on, until a later from_year sets the same key",
        ),
    },
}

YEAR_TEXT = f"""## Roadmaps: the `year` column

With a `[periods]` section in `instance.toml`, every table but `observed.csv` may have a
column `{YEAR_COLUMN.name}`: the planning year from which the row holds (an integer; empty:
from the start). Tables keep it until the model takes each year's view. At planning year Y,
for each key of a table (listed below) the row that holds is the one with the largest
`year <= Y`; a row without a year holds from the start, and a key whose every row has a later
year is absent at Y (a capacity level with `year = 2030` cannot be built before 2030; a
facility row with a later year and `existing_capacity_t_per_yr = 0` retires it). A key may
appear once per year. Keys: {{keys}}. Every check of the format (ids that must exist, roles,
terms, ...) holds at each planning year. `[policy.from_year.<year>]` sections of
`instance.toml` change `[policy]` settings by year in the same way.
"""


def _year_text() -> str:
    keys = ", ".join(f"`{t.file}` " + " + ".join(t.key) for t in TABLES if t.yearly)
    return YEAR_TEXT.replace("{keys}", keys)


FORMAT_INTRO = """# hubnet instance format

Generated from `src/hubnet/instance/schema.py` by `python -m hubnet.instance
models/instance_format.md` (a test keeps the two equal).

An instance is a folder: `instance.toml` and one CSV per table (UTF-8 with or without BOM, or
Shift_JIS as Japanese spreadsheets save it; `12,300`-style thousands are read as numbers). Units
are in the column names: `_t_per_yr` tonnes a year, `_jpy_per_t` yen per tonne, `_km`
kilometres, `_share` a fraction 0..1, `_g_per_t` grams per tonne, `_kg_per_t_km` kilograms per
tonne-kilometre. Rows are numbered as a spreadsheet shows them (header = row 1) in error messages.
"""


def format_markdown() -> str:
    """models/instance_format.md, generated from the declarations above."""
    out = [FORMAT_INTRO, _year_text()]
    for t in TABLES:
        need = "required" if t.required else "optional"
        out.append(f"## `{t.file}` ({need})\n\n{t.description}\n")
        out.append("| column | type | required | meaning |")
        out.append("|---|---|---|---|")
        for c in t.columns:
            req = (
                "yes"
                if c.required
                else f"no (default: {'empty' if c.default is None else c.default})"
            )
            typ = c.type + (f": {' / '.join(c.choices)}" if c.choices else "")
            out.append(f"| `{c.name}` | {typ} | {req} | {c.description} |")
        out.append("")
    out.append("## `instance.toml`\n")
    out.append("| key | type | default | meaning |")
    out.append("|---|---|---|---|")
    for section, keys in SETTINGS.items():
        for key, (typ, default, desc) in keys.items():
            name = f"[{section}] {key}" if section else key
            dflt = "empty" if default is None else repr(default)
            out.append(f"| `{name}` | {typ} | {dflt} | {desc} |")
    return "\n".join(out) + "\n"
