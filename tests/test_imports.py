"""optlib's modules import each other without a cycle.

The graph is read from the source with ``ast``, without importing anything. An edge goes from
a module to every optlib module it imports at module level, and to that module's parent
packages that are not its own parents: importing ``optlib.train.history`` from
``optlib.stopping`` first runs ``optlib/train/__init__.py``, so a cycle through a package's
``__init__`` is a cycle too. Imports under ``if TYPE_CHECKING:`` count: two modules that
need each other's names for their types are tangled even if Python never notices. Imports
inside functions (the lazy imports of heavy dependencies) are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import optlib

ROOT = Path(optlib.__file__).parent


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_level(tree: ast.Module) -> list[ast.stmt]:
    """Statements at module level: the body, and the branches of top-level try/if blocks."""
    out, todo = [], list(tree.body)
    while todo:
        node = todo.pop()
        out.append(node)
        if isinstance(node, ast.If):
            todo += node.body + node.orelse
        elif isinstance(node, ast.Try):
            todo += node.body + node.orelse + node.finalbody
            for h in node.handlers:
                todo += h.body
    return out


def _targets(module: str, is_package: bool, node: ast.stmt, modules: set[str]) -> set[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom):
        base = module if is_package else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            base = base.rpartition(".")[0]
        stem = node.module or ""
        full = f"{base}.{stem}".strip(".") if node.level else stem
        names = [full] + [f"{full}.{a.name}" for a in node.names]  # `from pkg import mod`
    else:
        return set()
    found = set()
    own = {module.rsplit(".", k)[0] for k in range(module.count(".") + 1)}
    for name in names:
        parts = name.split(".")
        for k in range(1, len(parts) + 1):
            prefix = ".".join(parts[:k])
            if prefix in modules and prefix not in own and prefix != module:
                found.add(prefix)
    return found


def import_graph() -> dict[str, set[str]]:
    files = {_name(p): p for p in ROOT.rglob("*.py")}
    graph = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(), str(path))
        is_package = path.name == "__init__.py"
        graph[module] = set().union(
            *(_targets(module, is_package, n, set(files)) for n in _module_level(tree))
        )
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle as a list of modules (first == last), or ``None``; depth-first search."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return path[path.index(n) :] + [n]
            if n not in state and (cycle := visit(n)):
                return cycle
        path.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (cycle := visit(m)):
            return cycle
    return None


def test_the_graph_sees_optlib_and_its_packages():
    graph = import_graph()
    assert {"optlib.stopping", "optlib.history", "optlib.train.loop"} <= set(graph)
    assert "optlib.history" in graph["optlib.stopping"]
    assert "optlib.stopping" in graph["optlib.train.loop"]


def test_the_cycle_finder_finds_a_cycle_through_a_package_init():
    # stopping -> train (its __init__ runs) -> train.loop -> stopping: the cycle this file
    # exists to prevent, as it stood before History moved to optlib.history.
    graph = {
        "optlib.stopping": {"optlib.train", "optlib.train.history"},
        "optlib.train": {"optlib.train.loop"},
        "optlib.train.history": set(),
        "optlib.train.loop": {"optlib.stopping"},
    }
    assert find_cycle(graph) == [
        "optlib.stopping",
        "optlib.train",
        "optlib.train.loop",
        "optlib.stopping",
    ]
    tree = ast.parse("from optlib.train.history import STEP_KEYS")
    assert _targets("optlib.stopping", False, tree.body[0], set(graph)) == {
        "optlib.train",
        "optlib.train.history",
    }


def test_type_checking_imports_count():
    tree = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from optlib.history import TrainState\n"
    )
    found = set().union(
        *(_targets("optlib.stopping", False, n, {"optlib.history"}) for n in _module_level(tree))
    )
    assert found == {"optlib.history"}


def test_no_import_cycle_in_optlib():
    assert find_cycle(import_graph()) is None
