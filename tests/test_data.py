"""The toy data sets: shapes, the generative processes they document, seeds, the split."""

import math

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from optlib.train import (
    SinCos,
    circles,
    cubic,
    linear,
    moons,
    sin_cos,
    sin_cos_loss,
    spirals,
    train_val_split,
)

ALL = [linear, cubic, sin_cos, circles, moons, spirals]
CLASSIFICATION = [circles, moons, spirals]


@pytest.mark.parametrize("make", ALL, ids=lambda f: f.__name__)
def test_shapes_and_dtypes(make):
    X, y = make(n=60, noise=0.1, seed=3)
    assert X.dtype == torch.float32 and X.ndim == 2 and len(X) == len(y) == 60
    if make in CLASSIFICATION:
        assert X.shape[1] == 2 and y.shape == (60,) and y.dtype == torch.long
    else:
        assert X.shape == (60, 1) and y.shape == (60, 1) and y.dtype == torch.float32
    X64, _ = make(n=60, noise=0.1, seed=3, dtype=torch.float64)
    assert X64.dtype == torch.float64


@pytest.mark.parametrize("make", ALL, ids=lambda f: f.__name__)
def test_seeded_and_leaves_the_global_rng_alone(make):
    torch.manual_seed(123)
    before = torch.get_rng_state()
    X1, y1 = make(n=50, noise=0.1, seed=7)
    assert torch.equal(torch.get_rng_state(), before)
    X2, y2 = make(n=50, noise=0.1, seed=7)
    X3, _ = make(n=50, noise=0.1, seed=8)
    assert torch.equal(X1, X2) and torch.equal(y1, y2)
    assert not torch.equal(X1, X3) or make in (linear, cubic)  # a grid: only y is noisy
    if make in (linear, cubic):
        assert not torch.equal(y1, make(n=50, noise=0.1, seed=8)[1])


def test_linear_and_cubic_on_a_grid():
    X, y = linear(n=11, noise=0.0, low=-1.0, high=1.0)
    assert_close(X[:, 0], torch.linspace(-1, 1, 11))
    assert_close(y, 4 * X)
    X, y = cubic(n=11, noise=0.0, low=-2.0, high=2.0)
    assert_close(X[:, 0], torch.linspace(-2, 2, 11))
    assert_close(y, 4 * X**3 + 3)


def test_noise_has_the_requested_scale():
    X, y = linear(n=20000, noise=0.3, seed=1)
    resid = y - 4 * X
    assert abs(resid.mean().item()) < 0.01
    assert abs(resid.std().item() - 0.3) < 0.01


def test_sin_cos_samples_the_model_with_a_12_b_25():
    X, y = sin_cos(n=500, noise=0.0, seed=2, low=-3.0, high=3.0)
    assert X.min() >= -3 and X.max() <= 3
    assert_close(y, torch.sin(2.5 * torch.cos(1.2 * X)))
    model = SinCos(a=1.2, b=2.5)
    assert [n for n, _ in model.named_parameters()] == ["a", "b"]
    assert_close(model(X), y)


def test_sin_cos_loss_matches_the_module_with_mse():
    X, y = sin_cos(n=80, noise=0.1, seed=4)
    a = torch.linspace(-2, 2, 5)
    b = torch.linspace(0, 4, 3)
    A, B = torch.meshgrid(a, b, indexing="xy")
    Z = sin_cos_loss(A, B, X, y)
    assert Z.shape == (3, 5)
    for i in range(3):
        for j in range(5):
            ref = nn.functional.mse_loss(SinCos(A[i, j].item(), B[i, j].item())(X), y)
            assert_close(Z[i, j], ref.detach())


def test_sin_cos_loss_is_zero_at_the_truth_and_even_in_a():
    X, y = sin_cos(n=50, noise=0.0, dtype=torch.float64)
    a = torch.tensor([1.2, -1.2, 0.7], dtype=torch.float64)
    b = torch.tensor([2.5, 2.5, 1.0], dtype=torch.float64)
    Z = sin_cos_loss(a, b, X, y)
    assert Z[0].item() < 1e-25 and Z[1].item() < 1e-25 and Z[2].item() > 1e-3


