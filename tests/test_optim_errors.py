"""optlib.optim's constructors refuse exactly what torch.optim's refuse, with the same words.

For every argument torch validates, the probe values below (bad ones, boundary ones, NaN,
tensors) go to both constructors; both must accept the value or both must raise the same
exception with the same message. A second test reads torch's constructor source and checks
that the probes trigger every ValueError it can raise (except those about the performance
flags optlib does not have), so a validation torch adds later cannot go unnoticed.
"""

from __future__ import annotations

import inspect
import math
import re

import pytest
import torch

from optim_cases import CASES, PERF_FLAGS

NAMES = list(CASES)
NAN, INF = math.nan, math.inf

# argument -> values to probe; each optimizer probes those of its arguments
PROBES: dict[str, list] = {
    "lr": [-1e-3, -1.0, NAN, -INF, INF, 0.0, 1e-3,
           torch.tensor(-0.1), torch.tensor([0.1, 0.2]), torch.tensor([0.01])],
    "eps": [-1e-8, NAN, -INF, INF, 0.0],
    "weight_decay": [-0.1, NAN, -INF, 0.0, 1.0],
    "lr_decay": [-0.1, NAN, -INF, 0.0],
    "initial_accumulator_value": [-0.1, NAN, -INF, 0.0, 0.1],
    "momentum": [-0.1, NAN, -INF, 0.0, 1.5],
    "alpha": [-0.1, NAN, -INF, 0.0, 1.5],
    "rho": [-0.1, 1.1, NAN, INF, 0.0, 1.0],
    "momentum_decay": [-1e-3, NAN, -INF, 0.0],
    "betas": [
        (-0.1, 0.999), (1.0, 0.999), (NAN, 0.999), (1.5, 2.0),
        (0.9, 1.0), (0.9, -0.5), (0.9, NAN), (0.9, INF),
        (0.0, 0.0), (0.0, 0.999), (0, 0.999), (0.9, 0),
        (0.9, torch.tensor(0.999)),
        (torch.tensor(0.9), torch.tensor(0.999)),
        (torch.tensor([0.9]), torch.tensor([[0.999]])),
        (torch.tensor([0.9, 0.8]), torch.tensor(0.99)),
        (torch.tensor(0.9), torch.tensor([0.99, 0.9])),
        (torch.tensor(1.0), torch.tensor(0.99)),
    ],
}


def outcome(cls: type, *args, **kwargs) -> tuple[str, str] | None:
    """None when ``cls(*args, **kwargs)`` constructs; else the exception's type name and text."""
    try:
        cls(*args, **kwargs)
    except Exception as err:  # noqa: BLE001 - compared, not swallowed
        return type(err).__name__, str(err)
    return None


def probes(name: str) -> list[tuple[str, object]]:
    args = inspect.signature(CASES[name].ours).parameters
    return [(arg, value) for arg, values in PROBES.items() if arg in args for value in values]


@pytest.mark.parametrize(
    "name, arg, value",
    [(name, arg, value) for name in NAMES for arg, value in probes(name)],
    ids=lambda x: repr(x) if not isinstance(x, str) else x,
)
def test_same_validation_as_torch(name: str, arg: str, value: object) -> None:
    p = torch.zeros(2, requires_grad=True)
    theirs = outcome(CASES[name].theirs, [p], **{arg: value})
    ours = outcome(CASES[name].ours, [p], **{arg: value})
    assert ours == theirs


@pytest.mark.parametrize("name", NAMES)
def test_empty_and_bad_params(name: str) -> None:
    for params in ([], torch.zeros(2, requires_grad=True), [{"params": []}]):
        assert outcome(CASES[name].ours, params) == outcome(CASES[name].theirs, params)


