"""The LP with the plan's integers fixed: it clears the flow a binary within the integrality
tolerance lets into a shut hub, and its duals are HiGHS's, unscaled."""

from __future__ import annotations

import numpy as np
import pytest
from builders import far_hub, write_instance

from hubnet.report import SolveOptions
from hubnet.results import check
from hubnet.results.extract import extract
from hubnet.run import build, prepare
from hubnet.solve.fixed import price_network
from hubnet.solve.highs import branch_and_bound, handoff, load_values


def _shut_h1(tmp_path):
    """far_hub with H1's fixed cost at 200,000: H1 stays shut, 180 t go through H2 at a
    loss of 205 JPY/t: optimum 36,900 (tests/results/test_marginals.py)."""
    tables = far_hub()
    tables["capacity_levels"][0]["fixed_cost_jpy_per_yr"] = 200_000
    instance, _ = prepare(write_instance(tmp_path / "inst", tables))
    model, data, lanes = build(instance)
    return instance, model, data, lanes


def _column(compiled, name: str) -> int:
    return next(j for j, v in enumerate(compiled.columns) if v.name == name)


def test_flow_a_tolerated_binary_let_into_a_shut_hub_is_cleared(tmp_path):
    """HiGHS may return H1's level at 1e-7 (within its integrality tolerance) with 0.001 t on
    the lane into H1: snapped to 0 the plan breaks the linking rule and H1's capacity (0),
    which the checker rejects. The LP with the level fixed at 0 sends those tonnes
    elsewhere: the checker passes and the objective is the optimum, 36,900."""
    instance, model, data, lanes = _shut_h1(tmp_path)
    compiled = handoff(model, SolveOptions())
    report = branch_and_bound(model, SolveOptions(marginals=False), compiled=compiled)
    assert report.objective == pytest.approx(36_900.0, abs=1e-6)
    values = np.array([v.value or 0.0 for v in compiled.columns])
    level = _column(compiled, "open_level[H1,a]")
    into, onto = _column(compiled, "flow[S>H1,pcb]"), _column(compiled, "flow[H1>M,pcb]")
    noisy = values.copy()
    noisy[level], noisy[into], noisy[onto] = 1e-7, 1e-3, 1e-3
    noisy[_column(compiled, "flow[S>H2,pcb]")] -= 1e-3
    noisy[_column(compiled, "flow[H2>M,pcb]")] -= 1e-3

    load_values(model, compiled.columns, np.where(compiled.integer, np.round(noisy), noisy))
    as_returned = extract(model, data, instance, lanes, report)
    broken = check(instance, as_returned.tables(), None)
    assert {v.family for v in broken} == {"open_flow_linking", "hub_capacity"}

    got = price_network(compiled, noisy)
    assert got is not None
    assert got.values[into] == 0.0 and got.values[onto] == 0.0
    assert got.objective == pytest.approx(36_900.0, abs=1e-6)
    load_values(model, compiled.columns, got.values)
    priced = extract(model, data, instance, lanes, report)
    assert check(instance, priced.tables(), got.objective) == []


def test_duals_do_not_depend_on_the_scaling_hubnet_asks_of_highs(tmp_path):
    """HiGHS is told to scale costs and bounds by powers of two; it reports duals unscaled:
    the leakage cap is worth 205 JPY/t with and without the scaling."""
    for auto_scale in (True, False):
        _, model, _, _ = _shut_h1(tmp_path / str(auto_scale))
        options = SolveOptions(auto_scale=auto_scale)
        compiled = handoff(model, options)
        if auto_scale:
            assert compiled.scale != (0, 0)
        branch_and_bound(model, options, compiled=compiled)
        assert model.dual[model.export_leakage["pcb"]] == pytest.approx(-205.0, abs=1e-6)