def test_circles_lie_on_their_circles():
    X, y = circles(n=101, noise=0.0, factor=0.3)
    r = X.norm(dim=1)
    assert_close(r[y == 0], torch.ones(int((y == 0).sum())))
    assert_close(r[y == 1], torch.full((int((y == 1).sum()),), 0.3))
    assert (y == 0).sum() == 51 and (y == 1).sum() == 50


def test_moons_lie_on_their_half_circles():
    X, y = moons(n=100, noise=0.0)
    up, low = X[y == 0], X[y == 1]
    assert len(up) == len(low) == 50
    assert_close(up.norm(dim=1), torch.ones(50))
    assert (up[:, 1] >= 0).all()
    centered = low - torch.tensor([1.0, 0.5])
    assert_close(centered.norm(dim=1), torch.ones(50))
    assert (low[:, 1] <= 0.5 + 1e-6).all()
    assert not torch.equal(y[:50], torch.zeros(50, dtype=torch.long))  # shuffled


def test_spirals_follow_their_arms():
    K, turns = 4, 1.5
    X, y = spirals(n=203, noise=0.0, classes=K, turns=turns, dtype=torch.float64)
    assert torch.bincount(y).tolist() == [51, 51, 51, 50]
    r = X.norm(dim=1)
    assert (r <= 1).all()
    theta = torch.atan2(X[:, 1], X[:, 0])
    expected = 2 * math.pi * y.double() / K + 2 * math.pi * turns * r
    wrapped = torch.remainder(theta - expected + math.pi, 2 * math.pi) - math.pi
    assert wrapped.abs().max() < 1e-9


def test_train_val_split_partitions_the_data():
    X = torch.arange(50, dtype=torch.float32).unsqueeze(1)
    y = 2 * X
    Xt, yt, Xv, yv = train_val_split(X, y, val_fraction=0.2, seed=1)
    assert len(Xv) == 10 and len(Xt) == 40
    assert_close(yt, 2 * Xt)
    assert_close(yv, 2 * Xv)
    assert sorted(torch.cat([Xt, Xv])[:, 0].tolist()) == list(range(50))
    again = train_val_split(X, y, val_fraction=0.2, seed=1)
    assert torch.equal(again[2], Xv)
    assert not torch.equal(train_val_split(X, y, val_fraction=0.2, seed=2)[2], Xv)
    _, _, Xv_tail, _ = train_val_split(X, y, val_fraction=0.1, shuffle=False)
    assert Xv_tail[:, 0].tolist() == [45, 46, 47, 48, 49]
    assert len(train_val_split(X[:3], y[:3], val_fraction=0.01)[2]) == 1  # never empty


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: linear(n=0), "n"),
        (lambda: cubic(n=-5), "n"),
        (lambda: sin_cos(n=2.5), "n"),
        (lambda: moons(noise=-0.1), "noise"),
        (lambda: circles(noise=float("nan")), "noise"),
        (lambda: circles(factor=1.0), "factor"),
        (lambda: spirals(classes=1), "classes"),
        (lambda: spirals(turns=0.0), "turns"),
        (lambda: linear(low=1.0, high=1.0), "low"),
        (lambda: train_val_split(torch.zeros(5, 1), torch.zeros(4)), "y"),
        (lambda: train_val_split(torch.zeros(1, 1), torch.zeros(1)), "X"),
        (lambda: train_val_split(torch.zeros(5, 1), torch.zeros(5), val_fraction=1.0),
         "val_fraction"),
        (lambda: sin_cos_loss(torch.ones(2), torch.ones(2), torch.zeros(5, 1), torch.zeros(4)),
         "y"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=rf"Invalid {name}\b"):
        call()
