"""Write each script of a page once.

sphinx-thebe 0.3.1 registers its inline configuration (``const THEBE_JS_URL = ...``) in
``env-before-read-docs``, after the HTML builder exists. Sphinx 7.4 then holds it twice: the
builder's copy under filename ``None`` and, when the builder re-initialises its script list
from the registry, a copy under ``''``. Its de-duplication compares filenames, so both land on
every page, and the second ``const`` declaration throws ``SyntaxError: Identifier
'THEBE_JS_URL' has already been declared``. This extension drops such repeats from each page,
treating a missing filename and an empty one as the same (an inline script).
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _key(script) -> tuple:
    attrs = tuple(sorted((k, str(v)) for k, v in script.attributes.items()))
    return (script.filename or "", script.priority, attrs)


def drop_repeated_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict:
    # After every extension that adds scripts in html-page-context (mathjax, at 500).
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
