"""The shipped default instance solves and passes the independent checker."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubnet.instance import load_instance
from hubnet.run import RunOptions, check_folder, run_one

JAPAN = Path(__file__).resolve().parents[1] / "instances" / "japan"


def test_default_instance_is_real_japan():
    inst = load_instance(JAPAN)
    sites = inst.sites
    assert (sites["kind"] == "source").sum() == 47
    assert len(inst.commodities) >= 6
    assert {"Au", "Ag", "Pd", "Cu", "Co", "Ni", "Li", "Nd"} <= set(inst.elements["id"])
    # the prefectures' generation adds up to the national figures of FACTS.md (2025 values)
    totals = inst.supply.groupby("commodity")["generation_t_per_yr"].sum()
    assert totals["pcb_high"] == pytest.approx(15000, rel=1e-6)
    assert totals["lead_acid"] == pytest.approx(250000, rel=1e-6)


def test_okinawa_is_reached_by_ship_only():
    inst = load_instance(JAPAN)
    okinawa = set(inst.sites.loc[inst.sites["name"].str.contains("Okinawa"), "id"])
    road = inst.links[inst.links["mode"] == "road"]
    kinds = inst.sites.set_index("id")["kind"]
    for a, b in zip(road["from"], road["to"], strict=True):
        if a in okinawa or b in okinawa:
            other = b if a in okinawa else a
            # a road from Okinawa reaches only sites on Okinawa (its ports, its hub)
            lat = inst.sites.set_index("id").at[other, "lat"]
            assert lat < 27.5, (a, b, kinds[other])


def test_default_instance_solves_and_checks(tmp_path):
    rec = run_one(JAPAN, options=RunOptions(out_dir=tmp_path / "baseline", maps=False))
    assert rec.status == "optimal"
    assert rec.gap is not None and rec.gap <= 1e-4
    assert rec.violations == []
    summary, violations = check_folder(rec.result_dir)
    assert violations == []
    for name in ("facilities", "flows", "leakage", "imports", "metals", "kpis", "sites"):
        assert (rec.result_dir / f"{name}.csv").exists()
    assert (rec.result_dir / "results.xlsx").exists()
    # size guard: the lane set must stay sparse (catches accidental densification)
    assert summary["model_size"]["variables"] < 20000


def test_a_time_limit_is_reported_as_feasible_with_its_gap_never_optimal(tmp_path):
    from hubnet.report import SolveOptions

    opts = RunOptions(solve=SolveOptions(time_limit_s=2.0), write=False, maps=False)
    rec = run_one(JAPAN, options=opts)
    # two seconds are far from enough to prove the optimum (it takes about 13 s)
    assert rec.status in ("feasible", "no_solution")
    if rec.status == "feasible":
        assert rec.gap is not None and rec.gap > 1e-4
        assert rec.report.headline.startswith("feasible, gap ")
        assert rec.violations == []  # the best plan found is still checked
