"""Argument checks shared by :mod:`optlib.train` and :mod:`optlib.stopping`.

Every check names the argument in torch's style (``Invalid batch_size: 0 (...)``) and accepts
what Python counts as a number: numpy integers are integers (:class:`numbers.Integral`) and
numpy floats are real numbers (:class:`numbers.Real`); ``True`` and ``False`` are neither.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from torch import Tensor

MAX_SAMPLES = 10**8
"""The most points a data set or an epoch may hold here (a bound for the memory)."""

__all__ = ["MAX_SAMPLES", "SEEDS", "flag", "integer", "is_integer", "real", "seed", "tensor"]

SEEDS = (-(2**63), 2**64 - 1)
"""The seeds :meth:`torch.Generator.manual_seed` accepts."""


def is_integer(value: Any) -> bool:
    """Whether ``value`` is an integer (a Python or numpy int, not a bool)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def integer(name: str, value: Any, minimum: int, maximum: int = 2**63 - 1) -> int:
    """``value`` as a Python ``int``; ``ValueError`` naming ``name`` unless it lies in
    ``[minimum, maximum]`` (by default, what a torch ``int64`` holds)."""
    if not is_integer(value) or value < minimum:
        raise ValueError(f"Invalid {name}: {value!r} (must be an integer >= {minimum})")
    if value > maximum:
        raise ValueError(f"Invalid {name}: {value!r} (must be at most {maximum})")
    return int(value)


def real(
    name: str,
    value: Any,
    *,
    low: float = -math.inf,
    low_open: bool = False,
    what: str = "a finite number",
) -> float:
    """``value`` as a Python ``float``; ``ValueError`` naming ``name`` unless it is finite and
    ``>= low`` (``> low`` if ``low_open``). ``what`` describes the allowed values."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        v = float(value)
        ok = math.isfinite(v) and (v > low if low_open else v >= low)
    if not ok:
        raise ValueError(f"Invalid {name}: {value!r} (must be {what})")
    return v


def seed(name: str, value: Any) -> int:
    """``value`` as an ``int`` that ``torch.Generator.manual_seed`` accepts."""
    return integer(name, value, *SEEDS)


def flag(name: str, value: Any) -> bool:
    """``value`` as a ``bool``; ``TypeError`` naming ``name`` unless it is True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"Invalid {name}: {value!r} (must be True or False)")
    return bool(value)


def tensor(name: str, value: Any) -> Tensor:
    """``value`` if it is a tensor with a first dimension (of samples), else an error."""
    if not isinstance(value, Tensor):
        hint = " (convert it with torch.as_tensor)" if hasattr(value, "__array__") else ""
        raise TypeError(
            f"Invalid {name}: a {type(value).__module__}.{type(value).__qualname__}"
            f", not a torch.Tensor{hint}"
        )
    if value.ndim == 0:
        raise ValueError(
            f"Invalid {name}: a 0-d tensor (its first dimension must count the samples)"
        )
    return value
