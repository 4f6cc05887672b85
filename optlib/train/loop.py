r"""The training loop: mini-batch steps, a history, a progress bar, stopping and checkpoints.

One epoch visits every training point once, in mini-batches (:mod:`optlib.train.batching`).
For each batch :math:`\mathcal{B}_t` the loop computes the loss and its gradient and lets the
optimizer update the parameters:

.. math::

    L_t = \ell\bigl(f_{\theta_{t-1}}(X_{\mathcal{B}_t}), y_{\mathcal{B}_t}\bigr), \qquad
    g_t = \nabla_\theta L_t, \qquad \theta_t = \operatorname{step}(\theta_{t-1}, g_t).

It records :math:`L_t`, the learning rates and :math:`\lVert g_t \rVert_2` for every step and
the epoch's losses and metrics, and does nothing else: no plots, no prints. Those belong to
:mod:`optlib.viz`, which draws the returned :class:`~optlib.history.History`.

The pieces, one concern each: :meth:`_Run.step` is the step body, written once (going back
after a blow-up replays it, :mod:`optlib.train.rewind`); :meth:`_Run.record` writes a step to
the history; :meth:`_Run.epoch` runs the batches of one epoch; :meth:`_Run.close_epoch`
evaluates and logs it; :meth:`_Run.after_epoch` steps the scheduler, asks the criterion and
writes the checkpoint; :meth:`_Run.finish` says why training stopped. The arguments are checked
before anything changes (:mod:`optlib.train.checks`).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TextIO

import torch
from torch import Tensor, nn
from torch._utils import _flatten_dense_tensors
from torch.optim import Optimizer
from torch.optim.lr_scheduler import ReduceLROnPlateau

from optlib.history import STEP_KEYS, History, TrainState, lr_key
from optlib.stopping import Criterion, nonfinite_reason
from optlib.train import checks
from optlib.train.batching import MiniBatches
from optlib.train.checkpoint import (
    check_checkpoint,
    check_path,
    read_checkpoint,
    restore_checkpoint,
    save_checkpoint,
)
from optlib.train.progress import progress_bar
from optlib.train.rewind import Rewind

__all__ = ["fit"]

Metric = Callable[[Tensor, Tensor], "Tensor | float"]


def _grad_norm(params: list[Tensor]) -> float:
    r""":math:`\lVert g \rVert_2` over all parameters together (0 when no gradient exists)."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return 0.0
    # One flat vector of all gradients, then one norm: the cheapest exact way on a CPU
    # (torch's own flattening helper, as used by DistributedDataParallel).
    return torch.linalg.vector_norm(_flatten_dense_tensors(grads)).item()


@torch.no_grad()
def _evaluate(
    model: nn.Module, loss_fn: Callable, X: Tensor, y: Tensor, metrics: Mapping[str, Metric]
) -> dict[str, float]:
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


def _step_keys(optimizer: Optimizer, record_params: bool) -> list[str]:
    """The step series of a run: loss, each group's lr, gradient norm (and the parameters)."""
    lrs = [lr_key(i) for i in range(1, len(optimizer.param_groups))]
    return [*STEP_KEYS, *lrs, *(["params"] if record_params else [])]


def _at(step: int, epoch: int) -> str:
    return f"step {step} (epoch {epoch})"


@dataclass
class _Step:
    """What one step measured; ``failed`` names the non-finite quantity that stopped it."""

    loss: float
    grad_norm: float = math.nan
    lrs: list[float] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    failed: str = ""


@dataclass
class _Sums:
    """The running, batch-size weighted sums of an epoch."""

    loss: float = 0.0
    seen: int = 0
    metrics: dict[str, float] = field(default_factory=dict)


