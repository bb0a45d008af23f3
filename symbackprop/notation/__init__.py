"""The notations: how each source text numbers layers, names quantities and lays out weights.

``model`` says what a notation is (:class:`~symbackprop.notation.model.Notation`, a value that owns its
numbering, letters, layout and source); ``catalogue`` holds the texts' notations as data; ``spelling`` is the
one table of letters and signs in ASCII, Unicode and LaTeX; ``symbols`` builds the SymPy symbols of a network,
which carry their quantity, layer, indices and example for the printers.
"""
