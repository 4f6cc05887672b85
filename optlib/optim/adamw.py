"""AdamW: Adam with decoupled weight decay."""

from __future__ import annotations

from torch import Tensor
from torch.optim.optimizer import ParamsT

from optlib.optim.adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""AdamW: Adam with weight decay decoupled from the gradient (``torch.optim.AdamW``).

    The update is :class:`~optlib.optim.Adam`'s with ``decoupled_weight_decay=True``: the
    parameters shrink by :math:`\gamma\lambda` before the Adam step, so the decay never enters
    the moment estimates :math:`m_t, v_t`:

    .. math::

        \begin{aligned}
        \theta_{t-1} &\leftarrow (1 - \gamma\lambda)\,\theta_{t-1} \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
        v_t &\leftarrow \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        v_t &\leftarrow v^{\max}_t = \max(v^{\max}_{t-1}, v_t) && \text{if amsgrad} \\
        \hat m_t &\leftarrow m_t / (1 - \beta_1^t) \\
        \hat v_t &\leftarrow v_t / (1 - \beta_2^t) \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)
        \end{aligned}

    (with :math:`g_t \leftarrow -g_t` first when maximizing). With Adam's L2 penalty instead,
    :math:`\lambda\theta` is divided by :math:`\sqrt{\hat v_t}` like the gradient, so weights
    with large gradients are barely decayed; decoupling decays every weight at the same rate.

    Args:
        params: iterable of parameters or of dicts defining parameter groups.
        lr: learning rate :math:`\gamma` (default: 1e-3).
        betas: decay rates :math:`(\beta_1, \beta_2)` (default: (0.9, 0.999)).
        eps: :math:`\epsilon` added to :math:`\sqrt{\hat v_t}` (default: 1e-8).
        weight_decay: decoupled weight decay :math:`\lambda` (default: 1e-2).
        amsgrad: use the running maximum of :math:`v_t` (AMSGrad) (default: False).
        maximize: maximize the objective instead of minimizing it (default: False).

    State (per parameter): as :class:`~optlib.optim.Adam`: ``step``, ``exp_avg``,
    ``exp_avg_sq`` and, with ``amsgrad``, ``max_exp_avg_sq``.

    References:
        Loshchilov & Hutter (2019), "Decoupled weight decay regularization".
        Kingma & Ba (2015), "Adam: A method for stochastic optimization".

    .. note::
        Like PyTorch, the decay factor is :math:`\gamma\lambda` (learning rate times weight
        decay). Loshchilov & Hutter multiply :math:`\lambda` by the schedule multiplier
        :math:`\eta_t` alone, so their :math:`\lambda` is not scaled by the base learning rate:
        ``weight_decay=1e-2`` with ``lr=1e-3`` decays by :math:`10^{-5}` per step here.

    AdamW subclasses :class:`~optlib.optim.Adam` instead of repeating its step, as
    ``torch.optim.AdamW`` does: the two differ only in one flag and one default, the update is
    read in one place (``Adam.step``), and ``isinstance(opt, Adam)`` agrees with PyTorch.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        # An AdamW is always decoupled, whatever state it loads (as in PyTorch).
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