class _Run:
    """One call of :func:`fit`: the objects it trains and the state of the loop."""

    def __init__(
        self,
        model: nn.Module,
        optimizer: Optimizer,
        loss_fn: Callable,
        scheduler: Any,
        scheduler_interval: str,
        metrics: dict[str, Metric],
        params: list[Tensor],
    ) -> None:
        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        self.scheduler, self.metrics, self.params = scheduler, metrics, params
        self.step_scheduler = scheduler is not None and scheduler_interval == "step"
        self.epoch_scheduler = scheduler is not None and scheduler_interval == "epoch"
        self.plateau = isinstance(scheduler, ReduceLROnPlateau)
        self.first = True  # the first batch of this call is checked (shapes, loss, metrics)

    def step(self, xb: Tensor, yb: Tensor, measure: bool = True) -> _Step:
        """The step body: forward, loss, backward, ``optimizer.step()``, scheduler.

        Stops before ``optimizer.step()`` if the loss or the gradient norm is not finite, so
        the parameters stay finite. ``measure=False`` skips the metrics (when replaying).
        """
        output = self.model(xb)
        if self.first:
            checks.check_output(output, yb)
        loss = self.loss_fn(output, yb)
        if self.first:
            checks.check_loss(loss)
        loss_value = loss.item()
        if not math.isfinite(loss_value):
            return _Step(loss_value, failed="loss")
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = _grad_norm(self.params)
        if not math.isfinite(grad_norm):
            return _Step(loss_value, grad_norm, failed="gradient norm")
        lrs = [float(g["lr"]) for g in self.optimizer.param_groups]
        metrics = {}
        if measure and self.metrics:  # before the step: a failing metric changes nothing
            out = output.detach()
            metrics = (
                checks.first_metrics(self.metrics, out, yb)
                if self.first
                else {k: float(m(out, yb)) for k, m in self.metrics.items()}
            )
        self.first = False
        self.optimizer.step()
        if self.step_scheduler:
            self.scheduler.step(loss_value) if self.plateau else self.scheduler.step()
        return _Step(loss_value, grad_norm, lrs, metrics)

    def start(
        self,
        history: History,
        batches: MiniBatches,
        stop: Criterion | None,
        record_params: bool,
        bar: Any,
    ) -> None:
        """Set up the loop's counters for ``history`` (fresh or resumed)."""
        self.history, self.batches, self.stop, self.bar = history, batches, stop, bar
        self.record_params = record_params
        self.step_count = self.start_step = history.n_steps
        self.state = TrainState(
            step=self.step_count,
            epoch=history.n_epochs,
            elapsed=0.0,
            history=history,
            model=self.model,
        )
        self.check_each_step = stop is not None and stop.per_step
        self.lr_series = [history.steps[lr_key(i)] for i in range(len(self.optimizer.param_groups))]
        self.prior_time = history.epochs["time"][-1] if history.epochs["time"] else 0.0
        self.rewind = Rewind(
            self.model,
            self.optimizer,
            self.scheduler,
            lambda xb, yb: self.step(xb, yb, measure=False),
            self.step_count,
        )
        self.reason, self.nonfinite, self.kept = "", False, self.step_count
        self.t0 = time.perf_counter()

    def elapsed(self) -> float:
        return self.prior_time + time.perf_counter() - self.t0

    def record(self, res: _Step, xb: Tensor, yb: Tensor, sums: _Sums) -> None:
        """Write an applied step to the history and the epoch's sums."""
        self.step_count += 1
        self.rewind.record(xb, yb, self.step_count)
        steps = self.history.steps
        steps["loss"].append(res.loss)
        steps["grad_norm"].append(res.grad_norm)
        # a group added mid-run (add_param_group) has no column: its lr is not recorded
        for series, lr in zip(self.lr_series, res.lrs, strict=False):
            series.append(lr)
        if self.record_params:
            steps["params"].append(
                torch.cat([p.detach().reshape(-1) for p in self.params]).tolist()
            )
        n_b = len(xb)
        sums.loss += res.loss * n_b
        sums.seen += n_b
        for k, v in res.metrics.items():
            sums.metrics[k] = sums.metrics.get(k, 0.0) + v * n_b

    def epoch(self, epoch: int) -> _Sums:
        """The steps of one epoch, until its end, a non-finite value or a step criterion."""
        sums = _Sums()
        for xb, yb in self.batches:
            res = self.step(xb, yb)
            if res.failed:  # stopped before the step: theta stays finite
                value = res.loss if res.failed == "loss" else res.grad_norm
                self.reason = nonfinite_reason(res.failed, value, _at(self.step_count + 1, epoch))
                self.nonfinite = True
                break
            self.record(res, xb, yb, sums)
            if self.check_each_step:
                self.state.step, self.state.elapsed = self.step_count, self.elapsed()
                if self.stop(self.state):
                    self.reason = self.stop.reason
                    break
        if self.nonfinite:
            self.kept = self.rewind.to_last_finite(self.step_count)
        return sums

    def close_epoch(
        self, epoch: int, sums: _Sums, keys: list[str], val_data: tuple[Tensor, Tensor] | None
    ) -> None:
        """Record the epoch's row (with the validation values) and show it on the bar."""
        row = {"epoch": epoch, "step": self.step_count, "train_loss": sums.loss / sums.seen}
        row.update({f"train_{k}": s / sums.seen for k, s in sums.metrics.items()})
        if val_data is not None:
            row.update(_evaluate(self.model, self.loss_fn, *val_data, self.metrics))
        row["time"] = self.elapsed()
        for k in keys:
            self.history.epochs[k].append(row[k])
        self.bar.set_postfix(
            {k: f"{row[k]:.4g}" for k in ("train_loss", "val_loss") if k in row}, refresh=False
        )

    def after_epoch(self, epoch: int, last: bool, checkpoint: Any, every: int) -> None:
        """After a complete epoch: scheduler, criterion, checkpoint, progress."""
        rows = self.history.epochs
        if self.epoch_scheduler:
            monitored = "val_loss" if "val_loss" in rows else "train_loss"
            self.scheduler.step(rows[monitored][-1]) if self.plateau else self.scheduler.step()
        self.state.step, self.state.epoch = self.step_count, epoch
        self.state.elapsed = self.elapsed()
        if self.stop is not None and self.stop(self.state):
            self.reason = self.stop.reason
        if checkpoint is not None and (epoch % every == 0 or last or self.reason):
            save_checkpoint(
                checkpoint,
                self.model,
                self.optimizer,
                scheduler=self.scheduler,
                history=self.history,
                batches=self.batches,
                stop=self.stop,
            )
        self.bar.update(1)

    def finish(self, epochs: int) -> None:
        """Check the last step, then write why training stopped into the history."""
        reason, step = self.reason, self.step_count
        if not self.nonfinite and step > self.start_step:  # the last step was never evaluated
            self.kept = self.rewind.to_last_finite(step)
            if self.kept < step:
                overflow = f"diverged: step {step} made the parameters non-finite"
                reason, self.nonfinite = f"{reason}; {overflow}" if reason else overflow, True
        if self.nonfinite:
            reason += f"; the model keeps its last finite parameters (those after step {self.kept})"
        history, stop = self.history, self.stop
        history.stop_reason = reason or f"finished {epochs} epochs ({step} steps)"
        stopped = stop is not None and stop.triggered
        history.diverged = self.nonfinite or (stopped and stop.diverged)
        if stopped:
            self.state.step, self.state.epoch = step, history.n_epochs
            stop.on_stop(self.state)
        if history.diverged or stopped:
            self.bar.set_description_str("fit (diverged)" if history.diverged else "fit (stopped)")


