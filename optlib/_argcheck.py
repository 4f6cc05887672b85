"""Argument checks shared by :mod:`optlib.train` and :mod:`optlib.stopping`.

Every check names the argument in torch's style (``Invalid batch_size: 0 (...)``) and accepts
what Python counts as a number: numpy integers are integers (:class:`numbers.Integral`) and
numpy floats are real numbers (:class:`numbers.Real`); ``True`` and ``False`` are neither.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = ["integer", "is_integer", "real"]


def is_integer(value: Any) -> bool:
    """Whether ``value`` is an integer (a Python or numpy int, not a bool)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def integer(name: str, value: Any, minimum: int) -> int:
    """``value`` as a Python ``int``; ``ValueError`` naming ``name`` unless >= ``minimum``."""
    if not is_integer(value) or value < minimum:
        raise ValueError(f"Invalid {name}: {value!r} (must be an integer >= {minimum})")
    return int(value)


def real(name: str, value: Any, *, low: float = -math.inf, low_open: bool = False,
         what: str = "a finite number") -> float:
    """``value`` as a Python ``float``; ``ValueError`` naming ``name`` unless it is finite and
    ``>= low`` (``> low`` if ``low_open``). ``what`` describes the allowed values."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        v = float(value)
        ok = math.isfinite(v) and (v > low if low_open else v >= low)
    if not ok:
        raise ValueError(f"Invalid {name}: {value!r} (must be {what})")
    return v
