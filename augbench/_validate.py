"""Input checks that raise clear errors naming the parameter, the bad value and what is allowed.

Use these (never ``assert``) for anything a user passes in.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any


def check_option(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``allowed``, else raise ``ValueError`` naming both."""
    allowed = list(allowed)
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not valid; expected one of {', '.join(map(repr, allowed))}")
    return value


def check_range(name: str, value: Any, low: float | None = None, high: float | None = None, *,
                low_inclusive: bool = True, high_inclusive: bool = True) -> Any:
    """Return ``value`` if it is a finite number within [low, high] (ends as flagged), else raise ``ValueError``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name}={value!r} is not a number") from None
    if math.isnan(v):
        raise ValueError(f"{name} is NaN; expected a number")
    lo_ok = low is None or (v >= low if low_inclusive else v > low)
    hi_ok = high is None or (v <= high if high_inclusive else v < high)
    if not (lo_ok and hi_ok):
        lb = "-inf" if low is None else f"{low}"
        hb = "inf" if high is None else f"{high}"
        lbr = "[" if low_inclusive and low is not None else "("
        hbr = "]" if high_inclusive and high is not None else ")"
        raise ValueError(f"{name}={value!r} is out of range; expected a value in {lbr}{lb}, {hb}{hbr}")
    return value


def check_int(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as ``int`` if it is an integer (bools refused) within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, (int,)) and not (
            hasattr(value, "__index__") and not isinstance(value, float)):
        raise TypeError(f"{name}={value!r} must be an integer")
    value = int(value)
    check_range(name, value, low, high)
    return value
