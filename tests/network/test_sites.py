"""Tests for :mod:`symbackprop.network.sites`, the one list of every equation at every layer."""

from __future__ import annotations

from symbackprop.network.sites import checks, sites
from symbackprop.spec.load import make_spec


def test_every_equation_at_every_layer_in_one_order():
    spec = make_spec(layers=[2, 3, 4, 2], notation="notes")
    assert [(s.equation, s.k, s.layer) for s in sites(spec)] == [
        ("BP1", 3, 3), ("BP2", 2, 2), ("BP2", 1, 1),
        ("BP3", 3, 3), ("BP4", 3, 3), ("BP3", 2, 2), ("BP4", 2, 2), ("BP3", 1, 1), ("BP4", 1, 1),
        ("input_gradient", 1, 0),
    ]  # fmt: skip
    # Nielsen's book numbers the input layer 1: the same sites, one higher
    assert [s.layer for s in sites(spec, "nielsen")] == [4, 3, 2, 4, 4, 3, 3, 2, 2, 1]


def test_sites_speak_the_notations_numbers_and_dimensions():
    spec = make_spec(layers=[2, 3, 2], notation="ufldl")
    by = {(s.equation, s.k): s for s in sites(spec)}
    assert by["BP1", 2].layer == 3 and by["BP2", 1].layer == 2  # the input is UFLDL's layer 1
    assert by["BP4", 2].layer == 2 and by["input_gradient", 1].layer == 1  # W^(2) maps layer 2 to layer 3
    assert by["BP4", 2].dims == (2, 1)
    blog = {(s.equation, s.k): s for s in sites(make_spec(layers=[2, 3, 2], notation="blog"))}
    assert blog["BP4", 2].dims == (1, 2)  # w^l is (n_{l-1}, n_l)


def test_a_softmax_output_is_checked_in_both_forms():
    spec = make_spec(layers=[2, 3, 3], output="softmax", cost="log_likelihood")
    (bp1,) = [s for s in sites(spec) if s.equation == "BP1"]
    assert bp1.jacobian
    assert bp1.forms("exact") == [("hadamard", False), ("jacobian", True)]
    assert bp1.forms("all_widths") == [("jacobian", True)]


def test_matrix_methods_check_per_example_sites_once_per_example():
    spec = make_spec(layers=[2, 3, 2])
    planned = checks(spec, None, "exact", 2)
    assert [(p.site.equation, p.example) for p in planned] == [
        ("BP1", 0), ("BP2", 0), ("BP1", 1), ("BP2", 1),
        ("BP3", None), ("BP4", None), ("BP3", None), ("BP4", None),
        ("input_gradient", 0), ("input_gradient", 1),
    ]  # fmt: skip
    assert all(p.example is None for p in checks(spec, None, "all_widths", 2))
