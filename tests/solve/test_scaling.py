"""The powers of two HiGHS rescales costs and bounds by."""

from __future__ import annotations

import numpy as np

from hubnet.solve.highs import scale_exponents


def test_largest_cost_near_1e3_and_largest_bound_near_1e2():
    # 2^30 yen -> 2^10; 2^17 tonnes -> 2^6, the smallest bound (2^12) still 2 after it
    assert scale_exponents(np.array([2.0**30, 5.0]), np.array([2.0**17, 2.0**12])) == (-20, -11)
    # a smallest bound of 2^10 stops it at 2^-10
    assert scale_exponents(np.array([2.0**30]), np.array([2.0**17, 2.0**10])) == (-20, -10)


def test_no_bound_is_scaled_below_one():
    # shares bounded by 1 beside 10^6 t of capacity: HiGHS's absolute tolerances would
    # otherwise loosen a share row by 2^13 x 1e-6 (0.8 %)
    assert scale_exponents(np.array([1e9]), np.array([1e6, 1.0, 0.0, np.inf]))[1] == 0
    assert scale_exponents(np.array([1e9]), np.array([1e6, 57.0]))[1] == -5


def test_nothing_small_is_scaled_up():
    assert scale_exponents(np.array([0.5]), np.array([0.25])) == (0, 0)