def _value_error_templates(cls: type) -> list[str]:
    """The messages of every ``raise ValueError(...)`` in the constructors of cls and its
    torch.optim bases (AdamW validates in Adam's), as regexes."""
    templates = []
    for klass in cls.__mro__:
        if not issubclass(klass, torch.optim.Optimizer) or klass is torch.optim.Optimizer:
            continue
        if "__init__" not in vars(klass):
            continue
        source = inspect.getsource(vars(klass)["__init__"])
        for is_f, text in re.findall(r'raise ValueError\(\s*(f?)"([^"]*)"', source):
            if any(flag in text for flag in PERF_FLAGS):
                continue  # about foreach/fused/capturable, which optlib does not have
            parts = re.split(r"\{[^}]*\}", text) if is_f else [text]
            templates.append(".+".join(re.escape(part) for part in parts))
    return templates


# torch.optim.Adam checks "Tensor betas[i] must be 1-element" after `0.0 <= betas[i] < 1.0`,
# which already raises RuntimeError for a tensor of any other size: the check cannot fire, and
# optlib leaves it out.
UNREACHABLE = {re.escape(f"Tensor betas[{i}] must be 1-element") for i in (0, 1)}


@pytest.mark.parametrize("name", NAMES)
def test_probes_reach_every_torch_value_error(name: str) -> None:
    cls = CASES[name].theirs
    templates = _value_error_templates(cls)
    assert templates, f"found no ValueError in torch.optim.{name}'s constructor"
    p = torch.zeros(2, requires_grad=True)
    raised = {outcome(cls, [p], **{arg: value}) for arg, value in probes(name)}
    messages = [text for kind, text in filter(None, raised) if kind == "ValueError"]
    for template in templates:
        if template in UNREACHABLE:
            continue
        assert any(re.fullmatch(template, m) for m in messages), f"no probe raises {template!r}"


@pytest.mark.parametrize("name", NAMES)
def test_signature_matches_torch(name: str) -> None:
    """Same argument names, defaults and kinds, minus torch's performance flags.

    An argument optlib takes positionally sits at the same position in torch's signature, so
    a positional call never means different things in the two (``maximize`` is keyword-only
    where a dropped flag precedes it in torch, e.g. RMSprop).
    """
    ours = inspect.signature(CASES[name].ours).parameters
    theirs = inspect.signature(CASES[name].theirs).parameters
    assert list(ours) == [k for k in theirs if k not in PERF_FLAGS]
    for key, param in ours.items():
        assert param.default == theirs[key].default, key
    positional = [k for k, v in ours.items() if v.kind is v.POSITIONAL_OR_KEYWORD]
    assert positional == list(theirs)[: len(positional)]
    for key, param in ours.items():
        if param.kind is param.KEYWORD_ONLY:
            assert theirs[key].kind in (param.KEYWORD_ONLY, param.POSITIONAL_OR_KEYWORD), key


@pytest.mark.parametrize("name", NAMES)
def test_performance_flags_are_not_accepted(name: str) -> None:
    p = torch.zeros(2, requires_grad=True)
    for flag in sorted(PERF_FLAGS):
        with pytest.raises(TypeError, match=flag):
            CASES[name].ours([p], **{flag: False})


def test_a_looser_check_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The probes tell ``not 0.0 <= lr`` (torch's) from ``lr < 0.0``: only one refuses NaN."""
    import optlib.optim._common as common
    import optlib.optim.adam as adam

    source = inspect.getsource(common)
    assert source.count("if not 0.0 <= lr:") == 1
    namespace: dict = {"__name__": "mutant_common"}
    mutant = source.replace("if not 0.0 <= lr:", "if lr < 0.0:")
    exec(compile(mutant, "<mutant _common.py>", "exec"), namespace)
    monkeypatch.setattr(adam, "check_adam_args", namespace["check_adam_args"])
    p = torch.zeros(2, requires_grad=True)
    assert outcome(adam.Adam, [p], lr=-1.0) == outcome(torch.optim.Adam, [p], lr=-1.0)
    assert outcome(adam.Adam, [p], lr=NAN) != outcome(torch.optim.Adam, [p], lr=NAN)
