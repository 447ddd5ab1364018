"""Bad input gets one clear report naming file, row, column and what was expected."""

from __future__ import annotations

import pytest
from builders import base_tables, write_instance

from hubnet.errors import InputError
from hubnet.instance import load_instance


def problems(tmp_path, tables=None, settings=None) -> list[str]:
    folder = write_instance(tmp_path / "inst", tables, settings)
    with pytest.raises(InputError) as info:
        load_instance(folder)
    return [str(i) for i in info.value.issues]


def test_the_base_instance_is_valid(tmp_path):
    inst = load_instance(write_instance(tmp_path / "inst"))
    assert list(inst.sites["id"]) == ["S1", "H1", "M1"]
    assert inst.supply["generation_t_per_yr"].tolist() == [100.0]


def test_missing_file(tmp_path):
    folder = write_instance(tmp_path / "inst")
    (folder / "supply.csv").unlink()
    with pytest.raises(InputError) as info:
        load_instance(folder)
    assert "supply.csv; expected the file to exist" in str(info.value)


def test_missing_column(tmp_path):
    tables = base_tables()
    for row in tables["supply"]:
        del row["generation_t_per_yr"]
    [msg] = problems(tmp_path, tables)
    assert msg.startswith("supply.csv, row 1, column 'generation_t_per_yr'")
    assert "tonnes generated a year" in msg


def test_unknown_id(tmp_path):
    tables = base_tables()
    tables["supply"][0]["site"] = "S9"
    [msg] = problems(tmp_path, tables)
    assert msg == (
        "supply.csv, row 2, column 'site': got 'S9'; expected an id listed in sites.csv (id)"
    )


def test_negative_amount(tmp_path):
    tables = base_tables()
    tables["supply"][0]["generation_t_per_yr"] = -5
    [msg] = problems(tmp_path, tables)
    assert msg == (
        "supply.csv, row 2, column 'generation_t_per_yr': got '-5'; expected a non-negative number"
    )


def test_text_in_a_number_and_share_out_of_range_are_both_reported(tmp_path):
    tables = base_tables()
    tables["capacity_levels"][0]["capacity_t_per_yr"] = "lots"
    tables["recovery"][0]["recovery_share"] = 1.5
    msgs = problems(tmp_path, tables)
    assert any(
        "capacity_levels.csv, row 2, column 'capacity_t_per_yr': got 'lots'" in m for m in msgs
    )
    assert any("recovery.csv, row 2, column 'recovery_share': got '1.5'" in m for m in msgs)


def test_site_of_the_wrong_kind(tmp_path):
    tables = base_tables()
    tables["supply"][0]["site"] = "H1"
    [msg] = problems(tmp_path, tables)
    assert "supply.csv, row 2, column 'site': got 'H1'; expected a site of kind 'source'" in msg


def test_duplicate_id_and_bad_coordinates(tmp_path):
    tables = base_tables()
    tables["sites"].append(dict(tables["sites"][0]))
    tables["sites"][1]["lat"] = 95
    msgs = problems(tmp_path, tables)
    assert any("sites.csv, row 5, column 'id': got 'S1'" in m for m in msgs)
    assert any("sites.csv, row 3, column 'lat'" in m for m in msgs)


def test_unknown_setting(tmp_path):
    msgs = problems(tmp_path, settings={"policy": {"co2_prise": 5}})
    assert msgs == [
        "instance.toml, column 'policy.co2_prise': got 5; expected a known key "
        "(co2_price_jpy_per_t, co2_cap_t_per_yr, capital_budget_jpy_per_yr, "
        "single_sourcing, collection_incentive_jpy_per_t)"
    ]


def test_shift_jis_and_bom_files_read(tmp_path):
    folder = write_instance(tmp_path / "inst")
    sites = (folder / "sites.csv").read_text(encoding="utf-8")
    sites = sites.replace("Hub 1", "北九州ハブ")
    (folder / "sites.csv").write_bytes(sites.encode("cp932"))
    supply = (folder / "supply.csv").read_text(encoding="utf-8")
    (folder / "supply.csv").write_bytes(b"\xef\xbb\xbf" + supply.encode("utf-8"))
    inst = load_instance(folder)
    assert inst.sites.set_index("id").at["H1", "name"] == "北九州ハブ"
    assert inst.supply.columns[0] == "site"


def test_a_commodity_no_hub_accepts(tmp_path):
    tables = base_tables()
    tables["commodities"].append({"id": "lib", "name": "Li-ion", "hub_yield_share": 0.4})
    tables["supply"].append({"site": "S1", "commodity": "lib", "generation_t_per_yr": 5})
    [msg] = problems(tmp_path, tables)
    assert msg == (
        "commodities.csv, row 3, column 'id': got 'lib'; "
        "expected a hub in facilities.csv accepting it"
    )


def test_a_recovery_rate_for_an_element_never_contained(tmp_path):
    tables = base_tables()
    tables["elements"].append({"id": "Nd", "name": "Neodymium", "price_jpy_per_kg": 10000})
    tables["recovery"].append({"facility": "M1", "element": "Nd", "recovery_share": 0.9})
    [msg] = problems(tmp_path, tables)
    assert msg == (
        "recovery.csv, row 3, column 'element': got 'Nd'; "
        "expected an element some commodity contains"
    )


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    tables = base_tables()
    tables["supply"][0]["generation_t_per_yr"] = -1
    tables["sites"][0]["lon"] = 500
    tables["facilities"][0]["accepts"] = "gold_bars"
    msgs = problems(tmp_path, tables)
    # the three mistakes, and the consequence of the third: no hub takes pcb any more
    assert [m.split(":")[0] for m in msgs] == [
        "supply.csv, row 2, column 'generation_t_per_yr'",
        "sites.csv, row 2, column 'lon'",
        "facilities.csv, row 2, column 'accepts'",
        "commodities.csv, row 2, column 'id'",
    ]


def test_blank_accepts_is_reported_not_a_crash(tmp_path):
    """Found by the fuzzer: an empty list cell."""
    tables = base_tables()
    tables["facilities"][0]["accepts"] = ""
    msgs = problems(tmp_path, tables)
    assert (
        msgs[0] == "facilities.csv, row 2, column 'accepts': got ''; expected commodity ids or '*'"
    )
