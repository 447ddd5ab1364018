"""Corrupt a valid instance at random: every corruption ends in a clean validation error or
a valid, checked solution, never in an exception escaping to the user."""

from __future__ import annotations

import io
import shutil

import pandas as pd
from builders import write_instance
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubnet.errors import HubnetError, InputError
from hubnet.run import RunOptions, run_one

FILES = (
    "sites.csv",
    "commodities.csv",
    "elements.csv",
    "contents.csv",
    "supply.csv",
    "facilities.csv",
    "capacity_levels.csv",
    "recovery.csv",
    "lanes.csv",
)


def corrupt(folder, data) -> str:
    name = data.draw(st.sampled_from(FILES))
    path = folder / name
    raw = path.read_bytes()
    df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
    op = data.draw(
        st.sampled_from(
            ["drop_column", "text", "negate", "dangle", "truncate", "encoding", "blank"]
        )
    )
    if op == "truncate":
        path.write_bytes(raw[: data.draw(st.integers(0, len(raw)))])
    elif op == "encoding":
        enc = data.draw(st.sampled_from(["cp932", "utf-16", "utf-8-sig", "latin-1"]))
        text = raw.decode("utf-8").replace("Hub 1", "北九州ハブ")
        try:
            path.write_bytes(text.encode(enc))
        except UnicodeEncodeError:
            path.write_bytes(raw.decode("utf-8").encode(enc))
    elif op == "drop_column":
        col = data.draw(st.sampled_from(list(df.columns)))
        df.drop(columns=[col]).to_csv(path, index=False)
    elif len(df):
        row = data.draw(st.integers(0, len(df) - 1))
        col = data.draw(st.sampled_from(list(df.columns)))
        value = df.at[row, col]
        df.at[row, col] = {
            "text": "n/a",
            "negate": f"-{value}" if value else "-1",
            "dangle": "NO_SUCH_ID",
            "blank": "",
        }[op]
        df.to_csv(path, index=False)
    return f"{op} {name}"


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same corruptions on every run: CI is not a lottery
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_corruption_is_refused_cleanly_or_solved_correctly(tmp_path_factory, data):
    base = tmp_path_factory.mktemp("fuzz")
    folder = write_instance(base / "inst")
    what = corrupt(folder, data)
    try:
        rec = run_one(folder, options=RunOptions(out_dir=base / "out", maps=False))
    except InputError as e:
        assert e.issues, what
        for issue in e.issues:  # every problem says where it is and what was expected
            assert issue.file.endswith((".csv", ".toml")) or "inst" in issue.file, what
            assert issue.expected, what
        assert not (base / "out").exists(), what
        return
    except HubnetError:
        return
    if rec.solution is not None:
        assert rec.violations == [], what
    shutil.rmtree(base, ignore_errors=True)
