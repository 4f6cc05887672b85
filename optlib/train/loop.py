r"""The training loop: mini-batch steps, a history, a progress bar, stopping and checkpoints.

One epoch visits every training point once, in mini-batches (:mod:`optlib.train.batching`).
For each batch :math:`\mathcal{B}_t` the loop computes the loss and its gradient and lets the
optimizer update the parameters:

.. math::

    L_t = \ell\bigl(f_{\theta_{t-1}}(X_{\mathcal{B}_t}), y_{\mathcal{B}_t}\bigr), \qquad
    g_t = \nabla_\theta L_t, \qquad \theta_t = \operatorname{step}(\theta_{t-1}, g_t).

It records :math:`L_t`, the learning rate and :math:`\lVert g_t \rVert_2` for every step and
the epoch's losses and metrics, and does nothing else: no plots, no prints. Those belong to
:mod:`optlib.viz`, which draws the returned :class:`~optlib.train.history.History`.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any, Callable, Literal, Mapping, TextIO

import torch
from torch import Tensor, nn
from torch._utils import _flatten_dense_tensors
from torch.optim import Optimizer
from torch.optim.lr_scheduler import ReduceLROnPlateau

from optlib.stopping import STEP_KEYS, Criterion, nonfinite_reason
from optlib.train.batching import MiniBatches
from optlib.train.checkpoint import load_checkpoint, save_checkpoint
from optlib.train.history import History, TrainState
from optlib.train.rewind import Rewind

__all__ = ["fit"]

Metric = Callable[[Tensor, Tensor], "Tensor | float"]


class _NoBar:
    """Stands in for tqdm when ``progress=False``: tqdm is not even imported."""

    def update(self, n: int = 1) -> None:
        pass

    def set_postfix(self, *args: Any, **kwargs: Any) -> None:
        pass

    def set_description_str(self, *args: Any, **kwargs: Any) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(progress: bool, total: int, initial: int, file: TextIO | None) -> Any:
    if not progress:
        return _NoBar()
    from tqdm.auto import tqdm  # lazily: in a notebook it imports ipywidgets

    return tqdm(total=total, initial=initial, file=file, desc="fit", unit="epoch", leave=True)


def _grad_norm(params: list[Tensor]) -> float:
    r""":math:`\lVert g \rVert_2` over all parameters together (0 when no gradient exists)."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return 0.0
    # One flat vector of all gradients, then one norm: the cheapest exact way on a CPU
    # (torch's own flattening helper, as used by DistributedDataParallel).
    return torch.linalg.vector_norm(_flatten_dense_tensors(grads)).item()


@torch.no_grad()
def _evaluate(model: nn.Module, loss_fn: Callable, X: Tensor, y: Tensor,
              metrics: Mapping[str, Metric]) -> dict[str, float]:
    model.eval()
    out = model(X)
    values = {"val_loss": float(loss_fn(out, y))}
    values.update({f"val_{k}": float(m(out, y)) for k, m in metrics.items()})
    model.train()
    return values


def _epoch_keys(metrics: Mapping[str, Metric], validation: bool) -> list[str]:
    """The epoch series of a run, in the order they are recorded."""
    train = ["train_loss"] + [f"train_{k}" for k in metrics]
    val = ["val_loss"] + [f"val_{k}" for k in metrics] if validation else []
    return ["epoch", "step", *train, *val, "time"]


def _at(step: int, epoch: int) -> str:
    return f"step {step} (epoch {epoch})"


def _check_args(X: Tensor, y: Tensor, epochs: int, scheduler_interval: str,
                checkpoint_every: int, val_data: Any) -> None:
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"Invalid epochs: {epochs} (must be an integer >= 0)")
    if len(X) != len(y):
        raise ValueError(
            f"Invalid y: {len(y)} targets for {len(X)} samples in X (must have the same length)")
    if len(X) == 0:
        raise ValueError("Invalid X: the data set is empty (0 samples)")
    if scheduler_interval not in ("epoch", "step"):
        raise ValueError(f"Invalid scheduler_interval: {scheduler_interval!r} "
                         "(must be 'epoch' or 'step')")
    every = checkpoint_every
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise ValueError(f"Invalid checkpoint_every: {every} (must be an integer >= 1)")
    if val_data is not None and (len(val_data) != 2 or len(val_data[0]) != len(val_data[1])
                                 or len(val_data[0]) == 0):
        raise ValueError("Invalid val_data: must be a non-empty pair (X_val, y_val) of equal "
                         "length")


