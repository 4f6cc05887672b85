"""optlib.init against torch.nn.init: same draws from the same generator state, same errors,
and sample statistics that match the variance each scheme is derived from."""

from __future__ import annotations

import inspect
import math
import warnings

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import optlib.init as I

NONLINEARITIES = [
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu",
]
MODES = ["fan_in", "fan_out"]
SLOPES = [None, 0, 0.01, 0.2, 1, -0.3, 3.0]  # the `a` / `param` of leaky_relu
GAINS = [1.0, math.sqrt(2.0), 5.0 / 3, 0.5, 3.0]


def _kaiming_cases():
    """Every (mode, nonlinearity, a) combination; `a` only varies where it matters."""
    for mode in MODES:
        for nl in NONLINEARITIES:
            for a in ([s for s in SLOPES if s is not None] if nl == "leaky_relu" else [0]):
                yield mode, nl, a


KAIMING = list(_kaiming_cases())


def _same_draw(ours, theirs, shape, dtype=torch.float32, seed=0) -> None:
    """Fill one tensor with optlib and one with torch from equal generator states (an explicit
    generator, then the global one); they must be equal bit for bit."""
    a, b = torch.empty(shape, dtype=dtype), torch.empty(shape, dtype=dtype)
    ra = ours(a, torch.Generator().manual_seed(seed))
    rb = theirs(b, torch.Generator().manual_seed(seed))
    assert ra is a and rb is b
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    torch.manual_seed(seed)
    ours(a, None)
    torch.manual_seed(seed)
    theirs(b, None)
    torch.testing.assert_close(a, b, rtol=0, atol=0)


def _assert_same_error(ours, theirs) -> None:
    with pytest.raises(Exception) as ref:
        theirs()
    with pytest.raises(type(ref.value)) as got:
        ours()
    assert str(got.value) == str(ref.value)


# --------------------------------------------------------------------------------------------
# same interface, same numbers


@pytest.mark.parametrize(
    "name",
    ["calculate_gain", "uniform_", "normal_", "zeros_", "xavier_uniform_", "xavier_normal_",
     "kaiming_uniform_", "kaiming_normal_"],
)
def test_signatures_match_torch(name):
    def spec(f):
        return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]

    assert spec(getattr(I, name)) == spec(getattr(torch.nn.init, name))


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
@pytest.mark.parametrize("param", SLOPES)
def test_calculate_gain_matches_torch(nonlinearity, param):
    expected = torch.nn.init.calculate_gain(nonlinearity, param)
    assert I.calculate_gain(nonlinearity, param) == expected


def test_calculate_gain_by_formula():
    # the table in He et al. (2015) and torch's documentation, written independently
    assert I.calculate_gain("relu") == math.sqrt(2)
    assert I.calculate_gain("tanh") == 5 / 3
    assert I.calculate_gain("selu") == 3 / 4
    for name in ["linear", "conv2d", "conv_transpose3d", "sigmoid"]:
        assert I.calculate_gain(name) == 1
    for a in [0.0, 0.1, 1.0, -2.0]:
        assert math.isclose(I.calculate_gain("leaky_relu", a), math.sqrt(2 / (1 + a * a)))
    assert I.calculate_gain("leaky_relu") == I.calculate_gain("leaky_relu", 0.01)


@given(shape=st.lists(st.integers(0, 6), min_size=2, max_size=5))
def test_fans_match_torch(shape):
    t = torch.empty(shape)
    assert I.calculate_fan_in_and_fan_out(t) == torch.nn.init._calculate_fan_in_and_fan_out(t)
    receptive = math.prod(shape[2:])
    assert I.calculate_fan_in_and_fan_out(t) == (shape[1] * receptive, shape[0] * receptive)


@pytest.mark.parametrize("gain", GAINS)
@pytest.mark.parametrize("shape", [(7, 5), (16, 8, 3, 3), (4, 6, 5), (3, 2, 2, 2, 2)])
@pytest.mark.parametrize("dist", ["uniform", "normal"])
def test_xavier_draws_equal_torch(dist, shape, gain):
    name = f"xavier_{dist}_"
    _same_draw(lambda t, g: getattr(I, name)(t, gain, g),
               lambda t, g: getattr(torch.nn.init, name)(t, gain, g), shape)


@pytest.mark.parametrize("mode, nonlinearity, a", KAIMING)
@pytest.mark.parametrize("dist", ["uniform", "normal"])
def test_kaiming_draws_equal_torch(dist, mode, nonlinearity, a):
    name = f"kaiming_{dist}_"
    _same_draw(
        lambda t, g: getattr(I, name)(t, a, mode, nonlinearity, g),
        lambda t, g: getattr(torch.nn.init, name)(t, a, mode, nonlinearity, g),
        (12, 5, 3),
    )


