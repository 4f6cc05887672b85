"""How long each chapter takes to execute, and how long a cold book build takes.

Targets on the 2-core course machine: every chapter under 20 s; the whole book (cold cache)
well inside the 10-minute budget of `make test`.

    .venv/bin/python bench/notebooks.py            # chapters, then a cold book build
    .venv/bin/python bench/notebooks.py --no-book  # chapters only
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_BUDGET_S = 20.0


def time_notebook(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        client = NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp}}
        )
        start = time.perf_counter()
        client.execute()
        return time.perf_counter() - start


def time_book() -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [
                str(Path(sys.executable).with_name("jupyter-book")),
                "build",
                str(ROOT),
                "--path-output",
                out,
                "-W",
                "-n",
                "--keep-going",
                "--quiet",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-book", action="store_true", help="skip the cold book build")
    args = parser.parse_args()

    over = 0
    print(f"{'chapter':40s} {'seconds':>8s}")
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        seconds = time_notebook(path)
        flag = "" if seconds < CHAPTER_BUDGET_S else f"  over the {CHAPTER_BUDGET_S:.0f} s budget"
        over += bool(flag)
        print(f"{path.name:40s} {seconds:8.1f}{flag}")
    if not args.no_book:
        print(f"{'cold book build (-W, fresh cache)':40s} {time_book():8.1f}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
