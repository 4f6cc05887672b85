"""Print the built book to one PDF: ``_build/pdf/book.pdf`` (``make pdf``).

    python _ext/make_pdf.py [--html _build/html] [--out _build/pdf/book.pdf]

Each page of the table of contents, in its order (the landing page, the chapters, the
references), is opened from disk in the same headless Chromium the browser tests use
(``$CHROMIUM``, else ``_ext/chromium.py``'s choice) and printed with ``page.pdf``; pypdf joins
the pieces and adds one bookmark per page. Before printing: print media is emulated and the
``beforeprint`` event sent (the players then draw a still of their complete runs), MathJax has
finished typesetting, and PRINT_CSS hides the navigation and lets wide code and tables wrap.
Network requests are refused: the PDF is made from the book's own files only.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

import yaml
from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from chromium import present  # noqa: E402  (the sibling module in _ext/)

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Added to the theme's own print rules: only the article, full width, nothing cut at the edge.
PRINT_CSS = """
@media print {
  .bd-header, .bd-header-article, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer,
  .bd-footer-article, .bd-footer-content, .prev-next-area, .header-article, #pst-back-to-top,
  .copybtn, button.copybtn, .headerlink, .skip-link, .search-button-field,
  .theme-switch-button, .primary-toggle, .secondary-toggle { display: none !important; }
  .bd-page-width, .bd-container, .bd-container__inner, .bd-main, .bd-content,
  .bd-article-container, .bd-article { max-width: none !important; width: 100% !important;
                                       margin: 0 !important; padding: 0 !important; }
  pre, pre code, .highlight pre, div.output pre { white-space: pre-wrap !important;
      overflow-wrap: anywhere; overflow: visible !important; max-height: none !important; }
  .table-wrapper, .pst-scrollable-table-container, div.cell_output, div.output,
  .output_area { overflow: visible !important; max-height: none !important; }
  table { max-width: 100% !important; table-layout: auto; }
  table td, table th { white-space: normal !important; overflow-wrap: anywhere; }
  img, svg { max-width: 100% !important; height: auto; }
  mjx-container[display="true"] { overflow: visible !important; }
  figure, .cell_output img, [data-optlib-player], mjx-container[display="true"] {
      break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; }
}
"""

MATH_DONE = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  await document.fonts.ready;
}"""


def toc_pages(html: Path) -> list[Path]:
    """The book's pages in the order of _toc.yml (root first)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        files += [c["file"] for c in part["chapters"]]
    pages = [html / f"{Path(f).with_suffix('')}.html" for f in files]
    missing = [p for p in pages if not p.is_file()]
    if missing:
        raise SystemExit(f"pages missing from {html}: {[str(p) for p in missing]}; run `make book`")
    return pages


def print_page(browser, path: Path) -> tuple[bytes, str]:
    """One page as PDF bytes, and its title for the bookmark."""
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
    )
    page.goto(path.as_uri(), wait_until="load")
    page.evaluate(MATH_DONE)
    page.add_style_tag(content=PRINT_CSS)
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_timeout(200)
    title = page.evaluate(
        "() => (document.querySelector('main h1') || document.querySelector('h1') || document)"
        ".textContent"
    )
    pdf = page.pdf(
        format="A4",
        print_background=True,
        prefer_css_page_size=False,
        margin={"top": "14mm", "bottom": "14mm", "left": "14mm", "right": "14mm"},
    )
    page.close()
    return pdf, " ".join(str(title or path.stem).replace("#", "").split())


def make_pdf(html: Path, out: Path, executable: str) -> int:
    """Write the joined PDF to ``out``; return its page count."""
    from playwright.sync_api import sync_playwright

    writer = PdfWriter()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=ARGS)
        for path in toc_pages(html):
            t0 = time.perf_counter()
            pdf, title = print_page(browser, path)
            start = len(writer.pages)
            writer.append(PdfReader(io.BytesIO(pdf)))
            writer.add_outline_item(title=title, page_number=start)
            print(
                f"{path.relative_to(html)}: {len(writer.pages) - start} pages, "
                f"{time.perf_counter() - t0:.1f} s",
                file=sys.stderr,
            )
        browser.close()
    writer.add_metadata({"/Title": "Optimization for Deep Learning"})
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as f:
        writer.write(f)
    return len(writer.pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf" / "book.pdf")
    args = parser.parse_args()
    executable = present(dict(os.environ))
    if executable is None:
        raise SystemExit("Chromium is missing: run `make browser` (installs it) or set CHROMIUM")
    n = make_pdf(args.html, args.out, executable)
    print(f"{args.out}: {n} pages, {args.out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
