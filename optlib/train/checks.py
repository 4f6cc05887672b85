"""What :func:`~optlib.train.fit` checks before its first step, and on its first batch.

Every check raises ``TypeError`` (a wrong kind of object) or ``ValueError`` (a wrong value)
whose message starts with ``Invalid <argument>:``, before anything is trained or changed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from torch import Tensor, nn
from torch.optim import Optimizer

from optlib._argcheck import flag, integer, seed, tensor
from optlib.stopping import Criterion

__all__ = [
    "check_counts",
    "check_files",
    "check_flags",
    "check_loss",
    "check_model",
    "check_output",
    "check_run",
    "check_tensors",
    "first_metrics",
]


def check_tensors(X: Any, y: Any, val_data: Any) -> None:
    """Training and validation data: tensors of equal, non-zero lengths and matching shapes."""
    tensor("X", X), tensor("y", y)
    if len(X) != len(y):
        raise ValueError(
            f"Invalid y: {len(y)} targets for {len(X)} samples in X (must have the same length)"
        )
    if len(X) == 0:
        raise ValueError("Invalid X: the data set is empty (0 samples)")
    if val_data is None:
        return
    if not isinstance(val_data, (tuple, list)) or len(val_data) != 2:
        raise ValueError(
            "Invalid val_data: must be a non-empty pair (X_val, y_val) of equal length"
        )
    Xv, yv = tensor("val_data", val_data[0]), tensor("val_data", val_data[1])
    if len(Xv) != len(yv) or len(Xv) == 0:
        raise ValueError(
            "Invalid val_data: must be a non-empty pair (X_val, y_val) of equal length"
        )
    if Xv.shape[1:] != X.shape[1:] or yv.shape[1:] != y.shape[1:]:
        raise ValueError(
            f"Invalid val_data: shapes {tuple(Xv.shape)}, {tuple(yv.shape)} do not "
            f"match X {tuple(X.shape)} and y {tuple(y.shape)} beyond the first "
            "dimension"
        )


def check_model(model: Any, optimizer: Any, scheduler: Any) -> list[Tensor]:
    """The model's trainable parameters, after checking that optimizer and scheduler act on them."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"Invalid model: a {type(model).__name__} (must be a torch.nn.Module)")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"Invalid optimizer: {optimizer!r} (must be a torch.optim.Optimizer)")
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError(
            "Invalid model: it has no trainable parameters (every parameter has "
            "requires_grad=False)"
        )
    updated = {id(p) for group in optimizer.param_groups for p in group["params"]}
    if not any(id(p) in updated for p in params):
        raise ValueError(
            "Invalid optimizer: it updates none of the model's trainable "
            "parameters (build it from model.parameters())"
        )
    if scheduler is None:
        return params
    if isinstance(scheduler, type):
        raise TypeError(
            f"Invalid scheduler: the class {scheduler.__name__}, not a scheduler "
            f"(build one: {scheduler.__name__}(optimizer, ...))"
        )
    missing = [
        m
        for m in ("step", "state_dict", "load_state_dict")
        if not callable(getattr(scheduler, m, None))
    ]
    if isinstance(scheduler, Optimizer) or missing:
        raise TypeError(
            f"Invalid scheduler: a {type(scheduler).__name__}, not a learning-rate "
            "scheduler (e.g. torch.optim.lr_scheduler.StepLR(optimizer, ...))"
        )
    if getattr(scheduler, "optimizer", optimizer) is not optimizer:
        raise ValueError(
            "Invalid scheduler: it changes the learning rate of another optimizer "
            "(build it on the optimizer passed to fit)"
        )
    return params


