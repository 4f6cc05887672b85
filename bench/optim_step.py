"""Time one optimizer step: optlib.optim against torch.optim (foreach=False and foreach=True).

Workloads: (a) one tensor of 10M elements, (b) 150 tensors of 64k elements, (c) the parameters
of a 784-512-512-10 MLP. Optimizers: Adam, SGD with momentum, RMSprop. Every implementation
gets the same parameters and gradients; after a warm-up, rounds of steps are timed with
``time.perf_counter`` and the implementations take turns in every round (one step each by
default, in rotating order), so load from other processes hits them alike. The table reports
the median time per step, the ratio of optlib to torch's faster variant (paired: the median of
the ratios within a round), and the bytes of optimizer state each keeps (every tensor in
``optimizer.state``, ``step`` included).

Run: ``.venv/bin/python bench/optim_step.py`` (``--rounds``/``--steps`` trade time for noise).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch
from torch import Tensor

import optlib.optim

OPTIMIZERS: dict[str, dict] = {
    "Adam": {},
    "SGD": {"lr": 0.01, "momentum": 0.9},
    "RMSprop": {},
}


def workloads() -> dict[str, list[tuple[int, ...]]]:
    mlp = [(512, 784), (512,), (512, 512), (512,), (10, 512), (10,)]
    return {
        "(a) 1 x 10M": [(10_000_000,)],
        "(b) 150 x 64k": [(65_536,)] * 150,
        "(c) MLP 784-512-512-10": mlp,
    }


def make(
    impl: str, name: str, shapes: list[tuple[int, ...]]
) -> tuple[Callable[[], None], Callable[[], int]]:
    """A step function and a state-size function for one implementation on fresh parameters."""
    gen = torch.Generator().manual_seed(0)
    params = [torch.randn(s, generator=gen).requires_grad_() for s in shapes]
    for p in params:
        p.grad = torch.randn(p.shape, generator=gen) * 1e-2
    kwargs = OPTIMIZERS[name]
    if impl == "optlib":
        opt = getattr(optlib.optim, name)(params, **kwargs)
    else:
        opt = getattr(torch.optim, name)(params, foreach=impl.endswith("foreach=True"), **kwargs)

    def state_bytes() -> int:
        return sum(
            v.numel() * v.element_size()
            for state in opt.state.values()
            for v in state.values()
            if isinstance(v, Tensor)
        )

    return opt.step, state_bytes


IMPLS = ["optlib", "torch foreach=False", "torch foreach=True"]


def bench(name: str, shapes: list[tuple[int, ...]], rounds: int, steps: int) -> dict:
    """Median ms per step and state bytes per implementation, and the paired ratio of optlib
    to torch's faster variant (the median over rounds of the ratio within a round, which
    load drifting between rounds does not skew)."""
    runs = {impl: make(impl, name, shapes) for impl in IMPLS}
    for step, _ in runs.values():  # warm-up, and state creation
        for _ in range(3):
            step()
    times: dict[str, list[float]] = {impl: [] for impl in IMPLS}
    for r in range(rounds):
        order = IMPLS[r % 3 :] + IMPLS[: r % 3]  # rotate who goes first
        for impl in order:
            step = runs[impl][0]
            t0 = time.perf_counter()
            for _ in range(steps):
                step()
            times[impl].append((time.perf_counter() - t0) / steps)
    median = {impl: statistics.median(times[impl]) * 1e3 for impl in IMPLS}
    best = min(IMPLS[1:], key=median.get)
    paired = statistics.median(a / b for a, b in zip(times["optlib"], times[best], strict=True))
    return {"ms": median, "bytes": {impl: runs[impl][1]() for impl in IMPLS}, "ratio": paired}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="timed rounds per case")
    parser.add_argument("--steps", type=int, default=1, help="steps per round")
    parser.add_argument("--only", default="", help="run the rows whose text contains this")
    args = parser.parse_args()

    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
        f"median of {args.rounds} rounds x {args.steps} steps, ms per step"
    )
    header = (
        f"| {'workload':24} | {'optimizer':9} | {'optlib':>8} | {'foreach=F':>9} | "
        f"{'foreach=T':>9} | {'optlib/best':>11} | {'state optlib':>13} | {'state torch':>13} |"
    )
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for workload, shapes in workloads().items():
        for name in OPTIMIZERS:
            if args.only not in f"{workload} {name}":
                continue
            res = bench(name, shapes, args.rounds, args.steps)
            ours, loop, fe = (res["ms"][impl] for impl in IMPLS)
            sizes = {res["bytes"][impl] for impl in IMPLS[1:]}
            assert len(sizes) == 1, "torch's two variants keep different state"
            print(
                f"| {workload:24} | {name:9} | {ours:8.2f} | {loop:9.2f} | {fe:9.2f} | "
                f"{res['ratio']:10.2f}x | {res['bytes']['optlib']:13,d} | {sizes.pop():13,d} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
