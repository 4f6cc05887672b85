"""Adagrad: per-coordinate step sizes from the sum of all past squared gradients."""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor
from torch.optim import Optimizer
from torch.optim.optimizer import ParamsT

from optlib.optim._common import check_param, scalar_state

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad: steps divided by the root of summed squared gradients (``torch.optim.Adagrad``).

    For each parameter :math:`\theta` with gradient :math:`g_t = \nabla f_t(\theta_{t-1})`,
    starting from :math:`s_0 = \tau`:

    .. math::

        \begin{aligned}
        g_t &\leftarrow -g_t                                && \text{if maximize} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1}          && \text{if } \lambda \ne 0 \\
        \gamma_t &\leftarrow \gamma / (1 + (t - 1)\,\eta) \\
        s_t &\leftarrow s_{t-1} + g_t^2 \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma_t\, g_t / (\sqrt{s_t} + \epsilon)
        \end{aligned}

    Args:
        params: iterable of parameters or of dicts defining parameter groups.
        lr: learning rate :math:`\gamma` (default: 1e-2).
        lr_decay: learning-rate decay :math:`\eta` (default: 0).
        weight_decay: L2 penalty :math:`\lambda` added to the gradient (default: 0).
        initial_accumulator_value: starting value :math:`\tau` of the sum :math:`s`
            (default: 0).
        eps: :math:`\epsilon` added to :math:`\sqrt{s_t}` (default: 1e-10).
        maximize: maximize the objective instead of minimizing it (default: False).

    State (per parameter, created in the constructor like PyTorch does):
        ``step``: :math:`t`, a 0-dim float32 CPU tensor (float64 under a float64 default dtype).
        ``sum``: :math:`s_t`.

    References:
        Duchi, Hazan & Singer (2011), "Adaptive subgradient methods for online learning and
        stochastic optimization".

    .. note::
        This is the diagonal version of Duchi et al., with their :math:`\delta` as
        :math:`\epsilon` outside the square root, as in the paper
        (:math:`H_t = \delta I + \operatorname{diag}(G_t)^{1/2}`).
        ``lr_decay`` and ``initial_accumulator_value`` are PyTorch additions (the paper has
        neither; TensorFlow starts the sum at 0.1).
        Unlike PyTorch 2.13, a parameter group's own ``initial_accumulator_value`` is honored:
        ``torch.optim.Adagrad`` starts every sum at the constructor's value and ignores the
        per-group one. Sparse gradients, which PyTorch supports, are refused here.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            maximize=maximize,
        )
        super().__init__(params, defaults)

        # PyTorch creates Adagrad's state up front, so a fresh state_dict already holds it.
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Tensor, group: dict) -> None:
        state = self.state[p]
        state["step"] = scalar_state(0.0)
        # s_0 <- tau
        state["sum"] = torch.full_like(
            p, group["initial_accumulator_value"], memory_format=torch.preserve_format
        )

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Perform one update. ``closure`` re-evaluates the model and returns the loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        for group in self.param_groups:
            lr, eta, eps = float(group["lr"]), group["lr_decay"], group["eps"]
            wd = group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                check_param(p, "Adagrad")
                g = -p.grad if group["maximize"] else p.grad

                state = self.state[p]
                if len(state) == 0:  # a parameter added later with add_param_group
                    self._init_state(p, group)
                s = state["sum"]
                # t <- t + 1
                state["step"] += 1
                t = state["step"].item()

                # g_t <- g_t + lambda theta_{t-1}
                if wd != 0:
                    g = g.add(p, alpha=wd)
                # lr_t <- lr / (1 + (t - 1) eta)
                lr_t = lr / (1 + (t - 1) * eta)
                # s_t <- s_{t-1} + g_t^2
                s.addcmul_(g, g)
                # theta_t <- theta_{t-1} - lr_t g_t / (sqrt(s_t) + eps)
                p.addcdiv_(g, s.sqrt().add_(eps), value=-lr_t)

        return loss
