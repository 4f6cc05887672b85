r"""Batch, layer and group normalization, written out from their formulas.

All three standardize activations with a mean and a (biased) variance and then let the network
undo it with a learnable scale :math:`\gamma` and shift :math:`\beta`:

.. math::

    \hat{x} = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad y = \gamma \hat{x} + \beta.

They differ only in *which* entries share one :math:`(\mu, \sigma^2)`. For an input of shape
``(N, C, *)``:

- **batch norm** (Ioffe & Szegedy, 2015): one pair per channel, over the batch and the spatial
  positions (``N`` and ``*``); in evaluation it uses running estimates instead;
- **layer norm** (Ba et al., 2016): one pair per sample, over the last dimensions
  (``normalized_shape``), the same in training and evaluation;
- **group norm** (Wu & He, 2018): one pair per sample and group of ``C / G`` channels, over the
  group's channels and positions; it interpolates between layer norm (``G = 1``) and instance
  norm (``G = C``).

The functions have the signatures, defaults and results of ``torch.nn.functional.batch_norm``,
``layer_norm`` and ``group_norm``; the modules those of ``torch.nn.BatchNorm1d``,
``BatchNorm2d``, ``LayerNorm`` and ``GroupNorm``, with the same parameter and buffer names, so
state dicts move between the two. The statistics are computed here, with plain tensor
operations, and autograd differentiates through them.

References:
    Ioffe & Szegedy (2015), "Batch normalization: accelerating deep network training by
    reducing internal covariate shift".
    Ba, Kiros & Hinton (2016), "Layer normalization".
    Wu & He (2018), "Group normalization".
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import torch
from torch import Tensor, nn

__all__ = [
    "BatchNorm1d",
    "BatchNorm2d",
    "GroupNorm",
    "LayerNorm",
    "batch_norm",
    "group_norm",
    "layer_norm",
]


def _moments(x: Tensor, dims: Sequence[int]) -> tuple[Tensor, Tensor]:
    """Mean and biased variance of ``x`` over ``dims`` (kept as size-1 dimensions)."""
    # mu = (1/m) sum_i x_i
    mean = x.mean(dim=tuple(dims), keepdim=True)
    # sigma^2 = (1/m) sum_i (x_i - mu)^2
    var = ((x - mean) ** 2).mean(dim=tuple(dims), keepdim=True)
    return mean, var


def _unbiased(var: Tensor, m: int) -> Tensor:
    """Bessel's correction: (1/(m-1)) sum_i (x_i - mu)^2 from the biased variance over m values."""
    return var * m / (m - 1)


def _normalize(x: Tensor, mean: Tensor, var: Tensor, eps: float) -> Tensor:
    # x_hat = (x - mu) / sqrt(sigma^2 + eps)
    return (x - mean) / torch.sqrt(var + eps)


