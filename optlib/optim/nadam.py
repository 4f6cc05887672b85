"""NAdam: Adam with Nesterov momentum and a warming-up momentum schedule."""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor
from torch.optim import Optimizer
from torch.optim.optimizer import ParamsT

from optlib.optim._common import check_adam_args, check_param, scalar_state

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam: Adam whose momentum step looks ahead like Nesterov's (``torch.optim.NAdam``).

    For each parameter :math:`\theta` with gradient :math:`g_t = \nabla f_t(\theta_{t-1})`,
    starting from :math:`m_0 = v_0 = 0` and :math:`\Pi_0 = 1`:

    .. math::

        \begin{aligned}
        g_t &\leftarrow -g_t                                  && \text{if maximize} \\
        \theta_{t-1} &\leftarrow (1 - \gamma\lambda)\,\theta_{t-1}
                                                              && \text{if decoupled weight decay} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1}            && \text{else, if } \lambda \ne 0 \\
        \mu_t &\leftarrow \beta_1 \big(1 - \tfrac12\, 0.96^{\,t\psi}\big) \\
        \mu_{t+1} &\leftarrow \beta_1 \big(1 - \tfrac12\, 0.96^{\,(t+1)\psi}\big) \\
        \Pi_t &\leftarrow \Pi_{t-1}\, \mu_t \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
        v_t &\leftarrow \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        \hat m_t &\leftarrow \frac{\mu_{t+1}\, m_t}{1 - \Pi_t \mu_{t+1}}
                            + \frac{(1 - \mu_t)\, g_t}{1 - \Pi_t} \\
        \hat v_t &\leftarrow v_t / (1 - \beta_2^t) \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)
        \end{aligned}

    :math:`\hat m_t` mixes the momentum one step ahead (weight :math:`\mu_{t+1}`) with the
    fresh gradient (weight :math:`1 - \mu_t`), each bias-corrected by the product of the
    momentum factors so far: Nesterov's look-ahead without a second gradient evaluation.

    Args:
        params: iterable of parameters or of dicts defining parameter groups.
        lr: learning rate :math:`\gamma` (default: 2e-3).
        betas: :math:`(\beta_1, \beta_2)`, the momentum and the decay rate of the squared
            gradient average (default: (0.9, 0.999)).
        eps: :math:`\epsilon` added to :math:`\sqrt{\hat v_t}` (default: 1e-8).
        weight_decay: weight decay :math:`\lambda` (default: 0).
        momentum_decay: :math:`\psi` of the momentum schedule (default: 4e-3).
        decoupled_weight_decay: decay :math:`\theta` directly, as in AdamW, instead of adding
            :math:`\lambda\theta` to the gradient (default: False).
        maximize: maximize the objective instead of minimizing it (default: False).

    State (per parameter):
        ``step``: :math:`t`, a 0-dim float32 CPU tensor (float64 under a float64 default dtype).
        ``mu_product``: :math:`\Pi_t`, a 0-dim tensor like ``step``.
        ``exp_avg``: :math:`m_t`.
        ``exp_avg_sq``: :math:`v_t`.

    References:
        Dozat (2016), "Incorporating Nesterov momentum into Adam".
        Loshchilov & Hutter (2019), "Decoupled weight decay regularization".

    .. note::
        The schedule :math:`\mu_t = \beta_1 (1 - \frac12 0.96^{t/250})` is Dozat's, with
        :math:`\psi = 1/250 = 0.004`. As in PyTorch (and Keras), :math:`m_t` averages with
        the constant :math:`\beta_1` and the schedule enters only the look-ahead mix and its
        bias correction. :math:`\Pi_t` is kept as a float32 tensor, so it is rounded to
        float32 every step like PyTorch's. The step applies the two terms of
        :math:`\hat m_t` one after the other, as PyTorch does: a single combined update
        rounds :math:`\theta` once instead of twice per step, and in float32 that drifts by
        a few 1e-6 from PyTorch over 100 small steps. Weight decay is not in the paper.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        check_adam_args(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("decoupled_weight_decay", False)

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Perform one update. ``closure`` re-evaluates the model and returns the loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        for group in self.param_groups:
            lr, eps, wd = float(group["lr"]), group["eps"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            psi = group["momentum_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                check_param(p, "NAdam")
                g = -p.grad if group["maximize"] else p.grad

                state = self.state[p]
                if len(state) == 0:
                    state["step"] = scalar_state(0.0)
                    state["mu_product"] = scalar_state(1.0)
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                m, v = state["exp_avg"], state["exp_avg_sq"]
                # t <- t + 1
                state["step"] += 1
                t = state["step"].item()

                if wd != 0 and group["decoupled_weight_decay"]:
                    # theta_{t-1} <- (1 - lr lambda) theta_{t-1}
                    p.mul_(1 - lr * wd)
                elif wd != 0:
                    # g_t <- g_t + lambda theta_{t-1}
                    g = g.add(p, alpha=wd)

                # mu_t <- beta1 (1 - 0.5 * 0.96^(t psi)),  mu_{t+1} likewise
                mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi))
                mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
                # Pi_t <- Pi_{t-1} mu_t
                state["mu_product"] *= mu
                mu_product = state["mu_product"].item()

                # m_t <- beta1 m_{t-1} + (1 - beta1) g_t
                m.lerp_(g, 1 - beta1)
                # v_t <- beta2 v_{t-1} + (1 - beta2) g_t^2
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                # v_hat_t <- v_t / (1 - beta2^t)
                v_hat = v / (1 - beta2**t)
                denom = v_hat.sqrt_().add_(eps)
                # theta_t <- theta_{t-1} - lr m_hat_t / (sqrt(v_hat_t) + eps), one term at a time
                # of m_hat_t = (1 - mu_t) g_t / (1 - Pi_t) + mu_{t+1} m_t / (1 - Pi_t mu_{t+1})
                p.addcdiv_(g, denom, value=-lr * (1 - mu) / (1 - mu_product))
                p.addcdiv_(m, denom, value=-lr * mu_next / (1 - mu_product * mu_next))

        return loss
