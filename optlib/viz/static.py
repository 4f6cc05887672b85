"""Pictures of landscapes, trajectories and loss curves.

``viz`` draws recorded numbers: it takes arrays (or :class:`~optlib.trajectory.Trajectory`
records, which are arrays with a label) and never runs an optimizer itself. matplotlib is
imported inside the functions, so ``import optlib`` stays light.

Colors are the Okabe-Ito palette, distinguishable under the common color-vision deficiencies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from optlib.landscapes import Landscape
from optlib.viz._schema import items as _items

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["PALETTE", "contour", "convergence_map", "curve", "loss_curves", "surface"]

# Okabe & Ito (2008), "Color Universal Design": black omitted, it is the marker color.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")

TrajectoryLike = Any  # an array of points, or an object with ``.points`` (and ``.diverged``)


def _as_points(t: TrajectoryLike) -> np.ndarray:
    return np.asarray(getattr(t, "points", t), dtype=np.float64)


def _axes(ax: Axes | None, **subplot_kw: Any) -> Axes:
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.5), subplot_kw=subplot_kw)
    return ax


# Diverged runs end near the float64 limit; matplotlib's transforms overflow on such values.
# Loss curves are clipped to this ceiling, far above any loss worth reading.
_LOSS_CEILING = 1e100


def _in_view(
    *coords: np.ndarray, box: Sequence[tuple[float, float]], pad: float = 0.5
) -> np.ndarray:
    """Mask of the points inside ``box`` grown by ``pad`` of its size on every side."""
    inside = np.ones(len(coords[0]), dtype=bool)
    for c, (lo, hi) in zip(coords, box, strict=True):
        span = hi - lo
        inside &= (c >= lo - pad * span) & (c <= hi + pad * span)
    return inside


def _heights(landscape: Landscape, t: TrajectoryLike, points: np.ndarray) -> np.ndarray:
    """The loss at each point: a trajectory's recorded ``losses``, computed only for bare arrays."""
    losses = getattr(t, "losses", None)
    if losses is not None and len(losses) == len(points):
        return np.asarray(losses, dtype=np.float64)
    import torch

    return landscape(torch.as_tensor(points)).numpy()


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
    from optlib.viz import _contours

    if landscape.dim != 2:
        raise ValueError(f"contour needs a 2-D landscape, {landscape.name} is {landscape.dim}-D")
    ax = _axes(ax)
    X, Y, Z = (a.numpy() for a in landscape.grid(n))
    cs = _contours.draw(
        ax, X, Y, Z, n=levels, log=log, cmap="Greys", alpha=0.6, lines="0.45", linewidth=0.4
    )
    if show_minimizers:
        _contours.star_minimizers(ax, landscape.minimizers, 14)
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
        xy = _as_points(t).reshape(-1, 2)
        z = _heights(landscape, t, xy)
        # A diverged run leaves the box; draw the part a reader can see.
        keep = _in_view(xy[:, 0], xy[:, 1], z, box=(*landscape.domain, (Z.min(), Z.max())))
        xy, z = xy[keep], z[keep]
        ax.plot(
            xy[:, 0],
            xy[:, 1],
            z,
            "o-",
            color=PALETTE[i % len(PALETTE)],
            ms=3,
            lw=1.5,
            label=label,
            zorder=10,
        )
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

    from optlib.viz import _contours

    if landscape.dim != 1:
        raise ValueError(f"curve needs a 1-D landscape, {landscape.name} is {landscape.dim}-D")
    ax = _axes(ax)
    xs, fs = landscape.grid(n)
    ax.plot(xs.numpy(), fs.numpy(), color="0.3", lw=1.5, label=f"${landscape.formula}$")
    f_lo, f_hi = fs.min().item(), fs.max().item()
    margin = 0.08 * (f_hi - f_lo)
    if show_minimizers:
        _contours.star_minimizers(
            ax, [(m, landscape(torch.tensor(m)).item()) for (m,) in landscape.minimizers], 14
        )
    for i, (label, t) in enumerate(_items(trajectories)):
        x = _as_points(t).reshape(-1)
        f = _heights(landscape, t, x)
        # A diverged run leaves the picture: draw the iterates up to where it does.
        keep = _in_view(x, f, box=(landscape.domain[0], (f_lo, f_hi)))
        x, f = x[keep], f[keep]
        color = PALETTE[i % len(PALETTE)]
        ax.plot(x, f, "o-", color=color, ms=4, lw=0.8, alpha=0.9, label=label)
        if len(x):
            _mark_end(ax, t, x[-1], f[-1], color)
    ax.set(
        xlim=landscape.domain[0],
        ylim=(f_lo - margin, f_hi + margin),
        xlabel="$x$",
        ylabel="$f(x)$",
        title=landscape.name,
    )
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
        y = np.minimum(y, _LOSS_CEILING)
        ax.plot(np.arange(len(y)), y, color=PALETTE[i % len(PALETTE)], lw=1.8, label=label)
        if getattr(c, "diverged", False):
            ax.plot(
                len(y) - 1,
                y[-1],
                marker="X",
                color=PALETTE[i % len(PALETTE)],
                markersize=10,
                markeredgecolor="black",
            )
    if log:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    return ax


_AXIS_NAMES = {"lr": "learning rate", "x0": "start x", "y0": "start y"}


def _is_geometric(a: np.ndarray) -> bool:
    if len(a) < 3 or (a <= 0).any():
        return False
    r = np.diff(np.log(a))
    return bool(np.allclose(r, r[0], rtol=1e-6, atol=0) and r[0] != 0)


