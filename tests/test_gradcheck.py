"""Finite-difference gradient checks: against autograd and against torch.autograd.gradcheck."""

from __future__ import annotations

import math
import re

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import Tensor

from optlib.gradcheck import check_gradient, numerical_gradient, relative_error

F64 = torch.float64


def random_smooth_function(n: int, seed: int):
    """A smooth scalar function of ``n`` numbers mixing sines, a quadratic form and logsumexp."""
    gen = torch.Generator().manual_seed(seed)
    A = torch.randn(n, n, generator=gen, dtype=F64) / math.sqrt(n)
    c = torch.randn(n, generator=gen, dtype=F64)
    w = torch.randn(n, generator=gen, dtype=F64)

    def f(x: Tensor) -> Tensor:
        v = x.reshape(-1)
        return (
            torch.sin(c * v).sum()
            + 0.5 * v @ (A @ v)
            + torch.logsumexp(w * v, dim=0)
            + torch.tanh(v).pow(2).sum()
        )

    return f


def autograd_of(f, x: Tensor) -> Tensor:
    x = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f(x), x)
    return g


shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)


@given(shape=shapes, seed=st.integers(0, 2**31 - 1))
def test_numerical_gradient_matches_autograd(shape, seed):
    n = math.prod(shape)
    f = random_smooth_function(n, seed)
    x = torch.randn(shape, generator=torch.Generator().manual_seed(seed + 1), dtype=F64)
    x_before = x.clone()
    num = numerical_gradient(f, x)
    assert num.shape == x.shape and num.dtype == x.dtype
    torch.testing.assert_close(num, autograd_of(f, x), rtol=1e-6, atol=1e-7)
    torch.testing.assert_close(x, x_before, rtol=0, atol=0)  # x is not modified


def test_numerical_gradient_does_not_touch_a_leaf_that_requires_grad():
    x = torch.tensor([0.3, -1.2], dtype=F64, requires_grad=True)
    num = numerical_gradient(lambda t: (t**3).sum(), x)
    assert x.grad is None and not num.requires_grad
    torch.testing.assert_close(num, 3 * x.detach() ** 2, rtol=1e-8, atol=1e-9)


# -- check_gradient on hand-written gradients -------------------------------------------


def rosenbrock(p: Tensor) -> Tensor:
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def rosenbrock_grad(p: Tensor) -> Tensor:
    # d/dx = -2(1 - x) - 400 x (y - x^2),  d/dy = 200 (y - x^2)
    x, y = p[0], p[1]
    return torch.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


@given(x=st.floats(-2, 2), y=st.floats(-1, 3))
def test_check_gradient_accepts_correct_and_rejects_wrong(x, y):
    p = torch.tensor([x, y], dtype=F64)
    g = rosenbrock_grad(p)
    if float(g.norm()) < 1e-3:
        return  # next to the minimizer every gradient is "small": nothing to tell apart
    assert check_gradient(rosenbrock, g, p) <= 1e-6
    assert check_gradient(rosenbrock, rosenbrock_grad, p) <= 1e-6  # a callable works too
    for wrong in (2 * g, -g, g.flip(0), torch.zeros_like(g)):
        with pytest.raises(AssertionError, match="gradient check failed"):
            check_gradient(rosenbrock, wrong, p)


def test_check_gradient_rejects_nan_and_reports_both_gradients():
    p = torch.tensor([0.5, 0.5], dtype=F64)
    with pytest.raises(AssertionError, match="relative error nan"):
        check_gradient(rosenbrock, torch.full((2,), math.nan, dtype=F64), p)
    with pytest.raises(AssertionError, match=r"claimed:.*\n.*numerical:"):
        check_gradient(rosenbrock, -rosenbrock_grad(p), p)


def test_check_gradient_rtol_is_honoured():
    p = torch.tensor([0.5, 0.5], dtype=F64)
    slightly_off = rosenbrock_grad(p) * (1 + 1e-4)
    with pytest.raises(AssertionError):
        check_gradient(rosenbrock, slightly_off, p)
    err = check_gradient(rosenbrock, slightly_off, p, rtol=1e-3)
    assert 1e-5 < err < 1e-3


# -- agreement with torch.autograd.gradcheck on custom autograd.Functions ----------------

# (name, forward, correct derivative, wrong derivatives): elementwise functions
ELEMENTWISE = [
    ("cube", lambda x: x**3, lambda x: 3 * x**2, [lambda x: 6 * x**2, lambda x: -3 * x**2]),
    (
        "x_sin_x",
        lambda x: x * torch.sin(x),
        lambda x: torch.sin(x) + x * torch.cos(x),
        [lambda x: torch.sin(x), lambda x: -(torch.sin(x) + x * torch.cos(x))],
    ),
    (
        "softplus",
        lambda x: torch.log1p(torch.exp(x)),
        lambda x: torch.sigmoid(x),
        [lambda x: 2 * torch.sigmoid(x), lambda x: torch.sigmoid(-x)],
    ),
    (
        "exp_times_x",
        lambda x: torch.exp(x) * x,
        lambda x: torch.exp(x) * (1 + x),
        [lambda x: torch.exp(x), lambda x: torch.exp(x) * (1 - x)],
    ),
]


