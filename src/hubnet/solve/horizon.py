"""Perfect foresight's passes over a roadmap's years: the horizon's relaxation lifted by
capacity cuts, the priced pass it makes possible (`lagrangian.year_prices`), and the myopic
pass in a process of its own beside them."""

from __future__ import annotations

import dataclasses
import logging
from concurrent.futures.process import BrokenProcessPool

import pyomo.environ as pyo

from hubnet.model.periods import Period
from hubnet.report import SolveOptions
from hubnet.solve.highs import Compiled, relative_gap
from hubnet.solve.lagrangian import year_prices
from hubnet.solve.roadmap import Pass, beside, prepared, root_cuts, within, year_by_year

logger = logging.getLogger(__name__)


def both_passes(
    name: str,
    periods: list[Period],
    model: pyo.ConcreteModel,
    share: SolveOptions,
    options: SolveOptions,
    t0: float,
) -> tuple[Pass, Pass, Compiled]:
    """The myopic pass in a process of its own beside the relaxation and the priced pass
    here, each on one HiGHS thread (a single-year solve keeps 1.3 cores busy at most)."""
    one = dataclasses.replace(share, threads=1)
    with beside(year_by_year, name, periods, one, True) as job:
        compiled = prepared(model, options)
        second = second_pass(name, periods, compiled, one, within(options, t0), None)
        try:
            myopic = job.result()
        except BrokenProcessPool:
            # the process died (out of memory, killed): the pass here instead
            logger.warning("the myopic pass's process ended early: solving it here")
            myopic = year_by_year(name, periods, share, myopic=True)
    return myopic, second, compiled


def second_pass(
    name: str,
    periods: list[Period],
    compiled: Compiled,
    each: SolveOptions,
    left: SolveOptions,
    first: float | None,
) -> Pass:
    """Perfect foresight's lower bound and second plan: the horizon's relaxation lifted by
    capacity cuts (within `left`'s time limit), and unless the first plan (net present cost
    `first`) is within the gap of it, its duals pricing the rows that tie the years, each
    year solved alone at those prices (with `each`'s limit) to half the gap asked (the
    years' own gaps enter the bound); the independent pass where the relaxation does not
    complete or cannot price the rows."""
    lifted = root_cuts(compiled, left)
    if lifted is not None and first is not None:
        gap = relative_gap(first, lifted.bound)
        if gap is not None and gap <= each.mip_rel_gap:
            return Pass(None, (), lifted.bound)
    prices = year_prices(compiled, lifted.row_dual, periods) if lifted is not None else None
    if prices is None:
        return year_by_year(name, periods, each, myopic=False)
    half = dataclasses.replace(each, mip_rel_gap=each.mip_rel_gap / 2)
    priced = year_by_year(name, periods, half, myopic=False, prices=prices)
    return dataclasses.replace(priced, bound=max(priced.bound, lifted.bound))


__all__ = ["both_passes", "second_pass"]
