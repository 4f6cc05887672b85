"""Small helpers the adaptive optimizers share: 0-dim state scalars and input checks."""

from __future__ import annotations

import torch
from torch import Tensor


def scalar_state(value: float) -> Tensor:
    """A scalar of per-parameter state (the step counter, NAdam's momentum product).

    ``torch.optim`` keeps these as 0-dim CPU tensors, float64 when the default dtype is float64
    and float32 otherwise, whatever the parameter's dtype; matching it lets ``state_dict``\\ s
    move between the two both ways.
    """
    dtype = torch.float64 if torch.get_default_dtype() == torch.float64 else torch.float32
    return torch.tensor(value, dtype=dtype)


def check_param(p: Tensor, optimizer: str) -> None:
    """Refuse what these per-element formulas do not cover: sparse gradients, complex tensors."""
    if p.grad.is_sparse:
        raise RuntimeError(f"{optimizer} does not support sparse gradients")
    if torch.is_complex(p):
        raise RuntimeError(f"{optimizer} does not support complex parameters")


def check_adam_args(lr: float | Tensor, betas: tuple, eps: float, weight_decay: float) -> None:
    """The constructor checks Adam, Adamax, NAdam and RAdam share, with torch.optim's messages.

    Written as ``not 0.0 <= x`` like torch, so NaN is refused too.
    """
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
