"""Bad payable terms get one clear report naming file, row, column and what was expected."""

from __future__ import annotations

import math

import pytest
from builders import base_tables, write_instance

from hubnet.errors import InputError
from hubnet.instance import load_instance


def with_import(price: object = "") -> dict:
    """The base (S1 -> H1 -> M1, PCB) plus origin O1 offering PCB and a second smelter M2
    that also takes PCB."""
    t = base_tables()
    t["sites"] += [
        {"id": "O1", "name": "Origin", "kind": "origin", "lat": 1.0, "lon": 100.0},
        {"id": "M2", "name": "Smelter 2", "kind": "smelter", "lat": 35.0, "lon": 136.5},
    ]
    t["facilities"].append(
        {"site": "M2", "role": "smelter", "processing_cost_jpy_per_t": 0, "accepts": "*"}
    )
    t["imports"] = [
        {"site": "O1", "commodity": "pcb", "available_t_per_yr": 10, "price_jpy_per_t": price}
    ]
    t["terms"] = [{"smelter": "M1", "commodity": "pcb", "treatment_charge_jpy_per_t": 100}]
    t["payables"] = [{"smelter": "M1", "commodity": "pcb", "element": "Au", "payable_share": 0.9}]
    return t


def problems(tmp_path, tables) -> list[str]:
    with pytest.raises(InputError) as info:
        load_instance(write_instance(tmp_path / "inst", tables))
    return [str(i) for i in info.value.issues]


def test_priced_imports_need_no_terms_and_a_missing_price_is_read_as_empty(tmp_path):
    inst = load_instance(write_instance(tmp_path / "a", with_import(price=500)))
    assert inst.imports["price_jpy_per_t"].tolist() == [500.0]
    t = with_import()
    t["terms"].append({"smelter": "M2", "commodity": "pcb", "treatment_charge_jpy_per_t": 0})
    inst = load_instance(write_instance(tmp_path / "b", t))
    assert math.isnan(inst.imports.at[0, "price_jpy_per_t"])


def test_an_import_without_a_price_needs_terms_at_every_smelter_taking_it(tmp_path):
    assert problems(tmp_path, with_import()) == [
        "imports.csv, row 2, column 'price_jpy_per_t': got ''; expected a price, or rows in "
        "terms.csv for pcb at M2"
    ]


def test_a_closed_smelter_needs_no_terms(tmp_path):
    t = with_import()
    t["facilities"][-1]["status"] = "closed"
    load_instance(write_instance(tmp_path / "inst", t))


def test_bad_terms_rows_are_all_reported(tmp_path):
    t = with_import(price=500)
    t["payables"][0]["payable_share"] = 1.5
    t["payables"].append(
        {"smelter": "M2", "commodity": "pcb", "element": "Au", "payable_share": 0.5}
    )
    t["terms"].append({"smelter": "H1", "commodity": "pcb", "treatment_charge_jpy_per_t": 0})
    assert problems(tmp_path, t) == [
        "payables.csv, row 2, column 'payable_share': got '1.5'; expected a share between 0 and 1",
        "terms.csv, row 3, column 'smelter': got 'H1'; expected a smelter in facilities.csv",
        "payables.csv, row 3, column 'commodity': got 'pcb'; expected a row for M2 and pcb in "
        "terms.csv",
    ]


def test_an_import_without_a_price_whose_hub_output_is_nil_is_reported(tmp_path):
    t = with_import()
    t["commodities"][0]["hub_yield_share"] = 0.0
    assert problems(tmp_path, t) == [
        "imports.csv, row 2, column 'price_jpy_per_t': got ''; expected a price (pcb has hub "
        "yield 0: no smelter pays for it at its terms)"
    ]
