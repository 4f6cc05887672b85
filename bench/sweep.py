"""A convergence map as one batched computation vs one run per configuration.

Targets (issue: "Vectorized sweeps"): a 100 x 100 grid (learning rate x momentum) of 300 steps
on a 2-D landscape in under 2 s on 2 cores, and at least 30x faster than running the
configurations one at a time. Running all 10,000 one at a time takes minutes, so by default
the one-at-a-time time is measured on an evenly spread sample of configurations and scaled
to the grid (the printout says so); --full runs every one of them.

    .venv/bin/python bench/sweep.py           # sweep + sampled one-at-a-time
    .venv/bin/python bench/sweep.py --full    # every configuration one at a time (minutes)
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import torch

from optlib import landscapes as L
from optlib.optim import SGD
from optlib.trajectory import run, sweep

SWEEP_BUDGET_S = 2.0
SPEEDUP_TARGET = 30.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="grid points per axis (default: 100)")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument(
        "--sample", type=int, default=100, help="configurations run one at a time (default: 100)"
    )
    ap.add_argument("--full", action="store_true", help="run every configuration one at a time")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(2)

    landscape = L.rosenbrock
    grid = {"lr": np.geomspace(1e-5, 3e-3, args.n), "momentum": np.linspace(0.0, 0.99, args.n)}
    n_cfg = args.n * args.n
    print(
        f"landscape {landscape.name}, optimizer SGD, grid lr x momentum = {args.n} x {args.n} "
        f"({n_cfg} configurations), {args.steps} steps, torch threads {torch.get_num_threads()}, "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )

    sweep(landscape, SGD, 5, {k: v[:3] for k, v in grid.items()})  # warm-up
    walls, cpus = [], []
    for _ in range(args.repeat):
        w, c = time.perf_counter(), time.process_time()
        result = sweep(landscape, SGD, args.steps, grid, tol=1e-4)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    t_sweep = statistics.median(walls)
    print(
        f"sweep (one batched computation): median {t_sweep:.3f} s wall, "
        f"{statistics.median(cpus):.3f} s CPU over {args.repeat} runs; "
        f"{int(result.diverged.sum())} diverged, {int(result.converged.sum())} reached loss < 1e-4"
    )

    flat = list(np.ndindex(args.n, args.n))
    picks = (
        flat
        if args.full
        else [flat[i] for i in np.linspace(0, n_cfg - 1, min(args.sample, n_cfg)).astype(int)]
    )
    w, c = time.perf_counter(), time.process_time()
    worst = 0.0
    for idx in picks:
        cfg = result.config(*idx)
        traj = run(landscape, SGD, steps=args.steps, **cfg)
        if not traj.diverged:
            worst = max(
                worst,
                abs(traj.losses[-1] - result.final_loss[idx]) / max(abs(traj.losses[-1]), 1e-300),
            )
        assert traj.diverged == bool(result.diverged[idx]), idx
    t_each = (time.perf_counter() - w) / len(picks)
    c_each = (time.process_time() - c) / len(picks)
    t_loop = t_each * n_cfg
    how = (
        "measured"
        if args.full
        else f"{len(picks)} runs measured, x {n_cfg / len(picks):.0f} for the grid"
    )
    print(
        f"one at a time ({how}): {t_loop:.1f} s wall "
        f"({t_each * 1e3:.2f} ms per run, {c_each * 1e3:.2f} ms CPU); "
        f"results agree (max relative difference of final losses {worst:.1e})"
    )
    print()
    print(f"{'':28s}{'batched':>12s}{'one at a time':>16s}{'speedup':>10s}")
    print(
        f"{'100x100 grid, 300 steps':28s}{t_sweep:>11.3f}s{t_loop:>15.1f}s{t_loop / t_sweep:>9.0f}x"
    )
    ok_time, ok_speed = t_sweep < SWEEP_BUDGET_S, t_loop / t_sweep >= SPEEDUP_TARGET
    print(
        f"target: < {SWEEP_BUDGET_S} s -> {'OK' if ok_time else 'MISSED'}; "
        f">= {SPEEDUP_TARGET:.0f}x -> {'OK' if ok_speed else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
