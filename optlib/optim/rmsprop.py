"""RMSprop: divide the gradient by a running RMS of recent gradients; centered, with momentum."""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor
from torch.optim import Optimizer
from torch.optim.optimizer import ParamsT

from optlib.optim._common import check_param, scalar_state

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop: the gradient divided by a running RMS of past gradients (``torch.optim.RMSprop``).

    For each parameter :math:`\theta` with gradient :math:`g_t = \nabla f_t(\theta_{t-1})`,
    starting from :math:`v_0 = \bar g_0 = b_0 = 0`:

    .. math::

        \begin{aligned}
        g_t &\leftarrow -g_t                                      && \text{if maximize} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1}                && \text{if } \lambda \ne 0 \\
        v_t &\leftarrow \alpha v_{t-1} + (1 - \alpha)\, g_t^2 \\
        \bar g_t &\leftarrow \alpha \bar g_{t-1} + (1 - \alpha)\, g_t && \text{if centered} \\
        \tilde v_t &\leftarrow \begin{cases} v_t - \bar g_t^2 & \text{centered} \\
                                             v_t & \text{otherwise} \end{cases} \\
        b_t &\leftarrow \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon) && \text{if } \mu > 0 \\
        \theta_t &\leftarrow \begin{cases} \theta_{t-1} - \gamma\, b_t & \mu > 0 \\
                          \theta_{t-1} - \gamma\, g_t / (\sqrt{\tilde v_t} + \epsilon)
                          & \text{otherwise} \end{cases}
        \end{aligned}

    Args:
        params: iterable of parameters or of dicts defining parameter groups.
        lr: learning rate :math:`\gamma` (default: 1e-2).
        alpha: smoothing constant :math:`\alpha` of the running averages (default: 0.99).
        eps: :math:`\epsilon` added to :math:`\sqrt{\tilde v_t}` (default: 1e-8).
        weight_decay: L2 penalty :math:`\lambda` added to the gradient (default: 0).
        momentum: momentum factor :math:`\mu` (default: 0).
        centered: divide by an estimate of the gradient's standard deviation
            :math:`\sqrt{v_t - \bar g_t^2}` instead of its RMS (default: False).
        maximize: maximize the objective instead of minimizing it (default: False).

    State (per parameter):
        ``step``: :math:`t`, a 0-dim float32 CPU tensor (float64 under a float64 default dtype).
        ``square_avg``: :math:`v_t`.
        ``momentum_buffer``: :math:`b_t` (only when ``momentum > 0``).
        ``grad_avg``: :math:`\bar g_t` (only when ``centered``).

    References:
        Tieleman & Hinton (2012), "Lecture 6.5 - RMSprop: Divide the gradient by a running
        average of its recent magnitude", COURSERA: Neural Networks for Machine Learning.
        Graves (2013), "Generating sequences with recurrent neural networks" (centered
        version with momentum, eqs. 38-41).

    .. note::
        :math:`\epsilon` is added outside the square root, as in PyTorch; the lecture has no
        :math:`\epsilon`, Graves adds it inside (:math:`\sqrt{v_t - \bar g_t^2 + \epsilon}`,
        with :math:`\epsilon = 10^{-4}`), and so does TensorFlow. The default
        :math:`\alpha = 0.99` is PyTorch's; the lecture suggests 0.9 (Graves: 0.95).
        As in PyTorch's SGD, the momentum buffer holds the normalized gradient without the
        learning rate, which multiplies the whole buffer; Graves puts the learning rate
        inside the buffer. The two agree while :math:`\gamma` is constant.
        ``maximize`` is keyword-only here: PyTorch's positional ``capturable`` and
        ``foreach`` precede it and are not kept.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            alpha=alpha,
            eps=eps,
            centered=centered,
            weight_decay=weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
            group.setdefault("maximize", False)

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Perform one update. ``closure`` re-evaluates the model and returns the loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        for group in self.param_groups:
            lr, alpha, eps = float(group["lr"]), group["alpha"], group["eps"]
            wd, mu, centered = group["weight_decay"], group["momentum"], group["centered"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                check_param(p, "RMSprop")
                g = -p.grad if group["maximize"] else p.grad

                state = self.state[p]
                if len(state) == 0:
                    state["step"] = scalar_state(0.0)
                    state["square_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    if mu > 0:
                        state["momentum_buffer"] = torch.zeros_like(
                            p, memory_format=torch.preserve_format
                        )
                    if centered:
                        state["grad_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                v = state["square_avg"]
                # t <- t + 1 (kept for PyTorch's state layout; the update does not use it)
                state["step"] += 1

                # g_t <- g_t + lambda theta_{t-1}
                if wd != 0:
                    g = g.add(p, alpha=wd)
                # v_t <- alpha v_{t-1} + (1 - alpha) g_t^2
                v.mul_(alpha).addcmul_(g, g, value=1 - alpha)
                if centered:
                    g_bar = state["grad_avg"]
                    # g_bar_t <- alpha g_bar_{t-1} + (1 - alpha) g_t
                    g_bar.lerp_(g, 1 - alpha)
                    # denom <- sqrt(v_t - g_bar_t^2) + eps
                    denom = v.addcmul(g_bar, g_bar, value=-1).sqrt_().add_(eps)
                else:
                    # denom <- sqrt(v_t) + eps
                    denom = v.sqrt().add_(eps)

                if mu > 0:
                    b = state["momentum_buffer"]
                    # b_t <- mu b_{t-1} + g_t / denom
                    b.mul_(mu).addcdiv_(g, denom)
                    # theta_t <- theta_{t-1} - lr b_t
                    p.add_(b, alpha=-lr)
                else:
                    # theta_t <- theta_{t-1} - lr g_t / denom
                    p.addcdiv_(g, denom, value=-lr)

        return loss
