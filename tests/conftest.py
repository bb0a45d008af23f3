"""Shared fixtures: each network of the collection (tests/networks.py) and its verification report."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from networks import NETWORK_PARAMS, Case, verified

from symbackprop.verification import Report


@pytest.fixture(params=NETWORK_PARAMS)
def network(request) -> Case:
    """Each network of the collection (slow ones marked)."""
    return request.param


@pytest.fixture
def report_of() -> Callable[[Case], Report]:
    return verified
