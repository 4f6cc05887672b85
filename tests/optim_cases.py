"""Shared by the optimizer tests: each optlib optimizer, its torch twin, and the parity runner.

A *case* pairs ``optlib.optim.X`` with ``torch.optim.X`` and knows which hyperparameters change
the math and which values are valid. :func:`configurations` draws constructor defaults, 1-3
parameter groups that override some of them, a dtype and a seed; :func:`run_parity` feeds both
optimizers (and torch's foreach variant) the same seeded gradients and compares parameters and
every state tensor as it goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from hypothesis import strategies as st
from torch import Tensor
from torch.optim import Optimizer

import optlib.optim

SHAPES = [(), (3,), (2, 5), (1, 1, 7)]
PERF_FLAGS = {"foreach", "fused", "capturable", "differentiable"}
# float32 compares within 1e-6 and float64 within 1e-12, relative to each tensor's scale.
RTOL = {torch.float32: 1e-6, torch.float64: 1e-12}


# -- hyperparameter strategies --------------------------------------------------------------

lrs = st.floats(1e-4, 0.1)
weight_decays = st.one_of(st.just(0.0), st.floats(0.0, 0.1))
# up to 1, where eps rather than sqrt(v) sets the step
epsilons = st.one_of(st.sampled_from([1e-10, 1e-8, 1e-6]), st.floats(1e-10, 1.0))
betas = st.tuples(
    st.one_of(st.just(0.0), st.floats(0.0, 0.99)),
    # small beta2 keeps RAdam's rho_t <= 5 for ever; large beta2 crosses 5 after a few steps
    st.one_of(st.sampled_from([0.5, 0.999]), st.floats(0.5, 0.9999)),
)


def hyper_adagrad() -> dict:
    return {
        "lr": lrs,
        "lr_decay": st.one_of(st.just(0.0), st.floats(0.0, 0.1)),
        "weight_decay": weight_decays,
        "initial_accumulator_value": st.one_of(st.just(0.0), st.floats(0.0, 1.0)),
        "eps": epsilons,
        "maximize": st.booleans(),
    }


def hyper_rmsprop() -> dict:
    return {
        "lr": st.floats(1e-4, 1e-2),
        "alpha": st.one_of(st.just(0.99), st.floats(0.5, 0.999)),
        "eps": epsilons,
        "weight_decay": weight_decays,
        "momentum": st.one_of(st.just(0.0), st.floats(0.0, 0.95)),
        "centered": st.booleans(),
        "maximize": st.booleans(),
    }


def hyper_adadelta() -> dict:
    return {
        "lr": st.one_of(st.just(1.0), st.floats(0.01, 1.0)),
        "rho": st.one_of(st.sampled_from([0.9, 1.0]), st.floats(0.5, 0.99)),
        "eps": st.one_of(st.just(1e-6), st.floats(1e-8, 1e-3)),
        "weight_decay": weight_decays,
        "maximize": st.booleans(),
    }


def hyper_adam(decoupled: bool | None = None) -> dict:
    spec = {
        "lr": lrs,
        "betas": betas,
        "eps": epsilons,
        "weight_decay": weight_decays,
        "amsgrad": st.booleans(),
        "maximize": st.booleans(),
    }
    if decoupled is None:
        spec["decoupled_weight_decay"] = st.booleans()
    return spec


def hyper_adamax() -> dict:
    return {
        "lr": lrs,
        "betas": betas,
        "eps": epsilons,
        "weight_decay": weight_decays,
        "maximize": st.booleans(),
    }


def hyper_nadam() -> dict:
    return {
        "lr": lrs,
        "betas": betas,
        "eps": epsilons,
        "weight_decay": weight_decays,
        "momentum_decay": st.one_of(st.just(4e-3), st.floats(0.0, 0.05)),
        "decoupled_weight_decay": st.booleans(),
        "maximize": st.booleans(),
    }


def hyper_radam() -> dict:
    return {
        "lr": lrs,
        "betas": betas,
        "eps": epsilons,
        "weight_decay": weight_decays,
        "decoupled_weight_decay": st.booleans(),
        "maximize": st.booleans(),
    }


@dataclass(frozen=True)
class Case:
    """One optimizer under test: a strategy per hyperparameter that changes the math."""

    name: str
    spec: dict
    # hyperparameters a parameter group may not override (see CASES)
    constructor_only: tuple[str, ...] = ()

    @property
    def ours(self) -> type[Optimizer]:
        return getattr(optlib.optim, self.name)

    @property
    def theirs(self) -> type[Optimizer]:
        return getattr(torch.optim, self.name)

    @property
    def hyper(self) -> st.SearchStrategy[dict]:
        return st.fixed_dictionaries(self.spec)

    @property
    def group_keys(self) -> list[str]:
        return [k for k in self.spec if k not in self.constructor_only]


CASES: dict[str, Case] = {
    c.name: c
    for c in [
        # torch (and optlib, see Adagrad's note) ignore a group's own initial_accumulator_value,
        # so the groups here leave it to the constructor; test_adagrad_group_initial_accumulator
        # checks that case against torch.
        Case("Adagrad", hyper_adagrad(), constructor_only=("initial_accumulator_value",)),
        Case("RMSprop", hyper_rmsprop()),
        Case("Adadelta", hyper_adadelta()),
        Case("Adam", hyper_adam()),
        Case("AdamW", hyper_adam(decoupled=True)),
        Case("Adamax", hyper_adamax()),
        Case("NAdam", hyper_nadam()),
        Case("RAdam", hyper_radam()),
    ]
}


@st.composite
def configurations(draw, case: Case) -> dict:
    """Constructor defaults, 1-3 groups overriding some of them, dtype, seed, gradient scale.

    One parameter (``none_param``) gets no gradient on a seeded third of the steps, including
    possibly the first ones, so lazy state creation and skipped parameters are exercised.

    Gradients are O(1) or O(10), never tiny: with tiny gradients an L2 weight decay
    lambda * theta dominates them, pulls theta to 0 and Adam's sign-like steps then hop
    around 0 chaotically, so two correct implementations that differ in the
    last bit drift apart (seen: 6e-6 after 85 float32 steps, then back to 4e-9). Large
    ``eps`` covers the regime where ``eps`` dominates the denominator instead.
    """
    defaults = draw(case.hyper)
    groups = []
    for _ in range(draw(st.integers(1, 3))):
        own = draw(case.hyper)
        keys = draw(st.lists(st.sampled_from(case.group_keys), unique=True))
        shapes = draw(st.lists(st.sampled_from(SHAPES), min_size=1, max_size=2))
        groups.append((shapes, {k: own[k] for k in keys}))
    n_params = sum(len(shapes) for shapes, _ in groups)
    return {
        "defaults": defaults,
        "groups": groups,
        "dtype": draw(st.sampled_from([torch.float32, torch.float64])),
        "seed": draw(st.integers(0, 2**31 - 1)),
        "grad_scale": draw(st.sampled_from([1.0, 10.0])),
        "none_param": draw(st.integers(0, n_params - 1)),
    }


# -- comparison ----------------------------------------------------------------------------


def assert_close_scaled(
    actual: Tensor, expected: Tensor, rtol: float, what: str, scale: float = 0.0
) -> None:
    """``|actual - expected| <= rtol * (|expected| + scale)`` elementwise, same dtype and shape.

    ``scale`` is the largest magnitude the quantity has had along the run (at least
    ``max|expected|``): rounding differences of a few ulp per step add up on that scale, so an
    entry that has shrunk towards zero is held to ``rtol`` times it, not to a pure relative
    error that means nothing near zero.
    """
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if expected.numel():
        scale = max(scale, expected.abs().max().item())
    torch.testing.assert_close(
        actual, expected, rtol=rtol, atol=rtol * scale, msg=lambda m: f"{what}: {m}"
    )


def assert_same_state(
    ours: Optimizer,
    theirs: Optimizer,
    our_params: list[Tensor],
    their_params: list[Tensor],
    rtol: float,
    label: str = "",
    scales: dict | None = None,
) -> None:
    """Parameters and every per-parameter state entry agree: keys, types, dtypes, values.

    ``scales`` maps ``(param index, key)`` to the largest magnitude seen so far in ``theirs``;
    it is updated in place (see :func:`assert_close_scaled`).
    """
    scales = {} if scales is None else scales

    def check(a: Tensor, b: Tensor, key: tuple, what: str) -> None:
        if b.numel():
            scales[key] = max(scales.get(key, 0.0), b.abs().max().item())
        assert_close_scaled(a, b, rtol, what, scales.get(key, 0.0))

    for i, (p, q) in enumerate(zip(our_params, their_params)):
        check(p.detach(), q.detach(), (i, "param"), f"{label}param {i}")
        s, r = ours.state.get(p, {}), theirs.state.get(q, {})
        assert s.keys() == r.keys(), f"{label}param {i}: state keys {sorted(s)} != {sorted(r)}"
        for key in s:
            a, b = s[key], r[key]
            assert type(a) is type(b), f"{label}param {i} {key}: {type(a)} != {type(b)}"
            if isinstance(a, Tensor):
                assert a.device == b.device, f"{label}param {i} {key}: device"
                check(a, b, (i, key), f"{label}param {i} state {key!r}")
            else:
                assert a == b, f"{label}param {i} {key}: {a} != {b}"


# -- the parity runner ---------------------------------------------------------------------


def _build(case_cls, groups, defaults, init, **extra) -> tuple[Optimizer, list[Tensor]]:
    params, param_groups, k = [], [], 0
    for shapes, overrides in groups:
        ps = [init[k + j].clone().requires_grad_() for j in range(len(shapes))]
        k += len(shapes)
        params += ps
        param_groups.append({"params": ps, **overrides})
    return case_cls(param_groups, **defaults, **extra), params


def run_parity(
    case: Case,
    config: dict,
    steps: int = 100,
    check_every: int = 25,
    foreach: tuple[bool, ...] = (False,),
    closure: bool = False,
    ours_cls: type[Optimizer] | None = None,
) -> None:
    """Step optlib's optimizer and torch's side by side and compare them as they go.

    ``foreach`` lists the torch variants to compare with (``foreach=False``, the plain loop,
    and/or ``foreach=True``); optlib is compared with each. Gradients come from a seeded
    generator (``closure=False``) or from a closure on a noisy quadratic that
    ``step(closure)`` evaluates (``closure=True``), so that every optimizer sees the gradient
    of its own parameters; there ``step`` must call the closure once and return its loss. Raises AssertionError on the first mismatch. ``ours_cls`` replaces
    optlib's class (the mutation tests use it).
    """
    dtype, rtol = config["dtype"], RTOL[config["dtype"]]
    gen = torch.Generator().manual_seed(config["seed"])
    shapes = [s for group_shapes, _ in config["groups"] for s in group_shapes]
    init = [torch.randn(s, generator=gen, dtype=dtype) for s in shapes]
    # a third of the steps, drawn from the seed, leave none_param without a gradient
    no_grad = (torch.rand(steps, generator=gen) < 1 / 3).tolist()
    if closure:
        # loss_t = sum_i sign_i (a_i (p_i - c_i)^2 + n_ti . p_i): a quadratic plus fresh noise
        # n_t every step, sign_i = -1 where p_i's group maximizes. 2 a_i <= 1, so even plain
        # gradient steps of size 1 do not diverge. The minimum c_i is ~30 away, further than
        # 100 steps of these optimizers go: near a minimum the sign-like steps of Adam & co.
        # are chaotic, and two correct implementations that differ by an ulp drift apart
        # there (seen: 1e-5 in float32 after 25 steps). The noise keeps the gradient from
        # being constant, where centered RMSprop's v - g_bar^2 rounds below 0 (NaN, in torch
        # too).
        curvature = [torch.rand(s, generator=gen, dtype=dtype) * 0.45 + 0.05 for s in shapes]
        target = [torch.randn(s, generator=gen, dtype=dtype) + 30 for s in shapes]
        sign = [
            -1.0 if {**config["defaults"], **overrides}["maximize"] else 1.0
            for group_shapes, overrides in config["groups"]
            for _ in group_shapes
        ]

    runs = {"optlib": _build(ours_cls or case.ours, config["groups"], config["defaults"], init)}
    for flag in foreach:
        runs[f"torch(foreach={flag})"] = _build(
            case.theirs, config["groups"], config["defaults"], init, foreach=flag
        )
    # largest magnitudes seen in each torch run (see assert_close_scaled)
    start = {(i, "param"): x.abs().max().item() for i, x in enumerate(init)}
    scales = {name: dict(start) for name in runs}

    def compare(label: str) -> None:
        ours, our_params = runs["optlib"]
        for name, (theirs, their_params) in runs.items():
            if name != "optlib":
                where = f"{label}, optlib vs {name}: "
                assert_same_state(ours, theirs, our_params, their_params, rtol, where, scales[name])

    compare("before step 1")  # Adagrad creates its state in the constructor
    for t in range(steps):
        skip = no_grad[t]
        if closure:
            noise = [torch.randn(s, generator=gen, dtype=dtype) for s in shapes]
            for name, (opt, params) in runs.items():
                returned = []

                def loss_fn(opt: Optimizer = opt, params: list[Tensor] = params) -> Tensor:
                    opt.zero_grad()
                    loss = sum(
                        k * ((a * (p - c) ** 2).sum() + (n * p).sum())
                        for k, a, p, c, n in zip(sign, curvature, params, target, noise)
                    )
                    loss.backward()
                    if skip:
                        params[config["none_param"]].grad = None
                    returned.append(loss)
                    return loss

                loss = opt.step(loss_fn)
                assert len(returned) == 1 and loss is returned[0], f"{name}: step(closure)"
        else:
            scale = config["grad_scale"]
            grads = [torch.randn(s, generator=gen, dtype=dtype) * scale for s in shapes]
            if skip:
                grads[config["none_param"]] = None
            for opt, params in runs.values():
                for p, g in zip(params, grads):
                    p.grad = None if g is None else g.clone()
                opt.step()

        if (t + 1) % check_every == 0 or t + 1 == steps:
            compare(f"step {t + 1}")
