"""The typed, validated instance: tables and settings, nothing read from disk after this."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hubnet.instance.periods import Periods, policy_changes_at, table_at
from hubnet.instance.schema import TABLES


@dataclass(frozen=True, slots=True)
class Collection:
    """How far collection reaches: attainable share of generation by lane distance."""

    reach_at_zero_km: float = 1.0
    reach_loss_per_100_km: float = 0.0
    reach_floor: float = 0.0
    max_collection_km: float | None = None
    nearest_hubs: int | None = None
    whole_source: bool = False

    def reach(self, km: float) -> float:
        """Attainable collection share for a lane of `km` kilometres."""
        r = self.reach_at_zero_km - self.reach_loss_per_100_km * km / 100.0
        return max(self.reach_floor, min(1.0, r))


@dataclass(frozen=True, slots=True)
class Policy:
    """Policy levers: carbon price and cap, budget, collection incentive, permits per origin
    region."""

    co2_price_jpy_per_t: float = 0.0
    co2_cap_t_per_yr: float | None = None
    capital_budget_jpy_per_yr: float | None = None
    single_sourcing: bool = False
    #: paid per tonne won back from an informal channel (lowers the price to match)
    collection_incentive_jpy_per_t: float = 0.0
    import_permits_t_per_yr: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Instance:
    """One planning instance: every table typed as declared in `schema`, plus settings."""

    name: str
    description: str
    currency: str
    collection: Collection
    policy: Policy
    sites: pd.DataFrame
    commodities: pd.DataFrame
    elements: pd.DataFrame
    contents: pd.DataFrame
    supply: pd.DataFrame
    imports: pd.DataFrame
    exports: pd.DataFrame
    facilities: pd.DataFrame
    capacity_levels: pd.DataFrame
    recovery: pd.DataFrame
    terms: pd.DataFrame
    payables: pd.DataFrame
    modes: pd.DataFrame
    links: pd.DataFrame
    lanes: pd.DataFrame
    observed: pd.DataFrame
    freight_bands: pd.DataFrame
    path: Path | None = None
    #: planning years of a roadmap; None: a single-year instance
    periods: Periods | None = None
    #: `[policy.from_year.Y]`: year -> the policy settings it changes (permits: a dict by region)
    policy_from_year: dict[int, dict[str, object]] = field(default_factory=dict)

    @property
    def is_roadmap(self) -> bool:
        return self.periods is not None

    def at(self, year: int) -> Instance:
        """The single-year view at `year`: each table's rows holding then (the `year` column
        dropped), the policy holding then, no periods. A single-year instance is its own view."""
        if self.periods is None:
            return self
        tables = {t.name: table_at(self.table(t.name), t.key, year) for t in TABLES if t.yearly}
        settings, permits = policy_changes_at(self.policy_from_year, year)
        policy = dataclasses.replace(
            self.policy,
            **settings,
            import_permits_t_per_yr={**self.policy.import_permits_t_per_yr, **permits},
        )
        return dataclasses.replace(self, policy=policy, periods=None, policy_from_year={}, **tables)

    def replace(self, **changes: object) -> Instance:
        """A copy with some fields changed (scenarios use this; the original is untouched)."""
        return dataclasses.replace(self, **changes)

    def table(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    def accepts(self) -> pd.DataFrame:
        """Long table (facility, role, commodity) of what each facility takes."""
        return self.accepts_of(self.facilities, list(self.commodities["id"]))

    @staticmethod
    def accepts_of(facilities: pd.DataFrame, all_k: list[str]) -> pd.DataFrame:
        """`accepts` of a facilities table (closed ones included) over commodities `all_k`."""
        rows = []
        for site, role, acc in facilities[["site", "role", "accepts"]].itertuples(index=False):
            ks = all_k if "*" in acc else [k for k in all_k if k in acc]
            rows.extend((site, role, k) for k in ks)
        return pd.DataFrame(rows, columns=["facility", "role", "commodity"])
