"""optlib.norm against torch.nn.functional and torch.nn: outputs, gradients, running statistics.

Every comparison builds the same computation twice, once with optlib and once with torch, from
the same tensors, and checks forward outputs, the gradients autograd gives for the input and
the parameters, and the running statistics, over hypothesis-drawn shapes and settings.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import optlib.norm as N

TOL = {torch.float32: dict(rtol=1e-5, atol=1e-5), torch.float64: dict(rtol=1e-10, atol=1e-10)}
dtypes = st.sampled_from([torch.float32, torch.float64])
seeds = st.integers(0, 2**31 - 1)


def _more_than_one(shape) -> bool:
    return math.prod(shape) > 1


def _randn(gen: torch.Generator, shape, dtype, scale: float = 1.0, offset: float = 0.0):
    return (torch.randn(shape, generator=gen, dtype=torch.float64) * scale + offset).to(dtype)


def _leaf(t: torch.Tensor | None) -> torch.Tensor | None:
    return None if t is None else t.detach().clone().requires_grad_(True)


def _clone(t):
    return t.detach().clone() if isinstance(t, torch.Tensor) else t


def _stats(x: torch.Tensor, dims, mean=None, var=None) -> tuple[float, float]:
    """Largest |mean| and smallest variance used to normalize ``x`` (from ``x`` over ``dims``
    unless given), in float64: what the conditioning of the normalization depends on."""
    x = x.detach().double()
    if mean is None:
        mean, var = x.mean(dim=dims), x.var(dim=dims, correction=0)
    return mean.double().abs().max().item(), var.double().min().item()


def _tolerances(dtype, x, stats, eps, weight, upstream, param_numel) -> dict[str, float]:
    """Absolute tolerances scaled by the conditioning of the normalization.

    Normalizing amplifies rounding: one ulp of error in ``x`` or in the mean becomes
    ``ulp * kappa`` in the output, ``kappa = (|x| + |mean|) / sqrt(var + eps)``; the input
    gradient picks up another ``1 / sqrt(var + eps)``, and each weight or bias gradient is a
    sum of ``T = x.numel() / param_numel`` terms, whose rounding grows like ``sqrt(T)``.
    Measured gaps between optlib and torch in float32 stayed within 2.2 ulps of these bounds
    (4500 random cases, up to 2000 terms, variances from 1e-6 to 1e2); 16 are allowed. For
    well-spread data the floor (1e-5 in float32) is what applies.
    """
    mean_abs, var_min = stats
    rstd = 1.0 / math.sqrt(var_min + eps)
    kappa = max(1.0, (x.detach().abs().max().item() + mean_abs) * rstd)
    w = 1.0 if weight is None else max(1.0, weight.detach().abs().max().item())
    g = upstream.abs().max().item()
    terms = math.sqrt(x.numel() // max(1, param_numel))
    u, floor = 16 * torch.finfo(dtype).eps, TOL[dtype]["atol"]
    return dict(
        output=max(floor, u * kappa * w),
        input=max(floor, u * kappa * rstd * w * g),
        weight=max(floor, u * kappa * g * terms),
        bias=max(floor, u * g * terms),
    )


def _compare_calls(ours, theirs, inputs: dict, dtype, gen: torch.Generator, stats) -> None:
    """Run ``ours(**inputs)`` and ``theirs(**inputs)`` on separate leaf copies; compare the
    outputs, the gradients of every tensor input that may take one, and running statistics."""
    grad_names = [k for k in ("input", "weight", "bias") if inputs.get(k) is not None]
    a = {k: _leaf(v) if k in grad_names else _clone(v) for k, v in inputs.items()}
    b = {k: _leaf(v) if k in grad_names else _clone(v) for k, v in inputs.items()}
    y_ours, y_torch = ours(**a), theirs(**b)
    upstream = _randn(gen, y_torch.shape, dtype)
    params = [inputs[k] for k in ("weight", "bias") if inputs.get(k) is not None]
    atol = _tolerances(dtype, inputs["input"], stats, inputs.get("eps", 1e-5),
                       inputs.get("weight"), upstream, params[0].numel() if params else 1)
    rtol = TOL[dtype]["rtol"]
    torch.testing.assert_close(y_ours, y_torch, rtol=rtol, atol=atol["output"])
    y_ours.backward(upstream)
    y_torch.backward(upstream)
    for k in grad_names:
        torch.testing.assert_close(a[k].grad, b[k].grad, rtol=rtol, atol=atol[k],
                                   msg=lambda m, k=k: f"{k}.grad: {m}")
    for k in ("running_mean", "running_var"):
        if inputs.get(k) is not None:
            torch.testing.assert_close(a[k], b[k], **TOL[dtype], msg=lambda m, k=k: f"{k}: {m}")


def _assert_same_error(ours, theirs, ours_type: type = ValueError) -> None:
    """optlib raises ``ours_type`` with torch's message (torch's C++ checks raise RuntimeError)."""
    with pytest.raises(Exception) as ref:
        theirs()
    with pytest.raises(ours_type) as got:
        ours()
    assert str(got.value) == str(ref.value)


# --------------------------------------------------------------------------------------------
# functional


@st.composite
def batch_norm_cases(draw):
    dtype = draw(dtypes)
    training = draw(st.booleans())
    # training needs more than one value per channel: N >= 2 covers it
    n, c = draw(st.integers(2 if training else 1, 6)), draw(st.integers(1, 5))
    spatial = draw(st.lists(st.integers(1, 4), max_size=2))
    gen = torch.Generator().manual_seed(draw(seeds))
    scale = draw(st.floats(0.1, 10.0))
    offset = draw(st.floats(-5.0, 5.0))
    tracked = not training or draw(st.sampled_from([True, True, False]))
    inputs = dict(
        input=_randn(gen, (n, c, *spatial), dtype, scale, offset),
        running_mean=_randn(gen, (c,), dtype) if tracked else None,
        running_var=_randn(gen, (c,), dtype).abs() + 0.5 if tracked else None,
        weight=_randn(gen, (c,), dtype) if draw(st.booleans()) else None,
        bias=_randn(gen, (c,), dtype) if draw(st.booleans()) else None,
        training=training,
        momentum=draw(st.sampled_from([0.1, 0.5, 1.0, 0.0]) | st.floats(0.0, 1.0)),
        eps=draw(st.sampled_from([1e-5, 1e-3, 0.1])),
    )
    return inputs, dtype, gen


@given(batch_norm_cases())
def test_batch_norm_matches_torch(case):
    inputs, dtype, gen = case
    x = inputs["input"]
    if inputs["training"]:
        stats = _stats(x, [0, *range(2, x.dim())])
    else:
        stats = _stats(x, None, inputs["running_mean"], inputs["running_var"])
    _compare_calls(N.batch_norm, F.batch_norm, inputs, dtype, gen, stats)


@given(
    dtype=dtypes,
    lead=st.lists(st.integers(1, 4), max_size=2),
    # single-value layers (variance 0, output = bias) are left to the float64 test below
    normalized=st.lists(st.integers(1, 5), min_size=1, max_size=3).filter(_more_than_one),
    affine=st.sampled_from(["both", "weight", "none"]),
    as_int=st.booleans(),
    eps=st.sampled_from([1e-5, 1e-3, 0.1]),
    seed=seeds,
    scale=st.floats(0.1, 10.0),
    offset=st.floats(-5.0, 5.0),
)
def test_layer_norm_matches_torch(
    dtype, lead, normalized, affine, as_int, eps, seed, scale, offset
):
    gen = torch.Generator().manual_seed(seed)
    shape = tuple(normalized)
    inputs = dict(
        input=_randn(gen, (*lead, *shape), dtype, scale, offset),
        weight=_randn(gen, shape, dtype) if affine != "none" else None,
        bias=_randn(gen, shape, dtype) if affine == "both" else None,
        eps=eps,
    )
    ours_shape = shape[0] if as_int and len(shape) == 1 else shape
    _compare_calls(
        lambda **kw: N.layer_norm(normalized_shape=ours_shape, **kw),
        lambda **kw: F.layer_norm(normalized_shape=shape, **kw),
        inputs,
        dtype,
        gen,
        _stats(inputs["input"], list(range(-len(shape), 0))),
    )


@given(
    dtype=dtypes,
    n=st.integers(1, 4),
    groups=st.integers(1, 4),
    per_group=st.integers(1, 3),
    spatial=st.lists(st.integers(1, 4), max_size=2),
    affine=st.sampled_from(["both", "weight", "none"]),
    eps=st.sampled_from([1e-5, 1e-3, 0.1]),
    seed=seeds,
    scale=st.floats(0.1, 10.0),
    offset=st.floats(-5.0, 5.0),
)
def test_group_norm_matches_torch(
    dtype, n, groups, per_group, spatial, affine, eps, seed, scale, offset
):
    # single-value groups (variance 0, output = bias) are left to the float64 test below
    assume(per_group * math.prod(spatial) > 1)
    gen = torch.Generator().manual_seed(seed)
    c = groups * per_group
    inputs = dict(
        input=_randn(gen, (n, c, *spatial), dtype, scale, offset),
        weight=_randn(gen, (c,), dtype) if affine != "none" else None,
        bias=_randn(gen, (c,), dtype) if affine == "both" else None,
        eps=eps,
    )
    _compare_calls(
        lambda **kw: N.group_norm(num_groups=groups, **kw),
        lambda **kw: F.group_norm(num_groups=groups, **kw),
        inputs,
        dtype,
        gen,
        _stats(inputs["input"].reshape(n, groups, -1), [2]),
    )


@given(
    x=arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(1, 4)),
             elements=st.floats(-1e3, 1e3)),
    eps=st.sampled_from([1e-5, 0.1]),
)
def test_all_norms_match_torch_on_arbitrary_values(x, eps):
    """Element-wise hypothesis values, float64: constants, repeats, single-value groups, spreads
    from 0 to 1e3, where the normalization is worst conditioned."""
    x = torch.from_numpy(x)
    gen = torch.Generator().manual_seed(0)
    n, c = x.shape[:2]
    f64 = torch.float64
    w, b = _randn(gen, (c,), f64), _randn(gen, (c,), f64)
    for training in (True, False):
        if training and x.numel() == c:
            continue  # a single value per channel: refused by both, tested below
        rm, rv = _randn(gen, (c,), f64), _randn(gen, (c,), f64).abs()
        inputs = dict(input=x, running_mean=rm, running_var=rv, weight=w, bias=b,
                      training=training, eps=eps)
        stats = _stats(x, [0, 2]) if training else _stats(x, None, rm, rv)
        _compare_calls(N.batch_norm, F.batch_norm, inputs, f64, gen, stats)
    inputs = dict(input=x, weight=_randn(gen, x.shape[1:], f64), bias=None, eps=eps)
    _compare_calls(
        lambda **kw: N.layer_norm(normalized_shape=x.shape[1:], **kw),
        lambda **kw: F.layer_norm(normalized_shape=x.shape[1:], **kw),
        inputs, f64, gen, _stats(x, [1, 2]),
    )
    if x.numel() > c:
        inputs = dict(input=x, weight=w, bias=b, eps=eps)
        _compare_calls(
            lambda **kw: N.group_norm(num_groups=c, **kw),
            lambda **kw: F.group_norm(num_groups=c, **kw),
            inputs, f64, gen, _stats(x, [2]),
        )


def test_batch_norm_running_statistics_by_formula():
    """Independent of torch's kernel: one training step moves the running statistics towards
    the batch mean and the *unbiased* batch variance, with weight ``momentum``."""
    gen = torch.Generator().manual_seed(3)
    x = _randn(gen, (5, 3, 4), torch.float64, 2.0, 1.0)
    rm, rv = torch.zeros(3, dtype=x.dtype), torch.ones(3, dtype=x.dtype)
    y = N.batch_norm(x, rm, rv, training=True, momentum=0.25)
    torch.testing.assert_close(rm, 0.25 * x.mean(dim=(0, 2)))
    torch.testing.assert_close(rv, 0.75 + 0.25 * x.var(dim=(0, 2), correction=1))
    # and normalization used the biased variance
    biased_var = x.var(dim=(0, 2), correction=0, keepdim=True)
    xhat = (x - x.mean(dim=(0, 2), keepdim=True)) / torch.sqrt(biased_var + 1e-5)
    torch.testing.assert_close(y, xhat)


def test_norms_do_not_call_torch_kernels(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("optlib.norm must compute the statistics itself")

    for mod, names in (
        (F, ["batch_norm", "layer_norm", "group_norm", "instance_norm"]),
        (torch, ["batch_norm", "layer_norm", "group_norm", "native_batch_norm",
                 "native_layer_norm", "native_group_norm", "var", "var_mean", "std"]),
    ):
        for name in names:
            monkeypatch.setattr(mod, name, forbidden)
    x = torch.randn(4, 6, 3, requires_grad=True)
    for m in (N.BatchNorm1d(6), N.LayerNorm(3), N.GroupNorm(3, 6)):
        m(x).sum().backward()
        m.eval()
        m(x)
    N.BatchNorm2d(6)(x.unsqueeze(-1)).sum().backward()


# --------------------------------------------------------------------------------------------
# modules


@st.composite
def batch_norm_modules(draw):
    two_d = draw(st.booleans())
    dtype = draw(dtypes)
    n, c = draw(st.integers(2, 5)), draw(st.integers(1, 4))  # training needs N * prod(*) > 1
    spatial = draw(st.lists(st.integers(1, 4), min_size=2, max_size=2) if two_d
                   else st.lists(st.integers(1, 5), max_size=1))
    kwargs = dict(
        eps=draw(st.sampled_from([1e-5, 1e-3])),
        momentum=draw(st.sampled_from([0.1, 0.5, 0.0, 1.0, None])),
        affine=draw(st.booleans()),
        track_running_stats=draw(st.booleans()),
        bias=draw(st.booleans()),
        dtype=dtype,
    )
    cls = "BatchNorm2d" if two_d else "BatchNorm1d"
    return cls, c, kwargs, (n, c, *spatial), dtype, draw(seeds)


def _step_both(ours, ref, x, gen, dtype, stats_of):
    """One forward/backward through both modules; compare output, grads; then a small SGD step.
    ``stats_of(x)`` gives the normalization statistics, for the tolerances."""
    stats = stats_of(x)
    xa, xb = _leaf(x), _leaf(x)
    ya, yb = ours(xa), ref(xb)
    g = _randn(gen, yb.shape, dtype)
    params = [p for p in (ours.weight, ours.bias) if p is not None]
    param_numel = params[0].numel() if params else 1
    atol = _tolerances(dtype, x, stats, ours.eps, ours.weight, g, param_numel)
    rtol = TOL[dtype]["rtol"]
    torch.testing.assert_close(ya, yb, rtol=rtol, atol=atol["output"])
    ya.backward(g)
    yb.backward(g)
    torch.testing.assert_close(xa.grad, xb.grad, rtol=rtol, atol=atol["input"])
    for (name, pa), (_, pb) in zip(ours.named_parameters(), ref.named_parameters()):
        torch.testing.assert_close(pa.grad, pb.grad, rtol=rtol, atol=atol[name],
                                   msg=lambda m, n=name: f"{n}.grad: {m}")
        with torch.no_grad():
            pa -= 0.1 * pa.grad
            pb -= 0.1 * pb.grad
        pa.grad = pb.grad = None


def _assert_same_state(ours, ref, dtype) -> None:
    sa, sb = ours.state_dict(), ref.state_dict()
    assert list(sa) == list(sb)
    for k in sb:
        if k == "num_batches_tracked":
            assert torch.equal(sa[k], sb[k]) and sa[k].dtype == sb[k].dtype
        else:
            torch.testing.assert_close(sa[k], sb[k], **TOL[dtype], msg=lambda m, k=k: f"{k}: {m}")


@given(batch_norm_modules())
def test_batch_norm_modules_match_torch_over_training_and_eval(case):
    cls, c, kwargs, shape, dtype, seed = case
    gen = torch.Generator().manual_seed(seed)
    ours, ref = getattr(N, cls)(c, **kwargs), getattr(torch.nn, cls)(c, **kwargs)
    if ours.affine:  # random scale and shift, copied through the state_dict
        with torch.no_grad():
            for p in ours.parameters():
                p.copy_(_randn(gen, p.shape, dtype))
        ref.load_state_dict(ours.state_dict())
    _assert_same_state(ours, ref, dtype)

    def stats_of(x):
        if ref.training or ref.running_mean is None:
            return _stats(x, [0, *range(2, x.dim())])
        return _stats(x, None, ref.running_mean, ref.running_var)

    for mode in ("train", "train", "train", "eval", "train"):
        getattr(ours, mode)(), getattr(ref, mode)()
        _step_both(ours, ref, _randn(gen, shape, dtype, 3.0, 1.0), gen, dtype, stats_of)
        _assert_same_state(ours, ref, dtype)


@given(
    dtype=dtypes,
    lead=st.lists(st.integers(1, 3), min_size=1, max_size=2),
    normalized=st.lists(st.integers(1, 4), min_size=1, max_size=2).filter(_more_than_one),
    as_int=st.booleans(),
    elementwise_affine=st.booleans(),
    bias=st.booleans(),
    seed=seeds,
)
def test_layer_norm_module_matches_torch(
    dtype, lead, normalized, as_int, elementwise_affine, bias, seed
):
    gen = torch.Generator().manual_seed(seed)
    shape = normalized[0] if as_int else tuple(normalized)
    kw = dict(elementwise_affine=elementwise_affine, bias=bias, dtype=dtype)
    ours, ref = N.LayerNorm(shape, **kw), torch.nn.LayerNorm(shape, **kw)
    assert ours.normalized_shape == ref.normalized_shape
    with torch.no_grad():
        for p in ours.parameters():
            p.copy_(_randn(gen, p.shape, dtype))
    ref.load_state_dict(ours.state_dict())
    x_shape = (*lead, *ours.normalized_shape)
    for mode in ("train", "eval"):
        getattr(ours, mode)(), getattr(ref, mode)()
        _step_both(ours, ref, _randn(gen, x_shape, dtype, 2.0, -1.0), gen, dtype,
                   lambda x: _stats(x, list(range(-len(ours.normalized_shape), 0))))
        _assert_same_state(ours, ref, dtype)


@given(
    dtype=dtypes,
    n=st.integers(1, 3),
    groups=st.integers(1, 4),
    per_group=st.integers(1, 3),
    spatial=st.lists(st.integers(1, 4), max_size=2),
    affine=st.booleans(),
    bias=st.booleans(),
    seed=seeds,
)
def test_group_norm_module_matches_torch(dtype, n, groups, per_group, spatial, affine, bias, seed):
    assume(per_group * math.prod(spatial) > 1)
    gen = torch.Generator().manual_seed(seed)
    c = groups * per_group
    kw = dict(affine=affine, bias=bias, dtype=dtype)
    ours, ref = N.GroupNorm(groups, c, **kw), torch.nn.GroupNorm(groups, c, **kw)
    with torch.no_grad():
        for p in ours.parameters():
            p.copy_(_randn(gen, p.shape, dtype))
    ref.load_state_dict(ours.state_dict())
    for mode in ("train", "eval"):
        getattr(ours, mode)(), getattr(ref, mode)()
        _step_both(ours, ref, _randn(gen, (n, c, *spatial), dtype, 2.0, 0.5), gen, dtype,
                   lambda x: _stats(x.reshape(n, groups, -1), [2]))
        _assert_same_state(ours, ref, dtype)


def test_momentum_none_is_the_cumulative_average():
    gen = torch.Generator().manual_seed(5)
    m = N.BatchNorm1d(3, momentum=None)
    batches = [_randn(gen, (6, 3), torch.float32, 2.0, 1.0) for _ in range(4)]
    for x in batches:
        m(x)
    torch.testing.assert_close(m.running_mean, torch.stack([x.mean(0) for x in batches]).mean(0))
    torch.testing.assert_close(m.running_var, torch.stack([x.var(0) for x in batches]).mean(0))
    assert m.num_batches_tracked.item() == 4


CONFIGS = [  # class, constructor args and kwargs, an input shape
    ("BatchNorm1d", (4,), {}, (5, 4)),
    ("BatchNorm1d", (4,), dict(affine=False), (3, 4, 2)),
    ("BatchNorm1d", (4,), dict(track_running_stats=False), (5, 4)),
    ("BatchNorm2d", (3,), dict(bias=False, momentum=None), (2, 3, 4, 5)),
    ("LayerNorm", ((2, 3),), {}, (4, 2, 3)),
    ("LayerNorm", (5,), dict(elementwise_affine=False), (2, 3, 5)),
    ("LayerNorm", (5,), dict(bias=False), (2, 5)),
    ("GroupNorm", (2, 6), {}, (4, 6, 3)),
    ("GroupNorm", (3, 6), dict(affine=False), (2, 6)),
]


@pytest.mark.parametrize("cls, args, kwargs, shape", CONFIGS)
def test_state_dicts_move_between_optlib_and_torch(cls, args, kwargs, shape):
    gen = torch.Generator().manual_seed(11)
    ours, ref = getattr(N, cls)(*args, **kwargs), getattr(torch.nn, cls)(*args, **kwargs)
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in ref.named_buffers()]
    assert repr(ours) == repr(ref)
    torch.testing.assert_close(ours.state_dict(), ref.state_dict(), rtol=0, atol=0)

    def perturb(module):  # random parameters and statistics
        with torch.no_grad():
            for t in [*module.parameters(), *module.buffers()]:
                t.copy_(_randn(gen, t.shape, torch.float32).abs().to(t.dtype) + 1)

    perturb(ref)
    ours.load_state_dict(ref.state_dict(), strict=True)
    torch.testing.assert_close(ours.state_dict(), ref.state_dict(), rtol=0, atol=0)
    perturb(ours)
    ref.load_state_dict(ours.state_dict(), strict=True)
    torch.testing.assert_close(ref.state_dict(), ours.state_dict(), rtol=0, atol=0)
    # and they now compute the same thing
    x = _randn(gen, shape, torch.float32)
    for mode in ("eval", "train"):
        getattr(ours, mode)(), getattr(ref, mode)()
        torch.testing.assert_close(ours(x), ref(x), **TOL[torch.float32])
    _assert_same_state(ours, ref, torch.float32)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (N.batch_norm, F.batch_norm),
        (N.layer_norm, F.layer_norm),
        (N.group_norm, F.group_norm),
        (N.BatchNorm1d.__init__, torch.nn.BatchNorm1d.__init__),
        (N.BatchNorm2d.__init__, torch.nn.BatchNorm2d.__init__),
        (N.LayerNorm.__init__, torch.nn.LayerNorm.__init__),
        (N.GroupNorm.__init__, torch.nn.GroupNorm.__init__),
    ],
)
def test_signatures_match_torch(ours, theirs):
    def spec(f):
        return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]

    assert spec(ours) == spec(theirs)


# --------------------------------------------------------------------------------------------
# errors


def test_batch_norm_errors_match_torch():
    x = torch.randn(4, 3, 5)
    z, o = torch.zeros(3), torch.ones(3)
    cases = [
        lambda f: f(x, torch.zeros(4), o, training=True),
        lambda f: f(x, z, torch.ones(2), training=False),
        lambda f: f(x, z, o, torch.ones(4), training=True),
        lambda f: f(x, z, o, None, torch.ones(4), training=True),
        lambda f: f(torch.randn(1, 3), z, o, training=True),
        lambda f: f(torch.randn(1, 3, 1, 1), z, o, training=True),
        lambda f: f(x, None, None, training=False),
        lambda f: f(x, z, None, training=False),
        lambda f: f(x, None, None, training=True, eps=0.0),
        lambda f: f(x, z, o, training=False, eps=-1.0),
    ]
    for case in cases:
        _assert_same_error(lambda: case(N.batch_norm), lambda: case(F.batch_norm))
    # a single value per channel is fine in evaluation, as in torch
    N.batch_norm(torch.randn(1, 3), z, o, training=False)


def test_batch_norm_rejects_inputs_without_a_channel_dimension():
    with pytest.raises(ValueError, match=r"at least 2 dimensions \(got 1D input\)"):
        N.batch_norm(torch.randn(3), torch.zeros(3), torch.ones(3))


@pytest.mark.parametrize(
    "cls, shape",
    [("BatchNorm1d", (2, 3, 4, 5)), ("BatchNorm1d", (3,)), ("BatchNorm2d", (2, 3, 4)),
     ("BatchNorm2d", (2, 3, 4, 5, 6)), ("BatchNorm1d", (2, 4)), ("BatchNorm2d", (2, 4, 3, 3))],
)
def test_batch_norm_module_shape_errors_match_torch(cls, shape):
    x = torch.randn(shape)
    _assert_same_error(lambda: getattr(N, cls)(3)(x), lambda: getattr(torch.nn, cls)(3)(x))


def test_layer_norm_errors_match_torch():
    x = torch.randn(4, 3, 5)
    cases = [
        lambda f: f(x, [4]),
        lambda f: f(x, [3, 4]),
        lambda f: f(x, [3, 5], torch.ones(5)),
        lambda f: f(x, [3, 5], torch.ones(3, 5), torch.ones(5)),
        lambda f: f(x, []),
        lambda f: f(x, [4, 3, 5, 1]),
    ]
    for case in cases:
        _assert_same_error(lambda: case(N.layer_norm), lambda: case(F.layer_norm))
    _assert_same_error(lambda: N.LayerNorm(4)(x), lambda: torch.nn.LayerNorm(4)(x))


def test_group_norm_errors_match_torch():
    x = torch.randn(4, 6, 5)
    cases = [
        lambda f: f(x, 4),
        lambda f: f(x, 3, torch.ones(4)),
        lambda f: f(x, 3, torch.ones(6, 1)),
        lambda f: f(torch.randn(6), 3),
        lambda f: f(torch.randn(1, 3), 3),
    ]
    for case in cases:
        _assert_same_error(lambda: case(N.group_norm), lambda: case(F.group_norm))
    # torch's message for a bad bias shows the weight's shape (a torch bug); optlib the bias's
    with pytest.raises(ValueError, match=r"Expected bias to be a vector of size equal to the "
                       r"number of channels in input, but got bias of shape \[6, 1\] and input "
                       r"of shape \[4, 6, 5\]"):
        N.group_norm(x, 3, torch.ones(6), torch.ones(6, 1))
    # the module checks at construction, with torch's message
    _assert_same_error(lambda: N.GroupNorm(4, 6), lambda: torch.nn.GroupNorm(4, 6))
    message = r"^num_channels \(5\) must be divisible by num_groups \(2\)$"
    with pytest.raises(ValueError, match=message):
        N.GroupNorm(2, 5)


@pytest.mark.parametrize("num_groups", [0, -2, 1.5, True])
def test_num_groups_must_be_a_positive_integer(num_groups):
    # torch raises ZeroDivisionError for 0 and accepts some of these; optlib says what is wrong
    with pytest.raises(ValueError, match="num_groups must be a positive integer"):
        N.GroupNorm(num_groups, 6)
    with pytest.raises(ValueError, match="num_groups must be a positive integer"):
        N.group_norm(torch.randn(2, 6), num_groups)


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: N.BatchNorm1d(3, momentum=-0.1), "Invalid momentum value: -0.1"),
        (lambda: N.BatchNorm2d(3, momentum=1.5), "Invalid momentum value: 1.5"),
        (lambda: N.BatchNorm1d(3, eps=-1e-5), "Invalid eps value: -1e-05"),
        (lambda: N.LayerNorm(3, eps=-1.0), "Invalid eps value: -1.0"),
        (lambda: N.GroupNorm(1, 3, eps=float("nan")), "Invalid eps value: nan"),
    ],
)
def test_module_arguments_are_validated(build, match):
    with pytest.raises(ValueError, match=match):
        build()


# --------------------------------------------------------------------------------------------
# the tests can fail: break optlib on purpose and watch the parity checks catch it


def test_parity_check_catches_a_biased_running_variance(monkeypatch):
    monkeypatch.setattr(N, "_unbiased", lambda var, m: var)
    gen = torch.Generator().manual_seed(0)
    inputs = dict(input=_randn(gen, (4, 3, 2), torch.float32), running_mean=torch.zeros(3),
                  running_var=torch.ones(3), training=True)
    with pytest.raises(AssertionError, match="running_var"):
        _compare_calls(N.batch_norm, F.batch_norm, inputs, torch.float32, gen,
                       _stats(inputs["input"], [0, 2]))


def test_parity_check_catches_a_missing_eps(monkeypatch):
    monkeypatch.setattr(N, "_normalize", lambda x, mean, var, eps: (x - mean) / torch.sqrt(var))
    gen = torch.Generator().manual_seed(0)
    inputs = dict(input=_randn(gen, (4, 6), torch.float32), eps=0.1)
    with pytest.raises(AssertionError):
        _compare_calls(lambda **kw: N.layer_norm(normalized_shape=6, **kw),
                       lambda **kw: F.layer_norm(normalized_shape=(6,), **kw),
                       inputs, torch.float32, gen, _stats(inputs["input"], [1]))
