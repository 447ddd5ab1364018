"""Constraint families carry their roles in the registry: the sets the solver and the
diagnosis use are computed from those roles, so a renamed family keeps its role and a
dropped one fails here. Families are named by their equation numbers in
models/formulation.md, which a rename leaves alone."""

from __future__ import annotations

import dataclasses

import pytest

import hubnet.model as model
from hubnet.model import (
    CAPACITY_FAMILIES,
    ELASTIC_FAMILIES,
    FAMILIES,
    LINKING_FAMILIES,
    SOURCE_FAMILIES,
    VALID_INEQUALITIES,
    Role,
    families_with,
)

#: by hand from models/formulation.md: the equations of each role's families (the valid
#: inequality (11) and the valid equality (10g) of single sourcing are derived rows)
EQUATIONS = {
    # the planner's rules: collection reach, hub capacity and minimum, one level, smelter
    # capacity, import availability and permits, the three leakage caps, recovery and
    # supply-share targets, the CO2 cap, port throughput and the capital budget
    Role.ELASTIC: {"1", "3a", "3b", "3c", "5", "6", "7", "8a", "8b", "8c", "10b", "10c", "10d"}
    | {"10e", "10h"},
    Role.LINKING: {"9"},
    Role.SOURCE: {"1", "2"},
    Role.CAPACITY: {"3a", "5"},
    Role.VALID_INEQUALITY: {"10g", "11"},
}
DERIVED = {
    Role.ELASTIC: ELASTIC_FAMILIES,
    Role.LINKING: LINKING_FAMILIES,
    Role.SOURCE: SOURCE_FAMILIES,
    Role.CAPACITY: CAPACITY_FAMILIES,
    Role.VALID_INEQUALITY: VALID_INEQUALITIES,
}


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_is_carried_by_the_families_of_its_equations(role):
    by_equation = {f.equation: f.name for f in FAMILIES}
    assert DERIVED[role] == {by_equation[eq] for eq in EQUATIONS[role]}
    assert DERIVED[role] == families_with(role)
    assert DERIVED[role] <= {f.name for f in FAMILIES}


def test_a_renamed_family_keeps_its_role(monkeypatch):
    renamed = tuple(
        dataclasses.replace(f, name="opening_links") if f.equation == "9" else f for f in FAMILIES
    )
    monkeypatch.setattr(model, "FAMILIES", renamed)
    assert families_with(Role.LINKING) == {"opening_links"}


def test_definitions_and_derived_cuts_are_never_stretched():
    """Mass balance, the opening links and the cover cuts stay hard in a diagnosis."""
    by_equation = {f.equation: f.name for f in FAMILIES}
    assert not {by_equation["4"], by_equation["9"], by_equation["11"]} & ELASTIC_FAMILIES
