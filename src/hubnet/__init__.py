"""hubnet: least-cost recycling-hub networks for urban mining (Pyomo MILP solved with HiGHS)."""

__version__ = "0.1.0"
