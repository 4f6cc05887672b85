"""optlib: the small, tested package behind *Optimization for Deep Learning*.

Numbers flow one way: a landscape or model (:mod:`optlib.landscapes`) is minimized by an
optimizer (:mod:`optlib.optim`) into a trajectory (:mod:`optlib.trajectory`) that
:mod:`optlib.viz` draws. The numeric modules never import matplotlib or ipywidgets.
"""

from __future__ import annotations

import inspect
import textwrap
from typing import Any

__version__ = "0.1.0"

__all__ = ["show_source"]


def show_source(obj: Any) -> Any:
    """Display the real source of an optlib object, syntax-highlighted.

    Chapters call this instead of copying code, so the book always shows what runs. In a
    notebook (and in the built book) it renders as highlighted code; elsewhere its ``repr``
    is the plain source.
    """
    from IPython.display import Code

    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as err:
        raise TypeError(f"show_source needs a function, class or module, got {obj!r}") from err
    return Code(textwrap.dedent(source), language="python")