def check_run(loss_fn: Any, metrics: Any, stop: Any, scheduler_interval: Any) -> dict[str, Any]:
    """Loss, metrics, criterion and scheduler interval; returns the metrics as a dict."""
    if not callable(loss_fn):
        raise TypeError(f"Invalid loss_fn: {loss_fn!r} (must be a function loss(output, target))")
    if metrics is not None and not isinstance(metrics, Mapping):
        raise TypeError(f"Invalid metrics: {metrics!r} (must be a dict {{name: metric}})")
    for name, m in (metrics or {}).items():
        if not isinstance(name, str) or not callable(m):
            raise TypeError(
                f"Invalid metrics: {name!r} maps to {m!r} (must be a name and a "
                "function metric(output, target))"
            )
    if stop is not None and not isinstance(stop, Criterion):
        raise TypeError(
            f"Invalid stop: {stop!r} (must be an optlib.stopping criterion, e.g. EarlyStopping(5))"
        )
    if not isinstance(scheduler_interval, str) or scheduler_interval not in ("epoch", "step"):
        raise ValueError(
            f"Invalid scheduler_interval: {scheduler_interval!r} (must be 'epoch' or 'step')"
        )
    return dict(metrics or {})


def check_counts(
    epochs: Any, batch_size: Any, checkpoint_every: Any, shuffle_seed: Any
) -> tuple[int, int | None, int, int]:
    """The integer arguments as Python ints (numpy integers welcome, bools not)."""
    batch_size = None if batch_size is None else integer("batch_size", batch_size, 1)
    return (
        integer("epochs", epochs, 0),
        batch_size,
        integer("checkpoint_every", checkpoint_every, 1),
        seed("seed", shuffle_seed),
    )


def check_flags(**flags: Any) -> None:
    """``shuffle``, ``drop_last``, ``progress``, ``record_params``: True or False."""
    for name, value in flags.items():
        flag(name, value)


def check_files(checkpoint: Any, resume: Any) -> None:
    """``resume``, if given, must be a path (``checkpoint`` is checked by writing to it)."""
    if resume is not None and (not isinstance(resume, (str, os.PathLike)) or not str(resume)):
        raise TypeError(f"Invalid resume: {resume!r} (must be the path of a checkpoint)")


def check_output(output: Any, yb: Tensor) -> None:
    """The model's output against the targets of the first batch, before the loss.

    Floating-point targets must have the output's shape: ``MSELoss`` on an ``(n, 1)`` output
    and ``(n,)`` targets would broadcast to an ``(n, n)`` loss and train on nonsense. Integer
    targets (class labels) must count the same samples.
    """
    if not isinstance(output, Tensor):
        raise TypeError(f"Invalid model: its output is a {type(output).__name__}, not a tensor")
    shapes = f"shape {tuple(yb.shape)} vs model output {tuple(output.shape)}"
    if output.ndim == 0 or output.shape[0] != yb.shape[0]:
        raise ValueError(f"Invalid y: {shapes} (not the same number of samples)")
    if yb.is_floating_point() and output.shape != yb.shape:
        raise ValueError(
            f"Invalid y: {shapes} (the loss would broadcast them; reshape y or the model's output)"
        )


def check_loss(loss: Any) -> None:
    """The loss of the first batch: a scalar tensor that depends on the parameters."""
    if not isinstance(loss, Tensor) or loss.ndim != 0:
        what = f"shape {tuple(loss.shape)}" if isinstance(loss, Tensor) else type(loss).__name__
        raise ValueError(
            f"Invalid loss_fn: it returned {what}, not a scalar tensor (a loss "
            "with reduction='none'? use 'mean')"
        )
    if not loss.requires_grad:
        raise ValueError(
            "Invalid loss_fn: its value does not depend on the model's trainable "
            "parameters (no gradient)"
        )


def first_metrics(metrics: Mapping[str, Callable], output: Tensor, yb: Tensor) -> dict[str, float]:
    """The metrics of the first batch, each failure reported as ``Invalid metrics``."""
    values = {}
    for name, m in metrics.items():
        try:
            values[name] = float(m(output, yb))
        except (TypeError, ValueError, RuntimeError) as err:
            raise ValueError(f"Invalid metrics: {name!r} fails on the first batch ({err})") from err
    return values