def make_function(forward, derivative) -> type[torch.autograd.Function]:
    class Elementwise(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return forward(x)

        @staticmethod
        def backward(ctx, grad_out):
            (x,) = ctx.saved_tensors
            return grad_out * derivative(x)

    return Elementwise


def verdicts(fn: type[torch.autograd.Function], x: Tensor) -> tuple[bool, bool]:
    """(torch.autograd.gradcheck passes, optlib.check_gradient passes) for ``fn`` at ``x``."""
    x = x.detach().clone().requires_grad_(True)
    torch_ok = torch.autograd.gradcheck(fn.apply, (x,), raise_exception=False)
    scalar = lambda t: fn.apply(t).sum()  # noqa: E731
    try:
        check_gradient(scalar, lambda t: autograd_of(scalar, t), x)
        optlib_ok = True
    except AssertionError:
        optlib_ok = False
    return torch_ok, optlib_ok


def _gradcheck_cases():
    cases = []
    for name, fwd, good, bads in ELEMENTWISE:
        cases.append(pytest.param(fwd, good, True, id=f"{name}-correct"))
        for i, bad in enumerate(bads):
            cases.append(pytest.param(fwd, bad, False, id=f"{name}-wrong{i}"))
    return cases


@pytest.mark.parametrize(("forward", "derivative", "correct"), _gradcheck_cases())
def test_agrees_with_torch_autograd_gradcheck(forward, derivative, correct):
    fn = make_function(forward, derivative)
    x = torch.linspace(0.3, 1.7, 6, dtype=F64).reshape(2, 3)
    assert verdicts(fn, x) == (correct, correct)


# -- bad inputs --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.bool])
def test_non_float_tensor_is_rejected(dtype):
    x = torch.zeros(3, dtype=dtype)
    with pytest.raises(ValueError, match=re.escape(f"got dtype {dtype}")):
        numerical_gradient(lambda t: t.sum(), x)
    with pytest.raises(ValueError, match="floating-point"):
        check_gradient(lambda t: t.sum(), torch.ones(3), x)


def test_non_tensor_x_is_rejected():
    with pytest.raises(TypeError, match="torch.Tensor"):
        numerical_gradient(lambda t: t.sum(), [1.0, 2.0])


@pytest.mark.parametrize("h", [0.0, -1e-6, math.nan])
def test_non_positive_step_is_rejected(h):
    x = torch.ones(2, dtype=F64)
    with pytest.raises(ValueError, match=re.escape(f"Invalid step h: {h} (must be > 0)")):
        numerical_gradient(lambda t: t.sum(), x, h=h)
    with pytest.raises(ValueError, match="Invalid step h"):
        check_gradient(lambda t: t.sum(), torch.ones(2, dtype=F64), x, h=h)


@pytest.mark.parametrize("out_shape", [(2,), (1, 2), (3, 3)])
def test_non_scalar_f_is_rejected(out_shape):
    x = torch.ones(2, dtype=F64)
    f = lambda t: t.sum() * torch.ones(out_shape, dtype=F64)  # noqa: E731
    with pytest.raises(ValueError, match=re.escape(f"f must return a scalar, got shape {out_shape}")):
        numerical_gradient(f, x)


def test_one_element_output_is_accepted():
    x = torch.tensor([0.5, 2.0], dtype=F64)
    num = numerical_gradient(lambda t: (t**2).sum().reshape(1, 1), x)
    torch.testing.assert_close(num, 2 * x, rtol=1e-8, atol=1e-9)


def test_relative_error_shape_mismatch():
    with pytest.raises(ValueError, match=re.escape("Shapes differ: (3,) vs (1, 3)")):
        relative_error(torch.ones(3), torch.ones(1, 3))


@given(shape=shapes, seed=st.integers(0, 2**31 - 1))
def test_relative_error_properties(shape, seed):
    a = torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=F64)
    assert relative_error(a, a.clone()) == 0.0
    assert relative_error(torch.zeros(shape), torch.zeros(shape)) == 0.0
    b = torch.randn(shape, generator=torch.Generator().manual_seed(seed + 1), dtype=F64)
    assert relative_error(a, b) == pytest.approx(relative_error(b, a))
    if float(a.norm()) > 0:
        # ||a - 2a|| / max(||a||, ||2a||) = 1/2
        assert relative_error(a, 2 * a) == pytest.approx(0.5, rel=1e-12)
        assert relative_error(a, -a) == pytest.approx(2.0, rel=1e-12)
