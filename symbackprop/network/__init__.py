"""Stage 2, the symbolic network: the spec's network as SymPy objects.

``concrete``: every z^l a symbol of its own at the spec's widths (the exact method); ``indexed``: widths as
integer symbols, layers as sums over indexed components (a proof for every width); ``numeric``: the concrete
network as NumPy functions at random parameters (the finite-difference cross-check).
"""
