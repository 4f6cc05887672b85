"""Pictures of landscapes, trajectories and loss curves.

``viz`` draws recorded numbers: it takes arrays (or :class:`~optlib.trajectory.Trajectory`
records, which are arrays with a label) and never runs an optimizer itself. matplotlib is
imported inside the functions, so ``import optlib`` stays light.

Colors are the Okabe-Ito palette, distinguishable under the common color-vision deficiencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from optlib.landscapes import Landscape

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["PALETTE", "contour", "curve", "loss_curves", "surface"]

# Okabe & Ito (2008), "Color Universal Design": black omitted, it is the marker color.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")

TrajectoryLike = Any  # an array of points, or an object with ``.points`` (and ``.diverged``)


def _as_points(t: TrajectoryLike) -> np.ndarray:
    return np.asarray(getattr(t, "points", t), dtype=np.float64)


def _items(trajectories: Mapping[str, TrajectoryLike] | Sequence[TrajectoryLike] | None):
    if trajectories is None:
        return []
    if isinstance(trajectories, Mapping):
        return list(trajectories.items())
    return [(getattr(t, "label", "") or f"run {i}", t) for i, t in enumerate(trajectories)]


def _axes(ax: Axes | None, **subplot_kw: Any) -> Axes:
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.5), subplot_kw=subplot_kw)
    return ax


def _mark_end(ax: Axes, t: TrajectoryLike, x: float, y: float, color: str) -> None:
    """A cross where a diverged run left the finite world, a dot where a run ended."""
    marker, size = ("X", 10) if getattr(t, "diverged", False) else ("o", 6)
    ax.plot(x, y, marker=marker, color=color, markersize=size, markeredgecolor="black")


def contour(
    landscape: Landscape,
    trajectories: Mapping[str, TrajectoryLike] | Sequence[TrajectoryLike] | None = None,
    ax: Axes | None = None,
    levels: int = 30,
    log: bool = False,
    n: int = 200,
    show_minimizers: bool = True,
) -> Axes:
    """Filled contours of a 2-D landscape with trajectories drawn on top.

    Args:
        landscape: a 2-D landscape.
        trajectories: ``{label: points}`` or a sequence of trajectories; points ``(T, 2)``.
        ax: axes to draw into (default: a new figure).
        levels: number of contour levels.
        log: space the levels logarithmically (for functions like Rosenbrock whose interesting
            part is a tiny fraction of the range).
        n: grid points per axis.
        show_minimizers: mark the known minimizers with a star.
    """
    import matplotlib.colors as mcolors

    if landscape.dim != 2:
        raise ValueError(f"contour needs a 2-D landscape, {landscape.name} is {landscape.dim}-D")
    ax = _axes(ax)
    X, Y, Z = (a.numpy() for a in landscape.grid(n))
    if log:
        shift = Z.min() - 1e-3 if Z.min() <= 0 else 0.0
        Zs = Z - shift
        lv = np.geomspace(Zs.min(), Zs.max(), levels)
        cs = ax.contourf(X, Y, Zs, levels=lv, norm=mcolors.LogNorm(), cmap="Greys", alpha=0.6)
        ax.contour(X, Y, Zs, levels=lv, colors="0.45", linewidths=0.4)
    else:
        cs = ax.contourf(X, Y, Z, levels=levels, cmap="Greys", alpha=0.6)
        ax.contour(X, Y, Z, levels=levels, colors="0.45", linewidths=0.4)
    if show_minimizers:
        for m in landscape.minimizers:
            ax.plot(*m, marker="*", color="#F0E442", markersize=14, markeredgecolor="black")
    for i, (label, t) in enumerate(_items(trajectories)):
        xy = _as_points(t).reshape(-1, 2)
        color = PALETTE[i % len(PALETTE)]
        ax.plot(xy[:, 0], xy[:, 1], "-", color=color, lw=1.8, label=label)
        ax.plot(xy[:, 0], xy[:, 1], "o", color=color, markersize=2.5)
        _mark_end(ax, t, xy[-1, 0], xy[-1, 1], color)
    (x0, x1), (y0, y1) = landscape.domain
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$x$", ylabel="$y$", title=landscape.name)
    ax.set_aspect("equal" if (x1 - x0) / (y1 - y0) < 3 else "auto")
    if trajectories:
        ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    ax.figure.colorbar(cs, ax=ax, shrink=0.8, label="$f$")
    return ax


def surface(
    landscape: Landscape,
    trajectories: Mapping[str, TrajectoryLike] | Sequence[TrajectoryLike] | None = None,
    ax: Axes | None = None,
    n: int = 80,
    elev: float = 35,
    azim: float = -60,
) -> Axes:
    """A 3-D surface of a 2-D landscape, with trajectories lifted onto it."""
    if landscape.dim != 2:
        raise ValueError(f"surface needs a 2-D landscape, {landscape.name} is {landscape.dim}-D")
    ax = _axes(ax, projection="3d")
    X, Y, Z = (a.numpy() for a in landscape.grid(n))
    ax.plot_surface(X, Y, Z, cmap="viridis", alpha=0.75, linewidth=0, antialiased=True)
    for i, (label, t) in enumerate(_items(trajectories)):
        import torch

        xy = _as_points(t).reshape(-1, 2)
        z = landscape(torch.as_tensor(xy)).numpy()
        ax.plot(xy[:, 0], xy[:, 1], z, "o-", color=PALETTE[i % len(PALETTE)], ms=3, lw=1.5,
                label=label, zorder=10)
    ax.view_init(elev=elev, azim=azim)
    ax.set(xlabel="$x$", ylabel="$y$", zlabel="$f$", title=landscape.name)
    if trajectories:
        ax.legend(loc="upper left", fontsize=8)
    return ax


def curve(
    landscape: Landscape,
    trajectories: Mapping[str, TrajectoryLike] | Sequence[TrajectoryLike] | None = None,
    ax: Axes | None = None,
    n: int = 400,
    show_minimizers: bool = True,
) -> Axes:
    """A 1-D landscape as a curve, with the iterates of each trajectory as dots on it."""
    import torch

    if landscape.dim != 1:
        raise ValueError(f"curve needs a 1-D landscape, {landscape.name} is {landscape.dim}-D")
    ax = _axes(ax)
    xs, fs = landscape.grid(n)
    ax.plot(xs.numpy(), fs.numpy(), color="0.3", lw=1.5, label=f"${landscape.formula}$")
    if show_minimizers:
        for (m,) in landscape.minimizers:
            ax.plot(m, landscape(torch.tensor(m)).item(), marker="*", color="#F0E442",
                    markersize=14, markeredgecolor="black", linestyle="none")
    for i, (label, t) in enumerate(_items(trajectories)):
        x = _as_points(t).reshape(-1)
        f = landscape(torch.as_tensor(x)).numpy()
        color = PALETTE[i % len(PALETTE)]
        ax.plot(x, f, "o-", color=color, ms=4, lw=0.8, alpha=0.9, label=label)
        _mark_end(ax, t, x[-1], f[-1], color)
    ax.set(xlim=landscape.domain[0], xlabel="$x$", ylabel="$f(x)$", title=landscape.name)
    ax.legend(fontsize=8)
    return ax


def loss_curves(
    curves: Mapping[str, Any],
    ax: Axes | None = None,
    log: bool = True,
    xlabel: str = "step",
    ylabel: str = "loss",
) -> Axes:
    """Loss against step for several runs.

    Args:
        curves: ``{label: losses}``; each value is an array or an object with ``.losses``.
        log: logarithmic y axis (default: True), where linear convergence is a straight line.
    """
    ax = _axes(ax)
    for i, (label, c) in enumerate(curves.items()):
        y = np.asarray(getattr(c, "losses", c), dtype=np.float64)
        ax.plot(np.arange(len(y)), y, color=PALETTE[i % len(PALETTE)], lw=1.8, label=label)
        if getattr(c, "diverged", False):
            ax.plot(len(y) - 1, y[-1], marker="X", color=PALETTE[i % len(PALETTE)],
                    markersize=10, markeredgecolor="black")
    if log:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    return ax
