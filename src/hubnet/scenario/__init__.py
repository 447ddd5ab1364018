"""Scenario files: TOML overrides of one instance, resolved into a new `Instance`.

A scenario changes what it names and nothing else. The shape (documented with an example of
every override in the README, "Scenarios and batches")::

    name = "asean-partnership"          # default: the file name without .toml
    description = "..."
    base = "baseline.toml"              # optional; resolved relative to this file

    [set]                               # assign one value
    "policy.co2_price_jpy_per_t" = 10000              # an instance.toml setting
    "policy.import_permits_t_per_yr.asean" = 45000    # a permit (0 = ban)
    "commodities.max_leakage_share" = 0.15            # a column, every row
    "commodities.max_leakage_share.lead_acid" = 0.35  # a column, the row with that id

    [[update]]                          # assign a column for the rows that match
    table = "facilities"
    column = "status"
    value = "open"
    where = { site = "sm_mmc_naoshima" }

    [[scale]]                           # multiply a numeric column for the rows that match
    table = "imports"
    column = "available_t_per_yr"
    factor = 1.5
    where = { region = "asean" }        # region: through the sites the rows refer to

    ban = ["eu"]                        # import permit 0 for these origin regions

    [[add_site]]                        # a new site, with rows of other tables for it
    id = "hub_x"; name = "X"; kind = "hub"; lat = 35.0; lon = 139.0
    facility = { role = "hub", processing_cost_jpy_per_t = 15000, accepts = "*" }
    levels = [{ level = "small", capacity_t_per_yr = 10000, fixed_cost_jpy_per_yr = 3.5e8 }]
    links = [{ to = "JPTYO", mode = "road", distance_km = 12 }]

A list where one value is expected (a `[set]` value, an `update` value, a `scale` factor)
makes a sweep: `expand` gives one `Scenario` per combination, named after its values.

Priority: CLI flags (solver options) > scenario > instance.toml > built-in defaults.
"""

from hubnet.scenario.applying import apply, apply_scenario_file
from hubnet.scenario.core import Override, Scenario
from hubnet.scenario.reading import load, parse
from hubnet.scenario.sweep import expand, split_run_name

__all__ = [
    "Override",
    "Scenario",
    "apply",
    "apply_scenario_file",
    "expand",
    "load",
    "parse",
    "split_run_name",
]
