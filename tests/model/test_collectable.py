"""The collectable share (1): a grade's generation beyond it is hoarded or leaves with household
waste, out of any hub's reach.

The hand-worked instance (tests/builders.py base_tables): S1 generates 100 t of PCB worth
1,000 JPY/t smelted; the hub H1 (existing, 1,000 t) is next door (reach 1), its lanes cost 10
and 5 JPY/t, so every collectable tonne is worth 985 JPY. With a collectable share of 0.3 the
hub collects 30 t and 70 t stay uncollected: cost -29,550 (against -98,500 with all of it).
"""

from __future__ import annotations

import pytest
from builders import base_tables, write_instance

from hubnet.instance import load_instance
from hubnet.report import SolveOptions
from hubnet.results import check
from hubnet.run import RunOptions, run_one

QUIET = RunOptions(solve=SolveOptions(mip_rel_gap=0.0), write=False, maps=False)


def tables(share: float | None) -> dict:
    t = base_tables()
    t["facilities"][0]["existing_capacity_t_per_yr"] = 1000
    t["capacity_levels"] = []
    if share is not None:
        t["commodities"][0]["collectable_share"] = share
    return t


@pytest.mark.parametrize("whole_source", [False, True])
@pytest.mark.parametrize(("share", "cost", "collected"), [(None, -98500, 100), (0.3, -29550, 30)])
def test_hubs_collect_no_more_than_the_collectable_share(
    tmp_path, whole_source, share, cost, collected
):
    settings = {"collection": {"whole_source": whole_source}}
    folder = write_instance(tmp_path, tables(share), settings)
    rec = run_one(folder, options=QUIET)
    assert rec.status == "optimal"
    assert rec.objective == pytest.approx(cost, abs=1e-6)
    leak = rec.solution.leakage.set_index("commodity").loc["pcb"]
    assert float(leak["uncollected_t_per_yr"]) == pytest.approx(100 - collected, abs=1e-6)
    assert rec.violations == []


def test_the_checker_holds_collection_to_the_collectable_share(tmp_path):
    """The plan collecting all 100 t, checked against an instance whose share is 0.3: the
    checker says (1) is broken."""
    full = run_one(write_instance(tmp_path / "full", tables(None)), options=QUIET)
    strict = load_instance(write_instance(tmp_path / "strict", tables(0.3)))
    found = check(strict, full.solution.tables(), full.objective)
    assert any(v.family == "collection_reach" for v in found)