@given(
    name=st.sampled_from(["xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
                          "kaiming_normal_", "uniform_", "normal_", "zeros_"]),
    shape=st.lists(st.integers(1, 6), min_size=2, max_size=4),
    dtype=st.sampled_from([torch.float32, torch.float64]),
    seed=st.integers(0, 2**31 - 1),
    mode=st.sampled_from(MODES + ["FAN_OUT"]),  # torch lower-cases the mode
    nonlinearity=st.sampled_from(NONLINEARITIES),
    a=st.floats(-5, 5),
    gain=st.floats(0.0, 10.0),
)
def test_any_draw_equals_torch(name, shape, dtype, seed, mode, nonlinearity, a, gain):
    kwargs = {
        "xavier_uniform_": dict(gain=gain),
        "xavier_normal_": dict(gain=gain),
        "kaiming_uniform_": dict(a=a, mode=mode, nonlinearity=nonlinearity),
        "kaiming_normal_": dict(a=a, mode=mode, nonlinearity=nonlinearity),
        "uniform_": dict(a=a, b=a + gain),
        "normal_": dict(mean=a, std=gain),
        "zeros_": {},
    }[name]
    if name == "zeros_":
        a_, b_ = torch.randn(shape, dtype=dtype), torch.randn(shape, dtype=dtype)
        assert I.zeros_(a_) is a_
        torch.testing.assert_close(a_, torch.nn.init.zeros_(b_), rtol=0, atol=0)
        return
    _same_draw(lambda t, g: getattr(I, name)(t, **kwargs, generator=g),
               lambda t, g: getattr(torch.nn.init, name)(t, **kwargs, generator=g),
               shape, dtype, seed)


def test_parameters_that_require_grad_are_filled_in_place():
    for fill in (I.xavier_uniform_, I.xavier_normal_, I.kaiming_uniform_, I.kaiming_normal_,
                 I.normal_, I.uniform_, I.zeros_):
        p = torch.nn.Parameter(torch.full((4, 3), 7.0))
        assert fill(p) is p
        assert p.requires_grad and p.grad_fn is None and not (p == 7.0).any()


# --------------------------------------------------------------------------------------------
# the variance each scheme promises: checked by sample statistics, independently of torch


def _sample_check(w: torch.Tensor, std: float, uniform: bool, k: float = 5.0) -> None:
    """Sample mean within ``k`` standard errors of 0 and sample standard deviation within ``k``
    standard errors of ``std``. For a sample of size n from a law with kurtosis ``beta``,
    SE(mean) = std / sqrt(n) and SE(sd) ~= std sqrt((beta - 1) / (4 n)); beta is 3 for a
    normal and 9/5 for a uniform. A uniform must also stay in, and nearly reach, +-sqrt(3) std."""
    w = w.double().flatten()
    n = w.numel()
    beta = 9 / 5 if uniform else 3.0
    se_mean, se_sd = std / math.sqrt(n), std * math.sqrt((beta - 1) / (4 * n))
    mean, sd = w.mean().item(), w.std(correction=1).item()
    assert abs(mean) <= k * se_mean, f"mean {mean:.3e} vs 0 (SE {se_mean:.2e})"
    assert abs(sd - std) <= k * se_sd, f"std {sd:.5f} vs {std:.5f} (SE {se_sd:.2e})"
    if uniform:
        bound = math.sqrt(3) * std
        assert w.abs().max().item() <= bound * (1 + 1e-6)
        assert w.abs().max().item() >= bound * (1 - 1e-3)  # misses with prob. (1 - 1e-3)^n


SHAPE = (256, 96, 3)  # fan_in = 288, fan_out = 768: the modes differ; n = 73,728 draws


def _he_variance(a: float, nonlinearity: str, fan: int) -> float:
    """Var[W] from He et al. (2015), Eq. (15), and torch's gain table for the others."""
    if nonlinearity == "leaky_relu":
        return 2.0 / ((1 + a**2) * fan)
    gain = {"relu": math.sqrt(2), "tanh": 5 / 3, "selu": 3 / 4}.get(nonlinearity, 1.0)
    return gain**2 / fan


@pytest.mark.parametrize("mode, nonlinearity, a", KAIMING)
@pytest.mark.parametrize("dist", ["uniform", "normal"])
def test_kaiming_sample_variance(dist, mode, nonlinearity, a):
    fan_in, fan_out = SHAPE[1] * SHAPE[2], SHAPE[0] * SHAPE[2]
    fan = fan_in if mode == "fan_in" else fan_out
    w = torch.empty(SHAPE)
    getattr(I, f"kaiming_{dist}_")(w, a, mode, nonlinearity, torch.Generator().manual_seed(1))
    _sample_check(w, math.sqrt(_he_variance(a, nonlinearity, fan)), dist == "uniform")


