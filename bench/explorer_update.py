"""How long an explorer takes from a control change to new player data.

Target (issue): under 150 ms median for 4 optimizers x 300 steps. The worst case is a change
of the start point: every run is recomputed (a learning-rate change recomputes one run and
serves the others from the cache; it is timed too). The time covers what the kernel does:
the widget observer, the runs (optlib.trajectory.run_many), rounding to player JSON and
setting the synced trait. The browser's redraw of the canvas (a few ms) is not included.

    .venv/bin/python bench/explorer_update.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch

from optlib import landscapes as L
from optlib.optim import SGD, Adam, RMSprop
from optlib.viz.explorer import Explorer

BUDGET_MS = 150.0


def timed(fn, values) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for v in values:
        w, c = time.perf_counter(), time.process_time()
        fn(v)
        walls.append((time.perf_counter() - w) * 1e3)
        cpus.append((time.process_time() - c) * 1e3)
    return walls, cpus


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--steps", type=int, default=300)
    args = ap.parse_args()

    optimizers = {
        "SGD": (SGD, {"lr": 1e-3}),
        "momentum": (SGD, {"lr": 1e-3, "momentum": 0.9}),
        "RMSprop": (RMSprop, {"lr": 1e-2}),
        "Adam": (Adam, {"lr": 0.05}),
    }
    w = time.perf_counter()
    ex = Explorer(L.rosenbrock, optimizers, steps=args.steps)
    print(
        f"Explorer({L.rosenbrock.name}, {len(optimizers)} optimizers x {args.steps} steps): "
        f"built in {time.perf_counter() - w:.2f} s (background image included); "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs, "
        f"torch threads {torch.get_num_threads()}"
    )
    assert ex.message == "" and all(
        len(t.losses) == args.steps + 1 for t in ex.trajectories.values()
    )
    ex.player_widget._handle_custom_msg(
        {"type": "optlib-player-ready"}, []
    )  # as if a view were open
    assert ex.player_widget.live

    def set_start(v):
        ex.controls["x0"].value = v
        assert (
            len(ex.player_widget.data["traces"]) == len(optimizers)
            and abs(ex.player_widget.data["traces"][0]["x"][0] - v) < 1e-3
        )

    def set_lr(v):
        ex.controls["Adam.lr"].value = v

    xs = [-1.9 + 0.05 * i for i in range(args.repeat)]  # all different: no cache hits
    lrs = [10 ** (-2.5 + 0.1 * i) for i in range(args.repeat)]
    rows = [
        ("start point (4 runs recomputed)", *timed(set_start, xs)),
        ("Adam lr (1 run recomputed)", *timed(set_lr, lrs)),
    ]
    print(
        f"\n{'control change -> new player data':36s}"
        f"{'median wall':>13s}{'median CPU':>12s}{'max wall':>10s}"
    )
    for name, walls, cpus in rows:
        print(
            f"{name:36s}{statistics.median(walls):>10.1f} ms"
            f"{statistics.median(cpus):>9.1f} ms{max(walls):>7.0f} ms"
        )
    worst = statistics.median(rows[0][1])
    print(
        f"\ntarget: median < {BUDGET_MS:.0f} ms for 4 optimizers x {args.steps} steps -> "
        f"{'OK' if worst < BUDGET_MS else 'MISSED'} ({worst:.1f} ms)"
    )


if __name__ == "__main__":
    main()
