"""What ``optlib.train.fit`` costs over a bare, hand-written torch loop.

Both train the same MLP from the same weights on the same data with the same optimizer and the
same shuffled mini-batches, for the same number of steps; the script checks that they end with
bit-identical parameters, so they did the same work. ``fit`` runs with its progress bar on
(writing to ``os.devnull``), recording per-step loss, learning rate and gradient norm, per-epoch
losses and time, and guarding against divergence. The runs are timed alternately, ``--repeats``
times each after a warm-up, and the medians are compared. Target: overhead under 10 %.

Both the CPU time of the process (``time.process_time``) and the wall-clock time are reported.
On a shared machine the CPU time is the steadier measure: it does not count the time the
scheduler gives to other processes. One torch thread by default: a network this small gains
nothing from more, and oversubscribed threads on a busy machine make timings meaningless.

    .venv/bin/python bench/fit_overhead.py
    .venv/bin/python bench/fit_overhead.py --hidden 128 --batch-size 64 --epochs 10
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import time

import torch
from torch import nn

from optlib.train import fit, sin_cos


def bare_loop(model, opt, loss_fn, X, y, epochs, batch_size, seed, log_loss):
    """The loop a student would write: shuffle, slice, zero_grad, forward, backward, step."""
    g = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(epochs):
        perm = torch.randperm(len(X), generator=g)
        for i in range(0, len(X), batch_size):
            idx = perm[i : i + batch_size]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(X[idx]), y[idx])
            loss.backward()
            opt.step()
            if log_loss:
                losses.append(loss.item())
    return losses


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1024, help="training points (default: 1024)")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--hidden", type=int, default=64, help="width of the two hidden layers")
    ap.add_argument("--repeats", type=int, default=31)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (0: torch's default)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    X, y = sin_cos(args.n, noise=0.1, seed=0)
    torch.manual_seed(0)
    h = args.hidden
    template = nn.Sequential(
        nn.Linear(1, h), nn.Tanh(), nn.Linear(h, h), nn.Tanh(), nn.Linear(h, 1)
    )
    loss_fn = nn.MSELoss()
    devnull = open(os.devnull, "w")
    steps = args.epochs * -(-args.n // args.batch_size)

    def fresh():
        model = copy.deepcopy(template)
        return model, torch.optim.Adam(model.parameters(), lr=1e-3)

    def timed(f):
        model, opt = fresh()
        cpu, wall = time.process_time(), time.perf_counter()
        f(model, opt)
        return (time.process_time() - cpu, time.perf_counter() - wall), model

    def time_bare(log_loss=False):
        return timed(
            lambda model, opt: bare_loop(
                model, opt, loss_fn, X, y, args.epochs, args.batch_size, 0, log_loss
            )
        )

    def time_fit():
        return timed(
            lambda model, opt: fit(
                model,
                opt,
                loss_fn,
                X,
                y,
                epochs=args.epochs,
                batch_size=args.batch_size,
                seed=0,
                progress=True,
                file=devnull,
            )
        )

    _, m_bare = time_bare()  # warm-up (the first optimizer imports torch._dynamo)
    _, m_fit = time_fit()
    pairs = zip(m_bare.parameters(), m_fit.parameters(), strict=True)
    same = all(torch.equal(p, q) for p, q in pairs)
    if not same:
        raise SystemExit("fit and the bare loop did not compute the same thing")

    bare, logged, fitted = [], [], []
    for r in range(args.repeats):  # alternate the order so drifts in machine load cancel
        runs = [(bare, time_bare), (logged, lambda: time_bare(True)), (fitted, time_fit)]
        for times, f in runs if r % 2 == 0 else runs[::-1]:
            times.append(f()[0])

    print(
        f"MLP 1-{h}-{h}-1 (tanh), {args.n} points, batch {args.batch_size}, {args.epochs} epochs "
        f"= {steps} steps, Adam, torch {torch.__version__}, {torch.get_num_threads()} "
        f"thread(s); median of {args.repeats} alternating runs"
    )
    print(f"  {'':32s}{'CPU time':>22s}{'wall time':>22s}")
    med = {}
    for name, times in (
        ("bare loop", bare),
        ("bare loop + loss.item() log", logged),
        ("fit (progress bar on)", fitted),
    ):
        cpu, wall = (statistics.median(t[i] for t in times) for i in (0, 1))
        med[name] = (cpu, wall)
        print(
            f"  {name:32s}{cpu * 1e3:9.1f} ms {cpu / steps * 1e6:6.1f} us/step"
            f"{wall * 1e3:9.1f} ms {wall / steps * 1e6:6.1f} us/step"
        )
    (fc, fw), (bc, bw) = med["fit (progress bar on)"], med["bare loop"]
    oc, ow = 100 * (fc / bc - 1), 100 * (fw / bw - 1)
    # Each repeat ran both back to back: the median of their ratios cancels slow load drifts.
    pair = 100 * (statistics.median(f[0] / b[0] for f, b in zip(fitted, bare, strict=True)) - 1)
    best = 100 * (min(t[0] for t in fitted) / min(t[0] for t in bare) - 1)
    print(
        f"  fit overhead over the bare loop (medians): {oc:+.1f} % CPU time, {ow:+.1f} % wall "
        f"time (target < 10 %: {'OK' if oc < 10 else 'OVER'})"
    )
    print(
        f"  cross-checks: median of the per-repeat CPU ratios {pair:+.1f} %, "
        f"best-of-{args.repeats} CPU times {best:+.1f} %"
    )
    print("  same final parameters: yes")


if __name__ == "__main__":
    main()