def _edges(a: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around grid centers (midpoints in log space on a log axis)."""
    if len(a) == 1:
        return np.array([a[0] * 0.9, a[0] * 1.1]) if log else np.array([a[0] - 0.5, a[0] + 0.5])
    b = np.log(a) if log else a
    mid = (b[1:] + b[:-1]) / 2
    e = np.concatenate([[2 * b[0] - mid[0]], mid, [2 * b[-1] - mid[-1]]])
    return np.exp(e) if log else e


def convergence_map(
    result: Any,
    value: str = "steps_to_tol",
    ax: Axes | None = None,
    log: bool | None = None,
    cmap: str = "viridis",
    title: str | None = None,
) -> Axes:
    """A heatmap of a :func:`~optlib.trajectory.sweep`: how fast, or how far, each setting gets.

    The first grid axis runs along x, the second along y (a one-axis sweep is a curve).
    Geometric axes (``np.geomspace``) get a log scale. Configurations that diverged are
    black; with ``value="steps_to_tol"`` the ones that never got below ``tol`` are light grey.
    Both colors lie outside viridis, so they stay distinct under color-vision deficiencies.

    Args:
        result: a :class:`~optlib.trajectory.SweepResult`.
        value: ``"steps_to_tol"`` (default) or ``"final_loss"``.
        ax: axes to draw into (default: a new figure).
        log: logarithmic colors; ``None`` (default) means yes for ``final_loss`` spanning more
            than two decades.
        cmap: colormap of the values (default: viridis).
        title: default: the optimizer and what is shown.

    References:
        Goh (2017), "Why Momentum Really Works", Distill.
    """
    import matplotlib.colors as mcolors
    from matplotlib.patches import Patch

    if value not in ("steps_to_tol", "final_loss"):
        raise ValueError(f"Invalid value: {value!r} (must be 'steps_to_tol' or 'final_loss')")
    names = list(result.axes)
    if len(names) not in (1, 2):
        raise ValueError(
            f"convergence_map needs a sweep over 1 or 2 axes, got {len(names)}: {names}"
        )
    ax = _axes(ax)
    data = np.asarray(getattr(result, value), dtype=np.float64)
    diverged = np.asarray(result.diverged)
    missing = diverged | ~np.isfinite(data)
    if value == "steps_to_tol":
        missing |= data < 0
        label = f"steps until loss < {result.tol:g}"
    else:
        label = f"loss after {result.steps} steps"
    shown = np.where(missing, np.nan, data)
    finite = shown[np.isfinite(shown)]
    positive = finite.size > 0 and finite.min() > 0
    if log is None:
        log = (
            value == "final_loss"
            and positive
            and np.log10(finite.max()) - np.log10(finite.min()) > 2
        )
    norm = None
    if log and positive:
        # Runs that crawl to 1e-300 or blow up to 1e300 without overflowing would flatten the
        # scale: colors stop at 1e-16 and 1e12 (the colorbar's arrows say so).
        norm = mcolors.LogNorm(
            vmin=max(finite.min(), 1e-16), vmax=min(finite.max(), 1e12), clip=False
        )

    xa = result.axes[names[0]]
    xlog = _is_geometric(xa)
    if len(names) == 1:
        ax.plot(xa, shown, "o-", color=PALETTE[0], ms=3, lw=1.5)
        if diverged.any():
            ax.plot(
                xa[diverged],
                np.full(diverged.sum(), np.nanmax(shown) if finite.size else 0),
                "X",
                color="black",
                ms=8,
                linestyle="none",
                label="diverged",
            )
            ax.legend(fontsize=8)
        ax.set(xlabel=_AXIS_NAMES.get(names[0], names[0]), ylabel=label)
        if xlog:
            ax.set_xscale("log")
        if log:
            ax.set_yscale("log")
    else:
        ya = result.axes[names[1]]
        ylog = _is_geometric(ya)
        xe, ye = _edges(xa, xlog), _edges(ya, ylog)
        mesh = ax.pcolormesh(xe, ye, shown.T, cmap=cmap, norm=norm, shading="flat")
        special = np.full(shown.shape, np.nan)
        special[missing & ~diverged] = 0.0
        special[diverged] = 1.0
        ax.pcolormesh(
            xe,
            ye,
            special.T,
            cmap=mcolors.ListedColormap(["#d9d9d9", "#111111"]),
            vmin=0,
            vmax=1,
            shading="flat",
        )
        extend = "neither"
        if norm is not None:
            lo, hi = finite.min() < norm.vmin, finite.max() > norm.vmax
            extend = "both" if lo and hi else "min" if lo else "max" if hi else "neither"
        ax.figure.colorbar(mesh, ax=ax, label=label, extend=extend)
        if xlog:
            ax.set_xscale("log")
        if ylog:
            ax.set_yscale("log")
        ax.set(
            xlabel=_AXIS_NAMES.get(names[0], names[0]),
            ylabel=_AXIS_NAMES.get(names[1], names[1]),
            xlim=(xe[0], xe[-1]),
            ylim=(ye[0], ye[-1]),
        )
        handles = [Patch(facecolor="#111111", label="diverged")]
        if value == "steps_to_tol":
            handles.append(
                Patch(
                    facecolor="#d9d9d9",
                    edgecolor="0.6",
                    label=f"not below {result.tol:g} in {result.steps} steps",
                )
            )
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.15),
            ncol=2,
            fontsize=8,
            frameon=False,
        )
    what = "steps to tolerance" if value == "steps_to_tol" else "final loss"
    ax.set_title(title if title is not None else f"{result.label}: {what}")
    return ax
