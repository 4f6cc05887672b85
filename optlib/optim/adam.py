"""Adam, with AMSGrad and decoupled (AdamW) weight decay as flags."""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor
from torch.optim import Optimizer
from torch.optim.optimizer import ParamsT

from optlib.optim._common import check_adam_args, check_param, scalar_state

__all__ = ["Adam"]


class Adam(Optimizer):
    r"""Adam: momentum on the gradient, divided by a running RMS of it (``torch.optim.Adam``).

    For each parameter :math:`\theta` with gradient :math:`g_t = \nabla f_t(\theta_{t-1})`,
    starting from :math:`m_0 = v_0 = v^{\max}_0 = 0`:

    .. math::

        \begin{aligned}
        g_t &\leftarrow -g_t                                   && \text{if maximize} \\
        \theta_{t-1} &\leftarrow (1 - \gamma\lambda)\,\theta_{t-1}
                                                              && \text{if decoupled weight decay} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1}             && \text{else, if } \lambda \ne 0 \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
        v_t &\leftarrow \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        v_t &\leftarrow v^{\max}_t = \max(v^{\max}_{t-1}, v_t) && \text{if amsgrad} \\
        \hat m_t &\leftarrow m_t / (1 - \beta_1^t) \\
        \hat v_t &\leftarrow v_t / (1 - \beta_2^t) \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)
        \end{aligned}

    Args:
        params: iterable of parameters or of dicts defining parameter groups.
        lr: learning rate :math:`\gamma` (default: 1e-3).
        betas: decay rates :math:`(\beta_1, \beta_2)` of the running averages of the gradient
            and of its square; both floats or both 1-element tensors (default: (0.9, 0.999)).
        eps: :math:`\epsilon` added to :math:`\sqrt{\hat v_t}` (default: 1e-8).
        weight_decay: weight decay :math:`\lambda`, an L2 penalty added to the gradient, or
            with ``decoupled_weight_decay`` a shrinking of :math:`\theta` (default: 0).
        amsgrad: use the running maximum :math:`v^{\max}_t` of :math:`v_t` (AMSGrad)
            (default: False).
        maximize: maximize the objective instead of minimizing it (default: False).
        decoupled_weight_decay: decay :math:`\theta` directly instead of adding
            :math:`\lambda\theta` to the gradient; this is AdamW (default: False).

    State (per parameter):
        ``step``: :math:`t`, a 0-dim float32 CPU tensor (float64 under a float64 default dtype).
        ``exp_avg``: :math:`m_t`.
        ``exp_avg_sq``: :math:`v_t`.
        ``max_exp_avg_sq``: :math:`v^{\max}_t` (only when ``amsgrad``).

    References:
        Kingma & Ba (2015), "Adam: A method for stochastic optimization".
        Reddi, Kale & Kumar (2018), "On the convergence of Adam and beyond" (AMSGrad).
        Loshchilov & Hutter (2019), "Decoupled weight decay regularization" (AdamW).

    .. note::
        :math:`\epsilon` sits outside the square root and after the bias correction, as in
        Kingma & Ba's Algorithm 1 and in PyTorch. The paper's "more efficient" ordering
        (and TensorFlow's) adds :math:`\hat\epsilon` to :math:`\sqrt{v_t}` before the
        correction, which equals :math:`\epsilon = \hat\epsilon / \sqrt{1 - \beta_2^t}`: a
        larger effective :math:`\epsilon` in early steps.
        AMSGrad as in PyTorch: the maximum is taken over the uncorrected :math:`v_t` and then
        divided by :math:`1 - \beta_2^t`; Reddi et al. use no bias correction at all.
        The step allocates one temporary, the size of :math:`\theta`, and computes
        :math:`\hat v_t`, :math:`d_t = \sqrt{\hat v_t} + \epsilon` and
        :math:`u_t = \hat m_t / d_t` in it one after the other. A second temporary (for
        :math:`\hat m_t` alone) made a step on a 10M-element tensor 1.2-1.4x slower
        (``bench/optim_step.py``), mostly in the page faults of a fresh 40 MB buffer.
        The paper has no weight decay; ``weight_decay`` without ``decoupled_weight_decay`` is
        an L2 penalty that also flows through :math:`m_t` and :math:`v_t`. With
        ``decoupled_weight_decay`` the decay is :math:`\gamma\lambda`, tied to the learning
        rate as in PyTorch (Loshchilov & Hutter tie it to the schedule multiplier
        :math:`\eta_t` only).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        check_adam_args(lr, betas, eps, weight_decay)
        if not (
            (isinstance(betas[0], float) and isinstance(betas[1], float))
            or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))
        ):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = dict(
            lr=lr,
            betas=tuple(b.squeeze() if isinstance(b, Tensor) else b for b in betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
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
            beta1, beta2 = (float(beta) for beta in group["betas"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                check_param(p, "Adam")
                g = -p.grad if group["maximize"] else p.grad

                state = self.state[p]
                if len(state) == 0:
                    state["step"] = scalar_state(0.0)
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = torch.zeros_like(
                            p, memory_format=torch.preserve_format
                        )
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

                # m_t <- beta1 m_{t-1} + (1 - beta1) g_t
                m.lerp_(g, 1 - beta1)
                # v_t <- beta2 v_{t-1} + (1 - beta2) g_t^2
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                if group["amsgrad"]:
                    # v_t <- v_max_t = max(v_max_{t-1}, v_t)
                    v = torch.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])

                # v_hat_t <- v_t / (1 - beta2^t)
                v_hat = v / (1 - beta2**t)
                # d_t <- sqrt(v_hat_t) + eps
                d = v_hat.sqrt_().add_(eps)
                # u_t <- m_hat_t / d_t, with m_hat_t = m_t / (1 - beta1^t)
                u = torch.div(m, d, out=d).div_(1 - beta1**t)
                # theta_t <- theta_{t-1} - lr u_t
                p.add_(u, alpha=-lr)

        return loss
