"""What every optimizer here shares, written once: the step loop, state scalars, arithmetic.

An optimizer file holds a pure update core (``adam_``, ``sgd_``, ...: one parameter, its
gradient and its state tensors in, updated in place) and a thin class around it. This module
is the rest:

- :func:`stepper` makes every class's ``step`` (:func:`step_params`): run the closure, loop
  over groups and over parameters that have a gradient, refuse sparse gradients where torch
  does, view complex tensors as real pairs (as ``torch.optim`` does), create state lazily,
  count steps, call the class's ``_update`` (which calls the core).
- :func:`restorer` makes every class's ``__setstate__`` (:func:`setstate`): defaults for
  flags older checkpoints lack, and a ``step`` saved as a plain number turned back into
  torch's 0-dim tensor, as ``torch.optim`` does.
- The arithmetic helpers (:func:`add_scaled_`, :func:`add_product_`, :func:`add_quotient_`,
  :func:`lerp_`, :func:`where`) let every core take a hyperparameter either as a Python number
  (torch's fused scalar arguments: ``alpha=``, ``value=``) or as an ``(N, 1)`` tensor, one
  value per row of an ``(N, d)`` parameter, which :func:`optlib.trajectory.sweep` uses to run
  N configurations at once. Both paths compute the same products in the same order, so a row
  of a sweep equals a single run to the last bit or close to it.
- :func:`regularize` is maximize and weight decay (L2 into the gradient, or decoupled).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor
from torch.optim import Optimizer

Hyper = float | Tensor
"""A hyperparameter as the cores take it: a number, a 0-dim tensor, or ``(N, 1)`` per row."""


# -- a hyperparameter that is a number or a tensor -----------------------------------------


def _per_row(a: Any) -> bool:
    """True for a hyperparameter with one value per row: it must broadcast, not be a scalar."""
    return isinstance(a, Tensor) and a.ndim > 0


def add_scaled_(y: Tensor, a: Hyper, x: Tensor) -> Tensor:
    """``y <- y + a x``."""
    return y.add_(a * x) if _per_row(a) else y.add_(x, alpha=a)


def add_product_(y: Tensor, a: Hyper, x1: Tensor, x2: Tensor) -> Tensor:
    """``y <- y + a x1 x2`` (``(a x1) x2``, the order of ``addcmul``)."""
    return y.add_(a * x1 * x2) if _per_row(a) else y.addcmul_(x1, x2, value=a)


def add_quotient_(y: Tensor, a: Hyper, x1: Tensor, x2: Tensor) -> Tensor:
    """``y <- y + a x1 / x2`` (``a (x1 / x2)``, the order of ``addcdiv``)."""
    return y.add_(a * (x1 / x2)) if _per_row(a) else y.addcdiv_(x1, x2, value=a)


def lerp_(y: Tensor, x: Tensor, w: Hyper) -> Tensor:
    """``y <- y + w (x - y)``; a tensor weight is cast to ``y``'s dtype, as torch does."""
    return y.lerp_(x, w.to(y.dtype) if isinstance(w, Tensor) else w)


def where(cond: bool | Tensor, a: Any, b: Any) -> Any:
    """``a`` where ``cond`` holds, else ``b``: per row for a tensor condition."""
    if _per_row(cond):
        return torch.where(cond, a, b)
    return a if cond else b


def sqrt(x: Hyper) -> Hyper:
    """``math.sqrt`` of a number (correctly rounded, unlike ``x ** 0.5``), else ``x.sqrt()``."""
    return x.sqrt() if isinstance(x, Tensor) else math.sqrt(x)


def nonzero(x: Hyper) -> bool:
    """Whether a term weighted by ``x`` takes part at all (any row, for a per-row ``x``)."""
    return bool((x != 0).any()) if isinstance(x, Tensor) else x != 0


def number(x: Tensor) -> Hyper:
    """A 0-dim state tensor as a Python number (torch's ``.item()``); per-row state in float64,
    so both are used in the same double-precision arithmetic."""
    return x.item() if x.ndim == 0 else x.to(torch.float64)


def rows(x: Tensor, *hparams: Any) -> Tensor:
    """The 0-dim state scalar ``x``, repeated per row when any of ``hparams`` is per row."""
    shapes = [h.shape for h in hparams if _per_row(h) and h.numel() > 1]
    return x.expand(torch.broadcast_shapes(*shapes)).clone() if shapes else x


def regularize(
    param: Tensor,
    grad: Tensor,
    lr: Hyper,
    weight_decay: Hyper,
    maximize: bool,
    decoupled: bool = False,
) -> Tensor:
    r"""The gradient the update uses: negated to maximize, with L2 weight decay added.

    ``g <- -g`` if ``maximize``; then, if :math:`\lambda \ne 0`, either
    ``theta <- (1 - lr lambda) theta`` (decoupled, in place) or ``g <- g + lambda theta``.
    ``1 - lr lambda`` is computed in ``lr``'s own precision when ``lr`` is a tensor, as in
    torch. The caller's gradient is never modified.
    """
    g = -grad if maximize else grad
    if not nonzero(weight_decay):
        return g
    if decoupled:
        # theta_{t-1} <- (1 - lr lambda) theta_{t-1}
        param.mul_(1 - lr * weight_decay)
        return g
    # g_t <- g_t + lambda theta_{t-1}
    return g + weight_decay * param if _per_row(weight_decay) else g.add(param, alpha=weight_decay)


# -- state ---------------------------------------------------------------------------------


def scalar_state(value: float) -> Tensor:
    """A scalar of per-parameter state (the step counter, NAdam's momentum product).

    ``torch.optim`` keeps these as 0-dim CPU tensors, float64 when the default dtype is float64
    and float32 otherwise, whatever the parameter's dtype; matching it lets ``state_dict``\\ s
    move between the two both ways.
    """
    dtype = torch.float64 if torch.get_default_dtype() == torch.float64 else torch.float32
    return torch.tensor(value, dtype=dtype)


