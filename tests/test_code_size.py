"""No function in the training and stopping code is longer than 80 lines of code (issue 13).

Lines of code: lines of the function that are not blank, not comments and not its docstring.
The trajectory and viz modules are being split by their own refactors; add them here when
they meet the same bound.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import optlib

ROOT = Path(optlib.__file__).parent
CHECKED = [
    *sorted((ROOT / "train").glob("*.py")),
    ROOT / "stopping.py",
    ROOT / "history.py",
    ROOT / "_argcheck.py",
]
LIMIT = 80


def lines_of_code(source: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    doc: set[int] = set()
    first = node.body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        doc = set(range(first.lineno, first.end_lineno + 1))
    return sum(
        1
        for i in range(node.lineno, node.end_lineno + 1)
        if i not in doc and source[i - 1].strip() and not source[i - 1].strip().startswith("#")
    )


def test_the_count_skips_docstrings_comments_and_blank_lines():
    src = 'def f(x):\n    """Doc\n\n    more."""\n    # a comment\n\n    y = x\n    return y\n'
    node = ast.parse(src).body[0]
    assert lines_of_code(src.splitlines(), node) == 3


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_over_80_lines_of_code(path):
    source = path.read_text()
    lines = source.splitlines()
    long = {
        f"{n.name}:{n.lineno}": lines_of_code(lines, n)
        for n in ast.walk(ast.parse(source))
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    assert {k: v for k, v in long.items() if v > LIMIT} == {}
