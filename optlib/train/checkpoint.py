"""Save a run to one file and resume it exactly.

A checkpoint holds everything the next step depends on: the model's and optimizer's
``state_dict``, the scheduler's, the state of the generator that shuffles the mini-batches and
of the global torch generator (dropout draws from it), the history so far and the state of the
stopping criteria. All of it is tensors, plain Python numbers, strings, lists and dicts (numpy
scalars, say an ``lr=np.float64(0.1)``, are saved as Python numbers), so it loads with
``torch.load(weights_only=True)``: opening a checkpoint never runs code from the file.

The file is written to a temporary name and then renamed over the old one, so an interruption
while saving leaves the previous checkpoint intact (and no temporary file behind).

Loading checks the whole file against the objects it is loaded into (model keys and shapes,
optimizer class and parameter groups, scheduler, stopping criteria, random states) before it
changes any of them, so a checkpoint of another run leaves the model untouched.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.optim import Optimizer

from optlib.history import History
from optlib.stopping import Criterion
from optlib.train.batching import MiniBatches

__all__ = ["check_path", "load_checkpoint", "save_checkpoint"]

FORMAT = "optlib.train.checkpoint/1"


def _plain(obj: Any) -> Any:
    """``obj`` with numpy scalars turned into Python numbers, containers rebuilt."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_plain(v) for v in obj)
    return obj


def _kind(obj: Any) -> str | None:
    """The class of ``obj``, with the members of a combined criterion: ``AnyOf(MaxSteps, ...)``."""
    if obj is None:
        return None
    members = getattr(obj, "criteria", None)
    inner = f"({', '.join(map(_kind, members))})" if isinstance(members, list) else ""
    return type(obj).__name__ + inner


