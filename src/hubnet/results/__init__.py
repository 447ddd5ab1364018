"""Results: the `Solution` tables, extraction from the model, and the independent checker."""

from hubnet.results.check import Violation, check
from hubnet.results.solution import TABLE_NAMES, Solution

__all__ = ["TABLE_NAMES", "Solution", "Violation", "check"]
