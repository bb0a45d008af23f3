"""The templates and the one Jinja2 environment that renders them.

Every output symbackprop writes from a template (the generated module
``network.py.j2``, the derivation document ``derivation.tex.j2``, the check
report ``check.tex.j2``) is rendered by :func:`environment`:
``StrictUndefined`` (a missing slot is an error, never an empty string),
``trim_blocks``, ``lstrip_blocks``, ``keep_trailing_newline``, no
autoescaping. LaTeX templates use the same environment as an overlay whose
delimiters (``\\VAR{…}``, ``\\BLOCK{…}``) do not clash with TeX's braces.

The generated module's fixed runtime is ``runtime.py``, a plain Python file
that ruff checks as it is; :func:`runtime_parts` cuts it at its
``# part: NAME`` lines, and the module template includes each part verbatim.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path

import jinja2

#: The file of the generated module's fixed runtime, among the templates.
RUNTIME = "runtime.py"
_PART = re.compile(r"^[ \t]*# part: (\S+)[ \t]*$")


def templates_folder():
    """The templates: inside the installed package, or the repository's top-level ``templates/``."""
    packaged = resources.files("symbackprop").joinpath("templates")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


def _load(name: str) -> str:
    return templates_folder().joinpath(name).read_text(encoding="utf-8")


@functools.cache
def environment() -> jinja2.Environment:
    """The environment every template is rendered with (code templates use its delimiters as they are)."""
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


@functools.cache
def tex_environment() -> jinja2.Environment:
    """The same environment with delimiters that do not clash with TeX: ``\\VAR{…}``, ``\\BLOCK{…}``, ``\\#{…}``."""
    return environment().overlay(
        block_start_string=r"\BLOCK{",
        block_end_string="}",
        variable_start_string=r"\VAR{",
        variable_end_string="}",
        comment_start_string=r"\#{",
        comment_end_string="}",
    )


def runtime_parts(text: str | None = None) -> dict[str, str]:
    """The parts of the fixed runtime (``runtime.py``): name -> its lines, without the marker and without the
    blank lines that end it; the ``stand-ins`` part and the file's docstring are left out."""
    text = _load(RUNTIME) if text is None else text
    parts: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.split("\n"):
        marker = _PART.match(line)
        if marker:
            current = parts.setdefault(marker.group(1), [])
        elif current is not None:
            current.append(line)
    parts.pop("stand-ins", None)
    return {name: "\n".join(body).strip("\n") for name, body in parts.items()}