def zeros(p: Tensor) -> Tensor:
    """A zero state tensor shaped and laid out like ``p``."""
    return torch.zeros_like(p, memory_format=torch.preserve_format)


def setstate(opt: Optimizer, state: dict, **flags: Any) -> None:
    """``__setstate__`` of every optimizer here (``load_state_dict`` goes through it).

    Flags missing from older checkpoints get their defaults, and a ``step`` saved as a plain
    number becomes torch's 0-dim tensor again, as ``torch.optim`` converts it.
    """
    Optimizer.__setstate__(opt, state)
    for group in opt.param_groups:
        for key, value in flags.items():
            group.setdefault(key, value)
        for p in group["params"]:
            p_state = opt.state.get(p, {})
            if "step" in p_state and not torch.is_tensor(p_state["step"]):
                p_state["step"] = scalar_state(float(p_state["step"]))


def _scalar(x: Any) -> Any:
    """A 1-element tensor as 0-dim (torch's ``_to_scalar``); anything else as it is."""
    return x.squeeze() if isinstance(x, Tensor) and x.numel() == 1 else x


def hyperparameters(group: dict, names: Sequence[str]) -> dict:
    """A group's settings ``names`` as the cores take them: 1-element tensors 0-dim, per-row
    tensors as they are, and ``beta1``/``beta2`` the two entries of ``betas``."""
    if "betas" in group:
        group = {**group, "beta1": group["betas"][0], "beta2": group["betas"][1]}
    return {name: _scalar(group[name]) for name in names}


def _real(x: Tensor | None) -> Tensor | None:
    """A complex tensor as its real ``(..., 2)`` view (what torch.optim updates); else ``x``."""
    return torch.view_as_real(x) if x is not None and x.is_complex() else x


def step_params(
    opt: Any,
    closure: Callable[[], Tensor] | None,
    names: Sequence[str],
    *,
    sparse: bool = False,
    complex_as_real: bool = True,
) -> Tensor | None:
    """One ``step()``: the closure, then ``opt._update`` once per parameter with a gradient.

    ``opt._init_state(p, group)`` returns a new parameter's state (torch's keys), created
    lazily when the state is empty. A ``step`` counter in it is incremented before the
    update, and its new value ``t`` passed on: ``opt._update(param, grad, state, hp, t)``,
    where ``hp`` holds the group's settings ``names`` (:func:`hyperparameters`). Complex
    tensors arrive as real views (unless ``complex_as_real`` is False: SGD's update is linear
    and torch runs it on complex tensors as they are). Sparse gradients are refused unless
    ``sparse`` (then they reach the update as they are).
    """
    loss = None
    if closure is not None:
        with torch.enable_grad():
            loss = closure()

    for group in opt.param_groups:
        hp = hyperparameters(group, names)
        for p in group["params"]:
            if p.grad is None:
                continue
            if p.grad.is_sparse and not sparse:
                raise RuntimeError(f"{type(opt).__name__} does not support sparse gradients")
            # lazy state; an optimizer without any (SGD without momentum) leaves none behind
            state = opt.state.get(p) or opt._init_state(p, group)
            t = None
            if "step" in state:
                # t <- t + 1
                state["step"] += 1
                t = state["step"].item()
            if complex_as_real and p.is_complex() and not p.grad.is_sparse:
                views = {k: _real(v) for k, v in state.items()}
                opt._update(_real(p), _real(p.grad), views, hp, t)
            else:
                opt._update(p, p.grad, state, hp, t)
            if state:
                opt.state[p] = state
    return loss


def stepper(core: Callable[..., Any], **options: bool) -> Callable[..., Tensor | None]:
    """The ``step`` method of an optimizer whose update is ``core`` (see :func:`step_params`).

    The hyperparameters passed on are ``core``'s keyword-only arguments (but ``step``).
    """
    names = [
        name
        for name, arg in inspect.signature(core).parameters.items()
        if arg.kind is inspect.Parameter.KEYWORD_ONLY and name != "step"
    ]

    @torch.no_grad()
    def step(self: Optimizer, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Perform one update. ``closure`` re-evaluates the model and returns the loss."""
        return step_params(self, closure, names, **options)

    return step


def restorer(**flags: Any) -> Callable[[Optimizer, dict], None]:
    """The ``__setstate__`` method of an optimizer whose newer flags are ``flags``."""

    def __setstate__(self: Optimizer, state: dict) -> None:
        setstate(self, state, **flags)

    return __setstate__


# -- constructor checks --------------------------------------------------------------------


def group_defaults(args: dict) -> dict:
    """A constructor's arguments but ``self`` and ``params`` (pass ``locals()``): the defaults
    of every parameter group, under the argument names, as in ``torch.optim``."""
    return {k: v for k, v in args.items() if k not in ("self", "params", "__class__")}


def check_lr(lr: float | Tensor) -> None:
    """torch.optim's learning-rate checks, written as ``not 0.0 <= lr`` so NaN is refused."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_nonnegative(**values: float) -> None:
    """``ValueError(f"Invalid {name} value: {value}")`` for the first negative (or NaN) one."""
    for name, value in values.items():
        if not 0.0 <= value:
            raise ValueError(f"Invalid {name} value: {value}")


def check_adam_args(lr: float | Tensor, betas: tuple, eps: float, weight_decay: float) -> None:
    """The constructor checks Adam, Adamax, NAdam and RAdam share, with torch.optim's messages."""
    check_lr(lr)
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    check_nonnegative(weight_decay=weight_decay)
