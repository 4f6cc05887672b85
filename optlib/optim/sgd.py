"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor
from torch.optim import Optimizer
from torch.optim.optimizer import ParamsT

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum (same interface as ``torch.optim.SGD``).

    For each parameter :math:`\theta` with gradient :math:`g_t = \nabla f_t(\theta_{t-1})`:

    .. math::

        \begin{aligned}
        g_t &\leftarrow -g_t                                 && \text{if maximize} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1}           && \text{if } \lambda \ne 0 \\
        b_t &\leftarrow \begin{cases} g_t & t = 1 \\
                                      \mu b_{t-1} + (1 - \tau) g_t & t > 1 \end{cases}
                                                             && \text{if } \mu \ne 0 \\
        g_t &\leftarrow \begin{cases} g_t + \mu b_t & \text{nesterov} \\
                                      b_t & \text{otherwise} \end{cases}
                                                             && \text{if } \mu \ne 0 \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma g_t
        \end{aligned}

    Args:
        params: iterable of parameters or of dicts defining parameter groups.
        lr: learning rate :math:`\gamma` (default: 1e-3).
        momentum: momentum factor :math:`\mu` (default: 0).
        dampening: dampening :math:`\tau` of the gradient added to the buffer (default: 0).
        weight_decay: L2 penalty :math:`\lambda` added to the gradient (default: 0).
        nesterov: use Nesterov momentum; needs ``momentum > 0`` and ``dampening == 0``
            (default: False).
        maximize: maximize the objective instead of minimizing it (default: False).

    State (per parameter, only when ``momentum != 0``):
        ``momentum_buffer``: :math:`b_t`.

    References:
        Robbins & Monro (1951), "A stochastic approximation method".
        Polyak (1964), "Some methods of speeding up the convergence of iteration methods".
        Sutskever et al. (2013), "On the importance of initialization and momentum in deep
        learning".

    .. note::
        Like PyTorch, the buffer starts as the first gradient (not as :math:`(1-\tau) g_1`),
        and the learning rate multiplies the whole buffer. Sutskever et al. write momentum as
        :math:`v_t = \mu v_{t-1} - \gamma g_t`, :math:`\theta_t = \theta_{t-1} + v_t`; the two
        agree while :math:`\gamma` is constant and differ after a learning-rate change.
        Nesterov here is the "look-ahead in the gradient" form :math:`g_t + \mu b_t`, not a
        gradient evaluated at a look-ahead point.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Perform one update. ``closure`` re-evaluates the model and returns the loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        for group in self.param_groups:
            # lr and momentum are numbers here, except in a sweep (optlib.trajectory.sweep):
            # there each row of an (N, d) parameter is its own problem, and lr / momentum are
            # (N, 1) tensors, one value per row, that broadcast in the same formulas.
            lr, mu, tau = group["lr"], group["momentum"], group["dampening"]
            per_row = isinstance(lr, Tensor) and lr.numel() > 1
            wd, nesterov = group["weight_decay"], group["nesterov"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError("SGD does not support sparse gradients")
                g = -p.grad if group["maximize"] else p.grad

                # g <- g + lambda theta
                if wd != 0:
                    g = g.add(p, alpha=wd)

                if isinstance(mu, Tensor) or mu != 0:
                    state = self.state[p]
                    b = state.get("momentum_buffer")
                    if b is None:
                        # b_1 <- g_1
                        b = state["momentum_buffer"] = g.detach().clone()
                    else:
                        # b_t <- mu b_{t-1} + (1 - tau) g_t
                        b.mul_(mu).add_(g, alpha=1 - tau)
                    # g <- g + mu b (Nesterov) or g <- b
                    g = g.add(b, alpha=mu) if nesterov else b

                # theta <- theta - lr g
                if per_row:
                    p.sub_(lr * g)
                else:
                    p.add_(g, alpha=-float(lr))

        return loss
