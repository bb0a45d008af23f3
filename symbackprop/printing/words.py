"""Words for numbers in what people read: ``1 epoch``, ``30 epochs``, ``2 checks``."""

from __future__ import annotations


def count(n: int, word: str, plural: str | None = None) -> str:
    """``n`` and ``word``, in the plural unless n is 1: ``count(1, "answer")`` is ``1 answer``."""
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"
