r"""Small data sets made in code: seeded, no downloads, a few hundred points each.

Every generator takes the number of points ``n``, a noise level ``noise`` and a ``seed``, draws
from its own :class:`torch.Generator` (the global random state is never touched, so making data
does not change what the next ``torch.randn`` returns), and returns float tensors ``X`` of shape
``(n, d)`` and targets ``y``: shape ``(n, 1)`` floats for regression (ready for
:class:`torch.nn.MSELoss` against a ``(n, 1)`` output), shape ``(n,)`` integer labels
(``torch.long``) for classification (ready for :class:`torch.nn.CrossEntropyLoss`).

Regression, with :math:`\varepsilon \sim \mathcal{N}(0, 1)` independent per point:

.. math::

    \text{linear:}\; y = 4x + \sigma\varepsilon, \qquad
    \text{cubic:}\; y = 4x^3 + 3 + \sigma\varepsilon, \qquad
    \text{sin\_cos:}\; y = \sin(b \cos(a x)) + \sigma\varepsilon,\; (a, b) = (1.2, 2.5).

Classification, with :math:`\boldsymbol\varepsilon \sim \mathcal{N}(0, I_2)` added to every
point (:func:`circles`, :func:`moons`, :func:`spirals` document their curves), then the points
are shuffled so that the classes are interleaved.

References:
    The circles and moons follow ``sklearn.datasets.make_circles`` / ``make_moons`` (Pedregosa
    et al., 2011); the spirals follow the CS231n notes (Karpathy, "Putting it together:
    minimal neural network case study"). No scikit-learn is needed.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from optlib._argcheck import MAX_SAMPLES, integer, real
from optlib._argcheck import seed as check_seed

__all__ = [
    "SinCos",
    "circles",
    "cubic",
    "linear",
    "moons",
    "sin_cos",
    "sin_cos_loss",
    "spirals",
    "train_val_split",
]


def _check(n: int, noise: float, minimum: int = 1) -> tuple[int, float]:
    """``n`` as an ``int`` and ``noise`` as a ``float``, both checked."""
    n = integer("n", n, minimum, MAX_SAMPLES)
    return n, real("noise", noise, low=0, what="a finite number >= 0")


def _add_noise(values: Tensor, noise: float, eps: Tensor) -> Tensor:
    """``values + noise * eps``, refused if a huge ``noise`` overflows the dtype."""
    out = values + noise * eps
    if not torch.isfinite(out).all():
        raise ValueError(f"Invalid noise: {noise} (overflows {out.dtype})")
    return out


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(check_seed("seed", seed))


def _grid(n: int, low: float, high: float, dtype: torch.dtype) -> Tensor:
    if not low < high:
        raise ValueError(f"Invalid low: {low} (must be below high={high})")
    return torch.linspace(low, high, n, dtype=dtype).unsqueeze(1)


def linear(
    n: int = 100,
    noise: float = 0.0,
    seed: int = 0,
    *,
    low: float = -1.0,
    high: float = 1.0,
    dtype: torch.dtype = torch.float32,
) -> tuple[Tensor, Tensor]:
    r"""The line :math:`y = 4x + \sigma\varepsilon` on an evenly spaced grid.

    Args:
        n: number of points (default: 100).
        noise: standard deviation :math:`\sigma` of the Gaussian noise (default: 0).
        seed: seed of the noise (default: 0).
        low: left end of the grid (default: -1).
        high: right end of the grid (default: 1).
        dtype: floating point type (default: ``torch.float32``).

    Returns:
        ``X`` of shape ``(n, 1)`` and ``y`` of shape ``(n, 1)``.
    """
    n, noise = _check(n, noise)
    x = _grid(n, low, high, dtype)
    eps = torch.randn(x.shape, generator=_generator(seed), dtype=dtype)
    return x, _add_noise(4 * x, noise, eps)


def cubic(
    n: int = 100,
    noise: float = 0.0,
    seed: int = 0,
    *,
    low: float = -1.0,
    high: float = 1.0,
    dtype: torch.dtype = torch.float32,
) -> tuple[Tensor, Tensor]:
    r"""The cubic :math:`y = 4x^3 + 3 + \sigma\varepsilon` on an evenly spaced grid.

    Args:
        n: number of points (default: 100).
        noise: standard deviation :math:`\sigma` of the Gaussian noise (default: 0).
        seed: seed of the noise (default: 0).
        low: left end of the grid (default: -1).
        high: right end of the grid (default: 1).
        dtype: floating point type (default: ``torch.float32``).

    Returns:
        ``X`` of shape ``(n, 1)`` and ``y`` of shape ``(n, 1)``.
    """
    n, noise = _check(n, noise)
    x = _grid(n, low, high, dtype)
    eps = torch.randn(x.shape, generator=_generator(seed), dtype=dtype)
    return x, _add_noise(4 * x**3 + 3, noise, eps)


class SinCos(nn.Module):
    r"""The two-parameter model :math:`\hat y = \sin(b \cos(a x))`.

    Its loss over :math:`(a, b)` is a non-convex surface with many valleys, small enough to draw
    (:func:`sin_cos_loss`) and to watch an optimizer cross.

    Args:
        a: initial value of the inner frequency :math:`a` (default: 1.0).
        b: initial value of the outer amplitude :math:`b` (default: 1.0).
    """

    def __init__(self, a: float = 1.0, b: float = 1.0) -> None:
        super().__init__()
        self.a = nn.Parameter(torch.tensor(float(a)))
        self.b = nn.Parameter(torch.tensor(float(b)))

    def forward(self, x: Tensor) -> Tensor:
        return torch.sin(self.b * torch.cos(self.a * x))


def sin_cos(
    n: int = 200,
    noise: float = 0.1,
    seed: int = 0,
    *,
    a: float = 1.2,
    b: float = 2.5,
    low: float = -3.0,
    high: float = 3.0,
    dtype: torch.dtype = torch.float32,
) -> tuple[Tensor, Tensor]:
    r"""Noisy samples of :math:`y = \sin(b \cos(a x)) + \sigma\varepsilon` at random inputs.

    The inputs are drawn uniformly, :math:`x \sim \mathcal{U}(\text{low}, \text{high})`, so the
    data set is a true sample rather than a grid.

    Args:
        n: number of points (default: 200).
        noise: standard deviation :math:`\sigma` of the Gaussian noise (default: 0.1).
        seed: seed of the inputs and the noise (default: 0).
        a: true inner frequency (default: 1.2).
        b: true outer amplitude (default: 2.5).
        low: smallest input (default: -3).
        high: largest input (default: 3).
        dtype: floating point type (default: ``torch.float32``).

    Returns:
        ``X`` of shape ``(n, 1)`` and ``y`` of shape ``(n, 1)``.
    """
    n, noise = _check(n, noise)
    if not low < high:
        raise ValueError(f"Invalid low: {low} (must be below high={high})")
    g = _generator(seed)
    x = low + (high - low) * torch.rand((n, 1), generator=g, dtype=dtype)
    eps = torch.randn((n, 1), generator=g, dtype=dtype)
    return x, _add_noise(torch.sin(b * torch.cos(a * x)), noise, eps)


def sin_cos_loss(a: Tensor, b: Tensor, X: Tensor, y: Tensor) -> Tensor:
    r"""Full-batch mean squared error of :class:`SinCos` at many :math:`(a, b)` at once.

    .. math::

        L(a, b) = \frac1n \sum_{i=1}^n \bigl(\sin(b \cos(a x_i)) - y_i\bigr)^2

    Args:
        a: values of :math:`a`, any shape broadcastable with ``b`` (e.g. a ``meshgrid``).
        b: values of :math:`b`.
        X: inputs, shape ``(n, 1)`` or ``(n,)``.
        y: targets, shape ``(n, 1)`` or ``(n,)``.

    Returns:
        The loss at every :math:`(a, b)`, shape ``broadcast(a, b)``. Memory grows as the grid
        size times ``n``: a 200 x 200 grid over 200 points is 8 million numbers.
    """
    x, t = X.reshape(-1), y.reshape(-1)
    if len(x) != len(t):
        raise ValueError(f"Invalid y: {len(t)} targets for {len(x)} inputs in X (need equal)")
    a, b = torch.broadcast_tensors(torch.as_tensor(a), torch.as_tensor(b))
    pred = torch.sin(b.unsqueeze(-1) * torch.cos(a.unsqueeze(-1) * x))
    return (pred - t).square().mean(dim=-1)


def _shuffled(X: Tensor, y: Tensor, g: torch.Generator) -> tuple[Tensor, Tensor]:
    perm = torch.randperm(len(X), generator=g)
    return X[perm], y[perm]


def _split(n: int, parts: int) -> list[int]:
    """``n`` points as evenly as possible over ``parts`` classes (the first ones get the rest)."""
    return [n // parts + (k < n % parts) for k in range(parts)]


def circles(
    n: int = 200,
    noise: float = 0.05,
    seed: int = 0,
    *,
    factor: float = 0.5,
    dtype: torch.dtype = torch.float32,
) -> tuple[Tensor, Tensor]:
    r"""Two concentric circles: a ring inside a ring, which no line separates.

    Class :math:`k \in \{0, 1\}` has radius :math:`r_0 = 1`, :math:`r_1 = \text{factor}`; each
    point draws an angle :math:`\theta \sim \mathcal{U}[0, 2\pi)` and sits at
    :math:`r_k(\cos\theta, \sin\theta) + \sigma\boldsymbol\varepsilon`.

    Args:
        n: number of points, split as evenly as possible between the classes (default: 200).
        noise: standard deviation :math:`\sigma` of the Gaussian noise (default: 0.05).
        seed: seed (default: 0).
        factor: radius of the inner circle, in (0, 1) (default: 0.5).
        dtype: floating point type of ``X`` (default: ``torch.float32``).

    Returns:
        ``X`` of shape ``(n, 2)`` and labels ``y`` of shape ``(n,)`` (``torch.long``).
    """
    n, noise = _check(n, noise, minimum=2)
    if not 0 < real("factor", factor, what="in (0, 1)") < 1:
        raise ValueError(f"Invalid factor: {factor} (must be in (0, 1))")
    g = _generator(seed)
    counts = _split(n, 2)
    radius = torch.cat(
        [
            torch.full((counts[0],), 1.0, dtype=dtype),
            torch.full((counts[1],), float(factor), dtype=dtype),
        ]
    )
    theta = 2 * math.pi * torch.rand(n, generator=g, dtype=dtype)
    X = radius.unsqueeze(1) * torch.stack([torch.cos(theta), torch.sin(theta)], dim=1)
    X = _add_noise(X, noise, torch.randn((n, 2), generator=g, dtype=dtype))
    y = torch.cat([torch.full((c,), k, dtype=torch.long) for k, c in enumerate(counts)])
    return _shuffled(X, y, g)


def moons(
    n: int = 200,
    noise: float = 0.1,
    seed: int = 0,
    *,
    dtype: torch.dtype = torch.float32,
) -> tuple[Tensor, Tensor]:
    r"""Two interleaving half circles.

    Each point draws :math:`t \sim \mathcal{U}[0, \pi]`. Class 0 lies on the upper half circle
    :math:`(\cos t, \sin t)`, class 1 on the lower one shifted right and down,
    :math:`(1 - \cos t, \tfrac12 - \sin t)`; then :math:`\sigma\boldsymbol\varepsilon` is added.

    Args:
        n: number of points, split as evenly as possible between the classes (default: 200).
        noise: standard deviation :math:`\sigma` of the Gaussian noise (default: 0.1).
        seed: seed (default: 0).
        dtype: floating point type of ``X`` (default: ``torch.float32``).

    Returns:
        ``X`` of shape ``(n, 2)`` and labels ``y`` of shape ``(n,)`` (``torch.long``).
    """
    n, noise = _check(n, noise, minimum=2)
    g = _generator(seed)
    n0, n1 = _split(n, 2)
    t = math.pi * torch.rand(n, generator=g, dtype=dtype)
    t0, t1 = t[:n0], t[n0:]
    upper = torch.stack([torch.cos(t0), torch.sin(t0)], dim=1)
    lower = torch.stack([1 - torch.cos(t1), 0.5 - torch.sin(t1)], dim=1)
    X = _add_noise(torch.cat([upper, lower]), noise, torch.randn((n, 2), generator=g, dtype=dtype))
    y = torch.cat([torch.zeros(n0, dtype=torch.long), torch.ones(n1, dtype=torch.long)])
    return _shuffled(X, y, g)


def spirals(
    n: int = 300,
    noise: float = 0.05,
    seed: int = 0,
    *,
    classes: int = 3,
    turns: float = 1.0,
    dtype: torch.dtype = torch.float32,
) -> tuple[Tensor, Tensor]:
    r"""Spiral arms winding out of the origin, one per class.

    Each point of class :math:`k` draws its position along the arm :math:`s \sim \mathcal{U}[0, 1]`
    and sits at radius :math:`r = s` and angle
    :math:`\theta = 2\pi k / K + 2\pi\,\text{turns}\cdot s`, that is at
    :math:`r(\cos\theta, \sin\theta) + \sigma\boldsymbol\varepsilon`.

    Args:
        n: number of points, split as evenly as possible between the classes (default: 300).
        noise: standard deviation :math:`\sigma` of the Gaussian noise (default: 0.05).
        seed: seed (default: 0).
        classes: number of arms :math:`K >= 2` (default: 3).
        turns: how many full turns each arm makes (default: 1).
        dtype: floating point type of ``X`` (default: ``torch.float32``).

    Returns:
        ``X`` of shape ``(n, 2)`` and labels ``y`` of shape ``(n,)`` (``torch.long``).
    """
    classes = integer("classes", classes, 2)
    n, noise = _check(n, noise, minimum=classes)
    turns = real("turns", turns, low=0, low_open=True, what="a finite number > 0")
    g = _generator(seed)
    counts = _split(n, classes)
    y = torch.cat([torch.full((c,), k, dtype=torch.long) for k, c in enumerate(counts)])
    s = torch.rand(n, generator=g, dtype=dtype)
    theta = 2 * math.pi * y.to(dtype) / classes + 2 * math.pi * turns * s
    X = s.unsqueeze(1) * torch.stack([torch.cos(theta), torch.sin(theta)], dim=1)
    X = _add_noise(X, noise, torch.randn((n, 2), generator=g, dtype=dtype))
    return _shuffled(X, y, g)


def train_val_split(
    X: Tensor,
    y: Tensor,
    val_fraction: float = 0.2,
    *,
    seed: int = 0,
    shuffle: bool = True,
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Split a data set into a training and a validation part.

    ``round(val_fraction * n)`` points (at least one, and at least one left for training) go to
    validation. With ``shuffle`` the points are first permuted by a generator seeded with
    ``seed``; without it the last points are the validation set.

    Args:
        X: inputs, first dimension ``n >= 2``.
        y: targets, first dimension ``n``.
        val_fraction: share of the points kept for validation, in (0, 1) (default: 0.2).
        seed: seed of the permutation (default: 0).
        shuffle: permute before splitting (default: True).

    Returns:
        ``(X_train, y_train, X_val, y_val)``.
    """
    for name, t in (("X", X), ("y", y)):
        if not isinstance(t, Tensor) or t.ndim == 0:
            raise TypeError(f"Invalid {name}: {type(t).__name__} (must be a tensor of samples)")
    if len(X) != len(y):
        raise ValueError(f"Invalid y: {len(y)} targets for {len(X)} samples in X (need equal)")
    n = len(X)
    if n < 2:
        raise ValueError(f"Invalid X: {n} samples (need at least 2 to split)")
    if not (real("val_fraction", val_fraction, what="in (0, 1)") < 1 and val_fraction > 0):
        raise ValueError(f"Invalid val_fraction: {val_fraction} (must be in (0, 1))")
    n_val = min(max(round(val_fraction * n), 1), n - 1)
    order = torch.randperm(n, generator=_generator(seed)) if shuffle else torch.arange(n)
    order = order.to(X.device)
    train, val = order[: n - n_val], order[n - n_val :]
    return X[train], y[train], X[val], y[val]
