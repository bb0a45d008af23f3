"""The example specs that ship with symbackprop (``examples/`` in the repository, ``symbackprop/examples``
when installed): ``symbackprop init --example NAME`` copies one."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def examples_folder():
    """The example specs: inside the installed package, or the repository's top-level ``examples/``."""
    packaged = resources.files("symbackprop").joinpath("examples")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "examples"


def example_names() -> tuple[str, ...]:
    """The names of the shipped example specs (``softmax`` for ``softmax.toml``), sorted."""
    return tuple(sorted(p.name[: -len(".toml")] for p in examples_folder().iterdir() if p.name.endswith(".toml")))


def example_text(name: str) -> str:
    """The TOML of the example ``name``; a ValueError naming the valid ones otherwise."""
    if name not in example_names():
        raise ValueError(f"unknown example {name!r}; valid: {', '.join(example_names())}")
    return examples_folder().joinpath(f"{name}.toml").read_text(encoding="utf-8")
