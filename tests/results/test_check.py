"""The independent checker re-verifies a solution from the tables and the instance alone."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import write_instance

from hubnet.errors import ResultsError
from hubnet.instance import load_instance
from hubnet.results import check
from hubnet.run import RunOptions, check_folder, run_one


@pytest.fixture
def solved(tmp_path):
    folder = write_instance(tmp_path / "inst")
    rec = run_one(folder, options=RunOptions(out_dir=tmp_path / "out", maps=False))
    return load_instance(folder), rec


def test_clean_solution_passes(solved):
    instance, rec = solved
    assert check(instance, rec.solution.tables(), rec.objective) == []


def test_written_folder_passes(solved):
    _, rec = solved
    summary, violations = check_folder(rec.result_dir)
    assert violations == []
    assert summary["objective_jpy_per_yr"] == pytest.approx(-93500.0)


def test_one_tonne_more_in_one_flow_is_caught(solved):
    instance, rec = solved
    tables = rec.solution.tables()
    flows = tables["flows"].copy()
    i = flows.index[flows["stage"] == "delivery"][0]
    flows.loc[i, "tonnes_per_yr"] += 1.0
    tables["flows"] = flows
    families = {v.family for v in check(instance, tables, rec.objective)}
    # the hub now sends on 101 t of the 100 t it took in, and the objective no longer adds up
    assert {"hub_mass_balance", "objective"} <= families


def test_a_wrong_lane_cost_is_caught(solved):
    instance, rec = solved
    tables = rec.solution.tables()
    flows = tables["flows"].copy()
    flows.loc[0, "cost_jpy_per_t"] += 1.0
    tables["flows"] = flows
    assert "lanes" in {v.family for v in check(instance, tables, rec.objective)}


def test_exceeded_capacity_is_caught(solved):
    instance, rec = solved
    tables = rec.solution.tables()
    fac = tables["facilities"].copy()
    fac.loc[fac["facility"] == "H1", "level"] = ""
    tables["facilities"] = fac
    families = {v.family for v in check(instance, tables, rec.objective)}
    assert {"hub_capacity", "open_flow_linking"} <= families


def test_a_wrong_written_leakage_by_commodity_is_caught(solved):
    instance, rec = solved
    tables = rec.solution.tables()
    by_k = tables["leakage_by_commodity"].copy()
    # the builders' 100 t of PCB are all collected and nothing is exported: 0 t leak
    assert by_k.set_index("commodity").at["pcb", "leakage_t_per_yr"] == 0.0
    by_k.loc[by_k["commodity"] == "pcb", "leakage_t_per_yr"] = 1.0
    tables["leakage_by_commodity"] = by_k
    violations = check(instance, tables, rec.objective)
    assert [(x.family, x.ids) for x in violations] == [("export_leakage", "pcb")]


def test_a_written_folder_missing_a_declared_column_is_a_results_error(solved):
    _, rec = solved
    path = rec.result_dir / "flows.csv"
    pd.read_csv(path).drop(columns=["path_modes"]).to_csv(path, index=False)
    with pytest.raises(ResultsError, match=r"flows\.csv, row 1, column 'path_modes'"):
        check_folder(rec.result_dir)
