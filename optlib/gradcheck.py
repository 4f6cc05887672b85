r"""Check a gradient by central finite differences.

A hand-derived gradient is a claim; finite differences are the independent witness. For a
scalar function :math:`f` and a small step :math:`h`,

.. math::

    \frac{\partial f}{\partial x_i}(x) \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h},

with error :math:`O(h^2)` (the one-sided quotient is only :math:`O(h)`). The two gradients are
then compared by the relative error
:math:`\lVert g_a - g_n \rVert / \max(\lVert g_a \rVert, \lVert g_n \rVert)`, which is
scale-free: around ``1e-7`` in float64 means "equal", ``1e-2`` means a bug.

This is what :func:`torch.autograd.gradcheck` does for autograd functions; here it checks any
gradient, such as one written out by hand in a chapter.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

__all__ = ["check_gradient", "numerical_gradient", "relative_error"]


def numerical_gradient(f: Callable[[Tensor], Tensor], x: Tensor, h: float = 1e-6) -> Tensor:
    """Central-difference gradient of a scalar function ``f`` at ``x``.

    Args:
        f: maps a tensor shaped like ``x`` to a scalar tensor (or a one-element tensor).
        x: the point; it is not modified. Use float64: in float32 the round-off of
            ``f(x + h) - f(x - h)`` swamps the answer for any useful ``h``.
        h: the step (default: 1e-6).

    Returns:
        A tensor shaped like ``x``.
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise ValueError(f"x must be a floating-point tensor, got dtype {x.dtype}")
    if not h > 0:
        raise ValueError(f"Invalid step h: {h} (must be > 0)")
    x = x.detach().clone()
    grad = torch.empty_like(x)
    flat_x, flat_grad = x.view(-1), grad.view(-1)
    with torch.no_grad():
        for i in range(flat_x.numel()):
            xi = flat_x[i].item()
            flat_x[i] = xi + h
            f_plus = _scalar(f(x))
            flat_x[i] = xi - h
            f_minus = _scalar(f(x))
            flat_x[i] = xi
            flat_grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a: Tensor, b: Tensor, floor: float = 1e-12) -> float:
    """``||a - b|| / max(||a||, ||b||, floor)``: 0 for equal tensors, about 1 for unrelated ones."""
    a, b = torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    if a.shape != b.shape:
        raise ValueError(f"Shapes differ: {tuple(a.shape)} vs {tuple(b.shape)}")
    scale = max(a.norm().item(), b.norm().item(), floor)
    return (a - b).norm().item() / scale


def check_gradient(
    f: Callable[[Tensor], Tensor],
    grad: Tensor | Callable[[Tensor], Tensor],
    x: Tensor,
    h: float = 1e-6,
    rtol: float = 1e-6,
) -> float:
    """Compare a claimed gradient of ``f`` at ``x`` with central differences.

    Args:
        f: the scalar function.
        grad: the claimed gradient at ``x``, or a function computing it from ``x``.
        x: the point (float64 recommended).
        h: finite-difference step (default: 1e-6).
        rtol: largest acceptable relative error (default: 1e-6).

    Returns:
        The relative error.

    Raises:
        AssertionError: if the relative error exceeds ``rtol``, with both gradients shown.
    """
    claimed = grad(x) if callable(grad) else grad
    numeric = numerical_gradient(f, x, h)
    err = relative_error(claimed, numeric)
    if not err <= rtol:  # also catches NaN
        raise AssertionError(
            f"gradient check failed: relative error {err:.3e} > rtol={rtol:g}\n"
            f"  claimed:   {claimed.detach().flatten()[:6].tolist()}\n"
            f"  numerical: {numeric.flatten()[:6].tolist()}"
        )
    return err


def _scalar(value: Tensor) -> float:
    value = torch.as_tensor(value)
    if value.numel() != 1:
        raise ValueError(f"f must return a scalar, got shape {tuple(value.shape)}")
    return value.item()