def fit(
    model: nn.Module,
    optimizer: Optimizer,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    X: Tensor,
    y: Tensor,
    *,
    epochs: int = 10,
    batch_size: int | None = None,
    shuffle: bool = True,
    drop_last: bool = False,
    seed: int = 0,
    scheduler: Any | None = None,
    scheduler_interval: Literal["epoch", "step"] = "epoch",
    val_data: tuple[Tensor, Tensor] | None = None,
    metrics: Mapping[str, Metric] | None = None,
    stop: Criterion | None = None,
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: int = 1,
    resume: str | os.PathLike | None = None,
    progress: bool = True,
    file: TextIO | None = None,
    record_params: bool = False,
) -> History:
    """Train ``model`` on ``(X, y)`` with ``optimizer`` and return what happened.

    Each step: forward pass on a mini-batch, loss, ``zero_grad``, backward, gradient norm,
    ``optimizer.step()`` (and ``scheduler.step()`` if ``scheduler_interval="step"``). Each
    epoch: the mean training loss (and metrics), the validation loss and metrics in eval mode,
    ``scheduler.step()`` (with the validation loss, or the training loss, for
    ``ReduceLROnPlateau``), the stopping criterion, a checkpoint.

    Training stops at the first of: ``epochs`` epochs done, ``stop`` firing (checked after every
    epoch, and after every step for step criteria such as a step or time budget), or a
    non-finite loss or gradient. In the last case the offending step is not applied and the
    model keeps its last finite state: if the previous step had already overflowed the
    parameters, or the failed forward pass spoiled a buffer (batch-norm statistics), the run
    is rewound to the step before (:mod:`optlib.train.rewind`). ``history.diverged`` is set,
    and ``history.stop_reason`` says in words what happened and which step the model holds.

    Args:
        model: the network; put in train mode while training, its mode restored at the end.
        optimizer: any ``torch.optim.Optimizer`` over ``model``'s parameters (optlib's or
            torch's), stepped without a closure.
        loss_fn: ``loss_fn(output, target)``, a scalar to minimize, e.g. ``nn.MSELoss()``.
        X: training inputs, first dimension ``n >= 1``, on the model's device.
        y: training targets, first dimension ``n``.
        epochs: total number of epochs, counting those of a resumed run (>= 0) (default: 10).
        batch_size: points per step; ``None`` for full-batch gradient descent (default: None).
        shuffle: a new random order every epoch (default: True).
        drop_last: skip a last batch smaller than ``batch_size`` (default: False).
        seed: seed of the shuffling generator, which is separate from the global one
            (default: 0).
        scheduler: a ``torch.optim.lr_scheduler`` on ``optimizer`` (default: None).
        scheduler_interval: step the scheduler every ``"epoch"`` or every ``"step"``
            (default: ``"epoch"``).
        val_data: ``(X_val, y_val)`` evaluated after every epoch (default: None).
        metrics: ``{name: metric(output, target)}`` recorded as ``train_<name>`` (mean over
            the epoch's batches) and ``val_<name>`` (default: None). See
            :mod:`optlib.train.metrics`.
        stop: a :mod:`optlib.stopping` criterion, e.g. ``EarlyStopping(5) | TimeBudget(30)``
            (default: None).
        checkpoint: a file to save the run to after every ``checkpoint_every`` epochs and at
            the end of the last complete epoch (default: None).
        checkpoint_every: epochs between checkpoints (>= 1) (default: 1).
        resume: a checkpoint written by ``fit`` to continue from; build ``model``,
            ``optimizer``, ``scheduler`` and ``stop`` as for the first run and pass the same
            data and settings. The result equals an uninterrupted run (default: None).
        progress: show a progress bar (``tqdm.auto``: a widget in a notebook, text in a
            terminal); ``False`` imports no tqdm and writes nothing (default: True).
        file: the stream for a text progress bar (default: None, stderr).
        record_params: also record, after every step, the trainable parameters as one flat
            list of floats in ``history.steps["params"]`` (in ``model.parameters()`` order),
            so a path through parameter space can be drawn. Meant for small models: it
            copies every parameter at every step (default: False).

    Returns:
        The :class:`~optlib.train.history.History`, including a resumed run's earlier part.

    Raises:
        ValueError: for bad arguments, naming the argument (``batch_size``, ``epochs``,
            ``X``, ``y``, ``stop``, ...).

    .. note::
        Checkpoints are taken at epoch ends only, so a run stopped by a step criterion in
        the middle of an epoch resumes from the end of the last complete epoch.
    """
    _check_args(X, y, epochs, scheduler_interval, checkpoint_every, val_data)
    batches = MiniBatches(X, y, batch_size, shuffle=shuffle, drop_last=drop_last, seed=seed)
    metrics = dict(metrics or {})

    if resume is not None:
        history = load_checkpoint(resume, model, optimizer, scheduler=scheduler,
                                  batches=batches, stop=stop)
        history.stop_reason, history.diverged = "", False
    else:
        history = History()
        if stop is not None:
            stop.reset()
    keys = _epoch_keys(metrics, val_data is not None)
    for k in keys:
        history.epochs.setdefault(k, [])
    if record_params:
        recorded = history.steps.setdefault("params", [])
        if len(recorded) != history.n_steps:
            raise ValueError(f"Invalid record_params: True, but the resumed run recorded the "
                             f"parameters of {len(recorded)} of its {history.n_steps} steps")
    if stop is not None and (missing := stop.monitors() - set(STEP_KEYS) - set(keys)):
        raise ValueError(f"Invalid stop: {stop!r} monitors {sorted(missing)}, but this run "
                         f"records only {list(STEP_KEYS) + keys}")

    params = [p for p in model.parameters() if p.requires_grad]
    steps, rows = history.steps, history.epochs
    start_epoch, step = history.n_epochs, history.n_steps
    start_step = step
    state = TrainState(step=step, epoch=start_epoch, elapsed=0.0, history=history, model=model)
    check_each_step = stop is not None and stop.per_step
    plateau = isinstance(scheduler, ReduceLROnPlateau)
    monitored = "val_loss" if val_data is not None else "train_loss"  # for ReduceLROnPlateau

    def replay(xb: Tensor, yb: Tensor) -> None:
        """One step exactly as below, minus the records: for going back after a blow-up."""
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if scheduler is not None and scheduler_interval == "step":
            scheduler.step(loss.item()) if plateau else scheduler.step()


    was_training = model.training
    model.train()
    bar = _progress_bar(progress, epochs, min(start_epoch, epochs), file)
    prior_time = rows["time"][-1] if rows["time"] else 0.0
    rewind = Rewind(model, optimizer, scheduler, replay, step)
    t0 = time.perf_counter()
    reason, nonfinite, kept = "", False, step
    try:
        for epoch in range(start_epoch + 1, epochs + 1):
            loss_sum, seen = 0.0, 0
            metric_sums = dict.fromkeys(metrics, 0.0)
            for xb, yb in batches:
                output = model(xb)
                loss = loss_fn(output, yb)
                loss_value = loss.item()
                if not math.isfinite(loss_value):  # stop before the step: theta stays finite
                    reason = nonfinite_reason("loss", loss_value, _at(step + 1, epoch))
                    nonfinite = True
                    break
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                grad_norm = _grad_norm(params)
                if not math.isfinite(grad_norm):
                    reason = nonfinite_reason("gradient norm", grad_norm, _at(step + 1, epoch))
                    nonfinite = True
                    break
                lr = float(optimizer.param_groups[0]["lr"])
                optimizer.step()
                if scheduler is not None and scheduler_interval == "step":
                    scheduler.step(loss_value) if plateau else scheduler.step()
                step += 1
                rewind.record(xb, yb, step)
                steps["loss"].append(loss_value)
                steps["lr"].append(lr)
                steps["grad_norm"].append(grad_norm)
                if record_params:
                    steps["params"].append(
                        torch.cat([p.detach().reshape(-1) for p in params]).tolist())
                n_b = len(xb)
                loss_sum += loss_value * n_b
                seen += n_b
                for k, m in metrics.items():
                    metric_sums[k] += float(m(output.detach(), yb)) * n_b
                if check_each_step:
                    state.step, state.elapsed = step, prior_time + time.perf_counter() - t0
                    if stop(state):
                        reason = stop.reason
                        break

            if nonfinite:
                kept = rewind.to_last_finite(step)
            if seen:  # a complete epoch, or the part of one before a stop
                row = {"epoch": epoch, "step": step, "train_loss": loss_sum / seen}
                row.update({f"train_{k}": s / seen for k, s in metric_sums.items()})
                if val_data is not None:
                    row.update(_evaluate(model, loss_fn, *val_data, metrics))
                row["time"] = prior_time + time.perf_counter() - t0
                for k in keys:
                    rows[k].append(row[k])
                bar.set_postfix({k: f"{row[k]:.4g}" for k in ("train_loss", "val_loss")
                                 if k in row}, refresh=False)
            if reason:  # stopped inside the epoch: no scheduler step, no checkpoint
                break

            if scheduler is not None and scheduler_interval == "epoch":
                scheduler.step(rows[monitored][-1]) if plateau else scheduler.step()
            state.step, state.epoch = step, epoch
            state.elapsed = prior_time + time.perf_counter() - t0
            if stop is not None and stop(state):
                reason = stop.reason
            if checkpoint is not None and (epoch % checkpoint_every == 0 or epoch == epochs
                                           or reason):
                save_checkpoint(checkpoint, model, optimizer, scheduler=scheduler,
                                history=history, batches=batches, stop=stop)
            bar.update(1)
            if reason:
                break

        if not nonfinite and step > start_step:  # the last step was never evaluated: check it
            kept = rewind.to_last_finite(step)
            if kept < step:
                overflow = f"diverged: step {step} made the parameters non-finite"
                reason, nonfinite = f"{reason}; {overflow}" if reason else overflow, True
        if nonfinite:
            reason += f"; the model keeps its last finite parameters (those after step {kept})"
        history.stop_reason = reason or f"finished {epochs} epochs ({step} steps)"
        stopped = stop is not None and stop.triggered
        history.diverged = nonfinite or (stopped and stop.diverged)
        if stopped:
            state.step, state.epoch = step, history.n_epochs
            stop.on_stop(state)
        if history.diverged or stopped:
            bar.set_description_str("fit (diverged)" if history.diverged else "fit (stopped)")
    finally:
        bar.close()
        model.train(was_training)
    return history
