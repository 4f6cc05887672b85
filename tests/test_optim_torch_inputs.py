"""optlib.optim against PyTorch's own optimizer test inputs (``common_optimizers.optim_db``).

For each optlib optimizer, torch's ``OptimizerInfo`` of the same name supplies:

- ``optim_inputs_func``: the configurations torch's ``test/test_optim.py`` runs. Each runs
  here on a small model (a weight, a bias and a scalar, float32 and float64) for 7 steps of
  seeded gradients, and optlib's parameters and every state entry must equal torch's
  (``foreach=False``) within ``torch.testing.assert_close``'s default tolerance for the
  dtype. The same configurations run on complex parameters (torch treats a complex tensor as
  its ``view_as_real`` pairs) and, for SGD and Adagrad, with sparse gradients; where torch
  raises, optlib must raise the same exception type with the same message.
- ``optim_error_inputs_func``: invalid inputs, with the exception type and message torch
  raises (at construction or at the first step); optlib must raise the same.

Skipped, on purpose: configurations and error inputs that set one of torch's performance flags
(``foreach``, ``fused``, ``capturable``, ``differentiable``), which optlib does not have (its
constructors refuse them: ``tests/test_optim_errors.py``). ``test_coverage`` pins how many
checks run and how many are skipped, so a torch upgrade that changes the inputs shows up.
"""

from __future__ import annotations

import re
import warnings

import pytest
import torch

pytest.importorskip("expecttest")  # needed by torch.testing._internal; pinned in requirements
from torch.testing._internal.common_optimizers import (  # noqa: E402
    OptimizerErrorEnum,
    optim_db,
)

import optlib.optim  # noqa: E402

PERF_FLAGS = {"foreach", "fused", "capturable", "differentiable"}
INFOS = {info.name: info for info in optim_db if info.name in optlib.optim.__all__}
STEPS = 7
SHAPES = [(3, 2), (3,), ()]


def _configs(name: str) -> list:
    return INFOS[name].optim_inputs_func(device="cpu", dtype=torch.float32)


def _kept(inputs: list, kwargs_of=lambda i: i.kwargs) -> list:
    return [i for i in inputs if not PERF_FLAGS & set(kwargs_of(i))]


CONFIGS = [(n, c) for n in INFOS for c in _kept(_configs(n))]
SKIPPED = [(n, c) for n in INFOS for c in _configs(n) if PERF_FLAGS & set(c.kwargs)]
ERRORS = [
    (n, e)
    for n in INFOS
    for e in INFOS[n].optim_error_inputs_func(device="cpu", dtype=torch.float32)
]
ERRORS_KEPT = [(n, e) for n, e in ERRORS if not PERF_FLAGS & set(e.optimizer_error_input.kwargs)]


def _ids(pairs: list) -> list[str]:
    return [f"{n}-{c.desc}" for n, c in pairs]


def _params(dtype: torch.dtype, seed: int = 0) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    real = torch.float32 if dtype == torch.complex64 else dtype
    out = []
    for shape in SHAPES:
        x = torch.randn(shape, generator=gen, dtype=real)
        if dtype.is_complex:
            x = torch.complex(x, torch.randn(shape, generator=gen, dtype=real))
        out.append(x)
    return out


def _kwargs(kwargs: dict, dtype: torch.dtype) -> dict:
    """The configuration for one run; a tensor hyperparameter is copied (the two libraries
    must not share it)."""
    return {k: v.clone() if isinstance(v, torch.Tensor) else v for k, v in kwargs.items()}


def _outcome(cls, kwargs: dict, dtype: torch.dtype, sparse: bool = False):
    """Parameters and state after ``STEPS`` seeded steps, or the exception raised."""
    params = [p.clone().requires_grad_() for p in _params(dtype)]
    gen = torch.Generator().manual_seed(1)
    extra = {"foreach": False} if cls.__module__.startswith("torch") else {}
    try:
        opt = cls(params, **_kwargs(kwargs, dtype), **extra)
        for _ in range(STEPS):
            for p in params:
                g = torch.randn(p.shape, generator=gen, dtype=p.dtype)
                if sparse and p.ndim:
                    g = (g * (torch.rand(p.shape, generator=gen) < 0.5)).to_sparse()
                p.grad = g
            opt.step()
    except Exception as err:  # compared with torch's own outcome below
        return type(err), str(err)
    return params, [opt.state.get(p, {}) for p in params]


