"""The command line: exit codes, messages without tracebacks, the planner's brief."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import base_tables, write_instance

JAPAN = Path(__file__).resolve().parents[1] / "instances" / "japan"


def hubnet(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from hubnet.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def test_solve_prints_a_brief_and_writes_the_folder(tmp_path):
    folder = write_instance(tmp_path / "inst")
    out = tmp_path / "res"
    p = hubnet("solve", str(folder), "--out", str(out), "--no-maps")
    assert p.returncode == 0, p.stderr
    assert "tiny / baseline" in p.stdout and "optimal" in p.stdout
    assert "Hub 1 (H1)" in p.stdout
    # the 100 t generated go through H1's level L (200 t) to M1 (1,000 t existing)
    assert "Hubs in use: 1 (1 opened)" in p.stdout
    rows = [" ".join(line.replace("│", " ").split()) for line in p.stdout.splitlines()]
    assert "Hub 1 (H1) L 100 t 50%" in rows
    assert "Smelter 1 (M1) - 100 t 10%" in rows
    assert (out / "summary.json").exists()
    c = hubnet("check", str(out))
    assert c.returncode == 0, c.stderr
    assert "objective" in c.stdout


def test_bad_input_exits_2_with_file_row_column_and_no_traceback(tmp_path):
    tables = base_tables()
    tables["supply"][0]["generation_t_per_yr"] = -1
    folder = write_instance(tmp_path / "inst", tables)
    for cmd in ("validate", "solve"):
        p = (
            hubnet(cmd, str(folder), "--out", str(tmp_path / "res"))
            if cmd == "solve"
            else hubnet(cmd, str(folder))
        )
        assert p.returncode == 2
        assert "supply.csv, row 2, column 'generation_t_per_yr'" in p.stderr
        assert "Traceback" not in p.stderr + p.stdout
    assert not (tmp_path / "res").exists()


def test_missing_instance_folder(tmp_path):
    p = hubnet("validate", str(tmp_path / "nowhere"))
    assert p.returncode == 2
    assert "Traceback" not in p.stderr


def test_infeasible_exits_3_and_writes_nothing(tmp_path):
    tables = base_tables()
    tables["commodities"][0]["max_leakage_share"] = 0.0  # all 100 t must be collected ...
    tables["capacity_levels"][0]["capacity_t_per_yr"] = 50  # ... but the hub holds 50 t
    folder = write_instance(tmp_path / "inst", tables)
    p = hubnet("solve", str(folder), "--out", str(tmp_path / "res"), "--no-maps")
    assert p.returncode == 3
    assert "tiny is infeasible" in p.stderr
    assert "Traceback" not in p.stderr
    # the folder holds the diagnosis, and nothing that looks like a solution
    assert sorted(x.name for x in (tmp_path / "res").iterdir()) == ["diagnosis.txt", "summary.json"]


def test_a_recovery_target_no_smelter_can_meet_is_diagnosed(tmp_path):
    """Palladium is in the PCB but no smelter recovers it: a target of 1 t can never be met
    (0 t recovered whatever the plan). An infeasibility like any other: exit 3 and the
    diagnosis names the target and the element."""
    tables = base_tables()
    tables["elements"].append(
        {"id": "Pd", "name": "Palladium", "price_jpy_per_kg": 1000, "min_recovered_t_per_yr": 1}
    )
    tables["contents"].append({"commodity": "pcb", "element": "Pd", "content_g_per_t": 50})
    folder = write_instance(tmp_path / "inst", tables)
    out = tmp_path / "res"
    p = hubnet("solve", str(folder), "--out", str(out), "--no-maps")
    assert p.returncode == 3, p.stderr
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr
    text = (out / "diagnosis.txt").read_text(encoding="utf-8")
    assert "[recovery_targets] smelters must recover at least 1 t of Pd" in text
    assert "no smelter recovers Pd" in text
    assert "[recovery_targets]" in p.stderr  # printed, not read as markup


def test_check_rejects_a_tampered_folder(tmp_path):
    folder = write_instance(tmp_path / "inst")
    out = tmp_path / "res"
    assert hubnet("solve", str(folder), "--out", str(out), "--no-maps").returncode == 0
    flows = (out / "flows.csv").read_text(encoding="utf-8").replace(",100,", ",101,", 1)
    (out / "flows.csv").write_text(flows, encoding="utf-8")
    p = hubnet("check", str(out))
    assert p.returncode == 5
    assert "violation" in p.stderr


def test_ctrl_c_exits_130_and_writes_nothing(tmp_path):
    """Ctrl-C half a second into the branch and bound (7 s for the default instance to a
    proven optimum): exit 130, no results folder. That HiGHS itself stops is tested in
    tests/solve/test_relaxation.py.

    The child first makes Ctrl-C raise KeyboardInterrupt, as in a terminal: a shell that
    starts the tests in the background without job control hands them SIGINT ignored, and
    Python keeps it ignored (the run went on and exited 0)."""
    out = tmp_path / "res"
    code = (
        "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from hubnet.cli import main; main()"
    )
    p = subprocess.Popen(
        [sys.executable, "-c", code, "-v", "solve"]
        + [str(JAPAN), "--out", str(out), "--no-maps", "--gap", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    for line in p.stderr:
        if "HiGHS: solving" in line:  # the branch and bound starts
            break
    time.sleep(0.5)
    assert p.poll() is None, "the solve ended before it could be interrupted"
    p.send_signal(signal.SIGINT)
    assert p.wait(timeout=120) == 130
    assert not out.exists()


def test_a_plan_the_checker_rejects_is_invalid_not_optimal(tmp_path, monkeypatch, capsys):
    """HiGHS calls the plan optimal, but the checker (made to object here: the subject is how
    its verdict travels) rejects it: status `invalid` in the brief, summary.json and the
    comparison, the tables still written for the planner to look at, exit 5."""
    import hubnet.run
    from hubnet.cli import main
    from hubnet.compare import compare
    from hubnet.results import Violation

    rejected = [Violation("smelter_capacity", "sm_smm_lib", "takes 101 t > capacity 100 t")]
    monkeypatch.setattr(hubnet.run, "check", lambda *args, **kwargs: rejected)
    folder = write_instance(tmp_path / "inst")
    out = tmp_path / "res"
    monkeypatch.setattr(
        sys, "argv", ["hubnet", "solve", str(folder), "--out", str(out), "--no-maps"]
    )
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 5
    printed = capsys.readouterr()
    assert "tiny / baseline: invalid" in printed.out
    assert "optimal" not in printed.out.lower()
    assert "smelter_capacity [sm_smm_lib]: takes 101 t" in printed.err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "invalid"
    assert "optimal" not in summary["termination"].lower()
    assert summary["check"]["passed"] is False
    assert (out / "flows.csv").exists()
    table = compare([out], tmp_path / "cmp")
    assert table["status"].tolist() == ["invalid"]
    assert "optimal" not in (tmp_path / "cmp" / "compare.html").read_text(encoding="utf-8")


def test_ids_in_square_brackets_are_printed(tmp_path):
    """Rich would read `[hub_a, pcb]` as markup and drop it: ids are escaped when printed."""
    tables = json.loads(json.dumps(base_tables()).replace('"H1"', '"hub_a"'))
    folder = write_instance(tmp_path / "inst", tables)
    out = tmp_path / "res"
    assert hubnet("solve", str(folder), "--out", str(out), "--no-maps").returncode == 0
    flows = (out / "flows.csv").read_text(encoding="utf-8").replace(",100,", ",101,", 1)
    (out / "flows.csv").write_text(flows, encoding="utf-8")
    p = hubnet("check", str(out))
    assert p.returncode == 5
    assert "hub_mass_balance [hub_a, pcb]" in p.stderr


def test_each_error_type_has_its_exit_code():
    from hubnet.cli import exit_code
    from hubnet.errors import (
        CheckError,
        HubnetError,
        InfeasibleError,
        InputError,
        Issue,
        ResultsError,
        ScenarioError,
        SolveError,
    )

    issue = Issue("f.csv", 2, "c", 1, "something")
    assert exit_code(CheckError("x")) == 5
    assert exit_code(SolveError("x")) == 4
    assert exit_code(InfeasibleError("x")) == 3
    for error in (InputError(issue), ScenarioError(issue), ResultsError(issue)):
        assert exit_code(error) == 2
    assert exit_code(FileNotFoundError("x")) == 2
    # a bug is not bad input
    for error in (ValueError("x"), KeyError("x"), HubnetError("x"), RuntimeError("x")):
        assert exit_code(error) == 1


def test_a_bug_is_an_internal_error_not_bad_input(tmp_path):
    """A ValueError raised inside a run (here planted in the pipeline) exits 1 with a hint
    to rerun with --debug, and no traceback."""
    code = (
        "import hubnet.run as r\n"
        "def broken(*a, **k): raise ValueError('a bug')\n"
        "r.run_one = broken\n"
        "from hubnet.cli import main; main()"
    )
    folder = write_instance(tmp_path / "inst")
    p = subprocess.run(
        [sys.executable, "-c", code, "solve", str(folder), "--out", str(tmp_path / "res")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 1
    assert "internal error: ValueError: a bug" in p.stderr and "--debug" in p.stderr
    assert "Traceback" not in p.stderr


def test_a_folder_that_is_not_a_results_folder_exits_2(tmp_path):
    (tmp_path / "empty").mkdir()
    p = hubnet("check", str(tmp_path / "empty"))
    assert p.returncode == 2
    # the console wraps long lines
    assert "summary.json" in p.stderr.replace("\n", "") and "Traceback" not in p.stderr
    folder = write_instance(tmp_path / "inst")
    p = hubnet("solve", str(folder), "--no-maps", "--warm-start", str(tmp_path / "empty"))
    assert p.returncode == 2
    assert "facilities.csv" in p.stderr.replace("\n", "") and "Traceback" not in p.stderr
