"""Two small helpers the adaptive optimizers share: 0-dim state scalars and the input check."""

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
