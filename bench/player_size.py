"""Page weight of the static player, against FuncAnimation.to_jshtml of the same runs.

Targets (issue: "Performance"): a page with three players weighs under 1.5 MB in all (HTML
plus its images), one player is at least 20x smaller than ``to_jshtml`` of the same
trajectories, and the player's script and style, minified, take under 40 KB (issue: live
explorers).

1. The page: a small Jupyter Book is built in a temporary folder, with this repository's
   _config.yml, from one notebook that shows three explorers (the heaviest way a chapter shows
   a player: the book also embeds the widget state). Its HTML plus every image it references
   is the page weight; the theme's shared CSS/JS (cached once for the whole book) is printed
   apart. --no-book skips the build and measures a plain page with the three players.
2. One player of three optimizers x 100 steps, against ``to_jshtml`` of a figure that shows the
   same thing (contours with the paths growing, the loss curves beside them), one frame per step.

    .venv/bin/python bench/player_size.py
    .venv/bin/python bench/player_size.py --no-book
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from optlib import landscapes as L
from optlib import viz
from optlib.optim import SGD, Adam
from optlib.trajectory import run_many

ROOT = Path(__file__).resolve().parents[1]
PAGE_BUDGET = 1.5e6
RATIO_TARGET = 20.0
ASSETS_BUDGET = 40e3

CELLS = [
    "from optlib import landscapes as L, viz\nfrom optlib.optim import SGD, Adam, RMSprop",
    "viz.Explorer(L.rosenbrock, {'SGD': (SGD, {'lr': 1e-3}), "
    "'momentum': (SGD, {'lr': 1e-3, 'momentum': 0.9}),\n"
    "                            'RMSprop': (RMSprop, {'lr': 1e-2}), "
    "'Adam': (Adam, {'lr': 0.05})}, steps=300)",
    "viz.Explorer(L.valley, {'lr 0.1': (SGD, {'lr': 0.1}), 'lr 0.45': (SGD, {'lr': 0.45}),\n"
    "                        'lr 0.55': (SGD, {'lr': 0.55}), "
    "'momentum': (SGD, {'lr': 0.1, 'momentum': 0.8})}, steps=300)",
    "viz.Explorer(L.himmelblau, {'SGD': (SGD, {'lr': 0.01}), 'Adam': (Adam, {'lr': 0.1}),\n"
    "                            'RMSprop': (RMSprop, {'lr': 0.05})}, steps=300)",
]


def kb(n: float) -> str:
    return f"{n / 1e3:,.1f} KB" if n < 1e6 else f"{n / 1e6:,.2f} MB"


def book_page() -> tuple[int, int, int, int]:
    """Build a one-page book; return (html bytes, image bytes, players, shared theme bytes)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "book"
        src.mkdir()
        shutil.copy(ROOT / "_config.yml", src / "_config.yml")
        shutil.copy(ROOT / "references.bib", src / "references.bib")
        shutil.copytree(ROOT / "_ext", src / "_ext")  # the book's local Sphinx extensions
        if (
            ROOT / "_static"
        ).is_dir():  # the book's own CSS (dark mode of figures), as on every page
            shutil.copytree(ROOT / "_static", src / "_static")
        (src / "_toc.yml").write_text(
            "format: jb-book\nroot: intro\nchapters:\n  - file: three_players\n"
        )
        (src / "intro.md").write_text("# Bench\n\nA page with three explorers.\n")
        nb = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_markdown_cell("# Three explorers")]
            + [nbformat.v4.new_code_cell(c) for c in CELLS]
        )
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nbformat.write(nb, src / "three_players.ipynb")
        jb = Path(sys.executable).with_name("jupyter-book")
        start = time.perf_counter()
        subprocess.run([str(jb), "build", str(src), "--quiet"], check=True, capture_output=True)
        print(f"built a one-page book in {time.perf_counter() - start:.0f} s")
        out = src / "_build" / "html"
        page = out / "three_players.html"
        html = page.read_text(encoding="utf-8")
        images = re.findall(r'<img[^>]+src="([^"]+)"', html)
        img_bytes = sum(
            (page.parent / s).stat().st_size for s in images if not s.startswith("data:")
        )
        shared = sum(p.stat().st_size for p in (out / "_static").rglob("*") if p.is_file())
        for css in sorted((ROOT / "_static").glob("*.css")):
            linked = f'href="_static/{css.name}' in html
            print(f"_static/{css.name} linked from the page: {'yes' if linked else 'NO'}")
        return len(html.encode()), img_bytes, html.count("data-optlib-player="), shared


def plain_page() -> tuple[int, int, int, int]:
    ns: dict = {}
    exec(CELLS[0], ns)
    html = "".join(eval(c, ns).to_html() for c in CELLS[1:])  # noqa: S307 - our own cells
    return len(html.encode()), 0, html.count("data-optlib-player="), 0


def jshtml_vs_player(steps: int = 100) -> tuple[int, int, float]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    runs = run_many(
        L.rosenbrock,
        {
            "SGD": (SGD, {"lr": 1e-3}),
            "momentum": (SGD, {"lr": 1e-3, "momentum": 0.9}),
            "Adam": (Adam, {"lr": 0.05}),
        },
        L.rosenbrock.start,
        steps,
    )
    player_bytes = len(viz.player(L.rosenbrock, runs).to_html().encode())

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(9, 4))
    viz.contour(L.rosenbrock, ax=ax, log=True)
    lines, curves = [], []
    for i, (label, _t) in enumerate(runs.items()):
        color = viz.PALETTE[i]
        lines.append(ax.plot([], [], "o-", color=color, ms=2.5, lw=1.8, label=label)[0])
        curves.append(ax2.plot([], [], color=color, lw=1.8, label=label)[0])
    ax2.set(
        xlim=(0, steps),
        ylim=(
            min(t.losses.min() for t in runs.values()) * 0.8,
            max(t.losses.max() for t in runs.values()) * 1.2,
        ),
        yscale="log",
        xlabel="step",
        ylabel="loss",
    )
    ax2.legend(fontsize=8)

    def frame(k):
        for (_label, t), line, curve in zip(runs.items(), lines, curves, strict=True):
            line.set_data(t.points[: k + 1, 0], t.points[: k + 1, 1])
            curve.set_data(range(k + 1), t.losses[: k + 1])
        return lines + curves

    matplotlib.rcParams["animation.embed_limit"] = 500  # MB; the default 20 MB would cut it short
    anim = FuncAnimation(fig, frame, frames=steps + 1, interval=50)
    start = time.perf_counter()
    js = anim.to_jshtml()
    seconds = time.perf_counter() - start
    plt.close(fig)
    return player_bytes, len(js.encode()), seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--no-book", action="store_true", help="measure a plain page instead of building a book"
    )
    args = ap.parse_args()

    import gzip

    import rjsmin

    from optlib.viz import _assets

    script, style = len(_assets.library().encode()), len(_assets.style().encode())
    engine = len(rjsmin.jsmin(_assets._part("engine.js")).encode())
    print(
        f"player script {kb(script)} (of which the engine {kb(engine)}) + style {kb(style)} = "
        f"{kb(script + style)} minified "
        f"(target < {kb(ASSETS_BUDGET)}: {'OK' if script + style < ASSETS_BUDGET else 'MISSED'}); "
        f"gzip {kb(len(gzip.compress((_assets.library() + _assets.style()).encode())))}"
    )
    html, images, players, shared = plain_page() if args.no_book else book_page()
    total = html + images
    print(
        f"page with {players} players ({'plain page' if args.no_book else 'built book page'}): "
        f"HTML {kb(html)} + images {kb(images)} = {kb(total)}"
        + (f"   (theme CSS/JS shared by every page, cached: {kb(shared)})" if shared else "")
    )

    player_bytes, js_bytes, seconds = jshtml_vs_player()
    print(
        f"one player, 3 optimizers x 100 steps: {kb(player_bytes)}; "
        f"FuncAnimation.to_jshtml of the same runs (101 frames): {kb(js_bytes)}, "
        f"rendered in {seconds:.1f} s"
    )
    print()
    print(f"{'':34s}{'player':>12s}{'to_jshtml':>12s}{'ratio':>8s}")
    print(
        f"{'3 optimizers x 100 steps':34s}{kb(player_bytes):>12s}{kb(js_bytes):>12s}"
        f"{js_bytes / player_bytes:>7.0f}x"
    )
    print(
        f"target: page < {kb(PAGE_BUDGET)} -> "
        f"{'OK' if total < PAGE_BUDGET else 'MISSED'} ({kb(total)}); "
        f"player >= {RATIO_TARGET:.0f}x smaller -> "
        f"{'OK' if js_bytes / player_bytes >= RATIO_TARGET else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
