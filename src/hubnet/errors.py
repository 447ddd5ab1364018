"""Errors every layer raises into; the CLI maps each type to one exit code (`cli.EXIT_CODES`),
without a traceback."""

from __future__ import annotations

from dataclasses import dataclass


class HubnetError(Exception):
    """Base of every error hubnet reports to a user."""


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


class ResultsError(InputError):
    """A results folder given to read (check, warm start) is missing a file or a column, or
    cannot be read."""

    def __init__(
        self, issues: list[Issue] | Issue | str, title: str = "not a readable results folder"
    ) -> None:
        # a problem that is no single cell (a path that names no site) comes as a sentence
        self.text = issues if isinstance(issues, str) else None
        super().__init__([] if isinstance(issues, str) else issues, title)

    def render(self) -> str:
        return f"{self.title}: {self.text}" if self.text is not None else super().render()


class InfeasibleError(HubnetError):
    """The model has no feasible solution (or is unbounded); the message says why."""


class SolveError(HubnetError):
    """The solver stopped without a usable solution (time limit with no incumbent, error)."""


class CheckError(HubnetError):
    """The independent checker found a violation in a written solution."""
