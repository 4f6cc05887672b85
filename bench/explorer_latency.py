"""Input-to-redraw latency of a live explorer in the static page, in headless Chromium.

Target (issue 15): median under 16 ms (one frame at 60 Hz) for 4 optimizers x 500 steps on
Rosenbrock; the kernel round trip of the widget was 70-83 ms. An Explorer's static HTML is
loaded (no book, no kernel) and two inputs are repeated:

- a learning-rate slider moved (an ``input`` event): the engine reruns all four runs;
- the start point dragged (``pointermove`` on the landscape): the same, from a new start.

Each is timed from the event to the canvas being rasterized (``getImageData`` forces the
pending drawing), inside the page, so it counts what a reader waits for. The engine alone
(``ENGINE.run`` of the same settings) is printed apart.

    .venv/bin/python bench/explorer_latency.py
    .venv/bin/python bench/explorer_latency.py --repeat 100
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
from pathlib import Path

from optlib import landscapes as L
from optlib import viz
from optlib.optim import SGD, Adam, RMSprop

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MS = 16.0
SPEC = {
    "SGD": (SGD, {"lr": 1e-3}),
    "momentum": (SGD, {"lr": 1e-3, "momentum": 0.9}),
    "RMSprop": (RMSprop, {"lr": 1e-2}),
    "Adam": (Adam, {"lr": 0.05}),
}

MEASURE = """([kind, n]) => {
  const root = document.querySelector('.optlib-player');
  const lr = root.querySelector("input[id$='-r0-lr']");
  const map = root.querySelector('canvas.optlib-map');
  const plot = root.optlibPlayer.state().plot;
  const b = map.getBoundingClientRect();
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    if (kind === 'lr') {
      lr.value = String(-3 + (i % 20) * 0.05);
      lr.dispatchEvent(new Event('input', { bubbles: true }));
    } else {
      const u = 0.2 + 0.6 * ((i * 7) % 20) / 20, v = 0.3 + 0.5 * ((i * 3) % 20) / 20;
      const at = { clientX: b.left + plot.x + u * plot.w, clientY: b.top + plot.y + v * plot.h,
        pointerId: 1, bubbles: true };
      if (i === 0) map.dispatchEvent(new PointerEvent('pointerdown', at));
      map.dispatchEvent(new PointerEvent('pointermove', at));
    }
    map.getContext('2d').getImageData(0, 0, 1, 1);
    root.querySelector('canvas.optlib-losschart').getContext('2d').getImageData(0, 0, 1, 1);
    times.push(performance.now() - t0);
  }
  map.dispatchEvent(new PointerEvent('pointerup', { pointerId: 1, bubbles: true }));
  return times;
}"""


def chromium() -> str:
    spec = importlib.util.spec_from_file_location("_chromium", ROOT / "_ext" / "chromium.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import os

    exe = module.present(dict(os.environ))
    if exe is None:
        raise SystemExit("no Chromium: run `make browser` or set CHROMIUM")
    return exe


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=60)
    ap.add_argument("--steps", type=int, default=500)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    html = viz.Explorer(L.rosenbrock, SPEC, steps=args.steps).to_html()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium(), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.set_content(f"<!DOCTYPE html><html><body>{html}</body></html>")
        settings = page.evaluate(
            "() => document.querySelector('.optlib-player').optlibPlayer.settings()"
        )
        print(
            f"{len(settings['runs'])} optimizers x {settings['steps']} steps on "
            f"{settings['landscape']}, {args.repeat} inputs each (after 10 warm-up inputs)"
        )
        for kind, name in (("lr", "learning-rate slider"), ("drag", "start point dragged")):
            page.evaluate(MEASURE, [kind, 10])
            ms = page.evaluate(MEASURE, [kind, args.repeat])
            med = statistics.median(ms)
            print(
                f"{name:22s} input -> redraw: median {med:5.2f} ms, p90 "
                f"{sorted(ms)[int(0.9 * len(ms))]:5.2f} ms, max {max(ms):5.2f} ms "
                f"(target < {BUDGET_MS:.0f} ms: {'OK' if med < BUDGET_MS else 'MISSED'})"
            )
        engine = page.evaluate(
            """(s) => { const t = []; for (let i = 0; i < 30; i++) {
                 const t0 = performance.now(); optlibPlayer.engine.run(s);
                 t.push(performance.now() - t0); }
               t.sort((a, b) => a - b); return t[15]; }""",
            settings,
        )
        print(f"the engine alone (ENGINE.run of the same settings): median {engine:.2f} ms")
        browser.close()


if __name__ == "__main__":
    main()
