"""Speed and weight of the browser engine (optlib/viz/engine.js), measured in Chromium.

Targets (issue 15, "Numbers"):

1. Input-to-redraw latency under one frame: ``run`` for 4 optimizers x 500 steps on Rosenbrock
   must take well under 16 ms (median), leaving the rest of the frame to drawing.
2. Weight: the player's script and style plus the engine, minified, under 40 KB per page.

The timing runs inside the page (``performance.now()`` around ``optlibEngine.run``), after a
warm-up so V8 has optimized the code, as a reader's second and later slider moves are. The
first (cold) call is printed apart.

    .venv/bin/python bench/engine_speed.py
    .venv/bin/python bench/engine_speed.py --repeats 500
"""

from __future__ import annotations

import argparse
import gzip
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIZ = ROOT / "optlib" / "viz"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
FRAME_MS = 16.0
BUDGET = 40 * 1024

SETTINGS = dict(
    landscape="rosenbrock",
    start=[-1.5, 2.0],
    steps=500,
    runs=[
        dict(optimizer="SGD", hparams=dict(lr=1e-3, momentum=0.9)),
        dict(optimizer="RMSprop", hparams=dict(lr=1e-2)),
        dict(optimizer="Adam", hparams=dict(lr=0.1)),
        dict(optimizer="NAdam", hparams=dict(lr=0.05)),
    ],
)

# Each sample times INNER calls in a row and divides: the page's clock ticks in 0.1 ms steps.
INNER = 10
TIME_JS = """([settings, warmup, repeats, inner]) => {
  const t0 = performance.now();
  optlibEngine.run(settings);
  const cold = performance.now() - t0;
  for (let i = 0; i < warmup; i++) optlibEngine.run(settings);
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const s = performance.now();
    for (let j = 0; j < inner; j++) optlibEngine.run(settings);
    times.push((performance.now() - s) / inner);
  }
  return { cold, times };
}"""


def minify(source: str) -> str:
    try:
        import rjsmin
    except ImportError as err:  # not in requirements.txt yet
        raise SystemExit(
            "bench/engine_speed.py needs rjsmin: .venv/bin/pip install rjsmin==1.3.0"
        ) from err
    return rjsmin.jsmin(source)


def minify_css(source: str) -> str:
    try:
        import rcssmin

        return rcssmin.cssmin(source)
    except ImportError:
        return " ".join(source.split())


def sizes() -> None:
    engine = (VIZ / "engine.js").read_text()
    player = (VIZ / "player.js").read_text() if (VIZ / "player.js").exists() else ""
    css = (VIZ / "player.css").read_text() if (VIZ / "player.css").exists() else ""
    rows = [
        ("engine.js", engine, minify(engine)),
        ("player.js", player, minify(player)),
        ("player.css", css, minify_css(css)),
    ]
    print(f"{'file':<12} {'source':>9} {'minified':>9} {'min+gzip':>9}")
    total = total_gz = 0
    for name, src, mini in rows:
        gz = len(gzip.compress(mini.encode(), 9))
        total += len(mini.encode())
        total_gz += gz
        print(f"{name:<12} {len(src.encode()):>9,} {len(mini.encode()):>9,} {gz:>9,}")
    verdict = "within" if total <= BUDGET else "OVER"
    print(
        f"{'per page':<12} {'':>9} {total:>9,} {total_gz:>9,}   "
        f"({verdict} the {BUDGET:,} B budget, minified)"
    )


def timing(warmup: int, repeats: int) -> None:
    from playwright.sync_api import sync_playwright

    engine = (VIZ / "engine.js").read_text()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.route("**/*", lambda route: route.abort())
        page.set_content(f"<!doctype html><script>{engine}</script>")
        out = page.evaluate(TIME_JS, [SETTINGS, warmup, repeats, INNER])
        version = browser.version
        browser.close()
    times = sorted(out["times"])
    med = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    n = len(SETTINGS["runs"])
    print(
        f"Chromium {version}: run() of {n} optimizers x {SETTINGS['steps']} steps on "
        f"{SETTINGS['landscape']}, {repeats} samples of {INNER} calls after {warmup} warm-up calls"
    )
    print(
        f"  median {med:.3f} ms   p95 {p95:.3f} ms   min {times[0]:.3f} ms   "
        f"first (cold) call {out['cold']:.2f} ms"
    )
    verdict = "under" if med < FRAME_MS else "OVER"
    print(f"  median is {verdict} one frame ({FRAME_MS:g} ms): {med / FRAME_MS:.0%} of it")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    timing(args.warmup, args.repeats)
    sizes()


if __name__ == "__main__":
    main()
