r"""Weight initialization: Xavier (Glorot) and Kaiming (He), written from their variance arguments.

A layer computes :math:`y_i = \sum_{j=1}^{n} W_{ij} x_j` over its :math:`n` = ``fan_in``
inputs. With independent, zero-mean weights and inputs,

.. math::

    \operatorname{Var}[y_i] = \text{fan\_in} \cdot \operatorname{Var}[W]\,\mathrm{E}[x_j^2],

so the signal keeps its scale from layer to layer only if :math:`\operatorname{Var}[W]` is about
:math:`1/\text{fan\_in}`. The backward pass multiplies by :math:`W^\top` and asks for
:math:`1/\text{fan\_out}` instead.

- **Xavier** (Glorot & Bengio, 2010) assumes a linear (or tanh-like) unit, where
  :math:`\mathrm{E}[x^2] = \operatorname{Var}[x]`, and averages the two conditions:
  :math:`\operatorname{Var}[W] = \text{gain}^2 \cdot 2 / (\text{fan\_in} + \text{fan\_out})`.
- **Kaiming** (He et al., 2015) accounts for the rectifier. A leaky ReLU with slope :math:`a` keeps
  :math:`\mathrm{E}[x^2] = \tfrac{1 + a^2}{2} \operatorname{Var}[\text{pre-activation}]`, so
  :math:`\operatorname{Var}[W] = 2 / ((1 + a^2)\,\text{fan})` with ``fan`` either ``fan_in``
  (forward pass) or ``fan_out`` (backward pass).

A uniform distribution :math:`\mathcal{U}(-b, b)` has variance :math:`b^2/3`, so a target standard
deviation :math:`\sigma` becomes the bound :math:`b = \sqrt{3}\,\sigma`.

Every function has the name, arguments, defaults, errors and random draws of its
``torch.nn.init`` namesake: given the same generator state, both fill a tensor with the same
numbers. They run under :func:`torch.no_grad`, fill ``tensor`` in place and return it.

References:
    Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward neural
    networks".
    He, Zhang, Ren & Sun (2015), "Delving deep into rectifiers: surpassing human-level
    performance on ImageNet classification".
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

import torch
from torch import Tensor

__all__ = [
    "calculate_fan_in_and_fan_out",
    "calculate_gain",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

Nonlinearity = Literal[
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "selu",
]
FanMode = Literal["fan_in", "fan_out"]

_LINEAR = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)


def calculate_gain(nonlinearity: Nonlinearity, param: int | float | None = None) -> float:
    r"""The factor by which a nonlinearity's weights' standard deviation is scaled.

    A gain :math:`g` corrects for how much the nonlinearity shrinks the second moment of its
    input. For a leaky ReLU with negative slope :math:`a`, half of a symmetric input passes
    unchanged and half is multiplied by :math:`a`, so
    :math:`\mathrm{E}[f(z)^2] = \tfrac{1 + a^2}{2}\,\mathrm{E}[z^2]` and

    .. math::

        g = \sqrt{\frac{2}{1 + a^2}}.

    ================================== ==========================================
    nonlinearity                       gain
    ================================== ==========================================
    ``linear``, ``conv*``, ``sigmoid`` :math:`1`
    ``tanh``                           :math:`5/3`
    ``relu``                           :math:`\sqrt{2}`
    ``leaky_relu``                     :math:`\sqrt{2 / (1 + a^2)}`
    ``selu``                           :math:`3/4`
    ================================== ==========================================

    Args:
        nonlinearity: the ``torch.nn.functional`` name of the nonlinearity.
        param: the negative slope :math:`a` for ``'leaky_relu'`` (default: None, meaning
            0.01); ignored for every other nonlinearity.

    Returns:
        The gain :math:`g`.

    Raises:
        ValueError: ``"Unsupported nonlinearity {nonlinearity}"`` for an unknown name, and
            ``"negative_slope {param} not a valid number"`` when ``param`` is not an int or
            float (a bool is not a number here).

    References:
        He et al. (2015), "Delving deep into rectifiers", Sec. 2.2.

    .. note::
        Like PyTorch, ``tanh`` gets the empirical 5/3 and ``selu`` the empirical 3/4 (PyTorch
        PR #50664); for self-normalizing networks use ``'linear'`` instead.
    """
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif (not isinstance(param, bool) and isinstance(param, int)) or isinstance(param, float):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        # g = sqrt(2 / (1 + a^2))
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    r"""Number of inputs and outputs that each weight entry connects, for a weight tensor.

    A ``Linear`` weight has shape ``(out_features, in_features)``; a convolution weight
    ``(out_channels, in_channels, *kernel_size)``. Each output sums over the input channels
    times the receptive field, so

    .. math::

        \text{fan\_in} = \text{shape}[1] \prod_{k \ge 2} \text{shape}[k], \qquad
        \text{fan\_out} = \text{shape}[0] \prod_{k \ge 2} \text{shape}[k].

    Args:
        tensor: a weight with at least 2 dimensions.

    Returns:
        ``(fan_in, fan_out)``.

    Raises:
        ValueError: if ``tensor`` has fewer than 2 dimensions.
    """
    if tensor.dim() < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive_field_size = math.prod(tensor.shape[2:])
    fan_in = tensor.size(1) * receptive_field_size
    fan_out = tensor.size(0) * receptive_field_size
    return fan_in, fan_out


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: torch.Generator | None = None
) -> Tensor:
    r"""Fill ``tensor`` in place with draws from :math:`\mathcal{U}(a, b)`.

    Args:
        tensor: the tensor to fill.
        a: lower bound (default: 0.0).
        b: upper bound (default: 1.0).
        generator: the random generator to draw from (default: None, the global one).

    Returns:
        ``tensor``.
    """
    with torch.no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: torch.Generator | None = None
) -> Tensor:
    r"""Fill ``tensor`` in place with draws from :math:`\mathcal{N}(\text{mean}, \text{std}^2)`.

    Args:
        tensor: the tensor to fill.
        mean: the mean (default: 0.0).
        std: the standard deviation (default: 1.0).
        generator: the random generator to draw from (default: None, the global one).

    Returns:
        ``tensor``.
    """
    with torch.no_grad():
        return tensor.normal_(mean, std, generator=generator)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` in place with zeros.

    Zero weights make every unit of a layer compute the same function and receive the same
    gradient, so they never become different; zeros suit biases, not weights.

    Args:
        tensor: the tensor to fill.

    Returns:
        ``tensor``.
    """
    with torch.no_grad():
        return tensor.zero_()


def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, generator: torch.Generator | None = None
) -> Tensor:
    r"""Xavier (Glorot) uniform initialization, in place.

    .. math::

        \sigma = \text{gain} \sqrt{\frac{2}{\text{fan\_in} + \text{fan\_out}}}, \qquad
        W \sim \mathcal{U}(-\sqrt{3}\,\sigma, \sqrt{3}\,\sigma),

    so that :math:`\operatorname{Var}[W] = \sigma^2`: the compromise between keeping the
    forward variance (:math:`1/\text{fan\_in}`) and the backward variance
    (:math:`1/\text{fan\_out}`).

    Args:
        tensor: a weight with at least 2 dimensions.
        gain: scaling factor, see :func:`calculate_gain` (default: 1.0).
        generator: the random generator to draw from (default: None, the global one).

    Returns:
        ``tensor``.

    Raises:
        ValueError: if ``tensor`` has fewer than 2 dimensions.

    References:
        Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward
        neural networks", Eq. (16).
    """
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    # sigma = gain * sqrt(2 / (fan_in + fan_out))
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    # Var[U(-b, b)] = b^2 / 3, so b = sqrt(3) sigma
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(
    tensor: Tensor, gain: float = 1.0, generator: torch.Generator | None = None
) -> Tensor:
    r"""Xavier (Glorot) normal initialization, in place.

    .. math::

        W \sim \mathcal{N}(0, \sigma^2), \qquad
        \sigma = \text{gain} \sqrt{\frac{2}{\text{fan\_in} + \text{fan\_out}}}.

    Args:
        tensor: a weight with at least 2 dimensions.
        gain: scaling factor, see :func:`calculate_gain` (default: 1.0).
        generator: the random generator to draw from (default: None, the global one).

    Returns:
        ``tensor``.

    Raises:
        ValueError: if ``tensor`` has fewer than 2 dimensions.

    References:
        Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward
        neural networks".
    """
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    # sigma = gain * sqrt(2 / (fan_in + fan_out))
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: FanMode = "fan_in",
    nonlinearity: Nonlinearity = "leaky_relu",
    generator: torch.Generator | None = None,
) -> Tensor:
    r"""Kaiming (He) uniform initialization, in place.

    .. math::

        \sigma = \frac{\text{gain}}{\sqrt{\text{fan}}}, \qquad
        W \sim \mathcal{U}(-\sqrt{3}\,\sigma, \sqrt{3}\,\sigma),

    With ``nonlinearity='leaky_relu'`` the gain is :math:`\sqrt{2/(1 + a^2)}`, so
    :math:`\operatorname{Var}[W] = 2 / ((1 + a^2)\,\text{fan})`: the variance that keeps the
    second moment of the activations constant through rectifier layers.

    Args:
        tensor: a weight with at least 2 dimensions.
        a: negative slope of the rectifier after this layer; used only with
            ``'leaky_relu'`` (default: 0, a plain ReLU).
        mode: ``'fan_in'`` keeps the variance of the forward signal, ``'fan_out'`` that of
            the backward gradients (default: ``'fan_in'``).
        nonlinearity: the ``torch.nn.functional`` name of the nonlinearity, see
            :func:`calculate_gain` (default: ``'leaky_relu'``).
        generator: the random generator to draw from (default: None, the global one).

    Returns:
        ``tensor``.

    Raises:
        ValueError: for an unknown ``mode`` or ``nonlinearity``, a non-numeric ``a``, or a
            tensor with fewer than 2 dimensions.

    Warns:
        UserWarning: ``"Initializing zero-element tensors is a no-op"`` when ``tensor`` has
            no elements (it is returned unchanged).

    References:
        He et al. (2015), "Delving deep into rectifiers", Eqs. (10), (14), (15).

    .. note::
        Like PyTorch, fans assume the weight is applied as ``x @ W.T`` (``W`` of shape
        ``(out, in)``). For ``x @ W`` pass ``W.T``.
    """
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    # sigma = gain / sqrt(fan)
    std = gain / math.sqrt(fan)
    # Var[U(-b, b)] = b^2 / 3, so b = sqrt(3) sigma
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: FanMode = "fan_in",
    nonlinearity: Nonlinearity = "leaky_relu",
    generator: torch.Generator | None = None,
) -> Tensor:
    r"""Kaiming (He) normal initialization, in place.

    .. math::

        W \sim \mathcal{N}(0, \sigma^2), \qquad \sigma = \frac{\text{gain}}{\sqrt{\text{fan}}},

    which with ``'leaky_relu'`` gives :math:`\operatorname{Var}[W] = 2 / ((1 + a^2)\,\text{fan})`.

    Args:
        tensor: a weight with at least 2 dimensions.
        a: negative slope of the rectifier after this layer; used only with
            ``'leaky_relu'`` (default: 0, a plain ReLU).
        mode: ``'fan_in'`` keeps the variance of the forward signal, ``'fan_out'`` that of
            the backward gradients (default: ``'fan_in'``).
        nonlinearity: the ``torch.nn.functional`` name of the nonlinearity, see
            :func:`calculate_gain` (default: ``'leaky_relu'``).
        generator: the random generator to draw from (default: None, the global one).

    Returns:
        ``tensor``.

    Raises:
        ValueError: for an unknown ``mode`` or ``nonlinearity``, a non-numeric ``a``, or a
            tensor with fewer than 2 dimensions.

    Warns:
        UserWarning: ``"Initializing zero-element tensors is a no-op"`` when ``tensor`` has
            no elements (it is returned unchanged).

    References:
        He et al. (2015), "Delving deep into rectifiers", Eqs. (10), (14), (15).
    """
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    # sigma = gain / sqrt(fan)
    std = gain / math.sqrt(fan)
    return normal_(tensor, 0, std, generator)
