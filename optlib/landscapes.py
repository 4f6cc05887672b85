"""Test functions for optimizers: 1-D and 2-D landscapes as torch-differentiable callables.

Every landscape maps a tensor of points to their heights. A 2-D landscape takes shape
``(..., 2)`` and returns shape ``(...)``, so one call evaluates a single point, a batch of
optimizer states or a whole plotting grid. A 1-D landscape takes shape ``(...)`` elementwise.

Each carries its known minimizers, the minimum value, a plotting domain and where it comes
from, so tests can check that the minimizers are stationary and chapters can draw it.

References:
    Rosenbrock (1960), Beale (1958), Himmelblau (1972), Ackley (1987), Rastrigin (1974);
    the collection in Jamil & Yang (2013), "A literature survey of benchmark functions for
    global optimization problems".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import Tensor

__all__ = [
    "Landscape",
    "ackley",
    "all_landscapes",
    "beale",
    "bowl",
    "himmelblau",
    "monkey_saddle",
    "parabola",
    "quadratic",
    "rastrigin",
    "rosenbrock",
    "saddle",
    "valley",
    "x_sin",
]


@dataclass(frozen=True)
class Landscape:
    """A named test function with what is known about it.

    Attributes:
        name: short display name.
        fn: the function itself, on tensors of shape ``(..., dim)`` (``(...)`` when ``dim == 1``).
        dim: 1 or 2.
        domain: plotting box, ``((x_min, x_max),)`` or ``((x_min, x_max), (y_min, y_max))``.
        minimizers: known local or global minimizers, one tuple of coordinates each
            (empty when the function is unbounded below, like a saddle).
        minimum: the global minimum value, or ``None`` when unbounded below.
        formula: the function in LaTeX, for captions.
        reference: where the function comes from.
        start: a conventional starting point for demonstrations.
    """

    name: str
    fn: Callable[[Tensor], Tensor] = field(repr=False)
    dim: int
    domain: tuple[tuple[float, float], ...]
    minimizers: tuple[tuple[float, ...], ...]
    minimum: float | None
    formula: str
    reference: str
    start: tuple[float, ...]

    def __call__(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):
            raise TypeError(f"{self.name} expects a torch.Tensor, got {type(x).__name__}")
        if self.dim == 2 and (x.ndim == 0 or x.shape[-1] != 2):
            raise ValueError(
                f"{self.name} is a 2-D landscape: expected a tensor of shape (..., 2), "
                f"got shape {tuple(x.shape)}"
            )
        return self.fn(x)

    def grid(self, n: int = 200, dtype: torch.dtype = torch.float64) -> tuple[Tensor, ...]:
        """Evaluate on an ``n``-point (per axis) grid over the domain.

        Returns ``(xs, f)`` for 1-D and ``(X, Y, Z)`` with shape ``(n, n)`` for 2-D, ready for
        ``plt.plot`` or ``plt.contour``.
        """
        if n < 2:
            raise ValueError(f"Invalid grid size: {n} (need at least 2 points per axis)")
        axes = [torch.linspace(lo, hi, n, dtype=dtype) for lo, hi in self.domain]
        if self.dim == 1:
            return axes[0], self.fn(axes[0])
        X, Y = torch.meshgrid(axes[0], axes[1], indexing="xy")
        return X, Y, self.fn(torch.stack([X, Y], dim=-1))


def _xy(p: Tensor) -> tuple[Tensor, Tensor]:
    return p[..., 0], p[..., 1]


# -- one-dimensional ----------------------------------------------------------------------

parabola = Landscape(
    name="parabola",
    fn=lambda x: x**2,
    dim=1,
    domain=((-2.0, 2.0),),
    minimizers=((0.0,),),
    minimum=0.0,
    formula=r"f(x) = x^2",
    reference="the simplest convex function",
    start=(1.5,),
)

# Stationary points of -x sin(pi x) solve tan(pi x) = -pi x. Inside [-1, 3] the minima are
# two symmetric local ones and the global one near 2.54 (x = 0 is a local *maximum*); found by
# Newton's method in float64, and re-checked by the tests (zero slope, positive curvature).
x_sin = Landscape(
    name="x sin(-pi x)",
    fn=lambda x: x * torch.sin(-math.pi * x),
    dim=1,
    domain=((-1.0, 3.0),),
    minimizers=((-0.6457736765434056,), (0.6457736765434056,), (2.5396881748167717,)),
    minimum=-2.519972588598207,
    formula=r"f(x) = x \sin(-\pi x)",
    reference=(
        "this course's own 1-D example of local vs global minima "
        "(d2l sec. 12.1 uses x cos(pi x) on [-1, 2] instead)"
    ),
    start=(1.2,),
)

# -- quadratics ---------------------------------------------------------------------------


def quadratic(
    a: float,
    b: float,
    name: str | None = None,
    domain: tuple[tuple[float, float], tuple[float, float]] = ((-2.0, 2.0), (-2.0, 2.0)),
    start: tuple[float, float] = (-1.5, 1.5),
) -> Landscape:
    r"""The axis-aligned quadratic bowl :math:`f(x, y) = \tfrac12 (a x^2 + b y^2)`.

    Its Hessian is ``diag(a, b)``, so ``a`` and ``b`` are the curvatures, ``L = max(a, b)`` is
    the smoothness constant and ``max(a, b) / min(a, b)`` the condition number.
    """
    if not (a > 0 and b > 0):
        raise ValueError(f"Invalid curvatures: a={a}, b={b} (both must be > 0)")
    return Landscape(
        name=name or f"quadratic(a={a:g}, b={b:g})",
        fn=lambda p: 0.5 * (a * p[..., 0] ** 2 + b * p[..., 1] ** 2),
        dim=2,
        domain=domain,
        minimizers=((0.0, 0.0),),
        minimum=0.0,
        formula=rf"f(x, y) = \tfrac12 ({a:g}\,x^2 + {b:g}\,y^2)",
        reference="the model problem of every convergence proof",
        start=start,
    )


bowl = quadratic(1.0, 1.0, name="bowl")
# Condition number 20: d2l's f = 0.1 x^2 + 2 y^2, the valley where one step size cannot fit
# both axes.
valley = quadratic(0.2, 4.0, name="valley", domain=((-6.0, 6.0), (-3.0, 3.0)), start=(-5.0, -2.0))

# -- saddles ------------------------------------------------------------------------------


def _saddle(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return x**2 - y**2


saddle = Landscape(
    name="saddle",
    fn=_saddle,
    dim=2,
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    minimizers=(),
    minimum=None,
    formula=r"f(x, y) = x^2 - y^2",
    reference="the canonical saddle point at the origin",
    start=(-1.5, 1e-3),
)


def _monkey_saddle(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return x**3 - 3 * x * y**2


monkey_saddle = Landscape(
    name="monkey saddle",
    fn=_monkey_saddle,
    dim=2,
    domain=((-1.5, 1.5), (-1.5, 1.5)),
    minimizers=(),
    minimum=None,
    formula=r"f(x, y) = x^3 - 3 x y^2",
    reference="a degenerate saddle: three descending valleys meet at the origin",
    start=(0.5, 0.1),
)

# -- classic benchmarks -------------------------------------------------------------------


def _rosenbrock(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


rosenbrock = Landscape(
    name="Rosenbrock",
    fn=_rosenbrock,
    dim=2,
    domain=((-2.0, 2.0), (-1.0, 3.0)),
    minimizers=((1.0, 1.0),),
    minimum=0.0,
    formula=r"f(x, y) = (1 - x)^2 + 100 (y - x^2)^2",
    reference="Rosenbrock (1960), The Computer Journal 3(3)",
    start=(-1.5, 2.0),
)


def _beale(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


beale = Landscape(
    name="Beale",
    fn=_beale,
    dim=2,
    domain=((-4.5, 4.5), (-4.5, 4.5)),
    minimizers=((3.0, 0.5),),
    minimum=0.0,
    formula=(r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2"),
    reference="Beale (1958), Princeton technical report; Jamil & Yang (2013), no. 10",
    start=(1.0, 1.5),
)


def _himmelblau(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


himmelblau = Landscape(
    name="Himmelblau",
    fn=_himmelblau,
    dim=2,
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    minimizers=(
        (3.0, 2.0),
        (-2.805118086952745, 3.131312518250573),
        (-3.779310253377747, -3.283185991286170),
        (3.584428340330492, -1.848126526964404),
    ),
    minimum=0.0,
    formula=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    reference="Himmelblau (1972), Applied Nonlinear Programming, McGraw-Hill",
    start=(0.0, 0.0),
)


def _ackley(p: Tensor) -> Tensor:
    x, y = _xy(p)
    r2 = 0.5 * (x**2 + y**2)
    # sqrt has an infinite derivative at 0; clamping keeps autograd finite there (the
    # subgradient 0 at the cusp) and changes f by at most 1e-16.
    r = torch.sqrt(torch.clamp(r2, min=1e-32))
    waves = 0.5 * (torch.cos(2 * math.pi * x) + torch.cos(2 * math.pi * y))
    return -20 * torch.exp(-0.2 * r) - torch.exp(waves) + math.e + 20


ackley = Landscape(
    name="Ackley",
    fn=_ackley,
    dim=2,
    domain=((-4.0, 4.0), (-4.0, 4.0)),
    minimizers=((0.0, 0.0),),
    minimum=0.0,
    formula=(
        r"f(x, y) = -20 e^{-0.2\sqrt{(x^2 + y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20"
    ),
    reference="Ackley (1987), A Connectionist Machine for Genetic Hillclimbing, Kluwer",
    start=(2.6, 1.7),
)


def _rastrigin(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return 20 + x**2 - 10 * torch.cos(2 * math.pi * x) + y**2 - 10 * torch.cos(2 * math.pi * y)


rastrigin = Landscape(
    name="Rastrigin",
    fn=_rastrigin,
    dim=2,
    domain=((-5.12, 5.12), (-5.12, 5.12)),
    minimizers=((0.0, 0.0),),
    minimum=0.0,
    formula=r"f(x, y) = 20 + \sum_{u \in \{x, y\}} \left(u^2 - 10 \cos 2\pi u\right)",
    reference="Rastrigin (1974), Systems of Extremal Control, Nauka",
    start=(2.2, 1.3),
)


def all_landscapes() -> dict[str, Landscape]:
    """Every predefined landscape by name, 1-D first."""
    return {
        ls.name: ls
        for ls in (
            parabola,
            x_sin,
            bowl,
            valley,
            saddle,
            monkey_saddle,
            rosenbrock,
            beale,
            himmelblau,
            ackley,
            rastrigin,
        )
    }
