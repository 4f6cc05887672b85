"""Chapters, figures and equations are numbered by the table of contents, per chapter.

`_toc.yml` numbers the chapters (parts with ``numbered: true``, numbering continued across
parts); Sphinx's numfig then prefixes every figure, exercise and equation with its chapter
number: "Fig. 9.3", "Exercise 9.1", "(9.4)". The titles in the notebooks carry no number of
their own, so the page heading says "9. Adam and its family" once, not "9. 9. ...".

Two groups of tests:

- the sources (fast): the toc order is the order of the file prefixes, so the hand-typed
  "chapter 5" in the prose and the "#" column of intro.md's chapter map still name the right
  chapter; notebook titles carry no number;
- the built book (``book`` marker, after ``make book``): on each chapter page N the heading,
  every caption number and every equation number carry N, numbers are consecutive, and
  every numbered reference in the prose shows the number of the figure (or equation) it
  links to.

The page checks are plain functions over HTML text, tested first on synthetic pages that
break each rule, so they are known to fail when the numbering is wrong.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TOC = ROOT / "_toc.yml"
# The built book; OPTLIB_BUILD_HTML points the test at another build (e.g. a scratch book).
BUILD = Path(os.environ.get("OPTLIB_BUILD_HTML", ROOT / "_build" / "html"))
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


def numbered_chapters(toc_path: Path = TOC) -> list[str]:
    """The files of the toc's numbered parts, in order: entry i has chapter number i + 1."""
    toc = yaml.safe_load(toc_path.read_text())
    return [
        chapter["file"]
        for part in toc.get("parts", [])
        if part.get("numbered")
        for chapter in part["chapters"]
    ]


def unnumbered_files(toc_path: Path = TOC) -> list[str]:
    """The root and the files of parts without ``numbered`` (intro, back matter)."""
    toc = yaml.safe_load(toc_path.read_text())
    return [toc["root"]] + [
        chapter["file"]
        for part in toc.get("parts", [])
        if not part.get("numbered")
        for chapter in part["chapters"]
    ]


# -- reading a built page ----------------------------------------------------------------


@dataclass
class Page:
    """What a built page says about its numbering."""

    title: str = ""  # the <title> text
    h1: list[str] = field(default_factory=list)  # text of each <h1>, without the "#" link
    captions: list[tuple[str, str]] = field(default_factory=list)  # (number, target id)
    equations: list[tuple[str, str]] = field(default_factory=list)  # ("(9.1)", id)
    refs: list[tuple[str, str]] = field(default_factory=list)  # (href, shown text)


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[tuple[str, str | None, str]] = []  # (tag, id, class)
        self.capture: list[list] = []  # open captures: [kind, depth, text, extra]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag in VOID:
            return
        self.stack.append((tag, a.get("id"), cls))
        depth = len(self.stack)
        if tag == "title":
            self.capture.append(["title", depth, "", None])
        elif tag == "h1" and not any("onlyprint" in c.split() for _, _, c in self.stack):
            # the article's heading; the theme's print-only header repeats the bare title
            self.capture.append(["h1", depth, "", None])
        elif tag == "a" and "headerlink" in cls.split():
            self.capture.append(["skip", depth, "", None])
        elif tag == "span" and "caption-number" in cls.split():
            target = next((i for _, i, _ in reversed(self.stack[:-1]) if i), "")
            self.capture.append(["caption", depth, "", target])
        elif tag == "span" and "eqno" in cls.split():
            target = next((i for _, i, _ in reversed(self.stack[:-1]) if i), "")
            self.capture.append(["eqno", depth, "", target])
        elif tag == "a" and "reference" in cls.split() and "#" in a.get("href", ""):
            self.capture.append(["ref", depth, "", a["href"]])

    def handle_endtag(self, tag):
        if tag in VOID or not any(t == tag for t, _, _ in self.stack):
            return
        while self.stack:
            depth = len(self.stack)
            while self.capture and self.capture[-1][1] == depth:
                self._close(*self.capture.pop())
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self.capture and self.capture[-1][0] == "skip":
            return
        for c in self.capture:
            c[2] += data

    def _close(self, kind, _depth, text, extra):
        text = " ".join(text.split())
        if kind == "title":
            self.page.title = text
        elif kind == "h1":
            self.page.h1.append(text)
        elif kind == "caption":
            self.page.captions.append((text, extra))
        elif kind == "eqno":
            self.page.equations.append((text, extra))
        elif kind == "ref":
            self.page.refs.append((extra, text))


