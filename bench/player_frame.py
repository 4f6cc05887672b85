"""Frame time of the static player late in a long run, in headless Chromium.

A path of 100,000 steps (three optimizers racing on Rosenbrock) is loaded, the player is put at
step 99,000, and then advanced one step at a time, as playing does. Each frame is timed from
the slider's input event to the canvas being rasterized (``getImageData`` forces the pending
drawing), so it counts what a reader waits for. Target: the median frame under 16 ms (one
frame at 60 Hz). The same frames while playing are also measured as the intervals between
animation frames.

    .venv/bin/python bench/player_frame.py
    PYTHONPATH=/path/to/an/old/checkout .venv/bin/python bench/player_frame.py   # before/after
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from optlib import landscapes as L
from optlib import viz
from optlib.optim import SGD, Adam
from optlib.trajectory import run_many

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
BUDGET_MS = 16.0

FRAMES_JS = """async ([from, count]) => {
  const root = document.querySelector("[data-optlib-player]");
  const slider = root.querySelector("input[type=range]");
  const canvases = [...root.querySelectorAll("canvas")];
  const show = (k) => {
    slider.value = String(k);
    slider.dispatchEvent(new Event("input"));
    for (const c of canvases) c.getContext("2d").getImageData(0, 0, 1, 1);
  };
  let t = performance.now();
  show(from);
  const first = performance.now() - t;
  const times = [];
  for (let k = 1; k <= count; k++) {
    t = performance.now();
    show(from + k);
    times.push(performance.now() - t);
  }
  return { first, times, step: root.optlibPlayer.state().step };
}"""

PLAYING_JS = """async ([from, ms]) => {
  const root = document.querySelector("[data-optlib-player]");
  const slider = root.querySelector("input[type=range]");
  slider.value = String(from);
  slider.dispatchEvent(new Event("input"));
  root.querySelector("select").value = "4";
  root.querySelector("select").dispatchEvent(new Event("change"));
  root.querySelector("button.optlib-play").click();
  const stamps = [];
  const end = performance.now() + ms;
  await new Promise((done) => {
    const f = (ts) => { stamps.push(ts); if (ts < end) requestAnimationFrame(f); else done(); };
    requestAnimationFrame(f);
  });
  root.querySelector("button.optlib-play").click();
  return { intervals: stamps.slice(1).map((s, i) => s - stamps[i]), step: root.optlibPlayer.state().step };
}"""  # noqa: E501 - JavaScript source, kept as written


def long_runs(steps: int) -> dict:
    """A chapter's race on Rosenbrock, run for ``steps`` steps by optlib (about 40 s of CPU)."""
    return run_many(
        L.rosenbrock,
        {
            "SGD": (SGD, {"lr": 2e-4}),
            "momentum": (SGD, {"lr": 2e-4, "momentum": 0.9}),
            "Adam": (Adam, {"lr": 1e-3}),
        },
        L.rosenbrock.start,
        steps,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--at", type=int, default=99_000)
    ap.add_argument("--frames", type=int, default=60)
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    player = viz.player(L.rosenbrock, long_runs(args.steps), title=f"{args.steps:,} steps")
    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "long.html"
        player.save(str(page_path))
        size = page_path.stat().st_size
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            start = time.perf_counter()
            page.goto(page_path.as_uri(), wait_until="load")
            page.wait_for_function("document.querySelector('[data-optlib-player]').optlibPlayer")
            load = time.perf_counter() - start
            frames = page.evaluate(FRAMES_JS, [args.at, args.frames])
            playing = page.evaluate(PLAYING_JS, [args.at, 2000])
            browser.close()
    med = statistics.median(frames["times"])
    print(
        f"page: 3 runs x {args.steps:,} steps, {size / 1e6:.1f} MB of HTML, "
        f"loaded and drawn in {load:.1f} s"
    )
    print(f"jump to step {args.at:,} (draws the prefix once): {frames['first']:.1f} ms")
    print(
        f"next {args.frames} steps one by one: median {med:.2f} ms, "
        f"max {max(frames['times']):.1f} ms per frame"
    )
    iv = playing["intervals"]
    print(
        f"playing at 4x from step {args.at:,} for 2 s: {len(iv)} frames, median interval "
        f"{statistics.median(iv):.1f} ms, 95th percentile {np.percentile(iv, 95):.1f} ms"
    )
    print(
        f"target: median frame < {BUDGET_MS:.0f} ms -> "
        f"{'OK' if med < BUDGET_MS else 'MISSED'} ({med:.2f} ms)"
    )


if __name__ == "__main__":
    main()