def _check_objects(model: Any, optimizer: Any, scheduler: Any, batches: Any, stop: Any) -> None:
    """The objects whose states are saved or loaded: of the right kinds."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"Invalid model: a {type(model).__name__} (must be a torch.nn.Module)")
    kinds = (
        ("optimizer", optimizer, Optimizer),
        ("batches", batches, MiniBatches),
        ("stop", stop, Criterion),
    )
    for name, obj, cls in kinds:
        if obj is not None and not isinstance(obj, cls):
            raise TypeError(f"Invalid {name}: a {type(obj).__name__} (must be a {cls.__name__})")
    if scheduler is not None and not all(
        callable(getattr(scheduler, m, None)) for m in ("state_dict", "load_state_dict")
    ):
        raise TypeError(
            f"Invalid scheduler: a {type(scheduler).__name__} (must have "
            "state_dict and load_state_dict)"
        )


def check_path(path: Any, name: str = "checkpoint") -> Path:
    """``path`` as a :class:`~pathlib.Path` that a checkpoint can be written to.

    Raises ``ValueError`` (naming ``name``) for a directory, a missing or non-directory parent,
    or a place this process cannot write to; found by writing and removing the temporary file.
    """
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise TypeError(f"Invalid {name}: {path!r} (must be a file path)")
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"Invalid {name}: {str(path)!r} is a directory (must be a file path)")
    if not path.parent.is_dir():
        raise ValueError(f"Invalid {name}: the folder {str(path.parent)!r} does not exist")
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb"):
            pass
        tmp.unlink()
    except (OSError, ValueError) as err:  # ValueError: a NUL byte in the name
        why = err.strerror if isinstance(err, OSError) else err
        raise ValueError(f"Invalid {name}: cannot write {str(path)!r} ({why})") from err
    return path


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
    _check_objects(model, optimizer, scheduler, batches, stop)
    if history is not None and not isinstance(history, History):
        raise TypeError(f"Invalid history: a {type(history).__name__} (must be a History)")
    path = check_path(path, "path")
    payload = _plain(
        {
            "format": FORMAT,
            "kinds": {
                "optimizer": _kind(optimizer),
                "scheduler": _kind(scheduler),
                "stop": _kind(stop),
            },
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
    )
    tmp = path.with_name(path.name + ".tmp")
    try:
        torch.save(payload, tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """The contents of a checkpoint file, read with ``weights_only=True``.

    Raises ``ValueError("Invalid checkpoint: ...")`` for a missing, empty, truncated or foreign
    file, or one that holds objects other than tensors and plain values.
    """
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises many kinds: EOFError, RuntimeError, Unpickling...
        text = str(err).strip()
        if "Weights only load failed" in text:  # torch's message then advises to trust the file
            why = "it holds objects other than tensors and plain values; refused unread"
        else:
            why = f"{type(err).__name__}: {text.splitlines()[0] if text else 'no data'}"
        raise ValueError(
            f"Invalid checkpoint: {str(path)!r} cannot be read as an optlib checkpoint ({why})"
        ) from err
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise _bad(path, f"is not an optlib checkpoint ({FORMAT})")
    return ckpt


def _bad(path: Any, what: str) -> ValueError:
    return ValueError(f"Invalid checkpoint: {str(path)!r} {what}")


def _check_model(ckpt: dict[str, Any], path: Any, model: nn.Module) -> None:
    saved, own = ckpt["model"], model.state_dict()
    if not isinstance(saved, dict) or set(saved) != set(own):
        keys = sorted(saved) if isinstance(saved, dict) else saved
        raise _bad(path, f"does not fit the model: it holds {keys}, the model {sorted(own)}")
    for k, t in own.items():
        s = saved[k]
        if not isinstance(s, Tensor) or s.shape != t.shape:
            shape = tuple(s.shape) if isinstance(s, Tensor) else type(s).__name__
            raise _bad(
                path,
                f"does not fit the model: {k!r} has shape {shape} in the file and "
                f"{tuple(t.shape)} in the model",
            )


def _check_kind(ckpt: dict[str, Any], path: Any, name: str, obj: Any) -> None:
    if obj is None:
        return
    if ckpt.get(name) is None and name == "batches":
        raise _bad(path, "holds no state of the shuffling generator (not written by fit?)")
    if ckpt.get(name) is None:
        raise ValueError(f"Invalid {name}: the checkpoint {str(path)!r} holds no {name} state")
    saved = ckpt.get("kinds", {}).get(name)
    if saved is not None and saved != _kind(obj):
        raise _bad(path, f"was written with {name} {saved}, not {_kind(obj)}")


def _check_optimizer(ckpt: dict[str, Any], path: Any, optimizer: Optimizer) -> None:
    saved = ckpt["optimizer"].get("param_groups") if isinstance(ckpt["optimizer"], dict) else None
    if not (isinstance(saved, list) and all(isinstance(g, dict) for g in saved)):
        raise _bad(path, "holds a malformed optimizer state")
    own = optimizer.param_groups
    sizes = [len(g["params"]) for g in saved], [len(g["params"]) for g in own]
    if sizes[0] != sizes[1]:
        raise _bad(path, f"holds parameter groups of sizes {sizes[0]}, the optimizer {sizes[1]}")
    for i, (s, g) in enumerate(zip(saved, own, strict=True)):
        if missing := set(g) - set(s) - {"initial_lr"}:  # a scheduler adds initial_lr
            raise _bad(
                path,
                f"lacks the optimizer settings {sorted(missing)} (group {i}): it "
                "was written by another optimizer",
            )


def _check_states(ckpt: dict[str, Any], path: Any, scheduler: Any, batches: Any, stop: Any) -> None:
    """Structure of scheduler, stopping, generator and random states, before any is loaded."""
    if scheduler is not None and (
        not isinstance(ckpt["scheduler"], dict)
        or set(ckpt["scheduler"]) != set(scheduler.state_dict())
    ):
        raise _bad(path, "holds a scheduler state with other fields than the scheduler's")
    if stop is not None and _structure(ckpt["stop"]) != _structure(stop.state_dict()):
        raise _bad(path, f"holds a stopping state that does not fit stop={stop!r}")
    rng = ckpt.get("rng")
    own = torch.get_rng_state()
    if not (
        isinstance(rng, dict)
        and isinstance(rng.get("torch"), Tensor)
        and rng["torch"].shape == own.shape
        and rng["torch"].dtype == own.dtype
    ):
        raise _bad(path, "holds no valid random state ('rng')")
    if batches is not None:
        saved = ckpt["batches"] if isinstance(ckpt["batches"], dict) else {}
        state, gen = saved.get("generator"), batches.generator.get_state()
        if not (isinstance(state, Tensor) and state.shape == gen.shape):
            raise _bad(path, "holds no valid state of the shuffling generator ('batches')")
    if ckpt["history"] is not None and not _is_history(ckpt["history"]):
        raise _bad(path, "holds a malformed history")


def _structure(state: Any) -> Any:
    """The keys of nested dicts and the lengths of lists: what must match to load a state."""
    if isinstance(state, dict):
        return {k: _structure(v) for k, v in state.items() if k != "best_state"}
    if isinstance(state, list):
        return [_structure(v) for v in state]
    return None


def _is_history(d: Any) -> bool:
    return (
        isinstance(d, dict)
        and isinstance(d.get("steps"), dict)
        and isinstance(d.get("epochs"), dict)
        and all(isinstance(v, list) for v in [*d["steps"].values(), *d["epochs"].values()])
    )


def check_checkpoint(
    ckpt: dict[str, Any], path: Any, model: nn.Module, objects: dict[str, Any]
) -> None:
    """Raise ``ValueError`` unless ``ckpt`` can be loaded into ``model`` and ``objects``
    (``{"optimizer": ..., "scheduler": ..., "batches": ..., "stop": ...}``, each may be
    ``None``); change nothing."""
    _check_objects(model, *objects.values())
    _check_model(ckpt, path, model)
    for name, obj in objects.items():
        _check_kind(ckpt, path, name, obj)
    if objects["optimizer"] is not None:
        _check_optimizer(ckpt, path, objects["optimizer"])
    _check_states(ckpt, path, objects["scheduler"], objects["batches"], objects["stop"])


def restore_checkpoint(
    ckpt: dict[str, Any], model: nn.Module, objects: dict[str, Any], restore_rng: bool = True
) -> History:
    """Load a checked checkpoint's states into ``model`` and ``objects``; return its history."""
    model.load_state_dict(ckpt["model"])
    for name, obj in objects.items():
        if obj is not None:
            obj.load_state_dict(ckpt[name])
    if restore_rng:
        torch.set_rng_state(ckpt["rng"]["torch"])
        if ckpt["rng"]["cuda"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(ckpt["rng"]["cuda"])
    return History.from_dict(ckpt["history"]) if ckpt["history"] is not None else History()


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
    (``torch.load(weights_only=True)``), and the whole file is checked against the objects
    before any of them changes.

    Args:
        path: the checkpoint file.
        model: receives the saved parameters and buffers.
        optimizer: receives the saved optimizer state (default: None, not loaded).
        scheduler: receives the saved scheduler state (default: None).
        batches: receives the saved shuffling generator state (default: None).
        stop: receives the saved state of the stopping criteria (default: None).
        restore_rng: also restore the global torch random state (default: True).

    Returns:
        The saved :class:`~optlib.history.History` (empty if none was saved).

    Raises:
        ValueError: ``Invalid checkpoint: ...`` for a file that cannot be read or does not
            fit the objects (another model, optimizer class, scheduler or criterion).
    """
    objects = {"optimizer": optimizer, "scheduler": scheduler, "batches": batches, "stop": stop}
    _check_objects(model, *objects.values())
    ckpt = read_checkpoint(path)
    check_checkpoint(ckpt, path, model, objects)
    return restore_checkpoint(ckpt, model, objects, restore_rng)