def read_page(html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.page


CAPTION = re.compile(r"^(?P<kind>[A-Z][a-z]+)\.? (?P<chapter>\d+)\.(?P<k>\d+)$")
EQNO = re.compile(r"^\((?P<chapter>\d+)\.(?P<k>\d+)\)$")
NUMREF = re.compile(r"^(?:Fig\.|Exercise|Table|Listing) \d+(?:\.\d+)*$")
EQREF = re.compile(r"^\(\d+(?:\.\d+)*\)$")


def page_problems(number: int, title: str, page: Page) -> list[str]:
    """Every way chapter page ``number`` (heading ``title``) is numbered wrongly."""
    problems = []
    want = f"{number}. {title}"
    headings = [h for h in page.h1 if h.strip()]
    if headings[:1] != [want]:
        problems.append(f"heading {headings[:1]}, expected [{want!r}]")
    if not page.title.startswith(f"{want} "):
        problems.append(f"<title> {page.title!r} does not start with {want!r}")
    for text in headings[:1] + [page.title]:
        if re.match(r"^\d+\.\s*\d+\.\s", text):
            problems.append(f"chapter number doubled in {text!r}")
    seen: dict[str, list[int]] = {}
    for text, target in page.captions:
        m = CAPTION.match(text)
        if not m or int(m["chapter"]) != number:
            problems.append(f"caption number {text!r} ({target}) is not '<kind> {number}.k'")
            continue
        seen.setdefault(m["kind"], []).append(int(m["k"]))
    for kind, ks in seen.items():
        if ks != list(range(1, len(ks) + 1)):
            problems.append(f"{kind} numbers {ks} are not 1..{len(ks)} in page order")
    eqs = []
    for text, target in page.equations:
        m = EQNO.match(text)
        if not m or int(m["chapter"]) != number:
            problems.append(f"equation number {text!r} ({target}) is not '({number}.k)'")
            continue
        eqs.append(int(m["k"]))
    if eqs != list(range(1, len(eqs) + 1)):
        problems.append(f"equation numbers {eqs} are not 1..{len(eqs)} in page order")
    return problems


def reference_problems(pages: dict[str, Page]) -> list[str]:
    """Numbered references (Fig. 9.3, Exercise 5.1, (9.4)) whose target is missing or shows
    another number. ``pages`` maps a page's path relative to the build root to the page."""
    numbers = {}
    for path, page in pages.items():
        for text, target in page.captions + page.equations:
            numbers[(path, target)] = text
    problems = []
    for path, page in pages.items():
        for href, text in page.refs:
            if not (NUMREF.match(text) or EQREF.match(text)):
                continue  # a plain link or a section reference
            where, _, anchor = href.partition("#")
            target_path = os.path.normpath(os.path.join(os.path.dirname(path), where)) if where else path
            shown = numbers.get((target_path, anchor))
            if shown is None:
                problems.append(f"{path}: {text!r} links to {href}, which has no number")
            elif shown.rstrip(".") != text:
                problems.append(f"{path}: {text!r} links to {href}, numbered {shown!r}")
    return problems


# -- the checks catch what they should (synthetic pages) ---------------------------------


def synthetic(number=9, title="Adam and its family", figs=(1, 2), eqs=(1, 2), head=None,
              refs=None) -> str:
    head = head if head is not None else f"{number}. {title}"
    sec = re.match(r"^(\d+\. )?(.*)$", head)
    figures = "".join(
        f'<figure id="fig-{k}"><img src="x.png"/><figcaption><p>'
        f'<span class="caption-number">Fig. {number}.{k} </span>'
        f'<span class="caption-text">A caption.</span></p></figcaption></figure>'
        for k in figs
    )
    equations = "".join(
        f'<div class="math" id="equation-e{k}"><span class="eqno">({number}.{k})'
        f'<a class="headerlink" href="#equation-e{k}">#</a></span>\\[x\\]</div>'
        for k in eqs
    )
    refs = refs if refs is not None else [("#fig-1", f"Fig. {number}.1"), ("#equation-e2", f"({number}.2)")]
    prose = "".join(
        f'<a class="reference internal" href="{h}"><span class="std std-numref">{t}</span></a>'
        for h, t in refs
    )
    return (
        f"<html><head><title>{head} &#8212; Book</title></head><body>"
        f'<h1><span class="section-number">{sec[1] or ""}</span>{sec[2]}'
        f'<a class="headerlink" href="#top">#</a></h1><p>{prose}</p>{figures}{equations}'
        "</body></html>"
    )


def test_a_well_numbered_page_passes():
    page = read_page(synthetic())
    assert page.h1 == ["9. Adam and its family"]
    assert page.captions == [("Fig. 9.1", "fig-1"), ("Fig. 9.2", "fig-2")]
    assert page.equations == [("(9.1)", "equation-e1"), ("(9.2)", "equation-e2")]
    assert page_problems(9, "Adam and its family", page) == []
    assert reference_problems({"chapters/09_adam.html": page}) == []


@pytest.mark.parametrize(
    "html, expected",
    [
        (synthetic(head="9. 9. Adam and its family"), "chapter number doubled"),
        (synthetic(head="Adam and its family"), "heading"),
        (synthetic(number=45), "caption number 'Fig. 45.1'"),  # numbered across the book
        (synthetic(figs=(1, 3)), "Fig numbers [1, 3]"),
        (synthetic(figs=(2, 1)), "Fig numbers [2, 1]"),
        (synthetic(eqs=(1, 1)), "equation numbers [1, 1]"),
    ],
)
def test_a_wrongly_numbered_page_is_caught(html, expected):
    problems = page_problems(9, "Adam and its family", read_page(html))
    assert any(expected in p for p in problems), problems


def test_numbers_without_the_chapter_are_caught():
    # what the book printed before the toc numbered it: "Fig. 45", "(45)"
    html = synthetic().replace("Fig. 9.1 ", "Fig. 45 ").replace("(9.1)", "(45)")
    problems = page_problems(9, "Adam and its family", read_page(html))
    assert any("'Fig. 45'" in p for p in problems) and any("'(45)'" in p for p in problems)


@pytest.mark.parametrize(
    "refs, expected",
    [
        ([("#fig-7", "Fig. 9.7")], "has no number"),  # a figure that does not exist
        ([("#fig-2", "Fig. 9.1")], "numbered 'Fig. 9.2'"),  # shows a stale number
        ([("#equation-e1", "(9.2)")], "numbered '(9.1)'"),
        ([("other.html#fig-1", "Fig. 3.1")], "has no number"),
    ],
)
def test_broken_references_are_caught(refs, expected):
    problems = reference_problems({"chapters/09_adam.html": read_page(synthetic(refs=refs))})
    assert any(expected in p for p in problems), problems


def test_references_across_pages_resolve():
    pages = {
        "chapters/03_lr.html": read_page(synthetic(number=3, title="LR")),
        "chapters/09_adam.html": read_page(
            synthetic(refs=[("03_lr.html#fig-2", "Fig. 3.2"), ("#fig-1", "Fig. 9.1")])
        ),
    }
    assert reference_problems(pages) == []


# -- the sources -------------------------------------------------------------------------


def test_toc_numbers_the_chapters_in_file_order():
    # chapters/NN_name is chapter NN: the toc's numbering and the file prefixes agree, so a
    # hand-typed "chapter 5" in the prose means chapters/05_*
    files = numbered_chapters()
    assert len(files) == 13, files
    for number, file in enumerate(files, start=1):
        assert re.fullmatch(rf"chapters/{number:02d}_\w+", file), (number, file)
    assert {"intro", "references"} <= set(unnumbered_files())


@pytest.mark.parametrize("file", numbered_chapters(), ids=lambda f: Path(f).name)
def test_chapter_title_has_no_typed_number(file):
    nb = nbformat.read(ROOT / f"{file}.ipynb", as_version=4)
    first = nb.cells[0].source.splitlines()[0]
    assert first.startswith("# ") and not re.match(r"#\s*\d", first), first


def test_chapters_named_in_the_prose_exist():
    count = len(numbered_chapters())
    for file in numbered_chapters():
        nb = nbformat.read(ROOT / f"{file}.ipynb", as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        for m in re.finditer(r"[Cc]hapters? (\d+)((?:(?:,|-| and| to) *\d+)*)", text):
            for n in map(int, re.findall(r"\d+", m[0])):
                assert 1 <= n <= count, f"{file}: {m[0]!r}"


def test_intro_chapter_map_matches_the_toc():
    rows = re.findall(r"^\| (\d+) \| \{doc\}`([^`]+)`", (ROOT / "intro.md").read_text(), re.M)
    assert [(int(n), f) for n, f in rows] == list(enumerate(numbered_chapters(), start=1))


# -- the built book ----------------------------------------------------------------------


def chapter_title(file: str) -> str:
    nb = nbformat.read(ROOT / f"{file}.ipynb", as_version=4)
    return nb.cells[0].source.splitlines()[0].removeprefix("# ").strip()


def built(file: str) -> Path:
    return BUILD / f"{file}.html"


def require_build():
    if not (BUILD / "intro.html").is_file():
        pytest.fail(f"no built book at {BUILD}: run `make book` first")


@pytest.mark.book
@pytest.mark.parametrize(
    "number, file", list(enumerate(numbered_chapters(), start=1)), ids=lambda x: str(x)
)
def test_chapter_page_is_numbered_by_chapter(number, file):
    require_build()
    page = read_page(built(file).read_text())
    assert page_problems(number, chapter_title(file), page) == []
    # every chapter of this book has figures and captions
    assert any(text.startswith(f"Fig. {number}.") for text, _ in page.captions)


@pytest.mark.book
def test_intro_and_back_matter_are_not_numbered():
    require_build()
    for file in unnumbered_files():
        page = read_page(built(file).read_text())
        assert not re.match(r"^\d", page.title), (file, page.title)
        assert not any(re.match(r"^\d", h) for h in page.h1), (file, page.h1)


@pytest.mark.book
def test_numbered_references_resolve():
    require_build()
    files = numbered_chapters() + unnumbered_files()
    pages = {f"{f}.html": read_page(built(f).read_text()) for f in files}
    refs = [r for p in pages.values() for r in p.refs if NUMREF.match(r[1]) or EQREF.match(r[1])]
    assert len(refs) > 50  # the prose does use numbered references
    assert reference_problems(pages) == []
