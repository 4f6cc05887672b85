"""Save a run to one file and resume it exactly.

A checkpoint holds everything the next step depends on: the model's and optimizer's
``state_dict``, the scheduler's, the state of the generator that shuffles the mini-batches and
of the global torch generator (dropout draws from it), the history so far and the state of the
stopping criteria. All of it is tensors, numbers, strings, lists and dicts, so it loads with
``torch.load(weights_only=True)``: opening a checkpoint never runs code from the file.

The file is written to a temporary name and then renamed over the old one, so an interruption
while saving leaves the previous checkpoint intact.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.optim import Optimizer

from optlib.stopping import Criterion
from optlib.train.batching import MiniBatches
from optlib.train.history import History

__all__ = ["load_checkpoint", "save_checkpoint"]

FORMAT = "optlib.train.checkpoint/1"


def save_checkpoint(
    path: str | os.PathLike,
    model: nn.Module,
    optimizer: Optimizer | None = None,
    *,
    scheduler: Any | None = None,
    history: History | None = None,
    batches: MiniBatches | None = None,
    stop: Criterion | None = None,
) -> None:
    """Write a checkpoint of a run to ``path`` (atomically).

    Args:
        path: the file to write.
        model: the model; its ``state_dict`` is saved.
        optimizer: its ``state_dict`` (step counts, momentum buffers, ...) (default: None).
        scheduler: a learning-rate scheduler (default: None).
        history: the record so far (default: None).
        batches: the mini-batch iterator whose shuffling generator is saved (default: None).
        stop: a stopping criterion with state, such as early stopping (default: None).

    The global torch random state (and CUDA's, if available) is always saved.
    """
    payload = {
        "format": FORMAT,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "batches": batches.state_dict() if batches is not None else None,
        "rng": {
            "torch": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        },
        "history": history.to_dict() if history is not None else None,
        "stop": stop.state_dict() if stop is not None else None,
    }
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)


def load_checkpoint(
    path: str | os.PathLike,
    model: nn.Module,
    optimizer: Optimizer | None = None,
    *,
    scheduler: Any | None = None,
    batches: MiniBatches | None = None,
    stop: Criterion | None = None,
    restore_rng: bool = True,
) -> History:
    """Load a checkpoint into freshly built objects; return the history it holds.

    Build the model, optimizer and scheduler as for the original run, then call this: their
    states are overwritten with the saved ones. Only tensors and plain values are read
    (``torch.load(weights_only=True)``).

    Args:
        path: the checkpoint file.
        model: receives the saved parameters and buffers.
        optimizer: receives the saved optimizer state (default: None, not loaded).
        scheduler: receives the saved scheduler state (default: None).
        batches: receives the saved shuffling generator state (default: None).
        stop: receives the saved state of the stopping criteria (default: None).
        restore_rng: also restore the global torch random state (default: True).

    Returns:
        The saved :class:`~optlib.train.history.History` (empty if none was saved).
    """
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise ValueError(f"Invalid path: {path} is not an optlib checkpoint ({FORMAT})")
    model.load_state_dict(ckpt["model"])
    for name, obj in (("optimizer", optimizer), ("scheduler", scheduler),
                      ("batches", batches), ("stop", stop)):
        if obj is None:
            continue
        if ckpt[name] is None:
            raise ValueError(f"Invalid {name}: the checkpoint {path} holds no {name} state")
        obj.load_state_dict(ckpt[name])
    if restore_rng:
        torch.set_rng_state(ckpt["rng"]["torch"])
        if ckpt["rng"]["cuda"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(ckpt["rng"]["cuda"])
    return History.from_dict(ckpt["history"]) if ckpt["history"] is not None else History()
