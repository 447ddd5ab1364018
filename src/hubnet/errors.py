"""Errors every layer raises into; the CLI maps each to one exit code, without a traceback."""

from __future__ import annotations

from dataclasses import dataclass


class HubnetError(Exception):
    """Base of every error hubnet reports to a user."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in an input file: where it is and what was expected."""

    file: str
    row: int | None  # 1-based data row as a spreadsheet shows it (header = row 1); None: whole file
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        got = "" if self.value is None else f": got {self.value!r}"
        return f"{where}{got}; expected {self.expected}"


class InputError(HubnetError):
    """The instance folder or a scenario is not valid; lists every issue found."""

    exit_code = 2

    def __init__(self, issues: list[Issue] | Issue, title: str = "invalid input") -> None:
        self.issues = [issues] if isinstance(issues, Issue) else list(issues)
        self.title = title
        super().__init__(self.render())

    def render(self) -> str:
        n = len(self.issues)
        head = f"{self.title}: {n} problem{'s' if n != 1 else ''}"
        return "\n".join([head, *(f"  - {i}" for i in self.issues)])


class ScenarioError(InputError):
    """A scenario file names something the instance does not have, or is malformed."""


class InfeasibleError(HubnetError):
    """The model has no feasible solution; `diagnosis` says which families conflict."""

    exit_code = 3

    def __init__(self, message: str, families: list[str] | None = None) -> None:
        self.families = families or []
        super().__init__(message)


class SolveError(HubnetError):
    """The solver stopped without a usable solution (time limit with no incumbent, error)."""

    exit_code = 4


class CheckError(HubnetError):
    """The independent checker found a violation in a written solution."""

    exit_code = 5


class ResultsError(HubnetError):
    """A results folder lacks a declared file or column, or holds a value of the wrong type."""

    exit_code = 2
