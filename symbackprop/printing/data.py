"""JSON that every JSON reader accepts: floats that are NaN or infinite become the strings ``"nan"``, ``"inf"``
and ``"-inf"`` (``json.dumps`` would write the bare tokens NaN and Infinity, which are not JSON)."""

from __future__ import annotations

import json
import math
from typing import Any


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float, in lists, tuples and dicts too, written as a string."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def dumps(value: Any, **options) -> str:
    """``json.dumps`` of :func:`json_safe` of ``value``, refusing any NaN left over (``allow_nan=False``)."""
    return json.dumps(json_safe(value), allow_nan=False, **options)