def _assert_same(ours, theirs, what: str) -> None:
    if isinstance(theirs, tuple) and isinstance(theirs[0], type):
        assert ours == theirs, f"{what}: torch raised {theirs}, optlib gave {ours}"
        return
    assert not (isinstance(ours, tuple) and isinstance(ours[0], type)), f"{what}: {ours}"
    (p_ours, s_ours), (p_theirs, s_theirs) = ours, theirs
    for i, (a, b) in enumerate(zip(p_ours, p_theirs)):
        torch.testing.assert_close(a.detach(), b.detach(), msg=lambda m: f"{what} param {i}: {m}")
    for i, (a, b) in enumerate(zip(s_ours, s_theirs)):
        assert a.keys() == b.keys(), f"{what} param {i}: state keys {sorted(a)} != {sorted(b)}"
        for key in a:
            torch.testing.assert_close(a[key], b[key], msg=lambda m: f"{what} {i} {key}: {m}")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize(("name", "config"), CONFIGS, ids=_ids(CONFIGS))
def test_configuration_matches_torch(name: str, config, dtype: torch.dtype) -> None:
    ours = _outcome(getattr(optlib.optim, name), config.kwargs, dtype)
    theirs = _outcome(INFOS[name].optim_cls, config.kwargs, dtype)
    _assert_same(ours, theirs, f"{name} {config.desc}")


@pytest.mark.parametrize(("name", "config"), CONFIGS, ids=_ids(CONFIGS))
def test_complex_configuration_matches_torch(name: str, config) -> None:
    assert INFOS[name].supports_complex
    ours = _outcome(getattr(optlib.optim, name), config.kwargs, torch.complex64)
    theirs = _outcome(INFOS[name].optim_cls, config.kwargs, torch.complex64)
    _assert_same(ours, theirs, f"{name} {config.desc} (complex)")


SPARSE = [(n, c) for n, c in CONFIGS if INFOS[n].supports_sparse]


@pytest.mark.parametrize(("name", "config"), SPARSE, ids=_ids(SPARSE))
def test_sparse_configuration_matches_torch(name: str, config) -> None:
    ours = _outcome(getattr(optlib.optim, name), config.kwargs, torch.float64, sparse=True)
    theirs = _outcome(INFOS[name].optim_cls, config.kwargs, torch.float64, sparse=True)
    _assert_same(ours, theirs, f"{name} {config.desc} (sparse)")


@pytest.mark.parametrize(
    ("name", "error"), ERRORS_KEPT, ids=_ids([(n, e.optimizer_error_input) for n, e in ERRORS_KEPT])
)
def test_error_input_matches_torch(name: str, error) -> None:
    cls = getattr(optlib.optim, name)
    given = error.optimizer_error_input
    kwargs = _kwargs(given.kwargs, torch.float32)

    def act() -> None:
        opt = cls(given.params, **kwargs)
        if error.error_on == OptimizerErrorEnum.STEP_ERROR:
            opt.step()

    if issubclass(error.error_type, Warning):
        with pytest.warns(error.error_type, match=error.error_regex):
            act()
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(error.error_type, match=error.error_regex):
                act()


def test_coverage() -> None:
    """How many of torch's inputs run here, and how many are skipped (performance flags)."""
    assert set(INFOS) == set(optlib.optim.__all__)
    counts = (len(CONFIGS), len(SKIPPED), len(SPARSE), len(ERRORS_KEPT), len(ERRORS))
    print("configurations, skipped, sparse, error inputs kept, error inputs:", counts)
    assert len(CONFIGS) >= 50 and len(ERRORS_KEPT) >= 60
    assert all(PERF_FLAGS & set(c.kwargs) for _, c in SKIPPED)
    assert all(
        re.search("foreach|fused|capturable|differentiable", str(e.optimizer_error_input.kwargs))
        for _, e in ERRORS
        if (_, e) not in ERRORS_KEPT
    )
