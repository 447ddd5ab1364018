"""Amounts as a planner reads them: one yen format for every printed or drawn output."""

from __future__ import annotations

import math


def yen(value: object, missing: str = "n/a") -> str:
    """`¥1.23 bn`, `¥4.5 M` or `¥950` (a minus sign in front: `-¥1.23 bn`).

    `missing` stands in for None, NaN or anything that is not a number.
    """
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return missing
    if math.isnan(v):
        return missing
    a = abs(v)
    sign = "-" if v < 0 and a >= 0.5 else ""  # nothing that prints as ¥0 gets a sign
    # the unit follows the value as printed: 999,999,999 is ¥1.00 bn, not ¥1,000.0 M
    if round(a / 1e6, 1) >= 1000:
        return f"{sign}¥{a / 1e9:,.2f} bn"
    if round(a) >= 1e6:
        return f"{sign}¥{a / 1e6:,.1f} M"
    return f"{sign}¥{a:,.0f}"
