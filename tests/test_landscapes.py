"""Landscapes: closed-form gradients, known minimizers, shapes and input validation.

The gradients below are derived by hand from each formula, independently of the code under
test; autograd through ``optlib.landscapes`` must agree with them at many random points.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from torch import Tensor

from optlib import landscapes as L
from optlib.landscapes import Landscape, all_landscapes, quadratic

LANDSCAPES = all_landscapes()
NAMES = list(LANDSCAPES)
ONE_D = [n for n, ls in LANDSCAPES.items() if ls.dim == 1]
TWO_D = [n for n, ls in LANDSCAPES.items() if ls.dim == 2]
F64 = torch.float64
PI = math.pi

# -- closed-form gradients, derived by hand -------------------------------------------------
# Each takes the coordinates (x for 1-D, x and y for 2-D) and returns the partial derivatives.


def d_parabola(x: Tensor) -> tuple[Tensor]:
    # f = x^2  =>  f' = 2x
    return (2 * x,)


def d_x_sin(x: Tensor) -> tuple[Tensor]:
    # f = x sin(-pi x) = -x sin(pi x)  =>  f' = -sin(pi x) - pi x cos(pi x)
    return (-torch.sin(PI * x) - PI * x * torch.cos(PI * x),)


def d_quadratic(a: float, b: float):
    # f = (a x^2 + b y^2) / 2  =>  (a x, b y)
    def grad(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        return a * x, b * y

    return grad


def d_saddle(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    # f = x^2 - y^2  =>  (2x, -2y)
    return 2 * x, -2 * y


def d_monkey_saddle(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    # f = x^3 - 3 x y^2  =>  (3x^2 - 3y^2, -6xy)
    return 3 * x**2 - 3 * y**2, -6 * x * y


def d_rosenbrock(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    # f = (1 - x)^2 + 100 (y - x^2)^2
    # d/dx = -2(1 - x) - 400 x (y - x^2),  d/dy = 200 (y - x^2)
    return -2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)


def d_beale(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    # f = t1^2 + t2^2 + t3^2 with t_k = c_k - x + x y^k, c = (1.5, 2.25, 2.625)
    # d t_k/dx = y^k - 1,  d t_k/dy = k x y^(k-1)
    t1 = 1.5 - x + x * y
    t2 = 2.25 - x + x * y**2
    t3 = 2.625 - x + x * y**3
    dx = 2 * t1 * (y - 1) + 2 * t2 * (y**2 - 1) + 2 * t3 * (y**3 - 1)
    dy = 2 * t1 * x + 2 * t2 * (2 * x * y) + 2 * t3 * (3 * x * y**2)
    return dx, dy


def d_himmelblau(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    # f = u^2 + v^2, u = x^2 + y - 11, v = x + y^2 - 7
    # d/dx = 4 x u + 2 v,  d/dy = 2 u + 4 y v
    u = x**2 + y - 11
    v = x + y**2 - 7
    return 4 * x * u + 2 * v, 2 * u + 4 * y * v


def d_ackley(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    # f = -20 exp(-0.2 r) - exp(w) + e + 20, r = sqrt((x^2 + y^2)/2), w = (cos 2pi x + cos 2pi y)/2
    # dr/dx = x / (2r),  dw/dx = -pi sin(2 pi x)
    # d/dx = 20 * 0.2 exp(-0.2 r) x / (2r) + pi sin(2 pi x) exp(w)
    #      = 2 x exp(-0.2 r) / r + pi sin(2 pi x) exp(w)      (valid for r > 0)
    r = torch.sqrt((x**2 + y**2) / 2)
    w = (torch.cos(2 * PI * x) + torch.cos(2 * PI * y)) / 2
    dx = 2 * x * torch.exp(-0.2 * r) / r + PI * torch.sin(2 * PI * x) * torch.exp(w)
    dy = 2 * y * torch.exp(-0.2 * r) / r + PI * torch.sin(2 * PI * y) * torch.exp(w)
    return dx, dy


def d_rastrigin(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    # f = 20 + sum_u (u^2 - 10 cos 2 pi u)  =>  d/du = 2u + 20 pi sin(2 pi u)
    return 2 * x + 20 * PI * torch.sin(2 * PI * x), 2 * y + 20 * PI * torch.sin(2 * PI * y)


CLOSED_FORM = {
    "parabola": d_parabola,
    "x sin(-pi x)": d_x_sin,
    "bowl": d_quadratic(1.0, 1.0),  # f = (x^2 + y^2)/2
    "valley": d_quadratic(0.2, 4.0),  # f = 0.1 x^2 + 2 y^2
    "saddle": d_saddle,
    "monkey saddle": d_monkey_saddle,
    "Rosenbrock": d_rosenbrock,
    "Beale": d_beale,
    "Himmelblau": d_himmelblau,
    "Ackley": d_ackley,
    "Rastrigin": d_rastrigin,
}

# Landscapes whose every listed minimizer is a global one (from the literature). x sin(-pi x)
# also lists two local minima on [-1, 3]; its global one is the minimizer near 2.54.
ALL_MINIMIZERS_GLOBAL = set(CLOSED_FORM) - {"x sin(-pi x)"}

# Gradients reach ~1e5 on the plotting domains (Beale at |x|, |y| = 4.5); round-off in two
# different evaluation orders stays far below these bounds.
RTOL, ATOL = 1e-10, 1e-9


def autograd_grad(ls: Landscape, point: Tensor) -> Tensor:
    x = point.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(ls(x).sum(), x)
    return g


def closed_grad(name: str, point: Tensor) -> Tensor:
    ls = LANDSCAPES[name]
    if ls.dim == 1:
        return CLOSED_FORM[name](point)[0]
    return torch.stack(CLOSED_FORM[name](point[..., 0], point[..., 1]), dim=-1)


def test_every_landscape_has_a_closed_form_gradient_here():
    assert set(LANDSCAPES) == set(CLOSED_FORM)
    assert LANDSCAPES, "all_landscapes() is empty"
    assert NAMES[: len(ONE_D)] == ONE_D, "all_landscapes() lists the 1-D ones first"


@st.composite
def landscape_and_point(draw):
    """A landscape and a float64 point in (a margin around) its plotting domain."""
    name = draw(st.sampled_from(NAMES))
    ls = LANDSCAPES[name]
    coords = []
    for lo, hi in ls.domain:
        margin = 0.25 * (hi - lo)
        coords.append(draw(st.floats(lo - margin, hi + margin, allow_nan=False)))
    return name, torch.tensor(coords if ls.dim == 2 else coords[0], dtype=F64)


@given(landscape_and_point())
def test_autograd_matches_closed_form_gradient(case):
    name, point = case
    if name == "Ackley":
        # The cusp at the origin has no gradient (the code returns the subgradient 0 there,
        # checked in test_minimizers_are_stationary_with_psd_hessian).
        assume(float(point.norm()) > 1e-10)
    torch.testing.assert_close(
        autograd_grad(LANDSCAPES[name], point), closed_grad(name, point), rtol=RTOL, atol=ATOL
    )


@pytest.mark.parametrize("name", NAMES)
def test_autograd_matches_closed_form_gradient_on_a_random_batch(name):
    ls = LANDSCAPES[name]
    gen = torch.Generator().manual_seed(1234)
    lo = torch.tensor([d[0] for d in ls.domain], dtype=F64)
    hi = torch.tensor([d[1] for d in ls.domain], dtype=F64)
    pts = lo + (hi - lo) * torch.rand(2000, ls.dim, generator=gen, dtype=F64)
    if ls.dim == 1:
        pts = pts[:, 0]
    torch.testing.assert_close(autograd_grad(ls, pts), closed_grad(name, pts), rtol=RTOL, atol=ATOL)


@given(
    a=st.floats(1e-3, 1e3),
    b=st.floats(1e-3, 1e3),
    x=st.floats(-10, 10),
    y=st.floats(-10, 10),
)
def test_quadratic_gradient_and_hessian(a, b, x, y):
    ls = quadratic(a, b)
    p = torch.tensor([x, y], dtype=F64)
    expected = torch.stack(d_quadratic(a, b)(p[0], p[1]))
    torch.testing.assert_close(autograd_grad(ls, p), expected, rtol=RTOL, atol=ATOL)
    hess = torch.autograd.functional.hessian(ls, p)
    torch.testing.assert_close(hess, torch.diag(torch.tensor([a, b], dtype=F64)))
    assert ls.minimizers == ((0.0, 0.0),) and ls.minimum == 0.0


# -- minimizers --------------------------------------------------------------------------


def _minimizer_cases():
    return [
        pytest.param(name, i, id=f"{name}-{i}")
        for name, ls in LANDSCAPES.items()
        for i in range(len(ls.minimizers))
    ]


@pytest.mark.parametrize(("name", "i"), _minimizer_cases())
def test_minimizers_are_stationary_with_psd_hessian(name, i):
    ls = LANDSCAPES[name]
    m = torch.tensor(ls.minimizers[i], dtype=F64)
    assert m.shape == (ls.dim,)
    for (lo, hi), c in zip(ls.domain, m.tolist()):
        assert lo <= c <= hi, f"minimizer {ls.minimizers[i]} of {name} is outside the domain"
    torch.testing.assert_close(autograd_grad(ls, m), torch.zeros_like(m), rtol=0, atol=1e-9)
    hess = torch.autograd.functional.hessian(lambda t: ls(t).sum(), m)
    assert hess.shape == (ls.dim, ls.dim)
    torch.testing.assert_close(hess, hess.T)
    eig = torch.linalg.eigvalsh(hess)
    assert eig.min() >= -1e-8 * max(1.0, float(eig.abs().max())), f"Hessian not PSD: {eig}"
    value = ls(m).item()
    assert value >= ls.minimum - 1e-12, "a minimizer below the global minimum"
    if name in ALL_MINIMIZERS_GLOBAL:
        assert value == pytest.approx(ls.minimum, abs=1e-12)


# The saddles are unbounded below (see test_unbounded_landscapes_go_to_minus_inf).
@pytest.mark.parametrize("name", [n for n in NAMES if LANDSCAPES[n].minimum is not None])
def test_minimum_is_attained_and_below_a_dense_grid(name):
    ls = LANDSCAPES[name]
    assert ls.minimizers, f"{name} has a minimum but lists no minimizer"
    values = [ls(torch.tensor(m, dtype=F64)).item() for m in ls.minimizers]
    # Some listed minimizer is a global one.
    assert min(values) == pytest.approx(ls.minimum, abs=1e-12)
    *_, f = ls.grid(n=2001 if ls.dim == 1 else 401)
    assert float(f.min()) >= ls.minimum - 1e-12
    if name == "x sin(-pi x)":
        xs, f = ls.grid(n=2001)
        step = float(xs[1] - xs[0])
        assert abs(float(xs[f.argmin()]) - ls.minimizers[-1][0]) <= step


@pytest.mark.parametrize("name", [n for n in NAMES if LANDSCAPES[n].minimum is None])
def test_unbounded_landscapes_go_to_minus_inf(name):
    ls = LANDSCAPES[name]
    theta = torch.linspace(0, 2 * PI, 361, dtype=F64)
    ring = 1e3 * torch.stack([torch.cos(theta), torch.sin(theta)], dim=-1)
    assert float(ls(ring).min()) < -1e5
    # The origin is a stationary point that is not a minimum.
    origin = torch.zeros(2, dtype=F64)
    torch.testing.assert_close(autograd_grad(ls, origin), origin)


# -- shapes and input validation ---------------------------------------------------------


@pytest.mark.parametrize("name", TWO_D)
def test_two_d_shapes(name):
    ls = LANDSCAPES[name]
    gen = torch.Generator().manual_seed(0)
    batch = torch.randn(4, 3, 2, generator=gen, dtype=F64)
    assert ls(batch[0, 0]).shape == ()
    assert ls(batch[0]).shape == (3,)
    out = ls(batch)
    assert out.shape == (4, 3)
    # A batch evaluates each point as if it were alone.
    single = torch.stack([torch.stack([ls(p) for p in row]) for row in batch])
    torch.testing.assert_close(out, single, rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("name", ONE_D)
def test_one_d_shapes(name):
    ls = LANDSCAPES[name]
    batch = torch.linspace(-1, 1, 12, dtype=F64)
    assert ls(batch[0]).shape == ()
    assert ls(batch).shape == (12,)
    out = ls(batch.reshape(3, 4))
    assert out.shape == (3, 4)
    torch.testing.assert_close(out.reshape(-1), torch.stack([ls(x) for x in batch]))


@pytest.mark.parametrize("name", TWO_D)
@pytest.mark.parametrize("shape", [(3,), (5, 3), (2, 2, 1), (), (1,)])
def test_two_d_rejects_wrong_shapes(name, shape):
    ls = LANDSCAPES[name]
    with pytest.raises(ValueError, match=re.escape("(..., 2)")) as err:
        ls(torch.zeros(shape, dtype=F64))
    assert str(tuple(shape)) in str(err.value)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", [[0.5, 0.5], (0.5, 0.5), 0.5, np.array([0.5, 0.5]), None])
def test_non_tensor_input_raises_type_error(name, bad):
    with pytest.raises(TypeError, match="torch.Tensor"):
        LANDSCAPES[name](bad)


@pytest.mark.parametrize(
    ("a", "b"), [(0.0, 1.0), (1.0, 0.0), (-1.0, 2.0), (2.0, -0.5), (-1.0, -1.0), (math.nan, 1.0)]
)
def test_quadratic_rejects_non_positive_curvatures(a, b):
    with pytest.raises(ValueError, match=re.escape(f"Invalid curvatures: a={a}, b={b}")):
        quadratic(a, b)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", [2, 7, 64])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_grid_shapes_and_values(name, n, dtype):
    ls = LANDSCAPES[name]
    out = ls.grid(n, dtype=dtype)
    axes = [torch.linspace(lo, hi, n, dtype=dtype) for lo, hi in ls.domain]
    if ls.dim == 1:
        xs, f = out
        assert xs.shape == f.shape == (n,)
        torch.testing.assert_close(xs, axes[0], rtol=0, atol=0)
        torch.testing.assert_close(f, ls(axes[0]), rtol=0, atol=0)
    else:
        X, Y, Z = out
        assert X.shape == Y.shape == Z.shape == (n, n)
        # indexing="xy": x varies along columns, y along rows (what plt.contour expects)
        torch.testing.assert_close(X[0], axes[0], rtol=0, atol=0)
        torch.testing.assert_close(Y[:, 0], axes[1], rtol=0, atol=0)
        torch.testing.assert_close(Z[2 % n, 1], ls(torch.stack([axes[0][1], axes[1][2 % n]])))
    assert all(t.dtype == dtype for t in out)


@pytest.mark.parametrize("n", [1, 0, -3])
def test_grid_rejects_too_few_points(n):
    with pytest.raises(ValueError, match=re.escape(f"Invalid grid size: {n}")):
        L.rosenbrock.grid(n)


@pytest.mark.parametrize("name", NAMES)
def test_call_in_float32_and_float64(name):
    ls = LANDSCAPES[name]
    gen = torch.Generator().manual_seed(1)
    lo = torch.tensor([d[0] for d in ls.domain], dtype=F64)
    hi = torch.tensor([d[1] for d in ls.domain], dtype=F64)
    pts = lo + (hi - lo) * torch.rand(50, ls.dim, generator=gen, dtype=F64)
    if ls.dim == 1:
        pts = pts[:, 0]
    pts32 = pts.float()
    f64, f32 = ls(pts32.double()), ls(pts32)
    assert f64.dtype == torch.float64 and f32.dtype == torch.float32
    scale = float(f64.abs().max())
    torch.testing.assert_close(f32.double(), f64, rtol=1e-5, atol=1e-6 * max(1.0, scale))
    # float32 gradients flow too
    x = pts32.clone().requires_grad_(True)
    ls(x).sum().backward()
    assert x.grad.dtype == torch.float32 and torch.isfinite(x.grad).all()


def test_metadata_is_consistent():
    for name, ls in LANDSCAPES.items():
        assert ls.name == name
        assert ls.dim in (1, 2) and len(ls.domain) == ls.dim and len(ls.start) == ls.dim
        for lo, hi in ls.domain:
            assert lo < hi
        for (lo, hi), s in zip(ls.domain, ls.start):
            assert lo <= s <= hi, f"start of {name} is outside its domain"
        assert all(len(m) == ls.dim for m in ls.minimizers)
        assert (ls.minimum is None) == (len(ls.minimizers) == 0)
        assert ls.formula and ls.reference
