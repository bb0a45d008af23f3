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


#: The message each test of an xdist_group fails with when pytest-xdist did not group it (set per worker).
_UNGROUPED: list[str] = []


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items) -> None:
    """Under ``--dist loadgroup`` (pyproject's addopts), fail the grouped tests if pytest-xdist did not group them.

    pytest-xdist groups by appending ``@group`` to the node ids of the tests marked ``xdist_group``; with
    pytest 9.2 that edit silently does nothing (pytest-xdist issue 1386), and every group's shared fixtures
    (the compiled documents, the two hash-seed processes, the golden modules) are computed on every worker.
    """
    if not hasattr(config, "workerinput") or not getattr(config.option, "loadgroup", False):
        return
    if any(item.get_closest_marker("xdist_group") and "@" not in item.nodeid for item in items):
        _UNGROUPED.append(
            f"pytest-xdist did not group the tests marked xdist_group: pytest {pytest.__version__} with this "
            'pytest-xdist ignores --dist loadgroup (pytest-xdist issue 1386); pip install ".[test]" installs a '
            "pytest that works"
        )


def pytest_runtest_setup(item) -> None:
    if _UNGROUPED and item.get_closest_marker("xdist_group"):
        pytest.fail(_UNGROUPED[0], pytrace=False)
