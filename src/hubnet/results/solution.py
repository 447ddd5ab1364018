"""The solution of one run: tidy tables, the solve report and the KPIs."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from hubnet.report import SolveReport
from hubnet.results.schema import TABLES

#: the tables of a results folder, in the order written (declared in results/schema.py)
TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in TABLES)


@dataclass(frozen=True, slots=True)
class Solution:
    """Result tables as written to the results folder (see models/results_format.md)."""

    instance: str
    scenario: str
    report: SolveReport
    sites: pd.DataFrame
    facilities: pd.DataFrame
    flows: pd.DataFrame
    leakage: pd.DataFrame
    leakage_by_commodity: pd.DataFrame
    exports: pd.DataFrame
    imports: pd.DataFrame
    metals: pd.DataFrame
    kpis: pd.DataFrame
    brief: dict = field(default_factory=dict)
    #: calibration.csv, when the instance has observed figures
    calibration: pd.DataFrame | None = None
    #: marginals.csv, when the solve priced its plan (`hubnet.results.marginals`)
    marginals: pd.DataFrame | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {name: getattr(self, name) for name in TABLE_NAMES}
        if self.calibration is not None:
            out["calibration"] = self.calibration
        if self.marginals is not None:
            out["marginals"] = self.marginals
        return out

    def kpi(self, term: str) -> float:
        return float(self.kpis.set_index("term").at[term, "value_jpy_per_yr"])