def _with_series(history: History, step_keys: list[str], epoch_keys: list[str]) -> History:
    """``history`` with an (empty, for a fresh run) list for every series this run writes."""
    for k in step_keys:
        history.steps.setdefault(k, [])
    for k in epoch_keys:
        history.epochs.setdefault(k, [])
    return history


def _history(
    resume: Any,
    epochs: int,
    run: _Run,
    batches: MiniBatches,
    stop: Criterion | None,
    step_keys: list[str],
    epoch_keys: list[str],
) -> History:
    """A fresh History, or the resumed one, checked completely before anything is loaded."""
    if resume is None:
        if stop is not None:
            stop.reset()
        return _with_series(History(), step_keys, epoch_keys)
    ckpt = read_checkpoint(resume)
    objects = {
        "optimizer": run.optimizer,
        "scheduler": run.scheduler,
        "batches": batches,
        "stop": stop,
    }
    check_checkpoint(ckpt, resume, run.model, objects)
    saved = History.from_dict(ckpt["history"]) if ckpt["history"] is not None else History()
    if saved.n_epochs > epochs:
        raise ValueError(
            f"Invalid epochs: {epochs}, but the checkpoint {str(resume)!r} already "
            f"holds {saved.n_epochs} epochs (epochs counts them all)"
        )
    _check_resumed(saved, step_keys, epoch_keys)
    history = restore_checkpoint(ckpt, run.model, objects)
    history.stop_reason, history.diverged = "", False
    return _with_series(history, step_keys, epoch_keys)


