"""Run an optimizer on a landscape and record where it went.

This is the bridge between :mod:`optlib.optim` and :mod:`optlib.viz`: it takes a landscape and
an optimizer class, and returns plain arrays (points and losses) that any plot or player can
draw. A run that blows up stops at the first non-finite value and keeps every finite point
before it, so a divergent learning rate still gives a picture, never a crash.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import torch
from torch.optim import Optimizer

from optlib.landscapes import Landscape

__all__ = ["Trajectory", "run"]


@dataclass(frozen=True)
class Trajectory:
    """The recorded path of one optimizer run.

    Attributes:
        points: positions ``x_0, ..., x_T``; shape ``(T + 1, dim)`` (``(T + 1,)`` in 1-D).
            Only finite points are kept.
        losses: ``f(x_t)`` at each kept point, shape ``(T + 1,)``.
        diverged_at: the first step whose position or loss was not finite, else ``None``.
        label: a name for legends.
    """

    points: np.ndarray
    losses: np.ndarray
    diverged_at: int | None
    label: str = ""

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def status(self) -> str:
        """One line that says how the run ended."""
        final = f"final loss {self.losses[-1]:.4g}" if len(self.losses) else "no finite point"
        if self.diverged:
            return f"{self.label or 'run'}: diverged at step {self.diverged_at} ({final} before it)"
        return f"{self.label or 'run'}: {len(self.losses) - 1} steps, {final}"


def run(
    landscape: Landscape | Callable[[torch.Tensor], torch.Tensor],
    optimizer: type[Optimizer] | Callable[..., Optimizer],
    x0: float | Sequence[float],
    steps: int,
    *,
    scheduler: Callable[[Optimizer], Any] | None = None,
    label: str = "",
    dtype: torch.dtype = torch.float64,
    **hparams: Any,
) -> Trajectory:
    """Minimize ``landscape`` from ``x0`` for ``steps`` steps and record the path.

    Args:
        landscape: a :class:`~optlib.landscapes.Landscape` or any scalar function of a tensor.
        optimizer: an optimizer class (``optlib.optim.SGD``, ``torch.optim.Adam``, ...) or any
            callable ``optimizer([x], **hparams)`` that returns one.
        x0: the starting point (a number for 1-D landscapes).
        steps: number of optimizer steps (>= 0).
        scheduler: optional ``scheduler(opt)`` factory, e.g.
            ``lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, 0.9)``; stepped once per
            step.
        label: name for legends (default: the optimizer's class name).
        dtype: float64 by default, so trajectories are exact enough to test against.
        **hparams: passed to ``optimizer`` (``lr=0.1``, ``momentum=0.9``, ...).

    Returns:
        A :class:`Trajectory`. Divergence is recorded in ``diverged_at``, not raised.
    """
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"Invalid steps: {steps} (must be an integer >= 0)")
    x = torch.tensor(x0, dtype=dtype, requires_grad=True)
    if not torch.isfinite(x).all():
        raise ValueError(f"Invalid x0: {x0} (must be finite)")
    opt = optimizer([x], **hparams)
    sched = scheduler(opt) if scheduler is not None else None

    points: list[np.ndarray] = []
    losses: list[float] = []
    diverged_at = None
    for t in range(steps + 1):
        opt.zero_grad()
        loss = landscape(x)
        if not (torch.isfinite(x).all() and math.isfinite(loss.item())):
            diverged_at = t
            break
        points.append(x.detach().numpy().copy())
        losses.append(loss.item())
        if t == steps:
            break
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()

    shape = (0,) + tuple(x.shape)
    return Trajectory(
        points=np.stack(points) if points else np.empty(shape),
        losses=np.asarray(losses, dtype=np.float64),
        diverged_at=diverged_at,
        label=label or getattr(optimizer, "__name__", type(opt).__name__),
    )
