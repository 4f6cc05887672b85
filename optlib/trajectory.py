"""Run an optimizer on a landscape and record where it went.

This is the bridge between :mod:`optlib.optim` and :mod:`optlib.viz`: it takes a landscape and
an optimizer class, and returns plain arrays (points and losses) that any plot or player can
draw. :func:`run` records one path, :func:`run_many` several optimizers from one start,
:func:`run_each` one optimizer from several starts, and :func:`sweep` one optimizer over a grid
of hyperparameters and start points. All four are the same batched loop (:func:`_advance`): N
independent problems are N rows of one tensor, and one backward pass through the landscape's
sum gives every row its own gradient.

Divergence, the one rule every function here (and the browser engine that mirrors it) follows:

1. At each step ``t = 0, 1, ..., steps`` the loop evaluates ``f(x_t)`` for every row, then
   steps the optimizer (not after the last evaluation).
2. A row *diverges at* ``t`` if ``t`` is the first step at which any coordinate of ``x_t`` or
   the loss ``f(x_t)`` is not finite (NaN or +-inf). ``t = 0`` is possible (a start where ``f``
   is not finite). A row that never meets this has ``diverged_at = None`` (``-1`` in sweeps).
3. What is kept of a diverged row is everything before that step: the points and losses of
   steps ``0 .. diverged_at - 1``; its final loss is the loss at the last finite point
   (``NaN`` if it diverged at ``t = 0``). A loss that is merely large is not divergence (see
   :func:`until_blowup` to cut a path where its loss explodes).
4. Rows are independent: a diverged row keeps being stepped on its non-finite numbers in its
   own row, never touching another; the loop stops early once every row has diverged.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch.optim import Optimizer

from optlib.landscapes import Landscape

__all__ = [
    "SweepResult",
    "Trajectory",
    "run",
    "run_each",
    "run_many",
    "steps_to",
    "sweep",
    "until_blowup",
]


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


def steps_to(losses: Sequence[float] | np.ndarray, tol: float, *, stay: bool = False) -> int | None:
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


# -- the engine ----------------------------------------------------------------------------

Landscapeish = Landscape | Callable[[torch.Tensor], torch.Tensor]
OptimizerSpec = type[Optimizer] | Callable[..., Optimizer]


@dataclass
class _Rows:
    """What :func:`_advance` recorded for N rows (see the divergence rule above)."""

    points: torch.Tensor | None  # (T + 1, N, ...) every evaluated point, or None if not kept
    losses: torch.Tensor | None  # (T + 1, N)
    diverged_at: torch.Tensor  # (N,) first non-finite step, -1 if none
    final_loss: torch.Tensor  # (N,) loss at the last finite point, NaN if none
    steps_to_tol: torch.Tensor  # (N,) first step with loss < tol before diverging, -1 if none

    def trajectory(self, i: int, label: str) -> Trajectory:
        """Row ``i`` as a :class:`Trajectory`: its finite prefix."""
        d = int(self.diverged_at[i])
        n = d if d >= 0 else len(self.losses)
        return Trajectory(
            points=self.points[:n, i].numpy().copy(),
            losses=self.losses[:n, i].numpy().astype(np.float64),
            diverged_at=d if d >= 0 else None,
            label=label,
        )


def _advance(
    landscape: Landscapeish,
    joint: Callable[[], torch.Tensor],
    params: Sequence[torch.Tensor],
    step: Callable[[], None],
    steps: int,
    n: int,
    *,
    rowwise: bool = True,
    keep_path: bool = True,
    tol: float = -math.inf,
) -> _Rows:
    """The one loop: evaluate every row, record it, apply the divergence rule, step.

    Args:
        landscape: the function; with ``rowwise`` it maps ``(N, ...)`` points to ``(N,)``.
        joint: the current points of all rows as one tensor (the parameter itself, or a stack
            of several) through which autograd reaches ``params``.
        params: the tensors the optimizers update (their gradients are cleared each step).
        step: one step of every optimizer (and scheduler).
        steps: the number of steps; ``steps + 1`` points are evaluated.
        n: the number of rows; with ``rowwise=False`` (one run of any function) ``n == 1``.
        keep_path: record every point and loss (for trajectories), or only the summaries.
        tol: the threshold of ``steps_to_tol``.
    """
    alive = torch.ones(n, dtype=torch.bool)
    diverged_at = torch.full((n,), -1, dtype=torch.long)
    to_tol = torch.full((n,), -1, dtype=torch.long)
    final = None
    points, losses = [], []
    for t in range(steps + 1):
        for x in params:
            x.grad = None  # what zero_grad() does, without its per-call overhead
        X = joint()
        loss = landscape(X)
        if rowwise and t == 0:
            _check_rowwise(loss, n)
        P = X.detach().reshape(n, *X.shape[1:]) if rowwise else X.detach().reshape(1, *X.shape)
        L = loss.detach().reshape(n)
        # a row diverges at its first non-finite point or loss; its last finite one is kept
        finite = _finite_rows(P, L)
        diverged_at = torch.where(alive & ~finite, t, diverged_at)
        alive &= finite
        final = torch.where(alive, L, final if final is not None else torch.nan)
        to_tol = torch.where(alive & (to_tol < 0) & (L < tol), t, to_tol)
        if keep_path:
            points.append(P.clone())
            losses.append(L.clone())
        if t == steps or not alive.any():
            break
        loss.sum().backward()
        step()
    return _Rows(
        points=torch.stack(points) if keep_path else None,
        losses=torch.stack(losses) if keep_path else None,
        diverged_at=diverged_at,
        final_loss=final,
        steps_to_tol=to_tol,
    )


def _check_steps(steps: Any) -> None:
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"Invalid steps: {steps} (must be an integer >= 0)")


def _start(x0: Any, dtype: torch.dtype) -> torch.Tensor:
    start = torch.tensor(x0, dtype=dtype)
    if not torch.isfinite(start).all():
        raise ValueError(f"Invalid x0: {x0} (must be finite)")
    return start


def _check_rowwise(loss: torch.Tensor, n: int) -> None:
    if tuple(loss.shape) != (n,):
        raise ValueError(
            f"Invalid landscape: it mapped {n} stacked points to shape {tuple(loss.shape)}; "
            f"batched runs need one value per point (every optlib.landscapes landscape does this)"
        )


def _finite_rows(x: torch.Tensor, loss: torch.Tensor) -> torch.Tensor:
    """Per row: is the point (all its coordinates) and its loss finite?"""
    return torch.isfinite(loss) & torch.isfinite(x).reshape(len(loss), -1).all(-1)


def _name(optimizer: Any, default: str = "run") -> str:
    return getattr(optimizer, "__name__", default)


def run(
    landscape: Landscapeish,
    optimizer: OptimizerSpec,
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
        A :class:`Trajectory`. Divergence is recorded in ``diverged_at`` (the rule in the
        module docstring), not raised.
    """
    _check_steps(steps)
    x = _start(x0, dtype).requires_grad_(True)
    opt = optimizer([x], **hparams)
    sched = scheduler(opt) if scheduler is not None else None

    def step() -> None:
        opt.step()
        if sched is not None:
            sched.step()

    rows = _advance(landscape, lambda: x, [x], step, steps, 1, rowwise=False)
    return rows.trajectory(0, label or _name(optimizer, type(opt).__name__))