def _verify_batch_size(size: Sequence[int]) -> None:
    # Training statistics need more than one value per channel (torch's check, same message).
    if size[0] * math.prod(size[2:]) == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {size}"
        )


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    r"""Batch normalization over channel ``1`` of an ``(N, C, *)`` input.

    In training, each channel :math:`c` is standardized with the statistics of its
    :math:`m = N \prod *` entries in the batch, and the running estimates move towards them:

    .. math::

        \begin{aligned}
        \mu_c &= \frac{1}{m} \sum_i x_{ic}, \qquad
        \sigma_c^2 = \frac{1}{m} \sum_i (x_{ic} - \mu_c)^2 \\
        y_{ic} &= \gamma_c \frac{x_{ic} - \mu_c}{\sqrt{\sigma_c^2 + \epsilon}} + \beta_c \\
        \hat\mu_c &\leftarrow (1 - \alpha)\,\hat\mu_c + \alpha\,\mu_c \\
        \hat\sigma_c^2 &\leftarrow (1 - \alpha)\,\hat\sigma_c^2 + \alpha \frac{m}{m - 1} \sigma_c^2
        \end{aligned}

    with momentum :math:`\alpha`. In evaluation, :math:`\hat\mu, \hat\sigma^2` replace
    :math:`\mu, \sigma^2` and nothing is updated.

    Args:
        input: tensor of shape ``(N, C, *)``.
        running_mean: :math:`\hat\mu`, ``C`` entries, updated in place in training; may be
            None in training (then nothing is tracked), required in evaluation.
        running_var: :math:`\hat\sigma^2`, likewise.
        weight: scale :math:`\gamma`, ``C`` entries (default: None, meaning 1).
        bias: shift :math:`\beta`, ``C`` entries (default: None, meaning 0).
        training: use batch statistics and update the running ones (default: False).
        momentum: :math:`\alpha`, weight of the new batch in the running estimates
            (default: 0.1).
        eps: :math:`\epsilon`, added to the variance (default: 1e-5).

    Returns:
        A tensor shaped like ``input``.

    Raises:
        ValueError: for an input with fewer than 2 dimensions, a statistic or parameter
            without ``C`` entries, missing running statistics in evaluation, a single value
            per channel in training, or a negative ``eps`` (zero ``eps`` in training).

    References:
        Ioffe & Szegedy (2015), "Batch normalization", Algorithms 1 and 2.

    .. note::
        Normalization uses the biased variance (divide by :math:`m`) while the running
        variance stores the unbiased one (divide by :math:`m - 1`), exactly as PyTorch does;
        the paper uses the unbiased estimate only at inference. ``momentum`` is the weight of
        the *new* value, the opposite of an optimizer's momentum.
    """
    if input.dim() < 2:
        raise ValueError(
            f"batch_norm expected input of shape (N, C, *) with at least 2 dimensions "
            f"(got {input.dim()}D input)"
        )
    if training:
        _verify_batch_size(input.size())
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")

    num_channels = input.size(1)
    named = {"running_mean": running_mean, "running_var": running_var}
    for name, t in {**named, "weight": weight, "bias": bias}.items():
        if t is not None and t.numel() != num_channels:
            raise ValueError(f"{name} should contain {num_channels} elements not {t.numel()}")
    # Per-channel vectors broadcast as (1, C, 1, ..., 1).
    shape = (1, num_channels) + (1,) * (input.dim() - 2)
    dims = [0, *range(2, input.dim())]

    if training:
        mean, var = _moments(input, dims)
        m = input.numel() // num_channels
        with torch.no_grad():
            if running_mean is not None:
                # mu_hat <- (1 - alpha) mu_hat + alpha mu
                running_mean.copy_((1 - momentum) * running_mean + momentum * mean.view(-1))
            if running_var is not None:
                # sigma2_hat <- (1 - alpha) sigma2_hat + alpha m/(m-1) sigma^2
                var_unbiased = _unbiased(var.view(-1), m)
                running_var.copy_((1 - momentum) * running_var + momentum * var_unbiased)
    else:
        for name, t in named.items():
            if t is None:
                raise ValueError(f"{name} must be defined in evaluation mode")
        mean, var = running_mean.view(shape), running_var.view(shape)

    y = _normalize(input, mean, var, eps)
    # y = gamma x_hat + beta
    if weight is not None:
        y = y * weight.view(shape)
    if bias is not None:
        y = y + bias.view(shape)
    return y


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    r"""Layer normalization over the last ``len(normalized_shape)`` dimensions.

    Each sample is standardized with the mean and biased variance of its own
    :math:`m = \prod \text{normalized\_shape}` entries, in training and evaluation alike:

    .. math::

        \mu = \frac{1}{m} \sum_j x_j, \qquad \sigma^2 = \frac{1}{m} \sum_j (x_j - \mu)^2, \qquad
        y_j = \gamma_j \frac{x_j - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta_j.

    Args:
        input: tensor of shape ``(*, *normalized_shape)``.
        normalized_shape: the trailing shape to normalize over (an int means one dimension).
        weight: element-wise scale :math:`\gamma` of shape ``normalized_shape``
            (default: None, meaning 1).
        bias: element-wise shift :math:`\beta` of shape ``normalized_shape``
            (default: None, meaning 0).
        eps: :math:`\epsilon`, added to the variance (default: 1e-5).

    Returns:
        A tensor shaped like ``input``.

    Raises:
        ValueError: for an empty ``normalized_shape``, a ``weight`` or ``bias`` of another
            shape, or an input whose trailing dimensions are not ``normalized_shape``.

    References:
        Ba, Kiros & Hinton (2016), "Layer normalization", Eq. (4).

    .. note::
        Like ``torch.nn.LayerNorm`` (and unlike ``torch.nn.functional.layer_norm``), an int
        ``normalized_shape`` is accepted.
    """
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    if len(normalized_shape) == 0:
        raise ValueError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at "
            "least one element, but got normalized_shape = []"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise ValueError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t.shape)} and normalized_shape = {list(normalized_shape)}"
            )
    k = len(normalized_shape)
    if input.dim() < k or tuple(input.shape[input.dim() - k :]) != normalized_shape:
        raise ValueError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(map(str, normalized_shape))}], but got input of size"
            f"{list(input.shape)}"
        )

    mean, var = _moments(input, range(-k, 0))
    y = _normalize(input, mean, var, eps)
    # y = gamma x_hat + beta (gamma, beta broadcast over the leading dimensions)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    r"""Group normalization of an ``(N, C, *)`` input in ``num_groups`` groups of channels.

    The channels split into :math:`G` groups of :math:`C/G`; each sample :math:`n` and group
    :math:`g` is standardized over its :math:`m = (C/G) \prod *` entries :math:`S_{ng}`:

    .. math::

        \mu_{ng} = \frac{1}{m} \sum_{i \in S_{ng}} x_i, \qquad
        \sigma_{ng}^2 = \frac{1}{m} \sum_{i \in S_{ng}} (x_i - \mu_{ng})^2, \qquad
        y_{i} = \gamma_c \frac{x_{i} - \mu_{ng}}{\sqrt{\sigma_{ng}^2 + \epsilon}} + \beta_c,

    where :math:`c` is the channel of entry :math:`i`. No running statistics: training and
    evaluation agree.

    Args:
        input: tensor of shape ``(N, C, *)``.
        num_groups: :math:`G`, a divisor of ``C``.
        weight: per-channel scale :math:`\gamma`, ``C`` entries (default: None, meaning 1).
        bias: per-channel shift :math:`\beta`, ``C`` entries (default: None, meaning 0).
        eps: :math:`\epsilon`, added to the variance (default: 1e-5).

    Returns:
        A tensor shaped like ``input``.

    Raises:
        ValueError: for an input with fewer than 2 dimensions, a ``num_groups`` that is not
            a positive divisor of ``C``, a ``weight`` or ``bias`` that is not a vector of
            ``C`` entries, or a single value to normalize (torch's check, see below).

    References:
        Wu & He (2018), "Group normalization", Eqs. (1)-(3) and (7).

    .. note::
        Like PyTorch, an input with ``N * (C // G) * prod(*) == 1`` is refused with
        "Expected more than 1 value per channel when training".
    """
    if input.dim() < 2:
        raise ValueError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}"
        )
    if isinstance(num_groups, bool) or not isinstance(num_groups, int) or num_groups < 1:
        raise ValueError(f"num_groups must be a positive integer, but got {num_groups}")
    n, c = input.shape[:2]
    spatial = list(input.shape[2:])
    _verify_batch_size([n * c // num_groups, num_groups, *spatial])
    if c % num_groups != 0:
        raise ValueError(
            "Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {list(input.shape)} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise ValueError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(t.shape)} and input of shape "
                f"{list(input.shape)}"
            )

    # (N, C, *) -> (N, G, m): one row of m = (C/G) prod(*) entries per sample and group
    x = input.reshape(n, num_groups, (c // num_groups) * math.prod(spatial))
    mean, var = _moments(x, [2])
    y = _normalize(x, mean, var, eps).reshape(input.shape)
    # y = gamma_c x_hat + beta_c, per channel
    shape = (1, c) + (1,) * len(spatial)
    if weight is not None:
        y = y * weight.view(shape)
    if bias is not None:
        y = y + bias.view(shape)
    return y


def _check_eps(eps: float) -> None:
    if not eps >= 0.0:
        raise ValueError(f"Invalid eps value: {eps}")


class _BatchNorm(nn.Module):
    """Shared body of :class:`BatchNorm1d` and :class:`BatchNorm2d`; they differ in input checks."""

    _version = 2  # torch's version of the state_dict layout (with num_batches_tracked)

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        _check_eps(eps)
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"Invalid momentum value: {momentum} (must be in [0, 1] or None)")
        factory = {"device": device, "dtype": dtype}
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.empty(num_features, **factory))
            if bias:
                self.bias = nn.Parameter(torch.empty(num_features, **factory))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **factory))
            self.register_buffer("running_var", torch.ones(num_features, **factory))
            self.register_buffer(
                "num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device)
            )
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1.0)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """Reset the running statistics, and the scale to 1 and the shift to 0."""
        self.reset_running_stats()
        if self.affine:
            with torch.no_grad():
                self.weight.fill_(1.0)
                if self.bias is not None:
                    self.bias.zero_()

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError

    def forward(self, input: Tensor) -> Tensor:
        """Normalize ``input``: batch statistics in training, running ones in evaluation."""
        self._check_input_dim(input)
        alpha = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                # cumulative moving average: alpha_t = 1 / t makes mu_hat the plain mean
                alpha = 1.0 / float(self.num_batches_tracked)
        # Batch statistics in training, and in evaluation when no running ones are kept.
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch_stats,
            alpha,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


_BATCHNORM_DOC = r"""Batch normalization with learnable scale and shift (like ``torch.nn.{name}``).

    .. math::

        y = \frac{x - \mathrm{E}[x]}{\sqrt{\operatorname{Var}[x] + \epsilon}} \gamma + \beta

    per channel, with :func:`batch_norm`. In training mode (``.train()``) the statistics come
    from the batch (biased variance) and the buffers ``running_mean``, ``running_var``
    (unbiased variance) and ``num_batches_tracked`` are updated; in evaluation mode
    (``.eval()``) the running statistics are used, unless ``track_running_stats=False``.

    Input shape: {shape}.

    Args:
        num_features: the number of channels :math:`C`.
        eps: :math:`\epsilon`, added to the variance (default: 1e-5).
        momentum: weight of the new batch in the running statistics; None means a cumulative
            average, momentum :math:`1/t` at batch :math:`t` (default: 0.1).
        affine: learn :math:`\gamma` (``weight``, starts at 1) and :math:`\beta` (``bias``,
            starts at 0) (default: True).
        track_running_stats: keep running statistics; if False the batch statistics are used
            in evaluation too (default: True).
        device: device of the parameters and buffers (default: None).
        dtype: dtype of the parameters and buffers (default: None).
        bias: learn :math:`\beta` (only with ``affine``) (default: True).

    References:
        Ioffe & Szegedy (2015), "Batch normalization".

    .. note::
        Unlike PyTorch, a negative ``eps`` or a ``momentum`` outside :math:`[0, 1]` is
        refused when the module is built.
    """


def _batchnorm_doc(name: str, shape: str) -> str:
    return _BATCHNORM_DOC.replace("{name}", name).replace("{shape}", shape)


class BatchNorm1d(_BatchNorm):
    __doc__ = _batchnorm_doc("BatchNorm1d", "``(N, C)`` or ``(N, C, L)``")

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    __doc__ = _batchnorm_doc("BatchNorm2d", "``(N, C, H, W)``")

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class LayerNorm(nn.Module):
    r"""Layer normalization with element-wise scale and shift (like ``torch.nn.LayerNorm``).

    Normalizes over the last ``len(normalized_shape)`` dimensions with :func:`layer_norm`;
    the same in training and evaluation.

    Args:
        normalized_shape: the trailing shape to normalize over; an int means one dimension.
        eps: :math:`\epsilon`, added to the variance (default: 1e-5).
        elementwise_affine: learn :math:`\gamma` (``weight``, starts at 1) and :math:`\beta`
            (``bias``, starts at 0), both of shape ``normalized_shape`` (default: True).
        bias: learn :math:`\beta` (only with ``elementwise_affine``) (default: True).
        device: device of the parameters (default: None).
        dtype: dtype of the parameters (default: None).

    References:
        Ba, Kiros & Hinton (2016), "Layer normalization".
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        _check_eps(eps)
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        factory = {"device": device, "dtype": dtype}
        if elementwise_affine:
            self.weight = nn.Parameter(torch.empty(self.normalized_shape, **factory))
            if bias:
                self.bias = nn.Parameter(torch.empty(self.normalized_shape, **factory))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Scale 1, shift 0."""
        if self.elementwise_affine:
            with torch.no_grad():
                self.weight.fill_(1.0)
                if self.bias is not None:
                    self.bias.zero_()

    def forward(self, input: Tensor) -> Tensor:
        """Normalize ``input`` over its trailing ``normalized_shape``."""
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class GroupNorm(nn.Module):
    r"""Group normalization with per-channel scale and shift (like ``torch.nn.GroupNorm``).

    Normalizes ``(N, C, *)`` inputs over groups of ``C / num_groups`` channels with
    :func:`group_norm`; the same in training and evaluation.

    Args:
        num_groups: the number of groups :math:`G`; must divide ``num_channels``.
        num_channels: the number of channels :math:`C`.
        eps: :math:`\epsilon`, added to the variance (default: 1e-5).
        affine: learn :math:`\gamma` (``weight``, starts at 1) and :math:`\beta` (``bias``,
            starts at 0), ``C`` entries each (default: True).
        device: device of the parameters (default: None).
        dtype: dtype of the parameters (default: None).
        bias: learn :math:`\beta` (only with ``affine``) (default: True).

    Raises:
        ValueError: ``"num_channels (C) must be divisible by num_groups (G)"``, or a
            ``num_groups`` that is not a positive integer.

    References:
        Wu & He (2018), "Group normalization".
    """

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        _check_eps(eps)
        if isinstance(num_groups, bool) or not isinstance(num_groups, int) or num_groups < 1:
            raise ValueError(f"num_groups must be a positive integer, but got {num_groups}")
        if num_channels % num_groups != 0:
            raise ValueError(
                f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})"
            )
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        factory = {"device": device, "dtype": dtype}
        if affine:
            self.weight = nn.Parameter(torch.empty(num_channels, **factory))
            if bias:
                self.bias = nn.Parameter(torch.empty(num_channels, **factory))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Scale 1, shift 0."""
        if self.affine:
            with torch.no_grad():
                self.weight.fill_(1.0)
                if self.bias is not None:
                    self.bias.zero_()

    def forward(self, input: Tensor) -> Tensor:
        """Normalize ``input`` over groups of channels."""
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )
