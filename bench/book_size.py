"""Weight of the built book: in all, its heaviest chapter page, and the PDF.

Targets (issue #10): the heaviest chapter page with the images it references under 2 MB; the
PDF (``make pdf``) under 30 MB. The total is printed with its parts: the theme's shared files
and MathJax (``_static/``, fetched once for the whole book) and the pages with their images.

    make book && make pdf && .venv/bin/python bench/book_size.py
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
PAGE_BUDGET = 2e6
PDF_BUDGET = 30e6
IMG_SRC = re.compile(r'<img[^>]*?\ssrc="([^"#?]+)', re.I)


def size(path: Path) -> int:
    return (
        sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        if path.is_dir()
        else path.stat().st_size
    )


def page_weight(page: Path) -> tuple[int, int, int]:
    """(HTML bytes, bytes of the distinct images it references, their count)."""
    html = page.read_text(encoding="utf-8", errors="replace")
    images = {
        (page.parent / unquote(src)).resolve() for src in IMG_SRC.findall(html) if "://" not in src
    }
    images = {p for p in images if p.is_file()}
    return page.stat().st_size, sum(p.stat().st_size for p in images), len(images)


def mb(n: float) -> str:
    return f"{n / 1e6:6.2f} MB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    ap.add_argument("--pdf", type=Path, default=ROOT / "_build" / "pdf" / "book.pdf")
    args = ap.parse_args()
    if not args.html.is_dir():
        print(f"no built book at {args.html}: run `make book` first")
        return

    total, static = size(args.html), size(args.html / "_static")
    mathjax = (
        size(args.html / "_static" / "mathjax")
        if (args.html / "_static" / "mathjax").is_dir()
        else 0
    )
    print(
        f"book ({args.html.relative_to(ROOT) if args.html.is_relative_to(ROOT) else args.html}): "
        f"{mb(total)} in all"
    )
    print(
        f"  _static/ (theme, scripts, fonts: shared) {mb(static)}, of which MathJax {mb(mathjax)}"
    )
    print(
        f"  _images/ {mb(size(args.html / '_images'))}, "
        f"_sources/ {mb(size(args.html / '_sources'))}"
    )

    rows = []
    for page in sorted((args.html / "chapters").glob("*.html")):
        html, img, n = page_weight(page)
        rows.append((html + img, page.stem, html, img, n))
    print(f"\n{'chapter page':28s} {'HTML':>10s} {'images':>10s} {'n':>3s} {'total':>10s}")
    for tot, name, html, img, n in rows:
        print(f"{name:28s} {mb(html)} {mb(img)} {n:3d} {mb(tot)}")
    tot, name, *_ = max(rows)
    print(
        f"\nheaviest chapter page: {name}, {mb(tot).strip()} with its images "
        f"(target < {PAGE_BUDGET / 1e6:.0f} MB: {'ok' if tot < PAGE_BUDGET else 'OVER'})"
    )

    if args.pdf.is_file():
        pdf = args.pdf.stat().st_size
        print(
            f"PDF {args.pdf.name}: {mb(pdf).strip()} (target < {PDF_BUDGET / 1e6:.0f} MB: "
            f"{'ok' if pdf < PDF_BUDGET else 'OVER'})"
        )
    else:
        print(f"PDF: not built ({args.pdf}): run `make pdf`")


if __name__ == "__main__":
    main()
