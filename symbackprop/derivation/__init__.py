"""Stage 3, differentiation: every gradient taken by ``sympy.diff`` and the chain rule, layer by layer.

``layered`` at the spec's widths, through one layer at a time; ``identities``, the local identities found by
simplification (σ' = a(1 − a), δ^L = a − y); ``formulas``, the derived gradients in component form as a reader
writes them.
"""
