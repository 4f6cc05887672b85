"""Run an optimizer on a landscape and record where it went.

This is the bridge between :mod:`optlib.optim` and :mod:`optlib.viz`: it takes a landscape and
an optimizer class, and returns plain arrays (points and losses) that any plot or player can
draw. A run that blows up stops at the first non-finite value and keeps every finite point
before it, so a divergent learning rate still gives a picture, never a crash.

:func:`run_many` runs several optimizers in lock-step and :func:`sweep` runs one optimizer over
a grid of hyperparameters or start points; both give exactly what one :func:`run` per
configuration gives, in one batched computation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence, Union

import numpy as np
import torch
from torch.optim import Optimizer

from optlib.landscapes import Landscape

__all__ = ["SweepResult", "Trajectory", "run", "run_many", "steps_to", "sweep"]


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

    def steps_to(self, tol: float, *, stay: bool = False) -> int | None:
        """The first step with ``f(x_t) < tol`` (see :func:`steps_to`); ``None`` if never."""
        return steps_to(self.losses, tol, stay=stay)


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


def steps_to(
    losses: Sequence[float] | np.ndarray, tol: float, *, stay: bool = False
) -> int | None:
    """How many steps a run needed to get its loss below ``tol``.

    Args:
        losses: the loss after each step, ``losses[t] = f(x_t)`` (a :class:`Trajectory`'s
            ``losses``, or ``History.losses`` from :func:`optlib.train.fit`).
        tol: the target; for a landscape whose minimum is not 0, pass
            ``landscape.minimum + tol``.
        stay: if False (default), the first ``t`` with ``losses[t] < tol``, the same test as
            :attr:`SweepResult.steps_to_tol`. If True, the first ``t`` from which *every*
            later loss is below ``tol``: a run that passes through the target and climbs out
            again, or swings in and out of it, has not got there until it stays.

    Returns:
        The step ``t``, or ``None`` if the run never got (or, with ``stay``, never stayed) there.
    """
    if not math.isfinite(tol):
        raise ValueError(f"Invalid tol: {tol} (must be a finite number)")
    below = np.asarray(losses, dtype=np.float64) < tol
    if not stay:
        hits = np.flatnonzero(below)
        return int(hits[0]) if len(hits) else None
    misses = np.flatnonzero(~below)
    if len(misses) == 0:
        return 0 if len(below) else None
    return None if misses[-1] == len(below) - 1 else int(misses[-1] + 1)


# -- many runs at once ----------------------------------------------------------------------
#
# The two functions below compute exactly what a loop over `run` would, in one batched
# computation. They rest on one fact: a 2-D landscape maps points of shape (N, 2) to N
# independent heights, so the gradient of their *sum* with respect to row i is the gradient of
# the i-th height alone. N problems then cost one forward and one backward pass.

OptimizerSpec = Union[type[Optimizer], Callable[..., Optimizer]]


def run_many(
    landscape: Landscape | Callable[[torch.Tensor], torch.Tensor],
    optimizers: Mapping[str, tuple[OptimizerSpec, Mapping[str, Any]]],
    x0: float | Sequence[float],
    steps: int,
    *,
    dtype: torch.dtype = torch.float64,
) -> dict[str, Trajectory]:
    """Run several optimizers from the same start in lock-step; equal to one :func:`run` each.

    Each optimizer keeps its own parameter, but the landscape is evaluated once per step on
    all of them stacked, and one backward pass fills every gradient. This is what makes an
    explorer widget respond at once: four optimizers cost little more than one.

    Args:
        landscape: an element-wise landscape (every predefined one is).
        optimizers: ``{label: (optimizer class, hparams)}``, e.g.
            ``{"momentum": (optlib.optim.SGD, {"lr": 0.01, "momentum": 0.9})}``.
        x0: the common starting point.
        steps: number of steps (>= 0).
        dtype: float64 by default, like :func:`run`.

    Returns:
        ``{label: Trajectory}``, each equal to ``run(landscape, cls, x0, steps, **hparams)``.
    """
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"Invalid steps: {steps} (must be an integer >= 0)")
    start = torch.tensor(x0, dtype=dtype)
    if not torch.isfinite(start).all():
        raise ValueError(f"Invalid x0: {x0} (must be finite)")
    labels = list(optimizers)
    xs = [start.clone().requires_grad_(True) for _ in labels]
    opts = [cls([x], **dict(hp)) for x, (cls, hp) in zip(xs, optimizers.values())]

    points, losses = [], []
    for t in range(steps + 1):
        for x in xs:
            x.grad = None  # what opt.zero_grad() does, without its per-call overhead
        stacked = torch.stack(xs)  # (k, 2), or (k,) in 1-D
        loss = landscape(stacked)
        if t == 0:
            _check_rowwise(loss, len(xs))
        points.append(stacked.detach())
        losses.append(loss.detach())
        if t == steps:
            break
        # A run that diverged keeps stepping on non-finite numbers, in its own parameter only;
        # everything from its first non-finite point on is cut below, as `run` would stop.
        # Checking only every 32 steps keeps the loop free of per-step bookkeeping.
        if t % 32 == 31 and not _finite_rows(stacked.detach(), loss.detach()).any():
            break
        loss.sum().backward()
        for opt in opts:
            opt.step()

    P, Lo = torch.stack(points), torch.stack(losses)  # (T + 1, k, ...), (T + 1, k)
    result = {}
    for i, label in enumerate(labels):
        finite = _finite_rows(P[:, i], Lo[:, i])
        bad = (~finite).nonzero()
        n = int(bad[0]) if len(bad) else len(finite)
        cls = optimizers[label][0]
        result[label] = Trajectory(
            points=P[:n, i].numpy().copy(),
            losses=Lo[:n, i].numpy().copy(),
            diverged_at=n if len(bad) else None,
            label=label or getattr(cls, "__name__", "run"),
        )
    return result


def _check_rowwise(loss: torch.Tensor, n: int) -> None:
    if tuple(loss.shape) != (n,):
        raise ValueError(
            f"Invalid landscape: it mapped {n} stacked points to shape {tuple(loss.shape)}; batched "
            f"runs need one value per point (every optlib.landscapes landscape does this)"
        )


def _finite_rows(x: torch.Tensor, loss: torch.Tensor) -> torch.Tensor:
    """Per row: is the point (all its coordinates) and its loss finite?"""
    ok = torch.isfinite(loss)
    return ok & torch.isfinite(x).all(-1) if x.ndim > loss.ndim else ok & torch.isfinite(x)


@dataclass(frozen=True)
class SweepResult:
    """Per-configuration outcome of a :func:`sweep`, on the grid of its axes.

    Every array has shape ``tuple(len(a) for a in axes.values())``: entry ``[i, j]`` belongs
    to the configuration with the i-th value of the first axis and the j-th of the second.

    Attributes:
        axes: the grid axes in order, ``{name: values}``; names are hyperparameters (``lr``,
            ``momentum``, ...) or start coordinates (``x0``, ``y0``).
        final_loss: the loss at the last finite point: after ``steps`` steps, or just before
            divergence (like ``Trajectory.losses[-1]``); NaN if not even the start was finite.
        steps_to_tol: the first step ``t`` with ``f(x_t) < tol``; -1 if never.
        diverged_at: the first step whose point or loss was not finite; -1 if none.
        tol: the tolerance of ``steps_to_tol``.
        steps: the number of steps each configuration ran.
        start: the start point shared by every configuration (swept coordinates replace
            their part of it).
        hparams: the hyperparameters shared by every configuration.
        label: a name for titles (default: the optimizer's class name).
    """

    axes: dict[str, np.ndarray]
    final_loss: np.ndarray
    steps_to_tol: np.ndarray
    diverged_at: np.ndarray
    tol: float
    steps: int
    start: float | tuple[float, ...]
    hparams: dict[str, Any]
    label: str = ""

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0

    @property
    def converged(self) -> np.ndarray:
        """Configurations that reached ``loss < tol`` (and did not diverge afterwards)."""
        return (self.steps_to_tol >= 0) & ~self.diverged

    def config(self, *index: int) -> dict[str, Any]:
        """The settings of one grid cell, as keyword arguments of :func:`run`.

        ``run(landscape, optimizer, steps=result.steps, **result.config(i, j))`` reproduces
        cell ``[i, j]``: the dict holds ``x0`` (the full start point) and the hyperparameters.
        """
        if len(index) != len(self.axes):
            raise ValueError(f"Invalid index: {index} (the grid has {len(self.axes)} axes)")
        cell = {name: float(values[i]) for (name, values), i in zip(self.axes.items(), index)}
        x0: Any = self.start
        if isinstance(x0, tuple):
            x0 = tuple(cell.pop(name, x) for name, x in zip(_START_AXES, x0))
        else:
            x0 = cell.pop("x0", x0)
        return {"x0": x0, **self.hparams, **cell}


_START_AXES = ("x0", "y0")


def sweep(
    landscape: Landscape | Callable[[torch.Tensor], torch.Tensor],
    optimizer: OptimizerSpec,
    steps: int,
    grid: Mapping[str, Sequence[float] | np.ndarray],
    *,
    x0: float | Sequence[float] | None = None,
    tol: float = 1e-6,
    label: str = "",
    dtype: torch.dtype = torch.float64,
    **hparams: Any,
) -> SweepResult:
    r"""Run one optimizer over a grid of configurations, as one batched computation.

    The N configurations of the grid are N independent problems, and they are solved together:
    the parameter is one ``(N, d)`` tensor whose row ``i`` is configuration ``i``, and the
    loss is the landscape summed over rows,

    .. math::

        F(X) = \sum_{i=1}^{N} f(x_i), \qquad \nabla_{x_i} F = \nabla f(x_i),

    so one backward pass gives every configuration its own gradient. Element-wise optimizers
    (SGD, Adam, RMSprop, ...: every update is per coordinate) keep the rows independent, so row
    ``i`` follows exactly the path ``run`` would give it.

    - A grid of start points (``x0``, ``y0``) works with every element-wise optimizer.
    - A grid of hyperparameters needs an optimizer whose ``step`` accepts them as ``(N, 1)``
      tensors, one value per row. The sweep builds the optimizer with scalar values (so the
      constructor validates every grid value exactly like ``torch.optim``), then puts the
      tensors in its parameter group. :class:`optlib.optim.SGD` supports ``lr`` and
      ``momentum`` (heavy ball; not with ``nesterov=True``); other optimizers raise a
      ``ValueError`` that says so.

    Args:
        landscape: an element-wise landscape (all predefined ones are), 1-D or 2-D.
        optimizer: an element-wise optimizer class (``optlib.optim.SGD``, ``torch.optim.Adam``).
        steps: steps per configuration (>= 0).
        grid: ``{name: values}``, one axis each; names are hyperparameters of ``optimizer`` or
            ``x0`` / ``y0`` for the start point. Every combination is one configuration.
        x0: the start for coordinates not swept (default: ``landscape.start``).
        tol: loss threshold for ``steps_to_tol`` (default: 1e-6).
        label: name for titles (default: the optimizer's class name).
        dtype: float64 by default, like :func:`run`.
        **hparams: hyperparameters shared by every configuration.

    Returns:
        A :class:`SweepResult`; divergence is recorded per configuration, never raised.

    References:
        Goh (2017), "Why Momentum Really Works", Distill: convergence maps over
        step size x momentum.
    """
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"Invalid steps: {steps} (must be an integer >= 0)")
    if not grid:
        raise ValueError("Invalid grid: {} (give at least one axis, e.g. {'lr': [...]})")
    if not tol > 0:
        raise ValueError(f"Invalid tol: {tol} (must be > 0)")
    dim = getattr(landscape, "dim", None)
    if x0 is None:
        if dim is None:
            raise ValueError("Invalid x0: None (give x0 when the landscape has no .start)")
        x0 = landscape.start if dim == 2 else landscape.start[0]
    start = torch.tensor(x0, dtype=dtype)
    if start.ndim > 1 or not torch.isfinite(start).all():
        raise ValueError(f"Invalid x0: {x0} (must be a finite number or point)")
    axes: dict[str, np.ndarray] = {}
    for name, values in grid.items():
        a = np.asarray(values, dtype=np.float64)
        if a.ndim != 1 or len(a) == 0 or not np.isfinite(a).all():
            raise ValueError(f"Invalid grid axis {name!r}: need a non-empty 1-D list of finite numbers")
        axes[name] = a
    starts = [n for n in axes if n in _START_AXES]
    if starts and (start.ndim == 0) and "y0" in starts:
        raise ValueError("Invalid grid axis 'y0': the landscape is 1-D (sweep 'x0' only)")
    swept = [n for n in axes if n not in _START_AXES]
    clash = set(swept) & set(hparams)
    if clash:
        raise ValueError(f"Invalid hparams: {sorted(clash)} are both swept and fixed")

    # Every value on every axis passes the optimizer's own validation (torch's messages).
    for name in swept:
        for v in np.unique(axes[name]):
            optimizer([torch.zeros(2, dtype=dtype, requires_grad=True)], **{**hparams, name: float(v)})

    # Configuration i of the flattened grid: one column per axis.
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    shape = mesh[0].shape
    cols = {name: torch.tensor(m.reshape(-1), dtype=dtype) for name, m in zip(axes, mesh)}
    n = cols[next(iter(cols))].numel()

    X = start.expand(n, *start.shape).clone()  # (N, 2), or (N,) in 1-D
    for k, name in enumerate(_START_AXES):
        if name in cols:
            if X.ndim == 1:
                X = cols[name].clone()
            else:
                X[:, k] = cols[name]
    X.requires_grad_(True)

    first = {name: float(axes[name][0]) for name in swept}
    opt = optimizer([X], **hparams, **first)
    row = (n, 1) if X.ndim == 2 else (n,)
    for name in swept:
        opt.param_groups[0][name] = cols[name].reshape(row) if n > 1 else float(axes[name][0])

    final = torch.full((n,), math.nan, dtype=dtype)
    to_tol = torch.full((n,), -1, dtype=torch.long)
    diverged_at = torch.full((n,), -1, dtype=torch.long)
    alive = torch.ones(n, dtype=torch.bool)
    for t in range(steps + 1):
        opt.zero_grad()
        loss = landscape(X)
        if t == 0:
            _check_rowwise(loss, n)
        with torch.no_grad():
            finite = _finite_rows(X, loss)
            diverged_at = torch.where(alive & ~finite, t, diverged_at)
            alive &= finite
            final = torch.where(alive, loss, final)
            to_tol = torch.where(alive & (to_tol < 0) & (loss < tol), t, to_tol)
        if t == steps or not alive.any():
            break
        loss.sum().backward()
        try:
            opt.step()
        except (TypeError, ValueError, RuntimeError) as err:
            if not swept:
                raise
            cls = getattr(optimizer, "__name__", repr(optimizer))
            raise ValueError(
                f"{cls} does not support sweeping {swept}: its step needs scalar "
                f"hyperparameters ({err}). Sweep start points (x0, y0) instead, or use "
                f"optlib.optim.SGD (lr, momentum)."
            ) from err

    return SweepResult(
        axes=axes,
        final_loss=final.numpy().reshape(shape),
        steps_to_tol=to_tol.numpy().reshape(shape),
        diverged_at=diverged_at.numpy().reshape(shape),
        tol=float(tol),
        steps=steps,
        start=float(start) if start.ndim == 0 else tuple(start.tolist()),
        hparams=dict(hparams),
        label=label or getattr(optimizer, "__name__", type(opt).__name__),
    )