def run_many(
    landscape: Landscapeish,
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
    _check_steps(steps)
    start = _start(x0, dtype)
    xs = [start.clone().requires_grad_(True) for _ in optimizers]
    opts = [cls([x], **dict(hp)) for x, (cls, hp) in zip(xs, optimizers.values(), strict=True)]

    def step() -> None:
        for opt in opts:
            opt.step()

    rows = _advance(landscape, lambda: torch.stack(xs), xs, step, steps, len(xs))
    return {
        label: rows.trajectory(i, label or _name(optimizers[label][0]))
        for i, label in enumerate(optimizers)
    }


def run_each(
    landscape: Landscapeish,
    optimizer: OptimizerSpec,
    starts: Sequence[float | Sequence[float]] | np.ndarray,
    steps: int,
    *,
    dtype: torch.dtype = torch.float64,
    **hparams: Any,
) -> list[Trajectory]:
    """Run one optimizer from each of several starts, batched; equal to one :func:`run` each.

    Args:
        landscape: an element-wise landscape (every predefined one is).
        optimizer: an element-wise optimizer (every update acts per coordinate: all of
            :mod:`optlib.optim`, and torch's counterparts).
        starts: the start points, shape ``(N, 2)`` (or ``(N,)`` on a 1-D landscape).
        steps: number of steps (>= 0).
        dtype: float64 by default, like :func:`run`.
        **hparams: passed to ``optimizer``.

    Returns:
        One :class:`Trajectory` per start, in order.
    """
    _check_steps(steps)
    X = _start(np.asarray(starts, dtype=np.float64), dtype)
    if X.ndim not in (1, 2) or len(X) == 0:
        raise ValueError(f"Invalid starts: shape {tuple(X.shape)} (need (N,) or (N, 2))")
    X.requires_grad_(True)
    opt = optimizer([X], **hparams)
    rows = _advance(landscape, lambda: X, [X], opt.step, steps, len(X))
    return [rows.trajectory(i, _name(optimizer)) for i in range(len(X))]


def until_blowup(traj: Trajectory, factor: float = 1e3) -> Trajectory:
    """``traj`` cut before its first loss above ``factor`` times the starting loss.

    A run whose loss grows without bound takes many steps to overflow to ``inf`` (when
    :attr:`Trajectory.diverged_at` records it); by then its points are far off any plot. This
    marks it diverged where it blew up instead: the first step ``k`` with
    ``losses[k] > factor * losses[0]`` becomes ``diverged_at`` and the points and losses
    before it are kept. A trajectory that never gets there is returned as it is (the same
    object).
    """
    if not factor > 0:
        raise ValueError(f"Invalid factor: {factor} (must be > 0)")
    if len(traj.losses) == 0:
        return traj
    over = np.flatnonzero(traj.losses > factor * traj.losses[0])
    if len(over) == 0:
        return traj
    k = int(over[0])
    return dataclasses.replace(traj, points=traj.points[:k], losses=traj.losses[:k], diverged_at=k)


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
        pairs = zip(self.axes.items(), index, strict=True)
        cell = {name: float(values[i]) for (name, values), i in pairs}
        x0: Any = self.start
        if isinstance(x0, tuple):
            # x0 and y0 are the axes a start coordinate can sweep; any further one stays fixed
            x0 = tuple(cell.pop(name, x) for name, x in zip(_START_AXES, x0, strict=False))
        else:
            x0 = cell.pop("x0", x0)
        return {"x0": x0, **_with_hparams(self.hparams, cell)}


_START_AXES = ("x0", "y0")


def sweep(
    landscape: Landscapeish,
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
    ``i`` follows the path ``run`` would give it (to round-off).

    - A grid of start points (``x0``, ``y0``) works with every element-wise optimizer,
      ``torch.optim``'s included.
    - A grid of hyperparameters works with every :mod:`optlib.optim` optimizer and any of its
      numeric hyperparameters (``lr``, ``momentum``, ``dampening``, ``weight_decay``,
      ``alpha``, ``rho``, ``eps``, ``beta1``/``beta2``, ``lr_decay``, ``momentum_decay``, ...):
      the sweep builds the optimizer with scalar values (so the constructor validates every
      grid value exactly like ``torch.optim``), then puts ``(N, 1)`` tensors, one value per
      row, in its parameter group, and the update cores broadcast them. ``beta1`` and
      ``beta2`` name the two entries of ``betas``. Flags (``nesterov``, ``amsgrad``, ...) are
      not swept: run one sweep per setting.

    Args:
        landscape: an element-wise landscape (all predefined ones are), 1-D or 2-D.
        optimizer: an element-wise optimizer class (``optlib.optim.Adam``; ``torch.optim``
            classes for start-point grids).
        steps: steps per configuration (>= 0).
        grid: ``{name: values}``, one axis each; names are hyperparameters of ``optimizer`` or
            ``x0`` / ``y0`` for the start point. Every combination is one configuration.
        x0: the start for coordinates not swept (default: ``landscape.start``).
        tol: loss threshold for ``steps_to_tol`` (default: 1e-6).
        label: name for titles (default: the optimizer's class name).
        dtype: float64 by default, like :func:`run`.
        **hparams: hyperparameters shared by every configuration.

    Returns:
        A :class:`SweepResult`; divergence is recorded per configuration (the rule in the
        module docstring), never raised.

    References:
        Goh (2017), "Why Momentum Really Works", Distill: convergence maps over
        step size x momentum.
    """
    _check_steps(steps)
    start, axes = _sweep_inputs(landscape, grid, x0, tol, dtype)
    swept = [n for n in axes if n not in _START_AXES]
    fixed = set(hparams) | ({"beta1", "beta2"} if "betas" in hparams else set())
    clash = set(swept) & fixed
    if clash:
        raise ValueError(f"Invalid hparams: {sorted(clash)} are both swept and fixed")
    if {"beta1", "beta2"} & set(swept):  # the pair a swept beta replaces one entry of
        hparams = {**hparams, "betas": inspect.signature(optimizer).parameters["betas"].default}

    # Every value on every axis passes the optimizer's own validation (torch's messages).
    # (with the first value of every other swept axis)
    first = {name: float(axes[name][0]) for name in swept}
    probe = torch.zeros(2, dtype=dtype, requires_grad=True)
    for name in swept:
        for v in np.unique(axes[name]):
            optimizer([probe], **_with_hparams(hparams, {**first, name: float(v)}))

    # Configuration i of the flattened grid: one column per axis.
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    shape = mesh[0].shape
    cols = {
        name: torch.tensor(m.reshape(-1), dtype=dtype) for name, m in zip(axes, mesh, strict=True)
    }
    n = cols[next(iter(cols))].numel()

    X = start.expand(n, *start.shape).clone()  # (N, 2), or (N,) in 1-D
    for k, name in enumerate(_START_AXES):
        if name in cols:
            if X.ndim == 1:
                X = cols[name].clone()
            else:
                X[:, k] = cols[name]
    X.requires_grad_(True)

    opt = optimizer([X], **_with_hparams(hparams, first))
    if swept and n > 1:
        if not any(c.__module__.startswith("optlib.optim") for c in type(opt).__mro__):
            raise ValueError(
                f"{type(opt).__name__} does not support sweeping {swept}: only optlib.optim "
                f"optimizers take one hyperparameter per row. Sweep start points (x0, y0) "
                f"instead, or use the optlib.optim optimizer of the same name."
            )
        row = (n, 1) if X.ndim == 2 else (n,)
        per_row = {name: cols[name].reshape(row) for name in swept}
        opt.param_groups[0].update(_with_hparams(opt.param_groups[0], per_row))

    rows = _advance(landscape, lambda: X, [X], opt.step, steps, n, keep_path=False, tol=tol)
    return SweepResult(
        axes=axes,
        final_loss=rows.final_loss.numpy().reshape(shape),
        steps_to_tol=rows.steps_to_tol.numpy().reshape(shape),
        diverged_at=rows.diverged_at.numpy().reshape(shape),
        tol=float(tol),
        steps=steps,
        start=float(start) if start.ndim == 0 else tuple(start.tolist()),
        hparams=dict(hparams),
        label=label or _name(optimizer, type(opt).__name__),
    )


def _with_hparams(base: Mapping[str, Any], values: Mapping[str, Any]) -> dict:
    """``base`` (without ``params``) updated with ``values``, where ``beta1``/``beta2``
    replace an entry of ``base["betas"]``."""
    out = {k: v for k, v in base.items() if k != "params"}
    out.update({k: v for k, v in values.items() if k not in ("beta1", "beta2")})
    if "beta1" in values or "beta2" in values:
        pair = list(out["betas"])
        for i, k in enumerate(("beta1", "beta2")):
            pair[i] = values.get(k, pair[i])
        out["betas"] = tuple(pair)
    return out


def _sweep_inputs(
    landscape: Landscapeish,
    grid: Mapping[str, Sequence[float] | np.ndarray],
    x0: Any,
    tol: float,
    dtype: torch.dtype,
) -> tuple[torch.Tensor, dict[str, np.ndarray]]:
    """The checked start point and grid axes of a :func:`sweep`."""
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
            raise ValueError(
                f"Invalid grid axis {name!r}: need a non-empty 1-D list of finite numbers"
            )
        axes[name] = a
    if start.ndim == 0 and "y0" in axes:
        raise ValueError("Invalid grid axis 'y0': the landscape is 1-D (sweep 'x0' only)")
    return start, axes
