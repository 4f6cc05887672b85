"""The picture under a player's paths: a landscape rendered once by matplotlib, as a small PNG.

The image has no axes (the player draws them, so they stay sharp at any width) and fills the
plot area exactly; :class:`Background` carries it with its place in data coordinates.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

import numpy as np

from optlib.landscapes import Landscape
from optlib.viz import _contours
from optlib.viz._schema import rounded

__all__ = ["Background", "background"]


@dataclass(frozen=True)
class Background:
    """A picture of the landscape and where it sits in data coordinates.

    Attributes:
        png: the image, PNG bytes; it fills the plot area exactly.
        extent: ``(x_min, x_max, y_min, y_max)`` of the image in data coordinates.
        aspect: height / width of the plot area.
        xlabel, ylabel: axis labels.
        title: a default title for players drawn on it.
        dim: 2 for a contour map (points are ``(x, y)``), 1 for a curve (points are ``x``
            and the height is the loss).
    """

    png: bytes
    extent: tuple[float, float, float, float]
    aspect: float
    xlabel: str = "x"
    ylabel: str = "y"
    title: str = ""
    dim: int = 2

    def data_url(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    def spec(self) -> dict[str, Any]:
        """The part of the player's data that describes the background (see ``_schema``)."""
        return {
            "dim": self.dim,
            "image": self.data_url(),
            "extent": [rounded(v) for v in self.extent],
            "aspect": rounded(self.aspect),
            "xlabel": self.xlabel,
            "ylabel": self.ylabel,
        }


def background(
    landscape: Landscape,
    width: int = 600,
    levels: int = 24,
    log: bool | None = None,
    n: int = 200,
    show_minimizers: bool = True,
) -> Background:
    """Render a landscape once, as the small background image of a player.

    A 2-D landscape becomes filled contours (the same levels as :func:`optlib.viz.contour`, in
    lighter greys so the coloured paths keep their contrast) with its minimizers starred; a
    1-D landscape becomes its curve. The player shows the image on a light card in both the
    light and the dark theme.

    Args:
        landscape: a 1-D or 2-D landscape.
        width: image width in pixels (default: 600); the height follows the domain's shape.
        levels: number of contour levels (default: 24).
        log: log-spaced levels; ``None`` (default) decides from the values (on for
            Rosenbrock-like ranges).
        n: grid points per axis (default: 200).
        show_minimizers: star the known minimizers (default: True).
    """
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    if not isinstance(width, int) or not 100 <= width <= 4000:
        raise ValueError(f"Invalid width: {width} (must be an integer in [100, 4000])")
    if landscape.dim not in (1, 2):
        raise ValueError(
            f"background needs a 1-D or 2-D landscape, {landscape.name} is {landscape.dim}-D"
        )
    (x0, x1) = landscape.domain[0]
    if landscape.dim == 2:
        (y0, y1) = landscape.domain[1]
        aspect = (y1 - y0) / (x1 - x0)
        if not 1 / 3 <= aspect <= 3:
            aspect = 0.75
    else:
        xs, fs = (a.numpy() for a in landscape.grid(4 * n))
        pad = 0.08 * (fs.max() - fs.min() or 1.0)
        y0, y1, aspect = float(fs.min() - pad), float(fs.max() + pad), 0.62

    height = max(1, round(width * aspect))
    fig = Figure(figsize=(width / 100, height / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    if landscape.dim == 2:
        X, Y, Z = (a.numpy() for a in landscape.grid(n))
        # Light greys (low is white): the coloured paths keep their contrast everywhere.
        greys = ListedColormap(colormaps["Greys"](np.linspace(0.0, 0.36, 256)))
        _contours.draw(ax, X, Y, Z, n=levels, log=log, cmap=greys, lines="0.55", linewidth=0.5)
        stars = landscape.minimizers
        xlabel, ylabel = "x", "y"
    else:
        import torch

        ax.plot(xs, fs, color="0.3", lw=2)
        ax.fill_between(xs, fs, y0, color="0.92")
        stars = [
            (m, float(landscape(torch.tensor(m, dtype=torch.float64))))
            for (m,) in landscape.minimizers
        ]
        xlabel, ylabel = "x", "f(x)"
    if show_minimizers:
        _contours.star_minimizers(ax, stars, 15)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return Background(
        png=_shrink_png(buf.getvalue()),
        extent=(float(x0), float(x1), float(y0), float(y1)),
        aspect=float(aspect),
        xlabel=xlabel,
        ylabel=ylabel,
        title=landscape.name,
        dim=landscape.dim,
    )


def _shrink_png(png: bytes, colors: int = 48) -> bytes:
    """A palette PNG: greys and a few marker colours need no 24-bit pixels (about 4x smaller)."""
    from PIL import Image

    im = (
        Image.open(io.BytesIO(png))
        .convert("RGB")
        .quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
    )
    out = io.BytesIO()
    im.save(out, format="PNG", optimize=True)
    return out.getvalue()
