"""The progress bar of :func:`~optlib.train.fit`: tqdm when asked for, nothing otherwise."""

from __future__ import annotations

from typing import Any, TextIO

__all__ = ["progress_bar"]


class _NoBar:
    """Stands in for tqdm when ``progress=False``: tqdm is not even imported."""

    def update(self, n: int = 1) -> None:
        pass

    def set_postfix(self, *args: Any, **kwargs: Any) -> None:
        pass

    def set_description_str(self, *args: Any, **kwargs: Any) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(progress: bool, total: int, initial: int, file: TextIO | None) -> Any:
    """A bar over ``total`` epochs starting at ``initial``; ``tqdm.auto`` (a widget in a
    notebook, text in a terminal) if ``progress``, else an object that does nothing."""
    if not progress:
        return _NoBar()
    from tqdm.auto import tqdm  # lazily: in a notebook it imports ipywidgets

    return tqdm(total=total, initial=initial, file=file, desc="fit", unit="epoch", leave=True)