def _check_resumed(history: History, step_keys: list[str], epoch_keys: list[str]) -> None:
    """The resumed record must have the series this run writes, with one entry per step."""
    if "params" in step_keys and len(history.steps.get("params", [])) != history.n_steps:
        raise ValueError(
            f"Invalid record_params: True, but the resumed run recorded the "
            f"parameters of {len(history.steps.get('params', []))} of its "
            f"{history.n_steps} steps"
        )
    lacking = [
        k for k in step_keys if k != "params" and len(history.steps.get(k, [])) != history.n_steps
    ]
    if lacking:
        raise ValueError(
            f"Invalid resume: the checkpoint's history lacks the step series "
            f"{lacking} (another optimizer's parameter groups?)"
        )
    if history.n_epochs and set(history.epochs) != set(epoch_keys):
        raise ValueError(
            f"Invalid resume: the checkpoint's run recorded {sorted(history.epochs)}"
            f", this one records {sorted(epoch_keys)} (pass the same metrics and "
            "val_data)"
        )


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

    Everything is checked before the first step (:mod:`optlib.train.checks`): the data, that
    ``optimizer`` and ``scheduler`` act on ``model``'s parameters, the checkpoint path, a
    checkpoint to resume from (completely, before it is loaded); and on the first batch, that
    the model's output and ``y`` have the same shape (for floating-point targets), that the loss
    is a scalar and that the metrics work.

    Args:
        model: the network; put in train mode while training, its mode restored at the end.
        optimizer: any ``torch.optim.Optimizer`` over ``model``'s parameters (optlib's or
            torch's), stepped without a closure.
        loss_fn: ``loss_fn(output, target)``, a scalar to minimize, e.g. ``nn.MSELoss()``.
        X: training inputs, a tensor with first dimension ``n >= 1``, on the model's device.
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
        The :class:`~optlib.history.History`, including a resumed run's earlier part. Its
        ``steps["lr"]`` is the first parameter group's learning rate, ``steps["lr/1"]``, ...
        those of the other groups.

    Raises:
        ValueError: for bad values, naming the argument (``batch_size``, ``epochs``, ``X``,
            ``y``, ``stop``, ...); ``Invalid checkpoint: ...`` for a file that cannot be resumed.
        TypeError: for arguments of the wrong kind (a numpy array for ``X``, a number for
            ``stop``, the scheduler's class instead of a scheduler), naming the argument.

    .. note::
        Checkpoints are taken at epoch ends only, so a run stopped by a step criterion in
        the middle of an epoch resumes from the end of the last complete epoch.
    """
    epochs, batch_size, checkpoint_every, seed = checks.check_counts(
        epochs, batch_size, checkpoint_every, seed
    )
    checks.check_flags(
        shuffle=shuffle, drop_last=drop_last, progress=progress, record_params=record_params
    )
    checks.check_files(checkpoint, resume)
    checks.check_tensors(X, y, val_data)
    metrics = checks.check_run(loss_fn, metrics, stop, scheduler_interval)
    params = checks.check_model(model, optimizer, scheduler)
    if checkpoint is not None:
        checkpoint = check_path(checkpoint)
    batches = MiniBatches(X, y, batch_size, shuffle=shuffle, drop_last=drop_last, seed=seed)
    run = _Run(model, optimizer, loss_fn, scheduler, scheduler_interval, metrics, params)
    step_keys = _step_keys(optimizer, record_params)
    epoch_keys = _epoch_keys(metrics, val_data is not None)
    if stop is not None and (missing := stop.monitors() - {*step_keys, *epoch_keys}):
        raise ValueError(
            f"Invalid stop: {stop!r} monitors {sorted(missing)}, but this run "
            f"records only {step_keys + epoch_keys}"
        )
    history = _history(resume, epochs, run, batches, stop, step_keys, epoch_keys)
    return _train(
        run,
        history,
        batches,
        stop,
        epochs,
        epoch_keys,
        val_data,
        checkpoint,
        checkpoint_every,
        record_params,
        progress,
        file,
    )


def _train(
    run: _Run,
    history: History,
    batches: MiniBatches,
    stop: Criterion | None,
    epochs: int,
    keys: list[str],
    val_data: Any,
    checkpoint: Any,
    every: int,
    record_params: bool,
    progress: bool,
    file: TextIO | None,
) -> History:
    """The epochs of a checked run, from ``history``'s end to ``epochs``."""
    was_training = run.model.training
    run.model.train()
    bar = progress_bar(progress, epochs, min(history.n_epochs, epochs), file)
    try:
        run.start(history, batches, stop, record_params, bar)
        for epoch in range(history.n_epochs + 1, epochs + 1):
            sums = run.epoch(epoch)
            if sums.seen:  # a complete epoch, or the part of one before a stop
                run.close_epoch(epoch, sums, keys, val_data)
            if run.reason:  # stopped inside the epoch: no scheduler step, no checkpoint
                break
            run.after_epoch(epoch, epoch == epochs, checkpoint, every)
            if run.reason:
                break
        run.finish(epochs)
    finally:
        bar.close()
        run.model.train(was_training)
    return history