@pytest.mark.parametrize("gain", GAINS)
@pytest.mark.parametrize("dist", ["uniform", "normal"])
def test_xavier_sample_variance(dist, gain):
    fan_in, fan_out = SHAPE[1] * SHAPE[2], SHAPE[0] * SHAPE[2]
    w = torch.empty(SHAPE)
    getattr(I, f"xavier_{dist}_")(w, gain, torch.Generator().manual_seed(2))
    # Glorot & Bengio (2010), Eq. (12): Var[W] = 2 / (n_in + n_out), times gain^2
    _sample_check(w, gain * math.sqrt(2.0 / (fan_in + fan_out)), dist == "uniform")


def test_kaiming_keeps_the_second_moment_through_relu_layers():
    """The point of the scheme: E[x^2] stays put through a deep ReLU network (He et al.,
    Eq. (10)), while a gain of 1 halves it at every layer."""
    gen = torch.Generator().manual_seed(3)
    x0 = torch.randn(2048, 256, generator=gen)
    moments = {}
    for name, nonlinearity in [("kaiming", "relu"), ("gain 1", "linear")]:
        x = x0
        for _ in range(10):
            w = I.kaiming_normal_(torch.empty(256, 256), nonlinearity=nonlinearity, generator=gen)
            x = torch.relu(x @ w.T)
        moments[name] = x.pow(2).mean().item()
    # Var[y] = fan_in Var[W] E[x^2] and a ReLU halves it: with Var[W] = 2 / fan_in the second
    # moment stays 1; with Var[W] = 1 / fan_in it halves at each of the 10 layers
    # (up to the spread of a product of 10 random layers of width 256, about a factor 1.5)
    assert 0.4 < moments["kaiming"] < 2.5
    assert 0.4 < moments["gain 1"] * 2**10 < 2.5


# --------------------------------------------------------------------------------------------
# errors and warnings, as torch


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.calculate_gain("gelu"),
        lambda m: m.calculate_gain("leaky_relu", "0.1"),
        lambda m: m.calculate_gain("leaky_relu", True),
        lambda m: m.calculate_gain("leaky_relu", [0.1]),
        lambda m: m.xavier_uniform_(torch.empty(3)),
        lambda m: m.xavier_normal_(torch.empty(())),
        lambda m: m.kaiming_uniform_(torch.empty(3)),
        lambda m: m.kaiming_normal_(torch.empty(3)),
        lambda m: m.kaiming_uniform_(torch.empty(3, 3), mode="fan_avg"),
        lambda m: m.kaiming_normal_(torch.empty(3, 3), mode="in"),
        lambda m: m.kaiming_uniform_(torch.empty(3, 3), nonlinearity="gelu"),
        lambda m: m.kaiming_normal_(torch.empty(3, 3), a="0.1"),
        lambda m: m.normal_(torch.empty(3, 3), std=-1.0),
        lambda m: m.uniform_(torch.empty(3, 3), 1.0, 0.0),
    ],
)
def test_errors_match_torch(call):
    _assert_same_error(lambda: call(I), lambda: call(torch.nn.init))


@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_", "xavier_uniform_",
                                  "xavier_normal_", "normal_", "uniform_", "zeros_"])
@pytest.mark.parametrize("shape", [(0, 3), (4, 0, 2), (0,)])
def test_zero_element_tensors_behave_as_in_torch(name, shape):
    def run(module):
        t = torch.empty(shape)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                out = getattr(module, name)(t)
                result = ("ok", out is t, tuple(out.shape))
            except Exception as err:  # noqa: BLE001 - compared with torch's
                result = (type(err), str(err))
        return result, [(w.category, str(w.message)) for w in caught]

    assert run(I) == run(torch.nn.init)


def test_warning_points_at_the_caller():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op") as rec:
        I.kaiming_uniform_(torch.empty(0, 3))
    assert rec[0].filename == __file__


# --------------------------------------------------------------------------------------------
# the tests can fail


def test_sample_check_catches_a_wrong_fan(monkeypatch):
    monkeypatch.setattr(I, "calculate_fan_in_and_fan_out", lambda t: (t.size(0), t.size(1)))
    w = I.kaiming_normal_(torch.empty(400, 100), nonlinearity="relu",
                          generator=torch.Generator().manual_seed(0))
    with pytest.raises(AssertionError, match="std"):
        _sample_check(w, math.sqrt(2 / 100), uniform=False)
    with pytest.raises(AssertionError):
        _same_draw(lambda t, g: I.kaiming_normal_(t, generator=g),
                   lambda t, g: torch.nn.init.kaiming_normal_(t, generator=g), (40, 10))
