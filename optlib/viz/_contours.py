"""Contour levels of a landscape, written once for the figures and for the player's background.

A landscape like Rosenbrock keeps its interesting part (the curved valley) in a sliver of its
range: evenly spaced levels draw one dark blob and a white plain. Log-spaced levels of the
values shifted to be positive draw the valley. :func:`levels` decides and computes them;
:func:`draw` puts filled contours and their lines on matplotlib axes;
:func:`star_minimizers` marks the known minimizers. :func:`optlib.viz.contour` and
:func:`optlib.viz.background` both call them, with their own colours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Minimizers are starred in the Okabe-Ito yellow with a black edge.
STAR = {"marker": "*", "color": "#F0E442", "markeredgecolor": "black", "linestyle": "none"}


def wants_log(Z: np.ndarray) -> bool:
    """Log-spaced levels when most of the picture sits in a sliver of the range (Rosenbrock)."""
    lo = float(Z.min())
    spread = float(np.percentile(Z, 10)) - lo
    return bool(spread > 0 and (float(Z.max()) - lo) / spread > 100)


def levels(Z: np.ndarray, n: int, log: bool | None) -> tuple[np.ndarray, Any, Any]:
    """The values to contour, their levels and the colour norm.

    Args:
        Z: the landscape on a grid; non-finite values are set to the largest finite one.
        n: number of levels.
        log: log-spaced levels of ``Z`` shifted to be positive; ``None`` decides with
            :func:`wants_log`.

    Returns:
        ``(Z, levels, norm)``: with linear levels ``levels`` is the count ``n`` and ``norm`` is
        ``None`` (matplotlib picks the levels); with log levels ``Z`` is shifted so its minimum
        is positive, ``levels`` are geometric and ``norm`` is a ``LogNorm``.
    """
    Z = np.asarray(Z, dtype=np.float64)
    finite = np.isfinite(Z)
    if not finite.all():
        Z = np.where(finite, Z, Z[finite].max() if finite.any() else 0.0)
    if log is None:
        log = wants_log(Z)
    if not log:
        return Z, n, None
    from matplotlib.colors import LogNorm

    Zs = Z - (Z.min() - 1e-3 if Z.min() <= 0 else 0.0)
    return Zs, np.geomspace(Zs.min(), Zs.max(), n), LogNorm()


def draw(
    ax: Axes,
    X: np.ndarray,
    Y: np.ndarray,
    Z: np.ndarray,
    *,
    n: int,
    log: bool | None,
    cmap: Any,
    lines: str,
    linewidth: float,
    alpha: float | None = None,
) -> Any:
    """Filled contours with their level lines; returns the filled set (for a colorbar)."""
    Zs, lv, norm = levels(Z, n, log)
    filled = ax.contourf(X, Y, Zs, levels=lv, norm=norm, cmap=cmap, alpha=alpha)
    ax.contour(X, Y, Zs, levels=lv, colors=lines, linewidths=linewidth)
    return filled


def star_minimizers(ax: Axes, points: Any, size: float) -> None:
    """A yellow star at each ``(x, y)`` of ``points``."""
    for x, y in points:
        ax.plot(x, y, markersize=size, **STAR)
