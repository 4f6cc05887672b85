"""Adagrad: per-coordinate step sizes from the sum of all past squared gradients."""

from __future__ import annotations

import torch
from torch import Tensor
from torch.optim import Optimizer
from torch.optim.optimizer import ParamsT

from optlib.optim._common import (
    Hyper,
    add_product_,
    add_quotient_,
    add_scaled_,
    check_lr,
    check_nonnegative,
    group_defaults,
    nonzero,
    regularize,
    restorer,
    scalar_state,
    stepper,
)

__all__ = ["Adagrad", "adagrad_"]


def adagrad_(
    param: Tensor,
    grad: Tensor,
    sum: Tensor,
    *,
    step: float,
    lr: Hyper,
    lr_decay: Hyper,
    weight_decay: Hyper,
    eps: Hyper,
    maximize: bool,
) -> None:
    """One Adagrad step on ``param``, in place (the algorithm and its notes: :class:`Adagrad`).

    ``step`` is :math:`t`, counting this step; ``sum`` is :math:`s`, updated in place. A
    hyperparameter may be a number or an ``(N, 1)`` tensor, one value per row.
    """
    if grad.is_sparse and nonzero(weight_decay):
        raise RuntimeError("weight_decay option is not compatible with sparse gradients")
    # g_t <- -g_t (maximize); g_t <- g_t + lambda theta_{t-1} (weight decay)
    g = regularize(param, grad, lr, weight_decay, maximize)
    s = sum
    # lr_t <- lr / (1 + (t - 1) eta)
    lr_t = lr / (1 + (step - 1) * lr_decay)
    if g.is_sparse:
        return _sparse_adagrad_(param, g, s, lr_t=lr_t, eps=eps)
    # s_t <- s_{t-1} + g_t^2
    add_product_(s, 1, g, g)
    # theta_t <- theta_{t-1} - lr_t g_t / (sqrt(s_t) + eps)
    add_quotient_(param, -lr_t, g, s.sqrt().add_(eps))


def _sparse_adagrad_(param: Tensor, g: Tensor, s: Tensor, *, lr_t: float, eps: float) -> None:
    """:func:`adagrad_` for a sparse gradient: the same formulas on the coordinates it holds."""
    g = g.coalesce()  # the update is not linear in g: each coordinate once
    indices, values = g._indices(), g._values()

    def sparse(v: Tensor) -> Tensor:
        return torch.sparse_coo_tensor(indices, v, g.size(), check_invariants=False)

    # s_t <- s_{t-1} + g_t^2
    s.add_(sparse(values.pow(2)))
    # theta_t <- theta_{t-1} - lr_t g_t / (sqrt(s_t) + eps)
    std = s.sparse_mask(g)._values().sqrt_().add_(eps)
    add_scaled_(param, -lr_t, sparse(values / std))


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
        As in PyTorch 2.13, every sum starts at the constructor's ``initial_accumulator_value``
        (``self.defaults``): a parameter group's own value is kept in the group but ignored,
        also for groups added later with ``add_param_group``. Sparse gradients are supported
        as in PyTorch (without weight decay): only the coordinates the gradient holds are
        updated. The update itself is
        :func:`adagrad_`.
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
        check_lr(lr)
        check_nonnegative(
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
        )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        super().__init__(params, group_defaults(locals()))

        # PyTorch creates Adagrad's state up front, so a fresh state_dict already holds it.
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p].update(self._init_state(p, group))

    __setstate__ = restorer(maximize=False)
    step = stepper(adagrad_, sparse=True)

    def _init_state(self, p: Tensor, group: dict) -> dict:
        # s_0 <- tau (in both halves of a complex parameter's real view, as in torch); tau is
        # the constructor's value for every group, as in torch (a group's own is ignored)
        tau = self.defaults["initial_accumulator_value"]
        tau = complex(tau, tau) if p.is_complex() else tau
        return {
            "step": scalar_state(0.0),
            "sum": torch.full_like(p, tau, memory_format=torch.preserve_format),
        }

    def _update(self, p: Tensor, grad: Tensor, state: dict, hp: dict, t: float) -> None:
        adagrad_(p, grad, state["sum"], step=t, **hp)
