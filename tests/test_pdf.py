"""``make pdf`` end to end: the built book printed by Chromium and joined into one PDF.

Runs ``_ext/make_pdf.py`` on the built pages (``book`` marker: needs ``make book``) into a
temporary file, then reads the PDF back with pypdf: one bookmark per page of the table of
contents in its order, at least a page per chapter, the chapter titles in the text, and no raw
TeX (MathJax typeset every formula before printing).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("OPTLIB_BUILD_HTML", ROOT / "_build" / "html"))


def unnumbered(title: str) -> str:
    """``"9. Adam and its family"`` -> ``"Adam and its family"`` (typed or toc numbers alike)."""
    return re.sub(r"^\d+(\.\d+)*\.?\s+", "", " ".join(title.split()))


def chapter_titles() -> list[str]:
    """Each chapter notebook's first heading, without a chapter number."""
    titles = []
    for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        heading = next(line for c in cells if c["cell_type"] == "markdown"
                       for line in "".join(c["source"]).splitlines() if line.startswith("# "))
        titles.append(unnumbered(heading[2:]))
    return titles


@pytest.fixture(scope="module")
def book_pdf(tmp_path_factory) -> Path:
    if not BUILD.is_dir():
        pytest.fail(f"no built book at {BUILD}: run `make book` first")
    out = tmp_path_factory.mktemp("pdf") / "book.pdf"
    r = subprocess.run([sys.executable, str(ROOT / "_ext" / "make_pdf.py"), "--html", str(BUILD), "--out", str(out)],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return out


@pytest.mark.book
def test_pdf_holds_every_page_of_the_toc_in_order(book_pdf):
    from pypdf import PdfReader

    reader = PdfReader(book_pdf)
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    n_pages = 1 + sum(len(p["chapters"]) for p in toc["parts"])
    titles = chapter_titles()
    assert len(reader.pages) >= len(titles) + 2
    marks = [(o.title, reader.get_destination_page_number(o)) for o in reader.outline]
    assert len(marks) == n_pages
    starts = [page for _, page in marks]
    assert starts == sorted(set(starts)) and starts[0] == 0, "one bookmark per page, in toc order"
    assert [unnumbered(t) for t, _ in marks[1:1 + len(titles)]] == titles
    assert marks[-1][0] == "References"


@pytest.mark.book
def test_pdf_text_has_the_chapters_and_no_raw_tex(book_pdf):
    from pypdf import PdfReader

    reader = PdfReader(book_pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for title in chapter_titles():
        assert title in " ".join(text.split()), title
    for raw in ["\\(", "\\[", "$$"]:
        assert raw not in text, f"raw TeX {raw!r} in the PDF: MathJax did not finish before printing"
