"""freight_bands.csv: a bad row gets one clear issue naming file, row, column and expectation."""

from __future__ import annotations

import subprocess
import sys

import pytest
from builders import base_tables, write_instance

from hubnet.errors import InputError
from hubnet.instance import load_instance

ROAD = {"mode": "road", "cost_jpy_per_t_km": 30, "co2_kg_per_t_km": 0.2}


def band(up_to_km, fare=26110, load=10, mode="road"):
    return {
        "mode": mode,
        "up_to_km": up_to_km,
        "fare_jpy_per_trip": fare,
        "load_t_per_trip": load,
    }


def problems(tmp_path, bands) -> list[str]:
    tables = base_tables() | {"modes": [ROAD], "freight_bands": bands}
    with pytest.raises(InputError) as info:
        load_instance(write_instance(tmp_path / "inst", tables))
    return [str(i) for i in info.value.issues]


def test_an_instance_without_the_table_has_no_bands(tmp_path):
    inst = load_instance(write_instance(tmp_path / "inst"))
    assert inst.freight_bands.empty
    assert list(inst.freight_bands.columns) == [
        "mode",
        "up_to_km",
        "fare_jpy_per_trip",
        "load_t_per_trip",
    ]


def test_good_bands_are_read_typed(tmp_path):
    tables = base_tables() | {"modes": [ROAD], "freight_bands": [band(20), band(100, 50480)]}
    inst = load_instance(write_instance(tmp_path / "inst", tables))
    assert inst.freight_bands["up_to_km"].tolist() == [20.0, 100.0]
    assert inst.freight_bands["fare_jpy_per_trip"].tolist() == [26110.0, 50480.0]


def test_a_mode_not_in_modes_csv(tmp_path):
    [msg] = problems(tmp_path, [band(20, mode="truck")])
    assert msg == (
        "freight_bands.csv, row 2, column 'mode': got 'truck'; "
        "expected an id listed in modes.csv (mode)"
    )


def test_bands_out_of_order(tmp_path):
    [msg] = problems(tmp_path, [band(20), band(100, 50480), band(50, 40000)])
    assert msg == (
        "freight_bands.csv, row 4, column 'up_to_km': got 50.0; "
        "expected more than the previous road band's up_to_km (100)"
    )


def test_a_fare_per_tonne_that_falls_with_distance(tmp_path):
    # 100 km: 40,000 over 20 t = 2,000 JPY/t, below the 20 km band's 26,110 / 10 = 2,611
    [msg] = problems(tmp_path, [band(20), band(100, 40000, load=20)])
    assert msg == (
        "freight_bands.csv, row 3, column 'fare_jpy_per_trip': got 2000.0; expected a fare per "
        "tonne (fare / load, here 2000) no lower than the previous road band's (2611 JPY/t)"
    )


def test_a_repeated_band_end(tmp_path):
    [msg] = problems(tmp_path, [band(20), band(20, 30000)])
    assert msg.startswith("freight_bands.csv, row 3, column 'mode+up_to_km'")


@pytest.mark.parametrize("column", ["up_to_km", "fare_jpy_per_trip", "load_t_per_trip"])
def test_a_zero_distance_fare_or_load(tmp_path, column):
    row = band(20) | {column: 0}
    [msg] = problems(tmp_path, [row])
    assert msg == f"freight_bands.csv, row 2, column '{column}': got 0; expected a positive number"


def test_a_negative_fare(tmp_path):
    [msg] = problems(tmp_path, [band(20, fare=-5)])
    assert msg == (
        "freight_bands.csv, row 2, column 'fare_jpy_per_trip': got '-5'; "
        "expected a non-negative number"
    )


def test_the_command_line_reports_a_bad_band_without_a_traceback(tmp_path):
    tables = base_tables() | {"modes": [ROAD], "freight_bands": [band(20, load=0)]}
    folder = write_instance(tmp_path / "inst", tables)
    cmd = [sys.executable, "-c", "from hubnet.cli import main; main()", "validate", str(folder)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert p.returncode == 2
    assert "freight_bands.csv, row 2, column 'load_t_per_trip'" in p.stderr
    assert "Traceback" not in p.stderr + p.stdout
