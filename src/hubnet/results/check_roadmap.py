"""The independent checker of a roadmap run: every year by the single-year checker, then that
no level shrinks (14a) and the net present cost recomputed from the tables (14b, 0r). Shares
no code with `model/` and never imports Pyomo."""

from __future__ import annotations

import pandas as pd

from hubnet.instance import Instance
from hubnet.results.check import check
from hubnet.results.check_context import Violation

REL_TOL = 1e-6


def year_factors(instance: Instance) -> dict[int, tuple[float, float]]:
    """year -> (weight: the period's years discounted, discount of its first year)."""
    p = instance.periods
    years = list(p.years)
    ends = [*years[1:], years[-1] + p.last_period_years]
    out = {}
    for y, end in zip(years, ends, strict=True):
        d = [(1.0 + p.discount_rate) ** -(x - years[0]) for x in range(y, end)]
        out[y] = (sum(d), d[0])
    return out


def _by_year(tables: dict[str, pd.DataFrame], year: int) -> dict[str, pd.DataFrame]:
    out = {}
    for name, df in tables.items():
        if "year" in df.columns and name != "calibration":
            df = df[df["year"] == year].drop(columns="year").reset_index(drop=True)
        out[name] = df
    return out


def _levels(instance: Instance) -> pd.DataFrame:
    lev = instance.capacity_levels
    cost = lev["build_cost_jpy"] if "build_cost_jpy" in lev.columns else 0.0
    return lev.assign(build=pd.Series(cost, index=lev.index).fillna(0.0).astype(float))


def _levels_and_builds(
    instance: Instance, tables: dict[str, pd.DataFrame], years: list[int]
) -> tuple[list[Violation], dict[int, float]]:
    """Levels that shrink, and each year's build cost recomputed from the levels written."""
    v: list[Violation] = []
    paid = dict.fromkeys(years, 0.0)
    fac = tables["facilities"]
    before: dict[str, tuple[str, float, float]] = {}  # facility -> (level, capacity, cost)
    for y in years:
        inst = instance.at(y)
        closed = set(inst.facilities.loc[inst.facilities["status"] == "closed", "site"])
        lev = _levels(inst).set_index(["facility", "level"])
        has_levels = set(lev.index.get_level_values(0)) - closed
        now: dict[str, tuple[str, float, float]] = {}
        rows = fac[fac["year"] == y]
        for f, lv in zip(rows["facility"], rows["level"], strict=True):
            if not lv:
                continue
            if (f, lv) not in lev.index:
                v.append(Violation("levels_stay", f"{f}, {y}", f"level {lv} is not in {y}"))
                continue
            now[f] = (
                lv,
                float(lev.at[(f, lv), "capacity_t_per_yr"]),
                float(lev.at[(f, lv), "build"]),
            )
        for f, (lv0, cap0, cost0) in before.items():
            if f not in has_levels:
                continue  # closed by the instance: its level retires
            lv1, cap1, cost1 = now.get(f, ("", 0.0, 0.0))
            if cap1 < cap0 - 1e-9:
                v.append(
                    Violation(
                        "levels_stay", f"{f}, {y}", f"{lv0 or '-'} -> {lv1 or 'none'}: shrinks"
                    )
                )
            old = float(lev.at[(f, lv0), "build"]) if (f, lv0) in lev.index else cost0
            paid[y] += max(0.0, cost1 - old) if lv1 else 0.0
        for f, (_, _, cost1) in now.items():
            if f not in before:
                paid[y] += cost1
        before = now
    return v, paid


def check_roadmap(
    instance: Instance, tables: dict[str, pd.DataFrame], npv: float | None
) -> list[Violation]:
    """Every year's rules, levels that never shrink, and the net present cost."""
    factors = year_factors(instance)
    years = sorted(factors)
    v: list[Violation] = []
    annual = {}
    for y in years:
        got = _by_year(tables, y)
        kpis = got["kpis"].set_index("term")["value_jpy_per_yr"]
        annual[y] = float(kpis["total_cost"])
        v += [
            Violation(x.family, f"{x.ids}; {y}", x.message)
            for x in check(instance.at(y), got, annual[y])
        ]
    shrink, paid = _levels_and_builds(instance, tables, years)
    v += shrink
    if npv is not None:
        mine = sum(factors[y][0] * annual[y] + factors[y][1] * paid[y] for y in years)
        if abs(mine - npv) > REL_TOL * max(abs(mine), abs(npv), 1.0):
            v.append(
                Violation("net_present_cost", "-", f"written {npv:,.0f}, recomputed {mine:,.0f}")
            )
    return v
